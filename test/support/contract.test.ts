import { describe, expect, it } from "vitest";
import { checkRequest, checkResponse, descriptionInfo, resolveRoute, type ContractRequest } from "./contract.js";

const R = "/repos/acme/crm";
const ok = (req: ContractRequest) => expect(checkRequest(req)).toEqual([]);
const problems = (req: ContractRequest) => checkRequest(req);

describe("the REST description", () => {
  it("is loaded once, quickly", () => {
    expect(descriptionInfo.version).toMatch(/^\d+\.\d+\.\d+$/);
    // a figure, not a timing assertion: loading is read + JSON.parse of ~13 MB
    console.info(`REST description ${descriptionInfo.version} loaded in ${descriptionInfo.loadMs} ms`);
  });
});

describe("checkRequest accepts the calls mission-bot makes", () => {
  it("create issue", () => {
    ok({ method: "POST", url: `https://api.github.com${R}/issues`, body: { title: "M1: Contacts", body: "<!-- mission-bot:m-0042:milestone:1 -->", labels: ["mission"], type: "Epic" } });
    ok({ method: "POST", url: `${R}/issues`, body: { title: "t", milestone: null, assignees: [], labels: [{ name: "x" }] } });
  });
  it("create comment", () => ok({ method: "POST", url: `${R}/issues/7/comments`, body: { body: "Plan ready." } }));
  it("update issue body", () => ok({ method: "PATCH", url: `${R}/issues/7`, body: { body: "dashboard" } }));
  it("close issue as completed", () => ok({ method: "PATCH", url: `${R}/issues/7`, body: { state: "closed", state_reason: "completed" } }));
  it("add sub-issue (child by id, which can exceed 2^31)", () => {
    ok({ method: "POST", url: `${R}/issues/7/sub_issues`, body: { sub_issue_id: 4939159074 } });
    ok({ method: "POST", url: `${R}/issues/7/sub_issues`, body: { sub_issue_id: 12, replace_parent: true } });
  });
  it("remove sub-issue (singular route, JSON body on DELETE)", () =>
    ok({ method: "DELETE", url: `${R}/issues/7/sub_issue`, body: { sub_issue_id: 12 } }));
  it("add blocked_by dependency", () => ok({ method: "POST", url: `${R}/issues/8/dependencies/blocked_by`, body: { issue_id: 444500041 } }));
  it("get collaborator permission", () => ok({ method: "GET", url: `${R}/collaborators/alice/permission` }));
  it("list issues with labels/state/per_page", () => {
    ok({ method: "GET", url: `${R}/issues?labels=mission%2Cmilestone&state=all&per_page=100&page=2` });
    ok({ method: "GET", url: `${R}/issues?labels=mission,milestone&state=open&per_page=100` });
  });
  it("get contents (path slashes encoded as Octokit sends them, or not)", () => {
    ok({ method: "GET", url: `${R}/contents/todo%2Fmissions%2Fm-0042%2Fmission.md?ref=main` });
    ok({ method: "GET", url: `${R}/contents/todo/missions/m-0042/mission.md` });
  });
  it("put contents with message/content/sha/branch", () =>
    ok({
      method: "PUT",
      url: `${R}/contents/todo%2Fmissions%2Fm-0042%2Fmission.md`,
      body: { message: "mission m-0042: plan", content: Buffer.from("---\nid: m-0042\n---\n").toString("base64"), sha: "95b966ae1c166bd92f8ae7d1c313e738c731dfc3", branch: "main" },
    }));
  it("workflow dispatch with return_run_details (by file name and by id)", () => {
    ok({ method: "POST", url: `${R}/actions/workflows/mission-worker.yml/dispatches`, body: { ref: "main", inputs: { mission_id: "m-0042", feature: "1.2" }, return_run_details: true } });
    ok({ method: "POST", url: `${R}/actions/workflows/161335/dispatches`, body: { ref: "main" } });
  });
  it("repository_dispatch", () =>
    ok({ method: "POST", url: `${R}/dispatches`, body: { event_type: "mission-pulse", client_payload: { mission: "m-0042" } } }));
  it("create reaction on a comment", () => ok({ method: "POST", url: `${R}/issues/comments/492700400/reactions`, body: { content: "eyes" } }));
  it("installation token (Probot sends no body)", () => {
    ok({ method: "POST", url: "/app/installations/42/access_tokens" });
    ok({ method: "POST", url: "/app/installations/42/access_tokens", body: "" });
  });
  it("GraphQL", () => ok({ method: "POST", url: "https://api.github.com/graphql", body: { query: "query($id: ID!) { node(id: $id) { id } }", variables: { id: "I_1" } } }));
  it("a JSON string body, as nock hands it over", () =>
    ok({ method: "POST", url: `${R}/issues/7/comments`, body: JSON.stringify({ body: "hi" }), headers: { "Content-Type": "application/json; charset=utf-8" } }));
  it("GitHub Enterprise style base URL", () => {
    ok({ method: "POST", url: "https://ghe.example.com/api/v3/repos/acme/crm/issues/7/comments", body: { body: "hi" } });
    ok({ method: "POST", url: "/api/v3/repos/acme/crm/issues/7/comments", body: { body: "hi" } });
  });
});

describe("checkRequest rejects what GitHub would reject", () => {
  it("wrong method, naming the methods that exist", () => {
    expect(problems({ method: "PUT", url: `${R}/issues/7/comments`, body: { body: "x" } })).toEqual([
      "wrong method: PUT /repos/acme/crm/issues/7/comments matches /repos/{owner}/{repo}/issues/{issue_number}/comments, which allows GET, POST, not PUT",
    ]);
    expect(problems({ method: "POST", url: `${R}/collaborators/alice/permission` })[0]).toMatch(/^wrong method: .*allows GET, not POST/);
  });
  it("a literal segment is not taken for a parameter (PATCH /issues/comments)", () => {
    expect(problems({ method: "PATCH", url: `${R}/issues/comments`, body: { body: "x" } })[0]).toMatch(
      /^wrong method: PATCH \/repos\/acme\/crm\/issues\/comments matches \/repos\/\{owner\}\/\{repo\}\/issues\/comments, which allows GET/,
    );
  });
  it("missing required body field", () => {
    expect(problems({ method: "POST", url: `${R}/issues/7/comments`, body: {} })).toEqual([
      "POST /repos/acme/crm/issues/7/comments (issues/create-comment): body is missing required property 'body'",
    ]);
    expect(problems({ method: "POST", url: `${R}/issues`, body: { body: "no title" } })).toEqual([
      "POST /repos/acme/crm/issues (issues/create): body is missing required property 'title'",
    ]);
    expect(problems({ method: "PUT", url: `${R}/contents/a.md`, body: { content: "aGk=" } })).toEqual([
      "PUT /repos/acme/crm/contents/a.md (repos/create-or-update-file-contents): body is missing required property 'message'",
    ]);
    expect(problems({ method: "POST", url: `${R}/actions/workflows/w.yml/dispatches`, body: { inputs: {} } })).toEqual([
      "POST /repos/acme/crm/actions/workflows/w.yml/dispatches (actions/create-workflow-dispatch): body is missing required property 'ref'",
    ]);
  });
  it("no body at all where one is required", () => {
    expect(problems({ method: "POST", url: `${R}/issues/7/sub_issues` })).toEqual([
      "POST /repos/acme/crm/issues/7/sub_issues (issues/add-sub-issue): request body is required",
    ]);
  });
  it("sub_issue_id as a string", () => {
    expect(problems({ method: "POST", url: `${R}/issues/7/sub_issues`, body: { sub_issue_id: "12" } })).toEqual([
      'POST /repos/acme/crm/issues/7/sub_issues (issues/add-sub-issue): body/sub_issue_id must be integer (got "12")',
    ]);
  });
  it("issue_id for blocked_by as a node id", () => {
    expect(problems({ method: "POST", url: `${R}/issues/8/dependencies/blocked_by`, body: { issue_id: "I_kwDOA" } })).toEqual([
      'POST /repos/acme/crm/issues/8/dependencies/blocked_by (issues/add-blocked-by-dependency): body/issue_id must be integer (got "I_kwDOA")',
    ]);
  });
  it("unknown route: POST …/sub_issue instead of …/sub_issues", () => {
    expect(problems({ method: "POST", url: `${R}/issues/7/sub_issue`, body: { sub_issue_id: 12 } })).toEqual([
      "wrong method: POST /repos/acme/crm/issues/7/sub_issue matches /repos/{owner}/{repo}/issues/{issue_number}/sub_issue, which allows DELETE, not POST (did you mean POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues?)",
    ]);
  });
  it("no such route", () => {
    expect(problems({ method: "POST", url: `${R}/issues/7/subissues`, body: { sub_issue_id: 12 } })).toEqual([
      "no such route: POST /repos/acme/crm/issues/7/subissues (did you mean POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues?)",
    ]);
    expect(problems({ method: "GET", url: "/repos/acme" })).toEqual(["no such route: GET /repos/acme"]);
    expect(problems({ method: "GET", url: `${R}/issues/` })[0]).toMatch(/^no such route/);
  });
  it("path parameters must satisfy their schemas", () => {
    expect(problems({ method: "PATCH", url: `${R}/issues/seven`, body: { body: "x" } })).toEqual([
      'PATCH /repos/acme/crm/issues/seven (issues/update): path parameter issue_number="seven" is invalid: must be integer',
    ]);
  });
  it("query parameters: wrong values and unknown names", () => {
    expect(problems({ method: "GET", url: `${R}/issues?state=done&per_page=lots&label=mission` })).toEqual([
      'GET /repos/acme/crm/issues (issues/list-for-repo): query parameter state="done" is invalid: must be one of ["open","closed","all"]',
      'GET /repos/acme/crm/issues (issues/list-for-repo): query parameter per_page="lots" is invalid: must be integer',
      expect.stringMatching(/^GET \/repos\/acme\/crm\/issues \(issues\/list-for-repo\): unknown query parameter 'label' \(documented: .*labels/),
    ]);
  });
  it("required query parameters must be present", () => {
    // GET /search/issues requires q
    expect(problems({ method: "GET", url: "/search/issues?per_page=1" })).toEqual([
      "GET /search/issues (search/issues-and-pull-requests): missing required query parameter 'q'",
    ]);
  });
  it("wrong body types and enum values", () => {
    expect(problems({ method: "POST", url: `${R}/issues/comments/5/reactions`, body: { content: "eye" } })).toEqual([
      'POST /repos/acme/crm/issues/comments/5/reactions (reactions/create-for-issue-comment): body/content must be one of ["+1","-1","laugh","confused","heart","hooray","rocket","eyes"] (got "eye")',
    ]);
    expect(problems({ method: "PATCH", url: `${R}/issues/7`, body: { state: "done" } })[0]).toMatch(/body\/state must be one of \["open","closed"\]/);
    expect(problems({ method: "POST", url: `${R}/actions/workflows/w.yml/dispatches`, body: { ref: "main", return_run_details: "true" } })).toEqual([
      'POST /repos/acme/crm/actions/workflows/w.yml/dispatches (actions/create-workflow-dispatch): body/return_run_details must be boolean (got "true")',
    ]);
  });
  it("too many workflow inputs (maxProperties 25)", () => {
    const inputs = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`i${i}`, "x"]));
    expect(problems({ method: "POST", url: `${R}/actions/workflows/w.yml/dispatches`, body: { ref: "main", inputs } })[0]).toMatch(
      /body\/inputs must NOT have more than 25 properties/,
    );
  });
  it("unknown top-level body properties (strict by default)", () => {
    // Most GitHub request schemas do not say additionalProperties: false, and GitHub silently ignores
    // unknown fields; in our own code that is always a typo, so top-level unknowns are reported by default:
    expect(problems({ method: "POST", url: `${R}/issues/7/sub_issues`, body: { sub_issue_id: 12, sub_issue_number: 3 } })).toEqual([
      expect.stringMatching(/^POST \/repos\/acme\/crm\/issues\/7\/sub_issues \(issues\/add-sub-issue\): body has unknown property 'sub_issue_number' \(not in GitHub's schema/),
    ]);
    // …and can be turned off to check only what the schema itself says
    expect(checkRequest({ method: "POST", url: `${R}/issues/7/sub_issues`, body: { sub_issue_id: 12, sub_issue_number: 3 } }, { unknownBodyProperties: "ignore" })).toEqual([]);
  });
  it("additionalProperties: false in the schema is enforced (REST Projects v2: add item)", () => {
    const url = "/orgs/acme/projectsV2/3/items";
    expect(checkRequest({ method: "POST", url, body: { type: "Issue", id: 444500041 } })).toEqual([]);
    expect(checkRequest({ method: "POST", url, body: { type: "Issue", id: 444500041, content_id: 1 } }, { unknownBodyProperties: "ignore" })).toEqual([
      "POST /orgs/acme/projectsV2/3/items (projects/add-item-for-org): body has unknown property 'content_id' (schema says additionalProperties: false)",
    ]);
  });
  it("a body on an operation that takes none", () => {
    expect(problems({ method: "GET", url: `${R}/collaborators/alice/permission`, body: { x: 1 } })[0]).toMatch(/takes no request body/);
  });
  it("malformed JSON", () => {
    expect(problems({ method: "POST", url: `${R}/issues/7/comments`, body: "{body:", headers: { "content-type": "application/json" } })[0]).toMatch(
      /request body is not valid JSON/,
    );
  });
  it("GraphQL without a query, or not POST", () => {
    expect(problems({ method: "POST", url: "/graphql", body: { variables: {} } })).toEqual(["POST /graphql: body.query must be a non-empty string"]);
    expect(problems({ method: "GET", url: "/graphql?query=x" })).toEqual(["GET /graphql: GitHub's GraphQL endpoint only accepts POST"]);
  });
  it("not GitHub at all", () => {
    expect(problems({ method: "GET", url: "https://example.com/repos/acme/crm" })[0]).toMatch(/not a GitHub API URL/);
  });
});

describe("resolveRoute", () => {
  it("names the documented operation", () => {
    expect(resolveRoute("POST", `${R}/issues/7/sub_issues`)).toEqual({
      method: "POST",
      template: "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
      operationId: "issues/add-sub-issue",
      params: { owner: "acme", repo: "crm", issue_number: "7" },
    });
    expect(resolveRoute("GET", `${R}/contents/a%2Fb.md`)?.params.path).toBe("a/b.md");
    expect(resolveRoute("GET", `${R}/contents/a/b.md`)?.params.path).toBe("a/b.md");
    expect(resolveRoute("POST", `${R}/issues/7/sub_issue`)).toBeUndefined();
  });
});

describe("checkResponse", () => {
  it("accepts the documented dispatch responses", () => {
    const url = `${R}/actions/workflows/w.yml/dispatches`;
    expect(checkResponse("POST", url, 200, { workflow_run_id: 22, run_url: "https://api.github.com/repos/acme/crm/actions/runs/22", html_url: "https://github.com/acme/crm/actions/runs/22" })).toEqual([]);
    expect(checkResponse("POST", url, 204, undefined)).toEqual([]);
  });
  it("rejects undocumented statuses, missing or mistyped fields and bodies where none is sent", () => {
    const url = `${R}/actions/workflows/w.yml/dispatches`;
    expect(checkResponse("POST", url, 201, {})).toEqual([
      "POST /repos/acme/crm/actions/workflows/w.yml/dispatches (actions/create-workflow-dispatch) → 201: status 201 is not documented (documented: 200, 204)",
    ]);
    expect(checkResponse("POST", url, 200, { workflow_run_id: "22" })).toEqual(
      expect.arrayContaining([
        expect.stringContaining("response body is missing required property 'run_url'"),
        expect.stringContaining('response body/workflow_run_id must be integer (got "22")'),
      ]),
    );
    expect(checkResponse("POST", url, 204, { ok: true })[0]).toMatch(/GitHub sends no body with this status/);
  });
  it("partial mode lets mocks leave fields out but not invent or mistype them", () => {
    const url = `${R}/issues/7/comments`;
    expect(checkResponse("POST", url, 201, { id: 1, body: "hi" }, undefined, { partial: true })).toEqual([]);
    expect(checkResponse("POST", url, 201, { id: 1, body: "hi" })).not.toEqual([]);
    expect(checkResponse("POST", url, 201, { id: 1, comment_id: 1 }, undefined, { partial: true })[0]).toMatch(/unknown property 'comment_id'/);
  });
  it("any endpoint may answer 401/403/429/5xx", () => {
    expect(checkResponse("POST", `${R}/issues/7/comments`, 502, { message: "Bad Gateway" })).toEqual([]);
  });
});
