/**
 * `.github/mission.yml` as the default branch holds it, read through the
 * API: the settings a worker or a validation run obeys (the agent command,
 * its image, egress and bot logins, the validation commands) never come
 * from a branch the agent's code is on.
 */
import type { Octokit, RepoRef } from "../github/client.js";
import { readFile } from "../github/repo-files.js";
import { CONFIG_PATH, parseConfig } from "../mission/config.js";
import type { Config } from "../mission/model.js";

export async function defaultBranchConfig(octokit: Octokit, repo: RepoRef): Promise<Config> {
  const file = await readFile(octokit, repo, CONFIG_PATH);
  const parsed = parseConfig(file?.text ?? null);
  if (!parsed.ok) throw new Error(`${CONFIG_PATH} on the default branch is invalid:\n${parsed.problems.join("\n")}`);
  return parsed.config;
}

/** A file of the default branch (e.g. worker.prompt_file), or null when it does not exist. */
export async function defaultBranchFile(octokit: Octokit, repo: RepoRef, path: string): Promise<string | null> {
  return (await readFile(octokit, repo, path))?.text ?? null;
}
