/**
 * What the bot sends when it starts a worker or a validation run (the
 * workflow inputs), and how the answer is recorded. Pure. Every input is a
 * string (GitHub passes them so); none is free text from an issue.
 */
import type { Mission, RunRecord, ValidationRecord } from "../model.js";
import type { WorkerDispatch } from "../decision.js";
import { findFeature, mapFeatures, mapMilestones } from "./workers.js";
import { issueAddress } from "../target/target.js";

/** POC: every worker commits to one mission branch; Full: a branch (and pull request) per feature. */
export function workerBranch(m: Mission, feature: string): string {
  return m.mode === "full" ? `mission/${m.id}/${feature}` : `mission/${m.id}`;
}

/**
 * At most 10 inputs (GitHub Enterprise Server 3.19 and older refuse more; github.com takes 25): the
 * workflow starts from the repository's default branch, which its event names, so that is not one.
 */
export function workerInputs(m: Mission, d: WorkerDispatch): Record<string, string> {
  const feature = findFeature(m, d.feature);
  if (!feature) throw new Error(`feature ${d.feature} is not in mission ${m.id}`);
  return {
    mission: m.id,
    feature: d.feature,
    // "12", or "acme/missions#12" when the mission builds in another repository than its issues live in
    issue: issueAddress(m, d.issue),
    mode: m.mode ?? "poc",
    branch: workerBranch(m, d.feature),
    model: m.models.worker,
    max_turns: String(d.limits.max_turns),
    timeout_minutes: String(d.limits.timeout_minutes),
    ...(d.limits.max_cost_usd !== undefined ? { max_cost_usd: d.limits.max_cost_usd.toFixed(2) } : {}),
    nonce: d.nonce,
  };
}

/** Validation runs on what the features produced: the mission branch (POC) or the default branch (Full). */
export function validationRef(m: Mission, defaultBranch: string): string {
  return m.mode === "full" ? defaultBranch : `mission/${m.id}`;
}

export function validationInputs(m: Mission, milestone: string, nonce: string, defaultBranch: string): Record<string, string> {
  const ms = m.plan?.milestones.find((x) => x.key === milestone);
  if (!ms?.issue) throw new Error(`milestone ${milestone} of mission ${m.id} has no issue`);
  // `criteria` only when there are some: a workflow written before they existed still takes the dispatch
  const criteria: Record<string, string> = ms.criteria?.length ? { criteria: JSON.stringify(ms.criteria) } : {};
  return { mission: m.id, milestone, issue: issueAddress(m, ms.issue.number), ref: validationRef(m, defaultBranch), nonce, ...criteria };
}

type Answer = { runId: number; url?: string } | { runId?: undefined } | { error: string } | { notStarted: true };

function answered<T extends RunRecord>(r: T, answer: Exclude<Answer, { notStarted: true }>, at: number): T {
  const now = new Date(at).toISOString();
  if ("error" in answer) return { ...r, status: "completed", conclusion: "startup_failure", updated_at: now };
  if (answer.runId === undefined) return r; // no id in the answer: found later by its name
  return { ...r, run_id: answer.runId, status: "queued", updated_at: now, ...(answer.url ? { url: answer.url } : {}) };
}

/** The dispatch's answer into the run's record; a run that did not start leaves no record (its try is not used up). */
export function recordDispatch(m: Mission, feature: string, attempt: number, answer: Answer, at: number): Mission {
  if ("notStarted" in answer) return withdrawIntents(m, [{ kind: "dispatch-worker", dispatch: { feature, try: attempt } }]);
  return mapFeatures(m, (f) => (f.key !== feature ? f : { ...f, runs: f.runs.map((r) => (r.try === attempt ? answered(r, answer, at) : r)) }));
}

export function recordValidationDispatch(m: Mission, milestone: string, attempt: number, answer: Answer, at: number): Mission {
  if ("notStarted" in answer) return withdrawIntents(m, [{ kind: "dispatch-validation", milestone, try: attempt }]);
  return mapMilestones(m, (ms) =>
    ms.key !== milestone ? ms : { ...ms, validations: ms.validations.map((v: ValidationRecord) => (v.try === attempt ? answered(v, answer, at) : v)) },
  );
}

/** Remove the recorded intents of dispatches that will not be made now (the apply ran out of room). */
export function withdrawIntents(m: Mission, skipped: readonly { kind: string; dispatch?: { feature: string; try: number }; milestone?: string; try?: number }[]): Mission {
  let next = m;
  for (const a of skipped) {
    if (a.kind === "dispatch-worker" && a.dispatch) {
      const { feature, try: attempt } = a.dispatch;
      next = mapFeatures(next, (f) => (f.key !== feature ? f : { ...f, runs: f.runs.filter((r) => !(r.try === attempt && r.status === "dispatching" && !r.run_id)) }));
    }
    if (a.kind === "dispatch-validation" && a.milestone) {
      const attempt = a.try;
      next = mapMilestones(next, (ms) =>
        ms.key !== a.milestone ? ms : { ...ms, validations: ms.validations.filter((v) => !(v.try === attempt && v.status === "dispatching" && !v.run_id)) },
      );
    }
  }
  return next;
}
