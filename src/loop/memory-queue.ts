/**
 * The in-process queue (see queue.ts for the guarantees): the default when
 * no Redis is configured, and how a single Actions run works its jobs. One
 * process only: two processes with a memory queue each are two writers.
 */
import { jobKey, RetryLater, type JobWork, type MissionQueue, type QueueOptions, type ReconcileJob } from "./queue.js";

interface Entry {
  job: ReconcileJob;
  /** waiting for a free slot */
  queued: boolean;
  running: boolean;
  /** enqueued again while running: run once more after */
  again: boolean;
  /** failed tries in a row */
  failures: number;
  timer?: NodeJS.Timeout;
  /** the timer is a RetryLater wait (GitHub said "not now"): news does not cut it short */
  cooling?: boolean;
}

export class MemoryQueue implements MissionQueue {
  private readonly entries = new Map<string, Entry>();
  private readonly ready: string[] = [];
  private work: JobWork | undefined;
  private running = 0;
  private closed = false;
  private waiters: Array<() => void> = [];
  private readonly concurrency: number;
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(private readonly options: QueueOptions = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.attempts = Math.max(1, options.attempts ?? 5);
    this.backoffMs = options.backoffMs ?? 5_000;
  }

  async enqueue(job: ReconcileJob): Promise<void> {
    if (this.closed) return;
    const key = jobKey(job);
    const entry = this.entries.get(key);
    if (!entry) {
      this.entries.set(key, { job, queued: true, running: false, again: false, failures: 0 });
      this.ready.push(key);
    } else if (entry.running) {
      entry.again = true;
      entry.job = job;
    } else if (!entry.queued && entry.timer && !entry.cooling) {
      // waiting out a failure's back-off: an event is news, run as soon as a slot is free
      clearTimeout(entry.timer);
      delete entry.timer;
      entry.queued = true;
      this.ready.push(key);
    }
    this.pump();
  }

  process(work: JobWork): void {
    if (this.work) throw new Error("this queue already has its worker");
    this.work = work;
    this.pump();
  }

  idle(): Promise<void> {
    if (!this.entries.size) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async busy(): Promise<boolean> {
    return this.entries.size > 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.entries.values()) {
      if (entry.timer) clearTimeout(entry.timer);
      delete entry.timer;
    }
    for (const [key, entry] of this.entries) if (!entry.running) this.entries.delete(key);
    this.ready.length = 0;
    // whoever awaits idle() for the jobs just dropped is released now, not at the next run's end
    this.settle();
    await this.idle();
  }

  private pump(): void {
    if (!this.work) return;
    while (this.running < this.concurrency && this.ready.length) {
      const key = this.ready.shift()!;
      const entry = this.entries.get(key);
      if (!entry || !entry.queued) continue;
      entry.queued = false;
      entry.running = true;
      entry.again = false;
      this.running++;
      void this.run(key, entry);
    }
    this.settle();
  }

  private async run(key: string, entry: Entry): Promise<void> {
    let retryIn: number | undefined;
    let cooling = false;
    try {
      await this.work!(entry.job);
      entry.failures = 0;
    } catch (error) {
      if (error instanceof RetryLater) {
        retryIn = Math.max(0, error.ms);
        cooling = true;
      } else {
        entry.failures++;
        const willRetry = entry.failures < this.attempts && !this.closed;
        try {
          this.options.onError?.(entry.job, error, willRetry);
        } catch {
          // a failing report must not leave the mission marked running for ever
        }
        if (willRetry) retryIn = this.backoffMs * 2 ** (entry.failures - 1);
      }
    }
    entry.running = false;
    this.running--;
    if (this.closed) {
      this.entries.delete(key);
    } else if (entry.again && !cooling) {
      // news arrived while it ran: once more, now (a failure's back-off yields to news)
      entry.queued = true;
      this.ready.push(key);
    } else if (retryIn !== undefined) {
      entry.cooling = cooling;
      entry.again = false;
      entry.timer = setTimeout(() => {
        delete entry.timer;
        entry.cooling = false;
        entry.queued = true;
        this.ready.push(key);
        this.pump();
      }, retryIn);
      entry.timer.unref?.();
    } else {
      this.entries.delete(key);
    }
    this.pump();
  }

  private settle(): void {
    if (this.entries.size || !this.waiters.length) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
