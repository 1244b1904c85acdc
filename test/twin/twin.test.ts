/**
 * The twin behaves like GitHub on the points mission-bot relies on. Most
 * tests drive it through the bot's own client (ProbotOctokit over fetch,
 * intercepted by nock) and, where it matters, through the bot's own code.
 */
import { sign } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GitHubTwin, gitBlobSha } from "../../src/twin/state.js";
import { serveWithNock } from "../support/twin-nock.js";
import { botOctokit, userOctokit, type TwinOctokit } from "../../src/twin/octokit.js";
import { TestOctokit } from "../support/github-nock.js";
import { testPrivateKey, testPublicKey } from "../support/keys.js";
import { contractTwin } from "../support/twin.js";

const repo = { owner: "acme", repo: "rocket" };

let twin: GitHubTwin;
let stop: () => void;
let octokit: TwinOctokit;

beforeEach(() => {
  twin = contractTwin();
  twin.addRepo({ owner: "acme", name: "rocket", ownerType: "Organization", collaborators: { alice: "admin" } });
  stop = serveWithNock(twin);
  octokit = botOctokit(twin);
});

afterEach(() => {
  stop();
});

/** PUT a file through the contents API; returns the new blob sha. */
async function writeFile(o: TwinOctokit, r: typeof repo, f: { path: string; text: string; message: string; sha?: string; branch?: string }): Promise<string> {
  const { text, ...rest } = f;
  const { data } = await o.rest.repos.createOrUpdateFileContents({ ...r, ...rest, content: Buffer.from(text).toString("base64") });
  return data.content!.sha!;
}

/** GET a file's text, or null on 404. */
async function readFile(o: TwinOctokit, r: typeof repo, path: string): Promise<{ text: string; sha: string } | null> {
  try {
    const { data } = await o.rest.repos.getContent({ ...r, path });
    if (Array.isArray(data) || data.type !== "file") return null;
    return { text: Buffer.from(data.content, "base64").toString("utf8"), sha: data.sha };
  } catch (e) {
    if ((e as { status: number }).status === 404) return null;
    throw e;
  }
}

async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (e) {
    return (e as { status: number }).status;
  }
}

describe("sub-issues take the child's id, not its number", () => {
  it("links by id, refuses a number, and answers 422 for a second link", async () => {
    const { data: parent } = await octokit.rest.issues.create({ ...repo, title: "Milestone 1" });
    const { data: child } = await octokit.rest.issues.create({ ...repo, title: "Feature 1.1" });
    expect(child.id).toBeGreaterThan(2 ** 31);
    expect(child.id).not.toBe(child.number);

    // the number names no issue id: 404
    expect(await statusOf(octokit.rest.issues.addSubIssue({ ...repo, issue_number: parent.number, sub_issue_id: child.number }))).toBe(404);

    const added = await octokit.rest.issues.addSubIssue({ ...repo, issue_number: parent.number, sub_issue_id: child.id });
    expect(added.status).toBe(201);
    expect(added.data.number).toBe(parent.number); // the parent comes back
    expect(added.data.sub_issues_summary).toEqual({ total: 1, completed: 0, percent_completed: 0 });

    const { data: found } = await octokit.rest.issues.getParent({ ...repo, issue_number: child.number });
    expect(found.id).toBe(parent.id);
    const { data: subs } = await octokit.rest.issues.listSubIssues({ ...repo, issue_number: parent.number });
    expect(subs.map((s) => s.id)).toEqual([child.id]);

    // already a sub-issue of this parent: 422
    expect(await statusOf(octokit.rest.issues.addSubIssue({ ...repo, issue_number: parent.number, sub_issue_id: child.id }))).toBe(422);
    // has another parent: 422 unless replace_parent
    const { data: other } = await octokit.rest.issues.create({ ...repo, title: "Milestone 2" });
    expect(await statusOf(octokit.rest.issues.addSubIssue({ ...repo, issue_number: other.number, sub_issue_id: child.id }))).toBe(422);
    await octokit.rest.issues.addSubIssue({ ...repo, issue_number: other.number, sub_issue_id: child.id, replace_parent: true });
    expect((await octokit.rest.issues.getParent({ ...repo, issue_number: child.number })).data.number).toBe(other.number);
    expect(twin.contractFailures).toEqual([]);
  });

  it("holds at most 100 sub-issues per parent", async () => {
    const parent = twin.as("alice").createIssue({ title: "big" });
    for (let i = 0; i < 100; i++) twin.addSubIssue(parent, twin.as("alice").createIssue({ title: `f${i}` }), twin.user("alice"));
    const extra = twin.as("alice").createIssue({ title: "one too many" });
    const err = await octokit.rest.issues.addSubIssue({ ...repo, issue_number: parent.number, sub_issue_id: extra.id }).catch((e: unknown) => e);
    expect((err as { status: number }).status).toBe(422);
  });

  it("records sub_issue_added and parent_issue_added, sent by the bot", async () => {
    const { data: parent } = await octokit.rest.issues.create({ ...repo, title: "M" });
    const { data: child } = await octokit.rest.issues.create({ ...repo, title: "F" });
    twin.takeEvents();
    await octokit.rest.issues.addSubIssue({ ...repo, issue_number: parent.number, sub_issue_id: child.id });
    const events = twin.takeEvents();
    expect(events.map((e) => `${e.name}.${e.action}`)).toEqual(["sub_issues.sub_issue_added", "sub_issues.parent_issue_added"]);
    for (const e of events) {
      expect(e.payload.sender).toMatchObject({ login: "mission-bot[bot]", type: "Bot" });
      expect(e.payload.parent_issue_id).toBe(parent.id);
      expect(e.payload.sub_issue_id).toBe(child.id);
      expect(e.payload.installation).toMatchObject({ id: 1 });
    }
  });
});

describe("issue dependencies", () => {
  it("adds blocked-by by the blocking issue's id; a duplicate is 422; lists both ways", async () => {
    const a = twin.as("alice").createIssue({ title: "A" });
    const b = twin.as("alice").createIssue({ title: "B" });
    const res = await octokit.rest.issues.addBlockedByDependency({ ...repo, issue_number: b.number, issue_id: a.id });
    expect(res.status).toBe(201);
    expect(await statusOf(octokit.rest.issues.addBlockedByDependency({ ...repo, issue_number: b.number, issue_id: a.id }))).toBe(422);
    expect(await statusOf(octokit.rest.issues.addBlockedByDependency({ ...repo, issue_number: b.number, issue_id: 999 }))).toBe(404);
    const { data: blockedBy } = await octokit.rest.issues.listDependenciesBlockedBy({ ...repo, issue_number: b.number });
    expect(blockedBy.map((i) => i.number)).toEqual([a.number]);
    const { data: blocking } = await octokit.rest.issues.listDependenciesBlocking({ ...repo, issue_number: a.number });
    expect(blocking.map((i) => i.number)).toEqual([b.number]);
    const { data: issueB } = await octokit.rest.issues.get({ ...repo, issue_number: b.number });
    expect(issueB.issue_dependencies_summary).toMatchObject({ blocked_by: 1, total_blocked_by: 1 });
  });
});

describe("contents: the blob sha is the precondition", () => {
  it("serves base64 content with git's blob sha, and refuses a stale sha with 409", async () => {
    const path = "todo/missions/m-1/mission.md";
    const sha1 = await writeFile(octokit, repo, { path, text: "v1\n", message: "create" });
    expect(sha1).toBe(gitBlobSha("v1\n"));
    expect(twin.readFile(path)).toEqual({ text: "v1\n", sha: sha1 });

    const { data } = await octokit.rest.repos.getContent({ ...repo, path });
    if (Array.isArray(data) || data.type !== "file") throw new Error("expected a file");
    expect(data.encoding).toBe("base64");
    expect(Buffer.from(data.content, "base64").toString()).toBe("v1\n");
    expect(data.sha).toBe(sha1);

    const sha2 = twin.tamperFile(path, "someone else's edit\n");
    expect(sha2).not.toBe(sha1);

    const stale = await octokit.rest.repos
      .createOrUpdateFileContents({ ...repo, path, message: "update", content: Buffer.from("v2").toString("base64"), sha: sha1 })
      .catch((e: unknown) => e);
    expect((stale as { status: number }).status).toBe(409);
    expect(twin.readFile(path)?.text).toBe("someone else's edit\n"); // nothing overwritten

    // no sha for an existing file: 422
    const missing = await octokit.rest.repos
      .createOrUpdateFileContents({ ...repo, path, message: "update", content: Buffer.from("v2").toString("base64") })
      .catch((e: unknown) => e);
    expect((missing as { status: number }).status).toBe(422);
    // with the current sha: 200 and a new sha
    const sha3 = await writeFile(octokit, repo, { path, text: "v2\n", message: "update", sha: sha2 });
    expect(sha3).toBe(gitBlobSha("v2\n"));
    expect((await readFile(octokit, repo, path))?.text).toBe("v2\n");
    expect(await readFile(octokit, repo, "no/such/file.md")).toBeNull();
    expect(twin.contractFailures).toEqual([]);
  });

  it("keeps branches apart and 404s an unknown branch", async () => {
    const repoState = twin.repo();
    repoState.branches.set("state", repoState.branches.get("main")!);
    await writeFile(octokit, repo, { path: "a.md", text: "on state", message: "m", branch: "state" });
    expect(twin.readFile("a.md", { ref: "state" })?.text).toBe("on state");
    expect(twin.readFile("a.md")).toBeUndefined();
    expect(await readFile(octokit, repo, "a.md")).toBeNull();
    const res = await octokit.rest.repos
      .createOrUpdateFileContents({ ...repo, path: "a.md", message: "m", content: "eA==", branch: "nope" })
      .catch((e: unknown) => e);
    expect((res as { status: number }).status).toBe(404);
  });
});

describe("listing issues", () => {
  beforeEach(() => {
    const alice = twin.as("alice");
    alice.createIssue({ title: "one", labels: ["mission:m-1", "feature"] });
    alice.createIssue({ title: "two", labels: ["mission:m-1"] });
    alice.createIssue({ title: "three", labels: ["feature"] });
    alice.createIssue({ title: "four", labels: ["Mission:M-1", "feature"] });
    alice.closeIssue(4);
  });

  it("filters by labels (all must match, case-insensitively) and by state (default open)", async () => {
    const open = await octokit.rest.issues.listForRepo({ ...repo, labels: "mission:m-1,feature" });
    expect(open.data.map((i) => i.title)).toEqual(["one"]);
    const all = await octokit.rest.issues.listForRepo({ ...repo, labels: "MISSION:m-1,feature", state: "all" });
    expect(all.data.map((i) => i.title)).toEqual(["four", "one"]); // newest first
    const asc = await octokit.rest.issues.listForRepo({ ...repo, state: "all", direction: "asc" });
    expect(asc.data.map((i) => i.number)).toEqual([1, 2, 3, 4]);
    const closed = await octokit.rest.issues.listForRepo({ ...repo, state: "closed" });
    expect(closed.data.map((i) => i.title)).toEqual(["four"]);
    expect(closed.data[0]).toMatchObject({ state: "closed", state_reason: "completed" });
  });
});

describe("listing a repository's comments", () => {
  it("lists every issue's comments, by id or by time in either direction, since a time", async () => {
    const alice = twin.as("alice");
    alice.createIssue({ title: "one" });
    alice.createIssue({ title: "two" });
    alice.comment(1, "first");
    twin.advance(60_000);
    const cut = twin.timestamp();
    alice.comment(2, "second");
    twin.advance(60_000);
    alice.comment(1, "third");
    const byId = await octokit.rest.issues.listCommentsForRepo({ ...repo });
    expect(byId.data.map((c) => c.body)).toEqual(["first", "second", "third"]);
    expect(byId.data.map((c) => c.issue_url.split("/").pop())).toEqual(["1", "2", "1"]);
    const newest = await octokit.rest.issues.listCommentsForRepo({ ...repo, sort: "created" });
    expect(newest.data.map((c) => c.body)).toEqual(["third", "second", "first"]);
    const since = await octokit.rest.issues.listCommentsForRepo({ ...repo, since: cut, sort: "created", direction: "asc", per_page: 100, page: 1 });
    expect(since.data.map((c) => c.body)).toEqual(["second", "third"]);
    expect(twin.contractFailures).toEqual([]);
  });
});

describe("pagination", () => {
  it("answers per_page/page with GitHub's Link header, and octokit.paginate follows it", async () => {
    for (let i = 1; i <= 5; i++) twin.as("alice").createIssue({ title: `issue ${i}` });
    const id = twin.repo().id;
    const first = await octokit.rest.issues.listForRepo({ ...repo, state: "all", per_page: 2 });
    expect(first.data.map((i) => i.number)).toEqual([5, 4]);
    expect(first.headers.link).toBe(
      `<https://api.github.com/repositories/${id}/issues?state=all&per_page=2&page=2>; rel="next", ` +
        `<https://api.github.com/repositories/${id}/issues?state=all&per_page=2&page=3>; rel="last"`,
    );
    const second = await octokit.rest.issues.listForRepo({ ...repo, state: "all", per_page: 2, page: 2 });
    expect(second.headers.link).toBe(
      `<https://api.github.com/repositories/${id}/issues?state=all&per_page=2&page=1>; rel="prev", ` +
        `<https://api.github.com/repositories/${id}/issues?state=all&per_page=2&page=3>; rel="next", ` +
        `<https://api.github.com/repositories/${id}/issues?state=all&per_page=2&page=3>; rel="last", ` +
        `<https://api.github.com/repositories/${id}/issues?state=all&per_page=2&page=1>; rel="first"`,
    );
    const last = await octokit.rest.issues.listForRepo({ ...repo, state: "all", per_page: 2, page: 3 });
    expect(last.data.map((i) => i.number)).toEqual([1]);
    expect(last.headers.link).not.toContain('rel="next"');

    const everything = await octokit.paginate(octokit.rest.issues.listForRepo, { ...repo, state: "all", per_page: 2 });
    expect(everything.map((i) => i.number)).toEqual([5, 4, 3, 2, 1]);
    expect(twin.requests({ route: "/repos/{owner}/{repo}/issues", method: "GET" }).length).toBe(6);
    expect(twin.contractFailures).toEqual([]);
  });

  it("caps per_page at 100 and sends no Link header for a single page", async () => {
    for (let i = 0; i < 3; i++) twin.as("alice").createIssue({ title: `i${i}` });
    const res = twin.handle({ method: "GET", path: "/repos/acme/rocket/issues?per_page=500" });
    // per_page is documented as an integer without a maximum in the description, so 500 passes the contract
    expect(res.status).toBe(200);
    expect((res.body as unknown[]).length).toBe(3);
    expect(res.headers.link).toBeUndefined();
  });
});

describe("the contract", () => {
  it("records a request GitHub would reject, and answers 422 without changing anything", async () => {
    const res = twin.handle({ method: "POST", path: "/repos/acme/rocket/issues", body: { body: "no title" }, headers: { authorization: `token ${twin.installationToken()}` } });
    expect(res.status).toBe(422);
    expect(twin.contractFailures).toHaveLength(1);
    expect(twin.contractFailures[0]!.problems.join("\n")).toContain("title");
    expect(twin.issuesOf()).toHaveLength(0);
  });

  it("answers 404 for a route GitHub does not have (e.g. the child's number in the path)", async () => {
    const res = await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issue", { ...repo, issue_number: 1, sub_issue_id: 2 }).catch((e: unknown) => e);
    expect((res as { status: number }).status).toBe(404);
    expect(twin.contractFailures.map((f) => f.path)).toEqual(["/repos/acme/rocket/issues/1/sub_issue"]);
  });

  it("flags a wrong type in the body", async () => {
    const parent = twin.as("alice").createIssue({ title: "p" });
    const res = twin.handle({
      method: "POST",
      path: `/repos/acme/rocket/issues/${parent.number}/sub_issues`,
      body: JSON.stringify({ sub_issue_id: "4000000001" }),
      headers: { authorization: `token ${twin.installationToken()}`, "content-type": "application/json" },
    });
    expect(res.status).toBe(422);
    expect(twin.contractFailures).toHaveLength(1);
  });

  it("every response the twin sends matches GitHub's documented response schema", async () => {
    stop();
    twin = contractTwin({ checkResponses: true });
    twin.addRepo({ owner: "acme", name: "rocket", ownerType: "Organization", collaborators: { alice: "admin" } });
    stop = serveWithNock(twin);
    octokit = botOctokit(twin);
    const alice = userOctokit(twin, "alice");
    const { data: tracking } = await alice.rest.issues.create({ ...repo, title: "Tracking", body: "/mission build", labels: ["mission"] });
    const { data: comment } = await alice.rest.issues.createComment({ ...repo, issue_number: tracking.number, body: "/mission go" });
    await alice.rest.issues.updateComment({ ...repo, comment_id: comment.id, body: "/mission go!" });
    await octokit.rest.reactions.createForIssueComment({ ...repo, comment_id: comment.id, content: "eyes" });
    await octokit.rest.issues.createLabel({ ...repo, name: "mission:m-1", color: "5319e7" });
    await octokit.rest.issues.getLabel({ ...repo, name: "mission:m-1" });
    await octokit.rest.issues.addLabels({ ...repo, issue_number: tracking.number, labels: ["mission:m-1", "new-one"] });
    const { data: child } = await octokit.rest.issues.create({ ...repo, title: "F", labels: ["mission:m-1"] });
    await octokit.rest.issues.addSubIssue({ ...repo, issue_number: tracking.number, sub_issue_id: child.id });
    await octokit.rest.issues.addBlockedByDependency({ ...repo, issue_number: tracking.number, issue_id: child.id });
    await octokit.rest.issues.update({ ...repo, issue_number: child.number, state: "closed" });
    await writeFile(octokit, repo, { path: "todo/missions/m-1/mission.md", text: "---\nid: m-1\n---\n", message: "m" });
    const sha = twin.readFile("todo/missions/m-1/mission.md")!.sha;
    await writeFile(octokit, repo, { path: "todo/missions/m-1/mission.md", text: "---\nid: m-1\n---\nmore\n", message: "m", sha });
    await octokit.rest.repos.getContent({ ...repo, path: "todo/missions/m-1/mission.md" });
    await octokit.rest.repos.getContent({ ...repo, path: "todo/missions" });
    await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: "alice" });
    await octokit.rest.repos.get({ ...repo });
    await octokit.rest.issues.get({ ...repo, issue_number: tracking.number });
    await octokit.rest.issues.listComments({ ...repo, issue_number: tracking.number });
    await octokit.rest.issues.listCommentsForRepo({ ...repo, sort: "created", direction: "asc" });
    await octokit.rest.issues.listLabelsForRepo({ ...repo });
    await octokit.rest.issues.listLabelsOnIssue({ ...repo, issue_number: tracking.number });
    await octokit.rest.issues.listSubIssues({ ...repo, issue_number: tracking.number });
    await octokit.rest.issues.getParent({ ...repo, issue_number: child.number });
    await octokit.rest.issues.listDependenciesBlockedBy({ ...repo, issue_number: tracking.number });
    await octokit.rest.issues.listDependenciesBlocking({ ...repo, issue_number: child.number });
    await octokit.rest.issues.listForRepo({ ...repo, state: "all" });
    await octokit.rest.issues.removeLabel({ ...repo, issue_number: tracking.number, name: "new-one" });
    await octokit.rest.issues.removeSubIssue({ ...repo, issue_number: tracking.number, sub_issue_id: child.id });
    await octokit.rest.issues.removeDependencyBlockedBy({ ...repo, issue_number: tracking.number, issue_id: child.id });
    await octokit.rest.rateLimit.get();
    // error answers too
    await statusOf(octokit.rest.issues.createLabel({ ...repo, name: "mission" }));
    await statusOf(octokit.rest.issues.get({ ...repo, issue_number: 999 }));

    expect(twin.log.length).toBeGreaterThan(30);
    expect(twin.responseFailures).toEqual([]);
    expect(twin.contractFailures).toEqual([]);
  });

  it("the response check catches a wrong shape", () => {
    const strict = contractTwin({ checkResponses: true });
    strict.addRepo({ owner: "acme", name: "rocket" });
    strict.as("acme").createIssue({ title: "t" });
    strict.issue(1).title = 42 as unknown as string; // corrupt the state: title must be a string
    strict.handle({ method: "GET", path: "/repos/acme/rocket/issues/1", headers: { authorization: `token ${strict.installationToken()}` } });
    expect(strict.responseFailures.join("\n")).toContain("title");
  });
});

describe("faults", () => {
  it("a lost response: the write happens, the client sees 502", async () => {
    const fault = twin.fault({ kind: "lost-response", method: "POST", route: "/repos/{owner}/{repo}/issues" });
    const err = await octokit.rest.issues.create({ ...repo, title: "created anyway" }).catch((e: unknown) => e);
    expect((err as { status: number }).status).toBe(502);
    expect(fault.hits).toBe(1);
    expect(twin.issuesOf().map((i) => i.title)).toEqual(["created anyway"]);
    expect(twin.eventsNamed("issues.opened")).toHaveLength(1);
    // one-shot: the next request goes through
    const { status } = await octokit.rest.issues.create({ ...repo, title: "second" });
    expect(status).toBe(201);
  });

  it("a lost response with plugin-retry on duplicates a create (why creates carry markers)", async () => {
    const retrying = botOctokit(twin, 1, { retry: true });
    twin.fault({ kind: "lost-response", method: "POST", route: "/repos/{owner}/{repo}/issues" });
    const { status } = await retrying.rest.issues.create({ ...repo, title: "twice" });
    expect(status).toBe(201);
    expect(twin.issuesOf().map((i) => i.title)).toEqual(["twice", "twice"]);
  });

  it("502/503 N times apply nothing", async () => {
    twin.fault({ kind: "unavailable", route: "/repos/acme/rocket/issues", times: 2 });
    expect(await statusOf(octokit.rest.issues.create({ ...repo, title: "x" }))).toBe(503);
    expect(await statusOf(octokit.rest.issues.create({ ...repo, title: "x" }))).toBe(503);
    expect(twin.issuesOf()).toHaveLength(0);
    expect(await statusOf(octokit.rest.issues.create({ ...repo, title: "x" }))).toBe(200);
    twin.fault({ kind: "bad-gateway", route: /\/issues$/ });
    expect(await statusOf(octokit.rest.issues.listForRepo({ ...repo }))).toBe(502);
  });

  it("secondary rate limit: 403 with retry-after; primary: 403/429 with x-ratelimit-remaining 0 and a reset", async () => {
    twin.fault({ kind: "secondary-rate-limit", route: "/repos/{owner}/{repo}/issues/{issue_number}/comments", seconds: 30 });
    const issue = twin.as("alice").createIssue({ title: "t" });
    const sec = (await octokit.rest.issues.createComment({ ...repo, issue_number: issue.number, body: "hi" }).catch((e: unknown) => e)) as {
      status: number;
      message: string;
      response: { headers: Record<string, string> };
    };
    expect(sec.status).toBe(403);
    expect(sec.message).toMatch(/secondary rate limit/);
    expect(sec.response.headers["retry-after"]).toBe("30");

    twin.fault({ kind: "primary-rate-limit", route: "/repos/{owner}/{repo}/issues", status: 429, seconds: 120 });
    const prim = (await octokit.rest.issues.listForRepo({ ...repo }).catch((e: unknown) => e)) as {
      status: number;
      response: { headers: Record<string, string> };
    };
    expect(prim.status).toBe(429);
    expect(prim.response.headers["x-ratelimit-remaining"]).toBe("0");
    expect(Number(prim.response.headers["x-ratelimit-reset"])).toBe(Math.floor(twin.now() / 1000) + 120);
  });
});

describe("permissions", () => {
  it("maps maintain → write and triage → read, with the real role in role_name", async () => {
    twin.setPermission("mia", "maintain");
    twin.setPermission("tom", "triage");
    twin.setPermission("wes", "write");
    twin.user("rita");
    const get = async (username: string) => (await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username })).data;
    expect(await get("mia")).toMatchObject({ permission: "write", role_name: "maintain" });
    expect(await get("tom")).toMatchObject({ permission: "read", role_name: "triage" });
    expect(await get("alice")).toMatchObject({ permission: "admin", role_name: "admin" });
    expect(await get("rita")).toMatchObject({ permission: "read", role_name: "read" }); // public repo
    expect(await statusOf(get("nobody-at-all"))).toBe(404);
  });

  it("an installation token without contents:write gets 403; an unknown token 401", async () => {
    twin.installations.get(1)!.permissions = { metadata: "read", issues: "write" };
    const res = await octokit.rest.repos
      .createOrUpdateFileContents({ ...repo, path: "x.md", message: "m", content: "eA==" })
      .catch((e: unknown) => e);
    expect((res as { status: number }).status).toBe(403);
    const bad = twin.handle({ method: "GET", path: "/repos/acme/rocket/issues", headers: { authorization: "token ghs_made_up" } });
    expect(bad.status).toBe(401);
  });

  it("a reader's labels on a new issue are silently dropped", async () => {
    twin.setPermission("rita", "read");
    const rita = userOctokit(twin, "rita");
    const { data } = await rita.rest.issues.create({ ...repo, title: "hi", labels: ["mission"] });
    expect(data.labels).toEqual([]);
  });
});

describe("app authentication", () => {
  it("issues installation tokens to a signed app JWT, as Probot asks for them", async () => {
    stop();
    twin = contractTwin({ appPublicKey: testPublicKey() });
    twin.addRepo({ owner: "acme", name: "rocket", installationId: 7 });
    stop = serveWithNock(twin);
    const app = new TestOctokit({ auth: { appId: 1, privateKey: testPrivateKey() } });
    const { data: inst } = await app.rest.apps.getRepoInstallation({ ...repo });
    expect(inst.id).toBe(7);
    expect((await app.rest.apps.getAuthenticated()).data?.slug).toBe("mission-bot");

    const installation = new TestOctokit({ auth: { appId: 1, privateKey: testPrivateKey(), installationId: inst.id } });
    await installation.rest.issues.create({ ...repo, title: "by the app" });
    expect(twin.requests({ route: "/app/installations/{installation_id}/access_tokens" }).map((r) => r.status)).toEqual([201]);
    expect(twin.events.at(-1)).toMatchObject({ sender: "mission-bot[bot]", installationId: 7 });
    expect(twin.issue(1).performed_via).toBe(twin.app);

    // a JWT signed by another key is refused; a JWT cannot call repository routes
    const forged = new TestOctokit({ auth: { appId: 1, privateKey: testPrivateKey("pkcs8") } });
    expect(await statusOf(forged.rest.apps.getRepoInstallation({ ...repo }))).toBe(401);
    const jwtOnRepo = twin.handle({ method: "GET", path: "/repos/acme/rocket/issues", headers: { authorization: `bearer ${fakeJwt()}` } });
    expect(jwtOnRepo.status).toBe(403);
  });

  it("an installation token expires after an hour", async () => {
    expect((await octokit.rest.issues.listForRepo({ ...repo })).status).toBe(200);
    twin.advance(3600_001);
    expect(await statusOf(octokit.rest.issues.listForRepo({ ...repo }))).toBe(401);
  });
});

/** An app JWT signed with the test key. */
function fakeJwt(): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const unsigned = `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iss: 1, iat: 0, exp: 9999999999 })}`;
  return `${unsigned}.${sign("RSA-SHA256", Buffer.from(unsigned), testPrivateKey()).toString("base64url")}`;
}

describe("labels", () => {
  it("create is 201, a duplicate (any case) 422 already_exists; adding unknown labels creates them", async () => {
    const created = await octokit.rest.issues.createLabel({ ...repo, name: "mission", color: "5319e7" });
    expect(created.status).toBe(201);
    const dup = (await octokit.rest.issues.createLabel({ ...repo, name: "Mission" }).catch((e: unknown) => e)) as {
      status: number;
      response: { data: { errors: Array<{ code: string }> } };
    };
    expect(dup.status).toBe(422);
    expect(dup.response.data.errors[0]!.code).toBe("already_exists");

    const issue = twin.as("alice").createIssue({ title: "t" });
    twin.takeEvents();
    const { data } = await octokit.rest.issues.addLabels({ ...repo, issue_number: issue.number, labels: ["MISSION", "brand-new"] });
    expect(data.map((l) => l.name)).toEqual(["mission", "brand-new"]);
    expect(twin.repo().labels.has("brand-new")).toBe(true);
    expect(twin.takeEvents().map((e) => `${e.action}:${e.payload.label.name}`)).toEqual(["labeled:mission", "labeled:brand-new"]);
  });
});

describe("events and senders", () => {
  it("a person acting through the twin is the sender; the bot's token makes mission-bot[bot] the sender", async () => {
    const issue = twin.as("alice").createIssue({ title: "Build a CRM", body: "goal" });
    twin.as("alice").comment(issue.number, "/mission Build a CRM");
    await octokit.rest.issues.createComment({ ...repo, issue_number: issue.number, body: "On it" });
    await octokit.rest.issues.update({ ...repo, issue_number: issue.number, state: "closed", state_reason: "not_planned" });
    twin.as("alice").reopenIssue(issue.number);
    twin.as("alice").editIssue(issue.number, { title: "Build a better CRM" });

    const seen = twin.events.map((e) => `${e.name}.${e.action} by ${e.sender} (${e.payload.sender.type})`);
    expect(seen).toEqual([
      "issues.opened by alice (User)",
      "issue_comment.created by alice (User)",
      "issue_comment.created by mission-bot[bot] (Bot)",
      "issues.closed by mission-bot[bot] (Bot)",
      "issues.reopened by alice (User)",
      "issues.edited by alice (User)",
    ]);
    const [opened, created, botComment, closed, , edited] = twin.events;
    expect(opened!.payload.issue).toMatchObject({ number: issue.number, id: issue.id, title: "Build a CRM", state: "open" });
    expect(opened!.payload.repository).toMatchObject({ full_name: "acme/rocket", owner: { login: "acme", type: "Organization" } });
    expect(opened!.payload.organization).toMatchObject({ login: "acme" });
    expect(created!.payload.comment).toMatchObject({ body: "/mission Build a CRM", user: { login: "alice" }, author_association: "MEMBER" });
    expect(created!.payload.issue.comments).toBe(1);
    expect(botComment!.payload.comment.performed_via_github_app).toMatchObject({ slug: "mission-bot" });
    expect(closed!.payload.issue).toMatchObject({ state: "closed", state_reason: "not_planned" });
    expect(edited!.payload.changes).toEqual({ title: { from: "Build a CRM" } });
  });
});

describe("accounting", () => {
  it("counts requests by route and method, points (GET 1, writes 5), and content creation per minute", async () => {
    const issue = twin.as("alice").createIssue({ title: "t" });
    await octokit.rest.issues.get({ ...repo, issue_number: issue.number });
    await octokit.rest.issues.createComment({ ...repo, issue_number: issue.number, body: "a" });
    await octokit.rest.issues.createComment({ ...repo, issue_number: issue.number, body: "b" });
    await octokit.rest.issues.update({ ...repo, issue_number: issue.number, body: "edited" });
    expect(twin.counters.byMethod).toEqual({ GET: 1, POST: 2, PATCH: 1 });
    expect(twin.counters.byRoute["POST /repos/{owner}/{repo}/issues/{issue_number}/comments"]).toBe(2);
    expect(twin.counters.points).toBe(1 + 5 + 5 + 5);
    expect(twin.counters.content.total).toBe(2); // PATCH creates no content
    expect(twin.contentInWindow()).toBe(2);
    twin.advance(61_000);
    expect(twin.contentInWindow()).toBe(0);
    expect(twin.peakContent()).toBe(2);
  });

  it("sends x-ratelimit headers that count down per token", async () => {
    const a = await octokit.rest.issues.listForRepo({ ...repo });
    const b = await octokit.rest.issues.listForRepo({ ...repo });
    expect(a.headers["x-ratelimit-limit"]).toBe("5000");
    expect(Number(a.headers["x-ratelimit-remaining"]) - Number(b.headers["x-ratelimit-remaining"])).toBe(1);
    expect(b.headers["x-ratelimit-used"]).toBe("2");
  });

  it("enforces 80 content-creating requests per minute when asked", async () => {
    const strict = contractTwin({ enforceContentLimits: true });
    strict.addRepo({ owner: "acme", name: "rocket" });
    const token = strict.installationToken();
    const post = () =>
      strict.handle({ method: "POST", path: "/repos/acme/rocket/issues", body: { title: "x" }, headers: { authorization: `token ${token}` } });
    for (let i = 0; i < 80; i++) expect(post().status).toBe(201);
    const refused = post();
    expect(refused.status).toBe(403);
    expect(refused.headers["retry-after"]).toBe("60");
    strict.advance(60_001);
    expect(post().status).toBe(201);
  });
});
