/**
 * Redis for tests. In order of preference:
 *  1. MISSION_BOT_TEST_REDIS_URL (CI's `.ci/run` starts one and sets it);
 *  2. a redis-server on PATH: started here on a free loopback port, without
 *     persistence, and stopped when the test file is done;
 *  3. neither: the Redis tests are skipped, and `redisSkipReason` says why.
 * Each test works under its own queue name and key prefix (`uniqueName`),
 * so tests sharing one Redis never see each other's keys.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

const ENV = "MISSION_BOT_TEST_REDIS_URL";

function onPath(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/** Why the Redis tests cannot run here, or undefined when they can. */
export const redisSkipReason: string | undefined =
  process.env[ENV] || onPath("redis-server")
    ? undefined
    : `no Redis: set ${ENV} or install redis-server (Debian: apt-get install redis-server)`;

if (redisSkipReason) console.warn(`[redis tests skipped] ${redisSkipReason}`);

export { freePort } from "./free-port.js";
import { freePort } from "./free-port.js";

export interface RedisServer {
  url: string;
  /** the server's process, when this module started it */
  process?: ChildProcess;
  port?: number;
  stop(): Promise<void>;
}

/** Start a redis-server of our own (persistence off), resolving once it accepts connections. */
export async function startRedisServer(port?: number): Promise<RedisServer> {
  const p = port ?? (await freePort());
  const child = spawn("redis-server", ["--save", "", "--appendonly", "no", "--port", String(p), "--bind", "127.0.0.1", "--daemonize", "no"], {
    stdio: ["ignore", "pipe", "pipe"],
    // Redis is infrastructure, not the code under test: it keeps the real clock when the suite runs with a moved one (faketime)
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "LD_PRELOAD" && !k.startsWith("FAKETIME"))),
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) resolve();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`redis-server exited (${code}):\n${output}`)));
    child.once("error", reject);
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    url: `redis://127.0.0.1:${p}`,
    process: child,
    port: p,
    stop: () => stopProcess(child),
  };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** The Redis the tests of one file share: CI's, or one started for the file. */
export async function testRedis(): Promise<RedisServer> {
  const url = process.env[ENV];
  if (url) return { url, stop: async () => {} };
  return startRedisServer();
}

/** A name no other test uses: a queue name and key prefix of its own. */
export function uniqueName(label = "t"): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

/** Delete every key under `prefix` (a test cleaning up after itself on a shared Redis). */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
