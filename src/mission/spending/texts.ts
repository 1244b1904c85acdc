/**
 * What people (and the worker's next run) are told about requests. Every
 * text a worker wrote passes through the one escaper; no secret is ever
 * part of one (a code is named by the secret that carries it). Pure.
 */
import { formatUsd } from "../budget/money.js";
import { codeSpan, inlineText, quoteText } from "../markdown/escape.js";
import type { SpendingConfig } from "./config.js";
import type { SpendRecord } from "./model.js";
import type { Room, Verdict } from "./rules.js";
import { amountMicros } from "./request.js";

function what(r: SpendRecord): string {
  if (r.kind === "purchase") {
    return `**purchase** of ${formatUsd(r.amount_micros ?? 0)} from ${inlineText(r.vendor ?? "")}${r.recurring ? " (recurring)" : ""}`;
  }
  return `**email** to ${codeSpan(r.to ?? "")}: ${inlineText(r.subject ?? "")}`;
}

/** The request on the tracking issue, with its budget effect and what happens next. */
export function requestPost(r: SpendRecord, verdict: Verdict, room: Room, rules: SpendingConfig): string {
  const head = `**Request ${r.n}** from the worker of feature ${r.feature}: ${what(r)}.`;
  const purpose = quoteText(r.purpose);
  const effect =
    r.kind === "purchase"
      ? `Budget effect: ${formatUsd(r.amount_micros ?? 0)} of the money budget; requests may still spend ${formatUsd(room.availableMicros)} (the ${formatUsd(room.reserveMicros)} reserve is never spent by requests).`
      : "Budget effect: none.";
  let next: string;
  if (verdict.kind === "approved" && verdict.rule === "auto") next = `✅ Approved by mission-bot: at most \`spending.auto\` (${formatUsd(amountMicros(rules.auto))}).`;
  else if (verdict.kind === "approved" && verdict.rule === "notify") {
    const cc = rules.approvers?.length ? ` cc ${rules.approvers.map((a) => `@${a}`).join(" ")}` : "";
    next = `📣 Approved by mission-bot and announced: at most \`spending.notify\` (${formatUsd(amountMicros(rules.notify))}).${cc}`;
  } else if (verdict.kind === "approved") next = "✅ Approved by mission-bot: the mission has written to this recipient before.";
  else if (verdict.kind === "waiting") {
    const who = rules.approvers?.length ? rules.approvers.map((a) => `@${a}`).join(", ") : "an admin of the repository";
    next = `⏳ Waiting for ${who}: ${inlineText(verdict.why)}. Reply \`/mission spend approve ${r.n}\` or \`/mission spend deny ${r.n} <reason>\`; it expires after ${rules.expire_days} days.`;
  } else next = "";
  const body = r.kind === "email" ? ["", "The email as the worker wrote it:", "", quoteText(r.body ?? "")] : [];
  return [head, "", purpose, ...body, "", effect, "", next].join("\n");
}

/** One clear answer to a request that is not taken; nothing else happens. */
export function refusedText(position: number, reason: string): string {
  return `**Request ${position} of this run's report was not taken:** ${inlineText(reason)}. Nothing was bought or sent; the worker's next run can ask again.`;
}

export function expiredText(r: SpendRecord, days: number): string {
  return `**Request ${r.n} expired:** nobody approved the ${what(r)} within ${days} days. Nothing was bought or sent; the next run of this feature is told so.`;
}

export function deniedText(r: SpendRecord, by: string, reason: string | undefined): string {
  return `**Request ${r.n} was denied** by @${by}${reason ? `: ${inlineText(reason)}` : ""}. Nothing was bought or sent; the next run of this feature is told so.`;
}

export function approvedText(r: SpendRecord, by: string): string {
  return `**Request ${r.n} is approved** by @${by}: the ${what(r)} goes ahead.`;
}

export function overspendText(r: SpendRecord, spentMicros: number): string {
  return `⚠️ **The card of request ${r.n} was charged ${formatUsd(spentMicros)}, more than the ${formatUsd(r.amount_micros ?? 0)} approved** (${inlineText(r.vendor ?? "")}). The mission is paused; look at the card in the Stripe dashboard, then \`/mission resume\`.`;
}

export function codeHandedText(r: SpendRecord, secrets: readonly string[]): string {
  return `A reply to request ${r.n} (the email to ${codeSpan(r.to ?? "")}) carried something the worker needs. It was handed to this feature's next run as the Actions secret ${secrets.map(codeSpan).join(", ")} (deleted after that run), and is shown nowhere else.`;
}

/** What the next run of a feature is told about its requests (worker-prompt.ts). */
export function promptLines(records: readonly SpendRecord[], feature: string): string[] {
  const mine = records.filter((r) => r.feature === feature);
  return mine.map((r) => {
    const subject = r.kind === "purchase" ? `purchase of ${formatUsd(r.amount_micros ?? 0)} from ${r.vendor}` : `email to ${r.to} ("${r.subject}")`;
    const status =
      r.status === "waiting"
        ? "waits for a person's approval"
        : r.status === "approved"
          ? "is approved and being carried out"
          : r.status === "done"
            ? r.kind === "purchase"
              ? "is approved; a person completes the purchase with the mission's virtual card"
              : `was sent${r.email?.handed.some((h) => !h.revoked) ? `; the reply's ${r.email.handed.filter((h) => !h.revoked).map((h) => `${h.kind} is in the environment variable MISSION_HANDOVER_${h.kind.toUpperCase()}`).join(", ")}` : ""}`
            : r.status === "denied"
              ? `was denied${r.decided?.reason ? `: ${r.decided.reason}` : ""}`
              : r.status === "expired"
                ? "expired without approval"
                : `failed: ${r.failure ?? "the provider refused it"}`;
    return `Request ${r.n}, ${subject}, ${status}.`;
  });
}

export function cardReadyText(r: SpendRecord): string {
  return `**Request ${r.n}: a single-use virtual card is ready** for the ${what(r)}: card ${codeSpan(r.card?.id ?? "")} in the Stripe dashboard (Issuing → Cards), limited to ${formatUsd(r.amount_micros ?? 0)}. A person completes the purchase with it; its number is shown only there. The card is frozen once it is used, and what it is charged is booked in the ledger.`;
}

export function noCardText(r: SpendRecord): string {
  return `**Request ${r.n} is approved and booked** (${what(r)}). No card provider is configured (\`spending.cards\`), so a person makes the purchase.`;
}

export function sentText(r: SpendRecord): string {
  return `**Request ${r.n}: the email to ${codeSpan(r.to ?? "")} was sent.** Replies are read at every pulse; anything the worker needs from them reaches this feature's next run as a secret, never here.`;
}

export function failedText(r: SpendRecord): string {
  return `**Request ${r.n} could not be carried out:** ${inlineText(r.failure ?? "the provider refused it")}. Nothing was bought or sent; the next run of feature ${r.feature} is told so.`;
}

/** Approved emails wait: the mail servers' secrets are not all set (names only, never a value). */
export function emailWaitingText(problems: readonly string[]): string {
  return `**Approved emails wait:** ${problems.map((p) => inlineText(p)).join("; ")}. Set it as a secret of the bot (an Actions secret passed to the mission workflows as an environment variable of that name, or the App's environment); the emails are sent at the next pulse after that.`;
}
