/**
 * The Octokit the bot talks to GitHub with (Probot's, with retry and
 * throttling), and small helpers for GitHub's error shapes.
 */
import type { ProbotOctokit } from "probot";

export type Octokit = InstanceType<typeof ProbotOctokit>;

export interface RepoRef {
  owner: string;
  repo: string;
}

export function fullName(r: RepoRef): string {
  return `${r.owner}/${r.repo}`;
}

/** The HTTP status of an Octokit RequestError, or undefined for other errors. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "status" in error) {
    const status = (error as { status: unknown }).status;
    return typeof status === "number" ? status : undefined;
  }
  return undefined;
}

export function isStatus(error: unknown, ...codes: number[]): boolean {
  const status = statusOf(error);
  return status !== undefined && codes.includes(status);
}

/** mission.md moved underneath us: re-read and decide again, never overwrite. */
export class ConflictError extends Error {
  constructor(path: string) {
    super(`${path} changed while the bot was writing it`);
    this.name = "ConflictError";
  }
}
