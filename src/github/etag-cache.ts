/**
 * Conditional reads: every GET the bot sends carries the ETag of the answer
 * it last got for the same URL (`If-None-Match`), and a `304 Not Modified`
 * is answered from the stored body. GitHub: "Making a conditional request
 * does not count against your primary rate limit if a 304 response is
 * returned and the request was made while correctly authorized with an
 * Authorization header" (REST docs, "Best practices for using the REST
 * API", "Use conditional requests if appropriate").
 *
 * The store is bounded (least recently used first out): in memory
 * (`MemoryEtagStore`), or in Redis where the queue lives there
 * (etag-redis.ts), so that it survives restarts and is shared by replicas.
 *
 * `replaying(fn)`: inside `fn`, a GET whose answer is stored is answered
 * from the store without asking GitHub at all. Only the idle pulse uses it
 * (src/loop/idle.ts), after one conditional read said that nothing of the
 * mission changed since the load those answers came from.
 *
 * Octokit has no maintained ETag plugin (the @octokit organisation publishes
 * none); this is a `hook.wrap("request")`, as Octokit's own plugins are.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { Octokit } from "./client.js";

/** One stored answer: what a 304 stands for. */
export interface StoredAnswer {
  etag: string;
  url: string;
  /** the headers a caller reads (pagination's `link`, the Enterprise version), not all of them */
  headers: Record<string, string>;
  data: unknown;
}

export interface EtagStore {
  get(key: string): Promise<StoredAnswer | undefined>;
  set(key: string, answer: StoredAnswer): Promise<void>;
  /** small values beside the answers (the idle pulse's "nothing changed since" marks) */
  getMark(key: string): Promise<string | undefined>;
  setMark(key: string, value: string): Promise<void>;
  deleteMark(key: string): Promise<void>;
}

/** How many answers a store keeps by default (each is one URL's last answer: an issue, a list page, a file). */
export const ETAG_STORE_MAX = 2_000;

/** In this process only; the least recently used answer goes first once `max` are stored. */
export class MemoryEtagStore implements EtagStore {
  private readonly answers: LRUCache<string, StoredAnswer>;
  private readonly marks: LRUCache<string, string>;
  constructor(max = ETAG_STORE_MAX) {
    this.answers = new LRUCache({ max });
    this.marks = new LRUCache({ max });
  }
  async get(key: string) {
    const a = this.answers.get(key);
    // a copy: callers may sort or change what they get
    return a && { ...a, headers: { ...a.headers }, data: structuredClone(a.data) };
  }
  async set(key: string, answer: StoredAnswer) {
    this.answers.set(key, { ...answer, data: structuredClone(answer.data) });
  }
  async getMark(key: string) {
    return this.marks.get(key);
  }
  async setMark(key: string, value: string) {
    this.marks.set(key, value);
  }
  async deleteMark(key: string) {
    this.marks.delete(key);
  }
  get size(): number {
    return this.answers.size;
  }
}

/** What the conditional reads saved, for figures and logs. */
export interface EtagStats {
  /** GETs sent with an ETag */
  conditional: number;
  /** of those, answered 304 (not counted against the primary limit) */
  notModified: number;
  /** GETs answered from the store without a request (replaying) */
  replayed: number;
}

/** not `date`: a stored answer says nothing about what time it is now */
const KEPT_HEADERS = ["link", "x-github-enterprise-version", "last-modified"];
const replay = new AsyncLocalStorage<{ misses: number }>();

/**
 * Run `fn` with stored answers standing in for GitHub's: no request for a
 * GET whose answer is stored. Resolves with `fn`'s result and how many GETs
 * had to ask GitHub after all (answers the store no longer had).
 */
export async function replaying<T>(fn: () => Promise<T>): Promise<{ result: T; misses: number }> {
  const state = { misses: 0 };
  const result = await replay.run(state, fn);
  return { result, misses: state.misses };
}

const wrapped = new WeakSet<object>();

/**
 * Make every GET of this Octokit conditional (once per instance). `scope`
 * keeps answers of different installations apart (an answer depends on what
 * the token may see).
 */
export function withEtags<T extends Octokit>(octokit: T, store: EtagStore, scope: string, stats?: EtagStats): T {
  if (wrapped.has(octokit)) return octokit;
  wrapped.add(octokit);
  octokit.hook.wrap("request", async (request, options) => {
    if (String(options.method).toUpperCase() !== "GET") return request(options);
    const headers = (options.headers ?? {}) as Record<string, string | undefined>;
    // a caller that sends its own condition handles the 304 itself
    if (headers["if-none-match"] !== undefined || headers["if-modified-since"] !== undefined) return request(options);
    const endpoint = octokit.request.endpoint(options as never) as { url: string; headers: Record<string, string | undefined> };
    const key = keyOf(scope, endpoint.url, String(endpoint.headers.accept ?? ""));
    const stored = await store.get(key);
    const replayState = replay.getStore();
    if (stored && replayState) {
      if (stats) stats.replayed++;
      return { status: 200, url: stored.url, headers: stored.headers, data: stored.data } as never;
    }
    if (replayState) replayState.misses++;
    if (stored) {
      options.headers = { ...options.headers, "if-none-match": stored.etag };
      if (stats) stats.conditional++;
    }
    try {
      const response = await request(options);
      const etag = response.headers.etag;
      if (response.status === 200 && typeof etag === "string") {
        const kept: Record<string, string> = { etag };
        for (const h of KEPT_HEADERS) {
          const v = (response.headers as Record<string, unknown>)[h];
          if (typeof v === "string") kept[h] = v;
        }
        await store.set(key, { etag, url: response.url, headers: kept, data: response.data });
      }
      return response;
    } catch (error) {
      if (stored && (error as { status?: unknown }).status === 304) {
        if (stats) stats.notModified++;
        return { status: 200, url: stored.url, headers: stored.headers, data: stored.data } as never;
      }
      throw error;
    }
  });
  return octokit;
}

function keyOf(scope: string, url: string, accept: string): string {
  return `${scope}:${createHash("sha256").update(`GET ${url}\n${accept}`).digest("base64url").slice(0, 32)}`;
}
