/**
 * The one forecast: what a feature, and a mission, will cost. The plan's
 * budget analysis, the check before every dispatch, the per-run limits, the
 * alerts the pulse and the webhooks post, the budget summary and the
 * dashboard all read it from here, with the same calibration, so the same
 * dispatch is never judged two ways. Pure; money in integer micro-dollars.
 *
 * Calibration data (calibrationHistory): the finished features of the
 * repository's completed missions and the mission's own finished features,
 * each counted once. Each data point is normalised to the production-ready
 * level (its tokens and hours divided by its mission's level factors, see
 * levels.ts), so an MVP mission's cheap features do not talk down a polished
 * one's forecast.
 *
 * Calibration rule, per size, with n data points (finished features with
 * tokens and wall time in the ledger):
 * - n ≥ 3: the median of the actual tokens and of the actual hours;
 * - 0 < n < 3: the configured baseline counts as 3 − n data points and is
 *   averaged with the n actuals, so the estimate moves towards the actuals
 *   one data point at a time and meets the median at 3;
 * - n = 0: the configured baseline.
 *
 * A feature's forecast at a level: calibrated tokens and hours for its size
 * × the level's factors; cost = tokens at the model's price
 * (config.output_share of them output, priced separately; a model without a
 * price at the top tier's, as the ledger books it) + its hours as Actions
 * minutes; low/high = RANGE × point.
 */
import { costMicros } from "./money.js";
import { actionsCostMicros, priceOf, totalsByFeature, type Spent } from "./ledger.js";
import { DEFAULT_LEVEL, LEVELS, levelOf, type OutcomeLevel } from "./levels.js";
import type { Config, Feature, Milestone, Mission, Size } from "../model.js";

export interface Range {
  low: number;
  point: number;
  high: number;
}

/** low = 0.7× the point estimate, high = 1.5× (estimates overrun more often than they underrun). */
export const RANGE = { low: 0.7, high: 1.5 } as const;

/** A finished feature and what it actually cost. */
export interface CompletedFeature {
  size: Size;
  tokens: number;
  /** integer micro-dollars */
  costMicros: number;
  hours: number;
  /** the level its mission was approved at (absent: production-ready) */
  level?: OutcomeLevel;
  /** the worker model its mission ran */
  model?: string;
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
        out.push({ size: f.size, tokens: s.tokens, costMicros: s.costMicros, hours: s.hours, ...(m.level ? { level: m.level } : {}), model: m.models.worker, mission: m.id, feature: f.key });
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
    const tokens = estimate(points.map((p) => p.tokens / LEVELS[p.level ?? DEFAULT_LEVEL].tokens), base.tokens);
    const hours = estimate(points.map((p) => p.hours / LEVELS[p.level ?? DEFAULT_LEVEL].hours), base.hours);
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

/** The model and level a forecast is made for. */
export interface ForecastAt {
  level: OutcomeLevel;
  /** the model the workers run (the mission's `models.worker`, set at approval from the level) */
  model: string;
}

/**
 * What one feature is forecast to cost at a level on a model. `at` defaults
 * to production-ready on `config.models.worker`.
 */
export function forecastFeature(
  feature: Pick<Feature, "size">,
  config: Config,
  history: History,
  at: ForecastAt = { level: DEFAULT_LEVEL, model: config.models.worker },
): FeatureForecast {
  return featureForecast(feature.size, calibrate(config, history).baselines, config, at);
}

function featureForecast(size: Size, baselines: Config["baselines"], config: Config, at: ForecastAt): FeatureForecast {
  const base = baselines[size];
  const rule = LEVELS[at.level];
  const { price } = priceOf(at.model, config);
  const tokensAt = (factor: number) => Math.round(base.tokens * rule.tokens * factor);
  const hoursAt = (factor: number) => round2(base.hours * rule.hours * factor);
  const costAt = (factor: number) => {
    const tokens = tokensAt(factor);
    const out = Math.round(tokens * config.output_share);
    return costMicros(tokens - out, out, price) + actionsCostMicros(hoursAt(factor) * 60, config);
  };
  const range = (fn: (factor: number) => number): Range => ({ low: fn(RANGE.low), point: fn(1), high: fn(RANGE.high) });
  return { tokens: range(tokensAt), costMicros: range(costAt), hours: range(hoursAt) };
}

/**
 * The data a mission's forecast is calibrated from: the repository's
 * finished features (`repository`, from its completed missions) and the
 * mission's own finished features, each (mission, feature) once. `closed`:
 * keys of the mission's features whose issues are closed.
 */
export function calibrationHistory(m: Mission, repository: History, closed?: ReadonlySet<string>): CompletedFeature[] {
  const own = historyFrom([m], closed ? new Map([[m.id, closed]]) : undefined);
  const seen = new Set(own.map((p) => `${p.mission}/${p.feature}`));
  const others = repository.filter((p) => p.mission !== m.id && !seen.has(`${p.mission}/${p.feature}`));
  return [...others, ...own];
}

/** Where a mission's forecast is made for: its level and the worker model it runs. */
export function forecastAt(m: Pick<Mission, "level" | "models">): ForecastAt {
  return { level: levelOf(m), model: m.models.worker };
}

export type ForecastDimension = "hours" | "usd" | "tokens";

export interface FeatureOutlook {
  key: string;
  size: Size;
  done: boolean;
  forecast: FeatureForecast;
  /** what its runs spent so far */
  spent: Spent | undefined;
}

export interface MissionForecast {
  level: OutcomeLevel;
  model: string;
  /** every feature of the plan, in plan order */
  features: FeatureOutlook[];
  /** what the features not done yet will still cost: their forecasts less what each already spent, never below 0 */
  left: Record<ForecastDimension, Range>;
  featuresLeft: number;
  /** data points per size the calibration used */
  dataPoints: Record<Size, number>;
}

export interface MissionForecastOptions {
  /** keys of the mission's features whose issues are closed (from the snapshot) */
  closed?: ReadonlySet<string>;
  /** forecast at this level and model instead of the mission's (the plan's analysis of each level) */
  at?: ForecastAt;
}

/**
 * The mission's forecast: each feature's, calibrated from the repository's
 * finished missions (`repository`) and the mission's own finished features.
 * The one function every view and check takes its forecast from.
 */
export function forecastMission(m: Mission, config: Config, repository: History, opts: MissionForecastOptions = {}): MissionForecast {
  const at = opts.at ?? forecastAt(m);
  const { baselines, dataPoints } = calibrate(config, calibrationHistory(m, repository, opts.closed));
  const byFeature = totalsByFeature(m.ledger);
  const left: Record<ForecastDimension, Range> = {
    hours: { low: 0, point: 0, high: 0 },
    usd: { low: 0, point: 0, high: 0 },
    tokens: { low: 0, point: 0, high: 0 },
  };
  const features: FeatureOutlook[] = [];
  let featuresLeft = 0;
  for (const milestone of m.plan?.milestones ?? []) {
    for (const f of milestone.features) {
      const forecast = featureForecast(f.size, baselines, config, at);
      const spent = byFeature.get(f.key);
      const done = isFeatureDone(f, milestone, opts.closed);
      features.push({ key: f.key, size: f.size, done, forecast, spent });
      if (done) continue;
      featuresLeft++;
      const ranges: Record<ForecastDimension, Range> = { hours: forecast.hours, usd: forecast.costMicros, tokens: forecast.tokens };
      for (const d of ["hours", "usd", "tokens"] as const) {
        const sunk = !spent ? 0 : d === "hours" ? spent.hours : d === "usd" ? spent.costMicros : spent.tokens;
        for (const k of ["low", "point", "high"] as const) left[d][k] += Math.max(0, ranges[d][k] - sunk);
      }
    }
  }
  return { level: at.level, model: at.model, features, left, featuresLeft, dataPoints };
}

/** One feature's forecast within its mission's (the same calibration as forecastMission). */
export function forecastOf(m: Mission, feature: Pick<Feature, "key" | "size">, config: Config, repository: History): FeatureForecast {
  const { baselines } = calibrate(config, calibrationHistory(m, repository));
  return featureForecast(feature.size, baselines, config, forecastAt(m));
}

export interface PastError {
  /** completed missions the error was measured on */
  missions: number;
  /** mean of |forecast − actual| / actual over those missions' worker cost */
  meanAbsolute: number;
  /** mean of (forecast − actual) / actual: below 0, forecasts ran low */
  meanSigned: number;
}

/**
 * How far the forecast was from what past missions actually cost: each
 * completed mission in `repository` (oldest first, by id) is forecast from
 * the data points of the missions before it, at its own level and worker
 * model, and compared with what its finished features cost. Undefined
 * without a past mission to measure.
 */
export function pastForecastError(config: Config, repository: History): PastError | undefined {
  const byMission = new Map<string, CompletedFeature[]>();
  for (const p of repository) {
    if (!p.mission) continue;
    byMission.set(p.mission, [...(byMission.get(p.mission) ?? []), p]);
  }
  const ids = [...byMission.keys()].sort();
  const errors: number[] = [];
  const before: CompletedFeature[] = [];
  for (const id of ids) {
    const points = byMission.get(id)!;
    const actual = points.reduce((s, p) => s + p.costMicros, 0);
    if (actual > 0) {
      const { baselines } = calibrate(config, before);
      const level = points[0]!.level ?? DEFAULT_LEVEL;
      const model = points[0]!.model ?? config.models.worker;
      const forecast = points.reduce((s, p) => s + featureForecast(p.size, baselines, config, { level, model }).costMicros.point, 0);
      errors.push((forecast - actual) / actual);
    }
    before.push(...points);
  }
  if (!errors.length) return undefined;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { missions: errors.length, meanAbsolute: mean(errors.map(Math.abs)), meanSigned: mean(errors) };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
