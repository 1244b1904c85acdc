/**
 * The ETag store in Redis (REDIS_URL): answers survive a restart and every
 * replica shares them. Bounded like the memory store: a sorted set orders
 * the answers by last use, and once more than `max` are stored the least
 * recently used go. Every key also expires after a week unused, so nothing
 * outlives the missions it was read for. Loaded only with REDIS_URL.
 */
import { Redis } from "ioredis";
import { ETAG_STORE_MAX, type EtagStore, type StoredAnswer } from "./etag-cache.js";

export interface RedisEtagStoreOptions {
  redisUrl: string;
  /** key prefix (default `mission-bot:etag`) */
  prefix?: string;
  max?: number;
}

const TTL_SECONDS = 7 * 24 * 3600;
/** a mark says "nothing changed since the load at …"; the idle pulse ignores one older than its refresh anyway */
const MARK_TTL_SECONDS = 24 * 3600;

export class RedisEtagStore implements EtagStore {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly max: number;
  private uses = 0;

  constructor(options: RedisEtagStoreOptions) {
    this.redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
    this.prefix = options.prefix ?? "mission-bot:etag";
    this.max = options.max ?? ETAG_STORE_MAX;
  }

  private get lru() {
    return `${this.prefix}:lru`;
  }

  async get(key: string): Promise<StoredAnswer | undefined> {
    const text = await this.redis.get(`${this.prefix}:a:${key}`);
    if (text === null) return undefined;
    await this.redis.zadd(this.lru, this.score(), key);
    try {
      return JSON.parse(text) as StoredAnswer;
    } catch {
      return undefined; // not ours, or cut short: ask GitHub
    }
  }

  async set(key: string, answer: StoredAnswer): Promise<void> {
    await this.redis.multi().set(`${this.prefix}:a:${key}`, JSON.stringify(answer), "EX", TTL_SECONDS).zadd(this.lru, this.score(), key).exec();
    const stored = await this.redis.zcard(this.lru);
    if (stored > this.max) {
      const oldest = await this.redis.zpopmin(this.lru, stored - this.max);
      const keys = oldest.filter((_, i) => i % 2 === 0).map((k) => `${this.prefix}:a:${k}`);
      if (keys.length) await this.redis.del(...keys);
    }
  }

  async getMark(key: string): Promise<string | undefined> {
    return (await this.redis.get(`${this.prefix}:m:${key}`)) ?? undefined;
  }

  async setMark(key: string, value: string): Promise<void> {
    await this.redis.set(`${this.prefix}:m:${key}`, value, "EX", MARK_TTL_SECONDS);
  }

  async deleteMark(key: string): Promise<void> {
    await this.redis.del(`${this.prefix}:m:${key}`);
  }

  /** How many answers are stored (for tests and figures). */
  async size(): Promise<number> {
    return this.redis.zcard(this.lru);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** Order of use: time, then a counter for uses within one millisecond. */
  private score(): number {
    this.uses = (this.uses + 1) % 1000;
    return Date.now() * 1000 + this.uses;
  }
}
