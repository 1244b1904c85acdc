/**
 * Who may command the bot: people with write, maintain or admin permission,
 * checked live. author_association is not trusted (it misreports private
 * organisation members).
 */
import type { Permission } from "../mission/decision.js";
import { isStatus, type Octokit, type RepoRef } from "./client.js";

/** A person's role on the repository, read live (a custom role counts as its base permission). */
export async function readPermission(octokit: Octokit, repo: RepoRef, username: string): Promise<Permission> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username });
    const role = data.role_name as string;
    if (role === "admin" || role === "maintain" || role === "write" || role === "triage" || role === "read") return role;
    // custom roles: judge by the base permission GitHub reports
    if (data.permission === "admin") return "admin";
    if (data.permission === "write") return "write";
    return data.permission === "read" ? "read" : "none";
  } catch (error) {
    if (isStatus(error, 404)) return "none";
    throw error;
  }
}

export async function mayCommand(octokit: Octokit, repo: RepoRef, username: string): Promise<boolean> {
  const role = await readPermission(octokit, repo, username);
  return role === "admin" || role === "maintain" || role === "write";
}
