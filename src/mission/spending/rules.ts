/**
 * The approval rules for a worker's request (README "Spending and email"):
 *
 * - a purchase in another currency than the budget's (US dollars) is refused;
 * - nothing is approved past what the mission's money budget leaves after
 *   its reserve (`spending.reserve`, 20% by default) and after what is spent
 *   (the one ledger) and approved but not yet charged;
 * - a purchase up to `auto` is approved by the bot (a notice), up to
 *   `notify` approved and announced, above that only by an approver;
 * - an email to a recipient outside `spending.email.allow` (when set) is
 *   refused; to a recipient the mission has not written to before it waits
 *   for a person; to one it has written to, it is approved.
 *
 * Pure.
 */
import type { Config, Mission } from "../model.js";
import { totals } from "../budget/ledger.js";
import { formatUsd, usdToMicros } from "../budget/money.js";
import { SpendingConfig } from "./config.js";
import type { SpendRecord } from "./model.js";
import { amountMicros, BUDGET_CURRENCY, type SpendRequest } from "./request.js";

export function spendingConfig(config: Config): SpendingConfig {
  return SpendingConfig.parse(config.spending ?? {});
}

export type Verdict =
  | { kind: "refused"; reason: string }
  | { kind: "approved"; rule: "auto" | "notify" | "known-recipient" }
  | { kind: "waiting"; why: string };

/** Approved purchases not yet booked in the ledger are committed money all the same. */
function committedMicros(m: Mission): number {
  const booked = new Set(m.ledger.filter((e) => e.kind === "purchase").map((e) => e.key));
  return (m.spending ?? [])
    .filter((r) => r.kind === "purchase" && (r.status === "approved" || r.status === "done") && !booked.has(purchaseKey(r)))
    .reduce((sum, r) => sum + (r.amount_micros ?? 0), 0);
}

/** The ledger key of a purchase: one entry per request. */
export function purchaseKey(r: Pick<SpendRecord, "id">): string {
  return `purchase-${r.id}`;
}

export interface Room {
  /** the money budget; null: uncapped, undefined: never set */
  budgetMicros: number | null | undefined;
  reserveMicros: number;
  spentMicros: number;
  committedMicros: number;
  /** what requests may still be approved for */
  availableMicros: number;
}

/** What requests may still spend: the budget less its reserve, the ledger and what is approved but not charged. */
export function room(m: Mission, config: Config): Room {
  const rules = spendingConfig(config);
  const usd = m.budget.usd;
  const spent = totals(m.ledger).costMicros;
  const committed = committedMicros(m);
  if (typeof usd !== "number") return { budgetMicros: usd, reserveMicros: 0, spentMicros: spent, committedMicros: committed, availableMicros: 0 };
  const budget = usdToMicros(usd);
  const reserve = Math.round(budget * rules.reserve);
  return { budgetMicros: budget, reserveMicros: reserve, spentMicros: spent, committedMicros: committed, availableMicros: Math.max(0, budget - reserve - spent - committed) };
}

function matchesAllow(to: string, allow: readonly string[]): boolean {
  const address = to.toLowerCase();
  const domain = address.slice(address.lastIndexOf("@"));
  return allow.some((a) => {
    const rule = a.toLowerCase();
    return rule.startsWith("@") ? domain === rule : address === rule;
  });
}

/** Recipients the mission has written to (an email sent). */
export function knownRecipients(m: Mission): Set<string> {
  return new Set((m.spending ?? []).filter((r) => r.kind === "email" && r.email).map((r) => (r.to ?? "").toLowerCase()));
}

/** The verdict on one valid request, as the mission stands. */
export function judge(m: Mission, request: SpendRequest, config: Config): Verdict {
  const rules = spendingConfig(config);
  if (request.kind === "email") {
    if (rules.email.allow && !matchesAllow(request.to, rules.email.allow)) {
      return { kind: "refused", reason: `the recipient ${request.to} is not in \`spending.email.allow\`, so no email is sent to it` };
    }
    if (knownRecipients(m).has(request.to.toLowerCase())) return { kind: "approved", rule: "known-recipient" };
    return { kind: "waiting", why: `the mission has not written to ${request.to} before: a person approves every new recipient` };
  }
  if (request.currency !== BUDGET_CURRENCY) {
    return { kind: "refused", reason: `the amount is in ${request.currency}, but the mission's budget counts US dollars: ask again in USD` };
  }
  const amount = amountMicros(request.amount);
  if (amount <= 0) return { kind: "refused", reason: "the amount is zero: a purchase asks for a positive amount" };
  const r = room(m, config);
  if (r.budgetMicros === undefined || r.budgetMicros === null) {
    return { kind: "refused", reason: "the mission has no money budget, so nothing can be approved against it: set one with `/mission budget +$100`" };
  }
  if (amount > r.availableMicros) {
    return {
      kind: "refused",
      reason: `${formatUsd(amount)} is over what requests may still spend: ${formatUsd(r.availableMicros)} of the ${formatUsd(r.budgetMicros)} budget (${formatUsd(r.spentMicros)} spent, ${formatUsd(r.committedMicros)} approved and not yet charged, ${formatUsd(r.reserveMicros)} kept in reserve)`,
    };
  }
  if (amount <= amountMicros(rules.auto)) return { kind: "approved", rule: "auto" };
  if (amount <= amountMicros(rules.notify)) return { kind: "approved", rule: "notify" };
  return { kind: "waiting", why: `${formatUsd(amount)} is above the \`spending.notify\` threshold of ${formatUsd(amountMicros(rules.notify))}: an approver decides` };
}
