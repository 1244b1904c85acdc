/**
 * The Octokit the bot talks to GitHub with (Probot's, with retry and
 * throttling), and small helpers for GitHub's error shapes.
 */
import type { ProbotOctokit } from "probot";

export type Octokit = InstanceType<typeof ProbotOctokit>;

export interface RepoRef {
  owner: string;
  repo: string;
}

export function fullName(r: RepoRef): string {
  return `${r.owner}/${r.repo}`;
}

/** The HTTP status of an Octokit RequestError, or undefined for other errors. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "status" in error) {
    const status = (error as { status: unknown }).status;
    return typeof status === "number" ? status : undefined;
  }
  return undefined;
}

export function isStatus(error: unknown, ...codes: number[]): boolean {
  const status = statusOf(error);
  return status !== undefined && codes.includes(status);
}

/** GitHub's "not now" (a primary or secondary rate limit): nothing was refused, try again later. */
export function isRateLimited(error: unknown): boolean {
  const status = statusOf(error);
  if (status === 429) return true;
  if (status !== 403) return false;
  const e = error as { message?: string; response?: { headers?: Record<string, string | undefined> } };
  const headers = e.response?.headers ?? {};
  return headers["retry-after"] !== undefined || headers["x-ratelimit-remaining"] === "0" || /rate limit/i.test(e.message ?? "");
}

/** The message GitHub answered with (Octokit's RequestError message), or the error's text. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** GitHub refused a write for a reason a person must fix (a branch rule, a missing permission): say so once, do not retry. */
export class RefusedError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = "RefusedError";
  }
}

/** mission.md moved underneath us: re-read and decide again, never overwrite. */
export class ConflictError extends Error {
  constructor(path: string) {
    super(`${path} changed while the bot was writing it`);
    this.name = "ConflictError";
  }
}

/**
 * Octokit's retry plugin retries failed requests, POSTs included: a create
 * whose 201 was lost would be made twice. Writes that are not idempotent
 * pass this, and the next reconcile (which looks for the marker first)
 * finishes them instead.
 */
export const NO_RETRY = { request: { retries: 0 } } as const;

/** No request waits longer than this: a hung connection must not hold a mission's queue for minutes. */
export const REQUEST_TIMEOUT_MS = 30_000;

const timed = new WeakSet<object>();

/**
 * Give every request of this Octokit a timeout (once per instance). The clock
 * starts when the request is sent, not while throttling holds it in line.
 */
export function withRequestTimeout<T extends Octokit>(octokit: T, ms = REQUEST_TIMEOUT_MS): T {
  if (timed.has(octokit)) return octokit;
  timed.add(octokit);
  octokit.hook.before("request", (options) => {
    const send: typeof fetch = options.request?.fetch ?? globalThis.fetch;
    const timedFetch: typeof fetch = (url, init) => send(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(ms) });
    options.request = { ...options.request, fetch: timedFetch };
  });
  return octokit;
}
