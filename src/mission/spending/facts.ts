/**
 * What the pulse reads from outside GitHub for a mission's requests: each
 * card's state, authorisations and transactions (Stripe Issuing), and the
 * replies to each email sent, with the codes found in them. Read by
 * github/spending/facts.ts; the codes travel only as SecretText. Pure types.
 */
import type { SecretText } from "./secret.js";

export interface CardFacts {
  status: "active" | "inactive" | "canceled";
  /** authorisations: `amount_cents` asked for, whether the card's controls approved it */
  authorizations: ReadonlyArray<{ id: string; amount_cents: number; approved: boolean }>;
  /** money that actually moved: positive = charged, negative = refunded (integer cents) */
  transactions: ReadonlyArray<{ id: string; charged_cents: number }>;
}

export interface FoundCode {
  /** "code", "link" or "key" (what extractCodes found) */
  kind: string;
  value: SecretText;
}

export interface ReplyFacts {
  /** the request whose email it answers */
  request: string;
  uid: number;
  codes: readonly FoundCode[];
}

export interface SpendingFacts {
  /** by request id */
  cards: ReadonlyMap<string, CardFacts>;
  replies: readonly ReplyFacts[];
  /** why approved emails cannot be sent yet (a secret named in `email:` is not set: its name, never a value) */
  emailProblems?: readonly string[];
}
