/**
 * Action mode `prompt`: the first step of a worker run, in the read-only
 * agent job. Reads the feature issue, refuses it unless the bot (or the
 * account that dispatched the run) or a person with write access wrote it
 * and it is the feature the run was dispatched for, and writes the worker's
 * prompt to a file. Also says which agent command `.github/mission.yml`
 * configures, so the workflow runs it from an environment variable and
 * never from a line of shell built out of text.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { mayCommand } from "../github/permission.js";
import { CONFIG_PATH, parseConfig } from "../mission/config.js";
import { findMarkers } from "../mission/markers.js";
import { describeZodError, FeatureKey, MissionId, Mode } from "../mission/model.js";
import { buildWorkerPrompt, DEFAULT_WORKER_COMMAND } from "../mission/worker-prompt.js";
import type { ActionContext } from "./context.js";

/** Logins from a comma- or newline-separated list. */
function logins(text: string): Set<string> {
  return new Set(
    text
      .split(/[\s,]+/)
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean),
  );
}

/** Why the issue may not become a prompt, or undefined when it may. */
async function refusal(
  ctx: ActionContext,
  author: { login: string; type?: string } | null | undefined,
  trustedBots: Set<string>,
): Promise<string | undefined> {
  if (!author) return "its author is unknown (a deleted account)";
  if (author.type === "Bot") {
    return trustedBots.has(author.login.toLowerCase())
      ? undefined
      : `it was written by the app ${author.login}, which is not mission-bot nor the account that dispatched this run`;
  }
  return (await mayCommand(ctx.octokit, ctx.repo, author.login))
    ? undefined
    : `it was written by ${author.login}, who does not have write access to this repository`;
}

export async function run(ctx: ActionContext): Promise<void> {
  const mission = MissionId.safeParse(ctx.input("mission", { required: true }).trim());
  const feature = FeatureKey.safeParse(ctx.input("feature", { required: true }).trim());
  const mode = Mode.safeParse(ctx.input("worker-mode", { required: true }).trim());
  const issueText = ctx.input("issue", { required: true }).trim();
  if (!mission.success) throw new Error(`mission: ${describeZodError(mission.error).join("; ")}`);
  if (!feature.success) throw new Error(`feature: ${describeZodError(feature.error).join("; ")}`);
  if (!mode.success) throw new Error(`worker-mode must be poc or full`);
  if (!/^[1-9]\d*$/.test(issueText)) throw new Error(`issue is not an issue number: ${JSON.stringify(issueText.slice(0, 40))}`);
  const issueNumber = Number(issueText);

  const workspace = resolve(ctx.input("workspace").trim() || ctx.env.GITHUB_WORKSPACE || process.cwd());
  const configPath = join(workspace, CONFIG_PATH);
  const config = parseConfig(existsSync(configPath) ? readFileSync(configPath, "utf8") : null);
  if (!config.ok) throw new Error(config.problems.join("\n"));

  const { data: issue } = await ctx.octokit.rest.issues.get({ ...ctx.repo, issue_number: issueNumber });
  if (issue.pull_request) throw new Error(`#${issueNumber} is a pull request, not a feature issue`);
  const owns = findMarkers(issue.body).some(
    (m) => m.kind === "feature" && m.mission === mission.data && m.key === feature.data,
  );
  if (!owns) throw new Error(`#${issueNumber} is not feature ${feature.data} of mission ${mission.data} (its marker is missing)`);
  const why = await refusal(ctx, issue.user, logins(ctx.input("trusted-bots")));
  if (why) throw new Error(`refusing to give the agent #${issueNumber}: ${why}`);

  let instructions: string | undefined;
  const promptFile = config.config.worker.prompt_file;
  if (promptFile) {
    const path = resolve(workspace, promptFile);
    if (!path.startsWith(join(workspace, ".github") + sep)) throw new Error(`worker.prompt_file must be a file under .github/`);
    if (!existsSync(path)) throw new Error(`worker.prompt_file ${promptFile} does not exist`);
    instructions = readFileSync(path, "utf8");
  }

  const prompt = buildWorkerPrompt({
    title: issue.title,
    body: issue.body ?? "",
    mission: mission.data,
    feature: feature.data,
    mode: mode.data,
    ...(instructions ? { instructions } : {}),
  });
  const out = resolve(ctx.input("prompt-file").trim() || join(ctx.env.RUNNER_TEMP ?? workspace, "mission-prompt.md"));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, prompt, "utf8");
  ctx.log.info(`wrote the prompt for feature ${feature.data} (#${issueNumber}, ${prompt.length} characters) to ${out}`);

  ctx.setOutput("prompt-file", out);
  ctx.setOutput("command", config.config.worker.command ?? DEFAULT_WORKER_COMMAND);
}
