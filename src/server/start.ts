/**
 * The server: check the settings, prove the App's credentials to GitHub
 * (GET /app), then take webhooks on the queue and pulse on a timer. Fails
 * closed with one line and exit code 1; never falls into Probot's setup
 * flow once APP_ID is set.
 */
import { Probot, Server } from "probot";
import { createMissionApp } from "../app.js";
import { MissionOctokit } from "../github/octokit.js";
import { createQueue } from "../loop/create-queue.js";
import { createPulseSchedule } from "../loop/pulse-schedule.js";
import { isStatus, messageOf } from "../github/client.js";
import { readDashboardSettings, readSettings, type ServerSettings } from "./settings.js";
import { createDashboard, DASHBOARD_BASE } from "../web/dashboard.js";
import { appRepositories } from "../github/dashboard-read.js";
import { choosePlanner } from "../planner/index.js";
import { defaultConfig } from "../mission/config.js";

export interface RunningServer {
  settings: ServerSettings;
  botLogin: string;
  pulse(): Promise<number>;
  stop(): Promise<void>;
}

export class StartError extends Error {}

export async function startServer(env: Record<string, string | undefined> = process.env, say: (line: string) => void = console.log): Promise<RunningServer> {
  const read = readSettings(env);
  if (!read.ok) throw new StartError(read.problem);
  const settings = read.settings;
  const probotOptions = {
    appId: settings.appId,
    privateKey: settings.privateKey,
    secret: settings.webhookSecret,
    baseUrl: settings.baseUrl,
    Octokit: MissionOctokit,
    logLevel: settings.logLevel as "info",
    ...(settings.redisUrl ? { redisConfig: settings.redisUrl } : {}),
  };

  // The credentials, proved before the port opens: a wrong key or id stops here.
  const prover = new Probot(probotOptions);
  const botLogin = await appLogin(prover, settings);
  // a killed replica's job is found by another replica's stalled check, which runs every half lease
  const lease = settings.queueLockMs !== undefined ? { lockMs: settings.queueLockMs, stalledCheckMs: Math.ceil(settings.queueLockMs / 2) } : {};
  const queue = await createQueue({
    ...(settings.redisUrl ? { redisUrl: settings.redisUrl, ...lease } : {}),
    onError: (job, error, willRetry) => say(`mission-bot: ${job.owner}/${job.repo}#${job.issue}: ${messageOf(error).split("\n")[0]}${willRetry ? " (tried again later)" : ""}`),
  });
  // with REDIS_URL the answers of conditional reads outlive a restart and are shared by the replicas
  const etags = settings.redisUrl ? new (await import("../github/etag-redis.js")).RedisEtagStore({ redisUrl: settings.redisUrl }) : undefined;
  // …and so does the record of deliveries already handled: a redelivery to any replica, or after a restart, costs nothing
  const deliveries = settings.redisUrl ? new (await import("../loop/deliveries-redis.js")).RedisDeliveryStore({ redisUrl: settings.redisUrl }) : undefined;
  const mission = createMissionApp({ env, queue, botLogin, serverUrl: settings.serverUrl, ...(etags ? { etags } : {}), ...(deliveries ? { deliveries } : {}) });
  // Probot's server logs at LOG_LEVEL too (left to itself it logs at info, whatever LOG_LEVEL says).
  const server = new Server({ Probot: Probot.defaults(probotOptions), log: prover.log, host: settings.host, port: settings.port, webhookPath: settings.webhookPath });
  await server.load(mission.app);
  // GET /mission-bot/health: up, and whether the queue has work (for a load balancer's probe, or a test).
  server.addHandler(async (req, res) => {
    if (req.method !== "GET" || req.url !== "/mission-bot/health") return false;
    const busy = await queue.busy();
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok", busy }));
    return true;
  });
  // The web dashboard (README "Web dashboard"), when its settings are there: off with one line otherwise.
  const dashboardSettings = readDashboardSettings(env);
  if (dashboardSettings.on) {
    const d = dashboardSettings.settings;
    const dashboard = createDashboard({
      serverUrl: settings.serverUrl,
      apiUrl: settings.baseUrl,
      repositories: () => appRepositories(prover),
      auth: {
        client: { serverUrl: settings.serverUrl, clientId: d.clientId, clientSecret: d.clientSecret, redirectUri: `${d.publicUrl}${DASHBOARD_BASE}/callback` },
        cookieSecret: d.cookieSecret,
        secure: d.secure,
      },
      cacheSeconds: d.refreshSeconds,
      refreshSeconds: d.refreshSeconds,
      log: say,
    });
    server.addHandler((req, res) => dashboard.handle(req, res));
  } else if (dashboardSettings.problem) {
    say(`mission-bot: ${dashboardSettings.why}`);
  }
  await server.start();

  const pulse = async () => {
    try {
      return await mission.pulse();
    } catch (error) {
      say(`mission-bot: the pulse failed: ${messageOf(error)}`);
      return 0;
    }
  };
  // One pulse per period across every replica (Redis), or a timer in this process.
  const schedule = settings.pulseMinutes > 0 ? createPulseSchedule({ ...(settings.redisUrl ? { redisUrl: settings.redisUrl, ...lease } : {}) }) : undefined;
  schedule?.start(settings.pulseMinutes * 60_000, async () => {
    await pulse();
  });
  // An operator (or a test) can ask for a pulse now: kill -USR2 <pid>.
  const onSignal = () => void pulse();
  process.on("SIGUSR2", onSignal);

  const planner = choosePlanner(defaultConfig(), env).missingKey ? "outline (no ANTHROPIC_API_KEY)" : "anthropic, or as .github/mission.yml says";
  say(
    `mission-bot: App ${settings.appId} (${botLogin}) listening on ${settings.host}:${settings.port}${settings.webhookPath} · planner ${planner} · dashboard ${dashboardSettings.on ? `${dashboardSettings.settings.publicUrl}${DASHBOARD_BASE}` : "off"} · queue ${settings.redisUrl ? "redis" : "in-process"} · pulse ${settings.pulseMinutes > 0 ? `every ${settings.pulseMinutes} min` : "off"}`,
  );
  return {
    settings,
    botLogin,
    pulse,
    async stop() {
      await schedule?.close();
      process.off("SIGUSR2", onSignal);
      await server.stop();
      await queue.close();
      await etags?.close();
      await deliveries?.close();
    },
  };
}

async function appLogin(probot: Probot, settings: ServerSettings): Promise<string> {
  try {
    const octokit = await probot.auth();
    const { data } = await octokit.rest.apps.getAuthenticated();
    if (!data?.slug) throw new StartError(`GitHub did not say App ${settings.appId}'s name (GET /app)`);
    return `${data.slug}[bot]`;
  } catch (error) {
    if (error instanceof StartError) throw error;
    if (isStatus(error, 401, 404)) {
      throw new StartError(`GitHub refused App ${settings.appId} with this PRIVATE_KEY (${(error as { status: number }).status}): check APP_ID and PRIVATE_KEY`);
    }
    throw new StartError(`cannot reach GitHub at ${settings.baseUrl}: ${messageOf(error).split("\n")[0]}`);
  }
}
