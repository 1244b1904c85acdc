/**
 * What a worker may ask for in its report (`requests`): a purchase or an
 * email. A worker never spends or writes by itself: each request is checked
 * against the budget and the rules (rules.ts) and approved by the bot or a
 * person. Each request is validated on its own, so one bad request gets its
 * own answer and the rest of the report still counts. Pure.
 */
import { z } from "zod";
import { FeatureKey, describeZodError } from "../model.js";

/** The most requests one report carries. */
export const MAX_REQUESTS = 10;

/**
 * Currencies a request may name (ISO 4217 codes of the currencies Stripe
 * Issuing cards are issued in, and the common others). The budget counts US
 * dollars, so only USD is approved; another code is answered as such.
 */
export const CURRENCIES = ["USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY", "SEK", "NOK", "DKK", "NZD", "SGD", "HKD", "INR", "BRL", "MXN", "PLN", "CZK"] as const;
export const BUDGET_CURRENCY = "USD";

/** "12", "12.5", "12.50": dollars and cents as text, never a float. */
export const Amount = z
  .string()
  .regex(/^\d{1,7}(\.\d{1,2})?$/, "the amount is a positive decimal with at most two decimals, like 12.00, written as text");

const text = (max: number) => z.string().trim().min(1).max(max);

export const PurchaseRequest = z.strictObject({
  kind: z.literal("purchase"),
  vendor: text(100),
  amount: Amount,
  currency: z
    .string()
    .transform((c) => c.toUpperCase())
    .pipe(z.enum(CURRENCIES, { message: `the currency is not one of ${CURRENCIES.join(", ")}` })),
  purpose: text(500),
  feature: FeatureKey,
  recurring: z.boolean().default(false),
});
export type PurchaseRequest = z.infer<typeof PurchaseRequest>;

export const EmailRequest = z.strictObject({
  kind: z.literal("email"),
  to: z.email({ message: "the recipient is not an email address" }).max(254),
  subject: text(200),
  body: text(10_000),
  purpose: text(500),
  feature: FeatureKey,
});
export type EmailRequest = z.infer<typeof EmailRequest>;

export const SpendRequest = z.discriminatedUnion("kind", [PurchaseRequest, EmailRequest]);
export type SpendRequest = z.infer<typeof SpendRequest>;

/** How a report carries its requests: checked one by one (readRequest), so a bad one is answered alone. */
export const ReportRequests = z.array(z.unknown()).max(MAX_REQUESTS);

export type ReadRequest = { ok: true; request: SpendRequest } | { ok: false; problems: string[] };

export function readRequest(value: unknown): ReadRequest {
  const parsed = SpendRequest.safeParse(value);
  if (parsed.success) return { ok: true, request: parsed.data };
  return { ok: false, problems: describeZodError(parsed.error, 5) };
}

/** "12.50" → 12_500_000 micro-dollars, exactly (no float on the way). */
export function amountMicros(amount: string): number {
  const [whole, cents = ""] = amount.split(".");
  return Number(whole) * 1_000_000 + Number(cents.padEnd(2, "0")) * 10_000;
}

/** Integer cents of an amount in micro-dollars (what a card's spending limit takes). */
export function microsToCents(micros: number): number {
  return Math.round(micros / 10_000);
}
