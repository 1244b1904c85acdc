/**
 * The loop inside a GitHub Actions run (Actions-only mode): the same job as
 * the App's (src/loop/reconcile-job.ts), authenticated with the workflow's
 * token. The lease of a mission is the command workflow's concurrency group
 * (one per tracking issue), so a run works its mission directly, without a
 * queue of its own.
 */
import type { ActionContext } from "../context.js";
import type { JobDeps } from "../../loop/reconcile-job.js";
import type { ApplyLimits } from "../../github/apply.js";
import { guardRateLimits, MemoryCooldowns } from "../../github/rate-limits.js";
import { HistoryCache } from "../../github/history.js";
import { plannerFor } from "../../planner/index.js";
import { isStatus, NO_RETRY } from "../../github/client.js";
import { outsideFromEnv } from "../../github/spending/outside-from-env.js";

/** The login GITHUB_TOKEN writes as. */
export const ACTIONS_BOT = "github-actions[bot]";

/** An Actions job waits for the run, not 10 s: more writes per reconcile than a webhook. */
export const actionLimits = (): ApplyLimits => ({ maxWrites: 60, timeMs: 3 * 60_000 });

export function botLoginOf(ctx: Pick<ActionContext, "input">): string {
  return ctx.input("bot-login").trim() || ACTIONS_BOT;
}

export function actionDeps(ctx: ActionContext, clock: () => number = Date.now): JobDeps {
  const octokit = guardRateLimits(ctx.octokit, { key: "token", store: new MemoryCooldowns(), clock });
  const botLogin = botLoginOf(ctx);
  const history = new HistoryCache(clock);
  return {
    octokitFor: async () => octokit,
    identity: async () => ({ botLogin, reportLogins: [...new Set([botLogin, ACTIONS_BOT])] }),
    serverUrl: (ctx.env.GITHUB_SERVER_URL ?? "https://github.com").replace(/\/+$/, ""),
    choosePlanner: (config) => plannerFor(config, ctx.env),
    history: (o, job, where, completed) => history.get(o, { owner: job.owner, repo: job.repo }, where, completed),
    // A run starts cold: mission.yml, mission.md and the completed missions' list in one GraphQL query, not three
    // of GITHUB_TOKEN's 1,000 REST requests an hour (load-query.ts). The App keeps its conditional REST reads: its
    // ETag store makes an unchanged read a 304, which costs nothing, while a GraphQL query always costs a point.
    reads: "graphql",
    limits: actionLimits,
    clock,
    log: { info: ctx.log.info, warn: ctx.log.warning },
    outside: outsideFromEnv(ctx.env, { clock }),
  };
}

/**
 * The repository's default branch: from the event (GitHub puts the repository in the payload of the events a
 * workflow runs on, workflow_dispatch included), or for a scheduled run from its ref: a schedule event's payload
 * carries no repository (github/codeql-action#1211), but its GITHUB_REF is the default branch (Actions docs,
 * "Events that trigger workflows", `schedule`: GITHUB_REF "Default branch"); else asked of GitHub. One request
 * less per run (a pulse every 15 minutes: 96 a day), on GITHUB_TOKEN's 1,000 an hour.
 */
export async function defaultBranchOf(ctx: Pick<ActionContext, "event" | "octokit" | "repo" | "env">): Promise<string> {
  const known = (ctx.event.payload as { repository?: { default_branch?: unknown } } | undefined)?.repository?.default_branch;
  if (typeof known === "string" && known.length > 0 && known.length <= 255) return known;
  const scheduled = ctx.event.name === "schedule" ? /^refs\/heads\/(.{1,255})$/.exec(ctx.env.GITHUB_REF ?? "")?.[1] : undefined;
  if (scheduled) return scheduled;
  return (await ctx.octokit.rest.repos.get({ ...ctx.repo })).data.default_branch;
}

/** The file name of the workflow this run belongs to (GITHUB_WORKFLOW_REF: owner/repo/.github/workflows/<file>@ref). */
export function ownWorkflow(ctx: Pick<ActionContext, "env">): string | undefined {
  return /\/\.github\/workflows\/([^@/]+)@/.exec(ctx.env.GITHUB_WORKFLOW_REF ?? "")?.[1];
}

/**
 * Start the command workflow for one tracking issue (`workflow_dispatch`,
 * which GITHUB_TOKEN may trigger): the run joins that mission's concurrency
 * group. Resolves false when there is no such workflow (the App serves this
 * repository).
 */
export async function dispatchCommandRun(ctx: ActionContext, workflow: string, ref: string, issue: number, reason: string): Promise<boolean> {
  try {
    await ctx.octokit.request("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", {
      ...ctx.repo,
      workflow_id: workflow,
      ref,
      inputs: { issue: String(issue), reason: reason.slice(0, 100) },
      ...NO_RETRY,
    });
    return true;
  } catch (error) {
    if (isStatus(error, 404)) return false;
    throw error;
  }
}
