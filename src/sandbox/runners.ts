/**
 * The sandbox's Actions runners: what picks up the worker and validation
 * runs mission-bot dispatches, in place of GitHub's runners and the
 * workflows' jobs.
 *
 * - A **local worker**, when `.github/mission.yml` names a `worker.command`
 *   and `--repo` points at a local git repository: the command runs in a git
 *   worktree of that repository (on the branch the run was dispatched for),
 *   the prompt in MISSION_PROMPT_FILE (buildWorkerPrompt, as the worker
 *   workflow's prompt step builds it), the environment the workflow's agent
 *   step sets; its output is read with parseAgentUsage, the changes are
 *   committed on that branch (never pushed anywhere), and the report is posted
 *   as the workflow's report step posts it.
 * - A **simulated worker** otherwise: no agent runs and nothing changes; it
 *   posts a plausible report (tokens and time from the configured baselines
 *   for the feature's size), labelled `[simulated worker]`, and closes the
 *   feature issue, so the mission and its budget move.
 * - **Simulated validation**: every milestone passes; the report says no
 *   command ran, labelled `[simulated validation]`.
 *
 * Reports are posted as github-actions[bot], as the workflows post them.
 */
import { spawn, execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseAgentUsage, type AgentUsage } from "../mission/workers/agent-usage.js";
import { renderReportComment } from "../mission/markdown/report-comment.js";
import { renderValidationComment } from "../mission/markdown/validation-comment.js";
import { formatTokens } from "../mission/budget/money.js";
import type { Config, Mission, Mode } from "../mission/model.js";
import { WorkerReport, type WorkerReportInput } from "../mission/workers/report.js";
import { encodeValidationReport, groupFailures, ValidationReport } from "../mission/validation/validation.js";
import { buildWorkerPrompt } from "../mission/workers/worker-prompt.js";
import type { GitHubTwin } from "../twin/state.js";
import type { ArmedFaults } from "./faults.js";
import type { RunState } from "../twin/actions.js";

const run = promisify(execFile);

export const ACTIONS_BOT = "github-actions[bot]";
export const SIMULATED_WORKER = "[simulated worker]";
export const SIMULATED_VALIDATION = "[simulated validation]";
export const LOCAL_WORKER = "[local worker]";

export interface RunnerContext {
  twin: GitHubTwin;
  /** "owner/name" of the sandbox repository */
  repo: string;
  print(text: string): void;
  /** the mission as mission.md says now */
  mission(id: string): Mission | undefined;
  /** the sandbox repository's settings, as .github/mission.yml says now */
  config(): Config;
  /** the local repository workers run in; undefined: workers are simulated */
  localRepo: string | undefined;
  /** faults armed with --simulate or /simulate: each happens once */
  faults?: ArmedFaults;
}

/** How long a run took in simulated time (seconds); the sandbox's clock moves by the longest of a round. */
export type RunSeconds = number;

type Inputs = Readonly<Record<string, string>>;

/** Run one queued run of the worker or validation workflow to its end. */
export async function runQueued(ctx: RunnerContext, runState: RunState, inputs: Inputs): Promise<RunSeconds> {
  if (runState.status !== "queued") return 0; // cancelled, or picked up already
  const path = runState.workflow.path;
  const config = ctx.config();
  if (path.endsWith(`/${config.worker.workflow}`)) {
    const command = config.worker.command;
    if (command && ctx.localRepo) {
      const started = Date.now();
      await localWorker(ctx, runState, inputs, command, ctx.localRepo);
      return Math.round((Date.now() - started) / 1000);
    }
    return simulatedWorker(ctx, runState, inputs);
  } else if (path.endsWith(`/${config.validation.workflow}`)) {
    return simulatedValidation(ctx, runState, inputs);
  }
  ctx.print(`[sandbox] run ${runState.id} of ${path}: no runner for this workflow in the sandbox; cancelled`);
  ctx.twin.actions.cancel(runState.id);
  return 0;
}

// ---------------------------------------------------------------------------
// Workers

function featureOf(ctx: RunnerContext, inputs: Inputs) {
  const mission = ctx.mission(inputs.mission ?? "");
  const feature = mission?.plan?.milestones.flatMap((m) => m.features).find((f) => f.key === inputs.feature);
  return { mission, feature };
}

/** A stable number in [0, 1) from a text, so a rehearsal plays the same way twice. */
function spread(text: string): number {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619);
  return (h >>> 0) / 2 ** 32;
}

function post(ctx: RunnerContext, issue: number, body: string): void {
  ctx.twin.as(ACTIONS_BOT, ctx.repo).comment(issue, body);
}

/** What the report step does: post the report (in POC the bot closes the feature once it has read it; in Full mode its pull request, taken as merged here, closes it). */
function report(ctx: RunnerContext, runState: RunState, inputs: Inputs, report: WorkerReport): void {
  const issue = Number(inputs.issue);
  post(ctx, issue, renderReportComment(report));
  if (report.outcome === "success" && inputs.mode === "full") ctx.twin.as(ACTIONS_BOT, ctx.repo).closeIssue(issue, "completed");
  ctx.twin.actions.complete(runState.id, report.outcome === "success" ? "success" : "failure");
}

function simulatedWorker(ctx: RunnerContext, runState: RunState, inputs: Inputs): RunSeconds {
  const { feature } = featureOf(ctx, inputs);
  const config = ctx.config();
  const size = feature?.size ?? "M";
  const baseline = config.baselines[size];
  if (ctx.faults?.take("failing-worker")) {
    // the job died before its report step: no report, the run fails
    const seconds = Math.round(baseline.hours * 0.3 * 3600);
    ctx.twin.actions.start(runState.id);
    ctx.twin.actions.complete(runState.id, "failure");
    ctx.print(`${SIMULATED_WORKER} feature ${inputs.feature} (#${inputs.issue}, run ${runState.id}): FAILED without a report (--simulate failing-worker)`);
    return seconds;
  }
  const over = ctx.faults?.take("over-forecast") ?? false;
  const share = over ? 3 : 0.55 + 0.35 * spread(`${inputs.mission}/${inputs.feature}/${runState.id}`);
  const tokens = Math.round((baseline.tokens * share) / 1000) * 1000;
  const tokensOut = Math.round(tokens * config.output_share);
  const seconds = Math.round(baseline.hours * share * 3600);
  const full = inputs.mode === "full";
  const parsed = WorkerReport.parse({
    mission: inputs.mission!,
    feature: inputs.feature!,
    run_id: runState.id,
    run_attempt: runState.run_attempt,
    outcome: "success",
    summary:
      `${SIMULATED_WORKER} No agent ran and no code changed: this report stands in for a worker's, with tokens and time ` +
      `from the ${size} baseline in .github/mission.yml, so the rehearsal can go on.` +
      (full ? " In Full mode the feature's pull request is taken as merged." : ""),
    ...(inputs.branch ? { branch: inputs.branch } : {}),
    ...(inputs.model ? { model: inputs.model } : {}),
    tokens_in: tokens - tokensOut,
    tokens_out: tokensOut,
    duration_seconds: seconds,
    actions_minutes: Math.ceil(seconds / 60),
    turns: Math.max(1, Math.round(tokens / config.budget.per_run.tokens_per_turn)),
  } satisfies WorkerReportInput);
  ctx.twin.actions.start(runState.id);
  ctx.print(
    `${SIMULATED_WORKER} feature ${inputs.feature}${feature ? ` “${feature.title}”` : ""} (#${inputs.issue}, run ${runState.id}): done — ` +
      `${formatTokens(tokens)} tokens, ${Math.round(seconds / 60)} min (simulated${over ? ", three times the forecast: --simulate over-forecast" : ""}); report posted${full ? ", issue closed" : ""}`,
  );
  report(ctx, runState, inputs, parsed);
  return seconds;
}

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("git", args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

async function branchExists(repo: string, branch: string): Promise<boolean> {
  try {
    await git(repo, "rev-parse", "--verify", "--quiet", `refs/heads/${branch}`);
    return true;
  } catch {
    return false;
  }
}

/** The command's exit code and output (stdout and stderr together, as the workflow's `tee` keeps them), within `timeoutMs`. */
function runCommand(command: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", command], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.on("data", (c: Buffer) => chunks.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGTERM");
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output: Buffer.concat(chunks).toString("utf8"), timedOut });
    });
  });
}

function lastLines(text: string, n: number): string {
  return text.trim().split("\n").slice(-n).join("\n");
}

async function localWorker(ctx: RunnerContext, runState: RunState, inputs: Inputs, command: string, repo: string): Promise<void> {
  const { mission, feature } = featureOf(ctx, inputs);
  const issue = ctx.twin.issue(Number(inputs.issue), ctx.repo);
  const mode = (inputs.mode === "full" ? "full" : "poc") satisfies Mode;
  const branch = inputs.branch || `mission/${inputs.mission}${mode === "full" ? `/${inputs.feature}` : ""}`;
  ctx.twin.actions.start(runState.id);

  const scratch = await mkdtemp(join(tmpdir(), "mission-bot-worker-"));
  const worktree = join(scratch, "worktree");
  const promptFile = join(scratch, "prompt.md");
  const started = Date.now();
  const notes: string[] = [];
  let outcome: "success" | "failure" = "failure";
  let usage: AgentUsage | undefined;
  let commit: string | undefined;
  try {
    if (await branchExists(repo, branch)) {
      await git(repo, "worktree", "add", "--quiet", worktree, branch);
    } else {
      const base = inputs.base && (await branchExists(repo, inputs.base)) ? inputs.base : "HEAD";
      await git(repo, "worktree", "add", "--quiet", "-b", branch, worktree, base);
    }
    const instructions = await instructionsOf(ctx, repo);
    await writeFile(
      promptFile,
      buildWorkerPrompt({
        title: issue.title,
        body: issue.body ?? "",
        mission: inputs.mission!,
        feature: inputs.feature!,
        mode,
        ...(mission?.constraints ? { constraints: mission.constraints } : {}),
        ...(instructions ? { instructions } : {}),
      }),
    );
    const timeoutMinutes = Math.min(340, Math.max(1, Number(inputs.timeout_minutes) || 60));
    ctx.print(`${LOCAL_WORKER} feature ${inputs.feature}${feature ? ` “${feature.title}”` : ""} (#${inputs.issue}, run ${runState.id}): running \`${command}\` in a worktree of ${repo} on ${branch} …`);
    const result = await runCommand(
      command,
      worktree,
      {
        ...process.env,
        MISSION_PROMPT_FILE: promptFile,
        MISSION_ID: inputs.mission,
        MISSION_FEATURE: inputs.feature,
        MISSION_MODE: mode,
        MISSION_MODEL: inputs.model ?? "",
        MISSION_MAX_TURNS: inputs.max_turns ?? "",
        MISSION_MAX_COST_USD: inputs.max_cost_usd ?? "",
        MISSION_TIMEOUT_MINUTES: String(timeoutMinutes),
      },
      timeoutMinutes * 60_000,
    );
    usage = parseAgentUsage(result.output);
    if (!usage) notes.push("The agent's output holds no usage this runner can read: tokens and cost are not known.");
    if (result.timedOut) notes.push(`The agent ran out of time (${timeoutMinutes} minutes).`);
    else if (result.code !== 0) notes.push(`The agent command exited with ${result.code}.`);
    if (usage?.is_error) notes.push("The agent stopped on an error.");

    const changed = (await git(worktree, "status", "--porcelain", "--untracked-files=all")).split("\n").filter(Boolean);
    const touchesGithub = changed.some((l) => /^.. (?:.* -> )?"?\.github\//.test(l));
    if (touchesGithub) notes.push("The agent changed files under .github/: its changes were refused.");
    const ok = result.code === 0 && !result.timedOut && !usage?.is_error && !touchesGithub;
    if (ok && changed.length) {
      await git(worktree, "add", "--all");
      await git(
        worktree,
        "-c",
        "user.name=mission-bot sandbox",
        "-c",
        "user.email=sandbox@mission-bot.invalid",
        "commit",
        "--quiet",
        "--no-verify",
        "-m",
        `Mission ${inputs.mission}: feature ${inputs.feature} (#${inputs.issue})`,
      );
      commit = await git(worktree, "rev-parse", "HEAD");
    } else if (ok) {
      notes.push("The agent changed no file.");
    }
    outcome = ok ? "success" : "failure";
    if (!ok) notes.push(`Last lines of its output:\n${lastLines(result.output, 5)}`);
  } catch (error) {
    notes.push(`The local worker could not run: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await git(repo, "worktree", "remove", "--force", worktree).catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
  }

  const seconds = usage?.duration_seconds ?? (Date.now() - started) / 1000;
  const parsed = WorkerReport.parse({
    mission: inputs.mission!,
    feature: inputs.feature!,
    run_id: runState.id,
    run_attempt: runState.run_attempt,
    outcome,
    summary: [`${LOCAL_WORKER} \`${command}\` in a worktree of the local repository, branch \`${branch}\` (committed locally, not pushed).`, ...notes, usage?.summary ?? ""]
      .filter(Boolean)
      .join("\n\n")
      .slice(0, 5000),
    branch,
    ...(commit ? { commit } : {}),
    ...((usage?.model ?? inputs.model) ? { model: usage?.model ?? inputs.model } : {}),
    tokens_in: usage?.tokens_in ?? 0,
    tokens_out: usage?.tokens_out ?? 0,
    ...(usage?.cost_usd !== undefined ? { cost_usd: usage.cost_usd } : {}),
    duration_seconds: Math.round(seconds),
    actions_minutes: 0,
    ...(usage?.turns !== undefined ? { turns: usage.turns } : {}),
  } satisfies WorkerReportInput);
  ctx.print(
    `${LOCAL_WORKER} feature ${inputs.feature}: ${outcome === "success" ? "done" : "not done"} — ` +
      `${usage ? `${formatTokens(usage.tokens_in + usage.tokens_out)} tokens` : "usage unknown"}` +
      `${commit ? `, committed ${commit.slice(0, 7)} on ${branch}` : ""}${outcome === "success" ? "" : ` (${notes[0] ?? "failed"})`}`,
  );
  report(ctx, runState, inputs, parsed);
}

/** The repository's standing instructions for workers (`worker.prompt_file`, a file under .github/), read from the local repository. */
async function instructionsOf(ctx: RunnerContext, repo: string): Promise<string | undefined> {
  const file = ctx.config().worker.prompt_file;
  if (!file || !/^\.github\//.test(file) || file.includes("..")) return undefined;
  return readFile(join(repo, file), "utf8").catch(() => undefined);
}

// ---------------------------------------------------------------------------
// Validation

/** A simulated validation: it passes, unless --simulate failed-validation makes this one fail a check. */
function simulatedValidation(ctx: RunnerContext, runState: RunState, inputs: Inputs): RunSeconds {
  ctx.twin.actions.start(runState.id);
  const fails = ctx.faults?.take("failed-validation") ?? false;
  const command = fails
    ? { name: "test", command: "npm test", passed: false, exit_code: 1, duration_seconds: 42, output_tail: `${SIMULATED_VALIDATION} FAIL src/contacts.test.ts > saves a contact: expected 201, got 500` }
    : { name: "simulated", command: "(nothing ran: the sandbox simulates validation)", passed: true, exit_code: 0, duration_seconds: 0, output_tail: `${SIMULATED_VALIDATION} no command ran` };
  const report = ValidationReport.parse({
    mission: inputs.mission,
    milestone: inputs.milestone,
    run_id: runState.id,
    run_attempt: runState.run_attempt,
    ...(inputs.ref ? { ref: inputs.ref } : {}),
    commands: [command],
    tests_total: fails ? 12 : 0,
  });
  const text = renderValidationComment(report, groupFailures(report), { attempt: 1, maxFailures: ctx.config().validation.max_failures });
  const note = fails
    ? `${SIMULATED_VALIDATION} No command ran: --simulate failed-validation made this one fail.`
    : `${SIMULATED_VALIDATION} No command ran: the sandbox passes every validation so the rehearsal can go on.`;
  post(ctx, Number(inputs.issue), `${note}\n\n${text}\n\n${encodeValidationReport(report)}`);
  ctx.twin.actions.complete(runState.id, fails ? "failure" : "success");
  ctx.print(`${SIMULATED_VALIDATION} milestone ${inputs.milestone} (#${inputs.issue}, run ${runState.id}): ${fails ? "FAILED (--simulate failed-validation)" : "passed — no command ran"}`);
  return 5 * 60;
}
