/**
 * The loop's rules for a mission that runs: what the runs did and reported,
 * the plan on GitHub, the budget, validation, and which workers start next.
 * Pure and level-triggered: the same facts give the same decision, and
 * applying it, whatever was left half-done before, converges.
 */
import type { Config, Feature, LedgerEntry, Mission, RunRecord } from "./model.js";
import { LABELS } from "./model.js";
import { refusedBefore, type Action, type FoundIssue, type LoopFacts, type Ref, type WorkerDispatch } from "./decision.js";
import { materialise, type ServerOffers } from "./plan/materialise.js";
import { activeMilestone, featureState, isRunning, isStuck, mapFeatures, observe, runNonce } from "./workers/workers.js";
import { addEntry, entryFromReport, ledgerKey, malformedEntry } from "./budget/ledger.js";
import { forecastOf } from "./budget/forecast.js";
import { LEVEL_LABELS, withLevel } from "./budget/budget.js";
import { formatTokens, formatUsd } from "./budget/money.js";
import { alertsDue, DIMENSION_WORDS, dispatchCheck, exhaustedDimensions, pauseForBudget, perRunLimits } from "./budget/enforce.js";
import type { History } from "./budget/forecast.js";
import { decideValidation } from "./validation/validating.js";
import { inlineText } from "./markdown/escape.js";
import { fitComment } from "./markdown/fit.js";
import { milestoneBody, milestoneBodyOfRecord } from "./markdown/issues.js";
import { evidenceFor, handOverPullRequest, missionBranch, renderCompletionReport } from "./markdown/completion-report.js";
import { retrospective } from "./budget/retrospective.js";
import { missingFor, observeSecrets, waitingNotices } from "./workers/resources.js";
import { decideSpending } from "./spending/loop.js";

export const NEEDS_HUMAN = "mission:needs-human";
export const BUDGET_EXHAUSTED = "mission:budget-exhausted";
export const COMPLETED = "mission:completed";

/** The statuses in which the loop runs (the conversation owns scoping and planned). */
export function runs(m: Mission): boolean {
  return m.status !== "scoping" && m.status !== "planned" && !!m.plan;
}

export interface AdvanceInput {
  mission: Mission;
  facts: LoopFacts;
  config: Config;
  now: string;
  history: History;
  /** the tracking issue's labels now */
  trackingLabels: readonly string[];
  /** notice keys found on the tracking issue's recent bot comments (posted, perhaps not yet recorded) */
  posted: ReadonlySet<string>;
  /** what the server offers (an older Enterprise Server has no sub-issues); default everything */
  server?: ServerOffers;
  /** the repository's default branch: a POC mission's branch is proposed to it at the end; default "main" */
  defaultBranch?: string;
  /** no worker or validation starts now: the mission has no repository to build in, or one the App cannot reach (target/attach.ts) */
  hold?: boolean;
}

export interface Advance {
  mission: Mission;
  actions: Action[];
  /** applying this unlocks more work (issues still being created, a milestone just passed): decide again after */
  again: boolean;
}

export function advance(input: AdvanceInput): Advance {
  const s = input;
  const before = s.mission;
  const actions: Action[] = [];

  // 1. Facts first: who closed what, what the runs did and what they reported.
  let m = countCloses(before, s, actions);
  m = observeRuns(m, s, actions);
  m = ingestReports(m, s, actions);
  const spending = decideSpending(m, s.facts, s.config, s.now);
  m = spending.mission;
  actions.push(...spending.actions);
  // Issues read again for a re-run's report: the look is recorded, so an unchanged issue is not read again.
  for (const key of s.facts.reread ?? []) m = mapFeatures(m, (f) => (f.key === key ? { ...f, reports_read: s.now } : f));
  m = countComments(m, s);
  m = observeSecrets(m, s.facts.secrets, s.now);
  // A budget refusal holds for one pass: recorded again when dispatching still refuses (the dashboard reads it).
  const refused = m.waiting_for_budget;
  if (refused) {
    const { waiting_for_budget: _, ...rest } = m;
    m = rest;
  }
  const done = (key: string) => !!findFeature(m, key)?.done;

  // 2. Commands that stop work.
  if (m.status === "cancelled") {
    for (const f of allFeatures(m)) for (const r of f.runs) if (isRunning(r) && r.run_id) actions.push({ kind: "cancel-run", runId: r.run_id });
    return finish(m, s, actions);
  }

  // 3. Duplicates resolved before anything depends on them; then the plan on GitHub, and the
  //    labels and issue states that follow from the mission.
  actions.push(...closeDuplicates(m, s));
  const materialising = materialise(m, s.facts.issues, s.server);
  actions.push(...materialising, ...followLabels(m, s));

  if (m.status === "completed" || m.status === "paused") return finish(m, s, actions);

  // 4. The budget: alerts once, then a hard stop.
  const doneSet = new Set(allFeatures(m).filter((f) => f.done).map((f) => f.key));
  for (const alert of alertsDue(m, s.config, s.now, { history: s.history, closed: doneSet })) {
    actions.push({ kind: "comment", on: "tracking", key: `alert:${alert.key}`, body: alert.text, marks: alert.marks });
    if (alert.downgrade && s.config.budget.downgrade === "apply") {
      const { level, model } = alert.downgrade;
      m = withLevel(m, { level, model, why: "" });
      m = { ...m, decisions: [...m.decisions, { at: s.now, by: "mission-bot", what: `Outcome level lowered to ${LEVEL_LABELS[level]} for the features left (workers run ${model}): budget alert ${alert.key}, budget.downgrade: apply.` }] };
    }
  }
  const exhausted = exhaustedDimensions(m, s.config, s.now);
  if (exhausted.length) {
    m = pauseForBudget(m, exhausted, s.now);
    if (m.budget.hard_stop === "cancel") {
      for (const f of allFeatures(m)) for (const r of f.runs) if (isRunning(r) && r.run_id) actions.push({ kind: "cancel-run", runId: r.run_id });
    }
    return finish(m, s, actions);
  }

  // 5. Features that need a person.
  const milestone = activeMilestone(m);
  if (!milestone) return finish(m, s, actions);
  m = mapFeatures(m, (f) => {
    if (f.needs_human || !milestone.features.some((x) => x.key === f.key)) return f;
    const state = featureState(f, done, s.config);
    if (state.kind !== "needs-human" || !f.issue) return f;
    return { ...f, needs_human: state.reason };
  });

  // 6. Validation once every feature of the milestone is done; otherwise dispatch workers.
  if (s.hold) return finish(m, s, actions);
  const current = activeMilestone(m)!;
  const validation = decideValidation(m, current, { ...s.facts, config: s.config, now: s.now }, done);
  m = validation.mission;
  actions.push(...validation.actions);
  // Workers start once the whole plan is on GitHub (a large plan takes a few applies).
  if (!validation.handled && !materialising.length) m = dispatchWorkers(m, s, done, actions, refused);

  return finish(m, s, actions);
}

/**
 * A feature is done when its issue was closed by the bot, by a worker's
 * report step (an older workflow), or by a person with write access
 * (checked live); in POC mode also when its worker's trusted success
 * report came in, its issue still open (ingestReports; finishFeatures
 * closes it). A close by anyone else is undone, once per closer and
 * feature, with a word why.
 */
function countCloses(m: Mission, s: AdvanceInput, actions: Action[]): Mission {
  let mission = m;
  for (const close of s.facts.closes) {
    const f = findFeature(mission, close.feature);
    if (!f || f.done) continue;
    if (close.counts) {
      mission = mapFeatures(mission, (x) => (x.key === close.feature ? { ...x, done: { by: close.by, at: s.now } } : x));
    } else {
      actions.push(
        { kind: "reopen-issue", ref: `feature:${close.feature}` },
        {
          kind: "comment",
          on: `feature:${close.feature}`,
          key: `reopened:${close.feature}:${close.by.toLowerCase()}:${f.runs.length}`,
          body: `Reopened: only people with write access to the repository can finish a feature of a mission (closed by @${close.by}). The mission goes on as before.`,
        },
      );
    }
  }
  return mission;
}

/** Dispatch ready features of the active milestone, up to the parallel limit and within the budget. */
function dispatchWorkers(m: Mission, s: AdvanceInput, done: (k: string) => boolean, actions: Action[], refused: Mission["waiting_for_budget"]): Mission {
  const milestone = activeMilestone(m);
  if (!milestone) return m;
  const states = milestone.features.map((f) => ({ f, state: featureState(f, done, s.config) }));
  let slots = s.config.max_parallel_workers - states.filter((x) => x.state.kind === "running").length;
  for (const { f, state } of states) {
    if (slots <= 0) break;
    if (state.kind !== "ready" || !f.issue) continue;
    // a feature waiting for a secret, database or account starts once it is there (README "Resources")
    const missing = missingFor(m, f);
    if (missing.length) {
      actions.push(...waitingNotices(m, f, missing, s.config));
      continue;
    }
    const check = dispatchCheck(m, f, s.config, s.history);
    if (!check.ok) {
      actions.push({ kind: "comment", on: "tracking", key: `over-budget:${f.key}:${m.ledger.length}`, body: check.reason });
      m = { ...m, waiting_for_budget: { feature: f.key, since: refused?.feature === f.key ? refused.since : s.now } };
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
function observeRuns(m: Mission, s: AdvanceInput, actions: Action[]): Mission {
  return mapFeatures(m, (f) => {
    if (!f.runs.some(isRunning)) return f;
    const runs = f.runs.map((r) => {
      if (!isRunning(r)) return r;
      const seen = r.run_id ? s.facts.runs.get(r.run_id) : s.facts.runsByNonce.get(`${f.key}/${runNonce(r)}`);
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

/** The comments on each feature issue whose reports were read now, once its runs are all booked (see reports_seen). */
function countComments(m: Mission, s: AdvanceInput): Mission {
  const read = new Set([...s.facts.reports.map((r) => r.feature), ...(s.facts.reread ?? [])]);
  return mapFeatures(m, (f) => {
    const comments = s.facts.issues.get(`feature:${f.key}`)?.comments;
    const booked = f.runs.every((r) => r.reported !== undefined || r.run_id === undefined);
    if (!read.has(f.key) || comments === undefined || !booked || f.reports_seen === comments) return f;
    return { ...f, reports_seen: comments };
  });
}

/**
 * Reports become ledger entries (once per run and attempt) and tell each run
 * how it went. A run whose spending was not metered (no usage record from
 * the metering proxy) is booked at its cost cap or its forecast, never at
 * what it says, and the tracking issue is told once.
 */
function ingestReports(m: Mission, s: AdvanceInput, actions: Action[]): Mission {
  let mission = m;
  for (const found of s.facts.reports) {
    if (found.result.ok) {
      const report = found.result.report;
      if (report.mission !== m.id || report.feature !== found.feature) continue;
      // Only runs the bot dispatched for this feature are counted (a late report still is).
      const feature = findFeature(mission, report.feature);
      if (!feature?.runs.some((r) => r.run_id === report.run_id)) continue;
      const fc = forecastOf(mission, feature, s.config, s.history);
      mission = addEntry(mission, entryFromReport(report, s.config, s.now, { tokens: fc.tokens.high, costMicros: fc.costMicros.high })).mission;
      const entry = mission.ledger.find((e) => e.key === ledgerKey(report.run_id, report.run_attempt));
      if (report.metering === "unmetered" && entry) {
        actions.push({ kind: "comment", on: "tracking", key: `unmetered:${entry.key}`, body: unmeteredText(report.feature, report.run_id, entry) });
      }
      mission = mapFeatures(mission, (f) =>
        f.key !== report.feature ? f : { ...f, runs: f.runs.map((r) => (r.run_id === report.run_id ? { ...r, ...evidenceOf(report), reported: report.outcome } : r)) },
      );
      // POC: the trusted success report finishes the feature, its issue still open (finishFeatures closes it)
      if (mission.mode !== "full" && report.outcome === "success" && !feature.done) {
        mission = mapFeatures(mission, (f) => (f.key === report.feature && !f.done ? { ...f, done: { by: found.login ?? "worker", at: s.now } } : f));
      }
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
 * moment it changed: each notice is posted once (its key is recorded in the
 * mission) and then labelled, and the label says it was done. An apply cut
 * short after a transition therefore still tells them next time.
 */
function tellPeople(m: Mission, s: AdvanceInput): Action[] {
  const actions: Action[] = [];
  const has = (label: string) => s.trackingLabels.includes(label);
  if (m.status === "completed" && !has(COMPLETED)) {
    const defaultBranch = s.defaultBranch ?? "main";
    if (handingOver(m, s)) {
      // POC: the branch is proposed first, so that the report can name its pull request.
      const pr = handOverPullRequest(m);
      actions.push({ kind: "hand-over", head: missionBranch(m), base: defaultBranch, title: pr.title, body: pr.body });
    } else {
      actions.push(
        { kind: "comment", on: "tracking", key: "completed", body: renderCompletionReport({ mission: m, defaultBranch }) },
        { kind: "label", on: "tracking", add: [COMPLETED] },
      );
    }
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
  for (const f of allFeatures(m)) {
    const issue = s.facts.issues.get(`feature:${f.key}`);
    if (!f.needs_human || !issue || issue.state === "closed" || issue.labels?.includes(NEEDS_HUMAN)) continue;
    actions.push(
      { kind: "comment", on: `feature:${f.key}`, key: `needs-human:${f.key}:${f.runs.length}`, body: needsHumanText(f, f.needs_human) },
      { kind: "label", on: `feature:${f.key}`, add: [NEEDS_HUMAN] },
    );
  }
  return actions;
}

/**
 * Done features on their issues: the acceptance criteria checked with their evidence, recorded in the mission
 * here (so the write-ahead commit holds it and the write to the issue records nothing more), and in POC mode
 * the issue its worker's trusted report finished closed as completed, in that same write (a plain close for a
 * feature without criteria). Level-triggered: a check or close that was lost (the listed issue shows the
 * criteria unchecked, or is still open) is made again, unless GitHub refused it before (told once, left to a
 * person). A done feature a person reopened stays open, as before.
 */
function finishFeatures(m: Mission, s: AdvanceInput): { mission: Mission; actions: Action[] } {
  let mission = m;
  const actions: Action[] = [];
  for (const ms of m.plan?.milestones ?? []) {
    for (const f of ms.features) {
      const issue = s.facts.issues.get(`feature:${f.key}`);
      if (!f.done || !issue) continue;
      const newly = !findFeature(s.mission, f.key)?.done;
      const close = m.mode !== "full" && issue.state === "open" && (newly || !issue.reopened);
      let evidence = f.acceptance_met;
      let tick = false;
      let first = newly;
      if (f.acceptance.length && !evidence) {
        evidence = evidenceFor(f, ms);
        if (evidence) {
          const met = evidence;
          mission = mapFeatures(mission, (x) => (x.key === f.key ? { ...x, acceptance_met: met } : x));
          tick = first = true;
        }
      } else if (f.acceptance.length) tick = issue.ticked === false;
      const step: Action | undefined =
        tick && evidence
          ? { kind: "check-acceptance", feature: f.key, evidence, ...(close ? { close: true } : {}) }
          : close
            ? { kind: "close-issue", ref: `feature:${f.key}`, reason: "completed" }
            : undefined;
      if (step && (first || !refusedBefore(mission, step))) actions.push(step);
    }
  }
  return { mission, actions };
}

/** A POC mission that completed and has not been told so proposes its branch first (once: the hand-over is recorded). */
function handingOver(m: Mission, s: AdvanceInput): boolean {
  return m.status === "completed" && m.mode !== "full" && !m.hand_over && !s.trackingLabels.includes(COMPLETED) && !s.posted.has("completed");
}

/** What a report names as its work (a commit, a pull request): recorded on the run, shown as evidence in the completion report. */
function evidenceOf(report: { commit?: string | undefined; pull_request?: number | undefined }): { commit?: string; pull_request?: number } {
  return { ...(report.commit ? { commit: report.commit } : {}), ...(report.pull_request ? { pull_request: report.pull_request } : {}) };
}

function validationPauseText(m: Mission, reason: string): string {
  const milestone = m.plan?.milestones.find((ms) => !ms.validated)?.key ?? "";
  return `**Mission ${m.id} is paused: ${inlineText(reason)}.** A person should look at the milestone's validation results. Fix what keeps failing, then reply \`/mission resume\`, or \`/mission skip-validation ${milestone}\` to accept the milestone as it is.`;
}

/** Labels and issue states derived from the mission: set when they apply, removed when they no longer do. */
function closeDuplicates(m: Mission, s: AdvanceInput): Action[] {
  return s.facts.duplicates.map((d) => ({
    kind: "close-duplicate" as const,
    number: d.extra.number,
    comment: `Duplicate of #${d.keep}: this issue stands for the same part of mission ${m.id} as #${d.keep}, which the mission keeps working on.`,
  }));
}

function followLabels(m: Mission, s: AdvanceInput): Action[] {
  const actions: Action[] = [];
  const budgetStop = m.status === "paused" && (m.paused_reason ?? "").startsWith("budget");
  if (!budgetStop && s.trackingLabels.includes(BUDGET_EXHAUSTED)) actions.push({ kind: "label", on: "tracking", remove: [BUDGET_EXHAUSTED] });
  const validationStop = m.status === "paused" && (m.paused_reason ?? "").startsWith("validation");
  if (!validationStop && s.trackingLabels.includes(NEEDS_HUMAN)) actions.push({ kind: "label", on: "tracking", remove: [NEEDS_HUMAN] });
  for (const ms of m.plan?.milestones ?? []) {
    const msIssue = s.facts.issues.get(`milestone:${ms.key}`);
    if (ms.validated && msIssue?.state === "open") actions.push({ kind: "close-issue", ref: `milestone:${ms.key}`, reason: "completed" });
    if (msIssue) restoreLabels(actions, `milestone:${ms.key}`, msIssue, [LABELS.forMission(m.id), LABELS.milestone]);
    for (const f of ms.features) {
      const issue = s.facts.issues.get(`feature:${f.key}`);
      if (!issue) continue;
      if (!f.needs_human && issue.labels?.includes(NEEDS_HUMAN)) actions.push({ kind: "label", on: `feature:${f.key}`, remove: [NEEDS_HUMAN] });
      restoreLabels(actions, `feature:${f.key}`, issue, [LABELS.forMission(m.id), LABELS.feature]);
    }
  }
  return actions;
}

/** Labels the mission needs on one of its issues, put back when someone removed them. */
function restoreLabels(actions: Action[], ref: Ref, issue: FoundIssue, needed: string[]): void {
  if (!issue.labels) return;
  const missing = needed.filter((l) => !issue.labels!.includes(l));
  if (missing.length) actions.push({ kind: "label", on: ref, add: missing });
}

/** Notices this loop posts on the tracking issue; one found there but not recorded (its answer was lost) is recorded now. */
const LOOP_NOTICE = /^(alert:|completed$|budget-stop:|validation-pause:)/;

function finish(reached: Mission, s: AdvanceInput, actions: Action[]): Advance {
  const unrecorded = [...s.posted].filter((key) => LOOP_NOTICE.test(key) && !reached.notices.includes(key));
  let after = unrecorded.length ? { ...reached, notices: [...reached.notices, ...unrecorded] } : reached;
  // The retrospective is written once, when the mission completes; the completion report shows it.
  if (after.status === "completed" && !after.retrospective) after = { ...after, retrospective: retrospective(after, s.config, s.history, s.now) };
  const finished = finishFeatures(after, s);
  after = finished.mission;
  const told = [...finished.actions, ...tellPeople(after, s), ...featureLists(after, s, actions)];
  const notices = new Set([...after.notices, ...s.posted]);
  // A notice already posted (recorded, or found on the issue) is not posted again; its label still follows.
  const fresh = [...actions, ...told].filter((a) => a.kind !== "comment" || !notices.has(a.key) || (a.marks?.length ?? 0) > 0);
  const unlocking = fresh.some((a) => a.kind === "record-issue" || a.kind === "close-duplicate");
  const passed = (after.plan?.milestones.filter((ms) => ms.validated).length ?? 0) > (s.mission.plan?.milestones.filter((ms) => ms.validated).length ?? 0);
  // After the hand-over is recorded, the completion report (which names its pull request) is posted.
  const handOver = fresh.some((a) => a.kind === "hand-over");
  return { mission: after, actions: fresh, again: unlocking || handOver || (passed && after.status === "active") };
}

/**
 * Milestone issues whose task list of features (ticked when done) is not
 * what GitHub shows: rewritten by apply. Only once every feature's issue is
 * recorded, and never when the body is unknown or already right. With
 * sub-issues GitHub shows the milestone's features and their progress on
 * the issue itself: a body as created is kept, never rewritten to tick
 * (a write per feature done); only a body that already is a task list (a
 * server that refused the sub-issue link, an older mission) is kept ticked.
 */
function featureLists(m: Mission, s: AdvanceInput, actions: readonly Action[]): Action[] {
  const out: Action[] = [];
  for (const ms of m.plan?.milestones ?? []) {
    const ref = `milestone:${ms.key}` as const;
    const issue = s.facts.issues.get(ref);
    if (!ms.issue || issue?.body === undefined || ms.features.some((f) => !f.issue)) continue;
    if (actions.some((a) => a.kind === "list-features" && a.milestone === ref)) continue;
    if (sameText(issue.body, fitComment(milestoneBodyOfRecord(m, ms)))) continue;
    // With sub-issues GitHub shows the features and their progress on the milestone itself: the body as created stays
    if (s.server?.subIssues !== false && sameText(issue.body, fitComment(milestoneBody(m, ms)))) continue;
    out.push({ kind: "list-features", milestone: ref });
  }
  return out;
}

function sameText(a: string, b: string): boolean {
  const norm = (t: string) => t.replace(/\r\n?/g, "\n").trimEnd();
  return norm(a) === norm(b);
}

function allFeatures(m: Mission): Feature[] {
  return m.plan?.milestones.flatMap((ms) => ms.features) ?? [];
}

function findFeature(m: Mission, key: string): Feature | undefined {
  for (const ms of m.plan?.milestones ?? []) {
    const f = ms.features.find((x) => x.key === key);
    if (f) return f;
  }
  return undefined;
}

function needsHumanText(f: Feature, reason: string): string {
  return [
    `**This feature needs a person.** ${inlineText(reason)}.`,
    "",
    `The mission goes on with other features. When the problem is fixed, reply \`/mission retry ${f.key}\` on the tracking issue, or close this issue if the work is done.`,
  ].join("\n");
}

function unmeteredText(feature: string, runId: number, entry: LedgerEntry): string {
  return [
    `**The worker run ${runId} of feature ${feature} was not metered:** no usage record came from its metering proxy, so what it spent is not known.`,
    `It is booked at ${formatUsd(entry.cost_micros)} and ${formatTokens(entry.tokens_in + entry.tokens_out)} tokens (${entry.note ?? "its cap or forecast"}), never at what the agent says. The run's log shows why the proxy left no record.`,
  ].join(" ");
}

function budgetStopText(m: Mission, dims: string[]): string {
  return [
    `**Mission ${m.id} is paused: its ${dims.map((d) => DIMENSION_WORDS[d as keyof typeof DIMENSION_WORDS] ?? d).join(" and ")} budget is used up.** No new worker starts; ${
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
