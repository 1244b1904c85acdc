/**
 * `.github/mission.yml` as the default branch holds it, read through the
 * API: the settings a worker or a validation run obeys (the agent command,
 * its image, egress and bot logins, the validation commands) never come
 * from a branch the agent's code is on.
 */
import type { Octokit, RepoRef } from "../github/client.js";
import { readFile, type RepoFile } from "../github/repo-files.js";
import { CONFIG_PATH, parseConfig } from "../mission/config.js";
import type { Config } from "../mission/model.js";

export async function defaultBranchConfig(octokit: Octokit, repo: RepoRef): Promise<Config> {
  return defaultBranchConfigOf(await readFile(octokit, repo, CONFIG_PATH));
}

/** The settings in `.github/mission.yml` as read from the default branch (null: there is none, the defaults); invalid ones throw. */
export function defaultBranchConfigOf(file: RepoFile | null): Config {
  const parsed = parseConfig(file?.text ?? null);
  if (!parsed.ok) throw new Error(`${CONFIG_PATH} on the default branch is invalid:\n${parsed.problems.join("\n")}`);
  return parsed.config;
}

/** A file of the default branch (e.g. worker.prompt_file), or null when it does not exist. */
export async function defaultBranchFile(octokit: Octokit, repo: RepoRef, path: string): Promise<string | null> {
  return (await readFile(octokit, repo, path))?.text ?? null;
}
