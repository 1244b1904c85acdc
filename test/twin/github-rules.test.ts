/**
 * GitHub's rules the twin holds the app to, one `describe` per rule, each
 * asserted through the REST API the app uses (ProbotOctokit against the twin,
 * through nock or the twin's HTTP server). Each rule's citation is next to
 * its code in src/twin/.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubTwin } from "../../src/twin/state.js";
import { serveWithNock } from "../support/twin-nock.js";
import { botOctokit, type TwinOctokit } from "../../src/twin/octokit.js";
import { TestOctokit } from "../support/github-nock.js";
import { testPrivateKey, testPublicKey } from "../support/keys.js";
import { contractTwin } from "../support/twin.js";
import { startTwinServer } from "../../src/twin/server.js";

const repo = { owner: "acme", repo: "rocket" };

let twin: GitHubTwin;
let stop: () => void;
let octokit: TwinOctokit;

function setUp(options: Parameters<typeof contractTwin>[0] = {}, files: Record<string, string> = {}): void {
  stop?.();
  twin = contractTwin({ checkResponses: true, appPublicKey: testPublicKey(), ...options });
  twin.addRepo({ owner: "acme", name: "rocket", ownerType: "Organization", collaborators: { alice: "admin", rita: "read" }, files });
  stop = serveWithNock(twin);
  octokit = botOctokit(twin);
}

beforeEach(() => setUp());

afterEach(() => {
  stop();
});

function clean(): void {
  expect(twin.contractFailures).toEqual([]);
  expect(twin.responseFailures).toEqual([]);
}

interface Refusal {
  status: number;
  message: string;
  data: { message?: string; errors?: unknown[] } | undefined;
  headers: Record<string, string>;
}

async function refusal(p: Promise<unknown>): Promise<Refusal> {
  try {
    await p;
  } catch (e) {
    const err = e as { status: number; message: string; response?: { data?: Refusal["data"]; headers?: Record<string, string> } };
    return { status: err.status, message: err.message, data: err.response?.data, headers: err.response?.headers ?? {} };
  }
  throw new Error("expected GitHub to refuse the request");
}

// ---------------------------------------------------------------------------

describe("1. installation token permissions", () => {
  beforeEach(() => {
    setUp({ app: { permissions: { metadata: "read", issues: "write", contents: "read" } } });
    twin.addRepo({ owner: "acme", name: "other", ownerType: "Organization", installationId: false });
  });

  it("mints a token with less than the installation holds, and refuses more, other permissions, unknown names and other repositories", async () => {
    const app = new TestOctokit({ auth: { appId: 1, privateKey: testPrivateKey() } });
    const ok = await app.rest.apps.createInstallationAccessToken({ installation_id: 1, permissions: { issues: "read" }, repositories: ["rocket"] });
    expect(ok.status).toBe(201);
    expect(ok.data.permissions).toEqual({ issues: "read", metadata: "read" });
    expect(ok.data.repositories?.map((r) => r.full_name)).toEqual(["acme/rocket"]);

    // a higher level than granted, a permission not granted, a name GitHub does not know (create-github-app-token#245)
    for (const permissions of [{ contents: "write" }, { actions: "write" }, { "pull-requests": "write" }] as const) {
      const r = await refusal(app.rest.apps.createInstallationAccessToken({ installation_id: 1, permissions: permissions as never }));
      expect(r.status).toBe(422);
      expect(r.data?.message).toBe("The permissions requested are not granted to this installation.");
    }
    // a repository the installation does not cover, by name or id
    const other = twin.repo("acme/other");
    for (const body of [{ repositories: ["other"] }, { repository_ids: [other.id] }]) {
      const r = await refusal(app.rest.apps.createInstallationAccessToken({ installation_id: 1, ...body }));
      expect(r.status).toBe(422);
      expect(r.data?.message).toBe("There is at least one repository that does not exist or is not accessible to the parent installation.");
    }

    // the narrowed token is narrowed: it reads issues but cannot create one
    const narrow = new TestOctokit({ auth: { token: ok.data.token } });
    expect((await narrow.rest.issues.listForRepo({ ...repo })).status).toBe(200);
    expect((await refusal(narrow.rest.issues.create({ ...repo, title: "x" }))).status).toBe(403);
    clean();
  });

  it("by default the twin's app holds what app.yml (the manifest) asks for, and subscribes to its events", () => {
    const manifest = parseYaml(readFileSync(new URL("../../app.yml", import.meta.url), "utf8")) as { default_permissions: Record<string, string>; default_events: string[] };
    const plain = contractTwin();
    expect(plain.app.permissions).toEqual(manifest.default_permissions);
    expect(plain.app.events).toEqual(manifest.default_events);
  });

  it("the twin's own helper refuses the same (as actions/create-github-app-token's permission-* inputs would)", () => {
    expect(() => twin.installationToken(1, { permissions: { actions: "write" } })).toThrow(/422 The permissions requested are not granted/);
    expect(() => twin.installationToken(1, { permissions: { issues: "write" } })).not.toThrow();
  });
});

// ---------------------------------------------------------------------------

describe("2. body sizes: 65,536 characters", () => {
  const tooLong = "x".repeat(65_537);
  const justRight = "x".repeat(65_536);
  // 65,536 emoji are 65,536 characters for GitHub, 131,072 UTF-16 units for JavaScript
  const emoji = "😀".repeat(65_536);

  it("an issue body over the limit is refused on create and on update; the limit counts characters", async () => {
    const r = await refusal(octokit.rest.issues.create({ ...repo, title: "t", body: tooLong }));
    expect(r.status).toBe(422);
    expect(r.data?.errors).toEqual([{ resource: "Issue", code: "custom", field: "body", message: "body is too long (maximum is 65536 characters)" }]);
    expect(twin.issuesOf()).toEqual([]);

    const { data: issue } = await octokit.rest.issues.create({ ...repo, title: "t", body: justRight });
    expect((await octokit.rest.issues.create({ ...repo, title: "emoji", body: emoji })).status).toBe(201);
    const u = await refusal(octokit.rest.issues.update({ ...repo, issue_number: issue.number, body: tooLong }));
    expect(u.status).toBe(422);
    expect(twin.issue(issue.number).body).toBe(justRight);
    clean();
  });

  it("a comment over the limit is refused on create and on edit", async () => {
    const issue = twin.as("alice").createIssue({ title: "t" });
    const r = await refusal(octokit.rest.issues.createComment({ ...repo, issue_number: issue.number, body: tooLong }));
    expect(r.status).toBe(422);
    expect(r.data?.errors).toEqual([{ resource: "IssueComment", code: "unprocessable", field: "data", message: "Body is too long (maximum is 65536 characters)" }]);
    const { data: comment } = await octokit.rest.issues.createComment({ ...repo, issue_number: issue.number, body: emoji });
    const e = await refusal(octokit.rest.issues.updateComment({ ...repo, comment_id: comment.id, body: `${emoji}x` }));
    expect(e.status).toBe(422);
    expect(twin.comments.get(comment.id)!.body).toBe(emoji);
    clean();
  });
});

// ---------------------------------------------------------------------------

describe("3. label names ≤ 50 characters, descriptions ≤ 100", () => {
  const long = "l".repeat(51);

  it("refuses a label too long, whether created outright or with an issue, or added to one", async () => {
    const created = await refusal(octokit.rest.issues.createLabel({ ...repo, name: long }));
    expect(created.status).toBe(422);
    expect(created.data?.errors).toEqual([{ resource: "Label", code: "custom", field: "name", message: "name is too long (maximum is 50 characters)" }]);
    const described = await refusal(octokit.rest.issues.createLabel({ ...repo, name: "ok", description: "d".repeat(101) }));
    expect(described.status).toBe(422);
    expect((await octokit.rest.issues.createLabel({ ...repo, name: "l".repeat(50), description: "d".repeat(100) })).status).toBe(201);

    // implicitly, with a new issue: nothing is created
    const withIssue = await refusal(octokit.rest.issues.create({ ...repo, title: "t", labels: ["mission", long] }));
    expect(withIssue.status).toBe(422);
    expect(withIssue.data?.errors).toEqual([{ value: long, resource: "Label", field: "name", code: "invalid" }]);
    expect(twin.issuesOf()).toEqual([]);
    expect(twin.repo().labels.has("mission")).toBe(false);

    // implicitly, added to an issue, or set on it
    const issue = twin.as("alice").createIssue({ title: "t" });
    expect((await refusal(octokit.rest.issues.addLabels({ ...repo, issue_number: issue.number, labels: [long] }))).status).toBe(422);
    expect((await refusal(octokit.rest.issues.setLabels({ ...repo, issue_number: issue.number, labels: [long] }))).status).toBe(422);
    expect((await refusal(octokit.rest.issues.update({ ...repo, issue_number: issue.number, labels: [long] }))).status).toBe(422);
    expect(twin.issue(issue.number).labels).toEqual([]);
    clean();
  });
});

// ---------------------------------------------------------------------------

describe("4. an issue created with labels sends opened, then labeled per label", () => {
  it("records issues.opened and one issues.labeled per label, in order", async () => {
    twin.takeEvents();
    const { data } = await octokit.rest.issues.create({ ...repo, title: "Feature 1.1", labels: ["mission:m-1", "feature"] });
    const events = twin.takeEvents();
    expect(events.map((e) => `${e.name}.${e.action}:${e.payload.label?.name ?? ""}`)).toEqual(["issues.opened:", "issues.labeled:mission:m-1", "issues.labeled:feature"]);
    for (const e of events) {
      expect(e.payload.issue.number).toBe(data.number);
      expect(e.payload.sender.login).toBe("mission-bot[bot]");
    }
    clean();
  });
});

// ---------------------------------------------------------------------------

describe("5. sub-issue adds to one parent that overlap", () => {
  const route = "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues";

  it("the add that lands second answers 422 Priority has already been taken (through nock, held)", async () => {
    const parent = twin.as("alice").createIssue({ title: "Milestone" });
    const [a, b, c] = [1, 2, 3].map((i) => twin.as("alice").createIssue({ title: `Feature ${i}` }));
    const h = twin.hold({ method: "POST", route });
    const first = refusal(octokit.rest.issues.addSubIssue({ ...repo, issue_number: parent.number, sub_issue_id: a!.id }));
    await h.arrived;
    expect((await octokit.rest.issues.addSubIssue({ ...repo, issue_number: parent.number, sub_issue_id: b!.id })).status).toBe(201);
    h.release();
    const r = await first;
    expect(r.status).toBe(422);
    expect(r.data?.message).toBe("An error occurred while adding the sub-issue to the parent issue. Priority has already been taken");
    // one after the other, they all land
    expect((await octokit.rest.issues.addSubIssue({ ...repo, issue_number: parent.number, sub_issue_id: a!.id })).status).toBe(201);
    expect((await octokit.rest.issues.addSubIssue({ ...repo, issue_number: parent.number, sub_issue_id: c!.id })).status).toBe(201);
    expect(twin.issue(parent.number).sub_issues).toEqual([b!.id, a!.id, c!.id]);
    clean();
  });

  it("over the HTTP server too, and adds to different parents do not conflict", async () => {
    stop();
    stop = () => {};
    const server = await startTwinServer(twin);
    try {
      const http = botOctokit(twin, 1, { baseUrl: server.apiUrl });
      const [p1, p2, a, b, c] = ["M1", "M2", "F1", "F2", "F3"].map((t) => twin.as("alice").createIssue({ title: t }));
      const h = twin.hold({ method: "POST", route, times: 2 });
      const first = refusal(http.rest.issues.addSubIssue({ ...repo, issue_number: p1!.number, sub_issue_id: a!.id }));
      const other = http.rest.issues.addSubIssue({ ...repo, issue_number: p2!.number, sub_issue_id: c!.id });
      await h.arrived;
      while (h.held < 2) await new Promise((r) => setImmediate(r));
      expect((await http.rest.issues.addSubIssue({ ...repo, issue_number: p1!.number, sub_issue_id: b!.id })).status).toBe(201);
      h.release();
      expect((await first).status).toBe(422);
      expect((await other).status).toBe(201);
      clean();
    } finally {
      await server.close();
    }
  });
});

// ---------------------------------------------------------------------------

describe("6. dependencies are between issues only", () => {
  it("a pull request as the blocker is 422 Target issue may only be an issue; as the blocked issue, Source issue", async () => {
    const issue = twin.as("alice").createIssue({ title: "Feature" });
    const pr = twin.as("alice").openPullRequest({ title: "Implements something" });
    const target = await refusal(octokit.rest.issues.addBlockedByDependency({ ...repo, issue_number: issue.number, issue_id: pr.id }));
    expect(target.status).toBe(422);
    expect(JSON.stringify(target.data)).toContain("Target issue may only be an issue");
    const source = await refusal(octokit.rest.issues.addBlockedByDependency({ ...repo, issue_number: pr.number, issue_id: issue.id }));
    expect(source.status).toBe(422);
    expect(JSON.stringify(source.data)).toContain("Source issue may only be an issue");
    expect(twin.issue(issue.number).blocked_by).toEqual([]);
    // and the same for sub-issues
    const sub = await refusal(octokit.rest.issues.addSubIssue({ ...repo, issue_number: issue.number, sub_issue_id: pr.id }));
    expect(sub.data?.message).toMatch(/Sub issue may only be an issue$/);
    clean();
  });
});
