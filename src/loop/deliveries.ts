/**
 * Deliveries already handled cost nothing. GitHub sends the same
 * `X-GitHub-Delivery` GUID again when a delivery is redelivered ("If you
 * request a redelivery, the X-GitHub-Delivery header will be the same as in
 * the original delivery": docs "Best practices for using webhooks", "Use the
 * X-GitHub-Delivery header"), and the GUID names the event, not one delivery
 * of it — two Apps can receive different payloads under one GUID
 * (github/docs#32822, clarified by github/docs#33184). So an event is known
 * by its GUID *and* a hash of its body, and here by the mission it names.
 *
 * When is an event handled? When a reconcile job of its mission that
 * *started after* the event's first delivery arrived has *completed without
 * error*: that job read GitHub after the event happened, and did what it
 * called for. Until then every delivery of it is enqueued as any other (a
 * job that crashed, failed, met a refusal or is still waiting loses nothing:
 * the loop stays level-triggered, DESIGN.md "The one loop").
 *
 * How, without clocks: per mission, a count of jobs started (`started`) and
 * the highest start number of a job that completed without error (`done`).
 * The first delivery of an event records the mission's `started` count at
 * its arrival; the event is handled once `done` exceeds it. Each step is
 * atomic in its store (one Redis script; one synchronous step in memory), so
 * a job counted after the arrival also loaded after it.
 *
 * A mission's two counts live and expire together, under an "era" drawn when
 * they are made: a store that forgets them (evicted, expired, a Redis
 * restarted without persistence) starts both again at 0 in a new era, where
 * an older arrival waits for a newer job, and a job started in the old era
 * counts nothing when it ends. Records are kept at most 3 days — GitHub redelivers
 * deliveries of the past 3 days only (docs "Redelivering webhooks") — and,
 * in memory, at most `max` of them.
 */
import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import { z } from "zod";
import { jobKey, type ReconcileJob } from "./queue.js";
import { messageOf } from "../github/client.js";

/** GitHub lets a delivery be redelivered for 3 days: no record is kept longer. */
export const DELIVERY_RECORD_MS = 3 * 24 * 3600_000;
/** Records (and missions' counts) kept in memory by default. */
export const DELIVERY_RECORD_MAX = 10_000;

export interface DeliveryStore {
  /**
   * A delivery of `event` for `mission` arrived: records the first arrival
   * (a later one keeps it), and says whether a job that started after that
   * first arrival has completed without error since.
   */
  arrive(event: string, mission: string): Promise<boolean>;
  /** A job of `mission` starts: its start, as `complete` wants it back. */
  start(mission: string): Promise<string>;
  /** The job that got `started` completed without error. */
  complete(mission: string, started: string): Promise<void>;
}

interface Counts {
  era: number;
  started: number;
  done: number;
}

/** In this process only (the default): bounded in number, each record kept at most 3 days. */
export class MemoryDeliveryStore implements DeliveryStore {
  private readonly events: LRUCache<string, number>;
  private readonly missions: LRUCache<string, Counts>;
  private eras = 0;
  constructor(max = DELIVERY_RECORD_MAX) {
    this.events = new LRUCache({ max, ttl: DELIVERY_RECORD_MS });
    this.missions = new LRUCache({ max, ttl: DELIVERY_RECORD_MS });
  }
  private counts(mission: string): Counts {
    let c = this.missions.get(mission);
    if (!c) this.missions.set(mission, (c = { era: ++this.eras, started: 0, done: 0 }));
    return c;
  }
  async arrive(event: string, mission: string): Promise<boolean> {
    const c = this.counts(mission);
    const arrived = this.events.get(event);
    if (arrived === undefined) {
      this.events.set(event, c.started);
      return false;
    }
    return c.done > arrived;
  }
  async start(mission: string): Promise<string> {
    const c = this.counts(mission);
    return `${c.era}:${++c.started}`;
  }
  async complete(mission: string, started: string): Promise<void> {
    const c = this.missions.get(mission);
    const [era, n] = started.split(":").map(Number);
    if (c && c.era === era && n !== undefined && n > c.done) c.done = n;
  }
}

/** What one delivery is: its GUID, and its body as Probot parsed it (after checking its signature). */
export interface Delivery {
  id: string;
  payload: unknown;
}

/** The record's key: the GUID, a hash of the body, and the mission the delivery names. */
export function eventKey(delivery: Delivery, job: ReconcileJob): string {
  const body = createHash("sha256").update(JSON.stringify(delivery.payload) ?? "").digest("base64url");
  return createHash("sha256").update(`${delivery.id}\n${body}\n${jobKey(job)}`).digest("base64url").slice(0, 32);
}

const GUID = z.string().min(1).max(200);

interface Log {
  warn(message: string): void;
}

/**
 * A delivery routed to `job`: enqueue it unless its event was handled already.
 * A store that cannot answer costs the job it would have saved, nothing else.
 */
export async function admitDelivery(store: DeliveryStore, delivery: Delivery, job: ReconcileJob, enqueue: (job: ReconcileJob) => Promise<void>, log?: Log): Promise<boolean> {
  let handled = false;
  // the X-GitHub-Delivery header, as Probot passed it on after checking the signature: a GUID, or no record at all
  if (GUID.safeParse(delivery.id).success) {
    handled = await store.arrive(eventKey(delivery, job), jobKey(job)).catch((error: unknown) => {
      log?.warn(`delivery record of ${jobKey(job)}: ${messageOf(error)}`);
      return false;
    });
  }
  if (!handled) await enqueue(job);
  return !handled;
}

/**
 * Run one job's work, counted: `work` resolves with whether the job did all an
 * event asks (false: a refusal, tried again on the next event); a throw
 * (failure, RetryLater) counts nothing.
 */
export async function recordedRun(store: DeliveryStore, job: ReconcileJob, work: () => Promise<boolean>, log?: Log): Promise<void> {
  const mission = jobKey(job);
  const started = await store.start(mission).catch((error: unknown) => {
    log?.warn(`delivery record of ${mission}: ${messageOf(error)}`);
    return undefined;
  });
  const complete = await work();
  if (complete && started !== undefined) await store.complete(mission, started).catch((error: unknown) => log?.warn(`delivery record of ${mission}: ${messageOf(error)}`));
}

