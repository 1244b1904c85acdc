/**
 * The dashboard's viewer, asked with their own token (a GitHub App user
 * access token from the sign-in): who they are, and whether they can read a
 * repository. Used for nothing else: the missions themselves are read with
 * the App's installation token.
 */
import { isStatus } from "./client.js";
import type { Octokit, RepoRef } from "./client.js";

export async function viewerLogin(octokit: Octokit): Promise<string> {
  const { data } = await octokit.rest.users.getAuthenticated();
  return data.login;
}

/**
 * GET /repos/{owner}/{repo} with the viewer's token: 200 means they can read
 * it (a user access token reaches what both the person and the App can);
 * 404 or 403 means they cannot. Anything else is thrown (not taken as yes).
 */
export async function viewerCanRead(octokit: Octokit, repo: RepoRef): Promise<boolean> {
  try {
    await octokit.rest.repos.get({ ...repo });
    return true;
  } catch (error) {
    if (isStatus(error, 404, 403, 401)) return false;
    throw error;
  }
}
