/**
 * Action mode `report`: the last step of a worker run. Reads what the agent
 * spent from its own output (or from inputs), adds the Actions minutes of
 * this run's jobs, and posts the worker report on the feature issue. In POC
 * mode a successful report closes the feature issue; in Full mode the
 * merged pull request does.
 *
 * A report is always posted when it can be addressed (mission, feature, run
 * and issue are known): figures that make no sense turn it into a failure
 * whose summary says what was wrong, so the bot records it instead of
 * waiting for a report that never comes.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseAgentUsage, type AgentUsage } from "../mission/agent-usage.js";
import { renderReportComment } from "../mission/markdown/report-comment.js";
import { describeZodError, FeatureKey, MissionId } from "../mission/model.js";
import { WorkerReport, type WorkerReportInput } from "../mission/report.js";
import type { ActionContext } from "./context.js";

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
    notes.push("The agent left no output to read its usage from.");
    return undefined;
  }
  const usage = parseAgentUsage(readFileSync(path, "utf8"));
  if (!usage) notes.push("The agent's output holds no usage this Action can read: tokens and cost come from the inputs, if any.");
  return usage;
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
  const runId = Number(ctx.env.GITHUB_RUN_ID ?? "");
  const runAttempt = Number(ctx.env.GITHUB_RUN_ATTEMPT || "1");
  const unaddressed = [
    ...(mission.success ? [] : [`mission: ${describeZodError(mission.error).join("; ")}`]),
    ...(feature.success ? [] : [`feature: ${describeZodError(feature.error).join("; ")}`]),
    ...(/^[1-9]\d*$/.test(issueText) ? [] : [`issue is not an issue number: ${JSON.stringify(issueText.slice(0, 40))}`]),
    ...(Number.isInteger(runId) && runId > 0 ? [] : ["GITHUB_RUN_ID is not set: run this inside GitHub Actions"]),
    ...(Number.isInteger(runAttempt) && runAttempt >= 1 ? [] : ["GITHUB_RUN_ATTEMPT is not a number"]),
  ];
  if (!mission.success || !feature.success || unaddressed.length) {
    throw new Error(`cannot address a worker report: ${unaddressed.join("; ")}`);
  }
  const issue = Number(issueText);

  const problems: string[] = [];
  const notes: string[] = [];
  const usage = readUsage(ctx.input("usage-file").trim(), notes);
  const tokensIn = numberInput(ctx, "tokens-in", "count", problems);
  const tokensOut = numberInput(ctx, "tokens-out", "count", problems);
  const costUsd = numberInput(ctx, "cost-usd", "amount", problems);
  const durationSeconds = numberInput(ctx, "duration-seconds", "amount", problems);
  const pullRequest = numberInput(ctx, "pull-request", "count", problems);
  let commit: string | undefined = ctx.input("commit").trim().toLowerCase() || undefined;
  if (commit && !/^[0-9a-f]{7,40}$/.test(commit)) {
    problems.push(`commit is not a commit sha: ${JSON.stringify(commit.slice(0, 50))}`);
    commit = undefined;
  }
  const branch = ctx.input("branch").trim() || undefined;
  const model = usage?.model ?? (ctx.input("model").trim() || undefined);
  const cost = usage?.cost_usd ?? costUsd;
  const asked = ctx.input("outcome").trim();

  // the agent's own figures win; the inputs fill in what its output did not say
  const figures = {
    mission: mission.data,
    feature: feature.data,
    run_id: runId,
    run_attempt: runAttempt,
    tokens_in: usage?.tokens_in ?? tokensIn ?? 0,
    tokens_out: usage?.tokens_out ?? tokensOut ?? 0,
    ...(cost !== undefined ? { cost_usd: cost } : {}),
    duration_seconds: usage?.duration_seconds ?? durationSeconds ?? 0,
    actions_minutes: await actionsMinutes(ctx, runId, now()),
    ...(usage?.turns !== undefined ? { turns: usage.turns } : {}),
  };
  const links = {
    ...(branch ? { branch } : {}),
    ...(commit ? { commit } : {}),
    ...(pullRequest ? { pull_request: pullRequest } : {}),
    ...(model ? { model } : {}),
  };
  const outcomeAndSummary = (): Pick<WorkerReportInput, "outcome" | "summary"> => {
    const said = [
      ...(problems.length ? [`This report's figures were unusable: ${problems.join("; ")}.`] : []),
      ...(asked === "success" ? [] : [`The worker run did not succeed (outcome: ${asked || "not given"}).`]),
      ...(usage?.is_error ? ["The agent stopped on an error."] : []),
      ctx.input("summary").trim(),
      ...notes,
      usage?.summary ?? "",
    ];
    const success = asked === "success" && !usage?.is_error && problems.length === 0;
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
  const { data: comment } = await ctx.octokit.rest.issues.createComment({ ...ctx.repo, issue_number: issue, body });
  ctx.log.info(`posted the worker report on #${issue}: ${comment.html_url}`);

  if (ctx.input("worker-mode").trim() === "poc" && report.outcome === "success") {
    await ctx.octokit.rest.issues.update({ ...ctx.repo, issue_number: issue, state: "closed", state_reason: "completed" });
    ctx.log.info(`closed feature issue #${issue}: done`);
  }

  ctx.setOutput("outcome", report.outcome);
  ctx.setOutput("comment-id", String(comment.id));
  ctx.setOutput("comment-url", comment.html_url);
  ctx.setOutput("report", JSON.stringify(report));
  if (ctx.env.GITHUB_STEP_SUMMARY) await ctx.summary.addRaw(body.replace(/<!-- mission-bot:report [^>]*-->/, "")).write();
}
