/**
 * Workers: where each feature stands, what GitHub says its runs did, and
 * which features to dispatch next. Pure.
 */
import type { Config, Feature, Milestone, Mission, RunRecord } from "../model.js";

import type { ObservedRun } from "../decision.js";
export type { ObservedRun } from "../decision.js";

export type FeatureState =
  | { kind: "done" }
  | { kind: "running"; run: RunRecord }
  /** the last run succeeded; waiting for its issue to close (POC: the report; Full: the merged pull request) */
  | { kind: "awaiting"; run: RunRecord }
  | { kind: "needs-human"; reason: string }
  | { kind: "blocked"; on: string[] }
  | { kind: "ready"; try: number; lastFailure?: string };

const FAILED: ReadonlySet<string> = new Set(["failure", "cancelled", "timed_out", "startup_failure", "action_required", "stale"]);

export function isRunning(r: RunRecord): boolean {
  return r.status !== "completed";
}

/** Why a completed run did not finish its feature, or undefined when it did. */
export function runFailure(r: RunRecord): string | undefined {
  if (r.status !== "completed") return undefined;
  if (r.conclusion && FAILED.has(r.conclusion)) return `run ${r.run_id ?? "(never started)"} ended ${r.conclusion.replace("_", " ")}`;
  if (r.reported === "failure") return `run ${r.run_id} reported that the worker could not finish`;
  if (r.reported === "malformed") return `run ${r.run_id} sent a report that could not be read`;
  return undefined;
}

export function featureState(f: Feature, isClosed: (key: string) => boolean, config: Config): FeatureState {
  if (isClosed(f.key)) return { kind: "done" };
  if (f.needs_human) return { kind: "needs-human", reason: f.needs_human };
  const last = f.runs.at(-1);
  if (last && isRunning(last)) return { kind: "running", run: last };
  if (last) {
    const failure = runFailure(last);
    if (!failure) return { kind: "awaiting", run: last };
    const tries = f.runs.length - f.attempts_base;
    if (tries >= config.worker.max_attempts) {
      return { kind: "needs-human", reason: `${tries} tries failed; the last: ${failure}` };
    }
    return { kind: "ready", try: f.runs.length + 1, lastFailure: failure };
  }
  const waiting = f.depends_on.filter((d) => !isClosed(d));
  if (waiting.length) return { kind: "blocked", on: waiting };
  return { kind: "ready", try: 1 };
}

/** The milestone being worked on: the first one not yet validated (or skipped). */
export function activeMilestone(m: Mission): Milestone | undefined {
  return m.plan?.milestones.find((ms) => !ms.validated);
}

/** The nonce in a run's name, so a dispatch whose answer was lost can be found again. */
export function runNonce(r: Pick<RunRecord, "try" | "dispatched_at">): string {
  return `t${r.try}-${Math.floor(Date.parse(r.dispatched_at) / 1000).toString(36)}`;
}

/**
 * The `run-name` the worker and validation workflows give their runs:
 * "mission <id> / feature 1.2 / <nonce>" or "mission <id> / validate 2 / <nonce>".
 * `key` is a feature key, or "validate-<milestone>".
 */
export function runName(missionId: string, key: string, nonce: string): string {
  const what = key.startsWith("validate-") ? `validate ${key.slice("validate-".length)}` : `feature ${key}`;
  return `mission ${missionId} / ${what} / ${nonce}`;
}

/** Fold what GitHub says about a run into its record. */
export function observe(r: RunRecord, run: ObservedRun): RunRecord {
  const status = run.status === "completed" ? "completed" : run.status === "in_progress" ? "in_progress" : "queued";
  const next: RunRecord = {
    ...r,
    run_id: run.id,
    status,
    updated_at: run.updated_at,
    ...(run.html_url ? { url: run.html_url } : {}),
    ...(status === "completed" && run.conclusion ? { conclusion: run.conclusion } : {}),
  };
  return next;
}

/** A run that has not moved for `stuck_after_minutes` (or a dispatch never seen for 10 minutes). */
export function isStuck(r: RunRecord, now: string, config: Config): boolean {
  if (!isRunning(r)) return false;
  const since = Date.parse(r.updated_at ?? r.dispatched_at);
  const limitMinutes = r.status === "dispatching" ? 10 : config.worker.stuck_after_minutes;
  return Date.parse(now) - since > limitMinutes * 60_000;
}

export function mapFeatures(m: Mission, fn: (f: Feature, ms: Milestone) => Feature): Mission {
  if (!m.plan) return m;
  return {
    ...m,
    plan: {
      ...m.plan,
      milestones: m.plan.milestones.map((ms) => ({ ...ms, features: ms.features.map((f) => fn(f, ms)) })),
    },
  };
}

export function mapMilestones(m: Mission, fn: (ms: Milestone) => Milestone): Mission {
  if (!m.plan) return m;
  return { ...m, plan: { ...m.plan, milestones: m.plan.milestones.map(fn) } };
}

export function findFeature(m: Mission, key: string): Feature | undefined {
  for (const ms of m.plan?.milestones ?? []) {
    const f = ms.features.find((x) => x.key === key);
    if (f) return f;
  }
  return undefined;
}

/**
 * POC: whether the mission records a commit on its branch (a worker's successful report names the commit its
 * apply job pushed there): the branch exists as far as the mission knows, and a worker starts from it without
 * asking GitHub. Without one, the worker's prompt step asks (another worker may have pushed first).
 */
export function missionBranchRecorded(m: Mission): boolean {
  return m.mode !== "full" && (m.plan?.milestones ?? []).some((ms) => ms.features.some((f) => f.runs.some((r) => r.reported === "success" && !!r.commit)));
}
