/**
 * A worker's request as mission.md records it (`spending:`), from the report
 * that asked to what became of it. No secret is ever recorded here: a card
 * is named by its provider id, an email by its Message-ID, a code handed
 * over by the name of the secret that carries it. Pure.
 */
import { z } from "zod";

const isoDate = z.iso.datetime({ offset: true });
/** model.ts's FeatureKey (not imported: model.ts imports this file) */
const FeatureKey = z.string().regex(/^\d{1,2}\.[0-9a-z][0-9a-z-]{0,60}$/, "a feature key looks like 2.3");

export const RequestStatus = z.enum([
  /** waits for a person (`/mission spend approve <n>`) */
  "waiting",
  /** approved: a purchase gets its card, an email is sent */
  "approved",
  /** done: the card was made (a purchase) or the email sent */
  "done",
  "denied",
  "expired",
  /** approved, but the provider refused: `failure` says why */
  "failed",
]);
export type RequestStatus = z.infer<typeof RequestStatus>;

export const SpendRecord = z.strictObject({
  /** 1, 2, …: what `/mission spend approve <n>` names */
  n: z.number().int().positive(),
  /** stable per report and position, e.g. "r-123456-1-0": the idempotency key of every write it causes */
  id: z.string().regex(/^r-\d+-\d+-\d+$/),
  kind: z.enum(["purchase", "email"]),
  feature: FeatureKey,
  run_id: z.number().int().positive(),
  at: isoDate,
  purpose: z.string().min(1).max(500),
  // a purchase
  vendor: z.string().max(100).optional(),
  amount_micros: z.number().int().positive().optional(),
  currency: z.string().length(3).optional(),
  recurring: z.boolean().optional(),
  // an email
  to: z.string().max(254).optional(),
  subject: z.string().max(200).optional(),
  body: z.string().max(10_000).optional(),
  status: RequestStatus,
  /** how it was approved: by the bot under `auto`, by the bot and announced under `notify`, or by a person */
  rule: z.enum(["auto", "notify", "person", "known-recipient"]).optional(),
  decided: z.strictObject({ by: z.string().min(1).max(100), at: isoDate, reason: z.string().max(500).optional() }).optional(),
  /** the virtual card made for it (its provider id only) and what it was charged */
  card: z
    .strictObject({
      id: z.string().regex(/^ic_[A-Za-z0-9]+$/),
      frozen: z.boolean().default(false),
      /** what the card's transactions add up to (integer micro-dollars) */
      spent_micros: z.number().int().nonnegative().default(0),
      /** transactions already booked (their ids) */
      booked: z.array(z.string().max(100)).max(100).default([]),
      /** spent more than approved: flagged on the tracking issue, the mission paused */
      overspent: z.boolean().optional(),
    })
    .optional(),
  /** the email as sent: its Message-ID threads the replies */
  email: z
    .strictObject({
      message_id: z.string().min(1).max(998),
      sent_at: isoDate,
      /** the last reply read (IMAP uid), so a reply is read once */
      read_uid: z.number().int().nonnegative().default(0),
      /** codes found in replies, handed over: the secret's name, never the code */
      handed: z
        .array(z.strictObject({ secret: z.string().max(100), kind: z.string().max(20), at: isoDate, revoked: z.boolean().optional() }))
        .max(20)
        .default([]),
    })
    .optional(),
  /** the provider refused: why (shown on the tracking issue) */
  failure: z.string().max(500).optional(),
});
export type SpendRecord = z.infer<typeof SpendRecord>;

export const Spending = z.array(SpendRecord).max(500);
