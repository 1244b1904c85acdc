/**
 * What an Action mode gets from the runner: inputs, the repository, the
 * event, an authenticated Octokit and the job summary. Built from the
 * environment GitHub Actions sets; tests build it by hand.
 */
import { readFileSync } from "node:fs";
import * as core from "@actions/core";
import { ProbotOctokit } from "probot";
import { withRequestTimeout, type Octokit, type RepoRef } from "../github/client.js";

export interface ActionContext {
  input(name: string, options?: { required?: boolean }): string;
  setOutput(name: string, value: string): void;
  repo: RepoRef;
  /** GITHUB_EVENT_NAME and the parsed GITHUB_EVENT_PATH payload */
  event: { name: string; payload: Record<string, unknown> };
  octokit: Octokit;
  /** the markdown job summary */
  summary: typeof core.summary;
  log: { info(msg: string): void; warning(msg: string): void; error(msg: string): void };
  env: Record<string, string | undefined>;
}

export function actionContextFromEnv(env: Record<string, string | undefined> = process.env): ActionContext {
  const token = core.getInput("github-token") || env.GITHUB_TOKEN;
  if (!token) throw new Error("github-token is required (usually `${{ secrets.GITHUB_TOKEN }}` or an App token)");
  core.setSecret(token);
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? "").split("/");
  if (!owner || !repo) throw new Error("GITHUB_REPOSITORY is not set: run this inside GitHub Actions");
  const payload = env.GITHUB_EVENT_PATH ? (JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, "utf8")) as Record<string, unknown>) : {};
  const octokit = withRequestTimeout(new ProbotOctokit({
    auth: { token },
    ...(env.GITHUB_API_URL ? { baseUrl: env.GITHUB_API_URL } : {}),
  }) as Octokit);
  return {
    input: (name, options) => core.getInput(name, options),
    setOutput: (name, value) => core.setOutput(name, value),
    repo: { owner, repo },
    event: { name: env.GITHUB_EVENT_NAME ?? "", payload },
    octokit,
    summary: core.summary,
    log: { info: core.info, warning: core.warning, error: core.error },
    env,
  };
}
