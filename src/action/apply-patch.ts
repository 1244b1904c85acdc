/**
 * Action mode `apply-patch`: the apply job of a worker run, which holds the
 * push token and none of the agent's. Checks the worker's patch (see
 * src/worker/patch-checks.ts), applies it on the branch the run pushes to,
 * commits and pushes it; in Full mode opens (or updates) the pull request
 * that closes the feature issue. Outputs `branch`, `commit`,
 * `mission-folder` (whether the commit changed the mission folder: the
 * report says so, and the bot lists the folder again only then) and, in
 * Full mode, `pull-request`.
 */
import { join, resolve } from "node:path";
import { describeZodError, FeatureKey, MissionId, Mode } from "../mission/model.js";
import { applyAndPush } from "../worker/apply.js";
import type { ActionContext } from "./context.js";
import { parseIssueAddress } from "../mission/target/target.js";

async function pullRequest(ctx: ActionContext, branch: string, base: string, title: string, body: string): Promise<number> {
  const { data: open } = await ctx.octokit.rest.pulls.list({ ...ctx.repo, head: `${ctx.repo.owner}:${branch}`, state: "open", per_page: 10 });
  const existing = open[0];
  if (existing) {
    await ctx.octokit.rest.pulls.update({ ...ctx.repo, pull_number: existing.number, body });
    return existing.number;
  }
  const { data: created } = await ctx.octokit.rest.pulls.create({ ...ctx.repo, head: branch, base, title, body });
  return created.number;
}

export async function run(ctx: ActionContext): Promise<void> {
  const mission = MissionId.safeParse(ctx.input("mission", { required: true }).trim());
  const feature = FeatureKey.safeParse(ctx.input("feature", { required: true }).trim());
  const mode = Mode.safeParse(ctx.input("worker-mode", { required: true }).trim());
  const issue = ctx.input("issue", { required: true }).trim();
  const base = ctx.input("base", { required: true }).trim();
  const problems = [
    ...(mission.success ? [] : [`mission: ${describeZodError(mission.error).join("; ")}`]),
    ...(feature.success ? [] : [`feature: ${describeZodError(feature.error).join("; ")}`]),
    ...(mode.success ? [] : ["worker-mode must be poc or full"]),
    ...(parseIssueAddress(issue) ? [] : [`issue is not an issue number (or owner/name#number): ${JSON.stringify(issue.slice(0, 40))}`]),
    ...(/^[\w./-]{1,255}$/.test(base) ? [] : [`base is not a branch name: ${JSON.stringify(base.slice(0, 60))}`]),
  ];
  if (!mission.success || !feature.success || !mode.success || problems.length) throw new Error(problems.join("; "));

  const runUrl = `${ctx.env.GITHUB_SERVER_URL ?? "https://github.com"}/${ctx.repo.owner}/${ctx.repo.repo}/actions/runs/${ctx.env.GITHUB_RUN_ID ?? "0"}`;
  const pushed = await applyAndPush({
    repo: resolve(ctx.input("workspace").trim() || ctx.env.GITHUB_WORKSPACE || process.cwd()),
    patchFile: resolve(ctx.input("patch").trim() || join(ctx.env.RUNNER_TEMP ?? process.cwd(), "mission-worker", "feature.patch")),
    mission: mission.data,
    feature: feature.data,
    issue: parseIssueAddress(issue)!.number,
    mode: mode.data,
    branch: ctx.input("branch", { required: true }).trim(),
    baseSha: ctx.input("base-sha", { required: true }).trim(),
    runUrl,
    log: ctx.log.info,
  });
  ctx.log.info(`pushed ${pushed.commit} to ${pushed.branch}`);
  ctx.setOutput("branch", pushed.branch);
  ctx.setOutput("commit", pushed.commit);
  ctx.setOutput("mission-folder", String(pushed.missionFolder));

  if (mode.data === "full") {
    // "Closes acme/missions#12" closes the feature issue in the mission's home repository
    const body = `Closes ${/^\d+$/.test(issue) ? "#" : ""}${issue}\n\nFeature ${feature.data} of mission ${mission.data}, by worker run ${runUrl}\n`;
    const number = await pullRequest(ctx, pushed.branch, base, `Mission ${mission.data}: feature ${feature.data}`, body);
    ctx.log.info(`pull request #${number} closes #${issue}`);
    ctx.setOutput("pull-request", String(number));
  }
}
