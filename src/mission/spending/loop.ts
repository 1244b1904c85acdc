/**
 * The mission's requests in the running loop: new requests from worker
 * reports are judged and recorded (rules.ts), waiting ones expire, approved
 * ones are carried out (a card made, an email sent: apply), cards are
 * reconciled with what was actually charged, and codes in replies are
 * handed to the feature's next run. Pure.
 */
import type { Config, Feature, LedgerEntry, Mission } from "../model.js";
import type { Action, FoundReport, LoopFacts } from "../decision.js";
import { formatUsd } from "../budget/money.js";
import { findFeature } from "../workers/workers.js";
import type { SpendRecord } from "./model.js";
import { amountMicros, readRequest, type SpendRequest } from "./request.js";
import { judge, purchaseKey, room, spendingConfig } from "./rules.js";
import { cardReadyText, failedText, noCardText, sentText, refusedText, requestPost, overspendText, expiredText, codeHandedText, emailWaitingText } from "./texts.js";
import { handOverSecretName } from "./hand-over-name.js";

export const BOT = "mission-bot";
export const OVERSPENT_PAUSE = "spending: a card was charged more than its purchase's approval";

export interface SpendingStep {
  mission: Mission;
  actions: Action[];
}

export function decideSpending(m: Mission, facts: LoopFacts, config: Config, now: string): SpendingStep {
  const actions: Action[] = [];
  let mission = intake(m, facts.reports, config, now, actions);
  mission = expire(mission, config, now, actions);
  mission = settle(mission, facts, now, actions);
  mission = handOverCodes(mission, facts, now, actions);
  mission = revokeUsed(mission, actions);
  actions.push(...outcomes(mission));
  // approved requests are carried out while the mission runs (not while paused: an overspend pauses it)
  const running = mission.status === "active" || mission.status === "validating";
  for (const r of mission.spending ?? []) if (r.status === "approved" && running) actions.push({ kind: "spend", request: r.id });
  const problems = facts.spending?.emailProblems ?? [];
  if (problems.length && records(mission).some((r) => r.kind === "email" && r.status === "approved")) {
    actions.push({ kind: "comment", on: "tracking", key: `email-waits:${[...problems].sort().join("|").replace(/[^A-Za-z0-9_|]/g, "").slice(0, 200)}`, body: emailWaitingText(problems) });
  }
  return { mission, actions };
}

/** What became of each request carried out, told once (the notice keys keep it once). */
function outcomes(m: Mission): Action[] {
  const out: Action[] = [];
  for (const r of records(m)) {
    if (r.status === "done" && r.card) out.push({ kind: "comment", on: "tracking", key: `card:${r.id}`, body: cardReadyText(r) });
    if (r.status === "done" && r.kind === "purchase" && !r.card) out.push({ kind: "comment", on: "tracking", key: `card:${r.id}`, body: noCardText(r) });
    if (r.status === "done" && r.email) out.push({ kind: "comment", on: `feature:${r.feature}`, key: `sent:${r.id}`, body: sentText(r) });
    if (r.status === "failed") out.push({ kind: "comment", on: "tracking", key: `failed:${r.id}`, body: failedText(r) });
  }
  return out;
}

function records(m: Mission): SpendRecord[] {
  return m.spending ?? [];
}

function withRecord(m: Mission, id: string, fn: (r: SpendRecord) => SpendRecord): Mission {
  return { ...m, spending: records(m).map((r) => (r.id === id ? fn(r) : r)) };
}

/** The ledger entry of an approved purchase: booked at the approved amount, settled later at what was charged. */
export function purchaseEntry(r: SpendRecord, by: string, at: string): LedgerEntry {
  return {
    key: purchaseKey(r),
    kind: "purchase",
    feature: r.feature,
    tokens_in: 0,
    tokens_out: 0,
    cost_micros: r.amount_micros ?? 0,
    wall_seconds: 0,
    actions_minutes: 0,
    at,
    approved: { by, at },
    note: `request ${r.n}: ${r.vendor ?? "?"} — approved, not yet charged`.slice(0, 2000),
  };
}

/** A request approved (by the bot or a person): recorded, and a purchase booked in the ledger. */
export function approve(m: Mission, r: SpendRecord, by: string, at: string, rule: SpendRecord["rule"]): Mission {
  let next = withRecord(m, r.id, (x) => ({ ...x, status: "approved", rule, decided: { by, at } }));
  if (r.kind === "purchase" && !next.ledger.some((e) => e.key === purchaseKey(r))) next = { ...next, ledger: [...next.ledger, purchaseEntry(r, by, at)] };
  return next;
}

function intake(m: Mission, reports: readonly FoundReport[], config: Config, now: string, actions: Action[]): Mission {
  let mission = m;
  for (const found of reports) {
    if (!found.result.ok) continue;
    const report = found.result.report;
    if (report.mission !== m.id || report.feature !== found.feature) continue;
    const feature = findFeature(mission, report.feature);
    if (!feature?.runs.some((r) => r.run_id === report.run_id)) continue;
    (report.requests ?? []).forEach((value, index) => {
      const id = `r-${report.run_id}-${report.run_attempt}-${index}`;
      if (records(mission).some((r) => r.id === id)) return;
      const read = readRequest(value);
      const key = `request:${id}`;
      if (!read.ok) {
        actions.push({ kind: "comment", on: `feature:${report.feature}`, key, body: refusedText(index + 1, read.problems.join("; ")) });
        return;
      }
      if (read.request.feature !== report.feature) {
        actions.push({ kind: "comment", on: `feature:${report.feature}`, key, body: refusedText(index + 1, `it names feature ${read.request.feature}, but this run works on ${report.feature}`) });
        return;
      }
      const verdict = judge(mission, read.request, config);
      if (verdict.kind === "refused") {
        actions.push({ kind: "comment", on: `feature:${report.feature}`, key, body: refusedText(index + 1, verdict.reason) });
        return;
      }
      const n = records(mission).reduce((max, r) => Math.max(max, r.n), 0) + 1;
      const record = recordOf(read.request, { n, id, run_id: report.run_id, at: now });
      mission = { ...mission, spending: [...records(mission), record] };
      if (verdict.kind === "approved") mission = approve(mission, record, BOT, now, verdict.rule);
      const after = records(mission).find((r) => r.id === id)!;
      actions.push({
        kind: "comment",
        on: "tracking",
        key,
        body: requestPost(after, verdict, room(mission, config), spendingConfig(config)),
      });
    });
  }
  return mission;
}

function recordOf(q: SpendRequest, at: { n: number; id: string; run_id: number; at: string }): SpendRecord {
  const base = { ...at, feature: q.feature, purpose: q.purpose, status: "waiting" as const };
  if (q.kind === "purchase") return { ...base, kind: "purchase", vendor: q.vendor, amount_micros: amountMicros(q.amount), currency: q.currency, recurring: q.recurring };
  return { ...base, kind: "email", to: q.to, subject: q.subject, body: q.body };
}

/** Waiting longer than `spending.expire_days`: expired, and the feature's issue is told (its next run reads it in its prompt). */
function expire(m: Mission, config: Config, now: string, actions: Action[]): Mission {
  const limitMs = spendingConfig(config).expire_days * 86_400_000;
  let mission = m;
  for (const r of records(m)) {
    if (r.status !== "waiting" || Date.parse(now) - Date.parse(r.at) < limitMs) continue;
    mission = withRecord(mission, r.id, (x) => ({ ...x, status: "expired", decided: { by: BOT, at: now } }));
    actions.push({ kind: "comment", on: `feature:${r.feature}`, key: `request-expired:${r.id}`, body: expiredText(r, spendingConfig(config).expire_days) });
  }
  return mission;
}

/**
 * Cards against what the provider says: the ledger entry of each purchase
 * is set to what was actually charged; a card that was used is frozen; a
 * charge above the approval is flagged once and pauses the mission.
 */
function settle(m: Mission, facts: LoopFacts, now: string, actions: Action[]): Mission {
  let mission = m;
  for (const r of records(m)) {
    const card = r.card ? facts.spending?.cards.get(r.id) : undefined;
    if (!r.card || !card) continue;
    const chargedCents = card.transactions.reduce((sum, t) => sum + t.charged_cents, 0);
    const spent = Math.max(0, chargedCents) * 10_000;
    const used = card.transactions.length > 0 || card.authorizations.some((a) => a.approved);
    const over = spent > (r.amount_micros ?? 0);
    if (spent !== r.card.spent_micros || card.transactions.length !== r.card.booked.length) {
      mission = withRecord(mission, r.id, (x) => ({ ...x, card: { ...x.card!, spent_micros: spent, booked: card.transactions.map((t) => t.id).slice(0, 100) } }));
      mission = {
        ...mission,
        ledger: mission.ledger.map((e) =>
          e.key === purchaseKey(r) ? { ...e, cost_micros: spent, note: `request ${r.n}: ${r.vendor ?? "?"} — charged ${formatUsd(spent)} of ${formatUsd(r.amount_micros ?? 0)} approved`.slice(0, 2000) } : e,
        ),
      };
    }
    if (used && card.status === "active") actions.push({ kind: "freeze-card", request: r.id });
    if (card.status !== "active" && !r.card.frozen) mission = withRecord(mission, r.id, (x) => ({ ...x, card: { ...x.card!, frozen: true } }));
    if (over && !r.card.overspent) {
      mission = withRecord(mission, r.id, (x) => ({ ...x, card: { ...x.card!, overspent: true } }));
      actions.push({ kind: "comment", on: "tracking", key: `overspent:${r.id}`, body: overspendText(r, spent) });
      if (mission.status === "active" || mission.status === "validating") {
        mission = { ...mission, status: "paused", paused_reason: OVERSPENT_PAUSE, decisions: [...mission.decisions, { at: now, by: BOT, what: `Mission paused: the card of request ${r.n} was charged ${formatUsd(spent)}, more than the ${formatUsd(r.amount_micros ?? 0)} approved.` }] };
      }
    }
  }
  return mission;
}

/** Codes in replies reach the next run of the feature as a sealed secret; the issue is told a code came, never the code. */
function handOverCodes(m: Mission, facts: LoopFacts, now: string, actions: Action[]): Mission {
  let mission = m;
  for (const reply of facts.spending?.replies ?? []) {
    const r = records(mission).find((x) => x.id === reply.request);
    if (!r?.email || reply.uid <= r.email.read_uid) continue;
    const issue = findFeature(mission, r.feature)?.issue?.number;
    const handed: NonNullable<SpendRecord["email"]>["handed"] = [];
    if (issue) {
      for (const code of reply.codes) {
        const name = handOverSecretName(issue, code.kind);
        actions.push({ kind: "hand-over-secret", request: r.id, issue, name, value: code.value, uid: reply.uid });
        handed.push({ secret: name, kind: code.kind, at: now });
      }
      if (reply.codes.length) actions.push({ kind: "comment", on: `feature:${r.feature}`, key: `code:${r.id}:${reply.uid}`, body: codeHandedText(r, handed.map((h) => h.secret)) });
    }
    mission = withRecord(mission, r.id, (x) => ({ ...x, email: { ...x.email!, read_uid: reply.uid, handed: [...x.email!.handed, ...handed].slice(-20) } }));
  }
  return mission;
}

/** A secret handed over is deleted once a run of its feature that started after it has completed. */
function revokeUsed(m: Mission, actions: Action[]): Mission {
  let mission = m;
  for (const r of records(m)) {
    if (!r.email?.handed.some((h) => !h.revoked)) continue;
    const feature = findFeature(m, r.feature);
    const used = (at: string) => (feature?.runs ?? []).some((run: Feature["runs"][number]) => run.dispatched_at > at && run.status === "completed");
    const gone = r.email.handed.filter((h) => !h.revoked && used(h.at));
    if (!gone.length) continue;
    for (const h of gone) actions.push({ kind: "revoke-hand-over", request: r.id, secret: h.secret });
    mission = withRecord(mission, r.id, (x) => ({ ...x, email: { ...x.email!, handed: x.email!.handed.map((h) => (gone.some((g) => g.secret === h.secret && g.at === h.at) ? { ...h, revoked: true } : h)) } }));
  }
  return mission;
}
