/**
 * Shared pieces of the benchmarks: a twin with missions seeded directly
 * (mission.md committed, tracking issue labelled), an Octokit at the twin's
 * HTTP server, request accounting from the twin's log, and table printing.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, platform, release, totalmem } from "node:os";
import { ProbotOctokit } from "probot";
import type { GitHubTwin, LogEntry } from "../src/twin/state.js";
import { CONTENT_CREATING } from "../src/twin/routes.js";
import { CONTENT_MUTATIONS } from "../src/twin/graphql.js";
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
export function seedMission(twin: GitHubTwin, shape: number[], name = "bench", deps: Record<string, string[]> = {}): { tracking: number; id: string } {
  const tracking = twin.as("alice").createIssue({ title: `Mission ${name}`, body: "The goal, in the person's words." }).number;
  const id = `m-20261124-${name}-${tracking}`;
  const mission = answered({ id, tracking_issue: tracking, status: "active", repo: `${REPO.owner}/${REPO.repo}`, plan: plan(shape, deps) });
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
  /** answered 304 Not Modified: not counted against the primary limit */
  notModified: number;
  /** counted against the primary (hourly) limit: every request but the 304s */
  primary: number;
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
  ["search", /^GET \/search\//],
  ["read", /^GET /],
];

/** A GraphQL request's operation: its first root field, and whether it is a mutation. */
export function graphqlOf(e: LogEntry): { mutation: boolean; field: string } | undefined {
  if (!/\/graphql$/.test(e.path)) return undefined;
  const query = (e.body as { query?: unknown } | undefined)?.query;
  if (typeof query !== "string") return { mutation: false, field: "?" };
  const mutation = /^\s*mutation\b/.test(query);
  const field = /\{\s*(\w+)/.exec(query)?.[1] ?? "?";
  return { mutation, field };
}

export function kindOf(e: LogEntry): string {
  const g = graphqlOf(e);
  if (g) return g.mutation ? (g.field === "createIssue" ? "create issue (GraphQL)" : `GraphQL ${g.field}`) : "read (GraphQL)";
  const key = `${e.method} ${e.route ?? e.path}`;
  return KINDS.find(([, re]) => re.test(key))?.[0] ?? key;
}

/** What the requests in `entries` cost (tokens aside: the app mints them, GitHub does not count them). */
export function tally(entries: readonly LogEntry[]): Tally {
  const t: Tally = { requests: 0, reads: 0, writes: 0, content: 0, points: 0, refused: 0, notModified: 0, primary: 0, byKind: {} };
  for (const e of entries) {
    const kind = kindOf(e);
    if (kind === "token") continue;
    t.requests++;
    t.byKind[kind] = (t.byKind[kind] ?? 0) + 1;
    const g = graphqlOf(e);
    // GraphQL: a query reads (1 secondary point), a mutation writes (5 points): GitHub's accounting
    const read = g ? !g.mutation : e.method === "GET" || e.method === "HEAD";
    if (read) t.reads++;
    else t.writes++;
    t.points += read ? 1 : 5;
    if (e.status >= 400) t.refused++;
    if (e.status === 304) t.notModified++;
    else t.primary++;
    if (CONTENT_CREATING.has(`${e.method} ${e.route}`) || (g?.mutation && CONTENT_MUTATIONS.has(g.field))) t.content++;
  }
  return t;
}

export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(headers), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...rows.map((r) => line(r.map(String)))].join("\n");
}

// ---------------------------------------------------------------------------
// bench/RESULTS.md: one block per bench file, kept between runs of the others

const RESULTS = new URL("./RESULTS.md", import.meta.url);
const ANALYSIS = /\n## Reading the figures[\s\S]*$/;

/**
 * Write this bench file's sections into bench/RESULTS.md between its own
 * markers (`<!-- bench:<name> -->` … `<!-- /bench:<name> -->`), keeping the
 * other files' blocks and the hand-kept "Reading the figures" below them;
 * the head says when and on what machine the figures were last taken.
 */
export function writeResults(name: string, sections: readonly string[]): void {
  let previous = "";
  try {
    previous = readFileSync(RESULTS, "utf8");
  } catch {
    // first run
  }
  const analysis = ANALYSIS.exec(previous)?.[0] ?? "";
  const blocks = new Map<string, string>();
  for (const m of (previous.replace(ANALYSIS, "")).matchAll(/<!-- bench:([\w.-]+) -->\n[\s\S]*?<!-- \/bench:\1 -->/g)) blocks.set(m[1]!, m[0]);
  blocks.set(name, [`<!-- bench:${name} -->`, "", ...sections, `<!-- /bench:${name} -->`].join("\n"));
  const cpu = cpus();
  const machine = `${cpu[0]?.model.trim() ?? "unknown CPU"} × ${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}`;
  const head = [
    "# Benchmark results",
    "",
    `Last run: ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${machine}.`,
    "",
    "Written by `npm run bench` (bench/*.bench.ts, one block per file); figures only, nothing is asserted about time.",
    "",
  ].join("\n");
  const order = ["run", "materialise", "queue", "replicas", "hostile", "github-token"];
  const names = [...blocks.keys()].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b));
  writeFileSync(RESULTS, `${head}\n${names.map((n) => blocks.get(n)!).join("\n\n")}\n${analysis}`);
}

/** A section: a title, a table, notes. */
export function section(title: string, body: string, notes: readonly string[] = []): string {
  return [`### ${title}`, "", body, "", ...notes.map((n) => `- ${n}`), ""].join("\n");
}

/** The p-th percentile (nearest rank) of sorted numbers. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
