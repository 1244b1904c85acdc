/**
 * The app against the GitHub twin, in process: GitHub's side is the twin
 * (served through nock, every request checked against GitHub's REST
 * description); deliveries are the events the twin recorded, handed to
 * Probot the way GitHub would deliver them.
 */
import { missionBot } from "../../src/app.js";
import type { ApplyLimits } from "../../src/github/apply.js";
import type { GitHubTwin } from "../../src/twin/state.js";
import { serveWithNock } from "./twin-nock.js";
import type { TwinEvent } from "../../src/twin/webhooks.js";
import { testProbot } from "./github-nock.js";
import { botOctokit } from "../../src/twin/octokit.js";
import { pulse } from "../../src/action/pulse.js";
import { contractTwin } from "./twin.js";

export interface Harness {
  twin: GitHubTwin;
  probot: ReturnType<typeof testProbot>;
  /** deliver every event the twin recorded (and those they cause) until GitHub is quiet */
  pump(options?: { max?: number; filter?: (e: TwinEvent) => boolean }): Promise<TwinEvent[]>;
  deliver(e: TwinEvent): Promise<void>;
  /** one scheduled pulse, as the pulse Action runs it (as the app's installation) */
  pulse(): Promise<void>;
  stop(): void;
}

export interface HarnessOptions {
  files?: Record<string, string>;
  collaborators?: Record<string, "admin" | "maintain" | "write" | "triage" | "read" | "none">;
  limits?: () => ApplyLimits;
  env?: Record<string, string | undefined>;
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
  void probot.load(
    missionBot({
      env: options.env ?? {},
      limits: options.limits ?? (() => ({ maxWrites: 8, timeMs: 60_000 })),
      clock: () => twin.now(),
    }),
  );
  const deliver = async (e: TwinEvent) => {
    if (e.installationId === undefined) return;
    await probot.receive({ id: e.id, name: e.name as never, payload: e.payload as never });
  };
  return {
    twin,
    probot,
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
      await pulse({ octokit: botOctokit(twin), repo: REPO, log: { info() {}, warning() {}, error() {} } }, "main", { now: () => twin.now() });
    },
    stop,
  };
}
