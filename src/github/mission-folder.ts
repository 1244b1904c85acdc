/**
 * Read the mission folder's research notes, scripts and assets: what
 * workers contributed through their patches, on the branch their work
 * lands on (POC: the mission branch; Full: the default branch, once a
 * feature's pull request is merged). Bounded: the folder's listing, then
 * one listing per kind present (at most four reads), entries capped.
 */
import type { Mission } from "../mission/model.js";
import { FOLDER_KINDS, FolderIndex, missionFolder } from "../mission/workspace/model.js";
import type { Octokit, RepoRef } from "./client.js";
import { listFolder } from "./repo-files.js";

const PER_KIND = 50;

export async function readMissionFolder(octokit: Octokit, repo: RepoRef, m: Mission, defaultBranch: string): Promise<FolderIndex> {
  const branch = m.mode === "full" ? defaultBranch : (m.branch ?? `mission/${m.id}`);
  const top = await listFolder(octokit, repo, missionFolder(m.id), branch);
  const index: FolderIndex = { branch, research: [], scripts: [], assets: [] };
  let more = 0;
  for (const kind of FOLDER_KINDS) {
    if (kind === "agents" || !top.some((e) => e.name === kind && e.type === "dir")) continue;
    const entries = (await listFolder(octokit, repo, `${missionFolder(m.id)}/${kind}`, branch))
      .map((e) => (e.type === "dir" ? `${e.name}/` : e.name))
      .filter((name) => name.length <= 300)
      .sort();
    index[kind] = entries.slice(0, PER_KIND);
    more += Math.max(0, entries.length - PER_KIND);
  }
  return FolderIndex.parse(more ? { ...index, more } : index);
}

/** When to read it: src/mission/workspace/folder-reads.ts. */
export { folderWorthReading } from "../mission/workspace/folder-reads.js";
