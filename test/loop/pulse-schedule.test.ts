/**
 * The pulse ticks once per period: a timer in one process; with Redis,
 * exactly one replica per period, however many replicas run and whenever
 * they start.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisPulseSchedule, TimerPulseSchedule, type PulsePeriod } from "../../src/loop/pulse-schedule.js";
import { dropPrefix, redisSkipReason, testRedis, uniqueName, type RedisServer } from "../support/redis.js";
import { deferred, pause, until } from "./queue-contract.js";

describe("pulse schedule in one process (timer)", () => {
  it("ticks at start and then every period, never two ticks at once, and not after close", async () => {
    const schedule = new TimerPulseSchedule();
    const log: string[] = [];
    let running = 0;
    let overlap = 0;
    const slow = deferred();
    schedule.start(10, async (period) => {
      running++;
      overlap = Math.max(overlap, running);
      log.push(`tick ${period.id}`);
      // the second tick outlasts several periods: they are skipped, not stacked
      if (period.id === "2") await slow.promise;
      running--;
    });
    await until(() => log.length === 2);
    await pause(50);
    expect(log).toEqual(["tick 1", "tick 2"]);
    slow.resolve();
    await until(() => log.length === 4);
    const closed = schedule.close().then(() => log.push("closed"));
    await closed;
    const after = log.length;
    await pause(40);
    expect(log.length).toBe(after);
    expect(log.slice(0, 4)).toEqual(["tick 1", "tick 2", "tick 3", "tick 4"]);
    expect(overlap).toBe(1);
  });

  it("a tick that throws is reported and the next period ticks all the same", async () => {
    const errors: unknown[] = [];
    const schedule = new TimerPulseSchedule((e) => errors.push(e));
    const ticks: string[] = [];
    schedule.start(5, async (period) => {
      ticks.push(period.id);
      if (period.id === "1") throw new Error("GitHub is down");
    });
    await until(() => ticks.length >= 2);
    await schedule.close();
    expect(errors).toEqual([new Error("GitHub is down")]);
  });
});

describe.skipIf(redisSkipReason)(`pulse schedule across replicas (Redis)${redisSkipReason ? ` (skipped: ${redisSkipReason})` : ""}`, () => {
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

  it("three replicas, started one after another, tick each period exactly once between them", async () => {
    const prefix = uniqueName("mbtest");
    prefixes.push(prefix);
    const everyMs = 100;
    const ticks: Array<{ replica: number; period: PulsePeriod }> = [];
    const replicas = [0, 1, 2].map(() => new RedisPulseSchedule({ redisUrl: redis.url, prefix, onError: (e) => ticks.push({ replica: -1, period: { id: String(e) } }) }));
    for (const [i, replica] of replicas.entries()) {
      replica.start(everyMs, async (period) => {
        ticks.push({ replica: i, period });
        await pause(5);
      });
      await until(() => ticks.length > i);
    }
    await until(() => ticks.length >= 8);
    await Promise.all(replicas.map((r) => r.close()));

    expect(ticks.filter((t) => t.replica < 0)).toEqual([]);
    const ids = ticks.map((t) => t.period.id);
    expect(new Set(ids).size, `periods ticked twice: ${ids.join(", ")}`).toBe(ids.length);
    // the periods are the schedule's, one `everyMs` apart: repeat:pulse:<ms>
    const ms = ids.map((id) => Number(id.split(":").pop())).sort((a, b) => a - b);
    for (let i = 1; i < ms.length; i++) expect(ms[i]! - ms[i - 1]!).toBeGreaterThanOrEqual(everyMs);
  });
});
