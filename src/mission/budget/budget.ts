/**
 * Pre-approval budget analysis: what the plan would cost at each outcome
 * level, and which level the stated budget affords. Pure; money in integer
 * micro-dollars.
 *
 * Model (from reference/lessons.md, with the choices it left open):
 * - Base effort = Σ over features of config.baselines[size] (tokens, hours).
 * - MVP: 0.6× tokens, all on the cheap tier; 0.5× hours.
 * - Production-ready: 1.5× tokens on the standard tier; 1.0× hours (the
 *   baselines describe a production-quality feature).
 * - Polished: 3× tokens, 30% on the top tier and 70% on standard; 2.0× hours
 *   (our choice: more review rounds, not three times the wall clock).
 * - Tokens are priced per tier with input and output priced separately:
 *   config.output_share of each tier's tokens are output. Never a blended rate.
 * - Range: low = 0.7× the point estimate, high = 1.5× (estimates overrun more
 *   often than they underrun).
 * - A level fits when its HIGH estimate plus a 20% buffer is within every
 *   capped budget dimension (null/undefined = uncapped).
 */
import { costMicros, usdToMicros } from "./money.js";
import type { Budget, Config, Plan, Price } from "../model.js";

export type OutcomeLevel = "mvp" | "production" | "polished";
export type BudgetDimension = "hours" | "usd" | "tokens";

export const OUTCOME_LEVELS: readonly OutcomeLevel[] = ["mvp", "production", "polished"];

export const LEVEL_LABELS: Record<OutcomeLevel, string> = {
  mvp: "MVP",
  production: "Production-ready",
  polished: "Polished",
};

type Tier = "cheap" | "standard" | "top";

interface LevelRule {
  tokens: number;
  hours: number;
  /** share of tokens per tier; shares sum to 1 */
  mix: Partial<Record<Tier, number>>;
}

export const LEVEL_RULES: Record<OutcomeLevel, LevelRule> = {
  mvp: { tokens: 0.6, hours: 0.5, mix: { cheap: 1 } },
  production: { tokens: 1.5, hours: 1.0, mix: { standard: 1 } },
  polished: { tokens: 3, hours: 2.0, mix: { top: 0.3, standard: 0.7 } },
};

export const RANGE = { low: 0.7, high: 1.5 } as const;
/** a level fits when high × BUFFER is within the budget */
export const BUFFER = 1.2;

export interface Range {
  low: number;
  point: number;
  high: number;
}

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
}


export function analysePlan(plan: Plan, config: Config, budget: Budget): Analysis {
  const warnings: string[] = [];
  let baseTokens = 0;
  let baseHours = 0;
  for (const m of plan.milestones) {
    for (const f of m.features) {
      baseTokens += config.baselines[f.size].tokens;
      baseHours += config.baselines[f.size].hours;
    }
  }
  const prices = tierPrices(config, warnings);
  const limits = {
    hours: budget.hours ?? null,
    usdMicros: budget.usd == null ? null : usdToMicros(budget.usd),
    tokens: budget.tokens ?? null,
  };

  const levels = OUTCOME_LEVELS.map((level): LevelEstimate => {
    const rule = LEVEL_RULES[level];
    const tokensAt = (factor: number) => Math.round(baseTokens * rule.tokens * factor);
    const hoursAt = (factor: number) => round2(baseHours * rule.hours * factor);
    const costAt = (factor: number) => levelCost(tokensAt(factor), rule.mix, prices, config.output_share);
    const tokens = { low: tokensAt(RANGE.low), point: tokensAt(1), high: tokensAt(RANGE.high) };
    const hours = { low: hoursAt(RANGE.low), point: hoursAt(1), high: hoursAt(RANGE.high) };
    const cost = { low: costAt(RANGE.low), point: costAt(1), high: costAt(RANGE.high) };
    return {
      level,
      label: LEVEL_LABELS[level],
      hours,
      tokens,
      costMicros: cost,
      overruns: overruns({ hours: hours.high, usd: cost.high, tokens: tokens.high }, limits),
    };
  });

  const fitting = levels.filter((l) => l.overruns.length === 0);
  return { levels, fits: fitting.at(-1)?.level ?? null, limits, buffer: BUFFER, warnings };
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

function tierPrices(config: Config, warnings: string[]): Record<Tier, Price> {
  const get = (tier: Tier): Price => {
    const model = config.tiers[tier];
    const price = config.prices[model];
    if (price) return price;
    warnings.push(
      `No price is configured for ${model} (the ${tier} tier), so its tokens are counted as free; add it under \`prices\` in .github/mission.yml.`,
    );
    return { input: 0, output: 0 };
  };
  return { cheap: get("cheap"), standard: get("standard"), top: get("top") };
}

function levelCost(tokens: number, mix: LevelRule["mix"], prices: Record<Tier, Price>, outputShare: number): number {
  let total = 0;
  for (const [tier, share] of Object.entries(mix) as [Tier, number][]) {
    const tierTokens = Math.round(tokens * share);
    const out = Math.round(tierTokens * outputShare);
    total += costMicros(tierTokens - out, out, prices[tier]);
  }
  return total;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
