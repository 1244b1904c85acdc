/**
 * The repository's missions as mission.md files under todo/missions/, for
 * forecasts that learn from finished missions.
 */
import type { Mission } from "../mission/model.js";
import { missionPath } from "../mission/model.js";
import { parseMissionFile } from "../mission/markdown/mission-file.js";
import { isStatus, type Octokit, type RepoRef } from "./client.js";
import { readFile } from "./repo-files.js";

export async function loadRepositoryMissions(
  octokit: Octokit,
  repo: RepoRef,
  branch: string,
  options: { completedOnly?: boolean; limit?: number } = {},
): Promise<Mission[]> {
  let entries: { name: string; type: string }[];
  try {
    const { data } = await octokit.rest.repos.getContent({ ...repo, path: "todo/missions", ref: branch });
    entries = Array.isArray(data) ? data : [];
  } catch (error) {
    if (isStatus(error, 404)) return [];
    throw error;
  }
  // Newest first: ids start with the date.
  const ids = entries.filter((e) => e.type === "dir" && e.name.startsWith("m-")).map((e) => e.name).sort().reverse();
  const missions: Mission[] = [];
  for (const id of ids) {
    if (options.limit !== undefined && missions.length >= options.limit) break;
    const file = await readFile(octokit, repo, missionPath(id), branch);
    const parsed = file ? parseMissionFile(file.text) : undefined;
    if (!parsed?.ok) continue;
    if (options.completedOnly && parsed.mission.status !== "completed") continue;
    missions.push(parsed.mission);
  }
  return missions;
}
