/**
 * Redis goes away and comes back (a restart without persistence, as CI and
 * the README's deployment run it): an enqueue meanwhile fails instead of
 * hanging (the webhook can answer, the pulse will enqueue again), and the
 * queue works again once Redis is back, without a restart of the process.
 * Needs a redis-server of its own to restart, so it runs only where one is
 * on PATH.
 */
import { afterAll, describe, expect, it } from "vitest";
import { RedisQueue } from "../../src/loop/redis-queue.js";
import { freePort, startRedisServer, uniqueName, type RedisServer } from "../support/redis.js";
import { spawnSync } from "node:child_process";
import { mission, pause, Recorder, until } from "./queue-contract.js";

const noServer = spawnSync("sh", ["-c", "command -v redis-server"], { stdio: "ignore" }).status !== 0;

describe.skipIf(noServer)(`Redis restarts${noServer ? " (skipped: no redis-server on PATH to restart)" : ""}`, () => {
  let server: RedisServer | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it("an enqueue while Redis is down fails; after the restart, enqueues run again", async () => {
    const port = await freePort();
    server = await startRedisServer(port);
    const redisErrors: string[] = [];
    const q = new RedisQueue({
      redisUrl: server.url,
      prefix: uniqueName("mbtest"),
      idlePollMs: 10,
      onRedisError: (e) => redisErrors.push(e.message),
    });
    const rec = new Recorder();
    q.process(rec.work);
    try {
      await q.enqueue(mission(1));
      await until(() => rec.finished(mission(1)) === 1);

      await server.stop();
      await expect(q.enqueue(mission(2))).rejects.toThrow();

      server = await startRedisServer(port);
      // enqueues made while the connection comes back may still fail: retry as the next event or pulse would
      let enqueued = false;
      while (!enqueued) {
        enqueued = await q.enqueue(mission(3)).then(
          () => true,
          () => pause(20).then(() => false),
        );
      }
      await until(() => rec.finished(mission(3)) === 1);
      await q.idle();
      expect(rec.runsOf(mission(2))).toBe(0);
      expect(rec.runsOf(mission(3))).toBe(1);
      expect(rec.maxOverlap).toBe(1);
    } finally {
      await q.close();
    }
  }, 60_000);
});
