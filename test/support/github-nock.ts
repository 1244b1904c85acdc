/**
 * nock for GitHub, with every intercepted request checked against GitHub's
 * REST description (see contract.ts).
 *
 *   const gh = githubNock();                 // disables real network (loopback allowed)
 *   gh.installationToken(2);                 // POST /app/installations/2/access_tokens
 *   gh.api.post("/repos/o/r/issues/1/comments").reply(201, { id: 1 });
 *   await probot.receive(delivery("issue_comment", payload));
 *   gh.done();                               // no contract failures, no unmatched requests, no pending mocks
 *   afterEach(() => gh.restore());
 *
 * Mocks are still ordinary nock interceptors: `gh.api` is a nock Scope for
 * https://api.github.com, `gh.scope()` makes more. Only scopes made through
 * `gh` are recorded (nock emits "request" per scope); requests nothing
 * matched are recorded through nock's global "no match" event and are always
 * failures. Static replies (`.reply(status, body)`) are checked against the
 * documented response for that status (by default "partial": fields may be
 * left out, but those present must have GitHub's names and types).
 *
 * Use `testProbot()` / `TestOctokit` below: the object form
 * `ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } })`
 * does NOT disable throttling in Probot 14 (Probot's own `throttle` options
 * replace it), so every write waits on plugin-throttling's process-wide
 * write queue (~1 s per mutation, seconds per test).
 *
 * Octokit percent-encodes slashes inside path parameters, so a mock for
 * `PUT /repos/o/r/contents/{path}` must be written `contents/todo%2Fmission.md`.
 */
import nock from "nock";
import { Probot, type Options as ProbotOptions } from "probot";
import { checkRequest, checkResponse, resolveRoute, type CheckOptions } from "./contract.js";
import { testPrivateKey } from "./keys.js";
import { QuietOctokit } from "../../src/twin/octokit.js";

export const GITHUB_API = "https://api.github.com";

/** ProbotOctokit with retries and throttling off (the twin's QuietOctokit). */
export const TestOctokit = QuietOctokit;

/** `new Probot(...)` for tests: app id 1, the test key, TestOctokit, quiet logs. Override anything. */
export function testProbot(options: ProbotOptions = {}): Probot {
  return new Probot({ appId: 1, privateKey: testPrivateKey(), Octokit: TestOctokit, logLevel: "fatal", ...options });
}

export interface RecordedRequest {
  method: string;
  /** Path with query string, as sent (percent-encoding kept). */
  path: string;
  url: string;
  /** Parsed JSON body, the raw string for non-JSON bodies, or undefined. */
  body: unknown;
  headers: Record<string, string>;
  /** Documented route template, e.g. `/repos/{owner}/{repo}/issues/{issue_number}/comments`, if any. */
  route: string | undefined;
  operationId: string | undefined;
  /** Whether a mock answered it. */
  matched: boolean;
  /** Contract problems with this request (and with the mock's reply to it). */
  problems: string[];
}

export interface GitHubNockOptions {
  /** API base URL; default https://api.github.com. */
  baseUrl?: string;
  /** How to check static mock replies against the documented responses. Default "partial". */
  responses?: "partial" | "full" | "off";
  /** Passed to checkRequest. */
  check?: CheckOptions;
}

export interface InstallationTokenOptions {
  token?: string;
  permissions?: Record<string, "read" | "write" | "admin">;
  /** Reply to this many token requests (Probot caches tokens; usually 1). */
  times?: number;
}

export interface GitHubNock {
  /** Recorded nock scope for the API base URL. */
  readonly api: nock.Scope;
  /** Another recorded scope on the API base URL (e.g. with `{ reqheaders }`). */
  scope(options?: nock.Options): nock.Scope;
  /** Mock `POST /app/installations/{id}/access_tokens` on `gh.api`. */
  installationToken(installationId: number, options?: InstallationTokenOptions): nock.Scope;
  /** Every request to GitHub seen so far, in order. */
  requests(): RecordedRequest[];
  /** Every contract problem so far (requests GitHub would reject, unmatched requests, mock replies GitHub would not send). */
  contractFailures(): string[];
  /** Mocks defined through `gh` that were not called. */
  pendingMocks(): string[];
  /** Throws unless there are no contract failures and no pending mocks. */
  done(): void;
  /** Remove listeners and all mocks, re-enable the network. Call in afterEach. */
  restore(): void;
}

/** A realistic installation access token reply (`installation-token` schema). */
export function installationTokenBody(options: InstallationTokenOptions = {}): Record<string, unknown> {
  return {
    token: options.token ?? "ghs_test0000000000000000000000000000000",
    expires_at: new Date(Date.now() + 60 * 60 * 1000).toISOString(),
    permissions: options.permissions ?? { issues: "write", contents: "write", actions: "write", metadata: "read" },
    repository_selection: "all",
  };
}

/** Mock `POST /app/installations/{installationId}/access_tokens` (what Probot calls before acting as an installation). */
export function installationToken(scope: nock.Scope, installationId: number, options: InstallationTokenOptions = {}): nock.Scope {
  return scope
    .post(`/app/installations/${installationId}/access_tokens`)
    .times(options.times ?? 1)
    .reply(201, installationTokenBody(options));
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw === "") return undefined;
  if (!contentType || /json/i.test(contentType)) {
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  return raw;
}

interface InterceptorLike {
  statusCode?: number | null;
  body?: unknown;
  headers?: Record<string, string>;
}

export function githubNock(options: GitHubNockOptions = {}): GitHubNock {
  const baseUrl = (options.baseUrl ?? GITHUB_API).replace(/\/$/, "");
  const base = new URL(baseUrl);
  const responseMode = options.responses ?? "partial";
  const recorded: RecordedRequest[] = [];
  const failures: string[] = [];
  const scopes: nock.Scope[] = [];

  nock.disableNetConnect();
  nock.enableNetConnect((host: string) => /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host));

  function record(req: Request, rawBody: string, matched: boolean, interceptor?: InterceptorLike): void {
    const u = new URL(req.url);
    const headers = Object.fromEntries(req.headers);
    const body = parseBody(rawBody, headers["content-type"]);
    const route = resolveRoute(req.method, req.url);
    // For unmatched requests the body is read later (onNoMatch); check it then.
    const problems = matched ? checkRequest({ method: req.method, url: req.url, body: rawBody, headers }, options.check) : [];
    if (!matched) {
      problems.push(`unmatched request: ${req.method} ${u.pathname}${u.search} (no mock answered it)`);
    } else if (responseMode !== "off" && interceptor && typeof interceptor.statusCode === "number" && problems.length === 0) {
      let replyBody: unknown = interceptor.body;
      if (typeof replyBody === "string") replyBody = parseBody(replyBody, interceptor.headers?.["content-type"]);
      for (const p of checkResponse(req.method, req.url, interceptor.statusCode, replyBody, interceptor.headers, {
        ...options.check,
        partial: responseMode === "partial",
      })) {
        problems.push(`mock reply: ${p}`);
      }
    }
    recorded.push({
      method: req.method,
      path: u.pathname + u.search,
      url: req.url,
      body,
      headers,
      route: route?.template,
      operationId: route?.operationId,
      matched,
      problems,
    });
    failures.push(...problems);
  }

  function onRequest(req: Request, interceptor: InterceptorLike, body: string): void {
    record(req, body, true, interceptor);
  }

  function onNoMatch(req: Request): void {
    let u: URL;
    try {
      u = new URL(req.url);
    } catch {
      return;
    }
    if (u.host !== base.host) return; // loopback etc.
    // Record at once (so done() sees it), then fill in the body-level problems.
    const index = recorded.length;
    record(req, "", false);
    void req
      .clone()
      .text()
      .then((text) => {
        const before = recorded[index]!;
        const again = checkRequest({ method: req.method, url: req.url, body: text, headers: before.headers }, options.check);
        before.body = parseBody(text, before.headers["content-type"]);
        for (const p of again) {
          if (!before.problems.includes(p)) {
            before.problems.push(p);
            failures.push(p);
          }
        }
      })
      .catch(() => undefined);
  }

  nock.emitter.on("no match", onNoMatch);

  function scope(scopeOptions?: nock.Options): nock.Scope {
    const s = nock(baseUrl, scopeOptions);
    s.on("request", onRequest);
    scopes.push(s);
    return s;
  }

  const api = scope();

  return {
    api,
    scope,
    installationToken: (installationId, tokenOptions) => installationToken(api, installationId, tokenOptions),
    requests: () => recorded.map((r) => ({ ...r, problems: [...r.problems] })),
    contractFailures: () => [...failures],
    pendingMocks: () => scopes.flatMap((s) => s.pendingMocks()),
    done() {
      const pending = scopes.flatMap((s) => s.pendingMocks());
      const lines = [...failures.map((f) => `contract: ${f}`), ...pending.map((p) => `pending mock (never called): ${p}`)];
      if (lines.length) throw new Error(`GitHub mock check failed:\n  ${lines.join("\n  ")}`);
    },
    restore() {
      nock.emitter.removeListener("no match", onNoMatch);
      for (const s of scopes) s.removeListener("request", onRequest);
      nock.cleanAll();
      nock.enableNetConnect();
    },
  };
}
