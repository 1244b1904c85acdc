/**
 * The Probot app: every delivery becomes "reconcile the mission of issue N"
 * on the queue, and the webhook is answered at once. Thin: which event
 * concerns which mission is src/loop/route.ts; the work is
 * src/loop/reconcile-job.ts; the rules are src/mission/.
 */
import type { Probot } from "probot";
import { route } from "./loop/route.js";
import { MemoryQueue } from "./loop/memory-queue.js";
import type { MissionQueue, ReconcileJob } from "./loop/queue.js";
import { reconcileIssue, type JobDeps } from "./loop/reconcile-job.js";
import { admitDelivery, MemoryDeliveryStore, recordedRun, type DeliveryStore } from "./loop/deliveries.js";
import { pulseInstallations } from "./loop/app-pulse.js";
import type { ApplyLimits } from "./github/apply.js";
import { REQUEST_TIMEOUT_MS, withRequestTimeout, type Octokit } from "./github/client.js";
import { guardRateLimits, MemoryCooldowns, type CooldownStore } from "./github/rate-limits.js";
import { HistoryCache } from "./github/history.js";
import { MemoryEtagStore, withEtags, type EtagStore } from "./github/etag-cache.js";
import { GitHubClock } from "./github/github-clock.js";
import { plannerFor } from "./planner/index.js";
import type { Config } from "./mission/model.js";
import type { Planner } from "./mission/plan/plan.js";
import { outsideFromEnv } from "./github/spending/outside-from-env.js";
import type { Outside } from "./github/spending/outside.js";

export interface AppOptions {
  /** environment the planner key is read from (never logged) */
  env?: Record<string, string | undefined>;
  /** the work queue (default: in-process); the server passes the Redis queue when REDIS_URL is set */
  queue?: MissionQueue;
  /** writes and time one reconcile may spend before it lets other missions have a turn */
  limits?: () => ApplyLimits;
  /** the bot's login when known without asking GitHub */
  botLogin?: string;
  /** logins whose comments may carry worker and validation reports, besides the bot (default github-actions[bot], which workers post as) */
  reportLogins?: readonly string[];
  /** what time it is (epoch ms); default GitHub's clock (the Date of its answers). Tests run the app on the twin's clock. */
  clock?: () => number;
  /** when each installation may send requests again (default: in this process) */
  cooldowns?: CooldownStore;
  /** https://github.com or the Enterprise Server's address (default from GHE_HOST) */
  serverUrl?: string;
  planTimeoutMs?: number;
  /** where the answers of conditional reads and the idle marks are kept (default: in this process; the server passes Redis with REDIS_URL) */
  etags?: EtagStore;
  /** which deliveries were handled already, so a redelivery costs nothing (default: in this process; the server passes Redis with REDIS_URL) */
  deliveries?: DeliveryStore;
  /** which planner a repository gets (default: by its settings and the planner key in `env`); tests pass a stand-in */
  choosePlanner?: (config: Config) => { planner: Planner; help?: string };
  /** card provider and email gateway for workers' requests (default: Stripe when `spending.cards` names a key that `env` holds); tests pass stand-ins */
  outside?: (config: Config) => Outside | undefined;
}

/** Per reconcile: room for a large plan's issues, then other missions get a turn. */
export const appLimits = (): ApplyLimits => ({ maxWrites: 40, timeMs: 60_000 });

export interface MissionApp {
  /** the Probot app function (`probot.load(app)`) */
  app: (probot: Probot) => void;
  queue: MissionQueue;
  /** one scheduled pulse: every open mission of every installation is enqueued; resolves with how many */
  pulse(): Promise<number>;
  /** the bot's own login, once known */
  botLogin(): Promise<string>;
}

export function createMissionApp(options: AppOptions = {}): MissionApp {
  const env = options.env ?? process.env;
  const requestTimeout = Number(env.MISSION_BOT_REQUEST_TIMEOUT_MS) > 0 ? Number(env.MISSION_BOT_REQUEST_TIMEOUT_MS) : REQUEST_TIMEOUT_MS;
  const github = new GitHubClock();
  const clock = options.clock ?? github.now;
  const queue = options.queue ?? new MemoryQueue();
  const cooldowns = options.cooldowns ?? new MemoryCooldowns();
  const history = new HistoryCache(clock);
  const etags = options.etags ?? new MemoryEtagStore();
  const deliveries = options.deliveries ?? new MemoryDeliveryStore();
  const scopeOf = (installationId: number | undefined) => `installation:${installationId ?? "token"}`;
  const serverUrl = options.serverUrl ?? (env.GHE_HOST ? `${env.GHE_PROTOCOL || "https"}://${env.GHE_HOST}` : "https://github.com");
  let probot: Probot | undefined;
  let login: Promise<string> | undefined;

  /** "<slug>[bot]": the only author whose text is evidence. Asked once; a failure is retried on the next job (fail closed). */
  const botLogin = (): Promise<string> => {
    if (options.botLogin) return Promise.resolve(options.botLogin);
    if (!probot) return Promise.reject(new Error("the app is not loaded yet"));
    const app = probot;
    login ??= (async () => {
      const octokit = await app.auth();
      const { data } = await octokit.rest.apps.getAuthenticated();
      if (!data?.slug) throw new Error("GitHub did not say the App's name (GET /app)");
      return `${data.slug}[bot]`;
    })().catch((error: unknown) => {
      login = undefined;
      throw error;
    });
    return login;
  };

  const prepare = (octokit: Octokit, installationId: number | undefined): Octokit => {
    withRequestTimeout(octokit, requestTimeout);
    github.watch(octokit);
    guardRateLimits(octokit, { key: `installation:${installationId ?? "token"}`, store: cooldowns, clock });
    return withEtags(octokit, etags, scopeOf(installationId));
  };
  const octokitFor = async (job: ReconcileJob): Promise<Octokit> => prepare((await probot!.auth(job.installationId)) as Octokit, job.installationId);

  const deps: JobDeps = {
    octokitFor,
    identity: async () => {
      const bot = await botLogin();
      return { botLogin: bot, reportLogins: [...new Set([bot, ...(options.reportLogins ?? ["github-actions[bot]"])])] };
    },
    serverUrl,
    choosePlanner: options.choosePlanner ?? ((config: Config) => plannerFor(config, env)),
    history: (octokit, job, where) => history.get(octokit, { owner: job.owner, repo: job.repo }, where),
    limits: options.limits ?? appLimits,
    clock,
    idle: { store: etags, scope: (job) => scopeOf(job.installationId) },
    ...(options.planTimeoutMs ? { planTimeoutMs: options.planTimeoutMs } : {}),
    outside: options.outside ?? outsideFromEnv(env, { clock }),
  };

  let processing = false;
  const app = (loaded: Probot) => {
    probot = loaded;
    deps.log = { info: (m) => loaded.log.info(m), warn: (m) => loaded.log.warn(m) };
    if (!processing) {
      processing = true;
      queue.process((job) =>
        // a job that completes without error (and without a refusal) has handled the deliveries that arrived before it started
        recordedRun(
          deliveries,
          job,
          async () => {
            const outcome = await reconcileIssue(deps, job);
            if (outcome.more) await queue.enqueue({ ...job, reason: "more to do" });
            return outcome.refused.length === 0;
          },
          deps.log,
        ),
      );
    }
    loaded.onAny(async (context) => {
      const known = options.botLogin ?? (await botLogin().catch(() => undefined));
      const job = route(context.name, context.payload as never, known);
      // a redelivery (same X-GitHub-Delivery, same body) of an event already handled enqueues nothing (src/loop/deliveries.ts)
      if (job) await admitDelivery(deliveries, { id: context.id, payload: context.payload }, job, (j) => queue.enqueue(j), deps.log);
    });
  };

  return {
    app,
    queue,
    botLogin,
    pulse: async () => {
      if (!probot) throw new Error("the app is not loaded yet");
      return pulseInstallations(probot, queue, { clock, prepare });
    },
  };
}

/** The app as `probot run` loads it (src/index.ts); the server (src/server.ts) builds its own with the queue it chose. */
export default createMissionApp().app;
