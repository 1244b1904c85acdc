/**
 * The usage record of one worker run, written by the metering proxy (the
 * Action's `proxy` mode) that stands between the agent and the model API,
 * and read by the worker's report. The agent never writes it: it is what
 * the model API answered, counted outside the agent's reach. One schema for
 * the proxy that writes it and the report that reads it. Pure.
 */
import { z } from "zod";
import { describeZodError } from "../model.js";

const Count = z.number().int().nonnegative();
const Amount = z.number().nonnegative();

export const ModelSpend = z.strictObject({
  requests: Count,
  tokens_in: Count,
  tokens_out: Count,
  cost_usd: Amount,
});
export type ModelSpend = z.infer<typeof ModelSpend>;

export const MeteredUsage = z.strictObject({
  version: z.literal(1),
  /** requests forwarded to the model API (errors included) */
  requests: Count,
  /** requests the proxy refused: no or a wrong run token, a path it does not forward, or the cost cap reached */
  refused: Count,
  /** forwarded requests the model API answered with an error, or could not be reached for */
  failed: Count,
  /** input tokens, cache reads and writes included (the budget counts them all) */
  tokens_in: Count,
  tokens_out: Count,
  cache_read_tokens: Count,
  cache_write_tokens: Count,
  /** what the answered requests cost at the configured prices, rounded up to the micro-dollar */
  cost_usd: Amount,
  /** answers whose usage could not be read, priced at their ceiling (request size as input, max_tokens as output) */
  estimated: Count,
  /** the run's cost cap; absent when the run had none */
  cap_usd: Amount.optional(),
  /** the cap was reached and later requests were refused */
  cap_reached: z.boolean(),
  /** spend per model the answers named */
  models: z.record(z.string().min(1).max(100), ModelSpend),
  /** models without a configured price, priced at the dearest configured price */
  unpriced_models: z.array(z.string().max(100)).max(20).default([]),
  /** hosts the agent tried to reach that the egress allow-list refused (at most 20) */
  egress_refused: z.array(z.string().max(255)).max(20).default([]),
});
export type MeteredUsage = z.infer<typeof MeteredUsage>;

export type ReadMeteredUsage = { ok: true; usage: MeteredUsage } | { ok: false; problem: string };

/** The record from its JSON text, validated. */
export function readMeteredUsage(text: string): ReadMeteredUsage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: "the usage record is not JSON" };
  }
  const parsed = MeteredUsage.safeParse(value);
  if (!parsed.success) return { ok: false, problem: `the usage record is invalid: ${describeZodError(parsed.error, 3).join("; ")}` };
  return { ok: true, usage: parsed.data };
}

/** The model that cost the most: the one that did the work. */
export function mainModel(usage: MeteredUsage): string | undefined {
  return Object.entries(usage.models).sort(([, a], [, b]) => b.cost_usd - a.cost_usd || b.tokens_out - a.tokens_out)[0]?.[0];
}
