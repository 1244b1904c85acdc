/**
 * The outside of spending: Stripe Issuing cards through the official
 * library against a local stand-in (no network, no money), the hand-over of
 * a secret to a worker run as an Actions secret on the twin, and an
 * approved email sent through the gateway interface (an in-memory fake of
 * helper F's transport).
 */
import sodium from "libsodium-wrappers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { stripeCards } from "../../src/outside/cards/stripe.js";
import type { CardOrder } from "../../src/outside/cards/provider.js";
import { startStripeStandIn, type StripeStandIn } from "../support/stripe-stand-in.js";
import type { GitHubTwin } from "../../src/twin/state.js";
import { serveWithNock } from "../support/twin-nock.js";
import { botOctokit } from "../../src/twin/octokit.js";
import { contractTwin } from "../support/twin.js";
import { handOver, revoke } from "../../src/github/hand-over.js";
import { SecretText } from "../../src/mission/spending/secret.js";
import { applySpendingAction, NotHandedOver } from "../../src/github/spending/apply.js";
import { Config, type Mission } from "../../src/mission/model.js";
import type { Octokit } from "../../src/github/client.js";
import type { EmailGateway, OutgoingEmail } from "../../src/outside/email/gateway.js";
import { answered, plan } from "../support/missions.js";
import { TEST_EPOCH, testMissionId } from "../support/clock.js";

const KEY = "sk_test_standin";
const order = (request: string, amountCents = 1200): CardOrder => ({
  request,
  mission: testMissionId("crm", 7),
  amountCents,
  currency: "USD",
  categories: ["computer_network_services"],
  cardholderName: "Mission Bot",
  billing: { line1: "1 Main St", city: "Springfield", postal_code: "12345", country: "US" },
  repo: "acme/rocket",
});

describe("Stripe Issuing cards (official library, local stand-in)", () => {
  let stand: StripeStandIn;
  beforeAll(async () => {
    stand = await startStripeStandIn();
  });
  afterAll(() => stand.close());

  const cards = () => stripeCards({ apiKey: KEY, host: stand.host, port: stand.port, protocol: stand.protocol });

  it("makes one cardholder and one single-use card limited to the approved amount, however often apply retries", async () => {
    const provider = cards();
    const first = await provider.issue(order("r-1-1-0"));
    const again = await provider.issue(order("r-1-1-0"));
    expect(again.id).toBe(first.id);
    expect(stand.cards.size).toBe(1);
    const card = stand.cards.get(first.id)!;
    expect(card).toMatchObject({ type: "virtual", status: "active", currency: "usd", metadata: { request: "r-1-1-0" } });
    expect(card.spending_controls.spending_limits).toEqual([
      { amount: 1200, interval: "per_authorization", categories: null },
      { amount: 1200, interval: "all_time", categories: null },
    ]);
    expect(card.spending_controls.allowed_categories).toEqual(["computer_network_services"]);
    await provider.issue(order("r-2-1-0", 500));
    expect(stand.cardholders.size).toBe(1);
    // the bot never asks Stripe for a card's number or CVC
    expect(stand.calls.every((c) => !JSON.stringify(c.params).includes("number") && !JSON.stringify(c.params).includes("cvc"))).toBe(true);
    expect(stand.calls.filter((c) => c.method === "POST").every((c) => c.idempotencyKey)).toBe(true);
  });

  it("reads what the card was charged and freezes it", async () => {
    const provider = cards();
    const { id } = await provider.issue(order("r-3-1-0", 1200));
    expect(stand.charge(id, 1150).approved).toBe(true);
    expect(stand.charge(id, 5000).approved).toBe(false);
    const facts = await provider.facts(id);
    expect(facts.transactions.map((t) => t.charged_cents)).toEqual([1150]);
    expect(facts.authorizations.map((a) => a.approved)).toEqual([true, false]);
    await provider.freeze(id);
    expect((await provider.facts(id)).status).toBe("inactive");
  });

  it("a wrong key is refused, and the refusal is recorded without the key", async () => {
    const provider = stripeCards({ apiKey: "sk_live_wrongwrongwrong", host: stand.host, port: stand.port, protocol: stand.protocol });
    await expect(provider.issue(order("r-4-1-0"))).rejects.toThrow(/Invalid API Key/);
  });
});

describe("hand-over of a secret to a worker run (Actions secret on the twin)", () => {
  let twin: GitHubTwin;
  let stop: () => void;
  const repo = { owner: "acme", repo: "rocket" };
  beforeEach(async () => {
    await sodium.ready;
    twin = contractTwin({ checkResponses: true });
    twin.addRepo({ owner: "acme", name: "rocket", ownerType: "Organization", collaborators: { alice: "admin" }, files: { "README.md": "hi\n" }, installationPermissions: { metadata: "read", issues: "write", secrets: "write" } });
    stop = serveWithNock(twin);
  });
  afterEach(() => stop());

  it("seals the value so that only the job reads it, and deletes it after the run", async () => {
    const octokit = botOctokit(twin) as unknown as Octokit;
    await handOver({ octokit, repo }, "MISSION_HANDOVER_11_CODE", new SecretText("493817"));
    expect(twin.secretValue("MISSION_HANDOVER_11_CODE")).toBe("493817");
    await revoke({ octokit, repo }, "MISSION_HANDOVER_11_CODE");
    expect(twin.secretValue("MISSION_HANDOVER_11_CODE")).toBeUndefined();
    await revoke({ octokit, repo }, "MISSION_HANDOVER_11_CODE"); // gone already: nothing to do
  });
});

describe("a hand-over GitHub refuses", () => {
  it("is undone, so the reply is read again at the next pulse, and the refusal goes up", async () => {
    const twin = contractTwin({ checkResponses: true });
    twin.addRepo({ owner: "acme", name: "rocket", ownerType: "Organization", collaborators: { alice: "admin" }, files: { "README.md": "hi\n" }, installationPermissions: { metadata: "read", issues: "write" } });
    const stop = serveWithNock(twin);
    try {
      const now = new Date(TEST_EPOCH).toISOString();
      const m: Mission = {
        ...answered({ status: "active", plan: plan([1]) }),
        spending: [{ n: 1, id: "r-501-1-0", kind: "email", feature: "1.1", run_id: 501, at: now, purpose: "p", to: "a@b.example", subject: "s", body: "b", status: "done", email: { message_id: "<x@y>", sent_at: now, read_uid: 7, handed: [{ secret: "MISSION_HANDOVER_11_CODE", kind: "code", at: now }] } }],
      };
      const octokit = botOctokit(twin) as unknown as Octokit;
      const refused = await applySpendingAction(
        { kind: "hand-over-secret", request: "r-501-1-0", issue: 11, name: "MISSION_HANDOVER_11_CODE", value: new SecretText("493817"), uid: 7 },
        { octokit, repo: { owner: "acme", repo: "rocket" }, mission: m, config: Config.parse({}), outside: undefined, now },
      ).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(NotHandedOver);
      expect((refused as NotHandedOver).mission.spending![0]!.email).toMatchObject({ read_uid: 6, handed: [] });
      expect(JSON.stringify((refused as NotHandedOver).mission)).not.toContain("493817");
    } finally {
      stop();
    }
  });
});

describe("a hand-over whose deletion GitHub refuses", () => {
  it("stays on the record as not revoked, so the next pulse deletes it again", async () => {
    await sodium.ready;
    const twin = contractTwin({ checkResponses: true });
    twin.addRepo({ owner: "acme", name: "rocket", ownerType: "Organization", collaborators: { alice: "admin" }, files: { "README.md": "hi\n" }, installationPermissions: { metadata: "read", issues: "write", secrets: "write" } });
    const stop = serveWithNock(twin);
    try {
      const now = new Date(TEST_EPOCH).toISOString();
      const octokit = botOctokit(twin) as unknown as Octokit;
      await handOver({ octokit, repo: { owner: "acme", repo: "rocket" } }, "MISSION_HANDOVER_11_CODE", new SecretText("493817"));
      twin.fault({ kind: "unavailable", method: "DELETE", route: /actions\/secrets/, times: 5 });
      const m: Mission = {
        ...answered({ status: "active", plan: plan([1]) }),
        // as the decision leaves it: marked revoked before apply deletes it
        spending: [{ n: 1, id: "r-501-1-0", kind: "email", feature: "1.1", run_id: 501, at: now, purpose: "p", to: "a@b.example", subject: "s", body: "b", status: "done", email: { message_id: "<x@y>", sent_at: now, read_uid: 7, handed: [{ secret: "MISSION_HANDOVER_11_CODE", kind: "code", at: now, revoked: true }] } }],
      };
      const refused = await applySpendingAction(
        { kind: "revoke-hand-over", request: "r-501-1-0", secret: "MISSION_HANDOVER_11_CODE" },
        { octokit, repo: { owner: "acme", repo: "rocket" }, mission: m, config: Config.parse({}), outside: undefined, now },
      ).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(NotHandedOver);
      expect((refused as NotHandedOver).mission.spending![0]!.email!.handed).toEqual([{ secret: "MISSION_HANDOVER_11_CODE", kind: "code", at: now }]);
      expect(twin.secretValue("MISSION_HANDOVER_11_CODE")).toBe("493817");
    } finally {
      stop();
    }
  });
});

describe("an approved request carried out by apply", () => {
  const now = new Date(TEST_EPOCH).toISOString();
  const record = { n: 1, id: "r-501-1-0", feature: "1.1", run_id: 501, at: now, purpose: "p", status: "approved" as const };
  const mission = (spending: Mission["spending"]): Mission => ({ ...answered({ status: "active", plan: plan([1]) }), spending });

  it("an email is sent through the gateway and its Message-ID recorded", async () => {
    const sent: OutgoingEmail[] = [];
    const gateway: EmailGateway = {
      send: async (mail) => (sent.push(mail), { messageId: "<1@mission-bot.invalid>", acceptedAt: now }),
      replies: async () => [],
      close: async () => {},
    };
    const m = mission([{ ...record, kind: "email", to: "sales@vendor.example", subject: "Access", body: "Hello" }]);
    const after = await applySpendingAction({ kind: "spend", request: "r-501-1-0" }, { octokit: {} as Octokit, repo: { owner: "acme", repo: "rocket" }, mission: m, config: Config.parse({}), outside: { email: gateway, extractCodes: () => [] }, now });
    expect(sent).toEqual([{ to: "sales@vendor.example", subject: "Access", text: "Hello" }]);
    expect(after.spending![0]).toMatchObject({ status: "done", email: { message_id: "<1@mission-bot.invalid>" } });
  });

  it("a purchase gets its card from the provider (the card's id recorded, nothing else)", async () => {
    const stand = await startStripeStandIn();
    try {
      const config = Config.parse({ spending: { auto: "15", cards: { billing: { line1: "1 Main St", city: "Springfield", postal_code: "12345", country: "US" } } } });
      const m = mission([{ ...record, kind: "purchase", vendor: "Registrar", amount_micros: 12_000_000, currency: "USD" }]);
      const outside = { cards: stripeCards({ apiKey: KEY, host: stand.host, port: stand.port, protocol: stand.protocol }), extractCodes: () => [] };
      const after = await applySpendingAction({ kind: "spend", request: "r-501-1-0" }, { octokit: {} as Octokit, repo: { owner: "acme", repo: "rocket" }, mission: m, config, outside, now });
      expect(after.spending![0]).toMatchObject({ status: "done", card: { id: [...stand.cards.keys()][0] } });
      expect([...stand.cards.values()][0]!.spending_controls.spending_limits![0]!.amount).toBe(1200);
    } finally {
      await stand.close();
    }
  });
});
