/**
 * The Actions secrets' names a mission's resources may be (README
 * "Resources"): the repository's, then (only for names still missing) the
 * organisation's secrets shared with the repository, then the worker's
 * environment's. Names only: GitHub never answers a value here. Needs the
 * App's `secrets: read` (and `environments: read` for an environment); a
 * GITHUB_TOKEN is refused (403), which the mission remembers so it asks
 * people instead of listing again. Reads only.
 */
import type { SecretPlace, SecretsFact } from "../mission/workers/resources.js";
import { isStatus, statusOf, type Octokit, type RepoRef } from "./client.js";

const SECRETS_PER_PAGE = 100;

export async function readSecretNames(octokit: Octokit, repo: RepoRef, wanted: readonly string[], environment: string | undefined): Promise<SecretsFact | undefined> {
  if (!wanted.length) return undefined;
  const names: Array<{ name: string; in: SecretPlace }> = [];
  const missing = () => wanted.filter((w) => !names.some((n) => n.name.toUpperCase() === w.toUpperCase()));
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/actions/secrets", { ...repo, per_page: SECRETS_PER_PAGE });
    names.push(...data.secrets.map((s) => ({ name: s.name, in: "repository" as const })));
  } catch (error) {
    if (isStatus(error, 403, 404)) return { kind: "refused", status: statusOf(error) ?? 403 };
    throw error;
  }
  if (missing().length) {
    try {
      const { data } = await octokit.request("GET /repos/{owner}/{repo}/actions/organization-secrets", { ...repo, per_page: SECRETS_PER_PAGE });
      names.push(...data.secrets.map((s) => ({ name: s.name, in: "organization" as const })));
    } catch (error) {
      // a repository of a user has no organisation secrets
      if (!isStatus(error, 403, 404)) throw error;
    }
  }
  if (missing().length && environment) {
    try {
      const { data } = await octokit.request("GET /repos/{owner}/{repo}/environments/{environment_name}/secrets", { ...repo, environment_name: environment, per_page: SECRETS_PER_PAGE });
      names.push(...data.secrets.map((s) => ({ name: s.name, in: "environment" as const })));
    } catch (error) {
      // no such environment, or no `environments: read`: the repository's and organisation's answers stand
      if (!isStatus(error, 403, 404)) throw error;
    }
  }
  return { kind: "listed", names };
}
