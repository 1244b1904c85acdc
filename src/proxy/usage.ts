/**
 * The `usage` the Anthropic Messages API reports, read from an answer as it
 * passes through the metering proxy. Pure.
 *
 * - A plain answer is one JSON message: `{"type":"message","model",…,"usage":{…}}`.
 * - A streamed answer (server-sent events) reports usage twice:
 *   `message_start` carries the message with its input usage, and
 *   `message_delta` the cumulative usage at the end (output tokens, and in
 *   newer API versions the input figures again). A stream without its
 *   `message_delta` did not finish, and its output is not known.
 *
 * The usage block: `input_tokens`, `output_tokens`,
 * `cache_creation_input_tokens` (split by lifetime in `cache_creation`:
 * `ephemeral_5m_input_tokens`, `ephemeral_1h_input_tokens`),
 * `cache_read_input_tokens`, `server_tool_use.web_search_requests`.
 * Cache writes that are not split are taken as 1-hour writes, the dearer
 * kind. Anything that is not a whole, non-negative number makes the usage
 * unreadable, and the proxy then prices the answer at its ceiling.
 */
import { z } from "zod";
import type { TokenUsage } from "./pricing.js";

const Count = z.number().int().nonnegative().max(1e12);

const UsageBlock = z.looseObject({
  input_tokens: Count.nullish(),
  output_tokens: Count.nullish(),
  cache_creation_input_tokens: Count.nullish(),
  cache_read_input_tokens: Count.nullish(),
  cache_creation: z
    .looseObject({ ephemeral_5m_input_tokens: Count.nullish(), ephemeral_1h_input_tokens: Count.nullish() })
    .nullish(),
  server_tool_use: z.looseObject({ web_search_requests: Count.nullish() }).nullish(),
});
type UsageBlock = z.infer<typeof UsageBlock>;

/** The figures seen so far; a later (cumulative) report replaces the fields it carries. */
interface Figures {
  input?: number;
  output?: number;
  cacheWrite?: number;
  write5m?: number;
  write1h?: number;
  cacheRead?: number;
  webSearches?: number;
}

function merge(into: Figures, u: UsageBlock): Figures {
  const next = { ...into };
  if (u.input_tokens != null) next.input = u.input_tokens;
  if (u.output_tokens != null) next.output = u.output_tokens;
  if (u.cache_creation_input_tokens != null) next.cacheWrite = u.cache_creation_input_tokens;
  if (u.cache_read_input_tokens != null) next.cacheRead = u.cache_read_input_tokens;
  if (u.cache_creation?.ephemeral_5m_input_tokens != null) next.write5m = u.cache_creation.ephemeral_5m_input_tokens;
  if (u.cache_creation?.ephemeral_1h_input_tokens != null) next.write1h = u.cache_creation.ephemeral_1h_input_tokens;
  if (u.server_tool_use?.web_search_requests != null) next.webSearches = u.server_tool_use.web_search_requests;
  return next;
}

/** Figures as billed; undefined without input and output tokens. */
function billed(f: Figures): TokenUsage | undefined {
  if (f.input === undefined || f.output === undefined) return undefined;
  const write5m = f.write5m ?? 0;
  const write1h = f.write1h ?? 0;
  // writes the split does not account for are priced as the dearer, 1-hour kind
  const unsplit = Math.max(0, (f.cacheWrite ?? 0) - write5m - write1h);
  return {
    input: f.input,
    output: f.output,
    cacheRead: f.cacheRead ?? 0,
    cacheWrite5m: write5m,
    cacheWrite1h: write1h + unsplit,
    webSearches: f.webSearches ?? 0,
  };
}

export interface AnswerUsage {
  model?: string;
  /** undefined: the answer's usage could not be read */
  usage?: TokenUsage;
}

const Message = z.looseObject({ type: z.literal("message"), model: z.string().max(100).optional(), usage: UsageBlock });

/** Usage of a plain (not streamed) answer. */
export function usageOfMessage(body: string): AnswerUsage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return {};
  }
  const model = typeof (value as { model?: unknown } | null)?.model === "string" ? ((value as { model: string }).model.slice(0, 100)) : undefined;
  const parsed = Message.safeParse(value);
  if (!parsed.success) return model ? { model } : {};
  const usage = billed(merge({}, parsed.data.usage));
  return { ...(model ? { model } : {}), ...(usage ? { usage } : {}) };
}

const MessageStart = z.looseObject({
  type: z.literal("message_start"),
  message: z.looseObject({ model: z.string().max(100).optional(), usage: UsageBlock }),
});
const MessageDelta = z.looseObject({ type: z.literal("message_delta"), usage: UsageBlock });

/**
 * Reads a server-sent event stream chunk by chunk (as it is passed on) and
 * keeps the usage it reports. `result()` says what the stream cost, or no
 * usage when it did not report a readable one (garbled, or cut before its
 * `message_delta`).
 */
export class StreamUsage {
  private pending = "";
  private data: string[] = [];
  private model: string | undefined;
  private figures: Figures = {};
  private started = false;
  private ended = false;
  private garbled = false;

  push(chunk: string): void {
    this.pending += chunk;
    let newline = this.pending.indexOf("\n");
    while (newline >= 0) {
      const line = this.pending.slice(0, newline).replace(/\r$/, "");
      this.pending = this.pending.slice(newline + 1);
      this.line(line);
      newline = this.pending.indexOf("\n");
    }
    // a line longer than any event the API sends is not an event: drop it
    if (this.pending.length > 4_000_000) {
      this.pending = "";
      this.garbled = true;
    }
  }

  /** The usage once the stream has ended. */
  result(): AnswerUsage {
    if (this.pending) this.line(this.pending.replace(/\r$/, ""));
    this.pending = "";
    this.line("");
    const usage = this.started && this.ended && !this.garbled ? billed(this.figures) : undefined;
    return { ...(this.model ? { model: this.model } : {}), ...(usage ? { usage } : {}) };
  }

  private line(line: string): void {
    if (line === "") {
      if (this.data.length) this.event(this.data.join("\n"));
      this.data = [];
      return;
    }
    if (line.startsWith("data:")) this.data.push(line.slice(5).replace(/^ /, ""));
  }

  private event(data: string): void {
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      return; // not JSON: not an event this reader counts (a `ping` has JSON too)
    }
    const type = (value as { type?: unknown } | null)?.type;
    if (type === "message_start") {
      const start = MessageStart.safeParse(value);
      if (!start.success) {
        this.garbled = true;
        return;
      }
      this.started = true;
      if (start.data.message.model) this.model = start.data.message.model;
      this.figures = merge(this.figures, start.data.message.usage);
    } else if (type === "message_delta") {
      const delta = MessageDelta.safeParse(value);
      if (!delta.success || delta.data.usage.output_tokens == null) {
        this.garbled = true;
        return;
      }
      this.ended = true;
      this.figures = merge(this.figures, delta.data.usage);
    }
  }
}
