import { Probot, ProbotOctokit, type Context } from "probot";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const realSetTimeout = globalThis.setTimeout;
import { delivery, issueCommentCreated } from "./fixtures.js";
import { githubNock, testProbot, type GitHubNock } from "./github-nock.js";
import { testPrivateKey } from "./keys.js";

type CommentApp = (context: Context<"issue_comment.created">) => Promise<unknown>;

/** A Probot instance with one tiny inline app; handler errors are collected, not lost. */
function probotWith(handler: CommentApp): { probot: Probot; errors: unknown[] } {
  const errors: unknown[] = [];
  const probot = new Probot({
    appId: 1,
    privateKey: testPrivateKey(),
    // function form: the object form does not turn throttling off (see github-nock.ts)
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
    logLevel: "fatal",
  });
  void probot.load((app) => {
    app.on("issue_comment.created", async (context) => {
      try {
        await handler(context);
      } catch (e) {
        errors.push(e);
        throw e;
      }
    });
  });
  return { probot, errors };
}

const payload = () =>
  issueCommentCreated({
    body: "/mission Build a CRM",
    login: "alice",
    issueNumber: 7,
    repo: { owner: "acme", name: "crm" },
    installationId: 42,
  });

describe("githubNock with Probot", () => {
  let gh: GitHubNock;
  beforeEach(() => {
    gh = githubNock();
  });
  afterEach(() => gh.restore());

  it("passes a request GitHub would accept", async () => {
    const { probot, errors } = probotWith((context) =>
      context.octokit.rest.issues.createComment(context.issue({ body: "On it." })),
    );
    gh.installationToken(42);
    gh.api.post("/repos/acme/crm/issues/7/comments").reply(201, { id: 1001, body: "On it." });

    await probot.receive(delivery("issue_comment", payload()));

    expect(errors).toEqual([]);
    expect(gh.contractFailures()).toEqual([]);
    expect(gh.requests().map((r) => [r.method, r.path, r.route])).toEqual([
      ["POST", "/app/installations/42/access_tokens", "/app/installations/{installation_id}/access_tokens"],
      ["POST", "/repos/acme/crm/issues/7/comments", "/repos/{owner}/{repo}/issues/{issue_number}/comments"],
    ]);
    expect(gh.requests()[1]!.body).toEqual({ body: "On it." });
    gh.done();
  });

  it("reports a comment without a body (the mock matched, GitHub would answer 422)", async () => {
    const { probot } = probotWith((context) =>
      // the bot forgets `body`; a loose mock would happily accept this
      context.octokit.request(
        "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
        context.issue({}) as ReturnType<typeof context.issue> & { body: string },
      ),
    );
    gh.installationToken(42);
    gh.api.post("/repos/acme/crm/issues/7/comments").reply(201, { id: 1001 });

    await probot.receive(delivery("issue_comment", payload()));

    expect(gh.contractFailures()).toEqual([
      "POST /repos/acme/crm/issues/7/comments (issues/create-comment): request body is required",
    ]);
    expect(() => gh.done()).toThrow(/request body is required/);
  });

  it("reports sub_issue_id sent as a string", async () => {
    const { probot } = probotWith((context) =>
      context.octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues", {
        ...context.issue(),
        sub_issue_id: "12" as unknown as number,
      }),
    );
    gh.installationToken(42);
    gh.api.post("/repos/acme/crm/issues/7/sub_issues").reply(201, {});

    await probot.receive(delivery("issue_comment", payload()));

    expect(gh.contractFailures()).toEqual([
      'POST /repos/acme/crm/issues/7/sub_issues (issues/add-sub-issue): body/sub_issue_id must be integer (got "12")',
    ]);
    expect(() => gh.done()).toThrow(/sub_issue_id must be integer/);
  });

  it("reports the wrong path even when the mock has the same mistake", async () => {
    const { probot } = probotWith((context) =>
      context.octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issue", {
        ...context.issue(),
        sub_issue_id: 12,
      }),
    );
    gh.installationToken(42);
    gh.api.post("/repos/acme/crm/issues/7/sub_issue").reply(201, {});

    await probot.receive(delivery("issue_comment", payload()));

    const failures = gh.contractFailures();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/^wrong method: POST \/repos\/acme\/crm\/issues\/7\/sub_issue .*allows DELETE.*did you mean POST \/repos\/\{owner\}\/\{repo\}\/issues\/\{issue_number\}\/sub_issues\?/);
  });

  it("reports a request no mock answered, and mocks never called", async () => {
    const { probot, errors } = probotWith((context) =>
      context.octokit.rest.issues.createComment(context.issue({ body: "On it." })),
    );
    gh.installationToken(42);
    gh.api.post("/repos/acme/crm/issues/8/comments").reply(201, { id: 1 }); // wrong issue: never called

    await probot.receive(delivery("issue_comment", payload())).catch(() => undefined);

    expect(errors).toHaveLength(1); // nock answered 501 "No match"
    expect(gh.contractFailures()).toEqual(["unmatched request: POST /repos/acme/crm/issues/7/comments (no mock answered it)"]);
    expect(gh.pendingMocks()).toEqual(["POST https://api.github.com:443/repos/acme/crm/issues/8/comments"]);
    expect(() => gh.done()).toThrow(/pending mock \(never called\)/);
  });

  it("reports a mock reply GitHub would never send (invented or mistyped fields)", async () => {
    const { probot } = probotWith((context) =>
      context.octokit.rest.issues.createComment(context.issue({ body: "On it." })),
    );
    gh.installationToken(42);
    gh.api.post("/repos/acme/crm/issues/7/comments").reply(201, { id: "1001", comment_id: 1001 });

    await probot.receive(delivery("issue_comment", payload()));

    expect(gh.contractFailures()).toEqual([
      'mock reply: POST /repos/acme/crm/issues/7/comments (issues/create-comment) → 201: response body/id must be integer (got "1001")',
      expect.stringMatching(/^mock reply: .* → 201: response body has unknown property 'comment_id' \(GitHub does not send it;/),
    ]);
  });

  it("testProbot() does not throttle: no write waits on a timer", async () => {
    const probot = testProbot();
    await probot.load((app) => {
      app.on("issue_comment.created", async (context) => {
        for (const body of ["one", "two", "three"]) await context.octokit.rest.issues.createComment(context.issue({ body }));
      });
    });
    gh.installationToken(42);
    gh.api.post("/repos/acme/crm/issues/7/comments").times(3).reply(201, { id: 1 });
    // plugin-throttling spaces writes with timers (1 s between writes, 3 s between content-creating ones)
    const waits: number[] = [];
    const spy = vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) => {
      waits.push(ms ?? 0);
      return realSetTimeout(fn, ms);
    }) as typeof setTimeout);
    try {
      await probot.receive(delivery("issue_comment", payload()));
    } finally {
      spy.mockRestore();
    }
    expect(waits.filter((ms) => ms >= 500)).toEqual([]);
    gh.done();
  });

  it("blocks real network access to GitHub", async () => {
    gh.restore();
    gh = githubNock();
    await expect(fetch("https://api.github.com/zen")).rejects.toThrow();
    expect(gh.contractFailures()).toEqual(["unmatched request: GET /zen (no mock answered it)"]);
  });
});
