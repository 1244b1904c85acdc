/**
 * Apply's part for requests: carry out what the loop decided outside
 * GitHub (a card made or frozen, an email sent, a secret handed over or
 * deleted) and record the outcome in the mission. Each step is idempotent:
 * a card is made with the request id as its idempotency key; a request is
 * recorded done as soon as its step succeeded, so it is not done again. A
 * provider's refusal is recorded on the request (shown on the tracking
 * issue), never retried blindly. Secrets are never part of what is
 * recorded or thrown.
 */
import type { Action } from "../../mission/decision.js";
import type { Config, Mission } from "../../mission/model.js";
import type { SpendRecord } from "../../mission/spending/model.js";
import { spendingConfig } from "../../mission/spending/rules.js";
import { microsToCents } from "../../mission/spending/request.js";
import { handOver, revoke, type HandOverTarget } from "../hand-over.js";
import type { Outside } from "./outside.js";

/** A hand-over (or its deletion) GitHub refused: `mission` is the mission with it undone, `refusal` GitHub's answer. */
export class NotHandedOver extends Error {
  constructor(
    readonly mission: Mission,
    readonly refusal: unknown,
  ) {
    super(refusal instanceof Error ? refusal.message : String(refusal));
  }
}

export type SpendingAction = Extract<Action, { kind: "spend" | "freeze-card" | "hand-over-secret" | "revoke-hand-over" }>;

export function isSpendingAction(a: Action): a is SpendingAction {
  return a.kind === "spend" || a.kind === "freeze-card" || a.kind === "hand-over-secret" || a.kind === "revoke-hand-over";
}

export interface SpendingApplyInput extends HandOverTarget {
  mission: Mission;
  config: Config;
  outside: Outside | undefined;
  /** ISO time of this apply */
  now: string;
}

function update(m: Mission, id: string, fn: (r: SpendRecord) => SpendRecord): Mission {
  return { ...m, spending: (m.spending ?? []).map((r) => (r.id === id ? fn(r) : r)) };
}

/** A provider's refusal in a few words (no request body, no key: the library's message only). */
function refusal(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/sk_(live|test)_[A-Za-z0-9]+/g, "sk_…").slice(0, 300);
}

/** Performs one action; returns the mission with its outcome recorded (unchanged when there was nothing to do). */
export async function applySpendingAction(action: SpendingAction, input: SpendingApplyInput): Promise<Mission> {
  const { mission: m, outside } = input;
  const r = (m.spending ?? []).find((x) => x.id === action.request);
  if (!r) return m;
  switch (action.kind) {
    case "spend": {
      if (r.status !== "approved") return m;
      if (r.kind === "purchase") {
        const cards = spendingConfig(input.config).cards;
        // no card provider: the purchase is approved and booked; a person buys it
        if (!outside?.cards || !cards) return update(m, r.id, (x) => ({ ...x, status: "done" }));
        try {
          const card = await outside.cards.issue({
            request: r.id,
            mission: m.id,
            amountCents: microsToCents(r.amount_micros ?? 0),
            currency: r.currency ?? "USD",
            categories: cards.categories,
            cardholderName: cards.cardholder_name,
            billing: cards.billing,
            repo: `${input.repo.owner}/${input.repo.repo}`,
          });
          return update(m, r.id, (x) => ({ ...x, status: "done", card: { id: card.id, frozen: false, spent_micros: 0, booked: [] } }));
        } catch (error) {
          return update(m, r.id, (x) => ({ ...x, status: "failed", failure: `the card could not be made: ${refusal(error)}` }));
        }
      }
      if (!outside?.email) return m; // waits for a gateway
      try {
        const sent = await outside.email.send({ to: r.to ?? "", subject: r.subject ?? "", text: r.body ?? "" });
        return update(m, r.id, (x) => ({ ...x, status: "done", email: { message_id: sent.messageId, sent_at: sent.acceptedAt, read_uid: 0, handed: [] } }));
      } catch (error) {
        return update(m, r.id, (x) => ({ ...x, status: "failed", failure: `the email could not be sent: ${refusal(error)}` }));
      }
    }
    case "freeze-card": {
      if (!r.card || !outside?.cards) return m;
      await outside.cards.freeze(r.card.id);
      return update(m, r.id, (x) => ({ ...x, card: { ...x.card!, frozen: true } }));
    }
    case "hand-over-secret":
      try {
        await handOver(input, action.name, action.value);
      } catch (error) {
        // not handed over: the reply is read again at the next pulse (its code was never stored), and GitHub's refusal goes up
        const undone = update(m, r.id, (x) => ({ ...x, email: { ...x.email!, read_uid: Math.min(x.email!.read_uid, action.uid - 1), handed: x.email!.handed.filter((h) => h.secret !== action.name || h.revoked) } }));
        throw new NotHandedOver(undone, error);
      }
      return m;
    case "revoke-hand-over":
      try {
        await revoke(input, action.secret);
      } catch (error) {
        // not deleted: the secret is still there, so it stays on the record as not revoked and is deleted at the next pulse
        const kept = update(m, r.id, (x) => ({ ...x, email: { ...x.email!, handed: x.email!.handed.map((h) => (h.secret === action.secret ? { secret: h.secret, kind: h.kind, at: h.at } : h)) } }));
        throw new NotHandedOver(kept, error);
      }
      return m;
  }
}
