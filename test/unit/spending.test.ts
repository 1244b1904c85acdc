/**
 * Workers' requests: judged against the approval rules and the budget's
 * reserve, recorded, approved or denied by the right people, booked in the
 * ledger, reconciled with what the card was charged; codes from replies
 * reach the next run as a secret and nowhere else.
 */
import { describe, expect, it } from "vitest";
import { Config, Mission } from "../../src/mission/model.js";
import { decideSpending } from "../../src/mission/spending/loop.js";
import { parseCommand } from "../../src/mission/conversation/commands.js";
import { reconcile } from "../../src/mission/reconcile.js";
import { SecretText } from "../../src/mission/spending/secret.js";
import type { FoundReport, LoopFacts } from "../../src/mission/decision.js";
import { answered, plan, snapshotOf, withIssues } from "../support/missions.js";
import { TEST_EPOCH } from "../support/clock.js";

const at = (minutes: number) => new Date(TEST_EPOCH + minutes * 60_000).toISOString();
const NOW = at(180);
const config = Config.parse({ spending: { auto: "15", notify: "50", expire_days: 7 } });

function running(over: Partial<Mission> = {}): Mission {
  const m = withIssues(answered({ status: "active", plan: plan([2]), budget: { usd: 100, hours: 40, tokens: 50_000_000, alerts: [0.5, 0.8, 1], hard_stop: "finish" }, ...over }));
  return { ...m, plan: { ...m.plan!, milestones: m.plan!.milestones.map((ms) => ({ ...ms, features: ms.features.map((f) => (f.key === "1.1" ? { ...f, runs: [{ try: 1, run_id: 501, dispatched_at: at(0), status: "completed" as const, conclusion: "success" as const }] } : f)) })) } };
}

const domain = { kind: "purchase", vendor: "Registrar", amount: "12.00", currency: "USD", purpose: "the product's domain", feature: "1.1" };
const email = { kind: "email", to: "sales@vendor.example", subject: "API access", body: "Please send us an API key.", purpose: "access to the vendor's API", feature: "1.1" };

function reportWith(requests: unknown[], m: Mission): FoundReport {
  return {
    feature: "1.1",
    url: "https://github.com/octo/crm/issues/11#issuecomment-1",
    result: { found: true, ok: true, report: { mission: m.id, feature: "1.1", run_id: 501, run_attempt: 1, outcome: "failure", summary: "", tokens_in: 0, tokens_out: 0, duration_seconds: 0, actions_minutes: 0, requests } },
  };
}

function facts(m: Mission, over: Partial<LoopFacts> = {}): LoopFacts {
  return { ...snapshotOf(m).loop!, ...over };
}

describe("requests in a worker's report", () => {
  it("a purchase under `auto` is approved by the bot, posted with its budget effect and booked in the ledger", () => {
    const m = running();
    const step = decideSpending(m, facts(m, { reports: [reportWith([domain], m)] }), config, NOW);
    expect(step.mission.spending).toMatchObject([{ n: 1, kind: "purchase", status: "approved", rule: "auto", amount_micros: 12_000_000, decided: { by: "mission-bot" } }]);
    expect(step.mission.ledger).toMatchObject([{ key: "purchase-r-501-1-0", kind: "purchase", cost_micros: 12_000_000, approved: { by: "mission-bot", at: NOW } }]);
    const post = step.actions.find((a) => a.kind === "comment" && a.on === "tracking");
    expect(post).toMatchObject({ body: expect.stringContaining("Approved by mission-bot") });
    expect((post as { body: string }).body).toMatch(/\$12\.00 of the money budget; requests may still spend \$68\.00/);
    expect(step.actions).toContainEqual({ kind: "spend", request: "r-501-1-0" });
  });

  it("the same report read twice records its requests once", () => {
    const m = running();
    const once = decideSpending(m, facts(m, { reports: [reportWith([domain], m)] }), config, NOW);
    const twice = decideSpending(once.mission, facts(once.mission, { reports: [reportWith([domain], m)] }), config, NOW);
    expect(twice.mission.spending).toHaveLength(1);
    expect(twice.mission.ledger).toHaveLength(1);
  });

  it("above `notify` it waits for an approver; an email to a new recipient waits for a person", () => {
    const m = running();
    const step = decideSpending(m, facts(m, { reports: [reportWith([{ ...domain, amount: "60" }, email], m)] }), config, NOW);
    expect(step.mission.spending!.map((r) => r.status)).toEqual(["waiting", "waiting"]);
    expect(step.mission.ledger).toEqual([]);
    expect(step.actions.filter((a) => a.kind === "spend")).toEqual([]);
    const bodies = step.actions.flatMap((a) => (a.kind === "comment" ? [a.body] : []));
    expect(bodies[0]).toContain("/mission spend approve 1");
    expect(bodies[1]).toContain("Waiting for an admin of the repository: the mission has not written to");
  });

  it("bad requests get one clear answer each on the feature issue, and nothing else happens", () => {
    const strict = Config.parse({ spending: { auto: "15", notify: "50", email: { allow: ["@vendor.example"] } } });
    const m = running();
    const bad = [{ ...domain, amount: "-5" }, { ...domain, currency: "XYZ" }, { ...email, to: "ceo@elsewhere.example" }, { ...domain, amount: "90" }];
    const step = decideSpending(m, facts(m, { reports: [reportWith(bad, m)] }), strict, NOW);
    expect(step.mission.spending ?? []).toEqual([]);
    expect(step.mission.ledger).toEqual([]);
    const answers = step.actions.filter((a) => a.kind === "comment");
    expect(answers).toHaveLength(4);
    expect(answers.every((a) => a.kind === "comment" && a.on === "feature:1.1")).toBe(true);
    const text = answers.map((a) => (a.kind === "comment" ? a.body : "")).join("\n");
    expect(text).toContain("positive decimal");
    expect(text).toContain("currency is not one of");
    expect(text).toContain("not in `spending.email.allow`");
    expect(text).toMatch(/\$90\.00 is over what requests may still spend: \$80\.00 .*\$20\.00 kept in reserve/);
  });

  it("the reserve is never spent: what is spent and approved counts against it", () => {
    const m = running({ ledger: [{ key: "run-1-1", kind: "worker", tokens_in: 0, tokens_out: 0, cost_micros: 70_000_000, wall_seconds: 0, actions_minutes: 0, at: at(1) }] });
    const step = decideSpending(m, facts(m, { reports: [reportWith([domain], m)] }), config, NOW);
    expect(step.mission.spending ?? []).toEqual([]); // $100 − $20 reserve − $70 spent leaves $10
  });

  it("a request nobody decided expires after `expire_days` and the feature issue is told", () => {
    const m = running();
    const waiting = decideSpending(m, facts(m, { reports: [reportWith([email], m)] }), config, NOW).mission;
    const later = decideSpending(waiting, facts(waiting), config, at(180 + 7 * 24 * 60)).mission;
    expect(later.spending![0]!.status).toBe("expired");
  });
});

describe("/mission spend approve|deny", () => {
  const command = (body: string, login: string, permission: "admin" | "write" | "read") => ({
    id: 9001,
    url: "https://github.com/octo/crm/issues/7#issuecomment-9001",
    body,
    created_at: NOW,
    author: { login, type: "User" },
    permission,
  });

  it("parses approve and deny with a reason, and refuses a missing number", () => {
    expect(parseCommand("/mission spend approve 2")).toEqual({ ok: true, command: { name: "spend", verb: "approve", n: 2 } });
    expect(parseCommand("/mission spend deny 3 too dear")).toEqual({ ok: true, command: { name: "spend", verb: "deny", n: 3, reason: "too dear" } });
    expect(parseCommand("/mission spend approve")).toMatchObject({ ok: false, error: expect.stringContaining("needs the request's number") });
  });

  it("only an admin (checked live) decides by default; a writer is told who can", () => {
    const m = running();
    const waiting = decideSpending(m, facts(m, { reports: [reportWith([{ ...domain, amount: "60" }], m)] }), config, NOW).mission;
    const byWriter = reconcile({ ...snapshotOf(waiting, { config }), commands: [command("/mission spend approve 1", "bob", "write")] });
    expect(byWriter.mission!.spending![0]!.status).toBe("waiting");
    expect(byWriter.actions.find((a) => a.kind === "reply")).toMatchObject({ body: expect.stringContaining("only admins of the repository") });
    const byAdmin = reconcile({ ...snapshotOf(waiting, { config }), commands: [command("/mission spend deny 1 not needed yet", "alice", "admin")] });
    expect(byAdmin.mission!.spending![0]).toMatchObject({ status: "denied", decided: { by: "alice", reason: "not needed yet" } });
    expect(byAdmin.mission!.ledger).toEqual([]);
  });

  it("an approval by an approver books the purchase with who approved it", () => {
    const m = running();
    const waiting = decideSpending(m, facts(m, { reports: [reportWith([{ ...domain, amount: "60" }], m)] }), config, NOW).mission;
    const d = reconcile({ ...snapshotOf(waiting, { config }), commands: [command("/mission spend approve 1", "alice", "admin")] });
    expect(d.mission!.ledger.find((e) => e.kind === "purchase")).toMatchObject({ cost_micros: 60_000_000, approved: { by: "alice", at: NOW } });
  });
});

describe("cards and replies", () => {
  function withCard(): Mission {
    const m = running();
    const approved = decideSpending(m, facts(m, { reports: [reportWith([domain], m)] }), config, NOW).mission;
    return { ...approved, spending: approved.spending!.map((r) => ({ ...r, status: "done" as const, card: { id: "ic_1", frozen: false, spent_micros: 0, booked: [] } })) };
  }

  it("books what the card was actually charged and freezes it after the purchase", () => {
    const m = withCard();
    const step = decideSpending(m, facts(m, { spending: { cards: new Map([["r-501-1-0", { status: "active", authorizations: [{ id: "ia_1", amount_cents: 1150, approved: true }], transactions: [{ id: "ipi_1", charged_cents: 1150 }] }]]), replies: [] } }), config, NOW);
    expect(step.mission.ledger.find((e) => e.kind === "purchase")).toMatchObject({ cost_micros: 11_500_000, note: expect.stringContaining("charged $11.50 of $12.00") });
    expect(step.actions).toContainEqual({ kind: "freeze-card", request: "r-501-1-0" });
    expect(step.mission.status).toBe("active");
  });

  it("a charge above the approval is flagged on the tracking issue and pauses the mission", () => {
    const m = withCard();
    const step = decideSpending(m, facts(m, { spending: { cards: new Map([["r-501-1-0", { status: "inactive", authorizations: [], transactions: [{ id: "ipi_1", charged_cents: 2500 }] }]]), replies: [] } }), config, NOW);
    expect(step.mission.status).toBe("paused");
    expect(step.actions).toContainEqual(expect.objectContaining({ kind: "comment", on: "tracking", key: "overspent:r-501-1-0", body: expect.stringContaining("charged $25.00, more than the $12.00 approved") }));
  });

  it("a code in a reply becomes a hand-over secret for the feature's next run, and no comment carries it", () => {
    const m = running();
    const sent = decideSpending(m, facts(m, { reports: [reportWith([email], m)] }), config, NOW).mission;
    const done: Mission = { ...sent, spending: sent.spending!.map((r) => ({ ...r, status: "done" as const, email: { message_id: "<a@bot>", sent_at: NOW, read_uid: 0, handed: [] } })) };
    const step = decideSpending(done, facts(done, { spending: { cards: new Map(), replies: [{ request: "r-501-1-0", uid: 4, codes: [{ kind: "code", value: new SecretText("493817") }] }] } }), config, NOW);
    const hand = step.actions.find((a) => a.kind === "hand-over-secret");
    expect(hand).toMatchObject({ name: "MISSION_HANDOVER_11_CODE", issue: 11 });
    expect(JSON.stringify(step)).not.toContain("493817");
    expect(JSON.stringify(step.mission)).toContain("MISSION_HANDOVER_11_CODE");
    // read once
    const again = decideSpending(step.mission, facts(step.mission, { spending: { cards: new Map(), replies: [{ request: "r-501-1-0", uid: 4, codes: [{ kind: "code", value: new SecretText("493817") }] }] } }), config, NOW);
    expect(again.actions.filter((a) => a.kind === "hand-over-secret")).toEqual([]);
  });

  it("an approved email waits while a secret named in `email:` is not set, and the tracking issue is told its name", () => {
    const m = running();
    const asked = decideSpending(m, facts(m, { reports: [reportWith([email], m)] }), config, NOW).mission;
    const approved: Mission = { ...asked, spending: asked.spending!.map((r) => ({ ...r, status: "approved" as const })) };
    const problem = "the secret MISSION_IMAP_PASSWORD (named in .github/mission.yml email:) is not set";
    const step = decideSpending(approved, facts(approved, { spending: { cards: new Map(), replies: [], emailProblems: [problem] } }), config, NOW);
    const told = step.actions.filter((a) => a.kind === "comment" && a.on === "tracking");
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ body: expect.stringContaining("MISSION_IMAP_PASSWORD") });
    expect(step.mission.spending![0]!.status).toBe("approved");
    // nothing to say while no email is approved
    expect(decideSpending(asked, facts(asked, { spending: { cards: new Map(), replies: [], emailProblems: [problem] } }), config, NOW).actions.some((a) => a.kind === "comment" && a.on === "tracking" && a.body.includes("MISSION_IMAP"))).toBe(false);
  });
});

describe("the worker's side", () => {
  it("the report mode takes at most ten requests from the requests file and says what was wrong with it", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const { readRequestsFile } = await import("../../src/action/shared/requests-file.js");
    const dir = mkdtempSync(join(tmpdir(), "requests-"));
    const notes: string[] = [];
    writeFileSync(join(dir, "many.json"), JSON.stringify(Array.from({ length: 12 }, () => domain)));
    expect(readRequestsFile(join(dir, "many.json"), notes)).toHaveLength(10);
    writeFileSync(join(dir, "bad.json"), "{not json");
    expect(readRequestsFile(join(dir, "bad.json"), notes)).toBeUndefined();
    expect(readRequestsFile(join(dir, "absent.json"), notes)).toBeUndefined();
    expect(notes).toEqual(["The requests file holds 12 requests; only the first 10 were sent.", "The requests file is not JSON, so no request was sent."]);
  });

  it("the next run's prompt says how to ask and what became of its feature's requests", async () => {
    const { buildWorkerPrompt } = await import("../../src/mission/workers/worker-prompt.js");
    const { promptLines } = await import("../../src/mission/spending/texts.js");
    const m = running();
    const waiting = decideSpending(m, facts(m, { reports: [reportWith([{ ...domain, amount: "60" }], m)] }), config, NOW).mission;
    const denied = { ...waiting, spending: waiting.spending!.map((r) => ({ ...r, status: "denied" as const, decided: { by: "alice", at: NOW, reason: "too dear" } })) };
    const prompt = buildWorkerPrompt({ title: "Domain", body: "", mission: m.id, feature: "1.1", mode: "poc", requests: promptLines(denied.spending!, "1.1") });
    expect(prompt).toContain("mission-requests.json");
    expect(prompt).toContain("Request 1, purchase of $60.00 from Registrar, was denied: too dear.");
  });
});
