/**
 * Shared pieces of the benchmarks: a twin with missions seeded directly
 * (mission.md committed, tracking issue labelled), an Octokit at the twin's
 * HTTP server, request accounting from the twin's log, and table printing.
 */
import { ProbotOctokit } from "probot";
import type { GitHubTwin, LogEntry } from "../src/twin/state.js";
import { CONTENT_CREATING } from "../src/twin/routes.js";
import { answered, plan } from "../test/support/missions.js";
import { repoFiles } from "../test/e2e/support/world.js";
import { renderMissionFile } from "../src/mission/markdown/mission-file.js";
import { LABELS, missionPath } from "../src/mission/model.js";
import type { Octokit } from "../src/github/client.js";
import { contractTwin } from "../test/support/twin.js";
import { STATE_BRANCH } from "../test/support/missions.js";
import type { JobDeps } from "../src/loop/reconcile-job.js";
import type { ApplyLimits } from "../src/github/apply.js";
import { outlinePlanner } from "../src/mission/plan/outline.js";

export const REPO = { owner: "acme", repo: "crm" };

/** A twin whose hourly primary limit does not stop the setup of 100 missions (the points are counted all the same). */
export function benchTwin(): GitHubTwin {
  // secondary limits counted, not enforced: the bench measures requests; pacing is reported beside them
  const twin = contractTwin({ primaryLimit: 1_000_000, secondaryLimits: false });
  twin.addRepo({ owner: REPO.owner, name: REPO.repo, ownerType: "Organization", collaborators: { alice: "write" }, files: repoFiles() });
  twin.createBranch(STATE_BRANCH, { orphan: true });
  return twin;
}

/** An approved mission of the given shape (features per milestone), as `/mission approve` leaves it. */
export function seedMission(twin: GitHubTwin, shape: number[], name = "bench"): { tracking: number; id: string } {
  const tracking = twin.as("alice").createIssue({ title: `Mission ${name}`, body: "The goal, in the person's words." }).number;
  const id = `m-20261124-${name}-${tracking}`;
  const mission = answered({ id, tracking_issue: tracking, status: "active", repo: `${REPO.owner}/${REPO.repo}`, plan: plan(shape) });
  twin.writeFile(missionPath(id), renderMissionFile(mission), { author: "mission-bot[bot]", message: `mission ${id}: active`, branch: STATE_BRANCH });
  twin.as("mission-bot[bot]").addLabels(tracking, [LABELS.mission, LABELS.forMission(id)]);
  return { tracking, id };
}

/** The bot's client at the twin's server: retries and throttling off, so requests and wall time are the code's own. */
export function octokitAt(twin: GitHubTwin, apiUrl: string): Octokit {
  return new ProbotOctokit({
    auth: { token: twin.installationToken(1) },
    baseUrl: apiUrl,
    throttle: { enabled: false },
    retry: { enabled: false },
    log: { debug() {}, info() {}, warn() {}, error() {} },
  }) as unknown as Octokit;
}

/** The job's dependencies for a benchmark: the bot's client, the outline planner, no history. */
export function benchDeps(twin: GitHubTwin, octokit: Octokit, limits: () => ApplyLimits): JobDeps {
  return {
    octokitFor: async () => octokit,
    identity: async () => ({ botLogin: "mission-bot[bot]", reportLogins: ["mission-bot[bot]", "github-actions[bot]"] }),
    serverUrl: "https://github.com",
    choosePlanner: () => ({ planner: outlinePlanner }),
    history: async () => [],
    limits,
    clock: () => twin.now(),
  };
}

export interface Tally {
  requests: number;
  reads: number;
  writes: number;
  content: number;
  points: number;
  /** answered 4xx/5xx */
  refused: number;
  byKind: Record<string, number>;
}

const KINDS: Array<[string, RegExp]> = [
  ["create issue", /^POST \/repos\/\{owner\}\/\{repo\}\/issues$/],
  ["link sub-issue", /^POST .*\/sub_issues$/],
  ["add dependency", /^POST .*\/dependencies\/blocked_by$/],
  ["comment", /^POST .*\/comments$/],
  ["write mission.md", /^PUT .*\/contents\/\{path\}$/],
  ["update issue", /^PATCH \/repos\/\{owner\}\/\{repo\}\/issues\/\{issue_number\}$/],
  ["create label", /^POST \/repos\/\{owner\}\/\{repo\}\/labels$/],
  ["add labels", /^POST .*\/labels$/],
  ["dispatch", /^POST .*\/dispatches$/],
  ["token", /access_tokens$/],
  ["read", /^GET /],
];

export function kindOf(e: LogEntry): string {
  const key = `${e.method} ${e.route ?? e.path}`;
  return KINDS.find(([, re]) => re.test(key))?.[0] ?? key;
}

/** What the requests in `entries` cost (tokens aside: the app mints them, GitHub does not count them). */
export function tally(entries: readonly LogEntry[]): Tally {
  const t: Tally = { requests: 0, reads: 0, writes: 0, content: 0, points: 0, refused: 0, byKind: {} };
  for (const e of entries) {
    const kind = kindOf(e);
    if (kind === "token") continue;
    t.requests++;
    t.byKind[kind] = (t.byKind[kind] ?? 0) + 1;
    const read = e.method === "GET" || e.method === "HEAD";
    if (read) t.reads++;
    else t.writes++;
    t.points += read ? 1 : 5;
    if (e.status >= 400) t.refused++;
    if (CONTENT_CREATING.has(`${e.method} ${e.route}`)) t.content++;
  }
  return t;
}

export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(headers), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...rows.map((r) => line(r.map(String)))].join("\n");
}
