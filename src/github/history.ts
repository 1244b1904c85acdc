/**
 * Forecast history: the finished features of the repository's completed
 * missions, read from the state branch. One function for every path (a
 * command, a webhook, the pulse), so the same dispatch is never judged two
 * ways; read at most once per repository every few minutes per process.
 *
 * Which missions completed is asked of GitHub in one request (the tracking
 * issues labelled `mission:completed`, which the bot labels once it has
 * said so), and only their files are read; each file must say it is
 * completed (a label only says where to look). Before, every mission's file
 * was read to find the completed ones: in Actions-only mode, where every
 * run starts with an empty cache, that was most of a run's requests.
 *
 * The files are read in one GraphQL query (files-query.ts), not one REST
 * read each: 20 completed missions cost one query instead of 20 of the 1,000
 * REST requests an hour a GITHUB_TOKEN has.
 */
import type { Where } from "../mission/decision.js";
import { historyFrom, type History } from "../mission/budget/forecast.js";
import { missionOfLabel, missionPath, type Mission } from "../mission/model.js";
import { parseMissionFile } from "../mission/markdown/mission-file.js";
import type { Octokit, RepoRef } from "./client.js";
import { readFiles } from "./files-query.js";
import { COMPLETED as COMPLETED_LABEL } from "../mission/advance.js";


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

  /** `completed`: the completed missions' ids, when the caller read them already (load-query.ts) */
  get(octokit: Octokit, repo: RepoRef, where: Where, completed?: readonly string[]): Promise<History> {
    const key = `${where.repo}@${where.stateBranch}`.toLowerCase();
    const hit = this.entries.get(key);
    if (hit && this.clock() - hit.at < FRESH_MS) return hit.history;
    const history = loadHistory(octokit, repo, where.stateBranch, completed);
    this.entries.set(key, { at: this.clock(), history });
    history.catch(() => this.entries.delete(key));
    return history;
  }
}

export async function loadHistory(octokit: Octokit, repo: RepoRef, branch: string, completed?: readonly string[]): Promise<History> {
  return historyFrom(await completedMissions(octokit, repo, branch, MAX_MISSIONS, completed));
}

/**
 * The repository's completed missions (newest first: ids start with their date). `completed`: their ids as
 * the caller already read them (the Actions load's one GraphQL query, load-query.ts); else listed here.
 */
export async function completedMissions(octokit: Octokit, repo: RepoRef, branch: string, limit = MAX_MISSIONS, completed?: readonly string[]): Promise<Mission[]> {
  const ids = completed ? [...new Set(completed)].sort().reverse() : await listCompleted(octokit, repo);
  const missions: Mission[] = [];
  for (let at = 0; at < ids.length && missions.length < limit; ) {
    const batch = ids.slice(at, at + limit - missions.length);
    at += batch.length;
    const texts = await readMissionFiles(octokit, repo, branch, batch);
    for (const text of texts) {
      const parsed = text !== null ? parseMissionFile(text) : undefined;
      if (parsed?.ok && parsed.mission.status === "completed") missions.push(parsed.mission);
    }
  }
  return missions;
}

/** The completed missions' ids, newest first: the tracking issues labelled `mission:completed` (one REST list). */
async function listCompleted(octokit: Octokit, repo: RepoRef): Promise<string[]> {
  const told = await octokit.paginate(octokit.rest.issues.listForRepo, { ...repo, labels: COMPLETED_LABEL, state: "all", per_page: 100 });
  return [
    ...new Set(
      told
        .filter((i) => !i.pull_request)
        .flatMap((i) => i.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))))
        .map(missionOfLabel)
        .filter((id): id is string => !!id),
    ),
  ]
    .sort()
    .reverse();
}

/** The mission files' texts (null: no such file), in the order of `ids`: one GraphQL query, REST where it cannot. */
async function readMissionFiles(octokit: Octokit, repo: RepoRef, branch: string, ids: string[]): Promise<(string | null)[]> {
  return (await readFiles(octokit, repo, ids.map((id) => ({ path: missionPath(id), ref: branch })))).map((f) => f?.text ?? null);
}
