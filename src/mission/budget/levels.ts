/**
 * Outcome levels: what a mission is approved to build, and what that means
 * for the runs. One definition read by the plan's budget analysis, the
 * approval, the forecast, the per-run limits and the worker's prompt, so what
 * runs is what was priced. Pure.
 *
 * - scope: what a worker is asked to deliver (the prompt says it);
 * - model: which configured model the workers run (`tiers.cheap`,
 *   `models.worker`, `tiers.top`);
 * - tokens / hours: the factor on the per-size baselines, which describe a
 *   production-ready feature; a run's limits (turns, timeout, cost cap) come
 *   from the feature's forecast at the level (enforce.ts perRunLimits), so an
 *   MVP run gets smaller caps.
 *
 * A mission approved before levels existed has none recorded: it runs as
 * production-ready (its recorded worker model, the baselines at 1×), which is
 * what those missions ran.
 */
import { z } from "zod";
import type { Config } from "../model.js";

export const OutcomeLevel = z.enum(["mvp", "production", "polished"]);
export type OutcomeLevel = z.infer<typeof OutcomeLevel>;

export const OUTCOME_LEVELS: readonly OutcomeLevel[] = ["mvp", "production", "polished"];

/** A mission without a recorded level (approved before levels existed) runs as this one. */
export const DEFAULT_LEVEL: OutcomeLevel = "production";

export type LevelModel = "tiers.cheap" | "models.worker" | "tiers.top";

export interface LevelRule {
  label: string;
  /** what a worker is asked to deliver at this level */
  scope: string;
  /** the setting naming the model workers run */
  model: LevelModel;
  /** factor on the baseline tokens */
  tokens: number;
  /** factor on the baseline hours */
  hours: number;
}

export const LEVELS: Record<OutcomeLevel, LevelRule> = {
  mvp: {
    label: "MVP",
    scope: "the main path of each feature works end to end; tests only for that path; no polish",
    model: "tiers.cheap",
    tokens: 0.6,
    hours: 0.5,
  },
  production: {
    label: "Production-ready",
    scope: "each feature complete, with tests and error handling; the existing tests keep passing",
    model: "models.worker",
    tokens: 1,
    hours: 1,
  },
  polished: {
    label: "Polished",
    scope: "production-ready, plus edge cases, documentation and a review of its own work",
    model: "tiers.top",
    tokens: 2,
    hours: 1.5,
  },
};

export const LEVEL_LABELS: Record<OutcomeLevel, string> = {
  mvp: LEVELS.mvp.label,
  production: LEVELS.production.label,
  polished: LEVELS.polished.label,
};

/** The model workers run at a level, from the repository's settings. */
export function levelModel(level: OutcomeLevel, config: Config): string {
  const rule = LEVELS[level].model;
  return rule === "tiers.cheap" ? config.tiers.cheap : rule === "tiers.top" ? config.tiers.top : config.models.worker;
}

/** A mission's level: the recorded one, else (approved before levels existed) production-ready. */
export function levelOf(m: { level?: OutcomeLevel | undefined }): OutcomeLevel {
  return m.level ?? DEFAULT_LEVEL;
}

/** "mvp", "MVP", "production-ready", "Polished" → the level; undefined when it is none. */
export function parseLevel(word: string): OutcomeLevel | undefined {
  const w = word.trim().toLowerCase().replace(/[\s_]+/g, "-");
  if (w === "mvp") return "mvp";
  if (w === "production" || w === "production-ready" || w === "prod") return "production";
  if (w === "polished") return "polished";
  return undefined;
}
