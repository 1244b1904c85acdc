/**
 * Action mode `report`: the last step of a worker run, in a job that can
 * write issues and nothing else. Books what the run spent from the usage
 * record of the metering proxy (what the model API answered, counted
 * outside the agent's reach); reads the agent's own output only for its
 * summary, turns and time. Adds the Actions minutes of this run's jobs and
 * posts the worker report on the feature issue. It closes nothing: in POC
 * mode the bot closes the feature issue once it has read a successful
 * report (in the same write that checks its acceptance criteria); in Full
 * mode the merged pull request does.
 *
 * Without a readable usage record the report says the run was not metered,
 * and the ledger books at least the run's cost cap (or its forecast), never
 * the agent's word alone.
 *
 * A report is always posted when it can be addressed (mission, feature, run
 * and issue are known): figures that make no sense turn it into a failure
 * whose summary says what was wrong, so the bot records it instead of
 * waiting for a report that never comes.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseAgentUsage, type AgentUsage } from "../mission/workers/agent-usage.js";
import { mainModel, readMeteredUsage, type MeteredUsage } from "../mission/workers/metered-usage.js";
import { renderReportComment } from "../mission/markdown/report-comment.js";
import { describeZodError, FeatureKey, MissionId } from "../mission/model.js";
import { WorkerReport, type WorkerReportInput } from "../mission/workers/report.js";
import { missingContextOf } from "../mission/workers/missing-context.js";
import type { ActionContext } from "./context.js";
import { parseIssueAddress } from "../mission/target/target.js";
import { refOf } from "../github/target.js";
import { readRequestsFile } from "./shared/requests-file.js";

const SUMMARY_MAX = 5000;

/** Inputs that are numbers: "" means not given; anything else must be a number of the right kind. */
function numberInput(
  ctx: ActionContext,
  name: string,
  kind: "count" | "amount",
  problems: string[],
): number | undefined {
  const text = ctx.input(name).trim();
  if (!text) return undefined;
  const ok = kind === "count" ? /^\d+$/.test(text) : /^\d+(\.\d+)?$/.test(text);
  const value = Number(text);
  if (!ok || !Number.isFinite(value)) {
    problems.push(`${name} is not ${kind === "count" ? "a whole number" : "an amount"}: ${JSON.stringify(text.slice(0, 40))}`);
    return undefined;
  }
  return value;
}

function readUsage(path: string, notes: string[]): AgentUsage | undefined {
  if (!path) return undefined;
  if (!existsSync(path)) {
    notes.push("The agent left no output.");
    return undefined;
  }
  return parseAgentUsage(readFileSync(path, "utf8"));
}

/** The metering proxy's record, or why there is none. */
function readRecord(path: string): { usage: MeteredUsage } | { problem: string } {
  if (!path) return { problem: "this workflow keeps none (usage-record is not set)" };
  if (!existsSync(path)) return { problem: "the agent job left none" };
  const read = readMeteredUsage(readFileSync(path, "utf8"));
  return read.ok ? { usage: read.usage } : { problem: read.problem };
}

function dollars(usd: number): string {
  return `$${usd.toFixed(2)}`;
}

/** Minutes the jobs of this run's latest attempt have taken so far: finished jobs whole, running ones until now. */
async function actionsMinutes(ctx: ActionContext, runId: number, now: number): Promise<number> {
  try {
    const { data } = await ctx.octokit.rest.actions.listJobsForWorkflowRun({
      ...ctx.repo,
      run_id: runId,
      filter: "latest",
      per_page: 100,
    });
    let ms = 0;
    for (const job of data.jobs) {
      if (!job.started_at) continue;
      const start = Date.parse(job.started_at);
      const end = job.status === "completed" && job.completed_at ? Date.parse(job.completed_at) : now;
      if (Number.isFinite(start) && Number.isFinite(end) && end > start) ms += end - start;
    }
    return Math.round(ms / 600) / 100;
  } catch (error) {
    ctx.log.warning(`could not read this run's jobs for its Actions minutes (${(error as Error).message}); reporting 0`);
    return 0;
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export async function run(ctx: ActionContext, now: () => number = Date.now): Promise<void> {
  const mission = MissionId.safeParse(ctx.input("mission", { required: true }).trim());
  const feature = FeatureKey.safeParse(ctx.input("feature", { required: true }).trim());
  const issueText = ctx.input("issue", { required: true }).trim();
  // "12", or "acme/missions#12" when the mission lives in another repository than this run builds in
  const address = parseIssueAddress(issueText);
  const runId = Number(ctx.env.GITHUB_RUN_ID ?? "");
  const runAttempt = Number(ctx.env.GITHUB_RUN_ATTEMPT || "1");
  const unaddressed = [
    ...(mission.success ? [] : [`mission: ${describeZodError(mission.error).join("; ")}`]),
    ...(feature.success ? [] : [`feature: ${describeZodError(feature.error).join("; ")}`]),
    ...(address ? [] : [`issue is not an issue number (or owner/name#number): ${JSON.stringify(issueText.slice(0, 40))}`]),
    ...(Number.isInteger(runId) && runId > 0 ? [] : ["GITHUB_RUN_ID is not set: run this inside GitHub Actions"]),
    ...(Number.isInteger(runAttempt) && runAttempt >= 1 ? [] : ["GITHUB_RUN_ATTEMPT is not a number"]),
  ];
  if (!mission.success || !feature.success || unaddressed.length) {
    throw new Error(`cannot address a worker report: ${unaddressed.join("; ")}`);
  }
  const issue = address!.number;
  /** the feature issue's repository: the mission's home */
  const home = address!.repo ? refOf(address!.repo) : ctx.repo;

  const problems: string[] = [];
  const notes: string[] = [];
  const agent = readUsage(ctx.input("usage-file").trim(), notes);
  const record = readRecord(ctx.input("usage-record").trim());
  const requests = readRequestsFile(ctx.input("requests-file").trim(), notes);
  const cap = numberInput(ctx, "max-cost-usd", "amount", problems);
  const durationSeconds = numberInput(ctx, "duration-seconds", "amount", problems);
  const pullRequest = numberInput(ctx, "pull-request", "count", problems);
  let commit: string | undefined = ctx.input("commit").trim().toLowerCase() || undefined;
  if (commit && !/^[0-9a-f]{7,40}$/.test(commit)) {
    problems.push(`commit is not a commit sha: ${JSON.stringify(commit.slice(0, 50))}`);
    commit = undefined;
  }
  const branch = ctx.input("branch").trim() || undefined;
  // the apply job's word (from the paths it committed) whether the mission folder changed; anything else: not known
  const folderInput = ctx.input("mission-folder").trim();
  const missionFolder = folderInput === "true" ? true : folderInput === "false" ? false : undefined;
  const asked = ctx.input("outcome").trim();
  const applied = ctx.input("apply-result").trim();

  // tokens and cost: the proxy's record; without one, what the agent says (the ledger books at least the cap or forecast)
  const metered = "usage" in record ? record.usage : undefined;
  const model = (metered ? mainModel(metered) : undefined) ?? agent?.model ?? (ctx.input("model").trim() || undefined);
  const spent = metered
    ? { tokens_in: metered.tokens_in, tokens_out: metered.tokens_out, cost_usd: metered.cost_usd }
    : { tokens_in: agent?.tokens_in ?? 0, tokens_out: agent?.tokens_out ?? 0, ...(agent?.cost_usd !== undefined ? { cost_usd: agent.cost_usd } : {}) };
  if ("problem" in record) {
    notes.push(
      `Not metered: no usage record from the metering proxy (${record.problem}). This run is booked at ${cap !== undefined ? `its cost cap of ${dollars(cap)}` : "its forecast"} at least.`,
    );
  } else if (metered) {
    if (metered.cap_reached) notes.push(`The run reached its cost cap of ${dollars(metered.cap_usd ?? cap ?? 0)}: the metering proxy refused its later model requests.`);
    if (metered.estimated) notes.push(`${metered.estimated} answers of the model API reported no readable usage and are counted at their ceiling.`);
    if (metered.egress_refused.length) notes.push(`The agent was refused network access to ${metered.egress_refused.join(", ")} (not in worker.egress).`);
  }

  // the agent's own words, read only for what it says it lacked (bounded; the bot may draft a mission agent)
  const missingContext = missingContextOf(agent?.summary);
  const figures = {
    mission: mission.data,
    feature: feature.data,
    run_id: runId,
    run_attempt: runAttempt,
    ...spent,
    metering: metered ? ("proxy" as const) : ("unmetered" as const),
    ...(cap !== undefined ? { cost_cap_usd: cap } : {}),
    ...(metered ? { cap_reached: metered.cap_reached } : {}),
    duration_seconds: agent?.duration_seconds ?? durationSeconds ?? 0,
    actions_minutes: await actionsMinutes(ctx, runId, now()),
    ...(agent?.turns !== undefined ? { turns: agent.turns } : {}),
    ...(missingContext ? { missing_context: missingContext } : {}),
    ...(requests?.length ? { requests } : {}),
    ...(missionFolder !== undefined ? { mission_folder: missionFolder } : {}),
  };
  const links = {
    ...(branch ? { branch } : {}),
    ...(commit ? { commit } : {}),
    ...(pullRequest ? { pull_request: pullRequest } : {}),
    ...(model ? { model } : {}),
  };
  const outcomeAndSummary = (): Pick<WorkerReportInput, "outcome" | "summary"> => {
    const unapplied = asked === "success" && applied !== "" && applied !== "success";
    const said = [
      ...(problems.length ? [`This report's figures were unusable: ${problems.join("; ")}.`] : []),
      ...(asked === "" ? ["The agent job ended before it could say why: see its log."] : []),
      ...(asked !== "" && asked !== "success" ? [`The worker run did not succeed (outcome: ${asked}).`] : []),
      ...(unapplied ? [`The worker's patch could not be applied and pushed (apply: ${applied}): see the log of the apply job.`] : []),
      ...(agent?.is_error ? ["The agent stopped on an error."] : []),
      ctx.input("summary").trim(),
      ...notes,
      agent?.summary ?? "",
    ];
    const success = asked === "success" && !unapplied && !agent?.is_error && problems.length === 0;
    return { outcome: success ? "success" : "failure", summary: clip(said.filter(Boolean).join("\n\n"), SUMMARY_MAX) };
  };

  let parsed = WorkerReport.safeParse({ ...figures, ...links, ...outcomeAndSummary() });
  if (!parsed.success) {
    // a link that does not fit the schema (an over-long branch or model name) is left out, and said
    problems.push(...describeZodError(parsed.error));
    parsed = WorkerReport.safeParse({ ...figures, ...outcomeAndSummary() });
  }
  if (!parsed.success) throw new Error(`the worker report is invalid: ${describeZodError(parsed.error).join("; ")}`);
  const report = parsed.data;
  if (problems.length) ctx.log.warning(`worker report figures were unusable: ${problems.join("; ")}`);

  const body = renderReportComment(report);
  const { data: comment } = await ctx.octokit.rest.issues.createComment({ ...home, issue_number: issue, body });
  ctx.log.info(`posted the worker report on ${address!.repo ?? ""}#${issue}: ${comment.html_url}`);

  ctx.setOutput("outcome", report.outcome);
  ctx.setOutput("comment-id", String(comment.id));
  ctx.setOutput("comment-url", comment.html_url);
  ctx.setOutput("report", JSON.stringify(report));
  if (ctx.env.GITHUB_STEP_SUMMARY) await ctx.summary.addRaw(body.replace(/<!-- mission-bot:report [^>]*-->/, "")).write();
}
