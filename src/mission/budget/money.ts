/**
 * Money, tokens and time as the budget counts them: integer micro-dollars
 * (no floating-point drift), and how each is written for people. Pure.
 */
import type { Price } from "../model.js";

/**
 * Cost of tokens in integer micro-dollars. `price` is dollars per million
 * tokens, which is micro-dollars per token; prices are taken to 6 decimals
 * and the sum is computed exactly (BigInt) and rounded once, half up.
 */
export function costMicros(tokensIn: number, tokensOut: number, price: Price): number {
  const scale = 1_000_000n;
  const pin = BigInt(Math.round(price.input * 1_000_000));
  const pout = BigInt(Math.round(price.output * 1_000_000));
  const total = BigInt(Math.round(tokensIn)) * pin + BigInt(Math.round(tokensOut)) * pout;
  return Number((total + scale / 2n) / scale);
}

export const MICROS_PER_USD = 1_000_000;

export function usdToMicros(usd: number): number {
  return Math.round(usd * MICROS_PER_USD);
}

/** "$12.34" from micro-dollars; cents rounded half up. */
export function formatUsd(micros: number): string {
  const cents = Math.round(micros / 10_000);
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const dollars = Math.floor(abs / 100).toLocaleString("en-US");
  return `${sign}$${dollars}.${String(abs % 100).padStart(2, "0")}`;
}

/** "$150" for whole dollars, otherwise like formatUsd: "$12.50". For amounts people typed. */
export function formatUsdShort(micros: number): string {
  const text = formatUsd(micros);
  return text.endsWith(".00") ? text.slice(0, -3) : text;
}

/** "1.2M", "350k", "900" */
export function formatTokens(tokens: number): string {
  if (tokens >= 1_000_000) return `${trim(tokens / 1_000_000)}M`;
  if (tokens >= 1_000) return `${trim(tokens / 1_000)}k`;
  return String(tokens);
}

export function formatHours(hours: number): string {
  return `${trim(hours)}h`;
}

/** 0.8 → "80%", 1.234 → "123%" */
export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

function trim(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1).replace(/\.0$/, "") : n.toFixed(2).replace(/\.?0+$/, "");
}
