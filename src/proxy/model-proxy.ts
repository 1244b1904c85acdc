/**
 * The model side of the metering proxy: an HTTP server the agent reaches
 * at ANTHROPIC_BASE_URL. It accepts only the run's token, forwards the
 * Messages API (plain and streamed answers) to the model API with the real
 * key, counts every answer's usage on the Meter, and refuses further
 * messages once the run's cost cap is reached. Errors it answers itself
 * have the Anthropic shape (`{"type":"error","error":{type,message}}`), so
 * the agent reports them like any API error.
 *
 * What it forwards: `POST /v1/messages` (metered), `POST
 * /v1/messages/count_tokens` and `GET /v1/models[/<id>]` (free). Anything
 * else (batches, files, …) is refused: it would spend money the meter
 * cannot see, or is not needed. An answer whose usage cannot be read is
 * priced at its ceiling: the request's size in bytes as input tokens (a
 * token is at least a byte of JSON) and its `max_tokens` as output.
 * Errors the model API answers (429, 5xx, …) are passed through unchanged
 * and cost nothing.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import { StringDecoder } from "node:string_decoder";
import type { Meter } from "./meter.js";
import { NO_USAGE, type TokenUsage } from "./pricing.js";
import { StreamUsage, usageOfMessage } from "./usage.js";

export interface ModelProxyOptions {
  /** the per-run token the agent was given */
  token: string;
  /** the real key, sent to the model API only */
  apiKey: string;
  /** the model API, e.g. https://api.anthropic.com */
  upstream: string;
  meter: Meter;
  /** called after every request the meter counted (to write the usage record) */
  onChange?: () => void;
  /** largest request body forwarded; default 32 MB */
  maxBodyBytes?: number;
}

/** Output tokens a request without a readable max_tokens may cost. */
const DEFAULT_OUTPUT_CEILING = 64_000;
/** A plain answer kept to read its usage; a longer one is priced at its ceiling. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

type Route = "messages" | "free";

function routeOf(method: string | undefined, path: string): Route | undefined {
  if (method === "POST" && path === "/v1/messages") return "messages";
  if (method === "POST" && path === "/v1/messages/count_tokens") return "free";
  if (method === "GET" && /^\/v1\/models(?:\/[A-Za-z0-9._:@-]{1,100})?$/.test(path)) return "free";
  return undefined;
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** The run's token in `x-api-key` or `Authorization: Bearer`, compared in constant time. */
function authorized(headers: IncomingHttpHeaders, token: string): boolean {
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? "")?.[1];
  const given = (typeof headers["x-api-key"] === "string" ? headers["x-api-key"] : undefined) ?? bearer;
  return given !== undefined && timingSafeEqual(digest(given.trim()), digest(token));
}

/** An error in the shape the Anthropic API answers with. */
export function apiError(res: ServerResponse, status: number, type: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ type: "error", error: { type, message }, request_id: null });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(over ? "too large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** What a request can cost at most: its bytes as input tokens, its max_tokens as output. */
function ceilingOf(body: Buffer): { model?: string; usage: TokenUsage } {
  let request: { model?: unknown; max_tokens?: unknown } = {};
  try {
    request = JSON.parse(body.toString("utf8")) as typeof request;
  } catch {
    // priced with the default output ceiling
  }
  const maxTokens = typeof request.max_tokens === "number" && Number.isInteger(request.max_tokens) && request.max_tokens > 0 ? request.max_tokens : DEFAULT_OUTPUT_CEILING;
  return {
    ...(typeof request.model === "string" ? { model: request.model.slice(0, 100) } : {}),
    usage: { ...NO_USAGE, input: body.length, output: maxTokens },
  };
}

function forwardedHeaders(headers: IncomingHttpHeaders, apiKey: string, length: number): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || ["host", "content-length", "x-api-key", "authorization", "accept-encoding"].includes(lower)) continue;
    if (value !== undefined) out[lower] = value;
  }
  out["x-api-key"] = apiKey;
  out["content-length"] = length;
  // plain bytes, so the usage can be read as the answer passes
  out["accept-encoding"] = "identity";
  return out;
}

function answerHeaders(headers: IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(name.toLowerCase()) && value !== undefined) out[name] = value;
  }
  return out;
}

function dollars(usd: number | undefined): string {
  return usd === undefined ? "" : `$${usd.toFixed(2)}`;
}

async function handle(o: ModelProxyOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://proxy.invalid");
  if (!authorized(req.headers, o.token)) {
    req.resume();
    o.meter.refuse("token");
    o.onChange?.();
    apiError(res, 401, "authentication_error", "mission-bot's metering proxy accepts only this worker run's token");
    return;
  }
  const route = routeOf(req.method, url.pathname);
  if (!route) {
    req.resume();
    o.meter.refuse("path");
    o.onChange?.();
    apiError(res, 404, "not_found_error", `mission-bot's metering proxy does not forward ${req.method ?? "?"} ${url.pathname.slice(0, 100)}`);
    return;
  }
  if (route === "messages" && o.meter.atCap) {
    req.resume();
    o.meter.refuse("cap");
    o.onChange?.();
    const spent = o.meter.record();
    apiError(
      res,
      402,
      "billing_error",
      `mission-bot: this worker run's cost cap of ${dollars(spent.cap_usd)} is reached (${dollars(spent.cost_usd)} spent); ` +
        "the metering proxy refuses further model requests. Stop here and summarise what you did.",
    );
    return;
  }
  const body = await readBody(req, o.maxBodyBytes ?? 32 * 1024 * 1024);
  if (body === "too large") {
    o.meter.refuse("size");
    o.onChange?.();
    apiError(res, 413, "request_too_large", "mission-bot's metering proxy refuses a request this large");
    return;
  }

  const ceiling = route === "messages" ? ceilingOf(body) : undefined;
  const target = new URL(url.pathname + url.search, o.upstream);
  const client = target.protocol === "https:" ? https : http;
  o.meter.forwarded();

  await new Promise<void>((resolve) => {
    let settled = false;
    const settle = (answer: { ok: boolean; model?: string; usage?: TokenUsage } | "failed") => {
      if (settled) return;
      settled = true;
      if (answer === "failed" || !answer.ok) o.meter.fail();
      else if (ceiling) {
        const model = answer.model ?? ceiling.model;
        if (answer.usage) o.meter.answered(model, answer.usage, false);
        else o.meter.answered(model, ceiling.usage, true);
      }
      o.onChange?.();
      resolve();
    };

    const upstream = client.request(target, { method: req.method, headers: forwardedHeaders(req.headers, o.apiKey, body.length) });
    // once the answer has begun, a broken connection cuts the answer; before, nothing was answered
    let cut: (() => void) | undefined;
    upstream.on("error", () => {
      if (cut) {
        res.destroy();
        cut();
        return;
      }
      apiError(res, 502, "api_error", "mission-bot's metering proxy could not reach the model API");
      settle("failed");
    });
    upstream.on("response", (answer) => {
      const status = answer.statusCode ?? 502;
      const ok = status >= 200 && status < 300;
      const streamed = /text\/event-stream/i.test(String(answer.headers["content-type"] ?? ""));
      const stream = new StreamUsage();
      const decoder = new StringDecoder("utf8");
      const kept: Buffer[] = [];
      let keptBytes = 0;
      let complete = false;

      res.writeHead(status, answerHeaders(answer.headers));
      if (ceiling && ok) {
        answer.on("data", (chunk: Buffer) => {
          if (streamed) stream.push(decoder.write(chunk));
          else if (keptBytes + chunk.length <= MAX_ANSWER_BYTES) {
            kept.push(chunk);
            keptBytes += chunk.length;
          }
        });
      }
      answer.pipe(res);
      const done = () => {
        if (!ceiling || !ok) return settle({ ok });
        if (streamed) {
          stream.push(decoder.end());
          // a stream cut before its message_delta reports no usage, and is priced at its ceiling
          return settle({ ok, ...stream.result() });
        }
        return settle({ ok, ...usageOfMessage(Buffer.concat(kept).toString("utf8")) });
      };
      cut = done;
      answer.on("end", () => {
        complete = true;
        done();
      });
      // the model API's connection broke mid-answer: the agent sees it cut too
      answer.on("close", () => {
        if (complete) return;
        res.destroy();
        done();
      });
      answer.on("error", () => undefined);
      // the agent hung up: stop the answer, and count what it could have cost
      res.on("close", () => {
        if (!complete) {
          answer.destroy();
          done();
        }
      });
    });
    upstream.end(body);
  });
}

/** The proxy's HTTP server (not yet listening). */
export function createModelProxy(o: ModelProxyOptions): http.Server {
  return http.createServer((req, res) => {
    handle(o, req, res).catch(() => apiError(res, 500, "api_error", "mission-bot's metering proxy failed on this request"));
  });
}
