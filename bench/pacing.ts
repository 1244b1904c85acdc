/**
 * Simulated time under production pacing, for the requests a benchmark made
 * (the twin's log, in order: the app sends them one after another).
 *
 * Two paces apply to the app on github.com:
 *  - Octokit's throttling (@octokit/plugin-throttling 11.0.5, in Probot 14):
 *    every REST write (not GET/HEAD) and every GraphQL request, query or
 *    mutation, starts at least 1 s after the previous one (its `write` group,
 *    minTime 1000); a REST write to a path that notifies people (its
 *    `triggers-notification-paths`: issues, comments, sub-issues, pull
 *    requests…) at least 3 s after the previous such write (`notifications`
 *    group, minTime 3000). Reads are not spaced.
 *  - GitHub's advised content rate: "no more than 80 content-generating
 *    requests per minute and no more than 500 content-generating requests per
 *    hour" (REST docs "Rate limits for the REST API"), GraphQL mutations that
 *    create content included.
 * Each request then takes the round trip (`latencyMs`). Nothing here waits:
 * the time is computed.
 *
 * Requests the app had in flight together overlap: the twin's log says, on its
 * logical clock, when each request arrived and when it was answered, and a
 * request waits (in the model) only for those answered before it arrived — the
 * ones it could have depended on. Requests sent one after another (each answered
 * before the next arrives) add up as before. Octokit sends up to 10 at once
 * (plugin-throttling's `global` group, maxConcurrent 10), which the app's
 * concurrent reads (a handful) stay under.
 */
import type { LogEntry } from "../src/twin/state.js";
import { CONTENT_CREATING } from "../src/twin/routes.js";
import { CONTENT_MUTATIONS } from "../src/twin/graphql.js";
import { graphqlOf } from "./support.js";

export const WRITE_SPACING_MS = 1000;
export const NOTIFICATION_SPACING_MS = 3000;
export const CONTENT_PER_MINUTE = 80;
export const CONTENT_PER_HOUR = 500;

/** plugin-throttling 11.0.5's triggers-notification paths that the app writes to (its matcher: `{x}` any text, then no further `/`). */
const NOTIFYING = ["/repos/{owner}/{repo}/issues", "/repos/{owner}/{repo}/issues/{issue_number}/comments", "/repos/{owner}/{repo}/issues/{issue_number}/sub_issue", "/repos/{owner}/{repo}/pulls"];
const notifying = new RegExp(`^(?:${NOTIFYING.map((p) => `(?:${p.split("/").map((c) => (c.startsWith("{") ? "(?:.+?)" : c)).join("/")})`).join("|")})[^/]*$`, "i");

export interface Paced {
  /** what Octokit's throttling would send */
  kind: "read" | "write" | "notifying write";
  contentCreating: boolean;
  /** the twin's logical clock: arrival and answer (absent: sent after every request before it) */
  arrived?: number;
  answered?: number;
}

export function pacedOf(e: LogEntry): Paced {
  const when = e.arrived !== undefined && e.answered !== undefined ? { arrived: e.arrived, answered: e.answered } : {};
  const g = graphqlOf(e);
  if (g) return { kind: "write", contentCreating: g.mutation && CONTENT_MUTATIONS.has(g.field), ...when };
  const read = e.method === "GET" || e.method === "HEAD";
  if (read) return { kind: "read", contentCreating: false, ...when };
  return { kind: notifying.test(e.path) ? "notifying write" : "write", contentCreating: CONTENT_CREATING.has(`${e.method} ${e.route}`), ...when };
}

/**
 * How long these requests take under both paces, in the order they were answered: each starts once the
 * requests answered before it arrived have ended (all before it, when the log has no clock).
 */
export function pacedTimeMs(requests: readonly Paced[], latencyMs: number): number {
  return pacedEndsMs(requests, latencyMs).reduce((a, b) => Math.max(a, b), 0);
}

/** When each request ends, under both paces (see pacedTimeMs). */
export function pacedEndsMs(requests: readonly Paced[], latencyMs: number): number[] {
  const ends: number[] = [];
  let lastWrite = -Infinity;
  let lastNotifying = -Infinity;
  const content: number[] = [];
  for (const [i, r] of requests.entries()) {
    let start = 0;
    for (let j = 0; j < i; j++) {
      const before = requests[j]!;
      const after = r.arrived === undefined || before.answered === undefined || before.answered < r.arrived;
      if (after) start = Math.max(start, ends[j]!);
    }
    if (r.kind !== "read") start = Math.max(start, lastWrite + WRITE_SPACING_MS);
    if (r.kind === "notifying write") start = Math.max(start, lastNotifying + NOTIFICATION_SPACING_MS);
    if (r.contentCreating) {
      const n = content.length;
      if (n >= CONTENT_PER_MINUTE) start = Math.max(start, content[n - CONTENT_PER_MINUTE]! + 60_000);
      if (n >= CONTENT_PER_HOUR) start = Math.max(start, content[n - CONTENT_PER_HOUR]! + 3600_000);
      content.push(start);
    }
    if (r.kind !== "read") lastWrite = Math.max(lastWrite, start);
    if (r.kind === "notifying write") lastNotifying = Math.max(lastNotifying, start);
    ends.push(start + latencyMs);
  }
  return ends;
}

/**
 * The floor for `issues` created issues: one content-creating write each (a GraphQL `createIssue`
 * that labels and links it), nothing else, under the same paces.
 */
export function pacingFloorMs(issues: number, latencyMs: number): number {
  return pacedTimeMs(Array.from({ length: issues }, () => ({ kind: "write" as const, contentCreating: true })), latencyMs);
}
