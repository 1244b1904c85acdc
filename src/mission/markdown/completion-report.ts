/**
 * The completion report, posted once on the tracking issue when a mission
 * completes: what was built (each feature with its commits or pull
 * request), the features' acceptance criteria with the evidence that met
 * them, validation per milestone (passed, or skipped by a person), spend
 * against budget and forecast per category with the forecast's error, the
 * hand-over, and the lessons worth keeping. Also the hand-over pull
 * request's body. Pure; every outside text through the one escaper.
 */
import { scoreAgent, worthPromoting } from "../workspace/score.js";
import type { AccuracyRow, BudgetCategory, Feature, Milestone, Mission, RunRecord, ValidationRecord } from "../model.js";
import { missionPath } from "../model.js";
import { formatAmount } from "../budget/enforce.js";
import { formatPercent } from "../budget/money.js";
import { marker } from "../markers.js";
import { cellText, codeSpan, inlineText, titleText } from "./escape.js";

export interface CompletionInput {
  mission: Mission;
  /** the repository's default branch: where a POC mission's branch is proposed */
  defaultBranch: string;
}

/** The mission branch a POC mission hands over. */
export function missionBranch(m: Pick<Mission, "id">): string {
  return `mission/${m.id}`;
}

export function renderCompletionReport({ mission: m, defaultBranch }: CompletionInput): string {
  const milestones = m.plan?.milestones ?? [];
  return [
    `**Mission ${m.id} is complete.** ${completionLine(milestones)}`,
    "",
    "### What was built",
    "",
    ...built(milestones),
    "",
    "### Validation",
    "",
    ...validation(milestones),
    "",
    "### Budget",
    "",
    ...budget(m),
    "",
    "### Hand-over",
    "",
    handOver(m, defaultBranch),
    "",
    "### Lessons",
    "",
    ...(m.retrospective?.lessons.length ? m.retrospective.lessons.map((l) => `- ${inlineText(l)}`) : ["_Nothing out of the ordinary._"]),
    ...agentsSection(m),
    "",
    `The ledger, the decision log and the retrospective are in \`${missionPath(m.id)}\`.`,
  ].join("\n");
}

/** The mission's agents, scored for reuse, with the promotion proposed for those that served (a person decides). */
function agentsSection(m: Mission): string[] {
  const agents = m.agents ?? [];
  if (!agents.length) return [];
  const rows = agents.map((a) => {
    const s = scoreAgent(m, a);
    const proposal = a.promotion?.pull_request ? `proposed in #${a.promotion.pull_request}` : worthPromoting(s) ? `\`/mission promote ${a.name}\`` : "not proposed (no feature done first time with it)";
    return `| \`${a.name}\` | ${cellText(a.purpose)} | ${s.used} | ${s.firstTime} of ${s.done} | ${proposal} |`;
  });
  return [
    "",
    "### Mission agents",
    "",
    "Each agent, scored for reuse: the features whose workers read it, and how many of those were done by their first run after it was drafted. Promoting one opens a pull request that adds it to every mission's worker instructions; nothing is promoted unless a person asks.",
    "",
    "| agent | purpose | used by | done first time | promotion |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
  ];
}

/** One sentence on validation: passed, or which milestones were accepted without it. */
export function completionLine(milestones: readonly Milestone[]): string {
  const skipped = milestones.filter((ms) => ms.validated === "skipped").map((ms) => ms.key);
  if (!skipped.length) return "Every milestone passed validation.";
  if (skipped.length === milestones.length) return `No milestone was validated: ${skipped.length === 1 ? "milestone" : "milestones"} ${skipped.join(", ")} accepted without validation, as decided on this issue.`;
  return `Every milestone is accepted: ${skipped.length === 1 ? "milestone" : "milestones"} ${skipped.join(", ")} without validation, as decided on this issue; the others passed.`;
}

/** The run that finished a feature: the last one whose report said success. */
function doneRun(f: Feature): RunRecord | undefined {
  return f.runs.findLast((r) => r.reported === "success");
}

/** The validation run that passed a milestone. */
function passedRun(ms: Milestone): ValidationRecord | undefined {
  return ms.validations.findLast((v) => v.outcome === "pass");
}

function work(f: Feature): string {
  const run = doneRun(f);
  const parts: string[] = [];
  if (run?.commit) parts.push(`commit ${run.commit.slice(0, 12)}`);
  if (run?.pull_request) parts.push(`pull request #${run.pull_request}`);
  if (run?.run_id) parts.push(`worker run ${run.run_id}`);
  if (!parts.length) parts.push(f.done ? `closed by ${cellText(f.done.by)}` : "not done");
  return parts.join(", ");
}

/** Evidence that a feature's acceptance criteria are met: its worker's report, and its milestone's validation. */
export function evidenceFor(f: Feature, ms: Milestone): string | undefined {
  const evidence: string[] = [];
  const run = doneRun(f);
  if (run) evidence.push(`worker run ${run.run_id ?? "?"} reported success${run.commit ? ` (commit ${run.commit.slice(0, 12)})` : ""}`);
  const passed = ms.validated === "passed" ? passedRun(ms) : undefined;
  if (passed) evidence.push(`milestone ${ms.key} passed validation${passed.run_id ? ` (run ${passed.run_id})` : ""}`);
  return evidence.length ? evidence.join("; ") : undefined;
}

function built(milestones: readonly Milestone[]): string[] {
  const lines: string[] = [];
  for (const ms of milestones) {
    for (const f of ms.features) {
      lines.push(`- \`${f.key}\` ${inlineText(f.title)}${f.issue ? ` (#${f.issue.number})` : ""}: ${work(f)}`);
      const evidence = evidenceFor(f, ms);
      for (const criterion of f.acceptance) {
        lines.push(`  - [${evidence ? "x" : " "}] ${inlineText(criterion)}${evidence ? ` — ${evidence}` : " — no evidence yet"}`);
      }
    }
  }
  return lines.length ? lines : ["_No features._"];
}

function validation(milestones: readonly Milestone[]): string[] {
  if (!milestones.length) return ["_No milestones._"];
  const rows = milestones.map((ms) => {
    const failed = ms.validations.filter((v) => v.outcome === "fail" || v.outcome === "invalid").length;
    const passed = passedRun(ms);
    const result =
      ms.validated === "passed"
        ? `passed${passed?.run_id ? ` (run ${passed.run_id})` : ""}${passed?.criteria ? `, criteria: ${passed.criteria.passed}/${passed.criteria.checked}` : ""}`
        : ms.validated === "skipped"
          ? "**skipped**: accepted without validation by a person (see the decision log)"
          : "not validated";
    return `| ${ms.key}. ${cellText(ms.title)} | ${result} | ${ms.validations.length} | ${failed} |`;
  });
  return ["| Milestone | Result | Runs | Failed |", "| --- | --- | --: | --: |", ...rows];
}

const NAMES: Record<BudgetCategory, string> = { usd: "Money", hours: "Time", tokens: "Tokens" };

function signed(category: BudgetCategory, n: number): string {
  return `${n < 0 ? "−" : "+"}${formatAmount(category, Math.abs(n))}`;
}

/** "+12%", "−30%", "—" */
export function formatForecastError(error: number | null): string {
  if (error === null) return "—";
  return `${error < 0 ? "−" : "+"}${formatPercent(Math.abs(error))}`;
}

function budget(m: Mission): string[] {
  const rows: readonly AccuracyRow[] = m.retrospective?.accuracy ?? [];
  if (!rows.length) return ["_No retrospective was recorded._"];
  return [
    "| | Budgeted | Forecast | Spent | Variance | Forecast error |",
    "| --- | --: | --: | --: | --: | --: |",
    ...rows.map(
      (r) =>
        `| ${NAMES[r.category]} | ${r.budgeted === null ? "uncapped" : formatAmount(r.category, r.budgeted)} | ${formatAmount(r.category, r.forecast)} | ${formatAmount(r.category, r.actual)} | ${
          r.variance === null ? "—" : signed(r.category, r.variance)
        } | ${formatForecastError(r.forecast_error)} |`,
    ),
    "",
    "Variance is spent minus budgeted; forecast error is spent against the forecast of the plan's features (the worker runs; validation runs are not forecast).",
  ];
}

function handOver(m: Mission, defaultBranch: string): string {
  if (m.mode === "full") {
    const prs = (m.plan?.milestones ?? []).flatMap((ms) => ms.features.flatMap((f) => (doneRun(f)?.pull_request ? [`#${doneRun(f)!.pull_request} (feature ${f.key})`] : [])));
    const open = (m.plan?.milestones ?? []).flatMap((ms) => ms.features.filter((f) => !doneRun(f)?.pull_request).map((f) => f.key));
    return [
      prs.length ? `Pull requests the workers opened: ${prs.join(", ")}.` : "No worker reported a pull request.",
      open.length ? `Features without a pull request: ${open.join(", ")}.` : "",
    ]
      .filter(Boolean)
      .join(" ");
  }
  const h = m.hand_over;
  const branch = codeSpan(missionBranch(m));
  if (!h) return `The mission branch ${branch} is not proposed yet.`;
  if (h.refused) return `The mission branch ${branch} could not be proposed to ${codeSpan(defaultBranch)}: GitHub answered "${inlineText(h.refused)}". Open the pull request by hand to keep the work.`;
  if (h.pull_request) return `The mission branch ${branch} is proposed to ${codeSpan(defaultBranch)} in pull request #${h.pull_request}: review and merge it to keep the work.`;
  return `The mission branch ${branch} has nothing to merge into ${codeSpan(defaultBranch)} (no commits ahead of it), so no pull request was opened.`;
}

/** The hand-over pull request: its title and body (the report's summary), with the bot's marker. */
export function handOverPullRequest(m: Mission): { title: string; body: string } {
  const milestones = m.plan?.milestones ?? [];
  const features = milestones.flatMap((ms) => ms.features);
  const body = [
    `Hand-over of mission \`${m.id}\` (tracking issue #${m.tracking_issue}): ${inlineText(m.title)}.`,
    "",
    completionLine(milestones),
    "",
    ...features.map((f) => `- \`${f.key}\` ${inlineText(f.title)}${f.issue ? ` (#${f.issue.number})` : ""}`),
    "",
    `The completion report is on #${m.tracking_issue}; the ledger and decision log are in \`${missionPath(m.id)}\` on the state branch.`,
    "",
    handOverMarker(m.id),
  ].join("\n");
  return { title: titleText(`Mission ${m.id}: ${m.title}`).slice(0, 256), body };
}

export function handOverMarker(missionId: string): string {
  return marker({ mission: missionId, kind: "comment", key: "hand-over" });
}
