/**
 * What changed since the last pulse (Actions-only mode), so the pulse loads
 * in full only the missions that may have something to do. Every run of a
 * workflow gets a fresh GITHUB_TOKEN and GitHub binds ETags to the token, so
 * a pulse can never ask "has this changed?" conditionally (twin RULES 16);
 * instead it asks GitHub, in a few requests for the whole repository, what
 * changed since the last pulse that completed started (less a margin):
 *
 * - issues updated since then (a comment, a label, a close, an edit each
 *   update an issue's `updated_at`): every issue of a mission carries the
 *   label `mission:<id>`, and a mission id ends with its tracking issue;
 * - commits to `todo/missions` on the state branch (the bot's name their
 *   mission; anyone else's → every mission) and to `.github/mission.yml`
 *   (→ every mission; not asked when the default branch's head is the
 *   commit the last pulse ran on);
 * - command runs created since then that failed (their run-name names the
 *   issue; one that does not → every mission).
 *
 * The last pulse and the command runs since come from one page of the
 * repository's recent runs when it holds them (`recentRuns`), else from the
 * two workflows' lists.
 *
 * A mission whose every change a command run saw — one that succeeded after
 * the last change, or one still to run — is not loaded again: every change
 * that may give work starts a command run of its own (a person's issue or
 * comment event, a worker's or validation's `wake`, a run's "more to do").
 * What slips between a run's load and its end without starting a run (an
 * issue body edited, a lost event) waits for the hourly look. A change of
 * the last minute with no run listed after it is left to the next pulse
 * (GitHub lists a dispatched run only seconds after the dispatch).
 *
 * What this cannot see — time passing (worker and validation time-outs, the
 * budget's hours, a request's expiry), a run that ended without its `wake`
 * step (cancelled, crashed), commits made earlier and pushed later (`since`
 * is the committer's date) — the hourly look catches: each mission is
 * loaded in full once an hour, in its own slot, whatever changed.
 */
import type { ActionContext } from "../context.js";
import { CONFIG_PATH } from "../../mission/config.js";
import { LABELS, missionOfLabel, trackingIssueOf } from "../../mission/model.js";
import type { ObservedRun } from "../../mission/decision.js";
import { isStatus } from "../../github/client.js";
import { observedRun } from "../../github/runs.js";
import { ownWorkflow } from "./loop-deps.js";

/** Taken off the last pulse's start: GitHub's times are whole seconds, and a write lands in its lists a moment after it is made. */
export const PULSE_MARGIN_MS = 2 * 60_000;
/** A last completed pulse older than this (or none): every mission is loaded in full. */
export const PULSE_MAX_GAP_MS = 2 * 3_600_000;
/** Each mission is loaded in full at least this often, whatever changed. */
export const HOURLY_LOOK_MS = 3_600_000;

export interface PulseLook {
  /** every mission is loaded in full, and why */
  all?: string;
  /** when the last completed pulse started (epoch ms) */
  previous?: number;
  /** the start of the change window: `previous` less the margin (ISO) */
  since?: string;
  /** tracking issue → what changed since */
  changed: Map<number, string>;
  /** the repository's runs of the last two hours as this pulse read them (one page): a mission's load need not ask for them again */
  runs?: ReadonlyMap<number, ObservedRun>;
}

const BOT_COMMIT = /^mission m-\d{8}-[a-z0-9-]*-(\d+): /;
/** The command workflow's run-name (templates/workflows/mission-command.yml): "mission command #<issue>". */
const COMMAND_RUN = /^mission command #(\d+)$/;
const FAILED = new Set(["failure", "timed_out", "startup_failure"]);

/**
 * Whether this pulse carries a mission's hourly look: its slot, a minute of
 * the hour spread by its tracking issue, falls after the last completed
 * pulse started and by now. A pulse every 15 minutes carries about a quarter
 * of the missions; a pulse that was missed leaves its slots to the next.
 */
export function hourlySlot(issue: number, previous: number, now: number): boolean {
  const phase = ((issue * 17) % 60) * 60_000;
  return Math.floor((now - phase) / HOURLY_LOOK_MS) > Math.floor((previous - phase) / HOURLY_LOOK_MS);
}

type Run = {
  id: number;
  html_url: string;
  run_attempt?: number | undefined;
  status: string | null;
  conclusion: string | null;
  display_title: string;
  updated_at: string;
  created_at: string;
  run_started_at?: string | undefined;
  path?: string | undefined;
  workflow_id: number;
  head_sha: string;
  head_branch: string | null;
};

/** The workflow file a run belongs to, from its `path` (".github/workflows/x.yml", with GitHub's "owner/repo/" before it or "@ref" after it, or without): its file name. */
export function workflowFileOf(path: string | undefined): string | undefined {
  return /(?:^|\/)\.github\/workflows\/([^@/]+)(?:@.*)?$/.exec(path ?? "")?.[1];
}

/** Whether a run is of `workflow`: a workflow file name (matched on the run's `path`) or a workflow id. */
const ofWorkflow = (run: Run, workflow: string) => (/^\d+$/.test(workflow) ? String(run.workflow_id) === workflow : workflowFileOf(run.path) === workflow);

const lastSuccess = (runs: readonly Run[], own: string, self: number) =>
  runs.find((r) => r.id !== self && r.status === "completed" && r.conclusion === "success" && r.run_started_at && ofWorkflow(r, own));

/**
 * The repository's workflow runs created in the last PULSE_MAX_GAP_MS (and margin), newest first: one page, which
 * usually holds both what `lastPulse` and the command runs' look need (one request instead of two). GitHub lists
 * runs newest first, so `covers(t)`, every run created at or after `t` is on the page, holds when the page holds
 * them all (`complete`) or reaches back before `t`. A busy repository (over 100 runs since the last pulse) costs
 * the per-workflow lists as before, one request more.
 * Undefined when the list cannot be read, or a run's `path` is missing: the pulse asks per workflow instead.
 */
async function recentRuns(ctx: ActionContext, now: number): Promise<{ runs: Run[]; complete: boolean; covers(t: number): boolean } | undefined> {
  const from = new Date(now - PULSE_MAX_GAP_MS - PULSE_MARGIN_MS).toISOString().replace(/\.\d{3}Z$/, "Z");
  try {
    const { data } = await ctx.octokit.request("GET /repos/{owner}/{repo}/actions/runs", { ...ctx.repo, created: `>=${from}`, per_page: RUNS_PAGE });
    const runs = data.workflow_runs as Run[];
    if (runs.some((r) => typeof r.path !== "string")) return undefined;
    const complete = data.total_count <= runs.length;
    const oldest = Math.min(...runs.map((r) => Date.parse(r.created_at)));
    return { runs, complete, covers: (t) => complete || oldest < t };
  } catch (error) {
    if (isStatus(error, 404) || isStatus(error, 403)) return undefined;
    throw error;
  }
}

/** When the last pulse that completed started (GitHub's clock), if GitHub knows one: from the recent runs' page when it shows it, else asked of the pulse workflow's runs. */
async function lastPulse(ctx: ActionContext, recent: Awaited<ReturnType<typeof recentRuns>>): Promise<{ started: number; run: Run } | string> {
  const own = ownWorkflow(ctx);
  if (!own) return "this run's workflow is not known (GITHUB_WORKFLOW_REF)";
  const self = Number(ctx.env.GITHUB_RUN_ID);
  const started = (run: Run | undefined) => (run?.run_started_at ? Date.parse(run.run_started_at) : NaN);
  if (recent) {
    const run = lastSuccess(recent.runs, own, self);
    if (run && Number.isFinite(started(run))) return { started: started(run), run };
    // the page holds every run of the last two hours, and no pulse that succeeded: an older one would change nothing
    if (recent.complete) return "no earlier pulse completed in the last 2 hours";
  }
  try {
    const { data } = await ctx.octokit.request("GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs", { ...ctx.repo, workflow_id: own, status: "success", per_page: 5 });
    const run = data.workflow_runs.find((r) => r.id !== self && r.run_started_at) as Run | undefined;
    return run && Number.isFinite(started(run)) ? { started: started(run), run } : "no earlier pulse completed";
  } catch (error) {
    // no such workflow, or a token that may not read the Actions runs (an App's without `actions`): look at everything
    if (isStatus(error, 404) || isStatus(error, 403)) return `the runs of ${own} cannot be listed`;
    throw error;
  }
}

/** The command runs created at or after `since`: from the recent runs' page when it covers them, else one page of the command workflow's runs (undefined: there is no such workflow). */
async function commandRunsSince(ctx: ActionContext, recent: Awaited<ReturnType<typeof recentRuns>>, workflow: string, since: string): Promise<Run[] | "too many" | undefined> {
  const sinceMs = Date.parse(since);
  if (recent?.covers(sinceMs)) return recent.runs.filter((r) => ofWorkflow(r, workflow) && Date.parse(r.created_at) >= sinceMs);
  try {
    const { data } = await ctx.octokit.request("GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs", { ...ctx.repo, workflow_id: workflow, created: `>=${since}`, per_page: RUNS_PAGE });
    return data.total_count > data.workflow_runs.length ? "too many" : (data.workflow_runs as Run[]);
  } catch (error) {
    if (isStatus(error, 404)) return undefined;
    throw error;
  }
}

/** GitHub's largest page of runs. */
const RUNS_PAGE = 100;

/** Commits since `since` on `ref` that touched `path` (none when the branch does not exist yet). */
async function commitsSince(ctx: ActionContext, ref: string, path: string, since: string): Promise<Array<{ message: string; date: string }>> {
  try {
    const commits = await ctx.octokit.paginate(ctx.octokit.rest.repos.listCommits, { ...ctx.repo, sha: ref, path, since, per_page: 100 });
    return commits.map((c) => ({ message: c.commit.message, date: c.commit.committer?.date ?? "" }));
  } catch (error) {
    if (isStatus(error, 404) || isStatus(error, 409)) return [];
    throw error;
  }
}

type LookOptions = {
  now: number;
  defaultBranch: string;
  stateBranch: string;
  commandWorkflow: string;
  /** the issues the pulse may look at: open tracking issues and those with a recent command */
  tracking: ReadonlySet<number>;
  /** issue → when its latest `/mission` command was posted or edited (ISO) */
  commands: ReadonlyMap<number, string>;
};

export async function lookSinceLastPulse(ctx: ActionContext, options: LookOptions): Promise<PulseLook> {
  const recent = ownWorkflow(ctx) ? await recentRuns(ctx, options.now) : undefined;
  const look = await lookWith(ctx, options, recent);
  if (!recent) return look;
  const runs = new Map<number, ObservedRun>();
  for (const r of recent.runs) {
    runs.set(r.id, observedRun(r));
  }
  return { ...look, runs };
}

async function lookWith(ctx: ActionContext, options: LookOptions, recent: Awaited<ReturnType<typeof recentRuns>>): Promise<PulseLook> {
  const changed = new Map<number, string>();
  const lastRun = await lastPulse(ctx, recent);
  if (typeof lastRun === "string") return { all: lastRun, changed };
  const last = lastRun.started;
  if (options.now - last > PULSE_MAX_GAP_MS) return { all: "the last pulse that completed started over 2 hours ago", previous: last, changed };
  if (last > options.now + PULSE_MARGIN_MS) return { all: "the last pulse started after this one's clock", previous: last, changed };
  const sinceMs = last - PULSE_MARGIN_MS;
  const since = new Date(sinceMs).toISOString().replace(/\.\d{3}Z$/, "Z");
  const look: PulseLook = { previous: last, since, changed };
  /** issue → what changed, and when it last did (epoch ms) */
  const changes = new Map<number, { what: string; at: number; failed?: boolean }>();
  const note = (issue: number, what: string, at: string, failed = false) => {
    const ms = Date.parse(at);
    const known = changes.get(issue);
    const worse = failed && !known?.failed;
    changes.set(issue, { what: worse || !known ? what : known.what, at: Math.max(known?.at ?? 0, Number.isFinite(ms) ? ms : options.now), failed: failed || !!known?.failed });
  };

  // Settings: one change concerns every mission. When the default branch's head is the commit the last pulse ran on
  // (a scheduled run runs on that head: GITHUB_SHA), nothing was committed there since it looked: not asked again.
  const unmoved = ctx.env.GITHUB_REF === `refs/heads/${options.defaultBranch}` && lastRun.run.head_branch === options.defaultBranch && /^[0-9a-f]{40}$/.test(ctx.env.GITHUB_SHA ?? "") && lastRun.run.head_sha === ctx.env.GITHUB_SHA;
  if (!unmoved && (await commitsSince(ctx, options.defaultBranch, CONFIG_PATH, since)).length) return { ...look, all: `${CONFIG_PATH} changed` };

  const { octokit, repo } = ctx;
  const issues = await octokit.paginate(octokit.rest.issues.listForRepo, { ...repo, state: "all", since, sort: "updated", direction: "desc", per_page: 100 });
  for (const issue of issues) {
    for (const label of issue.labels) {
      const name = typeof label === "string" ? label : (label.name ?? "");
      const id = missionOfLabel(name);
      const tracking = id ? trackingIssueOf(id) : undefined;
      if (tracking) note(tracking, issue.number === tracking ? "its issue changed" : `#${issue.number} changed`, issue.updated_at);
      else if (name === LABELS.mission) note(issue.number, "its issue changed", issue.updated_at);
    }
  }
  for (const [issue, at] of options.commands) if (Date.parse(at) >= sinceMs) note(issue, "a command", at);

  for (const commit of await commitsSince(ctx, options.stateBranch, "todo/missions", since)) {
    const tracking = BOT_COMMIT.exec(commit.message)?.[1];
    if (!tracking) return { ...look, all: "a commit to todo/missions not by the bot" };
    note(Number(tracking), "mission.md committed", commit.date);
  }

  // The command runs since: a failed one is a change of its issue; one still to run, or one that succeeded after an
  // issue's last change, has looked (or will look) at everything of it — that issue waits for its hourly look.
  const seen = new Map<number, number>(); // issue → the latest end of a successful run (epoch ms); Infinity: a run still to come
  const runs = await commandRunsSince(ctx, recent, options.commandWorkflow, since);
  if (runs === "too many") return { ...look, all: "more command runs since the last pulse than one page" };
  for (const run of runs ?? []) {
    const issue = Number(COMMAND_RUN.exec(run.display_title)?.[1]);
    if (run.status === "completed" && FAILED.has(run.conclusion ?? "")) {
      if (!options.tracking.has(issue)) return { ...look, all: `a command run failed (${run.display_title.slice(0, 60)})` };
      note(issue, "a command run failed", run.updated_at, true);
    } else if (issue && run.status !== "completed") seen.set(issue, Infinity);
    else if (issue && run.conclusion === "success") seen.set(issue, Math.max(seen.get(issue) ?? 0, Date.parse(run.updated_at)));
  }
  for (const [issue, { what, at, failed }] of changes) {
    if (failed) changed.set(issue, what);
    else if ((seen.get(issue) ?? -Infinity) >= at) changed.set(issue, SEEN);
    else if (at > options.now - FRESH_MS) changed.set(issue, FRESH);
    else changed.set(issue, what);
  }
  return look;
}

/** A change this recent may have started a run GitHub does not list yet: the next pulse looks (its window starts before this one). */
export const FRESH_MS = 60_000;
/** What `changed` holds for an issue whose last change is that recent, with no run seen after it. */
export const FRESH = "changed in the last minute: the next pulse looks";

/** What `changed` holds for an issue whose changes a command run saw (or one still to run will see). */
export const SEEN = "seen by a command run";
