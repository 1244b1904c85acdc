/**
 * The record of handled deliveries in Redis (REDIS_URL, beside the queue and
 * the ETag store): every replica shares it, so a redelivery that reaches
 * another replica costs nothing either, and it outlives a restart. See
 * deliveries.ts for what it records. Each step is one Lua script, which
 * Redis runs atomically. Keys expire after 3 days (GitHub's redelivery
 * window); a mission's counts are refreshed by every arrival, so they
 * outlive the records that refer to them. Loaded only with REDIS_URL.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { DELIVERY_RECORD_MS, type DeliveryStore } from "./deliveries.js";

export interface RedisDeliveryStoreOptions {
  redisUrl: string;
  /** key prefix (default `mission-bot:delivery`) */
  prefix?: string;
}

const TTL_SECONDS = Math.round(DELIVERY_RECORD_MS / 1000);

/** KEYS: the mission's counts. ARGV: ttl, a new era. Makes the counts if they are not there. */
const MAKE = `
if redis.call('HSETNX', KEYS[1], 'e', ARGV[2]) == 1 then redis.call('HSET', KEYS[1], 's', 0, 'd', 0) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
`;

/** KEYS: the event's record, the mission's counts. ARGV: ttl, a new era. 1: handled already. */
const ARRIVE = `${MAKE.replace(/KEYS\[1\]/g, "KEYS[2]")}
local arrived = redis.call('GET', KEYS[1])
if not arrived then
  redis.call('SET', KEYS[1], redis.call('HGET', KEYS[2], 's'), 'EX', ARGV[1])
  return 0
end
if tonumber(redis.call('HGET', KEYS[2], 'd')) > tonumber(arrived) then return 1 end
return 0
`;

/** KEYS: the mission's counts. ARGV: ttl, a new era. The start: "<era>:<n>". */
const START = `${MAKE}
local n = redis.call('HINCRBY', KEYS[1], 's', 1)
return redis.call('HGET', KEYS[1], 'e') .. ':' .. n
`;

/** KEYS: the mission's counts. ARGV: the job's era, its start number. A job of another era counts nothing. */
const COMPLETE = `
if redis.call('HGET', KEYS[1], 'e') ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) > tonumber(redis.call('HGET', KEYS[1], 'd')) then redis.call('HSET', KEYS[1], 'd', ARGV[2]) end
return 1
`;

export class RedisDeliveryStore implements DeliveryStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(options: RedisDeliveryStoreOptions) {
    this.redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 2 });
    this.prefix = options.prefix ?? "mission-bot:delivery";
  }

  async arrive(event: string, mission: string): Promise<boolean> {
    const handled = await this.redis.eval(ARRIVE, 2, `${this.prefix}:e:${event}`, this.countsKey(mission), TTL_SECONDS, randomUUID());
    return handled === 1;
  }

  async start(mission: string): Promise<string> {
    return String(await this.redis.eval(START, 1, this.countsKey(mission), TTL_SECONDS, randomUUID()));
  }

  async complete(mission: string, started: string): Promise<void> {
    const at = started.lastIndexOf(":");
    await this.redis.eval(COMPLETE, 1, this.countsKey(mission), started.slice(0, at), started.slice(at + 1));
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private countsKey(mission: string): string {
    return `${this.prefix}:m:${mission}`;
  }
}
