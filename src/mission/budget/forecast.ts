/**
 * Forecasts that learn: what a feature will cost, from per-size baselines
 * calibrated with what features of each size actually cost in this
 * repository. Pure; money in integer micro-dollars.
 *
 * Calibration rule, per size, with n data points (finished features with
 * tokens and wall time in the ledger):
 * - n ≥ 3: the median of the actual tokens and of the actual hours;
 * - 0 < n < 3: the configured baseline counts as 3 − n data points and is
 *   averaged with the n actuals, so the estimate moves towards the actuals
 *   one data point at a time and meets the median at 3;
 * - n = 0: the configured baseline.
 *
 * A feature's forecast: calibrated tokens and hours for its size; cost =
 * tokens at the worker model's price (config.output_share of them output,
 * priced separately) + its hours as Actions minutes; low/high = RANGE × point,
 * as in the plan's budget analysis.
 */
import { RANGE, type Range } from "./budget.js";
import { costMicros } from "./money.js";
import { actionsCostMicros, priceOf, totalsByFeature } from "./ledger.js";
import type { Config, Feature, Milestone, Mission, Size } from "../model.js";

/** A finished feature and what it actually cost. */
export interface CompletedFeature {
  size: Size;
  tokens: number;
  /** integer micro-dollars */
  costMicros: number;
  hours: number;
  /** where it comes from, for people reading the history */
  mission?: string;
  feature?: string;
}

export type History = readonly CompletedFeature[];

export interface FeatureForecast {
  tokens: Range;
  /** integer micro-dollars */
  costMicros: Range;
  hours: Range;
}

const SIZES: readonly Size[] = ["S", "M", "L"];
/** data points from which the median replaces the configured baseline */
export const CALIBRATED_FROM = 3;

/**
 * Whether a feature is done. `closed` (feature keys whose issues are closed,
 * from the snapshot) is the truth when given; without it, a validated
 * milestone or a last worker run that succeeded counts as done.
 */
export function isFeatureDone(feature: Feature, milestone: Milestone, closed?: ReadonlySet<string>): boolean {
  if (closed?.has(feature.key)) return true;
  if (milestone.validated) return true;
  const last = feature.runs.at(-1);
  return last?.status === "completed" && last.conclusion === "success";
}

/**
 * History from missions' ledgers: every done feature with tokens and wall
 * time recorded, its ledger entries summed. A completed mission's features
 * all count as done; for the others, `closed` maps a mission id to the keys
 * of its features whose issues are closed (see isFeatureDone). A mission
 * given twice is read once.
 */
export function historyFrom(
  missions: readonly Mission[],
  closedFeatureKeys?: ReadonlyMap<string, ReadonlySet<string>>,
): CompletedFeature[] {
  const out: CompletedFeature[] = [];
  const seen = new Set<string>();
  for (const m of missions) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    const spent = totalsByFeature(m.ledger);
    const closed = closedFeatureKeys?.get(m.id);
    for (const milestone of m.plan?.milestones ?? []) {
      for (const f of milestone.features) {
        const done = m.status === "completed" || isFeatureDone(f, milestone, closed);
        const s = spent.get(f.key);
        if (!done || !s || s.tokens <= 0 || s.hours <= 0) continue;
        out.push({ size: f.size, tokens: s.tokens, costMicros: s.costMicros, hours: s.hours, mission: m.id, feature: f.key });
      }
    }
  }
  return out;
}

/** Per-size baselines calibrated from history (rule at the top of this file) and the data points each used. */
export function calibrate(
  config: Config,
  history: History,
): { baselines: Config["baselines"]; dataPoints: Record<Size, number> } {
  const baselines = { ...config.baselines };
  const dataPoints: Record<Size, number> = { S: 0, M: 0, L: 0 };
  for (const size of SIZES) {
    const points = history.filter((p) => p.size === size && p.tokens > 0 && p.hours > 0);
    dataPoints[size] = points.length;
    if (points.length === 0) continue;
    const base = config.baselines[size];
    const tokens = estimate(points.map((p) => p.tokens), base.tokens);
    const hours = estimate(points.map((p) => p.hours), base.hours);
    baselines[size] = { tokens: Math.max(1, Math.round(tokens)), hours: Math.max(0.01, round2(hours)) };
  }
  return { baselines, dataPoints };
}

function estimate(actuals: number[], baseline: number): number {
  if (actuals.length >= CALIBRATED_FROM) return median(actuals);
  const weight = CALIBRATED_FROM - actuals.length;
  return (baseline * weight + actuals.reduce((a, b) => a + b, 0)) / CALIBRATED_FROM;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return 0;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * What one feature is forecast to cost. `model` is the worker model
 * (the mission's `models.worker`; default: config.models.worker). A model
 * without a price is priced at the top tier, as the ledger does.
 */
export function forecastFeature(
  feature: Pick<Feature, "size">,
  config: Config,
  history: History,
  model: string = config.models.worker,
): FeatureForecast {
  const base = calibrate(config, history).baselines[feature.size];
  const { price } = priceOf(model, config);
  const tokensAt = (factor: number) => Math.round(base.tokens * factor);
  const hoursAt = (factor: number) => round2(base.hours * factor);
  const costAt = (factor: number) => {
    const tokens = tokensAt(factor);
    const out = Math.round(tokens * config.output_share);
    return costMicros(tokens - out, out, price) + actionsCostMicros(hoursAt(factor) * 60, config);
  };
  const range = (at: (factor: number) => number): Range => ({ low: at(RANGE.low), point: at(1), high: at(RANGE.high) });
  return { tokens: range(tokensAt), costMicros: range(costAt), hours: range(hoursAt) };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
