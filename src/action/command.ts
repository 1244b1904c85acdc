/**
 * Mode `command`: mission-bot through Actions alone, without hosting the
 * App. The workflow runs on `issue_comment`/`issues` (and `workflow_run`)
 * events; the same Probot app handles the event, authenticated with the
 * workflow's token, so there is one implementation of every rule.
 */
import { Probot, ProbotOctokit } from "probot";
import { missionBot } from "../app.js";
import type { ActionContext } from "./context.js";
import { askForPulse } from "./pulse.js";

/** Actions waits for the job, not 10 s: allow more work per event than a webhook. */
const actionLimits = () => ({ maxWrites: 40, timeMs: 3 * 60_000 });

export async function run(ctx: ActionContext): Promise<void> {
  const token = ctx.input("github-token") || ctx.env.GITHUB_TOKEN;
  if (!token) throw new Error("github-token is required");
  const probot = new Probot({
    githubToken: token,
    Octokit: ProbotOctokit.defaults({ ...(ctx.env.GITHUB_API_URL ? { baseUrl: ctx.env.GITHUB_API_URL } : {}) }),
    logLevel: "info",
  });
  // With GITHUB_TOKEN the bot writes as github-actions[bot]; with an App token, as the App.
  const botLogin = ctx.input("bot-login") || "github-actions[bot]";
  await probot.load(missionBot({ env: ctx.env, limits: actionLimits, botLogin, onIncomplete: askForPulse }));
  await probot.receive({
    id: ctx.env.GITHUB_RUN_ID ?? `${Date.now()}`,
    name: ctx.event.name as never,
    payload: ctx.event.payload as never,
  });
}
