/**
 * What a worker's agent says it spent, read from the agent's own output
 * (stdout, captured by the worker workflow). Pure. The agent's word is not
 * what is booked: the metering proxy's usage record is
 * (metered-usage.ts); this gives the report the agent's summary, turns and
 * time, and its claimed figures when a run was not metered.
 *
 * - Claude Code, `-p --output-format json`: one result object
 *   `{"type":"result","subtype","is_error","duration_ms","num_turns","result",
 *   "total_cost_usd","usage":{input_tokens,output_tokens,cache_creation_input_tokens,
 *   cache_read_input_tokens},"modelUsage":{"<model>":{inputTokens,outputTokens,
 *   cacheReadInputTokens,cacheCreationInputTokens,costUSD}}}`; with `--verbose`
 *   older versions print an array of messages ending with it.
 *   `--output-format stream-json`: one JSON object a line; the last `result`
 *   line is the same object, and the `system`/`init` line names the model.
 *   Tokens are summed over `modelUsage` (every model the run used, sub-agents
 *   included) when it has any, else taken from `usage`.
 * - Codex, `codex exec --json`: one event a line; every `turn.completed`
 *   carries `usage {input_tokens, cached_input_tokens, output_tokens}`, summed.
 *   `input_tokens` already includes the cached ones, so those are not added
 *   again; no cost and no model are printed. Best effort.
 * - aider: `Tokens: 2.3k sent, 450 received. Cost: $0.02 message, $0.10 session.`
 *   after each message: tokens summed, cost taken from the last session
 *   figure, model from the `Model:` / `Main model:` banner. "sent" already
 *   counts cached prompt tokens. Best effort.
 *
 * Cache tokens (written or read) are counted as input tokens: they are input
 * the model processed, and the budget counts them. The exact price of cached
 * tokens is in `cost_usd` when the agent reports one.
 */
import { z } from "zod";

export const AgentUsage = z.strictObject({
  model: z.string().min(1).max(100).optional(),
  tokens_in: z.number().int().nonnegative(),
  tokens_out: z.number().int().nonnegative(),
  cost_usd: z.number().nonnegative().optional(),
  turns: z.number().int().nonnegative().optional(),
  duration_seconds: z.number().nonnegative().optional(),
  /** the agent's final message */
  summary: z.string().optional(),
  /** the agent said it stopped on an error (e.g. Claude Code's `error_max_turns`) */
  is_error: z.boolean().optional(),
});
export type AgentUsage = z.infer<typeof AgentUsage>;

const Count = z.number().int().nonnegative();
const Amount = z.number().nonnegative();

const ClaudeModelUsage = z.looseObject({
  inputTokens: Count.default(0),
  outputTokens: Count.default(0),
  cacheReadInputTokens: Count.default(0),
  cacheCreationInputTokens: Count.default(0),
  costUSD: Amount.optional(),
});

const ClaudeResult = z.looseObject({
  type: z.literal("result"),
  subtype: z.string().optional(),
  is_error: z.boolean().optional(),
  duration_ms: Amount.optional(),
  num_turns: Count.optional(),
  result: z.string().optional(),
  total_cost_usd: Amount.optional(),
  usage: z
    .looseObject({
      input_tokens: Count.default(0),
      output_tokens: Count.default(0),
      cache_creation_input_tokens: Count.default(0),
      cache_read_input_tokens: Count.default(0),
    })
    .optional(),
  modelUsage: z.record(z.string(), ClaudeModelUsage).optional(),
});
type ClaudeResult = z.infer<typeof ClaudeResult>;

const ClaudeInit = z.looseObject({ type: z.literal("system"), subtype: z.literal("init"), model: z.string().min(1) });

const CodexEvent = z.discriminatedUnion("type", [
  z.looseObject({
    type: z.literal("turn.completed"),
    usage: z.looseObject({ input_tokens: Count.default(0), output_tokens: Count.default(0) }),
  }),
  z.looseObject({ type: z.literal("item.completed"), item: z.looseObject({ type: z.string(), text: z.string().optional() }) }),
  z.looseObject({ type: z.literal("turn.failed") }),
  z.looseObject({ type: z.literal("error") }),
]);

/** `claude-opus-5[1m]` → `claude-opus-5`: the context-window tag is not part of the model's name. */
function modelName(key: string): string {
  return key.replace(/\[[^\]]*\]$/, "").trim();
}

/** Every JSON value in the text: the whole text if it is JSON, else each line that is. */
function jsonValues(text: string): unknown[] {
  const whole = text.trim();
  try {
    const value: unknown = JSON.parse(whole);
    return Array.isArray(value) ? value : [value];
  } catch {
    // one value a line
  }
  const values: unknown[] = [];
  for (const line of whole.split("\n")) {
    const t = line.trim();
    if (!t.startsWith("{")) continue;
    try {
      values.push(JSON.parse(t));
    } catch {
      // a line of log text
    }
  }
  return values;
}

function fromClaude(values: unknown[]): AgentUsage | undefined {
  let result: ClaudeResult | undefined;
  let initModel: string | undefined;
  for (const v of values) {
    const r = ClaudeResult.safeParse(v);
    if (r.success) result = r.data;
    const init = ClaudeInit.safeParse(v);
    if (init.success) initModel = init.data.model;
  }
  if (!result) return undefined;
  if (!result.usage && !result.modelUsage && result.total_cost_usd === undefined) return undefined;

  const models = Object.entries(result.modelUsage ?? {});
  let tokensIn = 0;
  let tokensOut = 0;
  for (const [, m] of models) {
    tokensIn += m.inputTokens + m.cacheReadInputTokens + m.cacheCreationInputTokens;
    tokensOut += m.outputTokens;
  }
  if (tokensIn + tokensOut === 0 && result.usage) {
    const u = result.usage;
    tokensIn = u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens;
    tokensOut = u.output_tokens;
  }
  // the model that cost the most (or wrote the most) is the one that did the work
  const main = [...models].sort(
    ([, a], [, b]) => (b.costUSD ?? 0) - (a.costUSD ?? 0) || b.outputTokens - a.outputTokens,
  )[0];
  const model = main ? modelName(main[0]) : initModel;
  const stopped = result.is_error && result.subtype && result.subtype !== "success" ? `Claude Code stopped: ${result.subtype}` : undefined;
  return {
    ...(model ? { model } : {}),
    tokens_in: tokensIn,
    tokens_out: tokensOut,
    ...(result.total_cost_usd !== undefined ? { cost_usd: result.total_cost_usd } : {}),
    ...(result.num_turns !== undefined ? { turns: result.num_turns } : {}),
    ...(result.duration_ms !== undefined ? { duration_seconds: Math.round(result.duration_ms / 100) / 10 } : {}),
    ...(result.result?.trim() ? { summary: result.result.trim() } : stopped ? { summary: stopped } : {}),
    ...(result.is_error !== undefined ? { is_error: result.is_error } : {}),
  };
}

function fromCodex(values: unknown[]): AgentUsage | undefined {
  let turns = 0;
  let tokensIn = 0;
  let tokensOut = 0;
  let summary: string | undefined;
  let failed = false;
  for (const v of values) {
    const e = CodexEvent.safeParse(v);
    if (!e.success) continue;
    const event = e.data;
    if (event.type === "turn.completed") {
      turns += 1;
      tokensIn += event.usage.input_tokens;
      tokensOut += event.usage.output_tokens;
    } else if (event.type === "item.completed") {
      if (event.item.type === "agent_message" && event.item.text?.trim()) summary = event.item.text.trim();
    } else {
      failed = true;
    }
  }
  if (turns === 0) return undefined;
  return { tokens_in: tokensIn, tokens_out: tokensOut, turns, ...(summary ? { summary } : {}), is_error: failed };
}

/** `2.3k` → 2300, `1.2M` → 1200000, `12,450` → 12450. */
function tokenCount(figure: string, unit: string | undefined): number {
  const n = Number(figure.replace(/,/g, ""));
  const scale = unit === "k" ? 1_000 : unit === "M" ? 1_000_000 : 1;
  return Math.round(n * scale);
}

const AIDER_TOKENS = /^[>\s]*Tokens: ([\d.,]+)(k|M)? sent,(?: [^,]*,)*? ([\d.,]+)(k|M)? received\.(?: Cost: \$([\d.]+) message, \$([\d.]+) session\.)?/;
const AIDER_MODEL = /^[>\s]*(?:Main model|Model): (\S+)/;

function fromAider(text: string): AgentUsage | undefined {
  let found = false;
  let tokensIn = 0;
  let tokensOut = 0;
  let cost: number | undefined;
  let model: string | undefined;
  for (const line of text.split("\n")) {
    const m = AIDER_MODEL.exec(line);
    if (m && !model) model = m[1];
    const t = AIDER_TOKENS.exec(line);
    if (!t) continue;
    found = true;
    tokensIn += tokenCount(t[1]!, t[2]);
    tokensOut += tokenCount(t[3]!, t[4]);
    if (t[6] !== undefined) cost = Number(t[6]);
  }
  if (!found) return undefined;
  return { ...(model ? { model } : {}), tokens_in: tokensIn, tokens_out: tokensOut, ...(cost !== undefined ? { cost_usd: cost } : {}) };
}

/** The agent's usage, or undefined when the text holds none (or only figures that make no sense). */
export function parseAgentUsage(text: string): AgentUsage | undefined {
  if (!text.trim()) return undefined;
  const values = jsonValues(text.replace(/\r\n?/g, "\n"));
  const found = fromClaude(values) ?? fromCodex(values) ?? fromAider(text.replace(/\r\n?/g, "\n"));
  if (!found) return undefined;
  const checked = AgentUsage.safeParse(found);
  return checked.success ? checked.data : undefined;
}
