/**
 * `/mission spend approve <n>` and `/mission spend deny <n> [reason]`: one
 * grammar for purchase and email requests alike. Who may: the people in
 * `spending.approvers` who still have write access, or without that list
 * the repository's admins, both checked live when the command is read (the
 * command's permission in the snapshot). An approval is judged again
 * against the budget as it is now. Pure.
 */
import type { Config, Mission } from "../model.js";
import type { Permission } from "../decision.js";
import { mayDirect } from "../decision.js";
import { formatUsd } from "../budget/money.js";
import { inlineText, quotedText } from "../markdown/escape.js";
import type { SpendRecord } from "./model.js";
import { room, spendingConfig } from "./rules.js";
import { approve } from "./loop.js";
import { approvedText, deniedText } from "./texts.js";

export interface SpendCommand {
  name: "spend";
  verb: "approve" | "deny";
  n: number;
  reason?: string;
}

export const SPEND_USAGE = "/mission spend approve <request number> | /mission spend deny <request number> [reason]";

export type SpendParse = { ok: true; command: SpendCommand } | { ok: false; error: string };

export function parseSpend(rest: string, tail: string): SpendParse {
  const m = /^(approve|deny)(?:\s+(\S+))?(?:\s+([\s\S]*))?$/.exec(rest.trim());
  if (!m) return { ok: false, error: `\`/mission spend\` takes \`approve <n>\` or \`deny <n> [reason]\`, but got ${quotedText(rest || "nothing")}.` };
  const verb = m[1] as "approve" | "deny";
  if (!m[2] || !/^#?[1-9]\d{0,5}$/.test(m[2])) return { ok: false, error: `\`/mission spend ${verb}\` needs the request's number, like \`/mission spend ${verb} 3\`.` };
  const n = Number(m[2].replace("#", ""));
  const reason = `${m[3] ?? ""}\n${tail}`.trim();
  if (verb === "approve") {
    if (m[3]?.trim()) return { ok: false, error: `\`/mission spend approve\` takes one request number, but got ${quotedText(rest)}.` };
    return { ok: true, command: { name: "spend", verb, n } };
  }
  return { ok: true, command: { name: "spend", verb, n, ...(reason ? { reason: reason.slice(0, 500) } : {}) } };
}

export interface SpendCommandInput {
  command: SpendCommand;
  mission: Mission;
  author: string;
  /** the author's role on the repository, checked live for this command */
  permission: Permission | undefined;
  now: string;
  config: Config;
}

export type SpendStep = { reply: string; mission?: Mission };

export function mayApprove(author: string, permission: Permission | undefined, config: Config): boolean {
  const approvers = spendingConfig(config).approvers;
  if (!permission) return false;
  if (approvers?.length) return mayDirect(permission) && approvers.some((a) => a.toLowerCase() === author.toLowerCase());
  return permission === "admin";
}

export function decideSpendCommand(input: SpendCommandInput): SpendStep {
  const { command: c, mission: m, author, now, config } = input;
  const r = (m.spending ?? []).find((x) => x.n === c.n);
  if (!r) return { reply: `Mission **${m.id}** has no request ${c.n}. The requests are listed on this issue as "Request <n>".` };
  if (!mayApprove(author, input.permission, config)) {
    const who = spendingConfig(config).approvers?.length ? "the people in `spending.approvers` (with write access)" : "admins of the repository";
    return { reply: `Sorry @${author}, only ${who} can approve or deny requests. Request ${r.n} still waits.` };
  }
  if (r.status !== "waiting") return { reply: `Request ${r.n} is ${r.status}${r.decided ? ` (by @${inlineText(r.decided.by)})` : ""}; nothing was changed.` };
  if (c.verb === "deny") {
    const denied: SpendRecord = { ...r, status: "denied", decided: { by: author, at: now, ...(c.reason ? { reason: c.reason } : {}) } };
    const mission = withDecision({ ...m, spending: (m.spending ?? []).map((x) => (x.id === r.id ? denied : x)) }, author, now, `Request ${r.n} denied.`);
    return { mission, reply: deniedText(r, author, c.reason) };
  }
  if (r.kind === "purchase") {
    const left = room(m, config);
    if ((r.amount_micros ?? 0) > left.availableMicros) {
      return { reply: `Request ${r.n} cannot be approved: ${formatUsd(r.amount_micros ?? 0)} is over what requests may still spend (${formatUsd(left.availableMicros)}; the reserve of ${formatUsd(left.reserveMicros)} is never spent by requests). Raise the budget first, or deny it.` };
    }
  }
  const mission = withDecision(approve(m, r, author, now, "person"), author, now, `Request ${r.n} approved.`);
  return { mission, reply: approvedText(r, author) };
}

function withDecision(m: Mission, by: string, at: string, what: string): Mission {
  return { ...m, decisions: [...m.decisions, { at, by, what }] };
}
