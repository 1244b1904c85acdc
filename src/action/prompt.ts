/**
 * Action mode `prompt`: the first step of a worker run, in the read-only
 * agent job. Reads the settings from `.github/mission.yml` on the default
 * branch (never from a branch agents write to), the mission's constraints,
 * preferences and outcome level from its mission.md on the state branch,
 * reads the feature issue,
 * refuses it unless mission-bot (one of `bot_logins`) or a person with
 * write access wrote it and it is the feature the run was dispatched for,
 * and writes the worker's prompt to a file. Also says where the work starts
 * (POC: the mission branch once it exists) and which agent command and
 * container image the settings name, so later steps take them from outputs
 * and never from a line of shell built out of text.
 */
import { promptLines } from "../mission/spending/texts.js";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { isStatus } from "../github/client.js";
import { mayCommand } from "../github/permission.js";
import { CONFIG_PATH } from "../mission/config.js";
import { findMarkers } from "../mission/markers.js";
import { describeZodError, FeatureKey, missionPath, MissionId, Mode, type Mission } from "../mission/model.js";
import { parseMissionFile } from "../mission/markdown/mission-file.js";
import { findFeature, missionBranchRecorded } from "../mission/workers/workers.js";
import { listFolder, readFile } from "../github/repo-files.js";
import { readAgentFile } from "../mission/workspace/files.js";
import { missionFolder } from "../mission/workspace/model.js";
import type { Config } from "../mission/model.js";
import { buildWorkerPrompt, DEFAULT_WORKER_COMMAND, type PromptAgent } from "../mission/workers/worker-prompt.js";
import { expectedBranch } from "../worker/apply.js";
import { defaultBranchConfig, defaultBranchFile } from "../worker/default-config.js";
import type { ActionContext } from "./context.js";
import { parseIssueAddress } from "../mission/target/target.js";
import { refOf } from "../github/target.js";

/** Why the issue may not become a prompt, or undefined when it may. */
async function refusal(
  ctx: ActionContext,
  author: { login: string; type?: string } | null | undefined,
  botLogins: readonly string[],
): Promise<string | undefined> {
  if (!author) return "its author is unknown (a deleted account)";
  if (author.type === "Bot") {
    return botLogins.some((l) => l.toLowerCase() === author.login.toLowerCase())
      ? undefined
      : `it was written by the app ${author.login}, which is not one of mission-bot's logins (bot_logins in ${CONFIG_PATH} on the default branch: ${botLogins.join(", ")}). ` +
          `If mission-bot runs as that App, add "${author.login}" to bot_logins`;
  }
  return (await mayCommand(ctx.octokit, ctx.repo, author.login))
    ? undefined
    : `it was written by ${author.login}, who does not have write access to this repository`;
}

/**
 * The mission as mission.md on the state branch records it: its constraints,
 * preferences and level go into the prompt. A run whose mission cannot be
 * read is refused rather than started without them.
 */
async function missionOf(ctx: ActionContext, config: Config, id: string, feature: string): Promise<Mission> {
  const path = missionPath(id);
  const file = await readFile(ctx.octokit, ctx.repo, path, config.state_branch);
  if (!file) throw new Error(`${path} is not on the state branch ${config.state_branch}: the worker is not started without the mission's constraints`);
  const parsed = parseMissionFile(file.text);
  if (!parsed.ok) throw new Error(`${path} on ${config.state_branch} is invalid (${parsed.problems.slice(0, 3).join("; ")}): the worker is not started without the mission's constraints`);
  if (parsed.mission.id !== id) throw new Error(`${path} on ${config.state_branch} is mission ${parsed.mission.id}, not ${id}`);
  if (!findFeature(parsed.mission, feature)) throw new Error(`feature ${feature} is not in the plan of mission ${id} (${path} on ${config.state_branch})`);
  return parsed.mission;
}

/** Most agent files read from one folder. */
const MAX_AGENT_FILES = 8;

/**
 * The agents every worker of this mission reads: the repository's promoted ones (`worker.agents_folder`
 * on the default branch, listed) and the mission's own, the ones its mission.md records (their files in its
 * folder on the state branch: no listing, and none read for a mission without agents). Each file is
 * validated; one that is not is left out and said in the log, never given to the agent half-read.
 */
async function readAgents(ctx: ActionContext, config: Config, m: Mission): Promise<PromptAgent[]> {
  const out: PromptAgent[] = [];
  const sources = [
    { folder: config.worker.agents_folder, ref: undefined, from: "repository" as const, recorded: undefined },
    { folder: `${missionFolder(m.id)}/agents`, ref: config.state_branch, from: "mission" as const, recorded: (m.agents ?? []).map((a) => `${a.name}.md`) },
  ];
  for (const { folder, ref, from, recorded } of sources) {
    const names = recorded ?? (await listFolder(ctx.octokit, ctx.repo, folder, ref)).filter((e) => e.type === "file" && /\.md$/i.test(e.name)).map((e) => e.name);
    for (const f of names.slice(0, MAX_AGENT_FILES).map((name) => ({ name }))) {
      const file = await readFile(ctx.octokit, ctx.repo, `${folder}/${f.name}`, ref);
      if (!file) continue;
      const read = readAgentFile(file.text);
      if (!read.ok) {
        ctx.log.warning(`left out the agent ${folder}/${f.name}: ${read.problems.join("; ")}`);
        continue;
      }
      if (out.some((a) => a.name === read.front.name)) continue; // promoted already: the repository's copy stands
      out.push({ name: read.front.name, purpose: read.front.purpose, body: read.body, from });
    }
  }
  return out;
}

async function branchExists(ctx: ActionContext, branch: string): Promise<boolean> {
  try {
    await ctx.octokit.rest.git.getRef({ ...ctx.repo, ref: `heads/${branch}` });
    return true;
  } catch (error) {
    if (isStatus(error, 404)) return false;
    throw error;
  }
}

/** The prompt, or a refusal the next step hands on to the report (output `refusal`), so it is said on the issue and not only in the log. */
export async function run(ctx: ActionContext): Promise<void> {
  try {
    await writePrompt(ctx);
  } catch (error) {
    ctx.setOutput("refusal", (error as Error).message.slice(0, 2000));
    throw error;
  }
}

async function writePrompt(ctx: ActionContext): Promise<void> {
  const mission = MissionId.safeParse(ctx.input("mission", { required: true }).trim());
  const feature = FeatureKey.safeParse(ctx.input("feature", { required: true }).trim());
  const mode = Mode.safeParse(ctx.input("worker-mode", { required: true }).trim());
  const issueText = ctx.input("issue", { required: true }).trim();
  const base = ctx.input("base").trim();
  if (!mission.success) throw new Error(`mission: ${describeZodError(mission.error).join("; ")}`);
  if (!feature.success) throw new Error(`feature: ${describeZodError(feature.error).join("; ")}`);
  if (!mode.success) throw new Error(`worker-mode must be poc or full`);
  // "12", or "acme/missions#12": a mission that lives in another repository than it builds in
  const address = parseIssueAddress(issueText);
  if (!address) throw new Error(`issue is not an issue number (or owner/name#number): ${JSON.stringify(issueText.slice(0, 40))}`);
  if (base && !/^[\w./-]{1,255}$/.test(base)) throw new Error(`base is not a branch name: ${JSON.stringify(base.slice(0, 60))}`);
  const issueNumber = address.number;
  // the feature issue, its author's access and mission.md are in the mission's home repository
  const home: ActionContext = address.repo ? { ...ctx, repo: refOf(address.repo) } : ctx;

  const config = await defaultBranchConfig(ctx.octokit, ctx.repo);

  const { data: issue } = await ctx.octokit.rest.issues.get({ ...home.repo, issue_number: issueNumber });
  if (issue.pull_request) throw new Error(`#${issueNumber} is a pull request, not a feature issue`);
  const owns = findMarkers(issue.body).some(
    (m) => m.kind === "feature" && m.mission === mission.data && m.key === feature.data,
  );
  if (!owns) throw new Error(`#${issueNumber} is not feature ${feature.data} of mission ${mission.data} (its marker is missing)`);
  const why = await refusal(home, issue.user, config.bot_logins);
  if (why) throw new Error(`refusing to give the agent #${issueNumber}: ${why}`);

  const m = await missionOf(home, config, mission.data, feature.data);

  let instructions: string | undefined;
  const promptFile = config.worker.prompt_file;
  if (promptFile) {
    const text = await defaultBranchFile(ctx.octokit, ctx.repo, promptFile);
    if (text === null) throw new Error(`worker.prompt_file ${promptFile} does not exist on the default branch`);
    instructions = text;
  }

  const agents = await readAgents(ctx, config, m);

  const prompt = buildWorkerPrompt({
    title: issue.title,
    body: issue.body ?? "",
    mission: mission.data,
    feature: feature.data,
    mode: mode.data,
    ...(m.constraints ? { constraints: m.constraints } : {}),
    ...(m.preferences ? { preferences: m.preferences } : {}),
    ...(m.level ? { level: m.level } : {}),
    ...(instructions ? { instructions } : {}),
    agents,
    ...(m.plan?.milestones.some((x) => x.features.some((f) => f.key === feature.data && f.kind === "research")) ? { research: true } : {}),
    requests: promptLines(m.spending ?? [], feature.data),
  });
  const out = resolve(ctx.input("prompt-file").trim() || join(ctx.env.RUNNER_TEMP ?? process.cwd(), "mission-prompt", "prompt.md"));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, prompt, "utf8");
  ctx.log.info(`wrote the prompt for feature ${feature.data} (#${issueNumber}, ${prompt.length} characters) to ${out}`);

  // POC: each feature builds on the mission branch, once the first one created it (known when mission.md records
  // a commit there; a branch deleted since fails the checkout, said in the run's log, rather than lose that work)
  const branch = expectedBranch(mode.data, mission.data, feature.data);
  const ref = mode.data === "poc" && (missionBranchRecorded(m) || (await branchExists(ctx, branch))) ? branch : base;

  ctx.setOutput("prompt-file", out);
  ctx.setOutput("command", config.worker.command ?? DEFAULT_WORKER_COMMAND);
  ctx.setOutput("image", config.worker.image);
  ctx.setOutput("ref", ref);
}
