/** The ledger, folded: its totals in a `<details>` summary and its last entries inside. Pure. */
import { totals } from "../../budget/ledger.js";
import { formatHours, formatTokens, formatUsd } from "../../budget/money.js";
import { missionPath } from "../../model.js";
import { cellText } from "../escape.js";
import type { DashboardContext } from "./context.js";

/** Entries shown; the whole ledger is in mission.md. */
export const LEDGER_ROWS = 15;

export function ledgerSection(ctx: DashboardContext): string[] {
  const { ledger } = ctx.mission;
  if (ledger.length === 0) return [];
  const sum = totals(ledger);
  const shown = ledger.slice(-LEDGER_ROWS);
  const summary = `Ledger: ${ledger.length} entr${ledger.length === 1 ? "y" : "ies"} · ${formatUsd(sum.costMicros)} · ${formatTokens(sum.tokens)} tokens · ${formatHours(round2(sum.hours))}`;
  const rows = shown.map(
    (e) =>
      `| ${when(e.at)} | ${e.kind} | ${e.feature ?? "—"} | ${e.model ? cellText(e.model) : "—"} | ${formatTokens(e.tokens_in + e.tokens_out)} | ${formatUsd(e.cost_micros)} | ${formatHours(round2(e.wall_seconds / 3600))} |`,
  );
  const earlier = ledger.length - shown.length;
  return [
    "<details>",
    `<summary>${summary}</summary>`,
    "",
    "| When | Kind | Feature | Model | Tokens | Cost | Time |",
    "| --- | --- | --- | --- | --: | --: | --: |",
    ...rows,
    "",
    earlier > 0 ? `_${earlier} earlier entr${earlier === 1 ? "y is" : "ies are"} in \`${missionPath(ctx.mission.id)}\`._` : `_The ledger is kept in \`${missionPath(ctx.mission.id)}\`._`,
    "",
    "</details>",
  ];
}

/** "2026-11-24 14:05" (UTC) */
function when(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? "—" : new Date(t).toISOString().slice(0, 16).replace("T", " ");
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
