/**
 * The queue contract (src/loop/queue.ts), as behaviour a user would notice,
 * run against every implementation: memory-queue.test.ts and
 * redis-queue.test.ts call `queueContract` with a maker of fresh queues.
 *
 * Nothing here reads a clock or asserts a duration: runs are held open by
 * gates the test releases, and order is read from one event log.
 */
import { afterEach, describe, expect, it } from "vitest";
import { jobKey, RetryLater, type JobWork, type MissionQueue, type QueueOptions, type ReconcileJob } from "../../src/loop/queue.js";

export type MakeQueue = (options: QueueOptions) => Promise<MissionQueue> | MissionQueue;

export interface ContractOptions {
  /** a RetryLater wait long enough for another job to run meanwhile, short enough to wait out */
  retryLaterMs: number;
}

export function mission(issue: number, reason?: string): ReconcileJob {
  return { installationId: 7, owner: "acme", repo: "crm", issue, ...(reason ? { reason } : {}) };
}

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Wait until `condition` holds (the test's own timeout bounds it). */
export async function until(condition: () => boolean, step = 5): Promise<void> {
  while (!condition()) await pause(step);
}

type Event = { type: "start" | "end" | "fail" | "mark"; key: string; run?: number; label?: string };

/** Work that logs its runs, counts overlap per key, and can be held open or made to throw per run. */
export class Recorder {
  readonly log: Event[] = [];
  private readonly active = new Map<string, number>();
  private readonly runs = new Map<string, number>();
  maxOverlap = 0;
  maxConcurrent = 0;
  private concurrent = 0;
  readonly jobs: ReconcileJob[] = [];
  /** per key and run number (1-based): what the run does after it starts */
  behaviour: (key: string, run: number) => Promise<void> | void = () => pause(2);

  readonly work: JobWork = async (job) => {
    const key = jobKey(job);
    const run = (this.runs.get(key) ?? 0) + 1;
    this.runs.set(key, run);
    this.jobs.push(job);
    const overlap = (this.active.get(key) ?? 0) + 1;
    this.active.set(key, overlap);
    this.maxOverlap = Math.max(this.maxOverlap, overlap);
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    this.log.push({ type: "start", key, run });
    try {
      await this.behaviour(key, run);
      this.log.push({ type: "end", key, run });
    } catch (error) {
      this.log.push({ type: "fail", key, run });
      throw error;
    } finally {
      this.active.set(key, (this.active.get(key) ?? 1) - 1);
      this.concurrent--;
    }
  };

  runsOf(job: ReconcileJob): number {
    return this.runs.get(jobKey(job)) ?? 0;
  }
  started(job: ReconcileJob): number {
    return this.log.filter((e) => e.type === "start" && e.key === jobKey(job)).length;
  }
  finished(job: ReconcileJob): number {
    return this.log.filter((e) => e.type !== "start" && e.type !== "mark" && e.key === jobKey(job)).length;
  }
  mark(label: string): void {
    this.log.push({ type: "mark", key: "", label });
  }
  /** the log as short strings: "start #1 r1", "end #1 r1", "mark x" */
  trace(): string[] {
    return this.log.map((e) => (e.type === "mark" ? `mark ${e.label}` : `${e.type} ${e.key.replace(/^.*#/, "#")} r${e.run}`));
  }
}

export function queueContract(label: string, make: MakeQueue, contract: ContractOptions): void {
  describe(`queue contract: ${label}`, () => {
    const queues: MissionQueue[] = [];
    const open = async (options: QueueOptions = {}) => {
      const q = await make(options);
      queues.push(q);
      return q;
    };
    afterEach(async () => {
      await Promise.all(queues.splice(0).map((q) => q.close()));
    });

    it("runs an enqueued job once, with the job's data", async () => {
      const q = await open();
      const rec = new Recorder();
      q.process(rec.work);
      await q.enqueue(mission(1, "issues.opened"));
      await q.idle();
      expect(rec.trace()).toEqual(["start #1 r1", "end #1 r1"]);
      expect(rec.jobs).toEqual([mission(1, "issues.opened")]);
    });

    it("an enqueue while the mission runs causes exactly one more run, which starts after the first ends", async () => {
      const q = await open();
      const rec = new Recorder();
      const gate = deferred();
      rec.behaviour = (_key, run) => (run === 1 ? gate.promise : pause(2));
      q.process(rec.work);
      await q.enqueue(mission(1));
      await until(() => rec.started(mission(1)) === 1);
      rec.mark("news");
      await Promise.all([q.enqueue(mission(1, "a")), q.enqueue(mission(1, "b")), q.enqueue(mission(1, "c"))]);
      gate.resolve();
      await until(() => rec.finished(mission(1)) === 2);
      await q.idle();
      expect(rec.trace()).toEqual(["start #1 r1", "mark news", "end #1 r1", "start #1 r2", "end #1 r2"]);
      expect(rec.maxOverlap).toBe(1);
    });

    it("enqueues while the mission waits for a slot are one run", async () => {
      const q = await open({ concurrency: 1 });
      const rec = new Recorder();
      const gate = deferred();
      rec.behaviour = (key) => (key === jobKey(mission(1)) ? gate.promise : pause(2));
      // before any worker: five deliveries for #3 wait together
      for (let i = 0; i < 5; i++) await q.enqueue(mission(3));
      await q.enqueue(mission(1));
      q.process(rec.work);
      await until(() => rec.started(mission(1)) === 1);
      // while #1 holds the only slot, ten deliveries for #2 wait together
      await Promise.all(Array.from({ length: 10 }, () => q.enqueue(mission(2))));
      gate.resolve();
      await until(() => rec.finished(mission(2)) >= 1 && rec.finished(mission(3)) >= 1);
      await q.idle();
      expect(rec.runsOf(mission(1))).toBe(1);
      expect(rec.runsOf(mission(2))).toBe(1);
      expect(rec.runsOf(mission(3))).toBe(1);
    });

    it("a mission never runs twice at once under a stream of duplicated enqueues, and its last run starts after its last enqueue", async () => {
      const q = await open({ concurrency: 4 });
      const rec = new Recorder();
      rec.behaviour = () => pause(3);
      q.process(rec.work);
      const keys = [1, 2, 3];
      const lastEnqueue = new Map<number, number>();
      for (let round = 0; round < 15; round++) {
        const batch: Array<Promise<void>> = [];
        for (const issue of keys) {
          for (let d = 0; d < 3; d++) {
            rec.mark(`enqueue ${issue}`);
            lastEnqueue.set(issue, rec.log.length - 1);
            batch.push(q.enqueue(mission(issue)));
          }
        }
        await Promise.all(batch);
        await pause(round % 3);
      }
      await q.idle();
      expect(rec.maxOverlap).toBe(1);
      for (const issue of keys) {
        const lastStart = rec.log.findLastIndex((e) => e.type === "start" && e.key === jobKey(mission(issue)));
        expect(lastStart, `#${issue}: a run after the last enqueue`).toBeGreaterThan(lastEnqueue.get(issue)!);
        // coalescing: 45 enqueues of a mission are far fewer runs
        expect(rec.runsOf(mission(issue))).toBeLessThan(30);
      }
    });

    it("different missions run at once, up to `concurrency`", async () => {
      const q = await open({ concurrency: 3 });
      const rec = new Recorder();
      const gates = new Map<string, ReturnType<typeof deferred>>();
      rec.behaviour = (key) => {
        const g = deferred();
        gates.set(key, g);
        return g.promise;
      };
      q.process(rec.work);
      for (let issue = 1; issue <= 5; issue++) await q.enqueue(mission(issue));
      await until(() => gates.size === 3);
      // the first three hold every slot; free them one by one
      while (rec.log.filter((e) => e.type === "end").length < 5) {
        const open = [...gates.entries()].find(([key]) => !rec.log.some((e) => e.type === "end" && e.key === key));
        if (open) open[1].resolve();
        await pause(2);
      }
      await q.idle();
      expect(rec.maxConcurrent).toBe(3);
      for (let issue = 1; issue <= 5; issue++) expect(rec.runsOf(mission(issue))).toBe(1);
    });

    it("a failing job is tried `attempts` times with back-off, then dropped with onError; the mission runs again on the next enqueue", async () => {
      const errors: Array<{ issue: number; message: string; willRetry: boolean }> = [];
      const q = await open({
        attempts: 3,
        backoffMs: 5,
        onError: (job, error, willRetry) => errors.push({ issue: job.issue, message: (error as Error).message, willRetry }),
      });
      const rec = new Recorder();
      let failing = true;
      rec.behaviour = () => {
        if (failing) throw new Error("GitHub answered 502");
      };
      q.process(rec.work);
      await q.enqueue(mission(4));
      await until(() => errors.length === 3);
      await q.idle();
      expect(errors).toEqual([
        { issue: 4, message: "GitHub answered 502", willRetry: true },
        { issue: 4, message: "GitHub answered 502", willRetry: true },
        { issue: 4, message: "GitHub answered 502", willRetry: false },
      ]);
      expect(rec.runsOf(mission(4))).toBe(3);
      failing = false;
      await q.enqueue(mission(4));
      await until(() => rec.finished(mission(4)) === 4);
      await q.idle();
      expect(rec.runsOf(mission(4))).toBe(4);
      expect(errors).toHaveLength(3);
    });

    it("a job that fails once and then succeeds runs twice and reports one retried failure", async () => {
      const errors: boolean[] = [];
      const q = await open({ attempts: 5, backoffMs: 5, onError: (_job, _error, willRetry) => errors.push(willRetry) });
      const rec = new Recorder();
      rec.behaviour = (_key, run) => {
        if (run === 1) throw new Error("socket hang up");
      };
      q.process(rec.work);
      await q.enqueue(mission(5));
      await until(() => rec.finished(mission(5)) === 2);
      await q.idle();
      expect(rec.trace()).toEqual(["start #5 r1", "fail #5 r1", "start #5 r2", "end #5 r2"]);
      expect(errors).toEqual([true]);
    });

    it("an onError that throws does not stop the mission from running again", async () => {
      const q = await open({
        attempts: 2,
        backoffMs: 5,
        onError: () => {
          throw new Error("the logger broke");
        },
      });
      const rec = new Recorder();
      rec.behaviour = (_key, run) => {
        if (run === 1) throw new Error("GitHub answered 500");
      };
      q.process(rec.work);
      await q.enqueue(mission(12));
      await until(() => rec.finished(mission(12)) === 2);
      await q.idle();
      await q.enqueue(mission(12));
      await until(() => rec.finished(mission(12)) === 3);
      await q.idle();
      expect(rec.trace()).toEqual(["start #12 r1", "fail #12 r1", "start #12 r2", "end #12 r2", "start #12 r3", "end #12 r3"]);
    });

    it("RetryLater runs the mission again later without counting a failure, and new enqueues do not cut the wait short", async () => {
      const errors: unknown[] = [];
      // one attempt: a RetryLater counted as a failure would drop the job
      const q = await open({ concurrency: 1, attempts: 1, onError: (_job, error) => errors.push(error) });
      const rec = new Recorder();
      rec.behaviour = (key, run) => {
        if (key === jobKey(mission(6)) && run === 1) throw new RetryLater(contract.retryLaterMs, "secondary rate limit");
        if (key === jobKey(mission(6)) && run <= 3) throw new RetryLater(1, "secondary rate limit");
      };
      q.process(rec.work);
      await q.enqueue(mission(6));
      await until(() => rec.finished(mission(6)) === 1);
      // news for #6 while it waits out the rate limit, then a probe: #7 runs, #6 still waits
      await Promise.all([q.enqueue(mission(6)), q.enqueue(mission(6)), q.enqueue(mission(6))]);
      await q.enqueue(mission(7));
      await until(() => rec.finished(mission(7)) === 1);
      expect(rec.runsOf(mission(6))).toBe(1);
      // then the wait ends: #6 runs (twice more told "not now", then done), once for all that news
      await until(() => rec.finished(mission(6)) === 4);
      await q.idle();
      expect(rec.runsOf(mission(6))).toBe(4);
      expect(rec.log.filter((e) => e.key === jobKey(mission(6))).map((e) => e.type)).toEqual([
        "start", "fail", "start", "fail", "start", "fail", "start", "end",
      ]);
      expect(errors).toEqual([]);
    });

    it("idle() resolves only after the running work has ended", async () => {
      const q = await open();
      const rec = new Recorder();
      const gate = deferred();
      rec.behaviour = () => gate.promise;
      q.process(rec.work);
      await q.enqueue(mission(8));
      await until(() => rec.started(mission(8)) === 1);
      const idled = q.idle().then(() => rec.mark("idle"));
      await pause(20);
      rec.mark("release");
      gate.resolve();
      await idled;
      expect(rec.trace()).toEqual(["start #8 r1", "mark release", "end #8 r1", "mark idle"]);
    });

    it("close() releases whoever awaits idle() for jobs no worker here took", async () => {
      const q = await open();
      await q.enqueue(mission(11));
      let idled = false;
      const idle = q.idle().then(() => (idled = true));
      await pause(20);
      expect(idled).toBe(false);
      await q.close();
      await idle;
      expect(idled).toBe(true);
    });

    it("close() waits for the running work, and runs nothing enqueued after it", async () => {
      const q = await open();
      const rec = new Recorder();
      const gate = deferred();
      rec.behaviour = () => gate.promise;
      q.process(rec.work);
      await q.enqueue(mission(9));
      await until(() => rec.started(mission(9)) === 1);
      const closed = q.close().then(() => rec.mark("closed"));
      await pause(20);
      rec.mark("release");
      gate.resolve();
      await closed;
      await q.enqueue(mission(10));
      await q.idle();
      expect(rec.trace()).toEqual(["start #9 r1", "mark release", "end #9 r1", "mark closed"]);
    });
  });
}
