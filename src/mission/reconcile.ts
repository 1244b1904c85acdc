/**
 * Decide: a snapshot of what GitHub and mission.md say now → the mission as
 * it should be recorded and the actions that bring GitHub in line with it.
 * Pure and level-triggered: the same snapshot gives the same decision, and
 * applying it, whatever was left half-done before, converges. Webhooks, the
 * pulse and commands all come through here.
 */
import type { Config, Feature, Mission, RunRecord } from "./model.js";
import { LABELS } from "./model.js";
import { materialise, type FoundIssue, type MaterialiseAction, type Ref } from "./materialise.js";
import {
  activeMilestone,
  featureState,
  isRunning,
  isStuck,
  mapFeatures,
  observe,
  runNonce,
  type ObservedRun,
} from "./workers.js";
import type { ReadReport } from "./report.js";
import { addEntry, entryFromReport, malformedEntry } from "./ledger.js";
import { alertsDue, dispatchCheck, exhaustedDimensions, pauseForBudget, perRunLimits } from "./enforce.js";
import type { History } from "./forecast.js";
import { decideValidation, type FoundValidationReport } from "./validating.js";

export type { Ref, FoundIssue } from "./materialise.js";

export interface FoundReport {
  /** the feature issue the report was posted on */
  feature: string;
  /** the comment's URL, for the record */
  url: string;
  result: Exclude<ReadReport, { found: false }>;
}

export interface Snapshot {
  mission: Mission;
  /** mission.md exists in git (false while the approved plan only lives in the bot's comment) */
  committed: boolean;
  tracking: { number: number; id: number; labels: readonly string[] };
  /** the bot's issues for this mission, found by their hidden markers */
  issues: ReadonlyMap<Ref, FoundIssue>;
  /** open issues GitHub created twice (a create whose answer was lost): the mission keeps `keep` */
  duplicates?: readonly { ref: Ref; keep: number; extra: FoundIssue }[];
  config: Config;
  now: string;
  /** what GitHub says now about runs recorded as unfinished, by run id */
  runs: ReadonlyMap<number, ObservedRun>;
  /** runs found by the nonce in their name, for dispatches whose answer was lost */
  runsByNonce: ReadonlyMap<string, ObservedRun>;
  /** worker reports found on feature issues */
  reports: readonly FoundReport[];
  /** validation reports found on milestone issues */
  validationReports: readonly FoundValidationReport[];
  /** finished features of this repository's missions, for forecasts */
  history: History;
}

export interface WorkerDispatch {
  feature: string;
  try: number;
  issue: number;
  nonce: string;
  limits: { max_turns: number; timeout_minutes: number; max_cost_usd?: number };
}

export type Action =
  | { kind: "commit-mission"; message: string }
  | MaterialiseAction
  | { kind: "dispatch-worker"; dispatch: WorkerDispatch }
  | { kind: "dispatch-validation"; milestone: string; try: number; nonce: string }
  | { kind: "cancel-run"; runId: number }
  /** posted once: the key is a hidden marker; `marks` (budget alerts) are recorded in the mission once it is posted */
  | { kind: "comment"; on: Ref; key: string; body: string; marks?: string[] }
  | { kind: "close-issue"; ref: Ref; reason: "completed" | "not_planned" }
  /** an issue GitHub created twice: say so on it and close it as a duplicate */
  | { kind: "close-duplicate"; number: number; comment: string }
  | { kind: "label"; on: Ref; add?: string[]; remove?: string[] }
  | { kind: "update-dashboard" };

export interface Decision {
  mission: Mission;
  actions: Action[];
}

export const NEEDS_HUMAN = "mission:needs-human";
export const BUDGET_EXHAUSTED = "mission:budget-exhausted";
export const COMPLETED = "mission:completed";

export function reconcile(s: Snapshot): Decision {
  const before = s.mission;
  if (before.status === "scoping" || before.status === "planned" || !before.plan) return { mission: before, actions: [] };
  const closed = (key: string) => s.issues.get(`feature:${key}`)?.state === "closed";
  const actions: Action[] = [];

  // 1. Facts first: what the runs did and what they reported.
  let m = observeRuns(before, s, actions);
  m = ingestReports(m, s);

  // 2. Commands that stop work.
  if (m.status === "cancelled") {
    for (const f of allFeatures(m)) for (const r of f.runs) if (isRunning(r) && r.run_id) actions.push({ kind: "cancel-run", runId: r.run_id });
    return finish(before, m, s, actions);
  }

  // 3. The plan on GitHub, and labels and issue states that follow from the mission.
  const materialising = materialise(m, s.issues);
  actions.push(...materialising, ...followLabels(m, s));

  if (m.status === "completed" || m.status === "paused") return finish(before, m, s, actions);

  // 4. The budget: alerts once, then a hard stop.
  const closedSet = new Set([...s.issues].filter(([ref, i]) => ref.startsWith("feature:") && i.state === "closed").map(([ref]) => ref.slice(8)));
  for (const alert of alertsDue(m, s.config, s.now, { history: s.history, closed: closedSet })) {
    actions.push({ kind: "comment", on: "tracking", key: `alert:${alert.key}`, body: alert.text, marks: alert.marks });
  }
  const exhausted = exhaustedDimensions(m, s.config, s.now);
  if (exhausted.length) {
    m = pauseForBudget(m, exhausted, s.now);
    if (m.budget.hard_stop === "cancel") {
      for (const f of allFeatures(m)) for (const r of f.runs) if (isRunning(r) && r.run_id) actions.push({ kind: "cancel-run", runId: r.run_id });
    }
    return finish(before, m, s, actions);
  }

  // 5. Features that need a person.
  const milestone = activeMilestone(m);
  if (!milestone) return finish(before, m, s, actions);
  m = mapFeatures(m, (f) => {
    if (f.needs_human || !milestone.features.some((x) => x.key === f.key)) return f;
    const state = featureState(f, closed, s.config);
    if (state.kind !== "needs-human" || !f.issue) return f;
    return { ...f, needs_human: state.reason };
  });

  // 6. Validation once every feature of the milestone is done; otherwise dispatch workers.
  const current = activeMilestone(m)!;
  const validation = decideValidation(m, current, s, closed);
  m = validation.mission;
  actions.push(...validation.actions);
  // Workers start once the whole plan is on GitHub (a large plan takes a few deliveries).
  if (!validation.handled && !materialising.length) m = dispatchWorkers(m, s, closed, actions);

  return finish(before, m, s, actions);
}

/** Dispatch ready features of the active milestone, up to the parallel limit and within the budget. */
function dispatchWorkers(m: Mission, s: Snapshot, closed: (k: string) => boolean, actions: Action[]): Mission {
  const milestone = activeMilestone(m);
  if (!milestone) return m;
  const states = milestone.features.map((f) => ({ f, state: featureState(f, closed, s.config) }));
  let slots = s.config.max_parallel_workers - states.filter((x) => x.state.kind === "running").length;
  for (const { f, state } of states) {
    if (slots <= 0) break;
    if (state.kind !== "ready" || !f.issue) continue;
    const check = dispatchCheck(m, f, s.config, s.history);
    if (!check.ok) {
      actions.push({ kind: "comment", on: "tracking", key: `over-budget:${f.key}:${m.ledger.length}`, body: check.reason });
      break;
    }
    const run = { try: state.try, dispatched_at: s.now, status: "dispatching" as const };
    const dispatch: WorkerDispatch = {
      feature: f.key,
      try: state.try,
      issue: f.issue.number,
      nonce: runNonce(run),
      limits: perRunLimits(m, f, s.config, s.history),
    };
    m = mapFeatures(m, (x) => (x.key === f.key ? { ...x, runs: [...x.runs, run] } : x));
    actions.push({ kind: "dispatch-worker", dispatch });
    slots--;
  }
  return m;
}

/** Fold what GitHub says about unfinished runs into the mission; cancel runs that are stuck. */
function observeRuns(m: Mission, s: Snapshot, actions: Action[]): Mission {
  return mapFeatures(m, (f) => {
    if (!f.runs.some(isRunning)) return f;
    const runs = f.runs.map((r) => {
      if (!isRunning(r)) return r;
      const seen = r.run_id ? s.runs.get(r.run_id) : s.runsByNonce.get(`${f.key}/${runNonce(r)}`);
      // Recorded but never found by its name for a while: it did not start (the try is not used up).
      if (!seen && !r.run_id && Date.parse(s.now) - Date.parse(r.dispatched_at) > NEVER_STARTED_MS) return undefined;
      const next = seen ? observe(r, seen) : r;
      if (isRunning(next) && isStuck(next, s.now, s.config)) {
        if (next.run_id) actions.push({ kind: "cancel-run", runId: next.run_id });
        return { ...next, status: "completed" as const, conclusion: "timed_out" as const, updated_at: s.now };
      }
      return next;
    });
    return { ...f, runs: runs.filter((r): r is RunRecord => r !== undefined) };
  });
}

/** A dispatch GitHub has not shown for this long did not start. */
const NEVER_STARTED_MS = 3 * 60_000;

/** Reports become ledger entries (once per run and attempt) and tell each run how it went. */
function ingestReports(m: Mission, s: Snapshot): Mission {
  let mission = m;
  for (const found of s.reports) {
    if (found.result.ok) {
      const report = found.result.report;
      if (report.mission !== m.id || report.feature !== found.feature) continue;
      // Only runs the bot dispatched for this feature are counted (a late report still is).
      const dispatched = mission.plan?.milestones.some((ms) => ms.features.some((f) => f.key === report.feature && f.runs.some((r) => r.run_id === report.run_id)));
      if (!dispatched) continue;
      mission = addEntry(mission, entryFromReport(report, s.config, s.now)).mission;
      mission = mapFeatures(mission, (f) =>
        f.key !== report.feature
          ? f
          : { ...f, runs: f.runs.map((r) => (r.run_id === report.run_id ? { ...r, reported: report.outcome } : r)) },
      );
    } else {
      const key = `malformed-${found.url.split("#").pop() ?? found.url}`;
      mission = addEntry(mission, malformedEntry(key, found.feature, found.result.problems, s.now)).mission;
      mission = mapFeatures(mission, (f) => {
        if (f.key !== found.feature) return f;
        const i = f.runs.findLastIndex((r) => r.status === "completed" && !r.reported);
        return i < 0 ? f : { ...f, runs: f.runs.map((r, j) => (j === i ? { ...r, reported: "malformed" as const } : r)) };
      });
    }
  }
  return mission;
}

/**
 * What people must be told follows from the mission's state, not from the
 * moment it changed: each notice is posted (once, by its key) and then
 * labelled, and the label says it was done. An apply cut short after a
 * transition therefore still tells them next time.
 */
function tellPeople(m: Mission, s: Snapshot): Action[] {
  const actions: Action[] = [];
  const has = (label: string) => s.tracking.labels.includes(label);
  if (m.status === "completed" && !has(COMPLETED)) {
    actions.push(
      {
        kind: "comment",
        on: "tracking",
        key: "completed",
        body: `**Mission ${m.id} is complete.** Every milestone passed validation. The ledger and decision log are in \`todo/missions/${m.id}/mission.md\`.`,
      },
      { kind: "label", on: "tracking", add: [COMPLETED] },
    );
  }
  const reason = m.status === "paused" ? (m.paused_reason ?? "") : "";
  if (reason.startsWith("budget") && !has(BUDGET_EXHAUSTED)) {
    const dims = exhaustedDimensions(m, s.config, s.now);
    actions.push(
      { kind: "comment", on: "tracking", key: `budget-stop:${m.budget.usd}:${m.budget.hours}:${m.budget.tokens}`, body: budgetStopText(m, dims) },
      { kind: "label", on: "tracking", add: [BUDGET_EXHAUSTED] },
    );
  }
  if (reason.startsWith("validation") && !has(NEEDS_HUMAN)) {
    actions.push(
      { kind: "comment", on: "tracking", key: `validation-pause:${reason}`, body: validationPauseText(m, reason) },
      { kind: "label", on: "tracking", add: [NEEDS_HUMAN] },
    );
  }
  for (const f of m.plan?.milestones.flatMap((ms) => ms.features) ?? []) {
    const issue = s.issues.get(`feature:${f.key}`);
    if (!f.needs_human || !issue || issue.state === "closed" || issue.labels?.includes(NEEDS_HUMAN)) continue;
    actions.push(
      { kind: "comment", on: `feature:${f.key}`, key: `needs-human:${f.runs.length}`, body: needsHumanText(f, f.needs_human) },
      { kind: "label", on: `feature:${f.key}`, add: [NEEDS_HUMAN] },
    );
  }
  return actions;
}

function validationPauseText(m: Mission, reason: string): string {
  const milestone = m.plan?.milestones.find((ms) => !ms.validated)?.key ?? "";
  return `**Mission ${m.id} is paused: ${reason}.** A person should look at the milestone's validation results. Fix what keeps failing, then reply \`/mission resume\`, or \`/mission skip-validation ${milestone}\` to accept the milestone as it is.`;
}

/** Labels and issue states derived from the mission: set when they apply, removed when they no longer do. */
function followLabels(m: Mission, s: Snapshot): Action[] {
  const actions: Action[] = [];
  for (const d of s.duplicates ?? []) {
    actions.push({
      kind: "close-duplicate",
      number: d.extra.number,
      comment: `Duplicate of #${d.keep}: GitHub created this issue twice when its answer to mission-bot was lost. The mission works on #${d.keep}.`,
    });
  }
  const budgetStop = m.status === "paused" && (m.paused_reason ?? "").startsWith("budget");
  if (!budgetStop && s.tracking.labels.includes(BUDGET_EXHAUSTED)) actions.push({ kind: "label", on: "tracking", remove: [BUDGET_EXHAUSTED] });
  const validationStop = m.status === "paused" && (m.paused_reason ?? "").startsWith("validation");
  if (!validationStop && s.tracking.labels.includes(NEEDS_HUMAN)) actions.push({ kind: "label", on: "tracking", remove: [NEEDS_HUMAN] });
  for (const ms of m.plan?.milestones ?? []) {
    if (ms.validated && s.issues.get(`milestone:${ms.key}`)?.state === "open") {
      actions.push({ kind: "close-issue", ref: `milestone:${ms.key}`, reason: "completed" });
    }
    for (const f of ms.features) {
      if (!f.needs_human && s.issues.get(`feature:${f.key}`)?.labels?.includes(NEEDS_HUMAN)) {
        actions.push({ kind: "label", on: `feature:${f.key}`, remove: [NEEDS_HUMAN] });
      }
    }
  }
  return actions;
}

function finish(before: Mission, after: Mission, s: Snapshot, actions: Action[]): Decision {
  actions.push(...tellPeople(after, s));
  const changed = !s.committed || JSON.stringify(before) !== JSON.stringify(after);
  const head: Action[] = changed ? [{ kind: "commit-mission", message: commitMessage(before, after) }] : [];
  return { mission: after, actions: [...head, ...actions, { kind: "update-dashboard" }] };
}

function commitMessage(before: Mission, after: Mission): string {
  if (before.status !== after.status) return `mission ${after.id}: ${after.status}`;
  return `mission ${after.id}: progress`;
}

function allFeatures(m: Mission): Feature[] {
  return m.plan?.milestones.flatMap((ms) => ms.features) ?? [];
}

function needsHumanText(f: Feature, reason: string): string {
  return [
    `**This feature needs a person.** ${reason}.`,
    "",
    `The mission goes on with other features. When the problem is fixed, reply \`/mission retry ${f.key}\` on the tracking issue, or close this issue if the work is done.`,
  ].join("\n");
}

function budgetStopText(m: Mission, dims: string[]): string {
  return [
    `**Mission ${m.id} is paused: its ${dims.join(" and ")} budget is used up.** No new worker starts; ${
      m.budget.hard_stop === "cancel" ? "running workers are being cancelled." : "running workers finish their current feature."
    }`,
    "",
    "To continue, raise the budget (people with write access):",
    "",
    "```",
    "/mission budget +$100",
    "/mission budget +10h",
    "/mission budget +2M tokens",
    "```",
  ].join("\n");
}

export { LABELS };
