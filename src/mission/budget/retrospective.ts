/**
 * The retrospective: at the end of a mission, what was budgeted and
 * forecast against what was spent, per category (money, hours, tokens), and
 * the lessons worth keeping. Written into mission.md once (the mission's
 * `retrospective`), read by the next mission's calibration through
 * `budgetAccuracy`. Pure; money in integer micro-dollars.
 *
 * The forecast it compares with is `missionForecast`: one small function, so
 * that it can be pointed at another forecast without touching the rest.
 */
import type { AccuracyRow, BudgetCategory, Config, Mission, Retrospective } from "../model.js";
import { forecastAt, forecastFeature, type History } from "./forecast.js";
import { totals } from "./ledger.js";
import { limitsOf } from "./enforce.js";
import { formatPercent } from "./money.js";

export const CATEGORIES: readonly BudgetCategory[] = ["usd", "hours", "tokens"];

/** A forecast this far off (either way) is worth a lesson. */
export const NOTABLE_ERROR = 0.25;

/**
 * What the plan's features were forecast to cost: the sum of each feature's
 * point forecast (forecast.ts) with the history the mission ran with. The
 * one place the retrospective asks for a forecast.
 */
export function missionForecast(m: Mission, config: Config, history: History): Record<BudgetCategory, number> {
  const sum: Record<BudgetCategory, number> = { usd: 0, hours: 0, tokens: 0 };
  // the forecast the plan made: calibrated from the repository's history, at the mission's level and worker model
  const at = forecastAt(m);
  for (const ms of m.plan?.milestones ?? []) {
    for (const f of ms.features) {
      const fc = forecastFeature(f, config, history, at);
      sum.usd += fc.costMicros.point;
      sum.hours += fc.hours.point;
      sum.tokens += fc.tokens.point;
    }
  }
  return { usd: sum.usd, hours: round2(sum.hours), tokens: sum.tokens };
}

/** Budgeted, forecast and actual per category, with the variance against the budget and the forecast's error. */
export function accuracyRows(m: Mission, forecast: Record<BudgetCategory, number>): AccuracyRow[] {
  const spent = totals(m.ledger);
  const actual: Record<BudgetCategory, number> = { usd: spent.costMicros, hours: round2(spent.hours), tokens: spent.tokens };
  const limits = limitsOf(m);
  return CATEGORIES.map((category) => {
    const budgeted = limits[category] ?? null;
    const a = actual[category];
    const f = forecast[category];
    return {
      category,
      budgeted,
      forecast: f,
      actual: a,
      variance: budgeted === null ? null : category === "hours" ? round2(a - budgeted) : a - budgeted,
      forecast_error: f > 0 ? round4((a - f) / f) : null,
    };
  });
}

/** The retrospective of a finished mission, at `at` (the reconcile's time). */
export function retrospective(m: Mission, config: Config, history: History, at: string): Retrospective {
  const accuracy = accuracyRows(m, missionForecast(m, config, history));
  return { at, accuracy, lessons: lessonsFrom(m, accuracy) };
}

/**
 * For calibration: the budget accuracy of finished missions, one row per
 * mission and category, from what each mission recorded (a mission without
 * a retrospective, from before there was one, gives none).
 */
export function budgetAccuracy(missions: readonly Mission[]): { mission: string; row: AccuracyRow }[] {
  return missions.flatMap((m) => (m.retrospective?.accuracy ?? []).map((row) => ({ mission: m.id, row })));
}

const WORDS: Record<BudgetCategory, string> = { usd: "money", hours: "time", tokens: "tokens" };

/** Lessons the facts support: forecasts far off, features that needed retries or a person, validations that failed, skipped validation. */
export function lessonsFrom(m: Mission, accuracy: readonly AccuracyRow[]): string[] {
  const lessons: string[] = [];
  for (const row of accuracy) {
    if (row.forecast_error === null || Math.abs(row.forecast_error) < NOTABLE_ERROR) continue;
    const over = row.forecast_error > 0;
    lessons.push(
      `The ${WORDS[row.category]} forecast was ${formatPercent(Math.abs(row.forecast_error))} ${over ? "too low" : "too high"}: the next forecasts calibrate from this mission's actual spend.`,
    );
  }
  const milestones = m.plan?.milestones ?? [];
  const features = milestones.flatMap((ms) => ms.features);
  const retried = features.filter((f) => f.runs.length > 1).map((f) => f.key);
  if (retried.length) lessons.push(`Feature${retried.length === 1 ? "" : "s"} ${retried.join(", ")} needed more than one worker run.`);
  const fixes = features.filter((f) => f.fix_for).map((f) => f.key);
  if (fixes.length) lessons.push(`Validation failures opened ${fixes.length} fix feature${fixes.length === 1 ? "" : "s"} (${fixes.join(", ")}): their areas want more tests up front.`);
  const skipped = milestones.filter((ms) => ms.validated === "skipped").map((ms) => ms.key);
  if (skipped.length) lessons.push(`Milestone${skipped.length === 1 ? "" : "s"} ${skipped.join(", ")} ${skipped.length === 1 ? "was" : "were"} accepted without passing validation.`);
  return lessons;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function round4(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
