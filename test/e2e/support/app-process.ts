/**
 * mission-bot started the way a user starts it: `node lib/server.js`
 * (what `npm start` runs after building), in its own process, configured
 * only through the environment Probot reads. The test talks to it only over
 * HTTP: deliveries in, GitHub (the twin's server) out.
 *
 * `timeScale` (default 1: production) loads octokit-time-scale.mjs in front
 * of Probot, which divides the waits of Octokit's throttling and retry
 * plugins by that factor (see that file); `clock` loads test-clock.mjs, which
 * makes the app tell time by the test's clock instead of the date. Nothing
 * else differs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { join } from "node:path";
import { existsSync } from "node:fs";

export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
export const APP_ENTRY = "./lib/server.js";

export interface AppProcessOptions {
  /** host:port of the twin's HTTP server (GHE_HOST) */
  gheHost: string;
  privateKey: string;
  webhookSecret: string;
  appId?: number;
  /** divide Octokit's throttle/retry waits by this (default 1) */
  timeScale?: number;
  /** the test's clock (test/support/clock.ts): the app tells time by it, not by the date; `offsetFile` holds the ms the test skipped */
  clock?: { start: number; origin: bigint; offsetFile?: string };
  logLevel?: string;
  /** Redis shared by the replicas (REDIS_URL): the queue and the pulse schedule live there */
  redisUrl?: string;
  /** the port to listen on (default: a free one), for settings that name the server's own address (DASHBOARD_URL) */
  port?: number;
  /** other documented settings (README, .env.example), e.g. MISSION_BOT_QUEUE_LOCK_MS */
  settings?: Record<string, string>;
}

export interface AppProcess {
  url: string;
  webhookUrl: string;
  port: number;
  pid: number;
  readonly alive: boolean;
  readonly exitCode: number | null;
  /** everything the app wrote to stdout and stderr */
  readonly output: string;
  signal(name: NodeJS.Signals): void;
  /** resolves when the process has exited */
  readonly exited: Promise<void>;
  stop(): Promise<void>;
}

export { freePort } from "../../support/free-port.js";
import { freePort } from "../../support/free-port.js";

export async function startApp(options: AppProcessOptions): Promise<AppProcess> {
  if (!existsSync(join(ROOT, APP_ENTRY))) throw new Error(`${APP_ENTRY} is missing: the e2e globalSetup builds it (npx tsc -p tsconfig.build.json)`);
  const port = options.port ?? (await freePort());
  // exactly what a user sets (.env.example), nothing inherited from the test's environment
  const env: Record<string, string> = {
    APP_ID: String(options.appId ?? 1),
    PRIVATE_KEY: options.privateKey,
    WEBHOOK_SECRET: options.webhookSecret,
    GHE_HOST: options.gheHost,
    GHE_PROTOCOL: "http",
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: options.logLevel ?? "warn",
    // a documented setting (.env.example): a hung request gives up after 5 s here, so the hang test stays short
    MISSION_BOT_REQUEST_TIMEOUT_MS: "5000",
    // the test asks for each pulse (SIGUSR2, as an operator can) instead of waiting a quarter of an hour
    MISSION_BOT_PULSE_MINUTES: "0",
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    ...options.settings,
  };
  const scale = options.timeScale ?? 1;
  const args = [
    ...(scale > 1 ? ["--import", `${pathToFileURL(join(ROOT, "test/e2e/support/octokit-time-scale.mjs")).href}?scale=${scale}`] : []),
    ...(options.clock
      ? ["--import", `${pathToFileURL(join(ROOT, "test/e2e/support/test-clock.mjs")).href}?start=${options.clock.start}&origin=${options.clock.origin}${options.clock.offsetFile ? `&offset=${encodeURIComponent(options.clock.offsetFile)}` : ""}`]
      : []),
    APP_ENTRY,
  ];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let exitCode: number | null = null;
  let exited = false;
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exit = new Promise<void>((resolve) =>
    child.once("exit", (code) => {
      exited = true;
      exitCode = code;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  for (;;) {
    if (exited) throw new Error(`the app exited (${exitCode}) before listening:\n${output}`);
    try {
      const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 20_000) {
      child.kill("SIGKILL");
      throw new Error(`the app did not listen on ${url} within 20 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    webhookUrl: `${url}/api/github/webhooks`,
    port,
    pid: child.pid!,
    get alive() {
      return !exited;
    },
    get exitCode() {
      return exitCode;
    },
    get output() {
      return output;
    },
    signal(name: NodeJS.Signals) {
      if (!exited) child.kill(name);
    },
    exited: exit,
    async stop() {
      if (exited) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exit;
      clearTimeout(timer);
    },
  };
}
