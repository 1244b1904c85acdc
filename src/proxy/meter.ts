/**
 * The running account of one worker run's model spending, kept by the
 * metering proxy: what each answer cost, whether the run's cap is reached,
 * and the usage record the worker's report books. Pure (no I/O).
 */
import type { Price } from "../mission/model.js";
import { MeteredUsage, type ModelSpend } from "../mission/workers/metered-usage.js";
import { costMicros, priceFor, type TokenUsage } from "./pricing.js";

export interface MeterOptions {
  prices: Readonly<Record<string, Price>>;
  /** the run's cost cap in US dollars; undefined: no cap */
  capUsd?: number;
}

const MAX_LISTED = 20;

export class Meter {
  private micros = 0;
  private requests = 0;
  private refused = 0;
  private failed = 0;
  private estimated = 0;
  private tokensIn = 0;
  private tokensOut = 0;
  private cacheRead = 0;
  private cacheWrite = 0;
  private capReached = false;
  private readonly models = new Map<string, ModelSpend & { micros: number }>();
  private readonly unpriced = new Set<string>();
  private readonly egressRefused = new Set<string>();

  constructor(private readonly options: MeterOptions) {}

  /** True once the answered requests cost as much as the cap (or more): later requests are refused. */
  get atCap(): boolean {
    const cap = this.options.capUsd;
    return cap !== undefined && this.micros >= cap * 1_000_000;
  }

  /** A request is on its way to the model API. */
  forwarded(): void {
    this.requests += 1;
  }

  /** A request refused by the proxy; `cap` when the cost cap was the reason. */
  refuse(reason: "token" | "path" | "cap" | "size"): void {
    this.refused += 1;
    if (reason === "cap") this.capReached = true;
  }

  /** The model API answered an error or could not be reached (nothing billed). */
  fail(): void {
    this.failed += 1;
  }

  /** An answered request: `estimated` when its usage was unreadable and `usage` is its ceiling. */
  answered(model: string | undefined, usage: TokenUsage, estimated: boolean): void {
    const name = model?.trim().slice(0, 100) || "unknown";
    const { price, known } = priceFor(model, this.options.prices);
    if (!known && this.unpriced.size < MAX_LISTED) this.unpriced.add(name);
    const micros = costMicros(usage, price);
    const tokensIn = usage.input + usage.cacheRead + usage.cacheWrite5m + usage.cacheWrite1h;
    this.micros += micros;
    this.tokensIn += tokensIn;
    this.tokensOut += usage.output;
    this.cacheRead += usage.cacheRead;
    this.cacheWrite += usage.cacheWrite5m + usage.cacheWrite1h;
    if (estimated) this.estimated += 1;
    const spend = this.models.get(name) ?? { requests: 0, tokens_in: 0, tokens_out: 0, cost_usd: 0, micros: 0 };
    spend.requests += 1;
    spend.tokens_in += tokensIn;
    spend.tokens_out += usage.output;
    spend.micros += micros;
    if (this.models.has(name) || this.models.size < MAX_LISTED) this.models.set(name, spend);
  }

  /** A host the egress allow-list refused. */
  egressRefusedHost(host: string): void {
    if (this.egressRefused.size < MAX_LISTED) this.egressRefused.add(host.slice(0, 255));
  }

  /** The usage record; money rounded up to the micro-dollar, so it never reads low. */
  record(): MeteredUsage {
    const usd = (micros: number) => Math.max(0, Math.ceil(micros - 1e-6)) / 1_000_000;
    return MeteredUsage.parse({
      version: 1,
      requests: this.requests,
      refused: this.refused,
      failed: this.failed,
      tokens_in: this.tokensIn,
      tokens_out: this.tokensOut,
      cache_read_tokens: this.cacheRead,
      cache_write_tokens: this.cacheWrite,
      cost_usd: usd(this.micros),
      estimated: this.estimated,
      ...(this.options.capUsd !== undefined ? { cap_usd: this.options.capUsd } : {}),
      cap_reached: this.capReached || this.atCap,
      models: Object.fromEntries(
        [...this.models].map(([name, { micros, ...spend }]) => [name, { ...spend, cost_usd: usd(micros) }]),
      ),
      unpriced_models: [...this.unpriced],
      egress_refused: [...this.egressRefused],
    });
  }
}
