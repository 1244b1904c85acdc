/**
 * Who may command the bot: people with write, maintain or admin permission,
 * checked live. author_association is not trusted (it misreports private
 * organisation members).
 */
import { isStatus, type Octokit, type RepoRef } from "./client.js";

const ALLOWED_ROLES = new Set(["admin", "maintain", "write"]);

export async function mayCommand(octokit: Octokit, repo: RepoRef, username: string): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username });
    return ALLOWED_ROLES.has(data.role_name) || data.permission === "admin" || data.permission === "write";
  } catch (error) {
    if (isStatus(error, 404)) return false;
    throw error;
  }
}
