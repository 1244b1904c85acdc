/**
 * The server's settings, from the environment, checked before anything
 * starts: the server fails closed (no webhook secret, Probot's
 * `development` default, a key that is not a key, an App id that is not a
 * number), with one line saying what to fix.
 */
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { anthropicBaseUrl } from "../planner/index.js";

export interface ServerSettings {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  webhookPath: string;
  host: string;
  port: number;
  /** https://api.github.com, or the Enterprise Server's API */
  baseUrl: string;
  /** https://github.com, or the Enterprise Server's address */
  serverUrl: string;
  redisUrl?: string;
  /**
   * With Redis: how long a replica's lease on a running reconcile lasts
   * unless renewed (renewed every half of it while the work runs); a replica
   * that dies mid-reconcile leaves its mission to another after about this
   * long plus the check interval (half of it). Undefined: the queue's
   * default, 30 s.
   */
  queueLockMs?: number;
  /** minutes between pulses; 0: no pulse */
  pulseMinutes: number;
  logLevel: string;
}

/** A shorter lease is renewed so often that a busy event loop could lose it while the work still runs. */
export const MIN_QUEUE_LOCK_MS = 1000;

export type SettingsResult = { ok: true; settings: ServerSettings } | { ok: false; problem: string };

export function readSettings(env: Record<string, string | undefined>): SettingsResult {
  const secret = env.WEBHOOK_SECRET ?? "";
  if (!secret.trim()) return { ok: false, problem: "WEBHOOK_SECRET is not set: set it to the webhook secret of the GitHub App (the server never runs without one)" };
  if (secret === "development") return { ok: false, problem: 'WEBHOOK_SECRET is Probot\'s default "development": set the GitHub App\'s real webhook secret' };
  const appId = Number(env.APP_ID);
  if (!env.APP_ID || !Number.isInteger(appId) || appId <= 0) return { ok: false, problem: `APP_ID must be the GitHub App's numeric id (got ${JSON.stringify(env.APP_ID ?? "")})` };
  const key = privateKeyOf(env);
  if (!key.ok) return key;
  const port = env.PORT ? Number(env.PORT) : 3000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) return { ok: false, problem: `PORT must be a port number (got ${JSON.stringify(env.PORT)})` };
  const pulse = env.MISSION_BOT_PULSE_MINUTES;
  const pulseMinutes = pulse === undefined || pulse === "" ? 15 : Number(pulse);
  if (!Number.isFinite(pulseMinutes) || pulseMinutes < 0) return { ok: false, problem: `MISSION_BOT_PULSE_MINUTES must be a number of minutes, 0 for no pulse (got ${JSON.stringify(pulse)})` };
  const lock = env.MISSION_BOT_QUEUE_LOCK_MS?.trim();
  const queueLockMs = lock ? Number(lock) : undefined;
  if (queueLockMs !== undefined && (!Number.isInteger(queueLockMs) || queueLockMs < MIN_QUEUE_LOCK_MS)) {
    return { ok: false, problem: `MISSION_BOT_QUEUE_LOCK_MS must be a whole number of milliseconds, at least ${MIN_QUEUE_LOCK_MS} (got ${JSON.stringify(lock)})` };
  }
  const modelApi = anthropicBaseUrl(env);
  if (!modelApi.ok) return { ok: false, problem: modelApi.problem };
  const protocol = env.GHE_PROTOCOL || "https";
  const ghe = env.GHE_HOST?.trim();
  return {
    ok: true,
    settings: {
      appId,
      privateKey: key.key,
      webhookSecret: secret,
      webhookPath: env.WEBHOOK_PATH || "/api/github/webhooks",
      host: env.HOST || "0.0.0.0",
      port,
      baseUrl: ghe ? `${protocol}://${ghe}/api/v3` : "https://api.github.com",
      serverUrl: ghe ? `${protocol}://${ghe}` : "https://github.com",
      ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
      ...(queueLockMs !== undefined ? { queueLockMs } : {}),
      pulseMinutes,
      logLevel: env.LOG_LEVEL || "info",
    },
  };
}

/** PRIVATE_KEY (PEM, with `\n` escapes, or base64 of it) or PRIVATE_KEY_PATH, checked to be a private key. */
export function privateKeyOf(env: Record<string, string | undefined>): { ok: true; key: string } | { ok: false; problem: string } {
  let text = env.PRIVATE_KEY?.trim() ?? "";
  if (!text && env.PRIVATE_KEY_PATH) {
    try {
      text = readFileSync(env.PRIVATE_KEY_PATH, "utf8").trim();
    } catch (error) {
      return { ok: false, problem: `PRIVATE_KEY_PATH ${env.PRIVATE_KEY_PATH} cannot be read: ${(error as Error).message}` };
    }
  }
  if (!text) return { ok: false, problem: "PRIVATE_KEY (or PRIVATE_KEY_PATH) is not set: the GitHub App's private key is needed" };
  if (!text.includes("-----BEGIN")) {
    const decoded = Buffer.from(text, "base64").toString("utf8");
    if (decoded.includes("-----BEGIN")) text = decoded.trim();
  }
  text = text.replace(/\\n/g, "\n");
  try {
    createPrivateKey(text);
  } catch {
    return { ok: false, problem: "PRIVATE_KEY is not a private key: paste the .pem the GitHub App gave you (or its base64), or set PRIVATE_KEY_PATH" };
  }
  return { ok: true, key: text };
}

/** The web dashboard's settings (README "Web dashboard"); all four, or the dashboard is off. */
export interface DashboardSettings {
  clientId: string;
  clientSecret: string;
  cookieSecret: string;
  /** where viewers reach this server, e.g. https://bot.example.com: the sign-in's callback is <url>/dashboard/callback */
  publicUrl: string;
  /** cookies are Secure when the public address is https */
  secure: boolean;
  /** seconds between an open page's refreshes, and how long a read of the missions is reused (default 30, at least 5) */
  refreshSeconds: number;
}

const DashboardEnv = z.object({
  GITHUB_CLIENT_ID: z.string().trim().min(1, "GITHUB_CLIENT_ID (the App's client id) is not set"),
  GITHUB_CLIENT_SECRET: z.string().trim().min(1, "GITHUB_CLIENT_SECRET (a client secret of the App) is not set"),
  DASHBOARD_COOKIE_SECRET: z.string().min(32, "DASHBOARD_COOKIE_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`)"),
  DASHBOARD_URL: z
    .url({ protocol: /^https?$/, error: "DASHBOARD_URL must be the http(s) address viewers reach this server at" })
    .transform((u) => u.replace(/\/+$/, "")),
  DASHBOARD_REFRESH_SECONDS: z.coerce.number({ error: "DASHBOARD_REFRESH_SECONDS must be a number of seconds" }).int().min(5, "DASHBOARD_REFRESH_SECONDS must be at least 5").default(30),
});

/** off: `problem` when some were set but not right (said on a line of its own); none set: the banner says "dashboard off" */
export type DashboardSettingsResult = { on: true; settings: DashboardSettings } | { on: false; why: string; problem: boolean };

export function readDashboardSettings(env: Record<string, string | undefined>): DashboardSettingsResult {
  const names = ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "DASHBOARD_COOKIE_SECRET", "DASHBOARD_URL"] as const;
  if (names.every((n) => !env[n])) return { on: false, why: `web dashboard off: set ${names.join(", ")} to turn it on`, problem: false };
  const read = DashboardEnv.safeParse(env);
  if (!read.success) return { on: false, why: `web dashboard off: ${read.error.issues.map((i) => i.message).join("; ")}`, problem: true };
  const d = read.data;
  return {
    on: true,
    settings: { clientId: d.GITHUB_CLIENT_ID, clientSecret: d.GITHUB_CLIENT_SECRET, cookieSecret: d.DASHBOARD_COOKIE_SECRET, publicUrl: d.DASHBOARD_URL, secure: d.DASHBOARD_URL.startsWith("https:"), refreshSeconds: d.DASHBOARD_REFRESH_SECONDS },
  };
}
