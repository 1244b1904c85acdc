/**
 * GitHub's rate limits and conditional requests, as the twin enforces them
 * (src/twin/limits.ts), and how comments are listed.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubTwin } from "../../src/twin/state.js";
import { serveWithNock } from "../support/twin-nock.js";
import { botOctokit, type TwinOctokit } from "../../src/twin/octokit.js";
import { contractTwin } from "../support/twin.js";
import { TEST_EPOCH } from "../support/clock.js";

const repo = { owner: "acme", repo: "rocket" };

let twin: GitHubTwin;
let stop: () => void;
let octokit: TwinOctokit;

/** Every test here runs on a clock that moves only when the test moves it. */
function setUp(options: Parameters<typeof contractTwin>[0] = {}): void {
  stop?.();
  twin = contractTwin({ checkResponses: true, now: () => TEST_EPOCH, ...options });
  twin.addRepo({ owner: "acme", name: "rocket", ownerType: "Organization", collaborators: { alice: "admin" } });
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

/** A raw request with a token, as fast as the twin answers (no HTTP). */
function call(token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return twin.handle({ method, path, body, headers: { authorization: `token ${token}`, ...headers } });
}

// ---------------------------------------------------------------------------

describe("14. GITHUB_TOKEN's primary limit: 1,000 requests per hour per repository", () => {
  it("is shared by every GITHUB_TOKEN of the repository, and refuses the 1,001st", () => {
    const [a, b] = [twin.actionsToken("acme/rocket", { permissions: { issues: "read" } }), twin.actionsToken("acme/rocket", { permissions: { issues: "write" } })];
    // 250 a minute (the endpoint's secondary limit is 900 points a minute)
    for (let i = 0; i < 1000; i++) {
      expect(call(i % 2 ? a : b, "GET", "/repos/acme/rocket/issues").status).toBe(200);
      if (i % 250 === 249) twin.advance(60_000);
    }
    const refused = call(a, "GET", "/repos/acme/rocket/issues");
    expect(refused.status).toBe(403);
    expect(refused.headers).toMatchObject({ "x-ratelimit-limit": "1000", "x-ratelimit-remaining": "0" });
    expect((refused.body as { message: string }).message).toMatch(/^API rate limit exceeded for repository ID \d+\.$/);
    // an installation token has its own 5,000
    const app = twin.installationToken();
    expect(call(app, "GET", "/repos/acme/rocket/issues").headers["x-ratelimit-limit"]).toBe("5000");
    // the hour ends
    twin.advance(3600_000 - 4 * 60_000);
    expect(call(a, "GET", "/repos/acme/rocket/issues").status).toBe(200);
  });

  it("is 15,000 on Enterprise Cloud", () => {
    setUp({ server: "ghec" });
    expect(call(twin.actionsToken(undefined, { permissions: { issues: "read" } }), "GET", "/repos/acme/rocket/issues").headers["x-ratelimit-limit"]).toBe("15000");
  });
});

// ---------------------------------------------------------------------------

describe("15. secondary rate limits, enforced by default", () => {
  it("80 content-creating requests a minute: the 81st is 403 with retry-after; the counters show it", async () => {
    const token = twin.installationToken();
    for (let i = 0; i < 80; i++) expect(call(token, "POST", "/repos/acme/rocket/issues", { title: `#${i}` }).status).toBe(201);
    const r = await octokit.rest.issues.create({ ...repo, title: "one too many" }).catch((e: unknown) => e as { status: number; message: string; response: { headers: Record<string, string> } });
    expect("status" in r && r.status).toBe(403);
    expect((r as { message: string }).message).toMatch(/You have exceeded a secondary rate limit/);
    expect((r as { response: { headers: Record<string, string> } }).response.headers["retry-after"]).toBe("60");
    expect(twin.issuesOf()).toHaveLength(80);
    expect(twin.limits.secondary.get("installation:1")!.content).toHaveLength(80);
    expect(twin.contentInWindow()).toBe(80);
    // labels are not content-creating (no such note in their description): still allowed
    expect(call(token, "POST", "/repos/acme/rocket/labels", { name: "ok" }).status).toBe(201);
    twin.advance(60_000);
    expect(call(token, "POST", "/repos/acme/rocket/issues", { title: "later" }).status).toBe(201);
    clean();
  });

  it("500 content-creating requests an hour", () => {
    const token = twin.installationToken();
    const issue = twin.as("alice").createIssue({ title: "t" });
    for (let minute = 0; minute < 7; minute++) {
      for (let i = 0; i < 80 && minute * 80 + i < 500; i++) expect(call(token, "POST", `/repos/acme/rocket/issues/${issue.number}/comments`, { body: "c" }).status).toBe(201);
      twin.advance(60_000);
    }
    expect(call(token, "POST", `/repos/acme/rocket/issues/${issue.number}/comments`, { body: "c" }).status).toBe(403);
    twin.advance(3600_000);
    expect(call(twin.installationToken(), "POST", `/repos/acme/rocket/issues/${issue.number}/comments`, { body: "c" }).status).toBe(201);
  });

  it("900 points per endpoint per minute (writes 5, reads 1); other endpoints keep their own", () => {
    const token = twin.installationToken();
    const issue = twin.as("alice").createIssue({ title: "t" });
    for (let i = 0; i < 180; i++) expect(call(token, "PATCH", `/repos/acme/rocket/issues/${issue.number}`, { body: `v${i}` }).status).toBe(200);
    expect(call(token, "PATCH", `/repos/acme/rocket/issues/${issue.number}`, { body: "one more" }).status).toBe(403);
    expect(call(token, "GET", `/repos/acme/rocket/issues/${issue.number}`).status).toBe(200);
    expect([...twin.limits.secondary.get("installation:1")!.points.keys()]).toEqual(["PATCH /repos/{owner}/{repo}/issues/{issue_number}", "GET /repos/{owner}/{repo}/issues/{issue_number}"]);
    twin.advance(60_000);
    expect(call(token, "PATCH", `/repos/acme/rocket/issues/${issue.number}`, { body: "again" }).status).toBe(200);
  });

  it("100 concurrent requests: the 101st in flight is refused", () => {
    const token = twin.installationToken();
    const req = () => ({ method: "GET", path: "/repos/acme/rocket/issues", headers: { authorization: `token ${token}` } });
    const held = Array.from({ length: 100 }, () => {
      const r = req();
      return { r, ticket: twin.admit(r).ticket };
    });
    expect(twin.handle(req()).status).toBe(403);
    for (const h of held.slice(1)) twin.handle(h.r, h.ticket);
    expect(twin.handle(held[0]!.r, held[0]!.ticket).status).toBe(200);
    expect(twin.inflight.size).toBe(0);
  });

  it("a request a transport admitted and a wrapper hands on without its ticket is still one request in flight", () => {
    const token = twin.installationToken();
    const wrapped = (r: Parameters<GitHubTwin["handle"]>[0]) => twin.handle(r); // drops the ticket
    for (let i = 0; i < 150; i++) {
      const req = { method: "GET", path: "/repos/acme/rocket/issues", headers: { authorization: `token ${token}` } };
      twin.admit(req);
      expect(wrapped(req).status).toBe(200);
    }
    expect(twin.inflight.size).toBe(0);
  });

  it("a twin told so counts but does not refuse (rateLimits: false)", () => {
    setUp({ rateLimits: false });
    const token = twin.installationToken();
    for (let i = 0; i < 85; i++) expect(call(token, "POST", "/repos/acme/rocket/issues", { title: `#${i}` }).status).toBe(201);
    expect(twin.limits.secondary.get("installation:1")!.content).toHaveLength(85);
  });
});

// ---------------------------------------------------------------------------

describe("16. conditional requests", () => {
  it("a matching If-None-Match answers 304 with no body, and does not count against the primary limit; the ETag changes when the issue does", async () => {
    const issue = twin.as("alice").createIssue({ title: "t" });
    const first = await octokit.rest.issues.get({ ...repo, issue_number: issue.number });
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^W\/"[0-9a-f]{64}"$/);
    expect(first.headers["last-modified"]).toBe(new Date(issue.updated_at).toUTCString());
    const used = Number(first.headers["x-ratelimit-used"]);

    const again = await octokit.rest.issues.get({ ...repo, issue_number: issue.number });
    expect(again.headers.etag).toBe(etag);
    const notModified = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { ...repo, issue_number: issue.number, headers: { "if-none-match": etag } }).catch((e: unknown) => e as { status: number; response: { data: unknown; headers: Record<string, string> } });
    expect((notModified as { status: number }).status).toBe(304);
    expect((notModified as { response: { data: unknown } }).response.data).toBeFalsy();
    expect(Number((notModified as { response: { headers: Record<string, string> } }).response.headers["x-ratelimit-used"])).toBe(used + 1);
    expect(twin.limits.primary.get("installation:1")!.used).toBe(used + 1);
    expect(twin.counters.notModified).toBe(1);

    twin.advance(1000);
    twin.as("alice").comment(issue.number, "changes the issue");
    const changed = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { ...repo, issue_number: issue.number, headers: { "if-none-match": etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);

    // If-Modified-Since, where GitHub sends Last-Modified
    const since = changed.headers["last-modified"]!;
    const ims = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { ...repo, issue_number: issue.number, headers: { "if-modified-since": since } }).catch((e: unknown) => e as { status: number });
    expect((ims as { status: number }).status).toBe(304);
    clean();
  });

  it("a file's ETag stays while other files change, and lists carry ETags too", async () => {
    twin.writeFile("a.md", "a\n");
    const a1 = await octokit.rest.repos.getContent({ ...repo, path: "a.md" });
    twin.advance(1000);
    twin.writeFile("b.md", "b\n");
    const a2 = await octokit.rest.repos.getContent({ ...repo, path: "a.md" });
    expect(a2.headers.etag).toBe(a1.headers.etag);
    expect(a2.headers["last-modified"]).toBe(a1.headers["last-modified"]);
    const list = await octokit.rest.issues.listForRepo({ ...repo });
    expect(list.headers.etag).toMatch(/^W\//);
    const token = twin.installationToken();
    const mine = call(token, "GET", "/repos/acme/rocket/issues");
    const r = call(token, "GET", "/repos/acme/rocket/issues", undefined, { "if-none-match": `"other", ${mine.headers.etag}` });
    expect([r.status, r.body]).toEqual([304, undefined]);
  });

  it("an ETag is the token's own: another token's never matches, If-Modified-Since still does (GitHub Support, eclipse-csi/otterdog#201)", async () => {
    const issue = twin.as("alice").createIssue({ title: "one" });
    const first = await octokit.rest.issues.get({ ...repo, issue_number: issue.number });
    const other = twin.actionsToken("acme/rocket", { permissions: { issues: "read" } });
    const path = `/repos/acme/rocket/issues/${issue.number}`;
    expect(call(other, "GET", path, undefined, { "if-none-match": first.headers.etag! }).status).toBe(200);
    expect(call(other, "GET", path, undefined, { "if-modified-since": first.headers["last-modified"]! }).status).toBe(304);
  });

  it("a list of issues by label, most recently changed first, answers 304 until any issue on it changes (the idle pulse's one read)", async () => {
    const a = twin.as("alice").createIssue({ title: "a", labels: ["mission:m-1"] });
    twin.as("alice").createIssue({ title: "b", labels: ["mission:m-1"] });
    twin.as("alice").createIssue({ title: "elsewhere", labels: ["bug"] });
    const query = { ...repo, labels: "mission:m-1", state: "all" as const, sort: "updated" as const, direction: "desc" as const, per_page: 100 };
    const first = await octokit.rest.issues.listForRepo(query);
    const etag = first.headers.etag!;
    const ask = () => octokit.rest.issues.listForRepo({ ...query, headers: { "if-none-match": etag } }).then((r) => r.status as number, (e: { status: number }) => e.status);
    expect(await ask()).toBe(304);
    // an issue that is not on the list changes nothing of it
    twin.advance(1000);
    twin.as("alice").comment(3, "not on the list");
    expect(await ask()).toBe(304);
    // a comment on a listed issue: its updated_at and comment count change, so does the list
    twin.as("alice").comment(a.number, "on the list");
    expect(await ask()).toBe(200);
    clean();
  });
});

// ---------------------------------------------------------------------------

describe("17. listing comments", () => {
  it("at most 100 a page; since keeps what was updated at or after it (any ISO 8601 form); ordered by id", async () => {
    const issue = twin.as("alice").createIssue({ title: "t" });
    const ids: number[] = [];
    for (let i = 0; i < 120; i++) ids.push(twin.as("alice").comment(issue.number, `c${i}`).id);
    const page = await octokit.rest.issues.listComments({ ...repo, issue_number: issue.number, per_page: 500 as never });
    expect(page.data).toHaveLength(100);
    expect(page.data.map((c) => c.id)).toEqual(ids.slice(0, 100));

    twin.advance(10 * 60_000);
    const mark = twin.now();
    twin.advance(1000);
    twin.as("alice").editComment(ids[3]!, "edited later");
    const late = twin.as("alice").comment(issue.number, "new");
    // the same instant, written with an offset
    const offset = new Date(mark + 3600_000).toISOString().replace("Z", "+01:00").replace(/\.\d{3}/, "");
    for (const since of [new Date(mark).toISOString(), offset]) {
      const { data } = await octokit.rest.issues.listComments({ ...repo, issue_number: issue.number, since });
      expect(data.map((c) => c.id)).toEqual([ids[3], late.id]);
      const repoWide = await octokit.rest.issues.listCommentsForRepo({ ...repo, since, sort: "updated", direction: "asc" });
      expect(repoWide.data.map((c) => c.id)).toEqual([ids[3], late.id]);
    }
    const newest = await octokit.rest.issues.listCommentsForRepo({ ...repo, sort: "created", direction: "desc", per_page: 2 });
    expect(newest.data.map((c) => c.id)).toEqual([late.id, ids[119]]);
    clean();
  });
});

