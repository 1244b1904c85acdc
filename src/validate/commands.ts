/**
 * Runs a validation plan's commands in order, each in its own process
 * group (bash -c, CI=true, MISSION_JUNIT_DIR set to a directory of its
 * own), all within the plan's time: a command still running at the
 * deadline is killed with its children. Records each one's exit code,
 * duration, the tail of its output and the JUnit files it wrote; after a
 * failed install the rest are skipped, after the deadline too.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { JUNIT_DIR_VAR, OUTPUT_TAIL_CHARS, type RunnerResults } from "../mission/validation/validation.js";
import type { ValidationPlan } from "./plan.js";

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

interface Ran {
  code: number | null;
  timedOut: boolean;
  seconds: number;
  tail: string;
}

function runOne(command: string, env: NodeJS.ProcessEnv, ms: number, cwd: string, now: () => number, echo: (chunk: Buffer) => void): Promise<Ran> {
  return new Promise((resolve) => {
    const started = now();
    let tail = "";
    let timedOut = false;
    let ended = false;
    const child = spawn("bash", ["-c", command], { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const keep = (chunk: Buffer) => {
      echo(chunk);
      tail = (tail + chunk.toString("utf8")).slice(-4 * OUTPUT_TAIL_CHARS);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, Math.max(ms, 1000));
    const done = (code: number | null) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      resolve({ code, timedOut, seconds: (now() - started) / 1000, tail: tail.replace(ANSI, "").slice(-OUTPUT_TAIL_CHARS) });
    };
    child.on("error", (error) => {
      tail += String(error);
      done(null);
    });
    child.on("close", (code) => done(timedOut ? null : code));
  });
}

function xmlFiles(dir: string, root: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".xml"))
    .map((f) => relative(root, join(dir, f)));
}

/**
 * The environment of code under validation: the step's own, without what
 * the runner gives an Action and not a `run:` step (its inputs, among them
 * the GitHub token, and the ACTIONS_* runtime tokens for the cache and
 * artifacts), so the code runs with no more than a plain step would give it.
 */
export function commandEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => !/^(INPUT_|ACTIONS_|STATE_)/i.test(name) && name !== "GITHUB_TOKEN" && name !== "GH_TOKEN"),
  );
}

export interface RunOptions {
  /** where the commands run (the checkout) */
  cwd: string;
  /** where results and JUnit files go */
  out: string;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  echo?: (chunk: Buffer) => void;
  log?: (line: string) => void;
}

export async function runCommands(plan: ValidationPlan, o: RunOptions): Promise<RunnerResults> {
  const now = o.now ?? Date.now;
  const log = o.log ?? (() => undefined);
  const deadline = now() + plan.timeout_minutes * 60_000;
  const commands: RunnerResults["commands"] = [];
  let stop = "";
  for (const [i, c] of plan.commands.entries()) {
    const base = { name: c.name, command: c.command, ...(c.rerun ? { rerun: c.rerun } : {}) };
    if (stop) {
      commands.push({ ...base, passed: false, skipped: true, exit_code: null, timed_out: false, duration_seconds: 0, output_tail: stop, junit: [] });
      continue;
    }
    const junitDir = join(o.out, "junit", String(i + 1));
    mkdirSync(junitDir, { recursive: true });
    log(`::group::${c.name}`);
    const env = { ...commandEnvironment(o.env ?? process.env), CI: "true", [JUNIT_DIR_VAR]: junitDir };
    const r = await runOne(c.command, env, deadline - now(), o.cwd, now, o.echo ?? (() => undefined));
    log("::endgroup::");
    const passed = r.code === 0;
    const tail = r.timedOut ? `${r.tail}\n(stopped: validation.timeout_minutes of ${plan.timeout_minutes} reached)` : r.tail;
    commands.push({
      ...base,
      passed,
      skipped: false,
      exit_code: r.code,
      timed_out: r.timedOut,
      duration_seconds: Math.round(r.seconds * 10) / 10,
      output_tail: tail.slice(-OUTPUT_TAIL_CHARS),
      junit: xmlFiles(junitDir, o.out),
    });
    log(`${passed ? "passed" : "FAILED"}: ${c.name} (${Math.round(r.seconds)}s)`);
    if (!passed && c.name === "install") stop = "not run: install failed";
    if (r.timedOut) stop = "not run: validation.timeout_minutes reached";
  }
  return { commands };
}
