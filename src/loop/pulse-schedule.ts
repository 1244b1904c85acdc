/**
 * When the pulse ticks. The tick (the lead's code) enqueues every active
 * mission; this module only decides when, and who:
 *
 * - one process (no Redis): a timer in the process; the first tick at start,
 *   then one every `everyMs`; a tick still running when the next is due
 *   makes that one skipped, never doubled.
 * - several replicas sharing Redis: a BullMQ job scheduler, upserted by
 *   every replica under one id ("pulse"), puts one job per period in the
 *   queue `<name>-pulse`; each replica runs a worker of concurrency 1 on it,
 *   and a job is taken by exactly one worker, so exactly one replica ticks
 *   per period. The period's id is the job's id (`repeat:pulse:<ms>`), the
 *   same in every replica. A replica that dies mid-tick leaves its job to
 *   another after `lockMs` (a tick only enqueues, so a repeat is harmless).
 *   Upserting is idempotent: replicas that start later keep the schedule.
 *   Closing a replica leaves the schedule for the others; when every replica
 *   is gone, the one pending job waits in Redis for the next start.
 */
import type { Queue, Worker } from "bullmq";

export interface PulsePeriod {
  /** the same for every replica that sees this period; different for each period */
  id: string;
}

export type PulseTick = (period: PulsePeriod) => Promise<void>;

export interface PulseSchedule {
  /** Tick every `everyMs` (once per schedule). */
  start(everyMs: number, tick: PulseTick): void;
  /** Stop ticking; waits for a tick that is running. */
  close(): Promise<void>;
}

export interface PulseScheduleOptions {
  /** Redis shared by the replicas; without it, a timer in this process */
  redisUrl?: string;
  /** BullMQ queue name stem: the schedule's queue is `<name>-pulse` (default "reconcile") */
  name?: string;
  /** first part of every Redis key (default "mission-bot") */
  prefix?: string;
  /** a tick that threw, or a Redis error */
  onError?: (error: unknown) => void;
  /** lease of a running tick (default 30 s) */
  lockMs?: number;
  /** how often a replica looks for ticks whose replica died (default 30 s) */
  stalledCheckMs?: number;
}

export class TimerPulseSchedule implements PulseSchedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private periods = 0;
  private closed = false;

  constructor(private readonly onError: (error: unknown) => void = (e) => console.warn("[mission-bot pulse]", e)) {}

  start(everyMs: number, tick: PulseTick): void {
    if (this.timer || this.closed) throw new Error("this pulse schedule has already started");
    const fire = () => {
      if (this.closed || this.running) return;
      const period = { id: String(++this.periods) };
      this.running = tick(period)
        .catch((error: unknown) => this.onError(error))
        .finally(() => (this.running = undefined));
    };
    this.timer = setInterval(fire, Math.max(1, everyMs));
    fire();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.running;
  }
}

export class RedisPulseSchedule implements PulseSchedule {
  private queue: Queue | undefined;
  private worker: Worker | undefined;
  private upserted: Promise<unknown> | undefined;
  private closed = false;
  private readonly name: string;
  private readonly prefix: string;

  constructor(private readonly options: PulseScheduleOptions & { redisUrl: string }) {
    this.name = `${options.name ?? "reconcile"}-pulse`;
    this.prefix = options.prefix ?? "mission-bot";
  }

  private error(error: unknown): void {
    if (this.options.onError) this.options.onError(error);
    else console.warn("[mission-bot pulse]", error);
  }

  /** BullMQ is loaded on start, so that importing this module costs nothing without Redis. */
  start(everyMs: number, tick: PulseTick): void {
    if (this.upserted || this.closed) throw new Error("this pulse schedule has already started");
    this.upserted = (async () => {
      const { Queue, Worker } = await import("bullmq");
      if (this.closed) return;
      const connection = { url: this.options.redisUrl };
      this.queue = new Queue(this.name, { prefix: this.prefix, connection: { ...connection, maxRetriesPerRequest: 2 } });
      this.queue.on("error", (e) => this.error(e));
      this.worker = new Worker(this.name, async (job) => tick({ id: String(job.id) }), {
        prefix: this.prefix,
        connection,
        concurrency: 1,
        lockDuration: this.options.lockMs ?? 30_000,
        stalledInterval: this.options.stalledCheckMs ?? 30_000,
      });
      this.worker.on("error", (e) => this.error(e));
      this.worker.on("failed", (_job, e) => this.error(e));
      await this.queue.upsertJobScheduler(
        "pulse",
        { every: Math.max(1, everyMs) },
        { name: "pulse", data: {}, opts: { removeOnComplete: true, removeOnFail: true } },
      );
    })().catch((e: unknown) => this.error(e));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.upserted;
    await this.worker?.close();
    await this.queue?.close();
  }
}

export function createPulseSchedule(options: PulseScheduleOptions = {}): PulseSchedule {
  const { redisUrl } = options;
  return redisUrl ? new RedisPulseSchedule({ ...options, redisUrl }) : new TimerPulseSchedule(options.onError);
}
