/**
 * Amounts people write: money, hours, tokens, the mode, and budget increases.
 * Shared by `/mission` flags, interview answers and `/mission budget +…`.
 * Every parser returns a result whose error is one short sentence that quotes
 * the text it could not read and shows the forms it accepts. Pure.
 */
import type { Mode } from "../model.js";
import { quotedText } from "../markdown/escape.js";

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** How each quantity may be written; used in error messages and help. */
export const FORMS = {
  money: "$200, 200 USD, $1,500, $12.50 or uncapped",
  hours: "40, 40h, 1.5h, 1 day, 1 week, 2+ weeks or uncapped",
  tokens: "5M, 500k, 2,000,000, 1.5M tokens or uncapped",
  mode: "poc (proof of concept) or full",
  increase: "+$100, +10h or +2M tokens",
} as const;

/** Hours in a working day and a working week. */
export const HOURS_PER_DAY = 8;
export const HOURS_PER_WEEK = 40;

const UNCAPPED = new Set(["uncapped", "unlimited", "none", "no limit", "no cap", "no budget"]);

/** A number as people write it: 200, 12.50, 1,500 (thousands separated by commas). */
const NUMBER = String.raw`(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+`;

/** The person's words quoted back (through the one escaper). */
function quote(text: string): string {
  return quotedText(text, 40);
}

function normalise(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, " ");
}

function toNumber(digits: string): number {
  return Number(digits.replaceAll(",", ""));
}

function fail(text: string, what: string, forms: string): { ok: false; error: string } {
  return { ok: false, error: `${quote(text)} is not ${what}. Write it like ${forms}.` };
}

function notPositive(text: string, what: string, forms: string): { ok: false; error: string } {
  return { ok: false, error: `${quote(text)} is not ${what}: it must be more than zero. Write it like ${forms}.` };
}

/**
 * A number beyond what the budget counts exactly (or beyond what a number
 * holds at all: `$` and 400 nines): refused, never stored as Infinity.
 * Amounts below this but over the repository's maximum are refused where
 * the settings are known (budget/maximums.ts).
 */
function tooLarge(text: string, what: string, forms: string): { ok: false; error: string } {
  return { ok: false, error: `that number is too large to be ${what} (${quote(text)}). Write it like ${forms}.` };
}

function isTooLarge(value: number): boolean {
  return !(value <= Number.MAX_SAFE_INTEGER);
}

function isNegative(t: string): boolean {
  return /^[-−]\s*\$?\s*\d/.test(t) || /^\$\s*[-−]\s*\d/.test(t);
}

const MONEY = new RegExp(
  String.raw`^(?:usd\s*)?\$?\s*(${NUMBER})\s*(k)?\s*(?:\$|usd|dollars?)?$`,
);

/** "$200", "200", "200 USD", "$1,500", "$12.50", "$2k" → dollars; "uncapped" → null. */
export function parseMoney(text: string): Parsed<number | null> {
  const t = normalise(text);
  if (UNCAPPED.has(t)) return { ok: true, value: null };
  if (isNegative(t)) return notPositive(text, "an amount of money", FORMS.money);
  const m = MONEY.exec(t);
  if (!m) return fail(text, "an amount of money", FORMS.money);
  const value = toNumber(m[1]!) * (m[2] ? 1000 : 1);
  if (isTooLarge(value)) return tooLarge(text, "an amount of money", FORMS.money);
  if (!(value > 0)) return notPositive(text, "an amount of money", FORMS.money);
  return { ok: true, value };
}

const HOURS = new RegExp(
  String.raw`^(${NUMBER})\s*(\+)?\s*(h|hrs?|hours?|mins?|minutes?|d|days?|w|wks?|weeks?)?$`,
);

function hoursPerUnit(unit: string | undefined): number {
  if (!unit || unit.startsWith("h")) return 1;
  if (unit.startsWith("m")) return 1 / 60;
  if (unit.startsWith("d")) return HOURS_PER_DAY;
  return HOURS_PER_WEEK;
}

/** "40", "40h", "1.5h", "1 day" (8h), "1 week" (40h), "2+ weeks" (80h) → hours; "uncapped" → null. */
export function parseHours(text: string): Parsed<number | null> {
  const t = normalise(text);
  if (UNCAPPED.has(t)) return { ok: true, value: null };
  if (isNegative(t)) return notPositive(text, "an amount of time", FORMS.hours);
  const m = HOURS.exec(t);
  if (!m) return fail(text, "an amount of time", FORMS.hours);
  const value = toNumber(m[1]!) * hoursPerUnit(m[3]);
  if (isTooLarge(value)) return tooLarge(text, "an amount of time", FORMS.hours);
  if (!(value > 0)) return notPositive(text, "an amount of time", FORMS.hours);
  return { ok: true, value };
}

const TOKENS = new RegExp(
  String.raw`^(${NUMBER})\s*(k|thousand|m|mn|million|b|bn|billion)?\s*(?:tokens?)?$`,
);

function tokensPerUnit(unit: string | undefined): number {
  if (!unit) return 1;
  if (unit.startsWith("k") || unit === "thousand") return 1_000;
  if (unit.startsWith("m")) return 1_000_000;
  return 1_000_000_000;
}

/** "5M", "500k", "2,000,000", "1.5M tokens" → a whole number of tokens; "uncapped" → null. */
export function parseTokens(text: string): Parsed<number | null> {
  const t = normalise(text);
  if (UNCAPPED.has(t)) return { ok: true, value: null };
  if (isNegative(t)) return notPositive(text, "a number of tokens", FORMS.tokens);
  const m = TOKENS.exec(t);
  if (!m) return fail(text, "a number of tokens", FORMS.tokens);
  const exact = toNumber(m[1]!) * tokensPerUnit(m[2]);
  if (isTooLarge(exact)) return tooLarge(text, "a number of tokens", FORMS.tokens);
  if (!m[2] && !Number.isInteger(exact)) {
    return { ok: false, error: `${quote(text)} is not a whole number of tokens. Write it like ${FORMS.tokens}.` };
  }
  const value = Math.round(exact);
  if (!(value > 0)) return notPositive(text, "a number of tokens", FORMS.tokens);
  return { ok: true, value };
}

/** "poc", "POC", "proof of concept" → "poc"; "full", "production" → "full". */
export function parseMode(text: string): Parsed<Mode> {
  const t = normalise(text).replace(/-/g, " ");
  if (t === "poc" || t === "proof of concept") return { ok: true, value: "poc" };
  if (t === "full" || t === "production") return { ok: true, value: "full" };
  return fail(text, "a mode", FORMS.mode);
}

/** What `/mission budget +…` adds to the limits. */
export interface BudgetIncrease {
  usd?: number;
  hours?: number;
  tokens?: number;
}

export type Increment = { kind: keyof BudgetIncrease; amount: number };

const NAMES: Record<keyof BudgetIncrease, string> = { usd: "money", hours: "time", tokens: "tokens" };

/**
 * One increase: "+$100" / "+100 USD" (money), "+10h" / "+1 day" (time),
 * "+2M" / "+2M tokens" / "+500k" (tokens). The "+" is required; a bare
 * number ("+100") is refused because it does not say what it adds.
 */
export function parseIncrement(text: string): Parsed<Increment> {
  const t = normalise(text);
  if (!t.startsWith("+")) {
    return { ok: false, error: `${quote(text)} needs a + in front to add to the budget. Write it like ${FORMS.increase}.` };
  }
  const body = t.slice(1).trim();
  const uncapped = (r: Parsed<number | null>, kind: keyof BudgetIncrease): Parsed<Increment> => {
    if (!r.ok) {
      const error = r.error.replace(quote(body), quote(text)).replace(/Write it like .*$/, `Write it like ${FORMS.increase}.`);
      return { ok: false, error };
    }
    if (r.value === null) {
      return { ok: false, error: `${quote(text)} is not an amount to add. Write it like ${FORMS.increase}.` };
    }
    return { ok: true, value: { kind, amount: r.value } };
  };
  if (body.includes("$") || /(usd|dollars?)$/.test(body)) return uncapped(parseMoney(body), "usd");
  if (/\d\s*\+?\s*(h|hrs?|hours?|mins?|minutes?|d|days?|w|wks?|weeks?)$/.test(body)) {
    return uncapped(parseHours(body), "hours");
  }
  if (/\d\s*(?:(?:k|thousand|m|mn|million|b|bn|billion)\s*(?:tokens?)?|tokens?)$/.test(body)) return uncapped(parseTokens(body), "tokens");
  return {
    ok: false,
    error: `${quote(text)} does not say what to add: write +$100 for money, +10h for time or +2M tokens.`,
  };
}

/**
 * Several increases in one text, each at most once: "+$100 +10h +2M tokens".
 * Each increase starts with "+"; the words after it up to the next "+" belong
 * to it, so "+2M tokens" and "+ $100" both read as one increase.
 */
export function parseIncrements(text: string): Parsed<BudgetIncrease> {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (!words.length) {
    return { ok: false, error: `Nothing to add to the budget. Write it like ${FORMS.increase}.` };
  }
  const items: string[] = [];
  for (const word of words) {
    if (word.startsWith("+") || !items.length) items.push(word);
    else items[items.length - 1] += ` ${word}`;
  }
  const add: BudgetIncrease = {};
  const seen: Partial<Record<keyof BudgetIncrease, string>> = {};
  for (const item of items) {
    const r = parseIncrement(item);
    if (!r.ok) return r;
    const { kind, amount } = r.value;
    if (seen[kind] !== undefined) {
      return {
        ok: false,
        error: `${quote(seen[kind])} and ${quote(item)} both add ${NAMES[kind]}; give each kind of increase at most once.`,
      };
    }
    seen[kind] = item;
    add[kind] = amount;
  }
  return { ok: true, value: add };
}
