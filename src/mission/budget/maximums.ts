/**
 * The most a mission's budget may be set or raised to: `.github/mission.yml`
 * `budget.max_usd`, `budget.max_hours` and `budget.max_tokens`. Applied to
 * the start command's flags, interview answers and `/mission budget +…`; an
 * amount over its maximum is refused with one sentence naming it, and
 * nothing changes. "uncapped" (null) is a person's explicit choice, not an
 * amount, and is not refused here. Pure.
 */
import { CONFIG_PATH } from "../config.js";
import type { Config } from "../model.js";
import { formatUsdShort, usdToMicros } from "./money.js";

export interface Amounts {
  usd?: number | null;
  hours?: number | null;
  tokens?: number | null;
}

type Dimension = keyof Amounts;

const WORDS: Record<Dimension, string> = { usd: "money", hours: "time", tokens: "token" };
const SETTING: Record<Dimension, string> = { usd: "budget.max_usd", hours: "budget.max_hours", tokens: "budget.max_tokens" };

function written(d: Dimension, amount: number): string {
  if (d === "usd") return formatUsdShort(usdToMicros(amount));
  if (d === "hours") return `${amount.toLocaleString("en-US", { maximumFractionDigits: 2 })}h`;
  return `${amount.toLocaleString("en-US")} tokens`;
}

export function maximumOf(config: Config, d: Dimension): number {
  return d === "usd" ? config.budget.max_usd : d === "hours" ? config.budget.max_hours : config.budget.max_tokens;
}

/** One sentence for each amount over the repository's maximum, keyed by dimension; empty when all are within. */
export function overMaximums(amounts: Amounts, config: Config): Partial<Record<Dimension, string>> {
  const out: Partial<Record<Dimension, string>> = {};
  for (const d of ["usd", "hours", "tokens"] as const) {
    const amount = amounts[d];
    if (amount === undefined || amount === null) continue;
    const max = maximumOf(config, d);
    if (amount <= max) continue;
    out[d] =
      `${written(d, amount)} is more than this repository allows for a mission's ${WORDS[d]} budget: ` +
      `at most ${written(d, max)} (\`${SETTING[d]}\` in \`${CONFIG_PATH}\`).`;
  }
  return out;
}
