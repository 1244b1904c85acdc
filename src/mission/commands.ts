/**
 * The `/mission …` grammar. Contract (types) fixed here; parser below.
 */
import type { Mode } from "./model.js";

/** Limits a user can give on the command line or in the interview; null = uncapped. */
export interface BudgetFlags {
  mode?: Mode;
  usd?: number | null;
  hours?: number | null;
  tokens?: number | null;
}

export type Command =
  | { name: "start"; goal: string; flags: BudgetFlags }
  | { name: "help" }
  /** the raw text after `/mission answer` (key: value lines or a YAML block) */
  | { name: "answer"; text: string }
  | { name: "approve" }
  | { name: "replan"; change: string }
  | { name: "status" }
  | { name: "pause" }
  | { name: "resume" }
  | { name: "cancel" }
  | { name: "retry"; feature: string }
  | { name: "validate" }
  | { name: "skip-validation"; milestone: string }
  /** `/mission budget` (show) or `/mission budget +$100 +10h +2M tokens` (increase) */
  | { name: "budget"; add?: { usd?: number; hours?: number; tokens?: number } };

export type CommandName = Command["name"];

export type ParseResult =
  /** the comment does not address the bot */
  | { ok: "none" }
  | { ok: true; command: Command }
  /** addressed the bot but malformed: `error` says what was wrong, `usage` the correct form */
  | { ok: false; error: string; usage: string };
