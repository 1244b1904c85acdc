/**
 * The work queue of the loop: every event, every pulse and every command
 * becomes "reconcile the mission of issue N" — a job — and the queue runs
 * jobs so that, across every process that shares it:
 *
 * - at most one job of a key runs at a time (the key is the repository and
 *   the issue; the lease is held while the job runs);
 * - a job enqueued while one of its key runs causes exactly one more run
 *   after it (no lost wake-up), and jobs enqueued while one of its key waits
 *   join it (500 deliveries for one mission are not 500 reconciles);
 * - a job whose work throws is tried again after a back-off, a bounded number
 *   of times; `RetryLater` asks for a later run without counting as a failure
 *   (a rate limit: GitHub said "not now");
 * - a process that dies mid-job leaves the job to another process (Redis:
 *   its lock expires; in-process: the job dies with the process, and the next
 *   event or pulse enqueues it again, since GitHub holds the state).
 *
 * Two implementations: memory-queue.ts (one process; the default) and
 * redis-queue.ts (several processes or machines, when REDIS_URL is set).
 */

export interface ReconcileJob {
  /** the GitHub App installation the work runs as (absent in Actions, where the workflow's token is used) */
  installationId?: number;
  owner: string;
  repo: string;
  /** the mission's tracking issue, or the issue a command was written on */
  issue: number;
  /** why the job exists, for logs and figures: "issue_comment.created", "pulse", … */
  reason?: string;
  /** the repository's default branch when the event said it (read from the repository otherwise) */
  defaultBranch?: string;
}

/** One key per mission: a repository and an issue, case-insensitive as GitHub's names are. */
export function jobKey(job: Pick<ReconcileJob, "owner" | "repo" | "issue">): string {
  return `${job.owner}/${job.repo}#${job.issue}`.toLowerCase();
}

/** Thrown by a job's work to run it again after `ms` (at least), without counting a failure. */
export class RetryLater extends Error {
  constructor(
    readonly ms: number,
    reason: string,
  ) {
    super(reason);
    this.name = "RetryLater";
  }
}

export type JobWork = (job: ReconcileJob) => Promise<void>;

export interface QueueOptions {
  /** jobs of different keys this process runs at once (default 4) */
  concurrency?: number;
  /** tries of a failing job before it is dropped (the pulse enqueues it again later); default 5 */
  attempts?: number;
  /** first back-off after a failure, doubled each try (default 5 s) */
  backoffMs?: number;
  /** called when a job failed for good, or failed and will be tried again */
  onError?: (job: ReconcileJob, error: unknown, willRetry: boolean) => void;
}

export interface MissionQueue {
  /** Ask for one run of the job's key. Resolves once the request is recorded, not when the job has run. */
  enqueue(job: ReconcileJob): Promise<void>;
  /** Start running jobs with `work` (once per queue). */
  process(work: JobWork): void;
  /** Resolves when this process has nothing queued, delayed or running (tests; a graceful stop). */
  idle(): Promise<void>;
  /** Whether anything is queued or running now (the server's health answer says so). */
  busy(): Promise<boolean>;
  /** Stop taking jobs; waits for the running ones. */
  close(): Promise<void>;
}
