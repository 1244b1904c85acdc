/**
 * The app against the GitHub twin, in process: GitHub's side is the twin
 * (served through nock, every request checked against GitHub's REST
 * description); deliveries are the events the twin recorded, handed to
 * Probot the way GitHub would deliver them.
 */
import { createMissionApp, type AppOptions, type MissionApp } from "../../src/app.js";
import type { ApplyLimits } from "../../src/github/apply.js";
import type { GitHubTwin, TwinOptions } from "../../src/twin/state.js";
import type { Planner } from "../../src/mission/plan/plan.js";
import { serveWithNock } from "./twin-nock.js";
import type { TwinEvent } from "../../src/twin/webhooks.js";
import { testProbot } from "./github-nock.js";
import { contractTwin } from "./twin.js";
import { MemoryQueue } from "../../src/loop/memory-queue.js";

export interface Harness {
  twin: GitHubTwin;
  probot: ReturnType<typeof testProbot>;
  app: MissionApp;
  /** deliver every event the twin recorded (and those they cause) until GitHub is quiet */
  pump(options?: { max?: number; filter?: (e: TwinEvent) => boolean }): Promise<TwinEvent[]>;
  deliver(e: TwinEvent): Promise<void>;
  /** one scheduled pulse of the App (every open mission enqueued), worked until the queue is idle */
  pulse(): Promise<void>;
  /**
   * Deliver until GitHub is quiet; while `done()` does not hold, let a
   * quarter of an hour pass for GitHub and the app alike and pulse, round
   * after round (the pulse finishes what no webhook announced).
   */
  runUntil(done: () => boolean, options?: { maxRounds?: number }): Promise<void>;
  stop(): void;
  /** another instance of the app on the same GitHub (a replica), with a queue of its own; `deliver` hands it one delivery and waits for its queue */
  replica(options?: Pick<AppOptions, "deliveries" | "etags" | "botLogin">): { app: MissionApp; deliver(e: TwinEvent): Promise<void> };
  /** jobs that failed (and were retried or dropped) */
  errors: Array<{ job: unknown; error: unknown }>;
}

export interface HarnessOptions {
  files?: Record<string, string>;
  collaborators?: Record<string, "admin" | "maintain" | "write" | "triage" | "read" | "none">;
  limits?: () => ApplyLimits;
  env?: Record<string, string | undefined>;
  /** the twin's options: which GitHub it plays (`server: "ghes-3.19"`), its limits, how late dispatched runs show … */
  twin?: Omit<TwinOptions, "contract">;
  /** the app's idea of where GitHub is (default the twin's web address: https://github.com, or the Enterprise Server's) */
  serverUrl?: string;
  /** the planner every repository gets (default: as its settings say; the outline planner without a key) */
  planner?: Planner;
  /** the repository's number of the next issue, less one (GitHub numbers issues and pull requests together) */
  lastIssueNumber?: number;
  /** card provider and email gateway for workers' requests (stand-ins) */
  outside?: AppOptions["outside"];
  /** the record of deliveries already handled (default: the app's own, in memory) */
  deliveries?: AppOptions["deliveries"];
}

export const REPO = { owner: "acme", repo: "crm" };

export function harness(options: HarnessOptions = {}): Harness {
  const twin = contractTwin({ checkResponses: true, ...options.twin });
  const repoState = twin.addRepo({
    owner: REPO.owner,
    name: REPO.repo,
    ownerType: "Organization",
    collaborators: options.collaborators ?? { alice: "write", bob: "read" },
    files: options.files ?? {},
  });
  if (options.lastIssueNumber !== undefined) repoState.lastNumber = options.lastIssueNumber;
  const stop = serveWithNock(twin);
  const newProbot = () => testProbot(twin.profile.enterpriseServer ? { baseUrl: twin.urls.api } : {});
  const newApp = (extra: Pick<AppOptions, "deliveries" | "etags" | "botLogin">) =>
    createMissionApp({
      env: options.env ?? {},
      limits: options.limits ?? (() => ({ maxWrites: 8, timeMs: 60_000 })),
      clock: () => twin.now(),
      serverUrl: options.serverUrl ?? twin.urls.web,
      ...(options.planner ? { choosePlanner: () => ({ planner: options.planner! }) } : {}),
      ...(options.outside ? { outside: options.outside } : {}),
      queue: new MemoryQueue({ backoffMs: 10, onError: (job, error) => errors.push({ job, error }) }),
      ...extra,
    });
  const deliverTo = (probot: ReturnType<typeof testProbot>, app: MissionApp, loaded: Promise<unknown>) => async (e: TwinEvent) => {
    await loaded;
    if (e.installationId === undefined) return;
    await probot.receive({ id: e.id, name: e.name as never, payload: e.payload as never });
    await app.queue.idle();
  };
  const probot = newProbot();
  const app = newApp(options.deliveries ? { deliveries: options.deliveries } : {});
  const errors: Array<{ job: unknown; error: unknown }> = [];
  const loaded = probot.load(app.app);
  const deliver = deliverTo(probot, app, loaded);
  const pump = async ({ max = 500, filter }: { max?: number; filter?: (e: TwinEvent) => boolean } = {}) => {
    const delivered: TwinEvent[] = [];
    for (let i = 0; i < max; i++) {
      // the test's simulated runners (onQueued/onDispatch hooks) record events too: wait for them
      await twin.actions.settled();
      const batch = twin.takeEvents();
      if (!batch.length) return delivered;
      for (const e of batch) {
        if (filter && !filter(e)) continue;
        delivered.push(e);
        await deliver(e);
      }
    }
    throw new Error(`GitHub did not go quiet after ${max} rounds of deliveries`);
  };
  const pulse = async () => {
    await loaded;
    await app.pulse();
    await app.queue.idle();
  };
  return {
    twin,
    probot,
    app,
    errors,
    deliver,
    pump,
    pulse,
    async runUntil(done, { maxRounds = 40 } = {}) {
      for (let round = 0; round < maxRounds; round++) {
        await pump();
        if (done()) return;
        // time passes for GitHub and the app (whose clock is the twin's); the app keeps its tokens fresh as it would
        twin.advance(15 * 60_000, { tokens: "keep" });
        await pulse();
      }
      await pump();
      if (!done()) throw new Error(`not there after ${maxRounds} pulses`);
    },
    stop,
    replica(extra = {}) {
      const other = newProbot();
      const replica = newApp(extra);
      return { app: replica, deliver: deliverTo(other, replica, other.load(replica.app)) };
    },
  };
}
