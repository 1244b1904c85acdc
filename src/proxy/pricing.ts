/**
 * What one answer of the model API costs, from the `usage` it reports and
 * the price table (`prices` in .github/mission.yml, else DEFAULT_PRICES).
 * Pure.
 *
 * Anthropic bills cached input apart from plain input (its pricing page,
 * "Prompt caching"): a cache read costs 0.1× the input price, a cache write
 * 1.25× for the default 5-minute lifetime and 2× for the 1-hour one; a
 * server-side web search costs $10 per 1,000 searches ("Web search tool").
 * A model without a configured price is priced at the dearest one
 * configured, so an unknown model never makes a run look cheap.
 */
import type { Price } from "../mission/model.js";

export const CACHE_READ_FACTOR = 0.1;
export const CACHE_WRITE_5M_FACTOR = 1.25;
export const CACHE_WRITE_1H_FACTOR = 2;
/** US dollars per server-side web search */
export const WEB_SEARCH_USD = 0.01;

/** Tokens of one answer, split as Anthropic bills them. */
export interface TokenUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  webSearches: number;
}

export const NO_USAGE: TokenUsage = { input: 0, output: 0, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, webSearches: 0 };

/** `claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`; `claude-opus-5[1m]` → `claude-opus-5`. */
function baseName(model: string): string {
  return model
    .trim()
    .replace(/\[[^\]]*\]$/, "")
    .replace(/-(?:\d{8}|latest)$/, "");
}

/** The price of a model's tokens; `known` is false when the dearest configured price stands in. */
export function priceFor(model: string | undefined, prices: Readonly<Record<string, Price>>): { price: Price; known: boolean } {
  if (model) {
    const own = prices[model] ?? prices[baseName(model)];
    if (own) return { price: own, known: true };
  }
  const dearest = Object.values(prices).sort((a, b) => b.output - a.output || b.input - a.input)[0];
  // no prices at all: an unknown model is expensive, never free
  return { price: dearest ?? { input: 15, output: 75 }, known: false };
}

/**
 * Cost in micro-dollars (may be fractional; round up where it is booked).
 * A price is US dollars per million tokens, so tokens × price is micro-dollars.
 */
export function costMicros(u: TokenUsage, price: Price): number {
  return (
    u.input * price.input +
    u.cacheRead * price.input * CACHE_READ_FACTOR +
    u.cacheWrite5m * price.input * CACHE_WRITE_5M_FACTOR +
    u.cacheWrite1h * price.input * CACHE_WRITE_1H_FACTOR +
    u.output * price.output +
    u.webSearches * WEB_SEARCH_USD * 1_000_000
  );
}
