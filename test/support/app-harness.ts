/**
 * The app against the GitHub twin, in process: GitHub's side is the twin
 * (served through nock, every request checked against GitHub's REST
 * description); deliveries are the events the twin recorded, handed to
 * Probot the way GitHub would deliver them.
 */
import { createMissionApp, type MissionApp } from "../../src/app.js";
import type { ApplyLimits } from "../../src/github/apply.js";
import type { GitHubTwin } from "../../src/twin/state.js";
import { serveWithNock } from "./twin-nock.js";
import type { TwinEvent } from "../../src/twin/webhooks.js";
import { testProbot } from "./github-nock.js";
import { contractTwin } from "./twin.js";
import { MemoryQueue } from "../../src/loop/memory-queue.js";
import type { Planner } from "../../src/mission/plan/plan.js";

export interface Harness {
  twin: GitHubTwin;
  probot: ReturnType<typeof testProbot>;
  app: MissionApp;
  /** deliver every event the twin recorded (and those they cause) until GitHub is quiet */
  pump(options?: { max?: number; filter?: (e: TwinEvent) => boolean }): Promise<TwinEvent[]>;
  deliver(e: TwinEvent): Promise<void>;
  /** one scheduled pulse of the App (every open mission enqueued), worked until the queue is idle */
  pulse(): Promise<void>;
  stop(): void;
  /** jobs that failed (and were retried or dropped) */
  errors: Array<{ job: unknown; error: unknown }>;
}

export interface HarnessOptions {
  files?: Record<string, string>;
  collaborators?: Record<string, "admin" | "maintain" | "write" | "triage" | "read" | "none">;
  limits?: () => ApplyLimits;
  env?: Record<string, string | undefined>;
  /** the planner the app uses whatever the settings say (default: as they say) */
  planner?: Planner;
}

export const REPO = { owner: "acme", repo: "crm" };

export function harness(options: HarnessOptions = {}): Harness {
  const twin = contractTwin({ checkResponses: true });
  twin.addRepo({
    owner: REPO.owner,
    name: REPO.repo,
    ownerType: "Organization",
    collaborators: options.collaborators ?? { alice: "write", bob: "read" },
    files: options.files ?? {},
  });
  const stop = serveWithNock(twin);
  const probot = testProbot();
  const app = createMissionApp({
    env: options.env ?? {},
    limits: options.limits ?? (() => ({ maxWrites: 8, timeMs: 60_000 })),
    clock: () => twin.now(),
    ...(options.planner ? { planner: options.planner } : {}),
    queue: new MemoryQueue({ backoffMs: 10, onError: (job, error) => errors.push({ job, error }) }),
  });
  const errors: Array<{ job: unknown; error: unknown }> = [];
  const loaded = probot.load(app.app);
  const deliver = async (e: TwinEvent) => {
    await loaded;
    if (e.installationId === undefined) return;
    await probot.receive({ id: e.id, name: e.name as never, payload: e.payload as never });
    await app.queue.idle();
  };
  return {
    twin,
    probot,
    app,
    errors,
    deliver,
    async pump({ max = 500, filter } = {}) {
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
    },
    async pulse() {
      await loaded;
      await app.pulse();
      await app.queue.idle();
    },
    stop,
  };
}
