/**
 * The ETag store in Redis (src/github/etag-redis.ts): bounded, least
 * recently used first out, and what one process stored another (a replica,
 * or the same server after a restart) uses: its first read of an unchanged
 * resource is answered 304.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RedisEtagStore } from "../../src/github/etag-redis.js";
import { withEtags } from "../../src/github/etag-cache.js";
import { redisSkipReason, testRedis, uniqueName, type RedisServer } from "../support/redis.js";
import { contractTwin } from "../support/twin.js";
import { serveWithNock } from "../support/twin-nock.js";
import { botOctokit } from "../../src/twin/octokit.js";
import type { Octokit } from "../../src/github/client.js";

describe.skipIf(!!redisSkipReason)(`the ETag store in Redis${redisSkipReason ? ` (skipped: ${redisSkipReason})` : ""}`, () => {
  let redis: RedisServer;
  const stores: RedisEtagStore[] = [];
  let stop: (() => void) | undefined;
  beforeAll(async () => {
    redis = await testRedis();
  });
  afterEach(async () => {
    stop?.();
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await redis?.stop();
  });
  const store = (prefix: string, max?: number) => {
    const s = new RedisEtagStore({ redisUrl: redis.url, prefix, ...(max ? { max } : {}) });
    stores.push(s);
    return s;
  };

  it("keeps at most its size, the least recently used going first", async () => {
    const s = store(uniqueName("etag"), 2);
    const answer = (n: number) => ({ etag: `"${n}"`, url: `u${n}`, headers: {}, data: { n } });
    await s.set("a", answer(1));
    await s.set("b", answer(2));
    await s.get("a");
    await s.set("c", answer(3));
    expect(await s.get("b")).toBeUndefined();
    expect((await s.get("a"))?.data).toEqual({ n: 1 });
    expect(await s.size()).toBe(2);
  });

  it("survives a restart: the new process's first read of an unchanged issue with the same installation token is answered 304 (GitHub ties an ETag to its token: a new token reads afresh), and a change is read", async () => {
    const twin = contractTwin();
    twin.addRepo({ owner: "acme", name: "crm", ownerType: "Organization", collaborators: { alice: "write" } });
    stop = serveWithNock(twin);
    const issue = twin.as("alice").createIssue({ title: "A", body: "one" });
    const prefix = uniqueName("etag");
    const read = (o: Octokit) => o.rest.issues.get({ owner: "acme", repo: "crm", issue_number: issue.number });
    const token = twin.installationToken(1);
    const first = withEtags(botOctokit(twin, 1, { token }) as unknown as Octokit, store(prefix), "installation:1");
    await read(first);
    // another process: a new client and a new connection to the same Redis
    const second = withEtags(botOctokit(twin, 1, { token }) as unknown as Octokit, store(prefix), "installation:1");
    const from = twin.log.length;
    const again = await read(second);
    expect(again.data.body).toBe("one");
    expect(twin.log.slice(from).map((e) => e.status)).toEqual([304]);
    // a process with a token of its own: the stored ETag is not its, GitHub answers in full
    const renewed = withEtags(botOctokit(twin) as unknown as Octokit, store(prefix), "installation:1");
    expect((await read(renewed)).data.body).toBe("one");
    expect(twin.log.at(-1)!.status).toBe(200);
    twin.as("alice").comment(issue.number, "a change");
    const changed = await read(second);
    expect(changed.data.comments).toBe(1);
    expect(twin.log.at(-1)!.status).toBe(200);
  });
});
