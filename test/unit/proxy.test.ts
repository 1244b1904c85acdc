/**
 * The metering proxy between a worker's agent and the model API, against a
 * local stand-in for the Anthropic Messages API: what it forwards, what it
 * counts, what it refuses, and the usage record the report books.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MeteredUsage } from "../../src/mission/workers/metered-usage.js";
import { DEFAULT_PRICES } from "../../src/mission/model.js";
import { Meter } from "../../src/proxy/meter.js";
import { createModelProxy } from "../../src/proxy/model-proxy.js";

const TOKEN = "run-token-0123456789abcdefghijklmnopqrstuv";
const KEY = "sk-ant-real-key-never-seen-by-the-agent";

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Reply = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise((r) => s.close(r));
    }),
  );
});

async function listen(server: http.Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The stand-in model API answers each request with the next reply. */
async function modelApi(...replies: Reply[]): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const url = await listen(
    http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        const reply = replies[Math.min(seen.length - 1, replies.length - 1)];
        if (!reply) throw new Error("no reply");
        reply(req, res, body);
      });
    }),
  );
  return { url, seen };
}

function json(status: number, value: unknown): Reply {
  return (_req, res) => {
    const text = JSON.stringify(value);
    res.writeHead(status, { "content-type": "application/json", "request-id": "req_1" });
    res.end(text);
  };
}

function message(model: string, usage: Record<string, unknown>) {
  return { id: "msg_1", type: "message", role: "assistant", model, content: [{ type: "text", text: "Done." }], stop_reason: "end_turn", usage };
}

/** A streamed answer: each event as the API sends it. */
function sse(events: Array<Record<string, unknown>>, options: { cut?: boolean } = {}): Reply {
  return (_req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const text = events.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`).join("");
    // cut: the connection breaks once the events are on their way
    if (options.cut) res.write(text, () => res.destroy());
    else res.end(text);
  };
}

function streamEvents(model: string, start: Record<string, unknown>, delta: Record<string, unknown>) {
  return [
    { type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", model, content: [], usage: start } },
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    { type: "ping" },
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hello" } },
    { type: "content_block_stop", index: 0 },
    { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: delta },
    { type: "message_stop" },
  ];
}

async function proxy(upstream: string, capUsd?: number) {
  const meter = new Meter({ prices: DEFAULT_PRICES, ...(capUsd !== undefined ? { capUsd } : {}) });
  let writes = 0;
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  const onChange = () => {
    writes += 1;
    for (const w of waiting.filter((w) => writes >= w.n)) w.resolve();
  };
  const server = createModelProxy({ token: TOKEN, apiKey: KEY, upstream, meter, onChange });
  let received = 0;
  server.on("request", () => (received += 1));
  const url = await listen(server);
  /** resolves once the meter has counted n requests */
  const counted = (n: number) => new Promise<void>((resolve) => (writes >= n ? resolve() : waiting.push({ n, resolve })));
  /** the record once every request the proxy received is counted (the meter counts an answer after passing it on) */
  const record = async () => {
    await counted(received);
    return MeteredUsage.parse(meter.record());
  };
  return { url, meter, writes: () => writes, record };
}

/** What the agent sends: Claude Code's headers, the run token as its key. */
async function ask(url: string, body: Record<string, unknown>, headers: Record<string, string> = { "x-api-key": TOKEN }, path = "/v1/messages?beta=true") {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", "anthropic-beta": "interleaved-thinking-2025-05-14", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

const REQUEST = { model: "claude-sonnet-5-5", max_tokens: 4000, messages: [{ role: "user", content: "Add a contacts list" }] };

describe("the metering proxy forwards the agent's model requests", () => {
  it("passes a plain answer through, with the real key upstream, and counts its usage at the configured price", async () => {
    const api = await modelApi(json(200, message("claude-sonnet-5-5", { input_tokens: 1000, output_tokens: 200, cache_read_input_tokens: 10_000, cache_creation_input_tokens: 2000, cache_creation: { ephemeral_5m_input_tokens: 2000, ephemeral_1h_input_tokens: 0 } })));
    const p = await proxy(api.url);

    const answer = await ask(p.url, REQUEST);

    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ type: "message", content: [{ text: "Done." }] });
    expect(api.seen).toHaveLength(1);
    expect(api.seen[0]).toMatchObject({ method: "POST", url: "/v1/messages?beta=true", body: JSON.stringify(REQUEST) });
    expect(api.seen[0]!.headers["x-api-key"]).toBe(KEY);
    expect(JSON.stringify(api.seen[0]!.headers)).not.toContain(TOKEN);
    expect(api.seen[0]!.headers).toMatchObject({ "anthropic-version": "2023-06-01", "anthropic-beta": "interleaved-thinking-2025-05-14" });
    // sonnet-5-5 is $2 in / $10 out per million: 1000×2 + 10000×0.2 + 2000×2.5 + 200×10 = 11,000 micro-dollars
    expect(await p.record()).toMatchObject({
      requests: 1,
      refused: 0,
      failed: 0,
      tokens_in: 13_000,
      tokens_out: 200,
      cache_read_tokens: 10_000,
      cache_write_tokens: 2000,
      cost_usd: 0.011,
      estimated: 0,
      cap_reached: false,
      models: { "claude-sonnet-5-5": { requests: 1, tokens_in: 13_000, tokens_out: 200, cost_usd: 0.011 } },
    });
    expect(p.writes()).toBe(1);
  });

  it("passes a streamed answer through unchanged and counts message_start and message_delta", async () => {
    const events = streamEvents("claude-haiku-4-5-20251001", { input_tokens: 500, output_tokens: 1, cache_read_input_tokens: 0 }, { output_tokens: 300 });
    const api = await modelApi(sse(events));
    const p = await proxy(api.url);

    const answer = await ask(p.url, { ...REQUEST, stream: true }, { authorization: `Bearer ${TOKEN}` });

    expect(answer.status).toBe(200);
    expect(answer.type).toBe("text/event-stream");
    expect(answer.text).toBe(events.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`).join(""));
    // a dated model name is priced as its family: haiku-4-5 is $1 / $5
    expect(await p.record()).toMatchObject({ tokens_in: 500, tokens_out: 300, cost_usd: 0.002, estimated: 0, models: { "claude-haiku-4-5-20251001": { tokens_out: 300 } }, unpriced_models: [] });
  });

  it.each([
    [429, "rate_limit_error"],
    [500, "api_error"],
    [529, "overloaded_error"],
  ])("passes a %i answer through and books nothing for it", async (status, type) => {
    const api = await modelApi(json(status, { type: "error", error: { type, message: "try later" } }));
    const p = await proxy(api.url);

    const answer = await ask(p.url, REQUEST);

    expect(answer.status).toBe(status);
    expect(JSON.parse(answer.text)).toEqual({ type: "error", error: { type, message: "try later" } });
    expect(await p.record()).toMatchObject({ requests: 1, failed: 1, cost_usd: 0, tokens_in: 0 });
  });

  it("answers 502 in the API's shape when the model API cannot be reached", async () => {
    const p = await proxy("http://127.0.0.1:1");
    const answer = await ask(p.url, REQUEST);
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.text)).toMatchObject({ type: "error", error: { type: "api_error" } });
    expect(await p.record()).toMatchObject({ requests: 1, failed: 1, cost_usd: 0 });
  });
});

describe("the metering proxy never books less than was spent", () => {
  it("refuses the next request once the cap is reached, and the record says so", async () => {
    // 100k output tokens of sonnet-5-5 cost $1: over a $0.50 cap in one answer
    const api = await modelApi(json(200, message("claude-sonnet-5-5", { input_tokens: 1000, output_tokens: 100_000 })));
    const p = await proxy(api.url, 0.5);

    expect((await ask(p.url, REQUEST)).status).toBe(200);
    const refused = await ask(p.url, REQUEST);

    expect(refused.status).toBe(402);
    expect(JSON.parse(refused.text)).toMatchObject({ type: "error", error: { type: "billing_error" } });
    expect(JSON.parse(refused.text).error.message).toContain("cost cap of $0.50 is reached ($1.00 spent)");
    expect(api.seen).toHaveLength(1);
    expect(await p.record()).toMatchObject({ requests: 1, refused: 1, cost_usd: 1.002, cap_usd: 0.5, cap_reached: true });
  });

  it("still forwards token counting at the cap: it costs nothing", async () => {
    const api = await modelApi(json(200, message("claude-sonnet-5-5", { input_tokens: 0, output_tokens: 100_000 })), json(200, { input_tokens: 42 }));
    const p = await proxy(api.url, 0.5);
    await ask(p.url, REQUEST);
    const counted = await ask(p.url, REQUEST, undefined, "/v1/messages/count_tokens");
    expect(counted.status).toBe(200);
    expect(JSON.parse(counted.text)).toEqual({ input_tokens: 42 });
    expect(await p.record()).toMatchObject({ requests: 2, cost_usd: 1 });
  });

  it("prices an answer whose usage is garbled at its ceiling: request bytes in, max_tokens out", async () => {
    const api = await modelApi(json(200, message("claude-sonnet-5-5", { input_tokens: "lots", output_tokens: -3 })));
    const p = await proxy(api.url);

    expect((await ask(p.url, REQUEST)).status).toBe(200);

    const bytes = Buffer.byteLength(JSON.stringify(REQUEST));
    expect(await p.record()).toMatchObject({ estimated: 1, tokens_in: bytes, tokens_out: 4000, cost_usd: (bytes * 2 + 4000 * 10) / 1e6 });
  });

  it("prices a stream cut before its message_delta at its ceiling", async () => {
    const events = streamEvents("claude-sonnet-5-5", { input_tokens: 500, output_tokens: 1 }, { output_tokens: 300 }).slice(0, 4);
    const api = await modelApi(sse(events, { cut: true }));
    const p = await proxy(api.url);

    await ask(p.url, { ...REQUEST, stream: true }).catch(() => undefined);

    expect(await p.record()).toMatchObject({ estimated: 1, tokens_out: 4000 });
  });

  it("prices a model without a configured price at the dearest configured price, and names it", async () => {
    const api = await modelApi(json(200, message("claude-mystery-9", { input_tokens: 1_000_000, output_tokens: 0 })));
    const p = await proxy(api.url);
    await ask(p.url, REQUEST);
    // the dearest output price in DEFAULT_PRICES is opus-4-6/4-5 at $5 / $25
    expect(await p.record()).toMatchObject({ cost_usd: 5, unpriced_models: ["claude-mystery-9"] });
  });
});

describe("the metering proxy refuses what is not the run's", () => {
  it.each([
    ["no key", {}],
    ["the real key", { "x-api-key": KEY }],
    ["another token", { authorization: "Bearer run-token-0123456789abcdefghijklmnopqrstuw" }],
  ])("refuses a request with %s, without asking the model API", async (_, headers) => {
    const api = await modelApi(json(200, message("claude-sonnet-5-5", { input_tokens: 1, output_tokens: 1 })));
    const p = await proxy(api.url);

    const answer = await ask(p.url, REQUEST, headers);

    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text)).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    expect(api.seen).toEqual([]);
    expect(await p.record()).toMatchObject({ requests: 0, refused: 1 });
  });

  it.each(["/v1/messages/batches", "/v1/files", "/v1/complete"])("does not forward %s, which the meter could not count", async (path) => {
    const api = await modelApi(json(200, {}));
    const p = await proxy(api.url);
    const answer = await ask(p.url, REQUEST, undefined, path);
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.text)).toMatchObject({ error: { type: "not_found_error" } });
    expect(api.seen).toEqual([]);
  });
});
