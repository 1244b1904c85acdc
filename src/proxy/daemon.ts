/**
 * The metering proxy as a background process that outlives the step that
 * starts it. GitHub's runner keeps a job's processes alive from step to
 * step and ends the ones left over when the job completes ("Cleaning up
 * orphan processes"), so:
 *
 * - `startProxy` (mode `proxy`) writes the proxy's settings to a private
 *   directory, spawns `node <this Action's bundle> --mission-bot-proxy
 *   <settings>` detached, its output to a log file, the model key in its
 *   environment only, and waits until it says where it listens;
 * - `serveProxy` is that process: the model proxy and the egress proxy on
 *   two ports of one address, the usage record rewritten after every
 *   request (so it survives a hard kill), a last write on SIGTERM;
 * - `stopProxy` (mode `proxy-stop`) signals it, waits for it to end and
 *   reads the record.
 *
 * The agent never runs in a process that can read this one: it runs in a
 * container (see src/worker/container.ts).
 */
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, closeSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type http from "node:http";
import { dirname, join } from "node:path";
import { z } from "zod";
import { Price } from "../mission/model.js";
import { readMeteredUsage, type ReadMeteredUsage } from "../mission/workers/metered-usage.js";
import { createEgressProxy } from "./egress.js";
import { Meter } from "./meter.js";
import { createModelProxy } from "./model-proxy.js";

/** The argument that makes the Action's bundle serve the proxy instead of running a mode. */
export const PROXY_FLAG = "--mission-bot-proxy";
/** The environment variable that carries the model key to the proxy process, and nowhere else. */
export const PROXY_KEY_ENV = "MISSION_PROXY_API_KEY";

export const ProxySettings = z.strictObject({
  /** the address both proxies listen on (the agent network's gateway, or 127.0.0.1) */
  host: z.string().min(1).max(100),
  upstream: z.url(),
  token: z.string().regex(/^[A-Za-z0-9_-]{32,128}$/),
  cap_usd: z.number().nonnegative().optional(),
  prices: z.record(z.string(), Price),
  egress: z.array(z.string().min(1).max(255)).max(100),
  record_path: z.string().min(1),
  state_path: z.string().min(1),
});
export type ProxySettings = z.infer<typeof ProxySettings>;

export const ProxyState = z.strictObject({
  pid: z.number().int().positive(),
  host: z.string().min(1),
  model_port: z.number().int().positive(),
  egress_port: z.number().int().positive(),
  token: z.string().min(32),
  record_path: z.string().min(1),
});
export type ProxyState = z.infer<typeof ProxyState>;

/** A fresh token for one run: 256 random bits, useless once the run's proxy has stopped. */
export function runToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Write a file whole, readable by its owner only: a reader never sees half of it. */
export function writePrivate(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

function listen(server: http.Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** The proxy process: serve until SIGTERM. */
export async function serveProxy(settingsPath: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const settings = ProxySettings.parse(JSON.parse(readFileSync(settingsPath, "utf8")));
  const apiKey = env[PROXY_KEY_ENV];
  if (!apiKey) throw new Error(`${PROXY_KEY_ENV} is not set: the proxy has no key to forward with`);
  delete env[PROXY_KEY_ENV];

  const meter = new Meter({ prices: settings.prices, ...(settings.cap_usd !== undefined ? { capUsd: settings.cap_usd } : {}) });
  const write = () => writePrivate(settings.record_path, `${JSON.stringify(meter.record(), null, 2)}\n`);
  write();
  const model = createModelProxy({ token: settings.token, apiKey, upstream: settings.upstream, meter, onChange: write });
  const egress = createEgressProxy({ token: settings.token, allow: settings.egress, meter, onChange: write });
  const modelPort = await listen(model, settings.host);
  const egressPort = await listen(egress, settings.host);
  const stop = () => {
    write();
    model.close();
    egress.close();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  writePrivate(
    settings.state_path,
    JSON.stringify(ProxyState.parse({ pid: process.pid, host: settings.host, model_port: modelPort, egress_port: egressPort, token: settings.token, record_path: settings.record_path })),
  );
  console.log(`mission-bot proxy: model API on ${settings.host}:${modelPort}, egress on ${settings.host}:${egressPort}`);
}

export interface StartOptions {
  /** private directory for the settings, the state and the log */
  dir: string;
  /** how to run this Action's bundle: [node, bundle]; PROXY_FLAG and the settings path are added */
  command: readonly string[];
  apiKey: string;
  settings: Omit<ProxySettings, "state_path" | "token">;
  /** environment the proxy keeps (the runner's RUNNER_TRACKING_ID, so the job's end stops it) */
  env?: Record<string, string | undefined>;
  waitMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function logTail(path: string): string {
  return existsSync(path) ? readFileSync(path, "utf8").slice(-2000).trim() : "";
}

export function statePath(dir: string): string {
  return join(dir, "state.json");
}

export function readProxyState(dir: string): ProxyState | undefined {
  const path = statePath(dir);
  if (!existsSync(path)) return undefined;
  const parsed = ProxyState.safeParse(JSON.parse(readFileSync(path, "utf8")));
  return parsed.success ? parsed.data : undefined;
}

/** Start the proxy process and wait until it listens. */
export async function startProxy(o: StartOptions): Promise<ProxyState> {
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  chmodSync(o.dir, 0o700);
  const settingsPath = join(o.dir, "settings.json");
  const logPath = join(o.dir, "proxy.log");
  const settings: ProxySettings = ProxySettings.parse({ ...o.settings, token: runToken(), state_path: statePath(o.dir) });
  writePrivate(settingsPath, JSON.stringify(settings));
  const log = openSync(logPath, "a", 0o600);
  const keep = Object.fromEntries(Object.entries(o.env ?? {}).filter(([name, value]) => value !== undefined && ["PATH", "RUNNER_TRACKING_ID"].includes(name)));
  const child = spawn(o.command[0]!, [...o.command.slice(1), PROXY_FLAG, settingsPath], {
    detached: true,
    stdio: ["ignore", log, log],
    env: { ...keep, [PROXY_KEY_ENV]: o.apiKey },
  });
  closeSync(log);
  let exited: number | null | undefined;
  child.on("exit", (code) => {
    exited = code;
  });
  child.unref();

  const until = Date.now() + (o.waitMs ?? 15_000);
  while (Date.now() < until) {
    const state = readProxyState(o.dir);
    if (state) return state;
    if (exited !== undefined) throw new Error(`the metering proxy stopped at once (exit ${exited}): ${logTail(logPath) || "no output"}`);
    await sleep(50);
  }
  try {
    if (child.pid) process.kill(child.pid, "SIGKILL");
  } catch {
    // already gone
  }
  throw new Error(`the metering proxy did not start listening: ${logTail(logPath) || "no output"}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stop the proxy and read its record. A proxy already gone leaves the record it last wrote. */
export async function stopProxy(dir: string, waitMs = 10_000): Promise<{ state?: ProxyState; record: ReadMeteredUsage; recordPath?: string }> {
  const state = readProxyState(dir);
  if (!state) return { record: { ok: false, problem: "the metering proxy never started (no state file)" } };
  if (alive(state.pid)) {
    process.kill(state.pid, "SIGTERM");
    const until = Date.now() + waitMs;
    while (alive(state.pid) && Date.now() < until) await sleep(50);
    if (alive(state.pid)) process.kill(state.pid, "SIGKILL");
  }
  const record = existsSync(state.record_path)
    ? readMeteredUsage(readFileSync(state.record_path, "utf8"))
    : ({ ok: false, problem: "the metering proxy left no usage record" } as const);
  return { state, record, recordPath: state.record_path };
}
