/**
 * A local stand-in for the Stripe Issuing endpoints mission-bot uses, for the
 * official `stripe` library to reach through its `host`/`port`/`protocol`
 * options. No OpenAPI description of Stripe is packaged on npm (the
 * `stripe` package ships only its types), so the stand-in is checked
 * against those types: every object it answers with is typed with the
 * library's own interfaces (`Stripe.Issuing.Card`, …: the fields it fills
 * have exactly their names and types), and it refuses what Stripe refuses
 * for these calls — no secret key, a missing required parameter (400,
 * `parameter_missing`), an unknown card (404), a second POST with the same
 * `Idempotency-Key` answered with the first answer and never done twice.
 * It never makes a card number: the bot never asks for one.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type Stripe from "stripe";

type Card = Pick<Stripe.Issuing.Card, "id" | "object" | "brand" | "created" | "currency" | "livemode" | "metadata" | "status" | "type" | "exp_month" | "exp_year"> & {
  cardholder: Pick<Stripe.Issuing.Cardholder, "id" | "object">;
  spending_controls: Pick<Stripe.Issuing.Card.SpendingControls, "allowed_categories" | "spending_limits">;
};
type Cardholder = Pick<Stripe.Issuing.Cardholder, "id" | "object" | "name" | "type" | "status" | "metadata" | "created" | "livemode">;
type Authorization = Pick<Stripe.Issuing.Authorization, "id" | "object" | "amount" | "approved" | "currency" | "status" | "created" | "livemode" | "metadata"> & { card: Pick<Stripe.Issuing.Card, "id"> };
type Transaction = Pick<Stripe.Issuing.Transaction, "id" | "object" | "amount" | "currency" | "type" | "created" | "livemode" | "metadata"> & { card: string };

export interface StripeCall {
  method: string;
  path: string;
  params: Record<string, unknown>;
  idempotencyKey?: string;
}

export interface StripeStandIn {
  host: string;
  port: number;
  protocol: "http";
  readonly calls: StripeCall[];
  readonly cards: Map<string, Card>;
  readonly cardholders: Map<string, Cardholder>;
  /** each card's number (what must never appear anywhere the bot writes) */
  readonly numbers: Map<string, string>;
  /** a merchant charges the card: an authorisation (approved within its limits) and, if approved, a capture */
  charge(cardId: string, cents: number): { approved: boolean };
  /** a merchant captures more than it was authorised for (Stripe allows over-captures and force captures): a transaction without a check */
  forceCapture(cardId: string, cents: number): void;
  close(): Promise<void>;
}

/** `a[b][0][c]=x` form fields (as stripe-node encodes them) into nested objects and arrays. */
export function decodeForm(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const path = key.split(/\[|\]\[|\]/).filter((p) => p !== "");
    let node: Record<string, unknown> = root;
    path.forEach((part, i) => {
      if (i === path.length - 1) node[part] = value;
      else {
        const next = path[i + 1]!;
        node[part] ??= /^\d+$/.test(next) ? [] : {};
        node = node[part] as Record<string, unknown>;
      }
    });
  }
  return root;
}

export async function startStripeStandIn(): Promise<StripeStandIn> {
  const calls: StripeCall[] = [];
  const cards = new Map<string, Card>();
  const cardholders = new Map<string, Cardholder>();
  const authorizations: Authorization[] = [];
  const transactions: Transaction[] = [];
  const idempotent = new Map<string, { status: number; body: unknown }>();
  /** each card's number: kept here, answered only to `expand[]=number` */
  const numbers = new Map<string, string>();
  let serial = 0;
  const id = (prefix: string) => `${prefix}_standin${(++serial).toString(36).padStart(6, "0")}`;
  const created = 1_764_000_000;

  const list = <T>(url: string, data: T[]) => ({ object: "list", url, has_more: false, data });
  const error = (status: number, type: string, message: string, param?: string, code?: string) => ({
    status,
    body: { error: { type, message, ...(param ? { param } : {}), ...(code ? { code } : {}) } },
  });
  const missing = (param: string) => error(400, "invalid_request_error", `Missing required param: ${param}.`, param, "parameter_missing");

  const route = (method: string, path: string, params: Record<string, unknown>, query: URLSearchParams): { status: number; body: unknown } => {
    if (method === "GET" && path === "/v1/issuing/cardholders") return { status: 200, body: list(path, [...cardholders.values()].filter((c) => !query.get("status") || c.status === query.get("status"))) };
    if (method === "POST" && path === "/v1/issuing/cardholders") {
      for (const p of ["name", "billing"]) if (params[p] === undefined) return missing(p);
      if (!(params.billing as { address?: unknown }).address) return missing("billing[address]");
      const holder: Cardholder = {
        id: id("ich"),
        object: "issuing.cardholder",
        name: String(params.name),
        type: (params.type as Cardholder["type"]) ?? "individual",
        status: (params.status as Cardholder["status"]) ?? "active",
        metadata: (params.metadata as Record<string, string>) ?? {},
        created,
        livemode: false,
      };
      cardholders.set(holder.id, holder);
      return { status: 200, body: holder };
    }
    if (method === "POST" && path === "/v1/issuing/cards") {
      for (const p of ["currency", "type"]) if (params[p] === undefined) return missing(p);
      const holder = cardholders.get(String(params.cardholder ?? ""));
      if (!holder) return error(400, "invalid_request_error", "No such cardholder", "cardholder", "resource_missing");
      const controls = (params.spending_controls ?? {}) as { spending_limits?: Array<{ amount: string; interval: string }>; allowed_categories?: string[] };
      const card: Card = {
        id: id("ic"),
        object: "issuing.card",
        brand: "Visa",
        created,
        currency: String(params.currency),
        livemode: false,
        metadata: (params.metadata as Record<string, string>) ?? {},
        status: (params.status as Card["status"]) ?? "inactive",
        type: params.type as Card["type"],
        exp_month: 12,
        exp_year: 2029,
        cardholder: { id: holder.id, object: "issuing.cardholder" },
        spending_controls: {
          allowed_categories: (controls.allowed_categories as Card["spending_controls"]["allowed_categories"]) ?? null,
          spending_limits: (controls.spending_limits ?? []).map((l) => ({ amount: Number(l.amount), interval: l.interval as Stripe.Issuing.Card.SpendingControls.SpendingLimit.Interval, categories: null })),
        },
      };
      cards.set(card.id, card);
      numbers.set(card.id, `4000009990${String(serial).padStart(6, "0")}`);
      return { status: 200, body: card };
    }
    const one = /^\/v1\/issuing\/cards\/([A-Za-z0-9_]+)$/.exec(path);
    if (one) {
      const card = cards.get(one[1]!);
      if (!card) return error(404, "invalid_request_error", `No such issuing.card: '${one[1]}'`, "id", "resource_missing");
      if (method === "POST" && params.status) card.status = params.status as Card["status"];
      // the number and CVC only when asked for (`expand[]=number`), as Stripe gives them
      const expand = [...query.getAll("expand[]"), ...((params.expand as string[] | undefined) ?? [])];
      if (method === "GET" || method === "POST") return { status: 200, body: expand.includes("number") ? { ...card, number: numbers.get(card.id) } : card };
    }
    if (method === "GET" && path === "/v1/issuing/authorizations") return { status: 200, body: list(path, authorizations.filter((a) => !query.get("card") || a.card.id === query.get("card"))) };
    if (method === "GET" && path === "/v1/issuing/transactions") return { status: 200, body: list(path, transactions.filter((t) => !query.get("card") || t.card === query.get("card"))) };
    return error(404, "invalid_request_error", `Unrecognized request URL (${method}: ${path}).`);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = "";
    req.on("data", (c) => (text += c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://stand-in");
      const params = req.method === "GET" ? Object.fromEntries(url.searchParams) : decodeForm(text);
      const key = req.headers["idempotency-key"] as string | undefined;
      calls.push({ method: req.method ?? "", path: url.pathname, params, ...(key ? { idempotencyKey: key } : {}) });
      let answer: { status: number; body: unknown };
      if (!/^Bearer sk_test_/.test(req.headers.authorization ?? "")) answer = error(401, "invalid_request_error", "Invalid API Key provided (the stand-in takes test keys only).");
      else if (req.method === "POST" && key && idempotent.has(key)) answer = idempotent.get(key)!;
      else {
        answer = route(req.method ?? "", url.pathname, params, url.searchParams);
        if (req.method === "POST" && key) idempotent.set(key, answer);
      }
      res.writeHead(answer.status, { "content-type": "application/json", "request-id": `req_${calls.length}` });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    host: "127.0.0.1",
    port,
    protocol: "http",
    calls,
    cards,
    cardholders,
    numbers,
    charge(cardId, cents) {
      const card = cards.get(cardId);
      if (!card) throw new Error(`no card ${cardId}`);
      const limit = Math.min(...(card.spending_controls.spending_limits ?? []).map((l) => l.amount));
      const spent = transactions.filter((t) => t.card === cardId).reduce((s, t) => s - t.amount, 0);
      const approved = card.status === "active" && cents <= limit && spent + cents <= limit;
      const auth: Authorization = { id: id("iauth"), object: "issuing.authorization", amount: approved ? cents : 0, approved, currency: card.currency, status: approved ? "closed" : "closed", created, livemode: false, metadata: {}, card: { id: cardId } };
      authorizations.push(auth);
      if (approved) transactions.push({ id: id("ipi"), object: "issuing.transaction", amount: -cents, currency: card.currency, type: "capture", created, livemode: false, metadata: {}, card: cardId });
      return { approved };
    },
    forceCapture(cardId, cents) {
      const card = cards.get(cardId);
      if (!card) throw new Error(`no card ${cardId}`);
      transactions.push({ id: id("ipi"), object: "issuing.transaction", amount: -cents, currency: card.currency, type: "capture", created, livemode: false, metadata: {}, card: cardId });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
