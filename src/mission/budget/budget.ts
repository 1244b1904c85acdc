/**
 * Pre-approval budget analysis: what the plan would cost at each outcome
 * level, and which level the stated budget affords. Pure; money in integer
 * micro-dollars.
 *
 * Each level is priced by the one forecast (forecast.ts forecastMission):
 * every feature's calibrated baseline × the level's factors, on the model
 * the level runs (levels.ts), plus its Actions minutes. What is approved is
 * what runs, and the checks before each dispatch use the same numbers.
 * A level fits when its HIGH estimate plus a 20% buffer is within every
 * capped budget dimension (null/undefined = uncapped).
 */
import { usdToMicros } from "./money.js";
import { priceOf } from "./ledger.js";
import { forecastMission, RANGE, type History, type Range } from "./forecast.js";
import { LEVEL_LABELS, levelModel, OUTCOME_LEVELS, type OutcomeLevel } from "./levels.js";
import type { Config, Mission, Size } from "../model.js";

export { LEVEL_LABELS, OUTCOME_LEVELS, RANGE, type OutcomeLevel, type Range };
export type BudgetDimension = "hours" | "usd" | "tokens";

/** a level fits when high × BUFFER is within the budget */
export const BUFFER = 1.2;

export interface Overrun {
  dimension: BudgetDimension;
  /** high estimate × buffer, in the dimension's unit (usd: micro-dollars) */
  needed: number;
  /** the budget's cap, same unit */
  limit: number;
}

export interface LevelEstimate {
  level: OutcomeLevel;
  label: string;
  /** the model its workers run */
  model: string;
  hours: Range;
  tokens: Range;
  /** integer micro-dollars */
  costMicros: Range;
  /** capped dimensions this level's high estimate (with buffer) exceeds; [] = fits */
  overruns: Overrun[];
}

export interface Analysis {
  /** in order: mvp, production, polished */
  levels: LevelEstimate[];
  /** the highest level that fits every capped dimension with the buffer; null if not even MVP fits */
  fits: OutcomeLevel | null;
  /** the budget as compared: null = uncapped; usd in micro-dollars */
  limits: { hours: number | null; usdMicros: number | null; tokens: number | null };
  buffer: number;
  /** configuration gaps that made the estimate less trustworthy (e.g. a tier without a price) */
  warnings: string[];
  /** calibration data points per size */
  dataPoints: Record<Size, number>;
}


/** Each level's forecast for the mission's plan, calibrated from `history` (the repository's finished missions) and the mission's own finished features. */
export function analysePlan(m: Mission, config: Config, history: History = []): Analysis {
  const warnings: string[] = [];
  const budget = m.budget;
  const limits = {
    hours: budget.hours ?? null,
    usdMicros: budget.usd == null ? null : usdToMicros(budget.usd),
    tokens: budget.tokens ?? null,
  };
  let dataPoints: Record<Size, number> = { S: 0, M: 0, L: 0 };
  const levels = OUTCOME_LEVELS.map((level): LevelEstimate => {
    const model = levelModel(level, config);
    const { note } = priceOf(model, config);
    if (note) warnings.push(`${LEVEL_LABELS[level]}: ${note} Add its price under \`prices\` in .github/mission.yml.`);
    const fc = forecastMission(m, config, history, { at: { level, model } });
    dataPoints = fc.dataPoints;
    const sum = (pick: (f: (typeof fc.features)[number]) => Range): Range => {
      const total = { low: 0, point: 0, high: 0 };
      for (const f of fc.features) for (const k of ["low", "point", "high"] as const) total[k] += pick(f)[k];
      return { low: total.low, point: total.point, high: total.high };
    };
    const hours = round2Range(sum((f) => f.forecast.hours));
    const tokens = sum((f) => f.forecast.tokens);
    const cost = sum((f) => f.forecast.costMicros);
    return {
      level,
      label: LEVEL_LABELS[level],
      model,
      hours,
      tokens,
      costMicros: cost,
      overruns: overruns({ hours: hours.high, usd: cost.high, tokens: tokens.high }, limits),
    };
  });

  const fitting = levels.filter((l) => l.overruns.length === 0);
  return { levels, fits: fitting.at(-1)?.level ?? null, limits, buffer: BUFFER, warnings: [...new Set(warnings)], dataPoints };
}

function round2Range(r: Range): Range {
  return { low: round2(r.low), point: round2(r.point), high: round2(r.high) };
}

function overruns(high: Record<BudgetDimension, number>, limits: Analysis["limits"]): Overrun[] {
  const out: Overrun[] = [];
  const check = (dimension: BudgetDimension, value: number, limit: number | null, integer: boolean) => {
    if (limit === null) return;
    const needed = integer ? Math.ceil(value * BUFFER) : round2(value * BUFFER);
    // integers compared exactly (×12 vs ×10); hours with a small tolerance for float noise
    const over = integer ? value * 12 > limit * 10 : value * BUFFER > limit + 1e-9;
    if (over) out.push({ dimension, needed, limit });
  };
  check("hours", high.hours, limits.hours, false);
  check("usd", high.usd, limits.usdMicros, true);
  check("tokens", high.tokens, limits.tokens, true);
  return out;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export interface LevelChoice {
  level: OutcomeLevel;
  /** the model workers run at it */
  model: string;
  /** why this level, for the reply and the decision log */
  why: string;
}

/**
 * The level an approval runs at: the one chosen, else the best level whose
 * high forecast fits the budget with its buffer, else (none fits) MVP, the
 * cheapest, and the reply says so.
 */
export function chooseLevel(m: Mission, config: Config, history: History, chosen?: OutcomeLevel): LevelChoice {
  const analysis = analysePlan(m, config, history);
  if (chosen) {
    const est = analysis.levels.find((l) => l.level === chosen)!;
    const fits = est.overruns.length === 0 ? "it fits the budget with its buffer" : "chosen although it does not fit the budget with its buffer: workers that would overrun it are not started";
    return { level: chosen, model: est.model, why: `chosen; ${fits}` };
  }
  if (analysis.fits) {
    const level = analysis.fits;
    return { level, model: levelModel(level, config), why: "the best level the budget fits with its buffer" };
  }
  return { level: "mvp", model: levelModel("mvp", config), why: "no level fits the budget with its buffer, so the cheapest" };
}

/** The approved mission: its level recorded, and the level's model for its workers. */
export function withLevel(m: Mission, choice: LevelChoice): Mission {
  return { ...m, level: choice.level, models: { ...m.models, worker: choice.model } };
}
