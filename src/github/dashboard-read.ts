/**
 * Reads for the web dashboard: which repositories the App (or a token) can
 * see, and the missions in each (every `mission.md` on the state branch,
 * parsed and validated as the bot reads it). Reads only.
 */
import type { Probot } from "probot";
import { CONFIG_PATH, parseConfig, defaultConfig } from "../mission/config.js";
import { historyFrom, type History } from "../mission/budget/forecast.js";
import { parseMissionFile } from "../mission/markdown/mission-file.js";
import { missionPath, type Config, type Mission } from "../mission/model.js";
import type { Octokit, RepoRef } from "./client.js";
import { isStatus } from "./client.js";
import { listFolder, readFile } from "./repo-files.js";

export interface DashboardRepo {
  repo: RepoRef;
  /** "owner/name" as GitHub spells it */
  fullName: string;
  private: boolean;
  stateBranch: string;
  missions: MissionEntry[];
  /** the repository's settings (defaults when missing or invalid), for the forecast */
  config: Config;
  /** the finished features of its completed missions: the forecast calibrates from them, as the bot does */
  history: History;
}

export type MissionEntry = { kind: "found"; mission: Mission; sha: string } | { kind: "invalid"; id: string; problems: string[] };

/** A repository the dashboard may show, with the client that reads it. */
export interface ReadableRepo {
  octokit: Octokit;
  repo: RepoRef;
}

const MISSION_DIR = /^m-\d{8}-[a-z0-9-]+$/;

/** Every mission of one repository (none: the repository has no state branch or missions folder). */
export async function readRepoMissions(octokit: Octokit, repo: RepoRef): Promise<DashboardRepo | undefined> {
  let data: Awaited<ReturnType<Octokit["rest"]["repos"]["get"]>>["data"];
  try {
    data = (await octokit.rest.repos.get({ ...repo })).data;
  } catch (error) {
    if (isStatus(error, 404, 403)) return undefined;
    throw error;
  }
  const configFile = await readFile(octokit, repo, CONFIG_PATH, data.default_branch);
  const parsed = parseConfig(configFile?.text ?? null);
  const config = parsed.ok ? parsed.config : defaultConfig();
  const stateBranch = config.state_branch;
  const folder = await listFolder(octokit, repo, "todo/missions", stateBranch);
  const missions: MissionEntry[] = [];
  for (const entry of folder.filter((e) => e.type === "dir" && MISSION_DIR.test(e.name)).sort((a, b) => b.name.localeCompare(a.name))) {
    const file = await readFile(octokit, repo, missionPath(entry.name), stateBranch);
    if (!file) continue;
    const read = parseMissionFile(file.text);
    if (read.ok && read.mission.id === entry.name) missions.push({ kind: "found", mission: read.mission, sha: file.sha });
    else missions.push({ kind: "invalid", id: entry.name, problems: read.ok ? [`its id is ${read.mission.id}, not ${entry.name}`] : read.problems });
  }
  const completed = missions.flatMap((e) => (e.kind === "found" && e.mission.status === "completed" ? [e.mission] : []));
  return { repo: { owner: data.owner.login, repo: data.name }, fullName: data.full_name, private: data.private, stateBranch, missions, config, history: historyFrom(completed) };
}

/** The repositories of every installation of the App, each with its installation's client. */
export async function appRepositories(probot: Probot, prepare: (octokit: Octokit) => Octokit = (o) => o): Promise<ReadableRepo[]> {
  const app = (await probot.auth()) as Octokit;
  const installations = await app.paginate(app.rest.apps.listInstallations, { per_page: 100 });
  const out: ReadableRepo[] = [];
  for (const installation of installations) {
    if (installation.suspended_at) continue;
    const octokit = prepare((await probot.auth(installation.id)) as Octokit);
    const repos = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
    for (const r of repos) out.push({ octokit, repo: { owner: r.owner.login, repo: r.name } });
  }
  return out;
}
