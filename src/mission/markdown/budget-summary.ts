/**
 * The budget summary: the reply to `/mission budget` and the output of
 * `mission-bot budget <mission>`. Limits and spending per dimension, burn
 * rate, forecast at completion, the last ledger entries, and how many data
 * points the forecast learned from. Pure.
 */
import { DIMENSION_WORDS, DIMENSIONS, formatAmount, suggestIncrease, usage, type Usage } from "../budget/enforce.js";
import type { History } from "../budget/forecast.js";
import { formatPercent, formatTokens, formatUsd } from "../budget/money.js";
import type { Config, LedgerEntry, Mission } from "../model.js";
import { budgetTable } from "./dashboard.js";
import { cellText as inline } from "./escape.js";
import { formatDuration } from "./mission-file.js";

/** Ledger entries the summary lists, newest last. */
export const LAST_ENTRIES = 10;

export function renderBudgetSummary(
  m: Mission,
  config: Config,
  now: string,
  history: History,
  closed?: ReadonlySet<string>,
): string {
  const u = usage(m, config, now, { history, ...(closed ? { closed } : {}) });
  const lines = [`### Budget of \`${m.id}\` · ${inline(m.title)}`, ""];
  if (m.status === "paused" && m.paused_reason?.startsWith("budget")) {
    const adds = DIMENSIONS.filter((d) => (u[d].fraction ?? 0) >= 1).map((d) => suggestIncrease(u[d]));
    lines.push(`⛔ **Paused: ${inline(m.paused_reason.replace(/^budget:\s*/, ""))}.** To continue, comment \`/mission budget ${adds.join(" ") || "+$100"}\`.`, "");
  }
  lines.push(...budgetTable(m.budget, m.ledger), "");
  lines.push(...burnAndForecast(u), "");
  lines.push(dataPointsLine(u), "");
  lines.push(alertsLine(m), "");
  lines.push(...lastEntries(m.ledger));
  return lines.join("\n") + "\n";
}

function burnAndForecast(u: Usage): string[] {
  const rows = DIMENSIONS.map((d) => {
    const du = u[d];
    const rate = du.burnPerHour === null ? "—" : `${formatAmount(d, du.burnPerHour)}/h`;
    const f = du.forecast;
    const of = typeof du.limit === "number" ? `${formatPercent(f.point / du.limit)}${f.point > du.limit ? " ⚠️" : ""}` : du.limit === null ? "uncapped" : "not set";
    return `| ${capital(DIMENSION_WORDS[d])} | ${rate} | ${formatAmount(d, f.point)} | ${formatAmount(d, f.low)}–${formatAmount(d, f.high)} | ${of} |`;
  });
  const since = u.elapsedHours > 0 ? `${formatAmount("hours", Math.round(u.elapsedHours * 100) / 100)} since work started (${when(u.since)})` : "work has not started";
  return [
    `**Burn rate and forecast at completion** · ${since} · ${u.featuresLeft} feature${u.featuresLeft === 1 ? "" : "s"} left`,
    "",
    "| | Burn rate | Forecast | Range | Of the limit |",
    "| --- | --: | --: | --: | --: |",
    ...rows,
  ];
}

function dataPointsLine(u: Usage): string {
  const { S, M, L } = u.dataPoints;
  const total = S + M + L;
  if (total === 0) {
    return "The forecast uses the configured per-size baselines: no finished feature has a ledger yet.";
  }
  return `The forecast learned from ${total} finished feature${total === 1 ? "" : "s"} (S: ${S}, M: ${M}, L: ${L}); a size with fewer than 3 blends them with the configured baseline.`;
}

function alertsLine(m: Mission): string {
  const at = m.budget.alerts.map((a) => formatPercent(a)).join(", ") || "none";
  const sent = m.alerts_sent.map((key) => {
    const [d, t] = key.split(":");
    const word = DIMENSION_WORDS[d as keyof typeof DIMENSION_WORDS] ?? d;
    return t !== undefined && Number.isFinite(Number(t)) ? `${word} ${formatPercent(Number(t))}` : key;
  });
  return `Alerts at ${at} of each limit; posted: ${sent.join(", ") || "none yet"}.`;
}

function lastEntries(ledger: readonly LedgerEntry[]): string[] {
  if (ledger.length === 0) return ["#### Ledger", "", "_Nothing spent yet._"];
  const shown = ledger.slice(-LAST_ENTRIES);
  const heading = ledger.length > shown.length ? `#### Last ${shown.length} ledger entries (of ${ledger.length})` : `#### Ledger (${ledger.length} entr${ledger.length === 1 ? "y" : "ies"})`;
  return [
    heading,
    "",
    "| When | Key | Kind | Feature | Model | Tokens in | Tokens out | Cost | Wall time | Note |",
    "| --- | --- | --- | --- | --- | --: | --: | --: | --: | --- |",
    ...shown.map(
      (e) =>
        `| ${when(e.at)} | ${inline(e.key)} | ${e.kind} | ${e.feature ?? "—"} | ${e.model ? inline(e.model) : "—"} | ${formatTokens(e.tokens_in)} | ${formatTokens(e.tokens_out)} | ${formatUsd(e.cost_micros)} | ${formatDuration(e.wall_seconds)} | ${e.note ? inline(e.note) : ""} |`,
    ),
  ];
}

/** "2026-11-24 14:05 UTC" */
function when(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function capital(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
