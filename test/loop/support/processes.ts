/**
 * Worker processes for the multi-process tests: queue-process.ts bundled
 * once per test file by esbuild (the repository's own bundler; packages stay
 * external and resolve from node_modules) and started with this Node.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { randomUUID } from "node:crypto";
import { build } from "esbuild";
import type { ReconcileJob } from "../../../src/loop/queue.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));

/** Bundle the worker entry; returns its path and a remover. */
export async function bundleWorker(): Promise<{ path: string; remove: () => void }> {
  const dir = `${root}node_modules/.cache/mission-bot-tests`;
  mkdirSync(dir, { recursive: true });
  const path = `${dir}/queue-process-${randomUUID().slice(0, 8)}.mjs`;
  await build({
    entryPoints: [fileURLToPath(new URL("./queue-process.ts", import.meta.url))],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    outfile: path,
    logLevel: "error",
  });
  return { path, remove: () => rmSync(path, { force: true }) };
}

export interface ProcessEvent {
  pid: number;
  ev: string;
  key?: string;
  stamp?: number;
  running?: number;
  hung?: boolean;
  id?: number;
  message?: string;
}

export class WorkerProcess {
  readonly events: ProcessEvent[] = [];
  readonly child: ChildProcess;
  private nextId = 0;
  private stderr = "";

  constructor(entry: string, env: Record<string, string>) {
    this.child = spawn(process.execPath, [entry], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    createInterface({ input: this.child.stdout! }).on("line", (line) => {
      try {
        this.events.push(JSON.parse(line) as ProcessEvent);
      } catch {
        this.stderr += `${line}\n`;
      }
    });
    this.child.stderr!.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  async waitFor(match: (e: ProcessEvent) => boolean): Promise<ProcessEvent> {
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (this.exited) throw new Error(`worker ${this.pid} exited (${this.child.exitCode ?? this.child.signalCode}):\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  ready(): Promise<ProcessEvent> {
    return this.waitFor((e) => e.ev === "ready");
  }

  /** Ask the process to enqueue `jobs` (all at once); resolves when it has. */
  async enqueue(jobs: ReconcileJob[]): Promise<void> {
    const id = ++this.nextId;
    this.child.stdin!.write(`${JSON.stringify({ cmd: "enqueue", id, jobs })}\n`);
    await this.waitFor((e) => e.ev === "enqueued" && e.id === id);
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const exit = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.stdin!.write(`${JSON.stringify({ cmd: "close" })}\n`);
    await exit;
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (this.exited) return Promise.resolve();
    const exit = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill(signal);
    return exit;
  }
}
