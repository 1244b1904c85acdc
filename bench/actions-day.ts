/**
 * A simulated day of mission-bot in Actions-only mode, on the workflow's
 * GITHUB_TOKEN (1,000 REST requests an hour per repository): N active
 * missions, the pulse workflow every 15 minutes, the command workflow run
 * for every mission the pulse or a finished run starts (one at a time per
 * tracking issue, its concurrency group), and the worker and validation
 * workflows' own requests (prompt, report, wake). Each run of a workflow
 * gets its own token and a fresh process, as on GitHub: nothing is cached
 * between runs. Figures only; nothing is asserted.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as core from "@actions/core";
import { ProbotOctokit } from "probot";
import type { ActionContext } from "../src/action/context.js";
import { pulse } from "../src/action/pulse.js";
import { defaultBranchOf } from "../src/action/shared/loop-deps.js";
import { run as command } from "../src/action/command.js";
import { run as prompt } from "../src/action/prompt.js";
import { run as report } from "../src/action/report.js";
import { run as wake } from "../src/action/wake.js";
import type { Octokit } from "../src/github/client.js";
import { MemoryEtagStore, withEtags } from "../src/github/etag-cache.js";
import { startTwinServer } from "../src/twin/server.js";
import type { GitHubTwin, LogEntry } from "../src/twin/state.js";
import type { RunState } from "../src/twin/actions.js";
import { renderMissionFile } from "../src/mission/markdown/mission-file.js";
import { renderValidationComment } from "../src/mission/markdown/validation-comment.js";
import { ValidationReport, encodeValidationReport, groupFailures } from "../src/mission/validation/validation.js";
import { LABELS, missionPath } from "../src/mission/model.js";
import { answered, plan, STATE_BRANCH } from "../test/support/missions.js";
import { seedCompletedMissions } from "../test/support/completed-missions.js";
import { repoFiles } from "../test/e2e/support/world.js";
import { contractTwin } from "../test/support/twin.js";
import { REPO, kindOf } from "./support.js";
import { graphqlCost } from "../src/twin/graphql.js";

export const ACTIONS_BOT = "github-actions[bot]";
const QUARTER = 15 * 60_000;

export interface DayOptions {
  missions: number;
  hours?: number;
  /** features per milestone of each mission */
  shape?: number[];
  /** completed missions in the repository before the day (their files on the state branch, their tracking issues labelled `mission:completed`): the forecast history every command run reads */
  completed?: number;
  /** the files read as before GraphQL read them, one REST read each (the history's and the load's queries refused before they are sent) */
  historyByRest?: boolean;
  /** look at the twin before its server closes (debugging the simulation) */
  inspect?: (twin: GitHubTwin, apiUrl: string, owner?: Map<number, string>) => Promise<void>;
}

export interface HourFigures {
  hour: number;
  /** requests GITHUB_TOKEN made, REST and GraphQL (304s do not count) */
  requests: number;
  /** REST requests: what counts against GITHUB_TOKEN's 1,000 REST requests an hour */
  rest: number;
  /** GraphQL points (the twin's cost of each query): GITHUB_TOKEN's GraphQL budget, 1,000 points an hour, apart from REST's */
  graphqlPoints: number;
  notModified: number;
  byKind: Record<string, number>;
  /** who asked, REST requests: pulse, command, worker, validation */
  byWorkflow: Record<string, number>;
}

export interface DayFigures {
  hours: HourFigures[];
  pulses: number;
  /** missions the pulses loaded in full, and skipped (nothing changed, not their hourly look) */
  pulseLoads?: number;
  pulseSkips?: number;
  commandRuns: number;
  workerRuns: number;
  validationRuns: number;
  completed: number;
  missions: number;
}

/** A GITHUB_TOKEN client at the twin's server: retries and throttling off, so the requests counted are the code's own. */
function tokenOctokit(token: string, apiUrl: string, historyByRest = false): Octokit {
  // as actionOctokit: the run's reads are conditional, its answers kept for the run (a fresh process each)
  const octokit = new ProbotOctokit({
    auth: { token },
    baseUrl: apiUrl,
    throttle: { enabled: false },
    retry: { enabled: false },
    log: { debug() {}, info() {}, warn() {}, error() {} },
  }) as unknown as Octokit;
  if (historyByRest) {
    const graphql = octokit.graphql;
    octokit.graphql = Object.assign((query: string, params?: Record<string, unknown>) => {
      if (/object\(expression:/.test(String(query))) return Promise.reject(new Error("the bench refuses the GraphQL queries that read files"));
      return graphql(query, params);
    }, graphql) as typeof octokit.graphql;
  }
  return withEtags(octokit, new MemoryEtagStore(), "run");
}

const JOB_PERMISSIONS = {
  pulse: { issues: "read", contents: "read", actions: "write" },
  command: { contents: "write", issues: "write", actions: "write" },
  worker: { contents: "read", issues: "write", actions: "write" },
  validation: { contents: "read", issues: "write", actions: "write" },
} as const;

export async function actionsDay(options: DayOptions): Promise<DayFigures> {
  const hours = options.hours ?? 24;
  const shape = options.shape ?? [4, 4, 4];
  const twin: GitHubTwin = contractTwin({ primaryLimit: 1_000_000, actionsTokenLimit: 1_000_000, secondaryLimits: false });
  twin.addRepo({ owner: REPO.owner, name: REPO.repo, ownerType: "Organization", collaborators: { alice: "write" }, files: repoFiles({}, { actionsOnly: true }) });
  twin.createBranch(STATE_BRANCH, { orphan: true });
  const server = await startTwinServer(twin);
  const temp = mkdtempSync(join(tmpdir(), "mission-day-"));
  const usageRecord = join(temp, "usage.json");
  writeFileSync(usageRecord, JSON.stringify({ version: 1, requests: 30, refused: 0, failed: 0, tokens_in: 900_000, tokens_out: 60_000, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: 2.4, estimated: 0, cap_reached: false, models: { "claude-sonnet-5-5": { requests: 30, tokens_in: 900_000, tokens_out: 60_000, cost_usd: 2.4 } }, unpriced_models: [], egress_refused: [] }));

  if (options.completed) {
    seedCompletedMissions(twin, options.completed, { repo: `${REPO.owner}/${REPO.repo}`, by: "alice", bot: ACTIONS_BOT, shape });
    // they completed earlier: quiet for longer than the pulse's look at recently changed completed missions
    twin.advance(3 * 3_600_000, { tokens: "keep" });
  }

  // Missions approved in the morning (as /mission approve leaves them): their materialisation is part of the day.
  for (let i = 0; i < options.missions; i++) {
    const tracking = twin.as("alice").createIssue({ title: `Mission ${i + 1}`, body: "The goal, in the person's words." }).number;
    const id = `m-20261124-day${i + 1}-${tracking}`;
    const mission = answered({ id, tracking_issue: tracking, status: "active", repo: `${REPO.owner}/${REPO.repo}`, plan: plan(shape), budget: { hours: 200, usd: 2000, tokens: 500_000_000, alerts: [0.5, 0.8, 1], hard_stop: "finish" } });
    twin.writeFile(missionPath(id), renderMissionFile(mission), { author: ACTIONS_BOT, message: `mission ${id}: active [skip ci]`, branch: STATE_BRANCH });
    twin.as(ACTIONS_BOT).addLabels(tracking, [LABELS.mission, LABELS.forMission(id)]);
  }
  twin.takeEvents();

  const start = twin.now();
  const owner = new Map<number, string>(); // log seq → workflow
  let seen = twin.log.length;
  const tag = (workflow: string) => {
    for (let i = seen; i < twin.log.length; i++) owner.set(twin.log[i]!.seq, workflow);
    seen = twin.log.length;
  };

  const context = (workflow: keyof typeof JOB_PERMISSIONS, event: ActionContext["event"], inputs: Record<string, string>, env: Record<string, string> = {}): ActionContext => {
    const token = twin.actionsToken(`${REPO.owner}/${REPO.repo}`, { permissions: { ...JOB_PERMISSIONS[workflow] } });
    const file = { pulse: "mission-pulse.yml", command: "mission-command.yml", worker: "mission-worker.yml", validation: "mission-validate.yml" }[workflow];
    return {
      input: (name) => inputs[name] ?? "",
      setOutput: () => {},
      repo: { ...REPO },
      event,
      octokit: tokenOctokit(token, server.apiUrl, options.historyByRest),
      summary: core.summary,
      log: { info() {}, warning() {}, error() {} },
      env: { GITHUB_REPOSITORY: `${REPO.owner}/${REPO.repo}`, GITHUB_REF_NAME: "main", GITHUB_WORKFLOW_REF: `${REPO.owner}/${REPO.repo}/.github/workflows/${file}@refs/heads/main`, GITHUB_SERVER_URL: "https://github.com", RUNNER_TEMP: temp, ...env },
    };
  };
  const clock = () => twin.now();
  const figures: { pulses: number; commandRuns: number; workerRuns: number; validationRuns: number; pulseDue?: number; pulseLoads?: number; pulseSkips?: number } = {
    pulses: 0,
    commandRuns: 0,
    workerRuns: 0,
    validationRuns: 0,
  };

  // Worker and validation runs take their time; they finish at a later tick.
  const due: Array<{ at: number; run: RunState; inputs: Readonly<Record<string, string>> }> = [];
  twin.onQueued((run, inputs) => {
    if (run.workflow.path.endsWith("mission-worker.yml")) due.push({ at: twin.now() + (20 + (run.id % 5) * 10) * 60_000, run, inputs });
    if (run.workflow.path.endsWith("mission-validate.yml")) due.push({ at: twin.now() + 10 * 60_000, run, inputs });
  });

  const finishWorker = async (run: RunState, inputs: Readonly<Record<string, string>>) => {
    figures.workerRuns++;
    twin.actions.start(run.id);
    const env = { GITHUB_RUN_ID: String(run.id), GITHUB_RUN_ATTEMPT: String(run.run_attempt) };
    const event = { name: "workflow_dispatch", payload: twin.actions.eventPayload(run.id) };
    const step = { mission: inputs.mission!, feature: inputs.feature!, issue: inputs.issue!, "worker-mode": inputs.mode!, "max-cost-usd": inputs.max_cost_usd ?? "" };
    await prompt(context("worker", event, { ...step, base: "main", "prompt-file": join(temp, `prompt-${run.id}.md`) }, env)).catch(() => {});
    // the apply job's outputs: the commit it pushed, and whether it changed the mission folder (this simulated worker adds nothing there)
    await report(context("worker", event, { ...step, outcome: "success", "apply-result": "success", commit: run.head_sha, "mission-folder": "false", summary: "Done.", "usage-record": usageRecord, branch: inputs.branch ?? "" }, env), clock);
    await wake(context("worker", event, { mission: inputs.mission! }, env));
    twin.actions.complete(run.id, "success");
    tag("worker");
  };

  const finishValidation = async (run: RunState, inputs: Readonly<Record<string, string>>) => {
    figures.validationRuns++;
    twin.actions.start(run.id);
    const env = { GITHUB_RUN_ID: String(run.id), GITHUB_RUN_ATTEMPT: String(run.run_attempt) };
    const event = { name: "workflow_dispatch", payload: twin.actions.eventPayload(run.id) };
    const ctx = context("validation", event, {}, env);
    // what mode validate-report does: look for its own comment, post the report
    await ctx.octokit.paginate(ctx.octokit.rest.issues.listComments, { ...REPO, issue_number: Number(inputs.issue), per_page: 100 });
    const r = ValidationReport.parse({ mission: inputs.mission, milestone: inputs.milestone, run_id: run.id, run_attempt: run.run_attempt, ref: inputs.ref, commit: run.head_sha, commands: [{ name: "test", command: "npm test", passed: true, exit_code: 0, duration_seconds: 60 }], failures: [], tests_total: 40 });
    await ctx.octokit.rest.issues.createComment({ ...REPO, issue_number: Number(inputs.issue), body: `${renderValidationComment(r, groupFailures(r), { attempt: 1, maxFailures: 3 })}\n\n${encodeValidationReport(r)}` });
    await wake(context("validation", event, { mission: inputs.mission! }, env));
    twin.actions.complete(run.id, "success");
    tag("validation");
  };

  // Every queued run of the command workflow, one after another (one per tracking issue at a time, as its group says).
  const drainCommands = async () => {
    for (let guard = 0; guard < 500; guard++) {
      const next = twin.actions.runsOf("mission-command.yml").find((r) => r.status === "queued");
      if (!next) return;
      figures.commandRuns++;
      twin.actions.start(next.id);
      try {
        await command(context("command", { name: "workflow_dispatch", payload: twin.actions.eventPayload(next.id) }, { "bot-login": ACTIONS_BOT }), clock);
        twin.actions.complete(next.id, "success");
      } catch {
        twin.actions.complete(next.id, "failure");
      }
      tag("command");
    }
  };

  try {
    for (let tick = 1; tick <= hours * 4; tick++) {
      twin.advance(QUARTER, { tokens: "keep" });
      for (const d of due.filter((x) => x.at <= twin.now()).sort((a, b) => a.at - b.at)) {
        due.splice(due.indexOf(d), 1);
        if (d.run.workflow.path.endsWith("mission-worker.yml")) await finishWorker(d.run, d.inputs);
        else await finishValidation(d.run, d.inputs);
        await drainCommands();
      }
      figures.pulses++;
      // the pulse is a run of its workflow (as the schedule starts it; the twin starts it by workflow_dispatch): the next pulse finds when it started
      const pulseRun = twin.actions.dispatch(`${REPO.owner}/${REPO.repo}`, "mission-pulse.yml", { ref: "main", actor: "alice" });
      if (!pulseRun.ok) throw new Error(`the pulse workflow did not start: ${pulseRun.message}`);
      twin.actions.start(pulseRun.run.id);
      const ctx = context("pulse", { name: "schedule", payload: { schedule: "*/15 * * * *" } }, {}, { GITHUB_RUN_ID: String(pulseRun.run.id), GITHUB_REF: "refs/heads/main", GITHUB_SHA: pulseRun.run.head_sha });
      // as the mode's run() does: a scheduled run's default branch is its ref (GITHUB_REF), no request
      const rows = await pulse(ctx, await defaultBranchOf(ctx), { clock });
      twin.actions.complete(pulseRun.run.id, rows.some((r) => r.note?.startsWith("failed")) ? "failure" : "success");
      figures.pulseDue = (figures.pulseDue ?? 0) + rows.filter((r) => r.due).length;
      figures.pulseLoads = (figures.pulseLoads ?? 0) + rows.filter((r) => !r.look.startsWith("skipped")).length;
      figures.pulseSkips = (figures.pulseSkips ?? 0) + rows.filter((r) => r.look.startsWith("skipped")).length;
      tag("pulse");
      await drainCommands();
      twin.takeEvents();
    }
    await options.inspect?.(twin, server.apiUrl, owner);
  } finally {
    await server.close();
  }

  const actions = twin.log.filter((e) => e.actor.startsWith("actions:"));
  const perHour: HourFigures[] = Array.from({ length: hours }, (_, hour) => ({ hour, requests: 0, rest: 0, graphqlPoints: 0, notModified: 0, byKind: {}, byWorkflow: {} }));
  for (const e of actions) {
    const h = perHour[Math.min(hours - 1, Math.floor((e.at - start) / 3_600_000))]!;
    if (e.status === 304) {
      h.notModified++;
      continue;
    }
    h.requests++;
    if (e.path.endsWith("/graphql")) h.graphqlPoints += graphqlCost(e.body).points;
    else h.rest++;
    const kind = kindOf(e as LogEntry);
    h.byKind[kind] = (h.byKind[kind] ?? 0) + 1;
    const wf = owner.get(e.seq) ?? "?";
    if (!e.path.endsWith("/graphql")) h.byWorkflow[wf] = (h.byWorkflow[wf] ?? 0) + 1;
  }
  const completed = twin.issuesOf().filter((i) => i.labels.includes("mission:completed")).length - (options.completed ?? 0);
  return { hours: perHour, ...figures, completed, missions: options.missions };
}
