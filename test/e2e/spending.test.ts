/**
 * One mission on the twin (the App in process, as test/integration does):
 * a worker asks for a $12 domain and an email to a vendor. The purchase is
 * approved under `auto`, gets its card (Stripe stand-in) and is booked; a
 * second purchase above `notify` waits and is denied by an admin; the email
 * waits, is approved, sent (a fake gateway), and its reply's code reaches
 * the feature's next run as the twin's Actions secret. Nothing secret — the
 * card's number, the code — appears in any issue, comment, file or log.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { parseMissionFile } from "../../src/mission/markdown/mission-file.js";
import { renderReportComment } from "../../src/mission/markdown/report-comment.js";
import { harness, type Harness } from "../support/app-harness.js";
import { TEST_DAY } from "../support/clock.js";
import { STATE_BRANCH } from "../support/missions.js";
import { CRM_OUTLINE } from "../support/outline.js";
import { startStripeStandIn, type StripeStandIn } from "../support/stripe-stand-in.js";
import { stripeCards } from "../../src/outside/cards/stripe.js";
import type { EmailGateway, OutgoingEmail, ReceivedEmail } from "../../src/outside/email/gateway.js";

const CODE = "493817";
const MISSION = `m-${TEST_DAY}-crm-1`;
const PATH = `todo/missions/${MISSION}/mission.md`;
const FILES = {
  ".github/workflows/mission-worker.yml": readFileSync("templates/workflows/mission-worker.yml", "utf8"),
  ".github/workflows/mission-validate.yml": readFileSync("templates/workflows/mission-validate.yml", "utf8"),
  ".github/mission.yml": [
    "planner:",
    "  provider: outline",
    "spending:",
    '  auto: "15"',
    '  notify: "50"',
    "  cards:",
    "    billing: { line1: 1 Main St, city: Springfield, postal_code: '12345', country: US }",
  ].join("\n"),
};

let h: Harness;
let stand: StripeStandIn;
afterEach(async () => {
  h?.stop();
  await stand?.close();
  expect(h.twin.contractFailures).toEqual([]);
});

function mission() {
  const parsed = parseMissionFile(h.twin.readFile(PATH, { ref: STATE_BRANCH })!.text);
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  return parsed.mission;
}

/** The worker run reports (a failure: it waits for what it asked for), with its requests. */
function report(runId: number, inputs: Record<string, string>, requests: unknown[]) {
  h.twin.actions.start(runId);
  const body = { mission: inputs.mission!, feature: inputs.feature!, run_id: runId, run_attempt: 1, outcome: "failure", summary: "waiting for access", model: "claude-sonnet-5-5", tokens_in: 1000, tokens_out: 100, cost_usd: 0.1, duration_seconds: 60, actions_minutes: 1, requests };
  h.twin.as("github-actions[bot]").comment(Number(inputs.issue), renderReportComment(body as never));
  h.twin.actions.complete(runId, "failure", { durationMs: 60_000 });
}

describe("a mission's requests, end to end", () => {
  it("buys under the threshold, waits for people above it and for new recipients, and hands the reply's code to the next run only", async () => {
    stand = await startStripeStandIn();
    const sent: OutgoingEmail[] = [];
    const inbox: ReceivedEmail[] = [];
    const gateway: EmailGateway = {
      send: async (mail) => (sent.push(mail), { messageId: "<req-2@mission-bot.invalid>", acceptedAt: new Date(h.twin.now()).toISOString() }),
      replies: async (threads, after) => inbox.filter((m) => threads.includes(m.inReplyTo ?? "") && m.uid > after),
      close: async () => {},
    };
    const logs: string[] = [];
    const cards = stripeCards({ apiKey: "sk_test_standin", host: stand.host, port: stand.port, protocol: stand.protocol });
    h = harness({
      files: FILES,
      collaborators: { alice: "admin", bob: "write" },
      outside: () => ({ cards, email: gateway, extractCodes: (text) => [...text.matchAll(/\b\d{6}\b/g)].map((m) => ({ kind: "code", value: m[0] })) }),
    });
    // the App as app.yml registers it: `secrets: write`, which the installation accepted
    h.twin.installations.get(1)!.permissions.secrets = "write";
    const tracking = h.twin.as("alice").createIssue({ title: "CRM", body: CRM_OUTLINE });
    h.twin.as("alice").comment(tracking.number, "/mission Build a CRM --mode poc --budget $500 --hours 40 --tokens 50M");
    await h.pump();
    h.twin.as("alice").comment(tracking.number, "/mission answer\nconstraints: none\npreferences: none");
    await h.pump();
    h.twin.as("alice").comment(tracking.number, "/mission approve");
    await h.pump();

    const first = h.twin.actions.runsOf("mission-worker.yml")[0]!;
    const inputs = { ...h.twin.runInputs(first.id) };
    const issue = Number(inputs.issue);
    report(first.id, inputs, [
      { kind: "purchase", vendor: "Registrar", amount: "12.00", currency: "USD", purpose: "the product's domain", feature: inputs.feature },
      { kind: "email", to: "sales@vendor.example", subject: "API access", body: "Please send us a verification code.", purpose: "vendor API access", feature: inputs.feature },
      { kind: "purchase", vendor: "Hosting", amount: "60", currency: "USD", purpose: "a server", feature: inputs.feature },
    ]);
    await h.pump();

    let m = mission();
    expect(m.spending!.map((r) => [r.n, r.kind, r.status])).toEqual([[1, "purchase", "done"], [2, "email", "waiting"], [3, "purchase", "waiting"]]);
    expect(m.ledger.find((e) => e.kind === "purchase")).toMatchObject({ cost_micros: 12_000_000, approved: { by: "mission-bot" } });
    const card = [...stand.cards.values()][0]!;
    expect(card.spending_controls.spending_limits!.map((l) => l.amount)).toEqual([1200, 1200]);
    expect(m.spending![0]!.card!.id).toBe(card.id);

    // a writer may not decide; an admin (checked live) denies the purchase above `notify` and approves the email
    h.twin.as("bob").comment(tracking.number, "/mission spend approve 3");
    await h.pump();
    expect(mission().spending![2]!.status).toBe("waiting");
    h.twin.as("alice").comment(tracking.number, "/mission spend deny 3 not this month");
    h.twin.as("alice").comment(tracking.number, "/mission spend approve 2");
    await h.pump();
    m = mission();
    expect(m.spending![2]).toMatchObject({ status: "denied", decided: { by: "alice", reason: "not this month" } });
    expect(sent).toEqual([{ to: "sales@vendor.example", subject: "API access", text: "Please send us a verification code." }]);
    expect(m.spending![1]).toMatchObject({ status: "done", email: { message_id: "<req-2@mission-bot.invalid>" } });

    // the vendor answers with a code: the pulse hands it to the feature's next run as an Actions secret
    inbox.push({ messageId: "<r1@vendor.example>", inReplyTo: "<req-2@mission-bot.invalid>", references: ["<req-2@mission-bot.invalid>"], from: "sales@vendor.example", subject: "Re: API access", text: `Your code is ${CODE}.`, receivedAt: new Date(h.twin.now()).toISOString(), uid: 7 });
    stand.charge(card.id, 1150);
    h.twin.advance(15 * 60_000, { tokens: "keep" });
    await h.pulse();
    await h.pump();
    expect(h.twin.secretValue(`MISSION_HANDOVER_${issue}_CODE`)).toBe(CODE);
    m = mission();
    expect(m.ledger.find((e) => e.kind === "purchase")!.cost_micros).toBe(11_500_000);
    expect(stand.cards.get(card.id)!.status).toBe("inactive");

    // nothing secret anywhere the bot writes or a person reads
    const texts = [
      ...h.twin.issuesOf().flatMap((i) => [i.title, i.body ?? "", ...h.twin.commentsOn(i).map((c) => c.body)]),
      h.twin.readFile(PATH, { ref: STATE_BRANCH })!.text,
      JSON.stringify(h.errors),
      ...logs,
    ].join("\n");
    expect(texts).toContain(`MISSION_HANDOVER_${issue}_CODE`);
    expect(texts).toContain(card.id);
    for (const secret of [CODE, ...stand.numbers.values()]) expect(texts).not.toContain(secret);
  });
});
