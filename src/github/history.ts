/**
 * Forecast history: the finished features of the repository's completed
 * missions, read from the state branch. One function for every path (a
 * command, a webhook, the pulse), so the same dispatch is never judged two
 * ways; read at most once per repository every few minutes per process.
 */
import type { Where } from "../mission/decision.js";
import { historyFrom, type History } from "../mission/budget/forecast.js";
import { missionPath, type Mission } from "../mission/model.js";
import { parseMissionFile } from "../mission/markdown/mission-file.js";
import type { Octokit, RepoRef } from "./client.js";
import { listFolder, readFile } from "./repo-files.js";

/** Completed missions read for a forecast, newest first. */
const MAX_MISSIONS = 20;
const FRESH_MS = 10 * 60_000;

interface Entry {
  at: number;
  history: Promise<History>;
}

export class HistoryCache {
  private readonly entries = new Map<string, Entry>();
  constructor(private readonly clock: () => number = Date.now) {}

  get(octokit: Octokit, repo: RepoRef, where: Where): Promise<History> {
    const key = `${where.repo}@${where.stateBranch}`.toLowerCase();
    const hit = this.entries.get(key);
    if (hit && this.clock() - hit.at < FRESH_MS) return hit.history;
    const history = loadHistory(octokit, repo, where.stateBranch);
    this.entries.set(key, { at: this.clock(), history });
    history.catch(() => this.entries.delete(key));
    return history;
  }
}

export async function loadHistory(octokit: Octokit, repo: RepoRef, branch: string): Promise<History> {
  return historyFrom(await completedMissions(octokit, repo, branch));
}

/** The repository's completed missions (newest first: ids start with their date). */
export async function completedMissions(octokit: Octokit, repo: RepoRef, branch: string, limit = MAX_MISSIONS): Promise<Mission[]> {
  const ids = (await listFolder(octokit, repo, "todo/missions", branch))
    .filter((e) => e.type === "dir" && e.name.startsWith("m-"))
    .map((e) => e.name)
    .sort()
    .reverse();
  const missions: Mission[] = [];
  for (const id of ids) {
    if (missions.length >= limit) break;
    const file = await readFile(octokit, repo, missionPath(id), branch);
    const parsed = file ? parseMissionFile(file.text) : undefined;
    if (parsed?.ok && parsed.mission.status === "completed") missions.push(parsed.mission);
  }
  return missions;
}
