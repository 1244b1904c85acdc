/**
 * One step of a workflow that `uses:` the Action, run as a runner runs it:
 * the committed bundle (`node dist/index.js`) with the environment GitHub
 * Actions gives a step (inputs as INPUT_<NAME>, the run's GITHUB_TOKEN,
 * GITHUB_API_URL at the twin), on the test's clock.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { RunState } from "../../../src/twin/actions.js";
import type { GitHubTwin } from "../../../src/twin/state.js";
import type { TwinServer } from "../../../src/twin/server.js";
import { ROOT } from "./app-process.js";

export const ACTION_BUNDLE = "dist/index.js";

export interface StepWhere {
  twin: GitHubTwin;
  server: TwinServer;
  clock: { start: number; origin: number | bigint };
  owner: string;
  repo: string;
  /** a folder for the run's files (event, outputs, RUNNER_TEMP) */
  dir: string;
  job: string;
}

export function runActionStep(where: StepWhere, run: RunState, inputs: Record<string, string>): Promise<{ exitCode: number | null; log: string; runDir: string }> {
  const { twin, server, owner, repo } = where;
  const runDir = mkdtempSync(join(where.dir, `run-${run.id}-`));
  const eventPath = join(runDir, "event.json");
  writeFileSync(eventPath, JSON.stringify(twin.actions.eventPayload(run.id)));
  for (const f of ["output", "summary", "env", "state"]) writeFileSync(join(runDir, f), "");
  const env: Record<string, string> = {
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: run.event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: `${owner}/${repo}`,
    GITHUB_REPOSITORY_OWNER: owner,
    GITHUB_API_URL: server.apiUrl,
    GITHUB_SERVER_URL: server.url,
    GITHUB_GRAPHQL_URL: `${server.apiUrl}/graphql`,
    GITHUB_REF: `refs/heads/${run.head_branch}`,
    GITHUB_REF_NAME: run.head_branch,
    GITHUB_REF_TYPE: "branch",
    GITHUB_SHA: run.head_sha,
    GITHUB_WORKFLOW: run.name,
    GITHUB_WORKFLOW_REF: `${owner}/${repo}/${run.workflow.path}@refs/heads/${run.head_branch}`,
    GITHUB_RUN_ID: String(run.id),
    GITHUB_RUN_NUMBER: String(run.run_number),
    GITHUB_RUN_ATTEMPT: String(run.run_attempt),
    GITHUB_ACTOR: run.actor.login,
    GITHUB_TRIGGERING_ACTOR: run.triggeringActor.login,
    GITHUB_JOB: where.job,
    GITHUB_WORKSPACE: runDir,
    GITHUB_OUTPUT: join(runDir, "output"),
    GITHUB_STEP_SUMMARY: join(runDir, "summary"),
    GITHUB_ENV: join(runDir, "env"),
    GITHUB_STATE: join(runDir, "state"),
    RUNNER_OS: "Linux",
    RUNNER_TEMP: runDir,
    HOME: runDir,
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    ANTHROPIC_API_KEY: "",
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] = value;
  const clock = `${pathToFileURL(join(ROOT, "test/e2e/support/test-clock.mjs")).href}?start=${where.clock.start}&origin=${where.clock.origin}`;
  const child = spawn(process.execPath, ["--import", clock, ACTION_BUNDLE], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr.on("data", (d: Buffer) => (log += d.toString()));
  return new Promise((resolve) => child.once("exit", (exitCode) => resolve({ exitCode, log, runDir })));
}
