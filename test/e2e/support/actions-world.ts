/**
 * mission-bot through Actions alone, end to end: the GitHub twin on loopback
 * HTTP with the command workflow committed (`mission-bot init
 * --actions-only`), and a runner that plays GitHub Actions for it. The twin
 * starts a run for each `issues` and `issue_comment` event and each
 * `workflow_dispatch` of the command workflow, and keeps its concurrency
 * group (one running, one pending, a newer pending run replacing the older);
 * the runner picks each run up when the twin queues it and runs what the
 * workflow's step runs — the committed bundle, `node dist/index.js`, with
 * mode `command` and the environment GitHub Actions sets (the event's
 * payload in GITHUB_EVENT_PATH, the run's GITHUB_TOKEN, GITHUB_API_URL at
 * the twin) — and the run ends with the process: success on exit code 0.
 *
 * Worker and validation runs the bot dispatches stay queued: no runner here
 * picks them up.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parse as parseYaml } from "yaml";
import type { GitHubTwin } from "../../../src/twin/state.js";
import { startTwinServer, type TwinServer } from "../../../src/twin/server.js";
import type { RunState } from "../../../src/twin/actions.js";
import { contractTwin } from "../../support/twin.js";
import { testClock, type TestClock } from "../../support/clock.js";
import { ROOT } from "./app-process.js";
import { OWNER, REPO, repoFiles } from "./world.js";

export const ACTION_BUNDLE = "dist/index.js";
const COMMAND_WORKFLOW = "mission-command.yml";

/** What the runner did with one run of the command workflow. */
export interface CommandRun {
  runId: number;
  event: string;
  /** the process's exit code */
  exitCode: number | null;
  /** its stdout and stderr (the job's log) */
  log: string;
  /** the run's step summary and outputs files, as written */
  startedAt: number;
  endedAt: number;
}

export class ActionsWorld {
  readonly twin: GitHubTwin;
  readonly server: TwinServer;
  readonly clock: TestClock;
  /** every command run the runner ran, in the order they ended */
  readonly commandRuns: CommandRun[] = [];
  /** command runs in progress now (at most one per concurrency group, if the twin keeps the groups) */
  private running = 0;
  /** the most command runs that were in progress at once */
  maxRunning = 0;
  private readonly dir: string;
  private readonly jobPermissions: Record<string, "read" | "write" | "none">;

  private constructor(twin: GitHubTwin, server: TwinServer, clock: TestClock) {
    this.twin = twin;
    this.server = server;
    this.clock = clock;
    this.dir = mkdtempSync(join(tmpdir(), "mission-actions-"));
    // the command job's `permissions:` (the twin gives a run's GITHUB_TOKEN exactly these)
    const workflow = parseYaml(readFileSync(join(ROOT, "templates/workflows", COMMAND_WORKFLOW), "utf8")) as { jobs: Record<string, { permissions: Record<string, "read" | "write"> }> };
    this.jobPermissions = Object.values(workflow.jobs)[0]!.permissions;
    twin.onQueued((run) => (run.workflow.path.endsWith(COMMAND_WORKFLOW) ? this.runCommand(run) : undefined));
  }

  static async start(options: { collaborators?: Record<string, "admin" | "maintain" | "write" | "triage" | "read" | "none"> } = {}): Promise<ActionsWorld> {
    const clock = testClock();
    const twin = contractTwin({ now: clock, checkResponses: false });
    twin.addRepo({
      owner: OWNER,
      name: REPO,
      ownerType: "Organization",
      collaborators: options.collaborators ?? { alice: "write", bob: "read" },
      files: repoFiles({}, { actionsOnly: true }),
      // no App: the workflows' GITHUB_TOKEN is the bot
      installationId: false,
    });
    const server = await startTwinServer(twin);
    return new ActionsWorld(twin, server, clock);
  }

  async stop(): Promise<void> {
    await this.twin.actions.settled().catch(() => undefined);
    await this.server.close();
  }

  get alice() {
    return this.twin.as("alice");
  }

  /** Wait until every run the twin queued has been run, and the runs those started too. */
  async settle(): Promise<void> {
    await this.twin.actions.settled();
  }

  /** The runs of the command workflow, oldest first. */
  commandWorkflowRuns(): RunState[] {
    return this.twin.actions.runsOf(COMMAND_WORKFLOW);
  }

  /** A runner picks the run up: the job's one step is the Action, mode `command`. */
  private async runCommand(run: RunState): Promise<void> {
    this.twin.actions.start(run.id);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    const startedAt = this.twin.now();
    const { exitCode, log } = await this.spawnAction(run, { mode: "command", "github-token": this.twin.actionsToken(`${OWNER}/${REPO}`, { permissions: this.jobPermissions }), "bot-login": "github-actions[bot]" });
    this.running--;
    this.commandRuns.push({ runId: run.id, event: run.event, exitCode, log, startedAt, endedAt: this.twin.now() });
    this.twin.actions.complete(run.id, exitCode === 0 && !/::error::/.test(log) ? "success" : "failure");
  }

  /** `node dist/index.js` with the environment GitHub Actions gives a step (inputs as INPUT_<NAME>), on the test's clock. */
  private spawnAction(run: RunState, inputs: Record<string, string>): Promise<{ exitCode: number | null; log: string }> {
    const runDir = mkdtempSync(join(this.dir, `run-${run.id}-`));
    const eventPath = join(runDir, "event.json");
    writeFileSync(eventPath, JSON.stringify(this.twin.actions.eventPayload(run.id)));
    for (const f of ["output", "summary", "env", "state"]) writeFileSync(join(runDir, f), "");
    const env: Record<string, string> = {
      CI: "true",
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: run.event,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      GITHUB_REPOSITORY_OWNER: OWNER,
      GITHUB_API_URL: this.server.apiUrl,
      GITHUB_SERVER_URL: this.server.url,
      GITHUB_GRAPHQL_URL: `${this.server.apiUrl}/graphql`,
      GITHUB_REF: `refs/heads/${run.head_branch}`,
      GITHUB_REF_NAME: run.head_branch,
      GITHUB_REF_TYPE: "branch",
      GITHUB_SHA: run.head_sha,
      GITHUB_WORKFLOW: run.name,
      GITHUB_WORKFLOW_REF: `${OWNER}/${REPO}/${run.workflow.path}@refs/heads/${run.head_branch}`,
      GITHUB_RUN_ID: String(run.id),
      GITHUB_RUN_NUMBER: String(run.run_number),
      GITHUB_RUN_ATTEMPT: String(run.run_attempt),
      GITHUB_ACTOR: run.actor.login,
      GITHUB_TRIGGERING_ACTOR: run.triggeringActor.login,
      GITHUB_JOB: "command",
      GITHUB_WORKSPACE: runDir,
      GITHUB_OUTPUT: join(runDir, "output"),
      GITHUB_STEP_SUMMARY: join(runDir, "summary"),
      GITHUB_ENV: join(runDir, "env"),
      GITHUB_STATE: join(runDir, "state"),
      RUNNER_OS: "Linux",
      RUNNER_TEMP: runDir,
      HOME: runDir,
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      // the workflow's `env: ANTHROPIC_API_KEY: ${{ secrets.ANTHROPIC_API_KEY }}` with no such secret
      ANTHROPIC_API_KEY: "",
    };
    for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] = value;
    const clock = `${pathToFileURL(join(ROOT, "test/e2e/support/test-clock.mjs")).href}?start=${this.clock.start}&origin=${this.clock.origin}`;
    const child = spawn(process.execPath, ["--import", clock, ACTION_BUNDLE], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout.on("data", (d: Buffer) => (log += d.toString()));
    child.stderr.on("data", (d: Buffer) => (log += d.toString()));
    return new Promise((resolve) => child.once("exit", (exitCode) => resolve({ exitCode, log })));
  }

  // ---------------------------------------------------------------------------
  // Reading the twin

  comments(issue: number) {
    const id = this.twin.issue(issue).id;
    return [...this.twin.comments.values()].filter((c) => c.issueId === id).map((c) => ({ id: c.id, user: c.user.login, body: c.body }));
  }
}
