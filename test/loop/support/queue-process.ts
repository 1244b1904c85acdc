/**
 * One worker process of the multi-process tests (bundled by esbuild to an
 * .mjs and started with `node`, see processes.ts). It runs a RedisQueue on
 * the queue named in its environment and talks JSON lines:
 *
 *   stdin:  {"cmd":"enqueue","id":n,"jobs":[ReconcileJob…]} | {"cmd":"close"}
 *   stdout: {"ev":"ready"} | {"ev":"enqueued","id":n} | {"ev":"start"|"end",…} | {"ev":"closed"}
 *
 * Each run takes a stamp from a Redis counter (a clock shared by every
 * process) and counts itself in `running:<key>` (INCR at start, DECR at
 * end), so overlap across processes shows as running > 1. A job whose
 * reason is "hang" never ends in the first process that runs it (the test
 * then kills that process).
 */
import { createInterface } from "node:readline";
import { Redis } from "ioredis";
import { RedisQueue } from "../../../src/loop/redis-queue.js";
import { jobKey, type ReconcileJob } from "../../../src/loop/queue.js";

const env = process.env;
const url = env.QUEUE_REDIS_URL!;
const prefix = env.QUEUE_PREFIX!;
const workMs = Number(env.QUEUE_WORK_MS ?? "10");
const redis = new Redis(url);
const send = (message: object) => process.stdout.write(`${JSON.stringify({ pid: process.pid, ...message })}\n`);

const queue = new RedisQueue({
  redisUrl: url,
  prefix,
  name: env.QUEUE_NAME ?? "reconcile",
  concurrency: Number(env.QUEUE_CONCURRENCY ?? "2"),
  lockMs: Number(env.QUEUE_LOCK_MS ?? "30000"),
  stalledCheckMs: Number(env.QUEUE_STALLED_MS ?? "30000"),
  idlePollMs: 10,
  onError: (job, error) => send({ ev: "error", key: jobKey(job), message: String(error) }),
});

queue.process(async (job: ReconcileJob) => {
  const key = jobKey(job);
  const stamp = await redis.incr(`${prefix}:test:clock`);
  const running = await redis.incr(`${prefix}:test:running:${key}`);
  if (job.reason === "hang" && (await redis.set(`${prefix}:test:hung:${key}`, "1", "NX"))) {
    await redis.decr(`${prefix}:test:running:${key}`);
    send({ ev: "start", key, stamp, running, hung: true });
    await new Promise(() => {});
  }
  send({ ev: "start", key, stamp, running });
  await new Promise((resolve) => setTimeout(resolve, workMs));
  await redis.decr(`${prefix}:test:running:${key}`);
  send({ ev: "end", key, stamp });
});

createInterface({ input: process.stdin }).on("line", (line) => {
  const message = JSON.parse(line) as { cmd: string; id?: number; jobs?: ReconcileJob[] };
  if (message.cmd === "enqueue") {
    void Promise.all(message.jobs!.map((job) => queue.enqueue(job))).then(() => send({ ev: "enqueued", id: message.id }));
  } else if (message.cmd === "close") {
    void queue.close().then(async () => {
      await redis.quit();
      send({ ev: "closed" });
      process.exit(0);
    });
  }
});

send({ ev: "ready" });
