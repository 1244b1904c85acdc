/**
 * Figures of the Redis queue (src/loop/redis-queue.ts) on a synthetic job
 * (the work is a 20 ms await, standing in for load → decide → apply):
 *
 * - Redis commands per reconcile: the server's commandstats over a burst,
 *   divided by the runs (every client, including the commands BullMQ's Lua
 *   scripts run, and the workers' polling meanwhile);
 * - reconciles per second for a burst of 20 missions with 1 and 3 queue
 *   workers (separate RedisQueue instances, each with its own connections,
 *   in this process), measured in one run so their ratio is comparable.
 *
 * `measureQueueBurst` is the hook: the lead's benches can call it too.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { RedisQueue } from "../src/loop/redis-queue.js";
import { countRedisCommands, type RedisCommandCount } from "../src/loop/redis-stats.js";
import { dropPrefix } from "../test/support/redis.js";

export interface QueueBurstFigures {
  workers: number;
  concurrency: number;
  missions: number;
  workMs: number;
  /** from the first enqueue to the last run's end */
  wallMs: number;
  reconcilesPerSecond: number;
  /** what the slots could do with no queue overhead at all: missions × workMs / (workers × concurrency) */
  floorMs: number;
  commands: RedisCommandCount;
}

export async function measureQueueBurst(options: {
  redisUrl: string;
  workers: number;
  concurrency?: number;
  missions?: number;
  workMs?: number;
}): Promise<QueueBurstFigures> {
  const { redisUrl, workers } = options;
  const concurrency = options.concurrency ?? 1;
  const missions = options.missions ?? 20;
  const workMs = options.workMs ?? 20;
  const prefix = `mbbench-${randomUUID().slice(0, 8)}`;
  const queues = Array.from({ length: workers }, () => new RedisQueue({ redisUrl, prefix, concurrency, idlePollMs: 5 }));
  let done = 0;
  let allDone!: () => void;
  const finished = new Promise<void>((resolve) => (allDone = resolve));
  for (const q of queues) {
    q.process(async () => {
      await new Promise((resolve) => setTimeout(resolve, workMs));
      if (++done === missions) allDone();
    });
  }
  await Promise.all(queues.map((q) => q.ready()));
  const producer = queues[0]!;
  try {
    const { result: wallMs, count } = await countRedisCommands(redisUrl, async () => {
      const start = performance.now();
      await Promise.all(Array.from({ length: missions }, (_, i) => producer.enqueue({ owner: "acme", repo: "crm", issue: i + 1, reason: "bench" })));
      await finished;
      return performance.now() - start;
    });
    return {
      workers,
      concurrency,
      missions,
      workMs,
      wallMs,
      reconcilesPerSecond: missions / (wallMs / 1000),
      floorMs: (missions * workMs) / Math.min(missions, workers * concurrency),
      commands: count,
    };
  } finally {
    await Promise.all(queues.map((q) => q.close()));
    await dropPrefix(redisUrl, prefix);
  }
}
