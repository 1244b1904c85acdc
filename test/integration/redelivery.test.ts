/**
 * A redelivered webhook (same X-GitHub-Delivery, same body) whose event the
 * app has handled costs no request and answers nothing twice; one whose job
 * failed is reconciled again; and where replicas share the record in Redis,
 * a redelivery that reaches another replica costs nothing either
 * (src/loop/deliveries.ts).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { harness, type Harness } from "../support/app-harness.js";
import { CRM_OUTLINE } from "../support/outline.js";
import { redisSkipReason, testRedis, uniqueName, type RedisServer } from "../support/redis.js";
import { RedisDeliveryStore } from "../../src/loop/deliveries-redis.js";
import type { TwinEvent } from "../../src/twin/webhooks.js";

let h: Harness | undefined;
afterEach(() => {
  h?.stop();
  expect(h?.twin.contractFailures ?? []).toEqual([]);
  h = undefined;
});

/** A /mission command on a new issue, delivered and answered (the interview); its delivery is returned. */
async function commandAnswered(h: Harness): Promise<{ tracking: number; command: TwinEvent }> {
  const tracking = h.twin.as("alice").createIssue({ title: "CRM", body: CRM_OUTLINE }).number;
  h.twin.as("alice").comment(tracking, "/mission Build a CRM with contacts, deals and email --mode poc --budget $500 --hours 40");
  const delivered = await h.pump();
  const command = delivered.find((e) => e.name === "issue_comment" && JSON.stringify(e.payload).includes("/mission Build"))!;
  expect(command).toBeDefined();
  return { tracking, command };
}

const botReplies = (h: Harness, issue: number) => {
  const id = h.twin.issue(issue).id;
  return [...h.twin.comments.values()].filter((c) => c.issueId === id && c.user.login === "mission-bot[bot]");
};

/** What GitHub was asked while `fn` ran. */
async function requestsDuring(h: Harness, fn: () => Promise<unknown>) {
  const from = h.twin.log.length;
  await fn();
  return h.twin.log.slice(from).map((e) => `${e.method} ${e.path} ${e.status}`);
}

describe("a redelivered webhook", () => {
  it("costs no request and answers nothing twice when it comes right after the bot answered", async () => {
    h = harness();
    const { tracking, command } = await commandAnswered(h);
    expect(botReplies(h, tracking)).toHaveLength(1);
    const requests = await requestsDuring(h, () => h!.deliver(command)); // GitHub redelivers: same X-GitHub-Delivery, same body
    expect(requests).toEqual([]);
    expect(botReplies(h, tracking)).toHaveLength(1);
  });

  it("is reconciled again when the job of its first delivery failed, and answered once", async () => {
    h = harness();
    // GitHub cannot answer the mission's issue: every try of the first delivery's job fails, and the queue gives up
    h.twin.fault({ kind: "bad-gateway", method: "GET", route: "/repos/{owner}/{repo}/issues/{issue_number}", times: Infinity });
    const { tracking, command } = await commandAnswered(h);
    expect(h.errors.length).toBeGreaterThan(0);
    expect(botReplies(h, tracking)).toHaveLength(0);
    h.twin.clearFaults();
    const requests = await requestsDuring(h, () => h!.deliver(command));
    expect(requests.length).toBeGreaterThan(0);
    expect(botReplies(h, tracking)).toHaveLength(1);
    // handled now: the next redelivery costs nothing
    expect(await requestsDuring(h, () => h!.deliver(command))).toEqual([]);
  });

  it("with the same GUID but another body is another event: reconciled", async () => {
    h = harness();
    const { tracking, command } = await commandAnswered(h);
    const other = { ...command, payload: { ...(command.payload as object), changes: { body: { from: "" } } } } as TwinEvent;
    const requests = await requestsDuring(h, () => h!.deliver(other));
    expect(requests.length).toBeGreaterThan(0);
    expect(botReplies(h, tracking)).toHaveLength(1);
  });
});

describe.skipIf(!!redisSkipReason)(`a redelivered webhook, replicas sharing Redis${redisSkipReason ? ` (skipped: ${redisSkipReason})` : ""}`, () => {
  let redis: RedisServer;
  const stores: RedisDeliveryStore[] = [];
  beforeAll(async () => {
    redis = await testRedis();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("costs no request on the replica it reaches when another replica handled it", async () => {
    const prefix = uniqueName("delivery");
    const store = () => {
      const s = new RedisDeliveryStore({ redisUrl: redis.url, prefix });
      stores.push(s);
      return s;
    };
    h = harness({ deliveries: store() });
    const { tracking, command } = await commandAnswered(h);
    // another replica (its own process, its own queue), with the bot's login known as the server knows it
    const replica = h.replica({ deliveries: store(), botLogin: await h.app.botLogin() });
    const requests = await requestsDuring(h, () => replica.deliver(command));
    expect(requests).toEqual([]);
    expect(botReplies(h, tracking)).toHaveLength(1);
  });
});
