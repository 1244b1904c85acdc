/**
 * What a piece of work costs in Redis commands, for `npm run bench`: the
 * difference of the server's `INFO commandstats` before and after. It counts
 * every command the server executed, from every client, including those run
 * inside BullMQ's Lua scripts (each script call also counts once as
 * EVALSHA); the INFO calls of the measurement itself are left out. Measure on
 * a Redis nothing else uses.
 */
import { Redis } from "ioredis";

export interface RedisCommandCount {
  /** commands the server executed */
  total: number;
  /** of which script calls (EVALSHA/EVAL): BullMQ's round trips that run Lua */
  scripts: number;
  byCommand: Record<string, number>;
}

async function commandStats(redis: Redis): Promise<Map<string, number>> {
  const text = await redis.info("commandstats");
  const stats = new Map<string, number>();
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) stats.set(match[1]!, Number(match[2]));
  return stats;
}

export async function countRedisCommands<T>(redisUrl: string, work: () => Promise<T>): Promise<{ result: T; count: RedisCommandCount }> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  try {
    const before = await commandStats(redis);
    const result = await work();
    const after = await commandStats(redis);
    const byCommand: Record<string, number> = {};
    let total = 0;
    for (const [name, calls] of after) {
      if (name === "info") continue;
      const delta = calls - (before.get(name) ?? 0);
      if (delta > 0) {
        byCommand[name] = delta;
        total += delta;
      }
    }
    const scripts = (byCommand.evalsha ?? 0) + (byCommand.eval ?? 0);
    return { result, count: { total, scripts, byCommand } };
  } finally {
    redis.disconnect();
  }
}
