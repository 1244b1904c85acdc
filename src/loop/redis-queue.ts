/**
 * The queue shared by several processes or machines through one Redis (see
 * queue.ts for the guarantees), built on BullMQ. One BullMQ job stands for
 * "reconcile this mission once more"; its deduplication id is the mission's
 * key (jobKey), in BullMQ's `keepLastIfActive` mode.
 *
 * How each guarantee is met:
 *
 * - One run of a key at a time. While a job of a key exists (waiting,
 *   delayed or active) its deduplication key `<prefix>:<name>:de:<key>`
 *   names it, and an add with the same id creates no second job; only the
 *   worker holding the job's lock (`<job>:lock`, SET PX `lockMs`, renewed
 *   every lockMs/2 while the work runs) may finish or move it. So the lease
 *   is BullMQ's job lock, and there is never a second job of the key to run.
 * - No lost wake-up. An add while the key's job is *active* is stored as
 *   the key's "next" (`de:<key>` stays, `dn:<key>` holds the latest job
 *   data), and BullMQ's moveToFinished script — the one that ends the run —
 *   deletes the deduplication key and creates the next job from `dn:<key>`
 *   in the same Lua script. Redis runs a script atomically, so an enqueue
 *   lands either before it (the add sees an active job: stored as next, run
 *   once after) or after it (the add sees no job: a new job). There is no
 *   moment between "the run ended" and "the key is free" in which an add is
 *   dropped. (A hand-made dirty flag checked when the run ends has exactly
 *   that window: check → enqueue sets the flag, its add is ignored because
 *   the job is still active → the job completes → the flag is never seen.)
 * - Coalescing. An add while the key's job waits or is delayed is ignored:
 *   that run has not started, so it will read what the enqueue announced.
 *   N adds while active are one next run (the last data wins).
 * - Failures. A throwing work fails the BullMQ attempt: `attempts` tries in
 *   all, `backoffMs · 2^(n-1)` apart (BullMQ's exponential back-off, the job
 *   waiting in the delayed set). News during a failure's back-off joins the
 *   retry (the memory queue instead runs at once; both run after the news).
 *   A wake-up stored while a try was active is created when the job ends for
 *   good (retries exhausted or success).
 * - RetryLater(ms). The work's job moves to the delayed set for `ms` with
 *   BullMQ's moveToDelayed(skipAttempt) and DelayedError: no attempt is
 *   counted, onError is not called, and an enqueue meanwhile finds the job
 *   delayed and is ignored, so the wait is not cut short.
 * - A process killed mid-job. Its lock is no longer renewed and expires
 *   after `lockMs`; every `stalledCheckMs` some live worker's stalled check
 *   moves jobs that are active without a lock back to wait, where another
 *   process takes them (the same job, still holding the key's deduplication
 *   key, so still one run at a time). After `maxStalls` such recoveries the
 *   job is failed (onError, willRetry false): a mission that kills its
 *   worker every time stops being retried until the next event or pulse.
 * - Redis restarts. The queue holds no state that GitHub does not also
 *   hold: a job is only "reconcile mission N", and the pulse re-enqueues
 *   every active mission. Redis runs without persistence (CI does); after a
 *   restart the waiting and delayed jobs are gone until the next event or
 *   pulse, BullMQ's connections reconnect by themselves, and a run in flight
 *   finishes its work (GitHub is written, markers make it idempotent) but
 *   cannot mark its job done.
 *
 * Limits (said plainly):
 * - The lease is only as good as `lockMs` against the longest stall of a
 *   worker's event loop or its link to Redis: a worker cut off from Redis
 *   for longer than `lockMs` while its work still runs may see another
 *   process start the same key. Apply is idempotent (markers, mission.md's
 *   sha precondition), so the overlap costs requests, not duplicates.
 *   Likewise while Redis restarts, a run in flight and a new run may
 *   overlap once.
 * - All processes sharing a queue must agree on `name`, `prefix` and on
 *   attempts/backoff (they travel with each job, from its enqueuer).
 */
import { DelayedError, Queue, Worker, type Job } from "bullmq";
import { jobKey, RetryLater, type JobWork, type MissionQueue, type QueueOptions, type ReconcileJob } from "./queue.js";

export interface RedisQueueOptions extends QueueOptions {
  /** redis://[user:password@]host:port[/db] (rediss:// for TLS) */
  redisUrl: string;
  /** the BullMQ queue's name; processes that share work use the same (default "reconcile") */
  name?: string;
  /** first part of every Redis key (default "mission-bot"), so one Redis can hold several deployments */
  prefix?: string;
  /** lease of a running job: its lock lasts this long and is renewed every half (default 30 s) */
  lockMs?: number;
  /** how often each worker looks for jobs whose lease expired (default 30 s) */
  stalledCheckMs?: number;
  /** times a job may be recovered from a dead worker before it is failed (default 2) */
  maxStalls?: number;
  /** how often idle() asks Redis whether the queue is empty (default 50 ms) */
  idlePollMs?: number;
  /** Redis connection errors (reconnects are automatic); default: console.warn */
  onRedisError?: (error: Error) => void;
}

const JOB_NAME = "reconcile";

export class RedisQueue implements MissionQueue {
  readonly name: string;
  readonly prefix: string;
  private readonly queue: Queue<ReconcileJob>;
  private worker: Worker<ReconcileJob> | undefined;
  private running = 0;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly connection: { url: string };
  /** errors already given to onError by the processor (the worker's "failed" event reports the others) */
  private readonly reported = new WeakSet<object>();

  constructor(private readonly options: RedisQueueOptions) {
    this.name = options.name ?? "reconcile";
    this.prefix = options.prefix ?? "mission-bot";
    this.attempts = Math.max(1, options.attempts ?? 5);
    this.backoffMs = options.backoffMs ?? 5_000;
    this.connection = { url: options.redisUrl };
    this.queue = new Queue<ReconcileJob>(this.name, {
      prefix: this.prefix,
      // an enqueue (a webhook waiting for its 202) fails after a few reconnect tries instead of hanging while Redis is away
      connection: { ...this.connection, maxRetriesPerRequest: 2 },
    });
    this.queue.on("error", (error) => this.redisError(error));
  }

  async enqueue(job: ReconcileJob): Promise<void> {
    if (this.closed) return;
    const data: ReconcileJob = { owner: job.owner, repo: job.repo, issue: job.issue };
    if (job.installationId !== undefined) data.installationId = job.installationId;
    if (job.reason !== undefined) data.reason = job.reason;
    await this.queue.add(JOB_NAME, data, {
      deduplication: { id: jobKey(job), keepLastIfActive: true },
      attempts: this.attempts,
      backoff: { type: "exponential", delay: this.backoffMs },
      removeOnComplete: true,
      removeOnFail: true,
    });
  }

  process(work: JobWork): void {
    if (this.worker) throw new Error("this queue already has its worker");
    if (this.closed) throw new Error("this queue is closed");
    const lockMs = this.options.lockMs ?? 30_000;
    this.worker = new Worker<ReconcileJob>(this.name, (job, token) => this.run(work, job, token), {
      prefix: this.prefix,
      connection: this.connection,
      concurrency: Math.max(1, this.options.concurrency ?? 4),
      lockDuration: lockMs,
      stalledInterval: this.options.stalledCheckMs ?? 30_000,
      maxStalledCount: this.options.maxStalls ?? 2,
    });
    this.worker.on("error", (error) => this.redisError(error));
    this.worker.on("failed", (job, error) => {
      // failed without the processor seeing it: stalled too often, or the lock was lost
      if (job && !this.reported.has(error)) this.report(job.data, error, false);
    });
  }

  private async run(work: JobWork, job: Job<ReconcileJob>, token: string | undefined): Promise<void> {
    this.running++;
    try {
      await work(job.data);
    } catch (error) {
      if (error instanceof RetryLater) {
        // the same job, delayed; skipAttempt: a rate limit is no failure
        await job.moveToDelayed(Date.now() + Math.max(0, error.ms), token);
        throw new DelayedError();
      }
      const willRetry = job.attemptsMade + 1 < (job.opts.attempts ?? 1);
      if (error !== null && typeof error === "object") this.reported.add(error);
      this.report(job.data, error, willRetry);
      throw error;
    } finally {
      this.running--;
    }
  }

  /** Resolves once this queue (and its worker, if any) is connected to Redis: a server can await it before it listens. */
  async ready(): Promise<void> {
    await this.queue.waitUntilReady();
    await this.worker?.waitUntilReady();
  }

  /**
   * Resolves when this process runs nothing and the shared queue has nothing
   * waiting, delayed or running (in any process): everything enqueued so far
   * has been worked.
   */
  async idle(): Promise<void> {
    const poll = this.options.idlePollMs ?? 50;
    for (;;) {
      if (this.closed) {
        if (this.running === 0) return;
      } else if (this.running === 0) {
        const counts = await this.queue.getJobCounts("active", "wait", "delayed", "prioritized", "waiting-children");
        if (Object.values(counts).every((n) => n === 0) && this.running === 0) return;
      }
      await new Promise((resolve) => setTimeout(resolve, poll));
    }
  }

  /** Whether any job is running here, or waiting, delayed or running in the shared queue. */
  async busy(): Promise<boolean> {
    if (this.running > 0) return true;
    if (this.closed) return false;
    const counts = await this.queue.getJobCounts("active", "wait", "delayed", "prioritized", "waiting-children");
    return Object.values(counts).some((n) => n > 0);
  }

  /** Stops taking jobs and waits for the running ones; jobs waiting or delayed stay in Redis for the other processes. */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= (async () => {
      await this.worker?.close();
      await this.queue.close();
    })();
    return this.closing;
  }

  private report(job: ReconcileJob, error: unknown, willRetry: boolean): void {
    try {
      this.options.onError?.(job, error, willRetry);
    } catch {
      // a failing report changes nothing about the job
    }
  }

  private redisError(error: Error): void {
    if (this.options.onRedisError) this.options.onRedisError(error);
    else console.warn(`[mission-bot queue] Redis: ${error.message}`);
  }
}
