/**
 * The twin over real HTTP, and webhook deliveries over real HTTP: Octokit
 * and Probot talk to it through sockets only, as the app does when started
 * the way a user starts it.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, type Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TestOctokit, testProbot } from "../support/github-nock.js";
import { startTwinServer, type TwinServer } from "../../src/twin/server.js";
import type { GitHubTwin } from "../../src/twin/state.js";
import { prng, signatureSha256, WebhookSender } from "../../src/twin/webhook-sender.js";
import { contractTwin } from "../support/twin.js";

const repo = { owner: "acme", repo: "rocket" };
const SECRET = "twin-webhook-secret";

let twin: GitHubTwin;
let server: TwinServer;

beforeEach(async () => {
  twin = contractTwin({ checkResponses: true });
  twin.addRepo({
    owner: "acme",
    name: "rocket",
    ownerType: "Organization",
    collaborators: { alice: "admin" },
    files: { ".github/workflows/worker.yml": "name: worker\non:\n  workflow_dispatch:\n    inputs:\n      nonce: { required: true }\njobs: { w: { runs-on: ubuntu-latest, steps: [] } }\n" },
  });
  server = await startTwinServer(twin);
});

afterEach(async () => {
  await server.close();
});

function octokitFor(baseUrl: string) {
  return new TestOctokit({ auth: { token: twin.installationToken(1) }, baseUrl });
}

describe("the HTTP server", () => {
  it("serves Octokit at apiUrl (GHE-style /api/v3), with Link headers back to itself", async () => {
    expect(server.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v3$/);
    const octokit = octokitFor(server.apiUrl);
    for (let i = 1; i <= 5; i++) await octokit.rest.issues.create({ ...repo, title: `Issue ${i}` });
    const first = await octokit.rest.issues.listForRepo({ ...repo, per_page: 2 });
    expect(first.headers.link).toContain(`<${server.apiUrl}/repositories/`);
    const all = await octokit.paginate(octokit.rest.issues.listForRepo, { ...repo, per_page: 2 });
    expect(all.map((i) => i.number)).toEqual([5, 4, 3, 2, 1]);

    // dispatch with run details, then read the run back — over the socket
    const res = await octokit.request("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", {
      ...repo,
      workflow_id: "worker.yml",
      ref: "main",
      inputs: { nonce: "n1" },
      return_run_details: true,
    } as never);
    const runId = (res.data as unknown as { workflow_run_id: number }).workflow_run_id;
    expect((await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId })).data.status).toBe("queued");

    // the bare form (api.github.com style) answers too
    const bare = await fetch(`${server.url}/repos/acme/rocket`, { headers: { authorization: `token ${twin.installationToken(1)}` } });
    expect(bare.status).toBe(200);
    expect(((await bare.json()) as { full_name: string }).full_name).toBe("acme/rocket");

    expect(twin.issuesOf().map((i) => i.title)).toEqual(["Issue 1", "Issue 2", "Issue 3", "Issue 4", "Issue 5"]);
    expect(twin.contractFailures).toEqual([]);
    expect(twin.responseFailures).toEqual([]);
    expect(server.errors).toEqual([]);
  });

  it("authenticates the authorization header it receives", async () => {
    const anonymous = await fetch(`${server.apiUrl}/repos/acme/rocket/issues`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ title: "x" }) });
    expect(anonymous.status).toBe(401);
    const forged = await fetch(`${server.apiUrl}/repos/acme/rocket`, { headers: { authorization: "token ghs_forged" } });
    expect(forged.status).toBe(401);
    expect(twin.issuesOf()).toEqual([]);
  });

  it("injects latency", async () => {
    const slow = await startTwinServer(twin, { latencyMs: 120 });
    try {
      const t0 = performance.now();
      await octokitFor(slow.apiUrl).rest.repos.get(repo);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(115);
    } finally {
      await slow.close();
    }
  });

  it("a hang fault never answers: the client times out, and nothing happened", async () => {
    twin.fault({ kind: "hang", route: "/repos/{owner}/{repo}/issues", method: "POST" });
    const octokit = new TestOctokit({ auth: { token: twin.installationToken(1) }, baseUrl: server.apiUrl, request: { signal: AbortSignal.timeout(300) } });
    const t0 = performance.now();
    await expect(octokit.rest.issues.create({ ...repo, title: "never" })).rejects.toThrow();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(280);
    expect(twin.issuesOf()).toEqual([]);
    expect(twin.log.at(-1)).toMatchObject({ method: "POST", fault: "hang" });
    // the next request is answered
    await octokitFor(server.apiUrl).rest.issues.create({ ...repo, title: "later" });
    expect(twin.issuesOf().map((i) => i.title)).toEqual(["later"]);
  });

  it("GraphQL beyond what the twin implements (createProjectV2 and owner lookups) is a contract failure", async () => {
    const octokit = octokitFor(server.apiUrl);
    await expect(octokit.graphql("query { viewer { login } }")).rejects.toThrow(/does not implement Query\.viewer/);
    expect(twin.contractFailures).toEqual([{ method: "POST", path: "/graphql", problems: ["the GitHub twin does not implement GraphQL Query.viewer (query { viewer { login } })"] }]);
  }, 60_000);
});

describe("webhook deliveries", () => {
  it("signs as GitHub documents it (test vector)", () => {
    expect(signatureSha256("It's a Secret to Everybody", "Hello, World!")).toBe("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
  });

  describe("to a Probot app over HTTP", () => {
    let app: Server;
    let appUrl: string;
    let probot: Probot;
    const seen: Array<{ id: string; name: string }> = [];

    beforeEach(async () => {
      seen.length = 0;
      probot = testProbot({ secret: SECRET, baseUrl: server.apiUrl });
      const middleware = await createNodeMiddleware(
        (a) => {
          a.on("issue_comment.created", async (context) => {
            seen.push({ id: context.id, name: context.name });
            if (context.payload.comment.user?.type === "Bot") return;
            await context.octokit.rest.issues.createComment(context.issue({ body: `ack ${context.payload.comment.body}` }));
          });
        },
        { probot },
      );
      app = createServer((req, res) => {
        void middleware(req, res, () => {
          res.writeHead(404).end();
        });
      });
      await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
      appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/api/github/webhooks`;
    });

    afterEach(async () => {
      app.closeAllConnections();
      await new Promise<void>((r) => app.close(() => r()));
    });

    it("a signed delivery is handled; what the app does is delivered in turn, until quiet", async () => {
      const sender = new WebhookSender({ twin, url: appUrl, secret: SECRET });
      const issue = twin.as("alice").createIssue({ title: "t" });
      twin.as("alice").comment(issue.number, "hello");
      const made = await sender.pump();
      // issues.opened, alice's comment, then the bot's own comment (GitHub sends an app its own events)
      expect(made.map((d) => [d.event, d.action, d.status])).toEqual([
        ["issues", "opened", 200],
        ["issue_comment", "created", 200],
        ["issue_comment", "created", 200],
      ]);
      expect(twin.commentsOn(issue).map((c) => [c.user.login, c.body])).toEqual([
        ["alice", "hello"],
        ["mission-bot[bot]", "ack hello"],
      ]);
      expect(seen.map((s) => s.id)).toEqual(made.slice(1).map((d) => d.guid));
      expect(twin.contractFailures).toEqual([]);
    });

    it("an unsigned or wrongly signed delivery is refused and changes nothing", async () => {
      const sender = new WebhookSender({ twin, url: appUrl, secret: SECRET });
      const issue = twin.as("alice").createIssue({ title: "t" });
      twin.as("alice").comment(issue.number, "hello");
      const event = twin.eventsNamed("issue_comment.created")[0]!;
      const unsigned = await sender.deliver(event, { signature: "none" });
      const forged = await sender.deliver(event, { signature: "bad" });
      expect([unsigned.status, forged.status]).toEqual([400, 400]);
      expect(seen).toEqual([]);
      expect(twin.commentsOn(issue)).toHaveLength(1);
      expect(sender.request(event, "none").headers).not.toHaveProperty("x-hub-signature-256");
      // and the same delivery, signed, goes through
      expect((await sender.deliver(event)).status).toBe(200);
      expect(seen).toHaveLength(1);
    });

    it("sends GitHub's headers; a duplicate is a redelivery with the same X-GitHub-Delivery", async () => {
      const sender = new WebhookSender({ twin, url: appUrl, secret: SECRET, faults: { duplicate: true } });
      const { headers, body } = sender.request(twin.as("alice").createIssue({ title: "t" }) && twin.events.at(-1)!);
      expect(headers).toMatchObject({
        "content-type": "application/json",
        "x-github-event": "issues",
        "x-github-hook-installation-target-type": "integration",
        "x-github-hook-installation-target-id": "1",
      });
      expect(headers["user-agent"]).toMatch(/^GitHub-Hookshot\//);
      expect(headers["x-github-hook-id"]).toMatch(/^\d+$/);
      expect(headers["x-hub-signature-256"]).toBe(signatureSha256(SECRET, body));
      twin.as("mission-bot[bot]").comment(1, "from the bot"); // the app ignores its own comments
      const made = await sender.pump();
      expect(made.map((d) => [d.event, d.redelivery, d.status])).toEqual([
        ["issues", false, 200],
        ["issues", true, 200],
        ["issue_comment", false, 200],
        ["issue_comment", true, 200],
      ]);
      expect(made[2]!.guid).toBe(made[3]!.guid);
      expect(seen.map((s) => s.id)).toEqual([made[2]!.guid, made[2]!.guid]);
    });

    it("lose and reorder are seeded: the same seed drops and shuffles the same way", async () => {
      const run = async (seed: number) => {
        const t = contractTwin();
        t.addRepo({ owner: "acme", name: "rocket", ownerType: "Organization" });
        const sender = new WebhookSender({ twin: t, url: "http://127.0.0.1:9/unused", secret: SECRET, faults: { lose: 0.3, reorder: true, seed } });
        for (let i = 0; i < 12; i++) t.as("acme").createIssue({ title: `#${i}` });
        const order: string[] = [];
        sender.deliver = async (e) => {
          order.push(String(e.payload.issue.title));
          return { status: 200 } as never;
        };
        await sender.pump();
        return { order, lost: sender.lost.map((e) => String(e.payload.issue.title)) };
      };
      const a = await run(42);
      const b = await run(42);
      const c = await run(7);
      expect(a).toEqual(b);
      expect(a.order.length + a.lost.length).toBe(12);
      expect(a.lost.length).toBeGreaterThan(0);
      expect(a.order).not.toEqual([...a.order].sort((x, y) => Number(x.slice(1)) - Number(y.slice(1))));
      expect(c).not.toEqual(a);
      expect(prng(1)()).toBe(prng(1)());
    });
  });
});
