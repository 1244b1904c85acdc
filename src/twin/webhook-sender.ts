/**
 * Webhook deliveries over HTTP, as GitHub makes them (reference §9):
 *
 *   POST <app webhook URL>
 *   Content-Type: application/json
 *   User-Agent: GitHub-Hookshot/<version>
 *   X-GitHub-Event: issue_comment
 *   X-GitHub-Delivery: <GUID>                  (kept on a redelivery)
 *   X-GitHub-Hook-ID: <hook id>
 *   X-GitHub-Hook-Installation-Target-Type: integration
 *   X-GitHub-Hook-Installation-Target-ID: <app id>
 *   X-Hub-Signature: sha1=<hex HMAC-SHA1(secret, body)>
 *   X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>
 *   <the payload, JSON>
 *
 * Only events for an installation of the app, of a kind the installation
 * subscribes to, are delivered (GitHub sends an App nothing else). A
 * delivery that gets no answer within `timeoutMs` (GitHub: 10 s) is recorded
 * as failed; GitHub does not retry it on its own.
 *
 *   const sender = new WebhookSender({ twin, url: `${app}/api/github/webhooks`, secret });
 *   twin.as("alice").comment(1, "/mission …");   // recorded by the twin
 *   await sender.pump();                           // delivered, and everything it causes, until quiet
 *
 * Faults (seeded, reproducible): `duplicate` (probability of delivering an
 * event twice, same delivery id), `reorder` (shuffle each batch), `lose`
 * (probability of never delivering an event); per delivery `signature:
 * "none" | "bad"` for security tests.
 *
 * Several replicas behind a load balancer: `urls` (a function, asked at each
 * delivery, so a replica that died is left out as a balancer's health check
 * would) gives the webhook URLs; each delivery goes to one of them at random
 * (seeded by `faults.seed`), a redelivery too, so the two copies of one event
 * may reach two replicas. `concurrency` deliveries are in flight at once
 * (default 1: one after the other, as the single-process suites expect).
 */
import { createHmac } from "node:crypto";
import type { GitHubTwin } from "./state.js";
import type { TwinEvent } from "./webhooks.js";

/** `sha256=<hex HMAC-SHA256(secret, body)>`, GitHub's X-Hub-Signature-256. */
export function signatureSha256(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** `sha1=<hex HMAC-SHA1(secret, body)>`, GitHub's legacy X-Hub-Signature (still sent). */
export function signatureSha1(secret: string, body: string | Buffer): string {
  return `sha1=${createHmac("sha1", secret).update(body).digest("hex")}`;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same faults. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type SignatureMode = "valid" | "none" | "bad";

export interface DeliveryFaults {
  /** probability (0–1) that an event is delivered twice (a redelivery: same X-GitHub-Delivery); true = always */
  duplicate?: number | boolean;
  /** shuffle each batch of events before delivering it */
  reorder?: boolean;
  /** probability (0–1) that an event is never delivered */
  lose?: number;
  /** PRNG seed (default 1) */
  seed?: number;
}

export interface WebhookSenderOptions {
  twin: GitHubTwin;
  /** the app's webhook URL, e.g. http://127.0.0.1:3000/api/github/webhooks */
  url: string;
  /** several replicas: the URLs to choose from at each delivery (default: `url` alone) */
  urls?: () => readonly string[];
  /** deliveries in flight at once during `pump` (default 1) */
  concurrency?: number;
  secret: string;
  /** X-GitHub-Hook-ID (default a fixed id) */
  hookId?: number;
  /** no answer within this long is a failed delivery (default 10 000, GitHub.com's limit) */
  timeoutMs?: number;
  faults?: DeliveryFaults;
  /** also queue the events the twin recorded before the sender existed (default false) */
  includeExisting?: boolean;
}

export interface DeliveryRecord {
  seq: number;
  /** X-GitHub-Delivery */
  guid: string;
  event: string;
  action: string;
  installationId: number | undefined;
  redelivery: boolean;
  signature: SignatureMode;
  /** where it was sent */
  url: string;
  /** HTTP status, or 0 when there was none (timeout, connection refused) */
  status: number;
  /** the response body (first 500 characters) */
  response: string;
  error?: string;
  /** epoch ms on the twin's clock when sent, and how long the answer took */
  at: number;
  ms: number;
}

export interface PumpOptions {
  /** stop as soon as this holds (checked after each delivery) */
  until?: () => boolean;
  /** at most this many deliveries (default 1000); reaching it with events left throws */
  max?: number;
}

const HOOKSHOT = "GitHub-Hookshot/6ea2a1f";

export class WebhookSender {
  readonly twin: GitHubTwin;
  readonly url: string;
  readonly hookId: number;
  readonly deliveries: DeliveryRecord[] = [];
  /** events dropped by the `lose` fault */
  readonly lost: TwinEvent[] = [];
  private readonly secret: string;
  private readonly timeoutMs: number;
  private readonly faults: DeliveryFaults;
  private readonly random: () => number;
  /** which replica gets a delivery: a PRNG of its own, so the faults' draws stay what they were */
  private readonly pick: () => number;
  private readonly urls: (() => readonly string[]) | undefined;
  private readonly concurrency: number;
  private readonly queue: TwinEvent[] = [];
  private readonly unsubscribe: () => void;

  constructor(options: WebhookSenderOptions) {
    this.twin = options.twin;
    this.url = options.url;
    this.secret = options.secret;
    this.hookId = options.hookId ?? 512_384_201;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.faults = options.faults ?? {};
    this.random = prng(this.faults.seed ?? 1);
    this.pick = prng((this.faults.seed ?? 1) ^ 0x5bd1e995);
    this.urls = options.urls;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    if (options.includeExisting) this.queue.push(...this.twin.events);
    this.unsubscribe = this.twin.onEvent((e) => this.queue.push(e));
  }

  /** Events recorded and not yet delivered (or dropped). */
  get pending(): readonly TwinEvent[] {
    return this.queue;
  }

  /** Stop queueing the twin's events. */
  stop(): void {
    this.unsubscribe();
  }

  /** Whether GitHub would deliver this event to the app at all. */
  deliverable(e: TwinEvent): boolean {
    if (e.installationId === undefined) return false;
    const inst = this.twin.installations.get(e.installationId);
    return !!inst && inst.events.includes(e.name);
  }

  /** The exact body and headers GitHub would send for this event. */
  request(e: TwinEvent, signature: SignatureMode = "valid"): { body: string; headers: Record<string, string> } {
    const body = JSON.stringify(e.payload);
    const headers: Record<string, string> = {
      accept: "*/*",
      "content-type": "application/json",
      "user-agent": HOOKSHOT,
      "x-github-event": e.name,
      "x-github-delivery": e.id,
      "x-github-hook-id": String(this.hookId),
      "x-github-hook-installation-target-type": "integration",
      "x-github-hook-installation-target-id": String(this.twin.app.id),
    };
    if (signature !== "none") {
      const secret = signature === "bad" ? `${this.secret}-wrong` : this.secret;
      headers["x-hub-signature"] = signatureSha1(secret, body);
      headers["x-hub-signature-256"] = signatureSha256(secret, body);
    }
    return { body, headers };
  }

  /** POST one event to the app; the record is also kept in `deliveries`. */
  async deliver(e: TwinEvent, options: { signature?: SignatureMode; redelivery?: boolean; url?: string } = {}): Promise<DeliveryRecord> {
    const signature = options.signature ?? "valid";
    const url = options.url ?? this.target();
    const { body, headers } = this.request(e, signature);
    const at = this.twin.now();
    const started = performance.now();
    const record: DeliveryRecord = {
      seq: this.deliveries.length + 1,
      guid: e.id,
      event: e.name,
      action: e.action,
      installationId: e.installationId,
      redelivery: options.redelivery ?? this.deliveries.some((d) => d.guid === e.id),
      signature,
      url,
      status: 0,
      response: "",
      at,
      ms: 0,
    };
    try {
      const res = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
      record.status = res.status;
      record.response = (await res.text()).slice(0, 500);
    } catch (err) {
      const e2 = err as Error & { cause?: { code?: string } };
      record.error = e2.name === "TimeoutError" ? `timed out after ${this.timeoutMs} ms` : (e2.cause?.code ?? e2.message);
    }
    record.ms = performance.now() - started;
    this.deliveries.push(record);
    return record;
  }

  /** The URL the next delivery goes to: `url`, or one of `urls()` at random. */
  private target(): string {
    const urls = this.urls?.() ?? [];
    if (!urls.length) return this.url;
    return urls[Math.floor(this.pick() * urls.length)]!;
  }

  /** Deliver an event again (GitHub's "Redeliver": the same X-GitHub-Delivery). */
  redeliver(guidOrEvent: string | TwinEvent): Promise<DeliveryRecord> {
    const e = typeof guidOrEvent === "string" ? this.twin.events.find((x) => x.id === guidOrEvent) ?? this.lost.find((x) => x.id === guidOrEvent) : guidOrEvent;
    if (!e) throw new Error(`twin: no recorded event with delivery id ${String(guidOrEvent)}`);
    return this.deliver(e, { redelivery: true });
  }

  /**
   * Deliver the queued events, in batches, until GitHub is quiet: each batch
   * is every event recorded so far; what the app does while handling it (and
   * what the test's simulated runners do — `twin.actions.settled()`) records
   * the next batch. Faults apply per batch. Returns the deliveries made.
   */
  async pump(options: PumpOptions = {}): Promise<DeliveryRecord[]> {
    const max = options.max ?? 1000;
    const made: DeliveryRecord[] = [];
    for (;;) {
      await this.twin.actions.settled();
      const batch = this.queue.splice(0).filter((e) => this.deliverable(e));
      if (!batch.length) return made;
      const planned: Array<{ e: TwinEvent; redelivery: boolean }> = [];
      for (const e of batch) {
        if (this.faults.lose && this.random() < this.faults.lose) {
          this.lost.push(e);
          continue;
        }
        planned.push({ e, redelivery: false });
        const dup = this.faults.duplicate === true ? 1 : (this.faults.duplicate || 0);
        if (dup && this.random() < dup) planned.push({ e, redelivery: true });
      }
      if (this.faults.reorder) {
        for (let i = planned.length - 1; i > 0; i--) {
          const j = Math.floor(this.random() * (i + 1));
          [planned[i], planned[j]] = [planned[j]!, planned[i]!];
        }
      }
      // `concurrency` at a time, in the planned order; `until` and `max` stop the taking of more
      let next = 0;
      let inFlight = 0;
      let stop: "until" | "max" | undefined;
      const lane = async () => {
        while (!stop && next < planned.length) {
          if (made.length + inFlight >= max) {
            stop = "max";
            break;
          }
          const { e, redelivery } = planned[next++]!;
          inFlight++;
          const record = await this.deliver(e, { redelivery });
          inFlight--;
          made.push(record);
          if (!stop && options.until?.()) stop = "until";
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.concurrency, planned.length) }, lane));
      if (stop) this.queue.unshift(...planned.slice(next).filter((p) => !p.redelivery).map((p) => p.e));
      if (stop === "max" && next < planned.length) throw new Error(`twin: GitHub did not go quiet within ${max} deliveries`);
      if (stop === "until") return made;
    }
  }
}
