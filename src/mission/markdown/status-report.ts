/**
 * The reply to `/mission status`: a progress report. Each milestone (done,
 * current, waiting), spend against the budget and the forecast at
 * completion, what runs now, and what waits and why. All plan text passes
 * through the one escaper. Pure.
 */
import { DIMENSION_WORDS, DIMENSIONS, formatAmount, usage } from "../budget/enforce.js";
import type { History } from "../budget/forecast.js";
import { formatPercent } from "../budget/money.js";
import type { Config, Feature, Milestone, Mission } from "../model.js";
import { activeMilestone, featureState } from "../workers/workers.js";
import { cellText, inlineText, quotedText } from "./escape.js";
import { modeWords } from "./dashboard.js";

const STATUS: Record<Mission["status"], string> = {
  scoping: "scoping (the interview is open)",
  planned: "planned, waiting for approval",
  active: "active",
  paused: "paused",
  validating: "validating a milestone",
  completed: "completed",
  cancelled: "cancelled",
};

function milestoneState(ms: Milestone, current: Milestone | undefined): string {
  if (ms.validated === "passed") return "✅ validated";
  if (ms.validated === "skipped") return "☑️ accepted without validation";
  if (ms === current) {
    const last = ms.validations.at(-1);
    if (last && last.status !== "completed") return "🔍 validating";
    return "▶️ in progress";
  }
  return "⏳ waiting for the milestones before it";
}

export function renderStatusReport(m: Mission, config: Config, now: string, history: History): string {
  const lines = [`### Status of \`${m.id}\` · ${inlineText(m.title)}`, ""];
  lines.push(`**${STATUS[m.status]}** · mode: ${modeWords(m.mode)}${m.paused_reason ? ` · paused: ${inlineText(m.paused_reason)}` : ""}`, "");
  const plan = m.plan;
  if (!plan) {
    lines.push(m.planning ? "The plan is being made." : "There is no plan yet.");
    return lines.join("\n");
  }
  const all = plan.milestones.flatMap((ms) => ms.features);
  const done = new Set(all.filter((f) => f.done).map((f) => f.key));
  const isDone = (k: string) => done.has(k);
  const current = m.status === "active" || m.status === "paused" || m.status === "validating" ? activeMilestone(m) : undefined;

  lines.push(`**Progress:** ${done.size} of ${all.length} features done · ${plan.milestones.filter((ms) => ms.validated).length} of ${plan.milestones.length} milestones accepted`, "");
  lines.push("| Milestone | State | Features done |", "| --- | --- | --: |");
  for (const ms of plan.milestones) {
    lines.push(`| ${ms.key}. ${cellText(ms.title)} | ${milestoneState(ms, current)} | ${ms.features.filter((f) => f.done).length} / ${ms.features.length} |`);
  }
  lines.push("");

  const u = usage(m, config, now, { history, closed: done });
  lines.push("**Spend against the budget, and the forecast at completion**", "", "| | Spent | Limit | Used | Forecast | Of the limit |", "| --- | --: | --: | --: | --: | --: |");
  for (const d of DIMENSIONS) {
    const du = u[d];
    const limit = typeof du.limit === "number" ? formatAmount(d, du.limit) : du.limit === null ? "uncapped" : "not set";
    const used = du.fraction === null ? "—" : formatPercent(du.fraction);
    const of = typeof du.limit === "number" ? `${formatPercent(du.forecast.point / du.limit)}${du.forecast.point > du.limit ? " ⚠️" : ""}` : "—";
    lines.push(`| ${capital(DIMENSION_WORDS[d])} | ${formatAmount(d, du.spent)} | ${limit} | ${used} | ${formatAmount(d, du.forecast.point)} (${formatAmount(d, du.forecast.low)}–${formatAmount(d, du.forecast.high)}) | ${of} |`);
  }
  lines.push("");

  const running: string[] = [];
  const waiting: string[] = [];
  for (const ms of plan.milestones) {
    for (const f of ms.features) {
      if (f.done) continue;
      const line = (why: string) => `- ${featureName(f)}: ${why}`;
      if (ms !== current) {
        waiting.push(line(ms.validated ? "its milestone was accepted without it" : `milestone ${ms.key} starts after milestone ${current?.key ?? "the one before"} is accepted`));
        continue;
      }
      const state = featureState(f, isDone, config);
      if (state.kind === "running") running.push(line(`worker try ${state.run.try} ${state.run.status === "dispatching" ? "starting" : "running"}`));
      else if (state.kind === "awaiting") waiting.push(line("its worker finished; waiting for the report or the issue to close"));
      else if (state.kind === "blocked") waiting.push(line(`waits for ${state.on.join(", ")}`));
      else if (state.kind === "needs-human") waiting.push(line(`needs a person: ${inlineText(state.reason)} (\`/mission retry ${f.key}\` runs it again)`));
      else if (m.status === "paused") waiting.push(line("ready, but the mission is paused"));
      else if (state.kind === "ready") waiting.push(line(state.try > 1 ? `ready for try ${state.try} when a worker slot is free` : "ready: starts when a worker slot is free"));
    }
  }
  if (current && current.features.every((f) => f.done) && !current.validated) running.push(`- validation of milestone ${current.key}`);
  lines.push("**Running now**", "", ...(running.length ? running : ["Nothing."]), "");
  lines.push("**Waiting**", "", ...(waiting.length ? waiting.slice(0, 30) : ["Nothing."]));
  if (waiting.length > 30) lines.push(`- … and ${waiting.length - 30} more.`);
  const dropped = plan.dropped ?? [];
  if (dropped.length) lines.push("", `${dropped.length} item${dropped.length === 1 ? " was" : "s were"} dropped by replans (their issues are closed as not planned).`);
  return lines.join("\n");
}

function featureName(f: Feature): string {
  return `${f.key} ${quotedText(f.title, 80)}`;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
