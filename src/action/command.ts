/**
 * Mode `command`: mission-bot through Actions alone, without hosting the
 * App. The command workflow runs on issue comments, issues, and its own
 * `workflow_dispatch` (with the tracking issue as input); one concurrency
 * group per tracking issue plays the mission's lease. Because GitHub keeps
 * only one pending run per group (a newer one replaces it), every run
 * reconciles the whole mission and answers every unanswered command, so
 * nothing depends on which run survived.
 */
import type { ActionContext } from "./context.js";
import { route } from "../loop/route.js";
import { reconcileIssue } from "../loop/reconcile-job.js";
import { RetryLater, type ReconcileJob } from "../loop/queue.js";
import { actionDeps, botLoginOf, dispatchCommandRun, ownWorkflow } from "./shared/loop-deps.js";

/** Work this long within one run; the rest goes to a fresh run of the same mission's group. */
const RUN_BUDGET_MS = 6 * 60_000;
/** A rate limit this short is waited out in the run; a longer one is left to the next pulse. */
const WAIT_IN_RUN_MS = 90_000;

export async function run(ctx: ActionContext, clock: () => number = Date.now): Promise<void> {
  if (!ctx.event.name) throw new Error("mode command runs on a workflow's event: GITHUB_EVENT_NAME is not set");
  const job = jobOf(ctx);
  if (!job) {
    ctx.log.info(`mission-bot: nothing to do for this ${ctx.event.name} event`);
    return;
  }
  const eventIssue = issueOfEvent(ctx);
  const workflow = ownWorkflow(ctx);
  const ref = ctx.env.GITHUB_REF_NAME || "main";
  // An event on a feature or milestone issue belongs to its mission's group: hand it over.
  if (eventIssue !== undefined && eventIssue !== job.issue && workflow) {
    const handed = await dispatchCommandRun(ctx, workflow, ref, job.issue, job.reason ?? ctx.event.name);
    ctx.log.info(handed ? `mission-bot: #${eventIssue} belongs to the mission tracked on #${job.issue}; its run takes over` : `mission-bot: could not start ${workflow} for #${job.issue}`);
    return;
  }
  const deps = actionDeps(ctx, clock);
  const branch = (ctx.event.payload as { repository?: { default_branch?: unknown } }).repository?.default_branch;
  if (typeof branch === "string" && branch) job.defaultBranch = branch;
  const started = clock();
  for (;;) {
    try {
      const outcome = await reconcileIssue(deps, job);
      for (const r of outcome.refused) ctx.log.warning(r);
      if (!outcome.more) return;
    } catch (error) {
      if (!(error instanceof RetryLater) || error.ms > WAIT_IN_RUN_MS) throw error;
      ctx.log.warning(`${error.message}; waiting ${Math.ceil(error.ms / 1000)} s`);
      await new Promise((resolve) => setTimeout(resolve, error.ms));
    }
    if (clock() - started > RUN_BUDGET_MS) break;
  }
  if (workflow) await dispatchCommandRun(ctx, workflow, ref, job.issue, "more to do");
  ctx.log.info(`mission-bot: more to do on #${job.issue}; another run continues`);
}

function jobOf(ctx: ActionContext): ReconcileJob | undefined {
  const payload = ctx.event.payload as Record<string, unknown> & { inputs?: Record<string, unknown> };
  if (ctx.event.name === "workflow_dispatch") {
    const issue = Number(payload.inputs?.issue);
    if (!Number.isInteger(issue) || issue <= 0) throw new Error(`workflow_dispatch needs the input "issue" (a tracking issue number), got ${JSON.stringify(payload.inputs?.issue)}`);
    return { ...ctx.repo, issue, reason: String(payload.inputs?.reason ?? "workflow_dispatch") };
  }
  const job = route(ctx.event.name, payload as never, botLoginOf(ctx));
  return job ? { owner: ctx.repo.owner, repo: ctx.repo.repo, issue: job.issue, reason: job.reason ?? ctx.event.name } : undefined;
}

function issueOfEvent(ctx: ActionContext): number | undefined {
  const issue = (ctx.event.payload as { issue?: { number?: number } }).issue;
  return typeof issue?.number === "number" ? issue.number : undefined;
}
