/**
 * The dashboard: the bot-owned region of the tracking issue's body.
 *
 * The region sits between `<!-- mission-bot:<id>:dashboard:start -->` and
 * `<!-- mission-bot:<id>:dashboard:end -->`; everything outside it is the
 * user's text and is kept byte for byte (dashboard/merge.ts). Status,
 * notices, budget and commands come first so a body that must be shortened
 * (GitHub refuses bodies over 65,536 characters) loses only the long tail:
 * the plan's picture, the milestones, the features and the ledger.
 *
 * Each section is one function in dashboard/, reading one DashboardContext;
 * this file only puts them in order and fits them. Pure.
 */
import { GITHUB_LIMITS } from "../model.js";
import { budgetSection } from "./dashboard/budget.js";
import { commandsSection, questionsSection } from "./dashboard/commands.js";
import { contextOf, type DashboardContext, type DashboardInput } from "./dashboard/context.js";
import { diagramSection } from "./dashboard/diagram.js";
import { featuresSection } from "./dashboard/features.js";
import { folderSection } from "./dashboard/folder.js";
import { ledgerSection } from "./dashboard/ledger.js";
import { shortenedNote, TAIL_MARK } from "./dashboard/merge.js";
import { milestonesSection } from "./dashboard/milestones.js";
import { headerSection, noticesSection } from "./dashboard/status.js";
import { resourcesSection } from "./dashboard/resources.js";

export type { DashboardInput } from "./dashboard/context.js";
export { budgetTable } from "./dashboard/budget.js";
export { COMMANDS } from "./dashboard/commands.js";
export { modeWords, statusWords } from "./dashboard/status.js";
export { dashboardChanged, dashboardMarkers, dashboardRoom, mergeDashboard, TAIL_MARK } from "./dashboard/merge.js";
import { constraintsSection } from "./constraints.js";
import { forecastSection } from "./forecast-section.js";

/** Room for the region when the body holds nothing else. */
export const DEFAULT_DASHBOARD_CHARS = GITHUB_LIMITS.bodyChars - 200;

const TRUNCATION_RESERVE = 300;

export function renderDashboard(input: DashboardInput): string {
  const ctx = contextOf(input);
  const maxChars = input.maxChars ?? DEFAULT_DASHBOARD_CHARS;
  return fitTail(renderTop(ctx), renderTail(ctx), maxChars);
}

/** Always shown: what the mission is doing, what it costs, what to say to it. */
function renderTop(ctx: DashboardContext): string {
  const { mission, input } = ctx;
  return [
    ...headerSection(ctx),
    ...noticesSection(ctx),
    ...budgetSection(ctx),
    ...(input.config ? forecastSection(mission, input.config, input.history ?? [], input.closed) : []),
    ...constraintsSection(mission),
    ...resourcesSection(ctx),
    ...folderSection(ctx),
    ...commandsSection(ctx),
    ...questionsSection(ctx),
  ].join("\n");
}

interface TailUnit {
  text: string;
  /** features this unit shows, for the truncation note */
  features: number;
}

/** Shown as far as room allows, in whole units: the picture, the milestones, the features, the ledger. */
function renderTail(ctx: DashboardContext): TailUnit[] {
  const units: TailUnit[] = [];
  const block = (lines: string[]) => {
    if (lines.length) units.push({ text: lines.join("\n"), features: 0 });
  };
  block(diagramSection(ctx));
  for (const row of milestonesSection(ctx)) units.push({ text: row, features: 0 });
  const groups = featuresSection(ctx);
  if (groups.length) units.push({ text: "\n### Features", features: 0 });
  for (const g of groups) {
    g.lines.forEach((line, i) => units.push({ text: i === 0 ? `\n${g.heading}\n\n${line}` : line, features: 1 }));
    if (g.lines.length === 0) units.push({ text: `\n${g.heading}\n\n_No features._`, features: 0 });
  }
  const ledger = ledgerSection(ctx);
  if (ledger.length) units.push({ text: ["", ...ledger].join("\n"), features: 0 });
  return units;
}

/** Top, then as much of the tail as fits, then a note saying what was left out. */
function fitTail(head: string, tail: TailUnit[], maxChars: number): string {
  const whole = [head, TAIL_MARK, ...tail.map((u) => u.text)].join("\n");
  if (whole.length <= maxChars) return whole;
  const room = maxChars - TRUNCATION_RESERVE;
  let text = `${head}\n${TAIL_MARK}`;
  let shown = 0;
  for (const unit of tail) {
    if (text.length + 1 + unit.text.length > room) break;
    text += `\n${unit.text}`;
    shown += 1;
  }
  const hidden = tail.slice(shown).reduce((n, u) => n + u.features, 0);
  return `${text}\n\n${shortenedNote(hidden)}`;
}
