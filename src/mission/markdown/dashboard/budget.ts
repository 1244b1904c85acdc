/**
 * The budget as a picture: one text bar per dimension (time, money, tokens)
 * showing what is spent, the forecast at completion and where the budget
 * ends, then the exact figures. Text, not an image: GitHub strips styles and
 * image data from issue bodies. The forecast is the one the budget summary
 * and the alerts use (`usage` in budget/enforce.ts). Pure.
 */
import { DIMENSIONS, DIMENSION_WORDS, formatAmount, limitsOf, usage, type Dimension } from "../../budget/enforce.js";
import { totals, type Spent } from "../../budget/ledger.js";
import { formatHours, formatPercent, formatTokens, formatUsd, usdToMicros } from "../../budget/money.js";
import type { Budget, LedgerEntry } from "../../model.js";
import type { DashboardContext } from "./context.js";

/** Cells in a bar. */
export const BAR_CELLS = 24;
export const BAR = { spent: "█", forecast: "▒", empty: "░", limit: "│" } as const;

export function budgetSection(ctx: DashboardContext): string[] {
  const { mission: m, input } = ctx;
  const spent = totals(m.ledger);
  const limits = limitsOf(m);
  // The forecast needs the plan and the history; without them the bars show what is spent.
  const u = m.plan && input.history ? usage(m, ctx.config, m.created, { history: input.history, closed: doneKeys(ctx) }) : undefined;
  const width = Math.max(...DIMENSIONS.map((d) => DIMENSION_WORDS[d].length)) + 2;
  const lines = DIMENSIONS.map((d) => {
    const s = spentIn(spent, d);
    const name = capital(DIMENSION_WORDS[d]).padEnd(width);
    return `${name}${bar(s, u?.[d].forecast.point, limits[d])}  ${figures(d, s, u?.[d].forecast.point, limits[d])}`;
  });
  const legend = `${BAR.spent} spent${u ? ` · ${BAR.forecast} forecast at completion` : ""} · ${BAR.limit} budget`;
  const forecastNote = u ? ` Forecast at completion: what is spent plus the forecast of the ${u.featuresLeft} feature${u.featuresLeft === 1 ? "" : "s"} not done yet.` : "";
  return ["### Budget", "", "```text", ...lines, "", legend, "```", "", `\`/mission budget\` shows the details.${forecastNote}`, ""];
}

function doneKeys(ctx: DashboardContext): Set<string> {
  const keys = new Set<string>();
  for (const ms of ctx.mission.plan?.milestones ?? []) for (const f of ms.features) if (ctx.isDone(f, ms)) keys.add(f.key);
  return keys;
}

/** `██████▒▒▒░░░░│░░`: spent, then forecast, then empty cells; the budget's end marked where it falls. */
export function bar(spent: number, forecast: number | undefined, limit: number | null | undefined): string {
  const cap = typeof limit === "number" ? limit : undefined;
  const scale = Math.max(cap ?? 0, forecast ?? 0, spent);
  if (scale <= 0) return BAR.empty.repeat(BAR_CELLS) + (cap !== undefined ? BAR.limit : " ");
  const at = (n: number) => Math.min(BAR_CELLS, Math.round((n / scale) * BAR_CELLS));
  const spentCells = spent > 0 ? Math.max(1, at(spent)) : 0;
  // anything more than nothing shows as at least one cell
  const forecastCells = forecast !== undefined && forecast > spent ? Math.max(spentCells + 1, at(forecast)) : spentCells;
  const cells = Array.from({ length: BAR_CELLS }, (_, i) => (i < spentCells ? BAR.spent : i < forecastCells ? BAR.forecast : BAR.empty));
  if (cap === undefined) return `${cells.join("")} `;
  const mark = at(cap);
  return `${cells.slice(0, mark).join("")}${BAR.limit}${cells.slice(mark).join("")}`;
}

function figures(d: Dimension, spent: number, forecast: number | undefined, limit: number | null | undefined): string {
  const parts: string[] = [];
  if (typeof limit === "number") {
    const used = spent / limit;
    const flag = used >= 1 ? " ⛔" : used >= 0.8 ? " ⚠️" : "";
    parts.push(`${formatAmount(d, spent)} of ${formatAmount(d, limit)} (${formatPercent(used)})${flag}`);
  } else {
    parts.push(`${formatAmount(d, spent)} · ${limit === null ? "uncapped" : "no limit set"}`);
  }
  if (forecast !== undefined) {
    const over = typeof limit === "number" && forecast > limit;
    parts.push(`forecast ${formatAmount(d, forecast)}${typeof limit === "number" ? ` (${formatPercent(forecast / limit)})` : ""}${over ? " ⚠️ over budget" : ""}`);
  }
  return parts.join(" · ");
}

function spentIn(spent: Spent, d: Dimension): number {
  return d === "hours" ? spent.hours : d === "usd" ? spent.costMicros : spent.tokens;
}

function capital(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** The budget as a markdown table: limit, spent (from the ledger), remaining and share used (the budget summary and mission.md show it). */
export function budgetTable(budget: Budget, ledger: readonly LedgerEntry[]): string[] {
  const spent: Spent = totals(ledger);
  const rows = [
    budgetRow("Time", budget.hours, spent.hours, (n) => formatHours(n), (n) => n),
    budgetRow("Money", budget.usd, spent.costMicros, formatUsd, usdToMicros),
    budgetRow("Tokens", budget.tokens, spent.tokens, formatTokens, (n) => n),
  ];
  return ["| | Limit | Spent | Remaining | Used |", "| --- | --: | --: | --: | --: |", ...rows];
}

function budgetRow(
  name: string,
  limit: number | null | undefined,
  spent: number,
  format: (n: number) => string,
  /** the limit in the unit `spent` is counted in */
  toSpentUnit: (limit: number) => number,
): string {
  if (limit === undefined) return `| ${name} | not set | ${format(spent)} | — | — |`;
  if (limit === null) return `| ${name} | uncapped | ${format(spent)} | — | — |`;
  const cap = toSpentUnit(limit);
  const left = cap - spent;
  const remaining = left >= 0 ? format(left) : `over by ${format(-left)}`;
  const used = Math.round((spent / cap) * 100);
  const flag = used >= 100 ? " ⛔" : used >= 80 ? " ⚠️" : "";
  return `| ${name} | ${format(cap)} | ${format(spent)} | ${remaining} | ${used}%${flag} |`;
}
