/**
 * Ledger totals: what a mission has spent so far. Pure; money in integer
 * micro-dollars.
 */
import type { LedgerEntry } from "./model.js";

export interface Spent {
  tokens: number;
  /** integer micro-dollars */
  costMicros: number;
  /** worker and validation wall time, in hours */
  hours: number;
  actionsMinutes: number;
  entries: number;
}

export function totals(ledger: readonly LedgerEntry[]): Spent {
  let tokens = 0;
  let costMicros = 0;
  let seconds = 0;
  let actionsMinutes = 0;
  for (const e of ledger) {
    tokens += e.tokens_in + e.tokens_out;
    costMicros += e.cost_micros;
    seconds += e.wall_seconds;
    actionsMinutes += e.actions_minutes;
  }
  return { tokens, costMicros, hours: seconds / 3600, actionsMinutes, entries: ledger.length };
}

export const MICROS_PER_USD = 1_000_000;

export function usdToMicros(usd: number): number {
  return Math.round(usd * MICROS_PER_USD);
}

/** "$12.34" from micro-dollars; cents rounded half up. */
export function formatUsd(micros: number): string {
  const cents = Math.round(micros / 10_000);
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const dollars = Math.floor(abs / 100).toLocaleString("en-US");
  return `${sign}$${dollars}.${String(abs % 100).padStart(2, "0")}`;
}

/** "1.2M", "350k", "900" */
export function formatTokens(tokens: number): string {
  if (tokens >= 1_000_000) return `${trim(tokens / 1_000_000)}M`;
  if (tokens >= 1_000) return `${trim(tokens / 1_000)}k`;
  return String(tokens);
}

export function formatHours(hours: number): string {
  return `${trim(hours)}h`;
}

function trim(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1).replace(/\.0$/, "") : n.toFixed(2).replace(/\.?0+$/, "");
}
