/**
 * The record of deliveries already handled (src/loop/deliveries.ts), in
 * memory and in Redis: an event is handled only by a job that started after
 * its first delivery arrived and completed; a job the store has forgotten
 * the start of counts nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventKey, MemoryDeliveryStore, type DeliveryStore } from "../../src/loop/deliveries.js";
import { RedisDeliveryStore } from "../../src/loop/deliveries-redis.js";
import { redisSkipReason, testRedis, uniqueName, type RedisServer } from "../support/redis.js";

const MISSION = "acme/crm#1";

function contract(make: () => DeliveryStore, forget: (store: DeliveryStore) => Promise<void>) {
  it("an event is handled once a job that started after its first delivery completed, not before", async () => {
    const store = make();
    const early = await store.start(MISSION); // runs while the event arrives: it may have read GitHub before it
    expect(await store.arrive("e1", MISSION)).toBe(false);
    await store.complete(MISSION, early);
    expect(await store.arrive("e1", MISSION)).toBe(false);
    await store.start(MISSION); // started after, then failed: never completes
    expect(await store.arrive("e1", MISSION)).toBe(false);
    const after = await store.start(MISSION);
    await store.complete(MISSION, after);
    expect(await store.arrive("e1", MISSION)).toBe(true);
    // another event of the same mission, first seen now: not yet
    expect(await store.arrive("e2", MISSION)).toBe(false);
    // another mission's jobs say nothing about this one
    await store.complete("acme/crm#2", await store.start("acme/crm#2"));
    expect(await store.arrive("e2", MISSION)).toBe(false);
  });

  it("a job whose start the store forgot counts nothing when it ends", async () => {
    const store = make();
    const started = await store.start(MISSION);
    await forget(store);
    expect(await store.arrive("e1", MISSION)).toBe(false);
    await store.complete(MISSION, started);
    expect(await store.arrive("e1", MISSION)).toBe(false);
  });
}

describe("the record of deliveries in memory", () => {
  contract(
    () => new MemoryDeliveryStore(2),
    // bounded: two other missions' counts push this one's out
    async (store) => {
      await store.start("acme/other#9");
      await store.start("acme/other#10");
    },
  );

  it("knows an event by its GUID, its body and its mission", () => {
    const job = { owner: "acme", repo: "crm", issue: 1 };
    const key = eventKey({ id: "guid-1", payload: { action: "created" } }, job);
    expect(eventKey({ id: "guid-1", payload: { action: "created" } }, job)).toBe(key);
    expect(eventKey({ id: "guid-1", payload: { action: "edited" } }, job)).not.toBe(key);
    expect(eventKey({ id: "guid-2", payload: { action: "created" } }, job)).not.toBe(key);
    expect(eventKey({ id: "guid-1", payload: { action: "created" } }, { ...job, issue: 2 })).not.toBe(key);
  });
});

describe.skipIf(!!redisSkipReason)(`the record of deliveries in Redis${redisSkipReason ? ` (skipped: ${redisSkipReason})` : ""}`, () => {
  let redis: RedisServer;
  const stores: RedisDeliveryStore[] = [];
  beforeAll(async () => {
    redis = await testRedis();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await redis?.stop();
  });
  let prefix = "";
  contract(
    () => {
      prefix = uniqueName("delivery");
      const s = new RedisDeliveryStore({ redisUrl: redis.url, prefix });
      stores.push(s);
      return s;
    },
    // Redis restarted without persistence, or the key expired
    async () => {
      const { Redis } = await import("ioredis");
      const client = new Redis(redis.url);
      await client.del(`${prefix}:m:${MISSION}`);
      await client.quit();
    },
  );
});
