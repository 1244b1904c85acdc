/**
 * Validation in the loop: once every feature of the active milestone is
 * done, validate the repository; a pass closes the milestone and moves on, a
 * failure opens fix features (one per failing area, never twice), and
 * repeated failures pause the mission for a person. Pure.
 */
import type { LedgerEntry, Milestone, Mission, ValidationRecord } from "../model.js";
import { actionsCostMicros, addEntry, ledgerKey } from "../budget/ledger.js";
import type { Action, LoopFacts } from "../decision.js";
import type { Config } from "../model.js";
import { activeMilestone, isRunning, isStuck, observe, runNonce } from "../workers/workers.js";
import { inlineText } from "../markdown/escape.js";
import { fixFeatures, groupFailures, validationVerdict, type ValidationReport } from "./validation.js";

export type { FoundValidationReport } from "../decision.js";

export interface ValidationStep {
  mission: Mission;
  actions: Action[];
  /** true when the milestone is validating (or done): no worker is dispatched */
  handled: boolean;
}

export function decideValidation(
  m: Mission,
  milestone: Milestone,
  s: Pick<LoopFacts, "runs" | "runsByNonce" | "validationReports"> & { config: Config; now: string },
  closed: (key: string) => boolean,
): ValidationStep {
  const actions: Action[] = [];
  const inFlight = milestone.validations.some(isRunning);
  if (!milestone.features.every((f) => closed(f.key)) && !(milestone.validate_now || inFlight)) {
    return { mission: m.status === "validating" ? { ...m, status: "active" } : m, actions, handled: false };
  }
  let records = milestone.validations.flatMap((v) => observeValidation(v, milestone.key, s, actions));
  const last = records.at(-1);

  // A run under way: wait for it.
  if (last && isRunning(last)) return done(m, milestone, records, actions, "validating");

  // A finished run: its report decides (no report, or garbage, is not a pass).
  if (last && last.status === "completed" && !last.outcome) {
    const found = s.validationReports.find((r) => r.milestone === milestone.key && r.result.ok && r.result.report.run_id === last.run_id);
    const garbage = s.validationReports.find((r) => r.milestone === milestone.key && !r.result.ok);
    const uncovered = found?.result.ok && !coversCriteria(milestone, found.result.report);
    if (found?.result.ok && !uncovered) {
      const report = found.result.report;
      m = addEntry(m, validationEntry(report, milestone.key, s.config, s.now)).mission;
      const verdict = validationVerdict(report);
      const groups = verdict === "fail" ? groupFailures(report) : [];
      const criteria = criteriaTally(report);
      records = replaceLast(records, { ...last, outcome: verdict, failures: groups.map((g) => g.signature), ...(criteria ? { criteria } : {}) });
      if (verdict === "pass" && milestone.features.every((f) => closed(f.key))) return passMilestone(m, milestone, records, actions, s.now);
      if (verdict === "pass") {
        // Asked for early (/mission validate): the checks pass, the features go on.
        return { mission: { ...withMilestone(m, { ...milestone, validations: records }), status: "active" }, actions, handled: false };
      }
      const { create, update } = fixFeatures(milestone, groups, closedIsNot(closed));
      for (const u of update) {
        actions.push({
          kind: "comment",
          on: `feature:${u.key}`,
          key: `refail:${last.run_id}`,
          body: `Validation run ${last.run_id} still fails here: **${inlineText(u.group.title)}** (${u.group.count} failing).`,
        });
      }
      const next: Milestone = { ...milestone, validations: records, features: [...milestone.features, ...create] };
      return failed(m, next, s, actions);
    }
    records = replaceLast(records, { ...last, outcome: "invalid" });
    if (uncovered) {
      actions.push({
        kind: "comment",
        on: `milestone:${milestone.key}`,
        key: `invalid-validation:${last.run_id}`,
        body: `The report of validation run ${last.run_id} does not check this milestone's validation criteria, so it does not count as a pass. The repository's \`.github/workflows/mission-validate.yml\` may predate them: it needs the \`criteria\` input, passed to the plan and report steps as \`MISSION_CRITERIA\` (see mission-bot's template).`,
      });
    } else if (garbage && !garbage.result.ok) {
      actions.push({
        kind: "comment",
        on: `milestone:${milestone.key}`,
        key: `invalid-validation:${last.run_id}`,
        body: `The report of validation run ${last.run_id} could not be read, so it does not count as a pass:\n${garbage.result.problems
          .map((p) => `- ${inlineText(p)}`)
          .join("\n")}`,
      });
    }
  }

  // Decide whether to validate (again).
  const invalid = trailing(records, (v) => v.outcome === "invalid");
  const failures = records.filter((v) => v.outcome === "fail").length - milestone.failures_acknowledged;
  if (invalid >= 2) return pause(m, milestone, records, actions, `validation of milestone ${milestone.key} could not run or report twice`);
  if (failures >= s.config.validation.max_failures) {
    const keeps = [...new Set(records.filter((v) => v.outcome === "fail").flatMap((v) => v.failures))].slice(0, 10);
    return pause(m, milestone, records, actions, `validation of milestone ${milestone.key} failed ${failures} times (${keeps.join(", ") || "see the results"})`);
  }
  if (!milestone.features.every((f) => closed(f.key)) && !milestone.validate_now) {
    return { mission: { ...withMilestone(m, { ...milestone, validations: records }), status: "active" }, actions, handled: false };
  }
  const run: ValidationRecord = { try: records.length + 1, dispatched_at: s.now, status: "dispatching", failures: [] };
  actions.push({ kind: "dispatch-validation", milestone: milestone.key, try: run.try, nonce: runNonce(run) });
  return done(m, { ...milestone, validate_now: undefined }, [...records, run], actions, "validating");
}

/** A validation run costs Actions minutes (no model tokens): one ledger entry per run and attempt. */
function validationEntry(report: ValidationReport, milestone: string, config: Config, at: string): LedgerEntry {
  const seconds = report.commands.reduce((sum, c) => sum + c.duration_seconds, 0);
  const minutes = seconds / 60;
  return {
    key: ledgerKey(report.run_id, report.run_attempt),
    kind: "validation",
    tokens_in: 0,
    tokens_out: 0,
    cost_micros: actionsCostMicros(minutes, config),
    wall_seconds: seconds,
    actions_minutes: Math.ceil(minutes),
    at,
    note: `validation of milestone ${milestone}`,
  };
}

function observeValidation(
  v: ValidationRecord,
  key: string,
  s: Pick<LoopFacts, "runs" | "runsByNonce"> & { config: Config; now: string },
  actions: Action[],
): ValidationRecord | [] {
  if (!isRunning(v)) return v;
  const seen = v.run_id ? s.runs.get(v.run_id) : s.runsByNonce.get(`validate-${key}/${runNonce(v)}`);
  // Recorded but never found by its name for a while: it did not start.
  if (!seen && !v.run_id && Date.parse(s.now) - Date.parse(v.dispatched_at) > 3 * 60_000) return [];
  const next = seen ? { ...v, ...observe(v, seen) } : v;
  if (isRunning(next) && isStuck(next, s.now, s.config)) {
    if (next.run_id) actions.push({ kind: "cancel-run", runId: next.run_id });
    return { ...next, status: "completed", conclusion: "timed_out", updated_at: s.now };
  }
  return next;
}

function passMilestone(m: Mission, milestone: Milestone, records: ValidationRecord[], actions: Action[], now: string): ValidationStep {
  actions.push({ kind: "close-issue", ref: `milestone:${milestone.key}`, reason: "completed" });
  let mission = withMilestone(m, { ...milestone, validations: records, validated: "passed" });
  mission = { ...mission, decisions: [...mission.decisions, { at: now, by: "mission-bot", what: `Milestone ${milestone.key} passed validation.` }] };
  const next = activeMilestone(mission);
  if (!next) {
    mission = { ...mission, status: "completed" }; // the tracking issue is told by reconcile's notices
  } else {
    mission = { ...mission, status: "active" };
  }
  return { mission, actions, handled: true };
}

function failed(m: Mission, milestone: Milestone, s: { config: Config }, actions: Action[]): ValidationStep {
  const failures = milestone.validations.filter((v) => v.outcome === "fail").length - milestone.failures_acknowledged;
  if (failures >= s.config.validation.max_failures) {
    const keeps = milestone.validations.at(-1)?.failures.slice(0, 10).join(", ") ?? "";
    return pause(m, milestone, milestone.validations, actions, `validation of milestone ${milestone.key} failed ${failures} times (${keeps})`);
  }
  return { mission: { ...withMilestone(m, milestone), status: "active" }, actions, handled: true };
}

function pause(m: Mission, milestone: Milestone, records: ValidationRecord[], actions: Action[], reason: string): ValidationStep {
  // The tracking issue is told by reconcile's notices (they follow from paused_reason).
  const mission = { ...withMilestone(m, { ...milestone, validations: records }), status: "paused" as const, paused_reason: reason };
  return { mission, actions, handled: true };
}

function done(m: Mission, milestone: Milestone, records: ValidationRecord[], actions: Action[], status: Mission["status"]): ValidationStep {
  return { mission: { ...withMilestone(m, { ...milestone, validations: records }), status }, actions, handled: true };
}

function withMilestone(m: Mission, milestone: Milestone): Mission {
  if (!m.plan) return m;
  return { ...m, plan: { ...m.plan, milestones: m.plan.milestones.map((ms) => (ms.key === milestone.key ? milestone : ms)) } };
}

/** How many of the newest records in a row satisfy `pred`. */
function trailing<T>(list: readonly T[], pred: (x: T) => boolean): number {
  let n = 0;
  for (let i = list.length - 1; i >= 0 && pred(list[i]!); i--) n++;
  return n;
}

function replaceLast<T>(list: T[], item: T): T[] {
  return [...list.slice(0, -1), item];
}

function closedIsNot(closed: (key: string) => boolean): (key: string) => boolean {
  return (key) => !closed(key);
}

/** A report counts for a milestone with criteria only when it judged exactly those criteria. */
function coversCriteria(milestone: Milestone, report: ValidationReport): boolean {
  const want = milestone.criteria ?? [];
  if (!want.length) return true;
  const got = report.criteria ?? [];
  return got.length === want.length && got.every((c, i) => JSON.stringify(c.criterion) === JSON.stringify(want[i]));
}

/** How many of the criteria a command or page checked passed (`check` statements are not counted). */
function criteriaTally(report: ValidationReport): { passed: number; checked: number } | undefined {
  if (!report.criteria?.length) return undefined;
  const checked = report.criteria.filter((c) => c.result !== "not-checked");
  return { passed: checked.filter((c) => c.result === "passed").length, checked: checked.length };
}
