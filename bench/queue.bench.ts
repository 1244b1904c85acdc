/**
 * `npm run bench`: the Redis queue's figures (bench/queue.ts), printed as a
 * table like bench/run.bench.ts prints its own, and kept in bench/RESULTS.md
 * (its block); nothing is asserted. Uses
 * MISSION_BOT_TEST_REDIS_URL, or starts a redis-server of its own.
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import { redisSkipReason, testRedis, type RedisServer } from "../test/support/redis.js";
import { measureQueueBurst, type QueueBurstFigures } from "./queue.js";
import { table, writeResults } from "./support.js";

describe.skipIf(redisSkipReason)("queue benchmarks", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await testRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("a burst of 20 missions on the Redis queue", async () => {
    // a warm-up burst: connections, script loading
    await measureQueueBurst({ redisUrl: redis.url, workers: 1 });
    const rows: QueueBurstFigures[] = [];
    for (const [workers, concurrency] of [
      [1, 1],
      [3, 1],
      [1, 4],
      [3, 4],
    ] as const) {
      rows.push(await measureQueueBurst({ redisUrl: redis.url, workers, concurrency }));
    }
    const perSecond = (w: number, c: number) => rows.find((r) => r.workers === w && r.concurrency === c)!.reconcilesPerSecond;
    const body = table(
      ["queue workers × concurrency", "missions", "wall time", "floor", "reconciles/s", "Redis commands per reconcile", "script calls per reconcile", "top commands"],
      rows.map((r) => [
        `${r.workers} × ${r.concurrency}`,
        r.missions,
        `${r.wallMs.toFixed(0)} ms`,
        `${r.floorMs.toFixed(0)} ms`,
        r.reconcilesPerSecond.toFixed(1),
        (r.commands.total / r.missions).toFixed(1),
        (r.commands.scripts / r.missions).toFixed(1),
        Object.entries(r.commands.byCommand)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 4)
          .map(([name, n]) => `${name} ${n}`)
          .join(", "),
      ]),
    );
    const text = [
      "### The Redis queue: a burst of 20 missions (work: a 20 ms await)",
      "",
      body,
      "",
      `- 3 workers / 1 worker, one run: ${(perSecond(3, 1) / perSecond(1, 1)).toFixed(2)}× at concurrency 1, ${(perSecond(3, 4) / perSecond(1, 4)).toFixed(2)}× at concurrency 4.`,
      "- floor: missions × 20 ms / slots, the time with no queue overhead at all.",
      "- Redis commands: every command the server executed meanwhile (commandstats), including those inside BullMQ's Lua scripts and the workers' polling; script calls are the round trips that run Lua.",
      "- workers are RedisQueue instances with their own connections, in the bench's process, on one local Redis.",
      "",
    ].join("\n");
    console.log(`\n${text}`);
    writeResults("queue", [text]);
  });
});
