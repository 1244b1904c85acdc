/**
 * Running `docker` for the worker: the agent network and the agent's
 * container (command lines from container.ts). The container's output goes
 * to a file and to the step's log; a container that outlives its time is
 * killed by name.
 */
import { execFile, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { isIP } from "node:net";
import { dockerRunArgs, networkCreateArgs, networkGatewayArgs, stopArgs, type AgentContainer } from "./container.js";

function docker(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("docker", [...args], { encoding: "utf8" }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === "number" ? (error as { code: number }).code : 127) : 0;
      resolve({ code, stdout, stderr: stderr || (error && code === 127 ? String(error.message) : "") });
    });
  });
}

/** Create the agent network (unless it exists) and return the runner's address on it. */
export async function agentNetwork(network: string): Promise<string> {
  let gateway = await docker(networkGatewayArgs(network));
  if (gateway.code !== 0) {
    const created = await docker(networkCreateArgs(network));
    if (created.code !== 0) throw new Error(`docker could not create the agent network: ${created.stderr.trim() || `exit ${created.code}`}`);
    gateway = await docker(networkGatewayArgs(network));
  }
  const address = gateway.stdout
    .split(/\s+/)
    .map((a) => a.replace(/\/\d+$/, ""))
    .find((a) => isIP(a) === 4);
  if (!address) throw new Error(`the agent network ${network} has no IPv4 gateway: ${gateway.stderr.trim() || gateway.stdout.trim()}`);
  return address;
}

export async function removeNetwork(network: string): Promise<void> {
  await docker(["network", "rm", network]);
}

/** What the docker command itself reads from its environment. */
const DOCKER_CLI_ENV = ["PATH", "HOME", "DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_CONTEXT", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY"];

export interface RunResult {
  exitCode: number | null;
  timedOut: boolean;
  seconds: number;
}

/** Run the agent's container until it ends or `timeoutMs` passes; its output is appended to `outputFile`. */
export function runAgentContainer(
  c: AgentContainer,
  env: Record<string, string>,
  o: { timeoutMs: number; outputFile: string; echo?: (chunk: Buffer) => void; now?: () => number },
): Promise<RunResult> {
  const now = o.now ?? Date.now;
  const started = now();
  const out = createWriteStream(o.outputFile, { flags: "a" });
  return new Promise((resolve) => {
    // docker's own settings, and the agent's variables (which reach the container only by the names dockerRunArgs lists)
    const own = Object.fromEntries(Object.entries(process.env).filter(([name, value]) => value !== undefined && DOCKER_CLI_ENV.includes(name))) as Record<string, string>;
    const child = spawn("docker", dockerRunArgs(c), { env: { ...own, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void docker(stopArgs(c.name));
    }, o.timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      out.write(chunk);
      o.echo?.(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => o.echo?.(chunk));
    let ended = false;
    const done = (exitCode: number | null) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      out.end(() => resolve({ exitCode, timedOut, seconds: Math.round((now() - started) / 100) / 10 }));
    };
    child.on("error", () => done(null));
    child.on("close", (code) => done(code));
  });
}
