/**
 * Virtual cards through Stripe Issuing, with the official `stripe` library.
 * An approved purchase gets one virtual card whose `spending_controls`
 * allow exactly the approved amount (`per_authorization` and `all_time`)
 * at the configured merchant categories; the request id is the idempotency
 * key, so a retried apply never makes two cards. One cardholder per
 * repository, found by its metadata or made once. The card's number and
 * CVC are never asked for (no `expand`): they stay in Stripe, where a
 * person sees them in the dashboard.
 *
 * The secret key comes from the environment variable that
 * `spending.cards.api_key_env` names; `host`/`port`/`protocol` point the
 * library at a stand-in in tests.
 */
import Stripe from "stripe";
import type { CardFacts } from "../../mission/spending/facts.js";
import type { CardOrder, CardProvider } from "./provider.js";

export interface StripeOptions {
  apiKey: string;
  /** tests: a stand-in's address */
  host?: string;
  port?: number;
  protocol?: "http" | "https";
}

const CARDHOLDER_TAG = "mission_bot_repo";

export function stripeCards(options: StripeOptions): CardProvider {
  const stripe = new Stripe(options.apiKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    ...(options.host ? { host: options.host } : {}),
    ...(options.port ? { port: options.port } : {}),
    ...(options.protocol ? { protocol: options.protocol } : {}),
  });

  const cardholderFor = async (order: CardOrder): Promise<string> => {
    for await (const holder of stripe.issuing.cardholders.list({ status: "active", limit: 100 })) {
      if (holder.metadata?.[CARDHOLDER_TAG] === order.repo) return holder.id;
    }
    const made = await stripe.issuing.cardholders.create(
      {
        name: order.cardholderName,
        type: "company",
        status: "active",
        billing: { address: { line1: order.billing.line1, city: order.billing.city, postal_code: order.billing.postal_code, country: order.billing.country, ...(order.billing.state ? { state: order.billing.state } : {}) } },
        metadata: { [CARDHOLDER_TAG]: order.repo },
      },
      { idempotencyKey: `mission-bot-cardholder-${order.repo}` },
    );
    return made.id;
  };

  return {
    async issue(order) {
      const cardholder = await cardholderFor(order);
      const limits = (["per_authorization", "all_time"] as const).map((interval) => ({ amount: order.amountCents, interval }));
      const card = await stripe.issuing.cards.create(
        {
          cardholder,
          currency: order.currency.toLowerCase(),
          type: "virtual",
          status: "active",
          spending_controls: {
            spending_limits: limits,
            ...(order.categories.length ? { allowed_categories: order.categories as Stripe.Issuing.CardCreateParams.SpendingControls.AllowedCategory[] } : {}),
          },
          metadata: { mission: order.mission, request: order.request },
        },
        { idempotencyKey: `mission-bot-card-${order.mission}-${order.request}` },
      );
      return { id: card.id };
    },
    async freeze(cardId) {
      await stripe.issuing.cards.update(cardId, { status: "inactive" });
    },
    async facts(cardId): Promise<CardFacts> {
      const card = await stripe.issuing.cards.retrieve(cardId);
      const authorizations: Array<{ id: string; amount_cents: number; approved: boolean }> = [];
      for await (const a of stripe.issuing.authorizations.list({ card: cardId, limit: 100 })) {
        authorizations.push({ id: a.id, amount_cents: a.amount || a.pending_request?.amount || 0, approved: a.approved });
      }
      const transactions: Array<{ id: string; charged_cents: number }> = [];
      for await (const t of stripe.issuing.transactions.list({ card: cardId, limit: 100 })) {
        // Issuing amounts are from the balance's side: a capture is negative (money out), a refund positive.
        transactions.push({ id: t.id, charged_cents: -t.amount });
      }
      const status: CardFacts["status"] = card.status === "active" ? "active" : card.status === "canceled" ? "canceled" : "inactive";
      return { status, authorizations, transactions };
    },
  };
}
