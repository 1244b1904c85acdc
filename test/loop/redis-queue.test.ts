/**
 * The Redis queue: the shared contract, then what only several processes
 * can show (separate worker processes sharing one Redis; one killed with
 * SIGKILL mid-job), and the pulse schedule across replicas.
 */
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { jobKey, type ReconcileJob } from "../../src/loop/queue.js";
import { RedisQueue } from "../../src/loop/redis-queue.js";
import { dropPrefix, redisSkipReason, testRedis, uniqueName, type RedisServer } from "../support/redis.js";
import { mission, pause, queueContract } from "./queue-contract.js";
import { bundleWorker, WorkerProcess } from "./support/processes.js";

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

  describe("several worker processes sharing one Redis", () => {
    let entry: { path: string; remove: () => void };
    let clock: Redis;
    const workers: WorkerProcess[] = [];
    const producers: RedisQueue[] = [];
    beforeAll(async () => {
      entry = await bundleWorker();
      clock = new Redis(redis.url);
    });
    afterAll(async () => {
      entry?.remove();
      clock?.disconnect();
    });
    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.close()));
      await Promise.all(producers.splice(0).map((p) => p.close()));
    });

    const start = async (n: number, prefix: string, env: Record<string, string> = {}) => {
      const started = Array.from(
        { length: n },
        () => new WorkerProcess(entry.path, { QUEUE_REDIS_URL: redis.url, QUEUE_PREFIX: prefix, QUEUE_CONCURRENCY: "2", ...env }),
      );
      workers.push(...started);
      await Promise.all(started.map((w) => w.ready()));
      return started;
    };
    const producer = (prefix: string) => {
      const p = new RedisQueue({ redisUrl: redis.url, prefix, idlePollMs: 10 });
      producers.push(p);
      return p;
    };

    it.each([2, 3])(
      "%i processes, each enqueueing every mission twice at once, round after round: no mission ever runs in two places at once, and each runs after its last enqueue",
      async (n) => {
        const prefix = uniqueName("mbtest");
        prefixes.push(prefix);
        const procs = await start(n, prefix, { QUEUE_WORK_MS: "15" });
        const issues = [1, 2, 3, 4, 5, 6];
        const lastEnqueue = new Map<string, number>();
        const rounds = 12;
        for (let round = 0; round < rounds; round++) {
          await Promise.all(
            procs.map(async (w) => {
              // stamped before the request leaves: a run that starts later has a higher stamp
              const stamp = await clock.incr(`${prefix}:test:clock`);
              const jobs: ReconcileJob[] = issues.flatMap((i) => [mission(i, `round ${round}`), mission(i, `round ${round} again`)]);
              for (const job of jobs) lastEnqueue.set(jobKey(job), Math.max(lastEnqueue.get(jobKey(job)) ?? 0, stamp));
              await w.enqueue(jobs);
            }),
          );
          await pause((round % 3) * 5);
        }
        await producer(prefix).idle();

        const starts = procs.flatMap((w) => w.events.filter((e) => e.ev === "start"));
        expect(starts.filter((e) => e.running !== 1), "runs that overlapped another run of their mission").toEqual([]);
        for (const issue of issues) {
          const key = jobKey(mission(issue));
          const own = starts.filter((e) => e.key === key);
          expect(Math.max(...own.map((e) => e.stamp!)), `${key}: a run after its last enqueue`).toBeGreaterThan(lastEnqueue.get(key)!);
          // coalescing: rounds × processes × 2 enqueues are far fewer runs
          expect(own.length).toBeLessThan((rounds * n * 2) / 2);
        }
        expect(new Set(starts.map((e) => e.pid)).size, "processes that ran jobs").toBeGreaterThan(1);
        expect(procs.flatMap((w) => w.events.filter((e) => e.ev === "error"))).toEqual([]);
      },
    );

    it("a worker killed with SIGKILL mid-job leaves the job to another process, which also runs the news that came meanwhile", async () => {
      const prefix = uniqueName("mbtest");
      prefixes.push(prefix);
      const procs = await start(2, prefix, { QUEUE_LOCK_MS: "1000", QUEUE_STALLED_MS: "200", QUEUE_WORK_MS: "5" });
      const p = producer(prefix);
      const key = jobKey(mission(40));
      await p.enqueue(mission(40, "hang"));
      const hung = await Promise.race(procs.map((w) => w.waitFor((e) => e.ev === "start" && e.hung === true)));
      const [victim, survivor] = hung.pid === procs[0]!.pid ? [procs[0]!, procs[1]!] : [procs[1]!, procs[0]!];
      // news while the run is stuck in the doomed process
      const newsStamp = await clock.incr(`${prefix}:test:clock`);
      await p.enqueue(mission(40, "issue_comment.created"));
      await victim.kill("SIGKILL");
      await survivor.waitFor((e) => e.ev === "end" && e.key === key);
      await p.idle();
      const runs = survivor.events.filter((e) => e.ev === "start" && e.key === key);
      expect(runs.length).toBeGreaterThanOrEqual(1);
      expect(Math.max(...runs.map((e) => e.stamp!)), "a run after the news").toBeGreaterThan(newsStamp);
      expect(runs.every((e) => e.running === 1)).toBe(true);
      expect(victim.events.some((e) => e.ev === "end")).toBe(false);
    });
  });
});
