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
import { DEFAULT_STATE_BRANCH, describeZodError, FeatureKey, missionPath, MissionId, Mode, type Mission } from "../mission/model.js";
import { parseMissionFile } from "../mission/markdown/mission-file.js";
import { findFeature, missionBranchRecorded } from "../mission/workers/workers.js";
import { readFile, type RepoFile } from "../github/repo-files.js";
import { readObjects, type FolderEntry, type Wanted } from "../github/files-query.js";
import { readAgentFile } from "../mission/workspace/files.js";
import { DEFAULT_AGENTS_FOLDER, missionFolder } from "../mission/workspace/model.js";
import type { Config } from "../mission/model.js";
import { buildWorkerPrompt, DEFAULT_WORKER_COMMAND, type PromptAgent } from "../mission/workers/worker-prompt.js";
import { expectedBranch } from "../worker/apply.js";
import { defaultBranchConfigOf } from "../worker/default-config.js";
import type { ActionContext } from "./context.js";
import { parseIssueAddress, sameRepo } from "../mission/target/target.js";
import { refOf } from "../github/target.js";
import type { RepoRef } from "../github/client.js";

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
async function missionOf(ctx: ActionContext, config: Config, id: string, feature: string, read: FirstReads): Promise<Mission> {
  const path = missionPath(id);
  // read already when it is where the first query looked (this repository, the default state branch)
  const file = read.mission !== undefined && config.state_branch === DEFAULT_STATE_BRANCH ? read.mission : await readFile(ctx.octokit, ctx.repo, path, config.state_branch);
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
 * What the prompt step reads before it knows more, in one GraphQL query (files-query.ts): `.github/mission.yml`
 * on the default branch, the default agents folder there with the text of its files, and the mission's
 * mission.md on the default state branch when the mission lives in this repository. Where the settings name
 * another state branch or agents folder, those are read again where they say.
 */
interface FirstReads {
  config: RepoFile | null;
  /** the default agents folder's entries */
  agents: FolderEntry[];
  /** mission.md on DEFAULT_STATE_BRANCH (undefined: not read here, the mission lives in another repository) */
  mission?: RepoFile | null;
}

async function firstReads(ctx: ActionContext, home: RepoRef, id: string): Promise<FirstReads> {
  const here = sameRepo(`${home.owner}/${home.repo}`, `${ctx.repo.owner}/${ctx.repo.repo}`);
  const wanted: Wanted[] = [
    { kind: "file", path: CONFIG_PATH },
    { kind: "folder", path: DEFAULT_AGENTS_FOLDER },
    ...(here ? [{ kind: "file" as const, path: missionPath(id), ref: DEFAULT_STATE_BRANCH }] : []),
  ];
  const [config, agents, mission] = await readObjects(ctx.octokit, ctx.repo, wanted);
  return { config: config as RepoFile | null, agents: agents as FolderEntry[], ...(here ? { mission: mission as RepoFile | null } : {}) };
}

/** The repository's standing instructions (`worker.prompt_file`) and the agents' files, in one more query. */
interface LaterReads {
  instructions: string | undefined;
  agents: PromptAgent[];
}

/**
 * The agents every worker of this mission reads: the repository's promoted ones (`worker.agents_folder`
 * on the default branch, listed) and the mission's own, the ones its mission.md records (their files in its
 * folder on the state branch: no listing, and none read for a mission without agents). Each file is
 * validated; one that is not is left out and said in the log, never given to the agent half-read.
 * Read with `worker.prompt_file`, all in one GraphQL query (none when there is nothing to read); a file
 * GraphQL gives no whole text of is read by REST.
 */
async function laterReads(ctx: ActionContext, config: Config, m: Mission, first: FirstReads): Promise<LaterReads> {
  const promptFile = config.worker.prompt_file;
  const folder = config.worker.agents_folder;
  const ownFolder = `${missionFolder(m.id)}/agents`;
  const own = (m.agents ?? []).map((a) => `${a.name}.md`).slice(0, MAX_AGENT_FILES);
  const otherFolder = folder !== DEFAULT_AGENTS_FOLDER;
  const wanted: Wanted[] = [
    ...(promptFile ? [{ kind: "file" as const, path: promptFile }] : []),
    ...(otherFolder ? [{ kind: "folder" as const, path: folder }] : []),
    ...own.map((name) => ({ kind: "file" as const, path: `${ownFolder}/${name}`, ref: config.state_branch })),
  ];
  const got = await readObjects(ctx.octokit, ctx.repo, wanted);

  let instructions: string | undefined;
  if (promptFile) {
    // GraphQL's "no such object" is confirmed by REST before the run is refused for it
    const file = (got.shift() as RepoFile | null) ?? (await readFile(ctx.octokit, ctx.repo, promptFile));
    if (file === null) throw new Error(`worker.prompt_file ${promptFile} does not exist on the default branch`);
    instructions = file.text;
  }
  const entries = otherFolder ? (got.shift() as FolderEntry[]) : first.agents;
  const promoted = entries.filter((e) => e.type === "file" && /\.md$/i.test(e.name)).slice(0, MAX_AGENT_FILES);

  const sources = [
    { folder, ref: undefined, from: "repository" as const, files: promoted.map((e) => ({ name: e.name, file: e.file })) },
    { folder: ownFolder, ref: config.state_branch, from: "mission" as const, files: own.map((name, i) => ({ name, file: got[i] as RepoFile | null })) },
  ];
  const agents: PromptAgent[] = [];
  for (const { folder, ref, from, files } of sources) {
    for (const f of files) {
      const file = f.file === undefined ? await readFile(ctx.octokit, ctx.repo, `${folder}/${f.name}`, ref) : f.file;
      if (!file) continue;
      const read = readAgentFile(file.text);
      if (!read.ok) {
        ctx.log.warning(`left out the agent ${folder}/${f.name}: ${read.problems.join("; ")}`);
        continue;
      }
      if (agents.some((a) => a.name === read.front.name)) continue; // promoted already: the repository's copy stands
      agents.push({ name: read.front.name, purpose: read.front.purpose, body: read.body, from });
    }
  }
  return { instructions, agents };
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

  const first = await firstReads(ctx, home.repo, mission.data);
  const config = defaultBranchConfigOf(first.config);

  const { data: issue } = await ctx.octokit.rest.issues.get({ ...home.repo, issue_number: issueNumber });
  if (issue.pull_request) throw new Error(`#${issueNumber} is a pull request, not a feature issue`);
  const owns = findMarkers(issue.body).some(
    (m) => m.kind === "feature" && m.mission === mission.data && m.key === feature.data,
  );
  if (!owns) throw new Error(`#${issueNumber} is not feature ${feature.data} of mission ${mission.data} (its marker is missing)`);
  const why = await refusal(home, issue.user, config.bot_logins);
  if (why) throw new Error(`refusing to give the agent #${issueNumber}: ${why}`);

  const m = await missionOf(home, config, mission.data, feature.data, first);

  const { instructions, agents } = await laterReads(ctx, config, m, first);

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
