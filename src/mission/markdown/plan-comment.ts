/**
 * The plan comment: milestones and features for review, the budget analysis,
 * and how to approve or change the plan. Pure.
 *
 * GitHub rejects comments over 65,536 characters. The tail (budget analysis
 * and the approve/replan line) is always kept whole; if the milestones would
 * push the comment past ~60,000 characters they are rendered with less
 * detail, step by step, and the comment says so.
 *
 * Titles, descriptions and criteria are the outline's author's or the
 * model's words: they pass through the one escaper (markdown/escape.ts).
 */
import { BUFFER, LEVEL_LABELS, type Analysis, type Overrun } from "../budget/budget.js";
import type { PastError } from "../budget/forecast.js";
import { LEVELS } from "../budget/levels.js";
import { constraintsSection } from "./constraints.js";
import { formatHours, formatTokens, formatUsd, MICROS_PER_USD } from "../budget/money.js";
import type { Feature, Milestone, Mission, Plan } from "../model.js";
import { criteriaSection } from "./criteria.js";
import { resourcesPlanSection } from "./resources.js";
import { cellText as cell, escapeText, inlineText as inline, quoteText as quote, shorten } from "./escape.js";

export const PLAN_COMMENT_MAX_CHARS = 60_000;
const MAX_PROBLEMS = 20;

export interface PlanCommentInput {
  mission: Mission;
  plan: Plan;
  analysis: Analysis;
  plannerName: string;
  /** problems the user should fix before approving (e.g. from checkPlan) */
  problems?: string[];
  /** finished features per size the forecast was calibrated from (absent: configured baselines only) */
  dataPoints?: Record<"S" | "M" | "L", number>;
  /** how far the forecast was from what the repository's past missions cost */
  pastError?: PastError | undefined;
}

/** How much of each milestone to show; tried from most to least. */
interface Detail {
  featureDescriptions: number | null;
  acceptance: boolean;
  milestoneDescription: number | null;
  /** features listed per milestone; the rest are counted */
  featuresShown: number;
  note?: string;
}

const DETAILS: Detail[] = [
  { featureDescriptions: Infinity, acceptance: true, milestoneDescription: Infinity, featuresShown: Infinity },
  {
    featureDescriptions: 300,
    acceptance: true,
    milestoneDescription: 1000,
    featuresShown: Infinity,
    note: "Feature descriptions are shortened here to fit GitHub's comment limit; workers receive them in full.",
  },
  {
    featureDescriptions: null,
    acceptance: false,
    milestoneDescription: 200,
    featuresShown: Infinity,
    note: "Feature descriptions and acceptance criteria are left out here to fit GitHub's comment limit; workers receive them in full.",
  },
  {
    featureDescriptions: null,
    acceptance: false,
    milestoneDescription: null,
    featuresShown: 10,
    note: "This plan is too long for one GitHub comment: only the first features of each milestone are listed, without details. Workers receive the full plan.",
  },
];

export function renderPlanComment(input: PlanCommentInput): string {
  const head = renderHead(input);
  const tail = renderTail(input);
  for (const detail of DETAILS) {
    const body = renderMilestones(input.plan, detail);
    const text = join(head, detail.note ? `> [!NOTE]\n> ${detail.note}` : "", body, tail);
    if (text.length <= PLAN_COMMENT_MAX_CHARS) return text;
  }
  const note = "> [!NOTE]\n> This plan is too long to show in a GitHub comment; only its budget analysis is shown.";
  const counts = `${input.plan.milestones.length} milestones, ${countFeatures(input.plan)} features.`;
  return join(head, note, counts, tail).slice(0, PLAN_COMMENT_MAX_CHARS);
}

function renderHead({ mission, plan, plannerName, problems }: PlanCommentInput): string {
  const constraints = constraintsSection(mission);
  const mode = mission.mode === "poc" ? "proof of concept" : mission.mode === "full" ? "full build" : undefined;
  const lines = [
    `## Mission plan: ${inline(mission.title)}`,
    "",
    `${plan.milestones.length} milestones, done in order; ${countFeatures(plan)} features, worked on in parallel within each milestone. ` +
      `Planned by ${inline(plannerName)}${mode ? ` (${mode})` : ""}.`,
  ];
  if (problems?.length) {
    lines.push("", "> [!WARNING]", "> This plan has problems to fix before it can be approved:");
    for (const p of problems.slice(0, MAX_PROBLEMS)) lines.push(`> - ${inline(shorten(p, 500))}`);
    if (problems.length > MAX_PROBLEMS) lines.push(`> - …and ${problems.length - MAX_PROBLEMS} more.`);
  }
  if (constraints.length) lines.push("", ...constraints.slice(0, -1));
  lines.push(...resourcesPlanSection(plan.resources));
  return lines.join("\n");
}

function renderMilestones(plan: Plan, detail: Detail): string {
  return plan.milestones.map((m, i) => renderMilestone(m, i, detail)).join("\n\n");
}

function renderMilestone(m: Milestone, index: number, detail: Detail): string {
  const parts = [`### ${index + 1}. ${inline(m.title)}`];
  if (detail.milestoneDescription !== null && m.description.trim()) {
    parts.push(escapeText(shorten(m.description.trim(), detail.milestoneDescription)));
  }
  const shown = m.features.slice(0, detail.featuresShown);
  const rows = shown.map(
    (f) => `| ${f.key} | ${cell(f.title)} | ${f.size} | ${f.depends_on.length ? f.depends_on.join(", ") : "—"} |`,
  );
  parts.push(["| Feature | Title | Size | Depends on |", "| --- | --- | --- | --- |", ...rows].join("\n"));
  if (shown.length < m.features.length) parts.push(`…and ${m.features.length - shown.length} more features.`);
  const criteria = criteriaSection(m.criteria, "**Validation checks** (commands run like `validation.commands`; pages loaded in the browser checks):");
  if (criteria.length) parts.push(criteria.join("\n"));
  const details = shown.map((f) => featureDetails(f, detail)).filter(Boolean);
  if (details.length) {
    parts.push(["<details><summary>What each feature must do</summary>", "", ...details, "</details>"].join("\n"));
  }
  return parts.join("\n\n");
}

function featureDetails(f: Feature, detail: Detail): string {
  const lines: string[] = [];
  if (detail.featureDescriptions !== null && f.description.trim()) {
    lines.push(quote(shorten(f.description.trim(), detail.featureDescriptions)), "");
  }
  if (detail.acceptance && f.acceptance.length) {
    lines.push("Acceptance:", ...f.acceptance.map((a) => `- ${inline(a)}`));
  }
  if (!lines.length) return "";
  return [`**${f.key} ${inline(f.title)}**`, "", ...lines, ""].join("\n");
}

function renderTail({ analysis, dataPoints, pastError }: PlanCommentInput): string {
  const rows = analysis.levels.map(
    (l) =>
      `| ${l.label} | ${LEVELS[l.level].scope} | \`${cell(l.model)}\` | ${range(l.hours.low, l.hours.high, formatHours)} | ${range(l.tokens.low, l.tokens.high, formatTokens)} | ${range(l.costMicros.low, l.costMicros.high, formatUsd)} |`,
  );
  const lines = [
    "### Budget analysis",
    "",
    "| Outcome | Scope | Workers run | Hours | Tokens | USD |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    "Each worker run's limits (turns, timeout, cost cap) come from its feature's forecast at the approved level.",
    "",
    fitSentence(analysis),
    "",
    calibrationSentence(dataPoints, pastError),
  ];
  for (const w of analysis.warnings) lines.push("", `> [!WARNING]\n> ${inline(w)}`);
  lines.push("", approveSentence(analysis));
  return lines.join("\n");
}

/** How to approve: the default level, and how to choose another. */
export function approveSentence(analysis: Analysis): string {
  const choose = "`/mission approve mvp`, `/mission approve production` or `/mission approve polished` chooses a level";
  const level = analysis.fits
    ? `**${LEVEL_LABELS[analysis.fits]}**, the best level the budget fits with its buffer`
    : `**${LEVEL_LABELS.mvp}**, the cheapest (no level fits the budget with its buffer: raise it first, or approve knowingly; a worker that would overrun it is not started)`;
  return `Reply \`/mission approve\` to create the issues at ${level}; ${choose}; or \`/mission replan <what to change>\`.`;
}

/** How many finished features of this repository the forecast learned from. */
export function calibrationSentence(dataPoints: PlanCommentInput["dataPoints"], pastError?: PastError): string {
  const total = dataPoints ? dataPoints.S + dataPoints.M + dataPoints.L : 0;
  const error = pastError
    ? ` Measured on ${pastError.missions} past mission${pastError.missions === 1 ? "" : "s"}, the forecast was off by ${Math.round(pastError.meanAbsolute * 100)}% on average (${pastError.meanSigned < 0 ? "low" : "high"} by ${Math.abs(Math.round(pastError.meanSigned * 100))}% net).`
    : "";
  if (!dataPoints || total === 0) {
    return `_Estimated from the configured per-size baselines: no finished mission of this repository to learn from yet._${error ? `${error}` : ""}`;
  }
  return `_Calibrated from ${total} finished feature${total === 1 ? "" : "s"} (S: ${dataPoints.S}, M: ${dataPoints.M}, L: ${dataPoints.L}) of this repository's missions and this one; a size with fewer than 3 blends in the configured baseline._${error}`;
}

/** Which level fits, or what breaks and what to do about it. */
export function fitSentence(analysis: Analysis): string {
  const buffer = `${Math.round((BUFFER - 1) * 100)}%`;
  const { limits } = analysis;
  if (limits.hours === null && limits.usdMicros === null && limits.tokens === null) {
    return "No budget limit is set, so every level fits; the figures above are what to expect.";
  }
  if (analysis.fits === null) {
    const mvp = analysis.levels[0];
    const breaks = mvp?.overruns ?? [];
    return (
      `Not even the **MVP** fits the stated budget with a ${buffer} buffer: ${breaks.map(describeOverrun).join("; ")}. ` +
      `Raise the budget with ${breaks.map(raiseCommand).join(" and ")}, or cut scope with \`/mission replan <what to drop>\`.`
    );
  }
  const index = analysis.levels.findIndex((l) => l.level === analysis.fits);
  const label = LEVEL_LABELS[analysis.fits];
  const next = analysis.levels[index + 1];
  if (!next) return `The stated budget fits the **${label}** level, the highest, with a ${buffer} buffer.`;
  const breaks = next.overruns.length ? ` **${next.label}** would not: ${next.overruns.map(describeOverrun).join("; ")}.` : "";
  return `The stated budget fits up to **${label}** with a ${buffer} buffer.${breaks}`;
}

function describeOverrun(o: Overrun): string {
  const fmt = o.dimension === "usd" ? formatUsd : o.dimension === "hours" ? formatHours : formatTokens;
  const pct = o.limit > 0 ? Math.round(((o.needed - o.limit) / o.limit) * 100) : 100;
  const name = o.dimension === "usd" ? "money needs" : o.dimension === "hours" ? "time needs" : "tokens need";
  return `${name} up to ${fmt(o.needed)} against ${fmt(o.limit)} (${pct}% over)`;
}

function raiseCommand(o: Overrun): string {
  if (o.dimension === "usd") return `\`/mission answer usd: ${Math.ceil(o.needed / MICROS_PER_USD)}\``;
  if (o.dimension === "hours") return `\`/mission answer hours: ${Math.ceil(o.needed)}\``;
  return `\`/mission answer tokens: ${o.needed}\``;
}

function range(low: number, high: number, fmt: (n: number) => string): string {
  return `${fmt(low)}–${fmt(high)}`;
}

function countFeatures(plan: Plan): number {
  return plan.milestones.reduce((n, m) => n + m.features.length, 0);
}

function join(...parts: string[]): string {
  return parts.filter(Boolean).join("\n\n") + "\n";
}

