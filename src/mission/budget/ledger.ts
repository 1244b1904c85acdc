/**
 * The ledger: what a mission has spent, one entry per run and attempt.
 * Entries from worker reports, totals, and the formats every view shares.
 * Pure; money in integer micro-dollars so sums never drift.
 *
 * What an entry costs:
 * - the model's cost: the exact `cost_usd` the worker reported, or else its
 *   tokens priced per model (input and output separately, costMicros). A
 *   model without a price, or no model named, is priced at the top tier's
 *   model (the conservative choice) and the entry's note says so;
 * - plus the Actions minutes, rounded up to a whole minute as GitHub bills
 *   them, at `runner_prices.per_minute[runner_prices.runner]`.
 *
 * A report whose run was not metered (`metering: "unmetered"`: the metering
 * proxy's usage record could not be read) never books less than the run's
 * cost cap, or without a cap its forecast (the caller's, else the largest
 * baseline at the top tier's price), and the entry's note says so: an agent
 * that says nothing, or says it spent nothing, is not taken at its word.
 */
import { costMicros, formatUsd, usdToMicros } from "./money.js";
import { FeatureKey, type Config, type LedgerEntry, type Mission, type Price } from "../model.js";
import type { WorkerReport } from "../workers/report.js";
import type { PlannerUsage } from "../plan/plan.js";

export interface Spent {
  tokens: number;
  /** integer micro-dollars */
  costMicros: number;
  /** worker and validation wall time, in hours */
  hours: number;
  actionsMinutes: number;
  entries: number;
}

/** Sums in integers (tokens, micro-dollars, milliseconds), so a thousand entries add up exactly. */
export function totals(ledger: readonly LedgerEntry[]): Spent {
  let tokens = 0;
  let costMicros = 0;
  let millis = 0;
  let actionsMinutes = 0;
  for (const e of ledger) {
    tokens += e.tokens_in + e.tokens_out;
    costMicros += e.cost_micros;
    if (e.kind !== "planner") millis += Math.round(e.wall_seconds * 1000);
    actionsMinutes += e.actions_minutes;
  }
  return { tokens, costMicros, hours: millis / 3_600_000, actionsMinutes, entries: ledger.length };
}

/** Totals per feature key; entries without a feature (planner, validation) are left out. */
export function totalsByFeature(ledger: readonly LedgerEntry[]): Map<string, Spent> {
  const groups = new Map<string, LedgerEntry[]>();
  for (const e of ledger) {
    if (!e.feature) continue;
    const group = groups.get(e.feature) ?? [];
    group.push(e);
    groups.set(e.feature, group);
  }
  return new Map([...groups].map(([key, entries]) => [key, totals(entries)]));
}

// ---------------------------------------------------------------------------
// Entries
// ---------------------------------------------------------------------------

/** The ledger key of a run's attempt: one entry per key. */
export function ledgerKey(runId: number, attempt: number): string {
  return `run-${runId}-${attempt}`;
}

/**
 * Add an entry unless one with its key is there. A report is counted
 * whenever it arrives, even after the mission completed or was cancelled:
 * the money was spent either way.
 */
export function addEntry(m: Mission, e: LedgerEntry): { mission: Mission; added: boolean } {
  if (m.ledger.some((x) => x.key === e.key)) return { mission: m, added: false };
  return { mission: { ...m, ledger: [...m.ledger, e] }, added: true };
}

/** What a run is expected to cost at most (its forecast's high end), for a report that was not metered. */
export interface RunForecast {
  tokens: number;
  /** integer micro-dollars */
  costMicros: number;
}

/** What an unmetered run is booked at: its cap, else the forecast, else the largest baseline at the top tier's price. */
function unmeteredFloor(r: WorkerReport, config: Config, forecast: RunForecast | undefined): { tokens: number; micros: number; why: string } {
  const tokens = forecast?.tokens ?? config.baselines.L.tokens;
  if (r.cost_cap_usd !== undefined) return { tokens, micros: usdToMicros(r.cost_cap_usd), why: `its cost cap of ${formatUsd(usdToMicros(r.cost_cap_usd))}` };
  if (forecast) return { tokens, micros: forecast.costMicros, why: `its forecast of ${formatUsd(forecast.costMicros)}` };
  const out = Math.round(tokens * config.output_share);
  const micros = costMicros(tokens - out, out, priceOf(config.tiers.top, config).price);
  return { tokens, micros, why: `a large feature at the top tier's price (${formatUsd(micros)})` };
}

/**
 * The ledger entry of a worker's report; see the top of this file for what
 * it costs. `forecast`: the run's forecast (high end), booked when the run
 * was not metered and had no cost cap.
 */
export function entryFromReport(r: WorkerReport, config: Config, at: string, forecast?: RunForecast): LedgerEntry {
  const notes: string[] = [];
  let model: number;
  let tokensIn = r.tokens_in;
  let tokensOut = r.tokens_out;
  if (r.cost_usd !== undefined) {
    model = usdToMicros(r.cost_usd);
  } else {
    const priced = priceOf(r.model, config);
    if (priced.note) notes.push(priced.note);
    model = costMicros(r.tokens_in, r.tokens_out, priced.price);
  }
  if (r.metering === "unmetered") {
    const floor = unmeteredFloor(r, config, forecast);
    if (model < floor.micros) model = floor.micros;
    if (tokensIn + tokensOut < floor.tokens) {
      tokensOut = Math.round(floor.tokens * config.output_share);
      tokensIn = floor.tokens - tokensOut;
    }
    notes.length = 0;
    notes.push(`not metered (no usage record from the metering proxy): booked at ${floor.why} at least.`);
  }
  const actions = actionsCostMicros(r.actions_minutes, config);
  return {
    key: ledgerKey(r.run_id, r.run_attempt),
    kind: "worker",
    feature: r.feature,
    ...(r.model ? { model: r.model } : {}),
    tokens_in: tokensIn,
    tokens_out: tokensOut,
    cost_micros: model + actions,
    wall_seconds: r.duration_seconds,
    actions_minutes: r.actions_minutes,
    at,
    ...(notes.length ? { note: notes.join(" ") } : {}),
  };
}

/** The ledger key of one plan request: the command that asked (or the form) and when. */
export function plannerKey(planning: { comment?: number; at: string }): string {
  return `planner-${planning.comment ?? "form"}-${planning.at}`;
}

/**
 * The ledger entry of planning or replanning: the planner model's tokens,
 * priced as that model (or, without a price, as the top tier, noted). No
 * wall time: planning runs in the bot, not in a worker.
 */
export function plannerEntry(usage: PlannerUsage, config: Config, key: string, at: string, what: string): LedgerEntry {
  const priced = priceOf(usage.model, config);
  const calls = `${usage.calls} model call${usage.calls === 1 ? "" : "s"}`;
  return {
    key,
    kind: "planner",
    model: usage.model,
    tokens_in: usage.tokens_in,
    tokens_out: usage.tokens_out,
    cost_micros: costMicros(usage.tokens_in, usage.tokens_out, priced.price),
    wall_seconds: 0,
    actions_minutes: 0,
    at,
    note: `${what} (${calls})${priced.note ? `; ${priced.note}` : ""}`.slice(0, 2000),
  };
}

/** A report that could not be read is recorded with zero figures, not dropped. */
export function malformedEntry(key: string, feature: string | undefined, problems: string[], at: string): LedgerEntry {
  const note = `malformed report, nothing counted: ${problems.join("; ") || "no details"}`;
  return {
    key,
    kind: "worker",
    ...(feature !== undefined && FeatureKey.safeParse(feature).success ? { feature } : {}),
    tokens_in: 0,
    tokens_out: 0,
    cost_micros: 0,
    wall_seconds: 0,
    actions_minutes: 0,
    at,
    note: note.length > 2000 ? `${note.slice(0, 1999)}…` : note,
  };
}

/**
 * The price of a model's tokens. A model without a configured price (or no
 * model at all) is priced at the top tier's model, or if that has no price
 * either, at the dearest configured price; `note` then says so.
 */
export function priceOf(model: string | undefined, config: Config): { price: Price; note?: string } {
  const own = model ? config.prices[model] : undefined;
  if (own) return { price: own };
  const what = model ? `no price is configured for ${model}` : "the report names no model";
  const top = config.prices[config.tiers.top];
  if (top) return { price: top, note: `${what}, so its tokens are priced as ${config.tiers.top} (the top tier).` };
  const dearest = Object.entries(config.prices).sort(
    ([, a], [, b]) => b.output - a.output || b.input - a.input,
  )[0];
  if (dearest) return { price: dearest[1], note: `${what}, so its tokens are priced as ${dearest[0]} (the dearest configured).` };
  return { price: { input: 0, output: 0 }, note: `${what} and no prices are configured, so its tokens are counted as free.` };
}

/** Actions minutes in micro-dollars: rounded up to whole minutes, as GitHub bills them. */
export function actionsCostMicros(minutes: number, config: Config): number {
  const rate = config.runner_prices.per_minute[config.runner_prices.runner] ?? 0;
  const billed = Math.ceil(Math.max(0, minutes) - 1e-9);
  return billed * usdToMicros(rate);
}
