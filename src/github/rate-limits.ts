/**
 * GitHub's "not now": a primary rate limit (the hour's requests are used up)
 * or a secondary one (too many writes too fast). Probot's throttling would
 * wait inside the request — for up to an hour, holding the mission's turn —
 * or not retry at all; the bot instead cools down the whole installation:
 * no request of that installation starts before the time GitHub named
 * (`retry-after`, or the reset of the hour, or 60 s when it named none), and
 * the work is tried again then (the loop's RetryLater). Every write path goes
 * through the same Octokit, so all of them honour it.
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
 * https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#handle-rate-limit-errors-appropriately
 */
import { isRateLimited, type Octokit } from "./client.js";

/** When an installation may send requests again; shared by every process when a store like Redis backs it. */
export interface CooldownStore {
  /** epoch ms before which no request of `key` starts (0: none) */
  until(key: string): Promise<number>;
  hold(key: string, until: number): Promise<void>;
}

export class MemoryCooldowns implements CooldownStore {
  private readonly map = new Map<string, number>();
  async until(key: string): Promise<number> {
    return this.map.get(key) ?? 0;
  }
  async hold(key: string, until: number): Promise<void> {
    if (until > (this.map.get(key) ?? 0)) this.map.set(key, until);
  }
}

/** The installation (or token) is cooling down: try again in `waitMs`. */
export class RateLimitedError extends Error {
  constructor(
    readonly waitMs: number,
    message: string,
  ) {
    super(message);
    this.name = "RateLimitedError";
  }
}

/** Without `retry-after`, GitHub asks integrators to wait at least a minute after a secondary limit. */
export const SECONDARY_WAIT_MS = 60_000;

/** How long GitHub asked to wait, from the error's headers. */
export function waitFor(error: unknown, now: number): number {
  const headers = (error as { response?: { headers?: Record<string, string | undefined> } }).response?.headers ?? {};
  const after = Number(headers["retry-after"]);
  if (Number.isFinite(after) && after >= 0) return Math.max(1_000, after * 1_000);
  if (headers["x-ratelimit-remaining"] === "0") {
    const reset = Number(headers["x-ratelimit-reset"]) * 1_000;
    if (Number.isFinite(reset) && reset > now) return reset - now + 1_000;
  }
  return SECONDARY_WAIT_MS;
}

const guarded = new WeakSet<object>();

/** Make every request of `octokit` honour the cooldown of `key`, and start one when GitHub says "not now". */
export function guardRateLimits<T extends Octokit>(octokit: T, options: { key: string; store: CooldownStore; clock?: () => number }): T {
  if (guarded.has(octokit)) return octokit;
  guarded.add(octokit);
  const clock = options.clock ?? Date.now;
  octokit.hook.wrap("request", async (request, requestOptions) => {
    const until = await options.store.until(options.key);
    const now = clock();
    if (until > now) throw new RateLimitedError(until - now, `GitHub asked to wait; cooling down until ${new Date(until).toISOString()}`);
    try {
      return await request(requestOptions);
    } catch (error) {
      if (!isRateLimited(error)) throw error;
      const wait = waitFor(error, clock());
      await options.store.hold(options.key, clock() + wait);
      throw new RateLimitedError(wait, `GitHub rate-limited ${requestOptions.method} ${requestOptions.url}; waiting ${Math.ceil(wait / 1000)} s`);
    }
  });
  return octokit;
}
