/**
 * The idle mission: one conditional read says whether anything of it
 * changed since its last load; when nothing did, that load's answers (the
 * ETag store's) stand in for GitHub's and reconcile decides again with the
 * new time. Timeouts, budget hours and dispatches still happen; a mission
 * with nothing to do costs one request answered 304, which does not count
 * against GitHub's primary limit.
 *
 * The read: the first page of the mission's issues by its label, most
 * recently changed first (loop-facts.ts `missionIssuesQuery`). The tracking
 * issue, milestones and features all carry the label, so a person's comment
 * or edit, a command, a worker's or validation's report, a close or a
 * relabel each change that page. For an issue with no mission yet, the
 * issue itself (a comment changes its `updated_at`).
 *
 * What that read does not see, and how it is still noticed:
 * - a workflow run that ends without a report (crash, cancel): the
 *   `workflow_run` event's job never replays, and every job loads everything
 *   afresh (conditionally) at least once per `refreshMs` (default an hour:
 *   four pulses at the App's 15 minutes);
 * - mission.md or `.github/mission.yml` changed by a person's push: the
 *   same hourly refresh;
 * - the bot's own writes: a job that wrote anything, or met a conflict or a
 *   refusal, leaves no "unchanged since" mark, so the next job loads afresh.
 *
 * A mark is only ever the ETag read *before* a load that then wrote
 * nothing: anything that changes after that read changes the ETag.
 */
import type { Mission } from "../mission/model.js";
import type { Snapshot } from "../mission/decision.js";
import type { Octokit } from "../github/client.js";
import type { EtagStore } from "../github/etag-cache.js";
import { missionIssuesQuery } from "../github/loop-facts.js";
import type { ReconcileJob } from "./queue.js";
import { jobKey } from "./queue.js";

export interface IdleOptions {
  store: EtagStore;
  /** the longest the pulse goes on answers it did not ask about again (default an hour) */
  refreshMs?: number;
}

export const IDLE_REFRESH_MS = 60 * 60_000;

type Probe = { kind: "mission"; id: string } | { kind: "issue" };

interface Mark {
  probe: Probe;
  /** the probe's ETag, read before the last load that wrote nothing (absent: not yet known) */
  etag?: string;
  /** when that mission was last loaded afresh (epoch ms) */
  fullAt?: number;
}

export interface IdleCheck {
  /** nothing changed: load from the stored answers */
  replay: boolean;
  /** the probe read before the load, if any */
  probe?: Probe;
  etag?: string;
  fullAt?: number;
}

function markKey(scope: string, job: ReconcileJob): string {
  return `idle:${scope}:${jobKey(job)}`;
}

function parseMark(text: string | undefined): Mark | undefined {
  if (!text) return undefined;
  try {
    const m = JSON.parse(text) as Mark;
    if (m.probe?.kind === "mission" && typeof m.probe.id === "string") return m;
    if (m.probe?.kind === "issue") return m;
  } catch {
    // a mark we cannot read is no mark
  }
  return undefined;
}

/** The probe's ETag now (one conditional GET). The tracking issue must be on the page, or the page proves nothing about it. */
async function probeEtag(octokit: Octokit, job: ReconcileJob, probe: Probe): Promise<string | undefined> {
  const repo = { owner: job.owner, repo: job.repo };
  if (probe.kind === "issue") {
    const answer = await octokit.rest.issues.get({ ...repo, issue_number: job.issue });
    return answer.headers.etag;
  }
  const answer = await octokit.rest.issues.listForRepo(missionIssuesQuery(repo, probe.id));
  if (!answer.data.some((i) => i.number === job.issue)) return undefined;
  return answer.headers.etag;
}

/** Before a job's first load: ask whether anything changed since the mark. */
export async function checkIdle(octokit: Octokit, options: IdleOptions, scope: string, job: ReconcileJob, now: number): Promise<IdleCheck> {
  const mark = parseMark(await options.store.getMark(markKey(scope, job)));
  if (!mark) return { replay: false };
  const etag = await probeEtag(octokit, job, mark.probe);
  const fresh = mark.fullAt !== undefined && now - mark.fullAt < (options.refreshMs ?? IDLE_REFRESH_MS) && now >= mark.fullAt;
  // a finished run says so only in its own event: that job looks at everything
  const runEvent = (job.reason ?? "").startsWith("workflow_run");
  const replay = etag !== undefined && mark.etag === etag && fresh && !runEvent;
  return { replay, probe: mark.probe, ...(etag ? { etag } : {}), ...(mark.fullAt !== undefined ? { fullAt: mark.fullAt } : {}) };
}

/**
 * After a job: a job that wrote nothing marks the mission unchanged as of the
 * probe read before its load; any other job leaves only which probe to ask
 * next time (no ETag: the next job loads afresh).
 */
export async function markIdle(
  options: IdleOptions,
  scope: string,
  job: ReconcileJob,
  outcome: { quiet: boolean; snapshot?: Snapshot; check: IdleCheck; replayed: boolean; now: number },
): Promise<void> {
  const key = markKey(scope, job);
  const s = outcome.snapshot;
  if (!s) return options.store.deleteMark(key);
  const probe: Probe = s.mission.kind === "found" ? { kind: "mission", id: s.mission.mission.id } : { kind: "issue" };
  const sameProbe = outcome.check.probe !== undefined && JSON.stringify(outcome.check.probe) === JSON.stringify(probe);
  const mark: Mark = { probe };
  if (outcome.quiet && sameProbe && outcome.check.etag !== undefined && !(s.mission.kind === "found" && awaitsRun(s.mission.mission))) {
    mark.etag = outcome.check.etag;
    const fullAt = outcome.replayed ? outcome.check.fullAt : outcome.now;
    if (fullAt !== undefined) mark.fullAt = fullAt;
  }
  await options.store.setMark(key, JSON.stringify(mark));
}

/**
 * A dispatch whose run GitHub has not listed yet (Enterprise Server gives no
 * run id with the dispatch: the run is found by its name in the runs list).
 * No page of issues changes when it shows up, so such a mission is never
 * marked unchanged: each job lists the runs again (conditionally).
 */
function awaitsRun(mission: Mission): boolean {
  return (mission.plan?.milestones ?? []).some(
    (ms) => ms.validations.some((v) => v.status === "dispatching") || ms.features.some((f) => f.runs.some((r) => r.status === "dispatching")),
  );
}
