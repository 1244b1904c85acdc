/**
 * The mission's research notes for the planner: the files the folder index
 * lists under `research/` (at most MAX_RESEARCH_NOTES reads), from the branch
 * the index was read from, then validated and bounded (workspace/research.ts).
 */
import type { Mission } from "../mission/model.js";
import { researchForPlanner, researchNames, researchPath, type ResearchForPlanner } from "../mission/workspace/research.js";
import type { Octokit, RepoRef } from "./client.js";
import { readFile } from "./repo-files.js";

/** Undefined when the mission has no notes; a note that cannot be read is left out with its name. */
export async function readResearchNotes(octokit: Octokit, repo: RepoRef, m: Mission): Promise<ResearchForPlanner | undefined> {
  const names = researchNames(m);
  if (!names.length || !m.folder) return undefined;
  const files: Array<{ name: string; text: string }> = [];
  for (const name of names) {
    const file = await readFile(octokit, repo, researchPath(m.id, name), m.folder.branch);
    files.push({ name, text: file?.text ?? "" });
  }
  return researchForPlanner(files);
}
