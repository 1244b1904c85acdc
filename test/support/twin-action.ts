/**
 * An ActionContext (src/action/context.ts) whose Octokit talks to a GitHub
 * twin: an Action mode run as GitHub Actions would run it, with the job's
 * GITHUB_TOKEN (the workflow's permissions) or the App's installation token.
 */
import * as core from "@actions/core";
import { actionOctokit, type ActionContext } from "../../src/action/context.js";
import type { Octokit } from "../../src/github/client.js";
import type { GitHubTwin } from "../../src/twin/state.js";
import { actionsOctokit, botOctokit } from "../../src/twin/octokit.js";

export interface TwinAction {
  ctx: ActionContext;
  logs: string[];
  outputs: Record<string, string>;
}

export function twinActionContext(
  twin: GitHubTwin,
  options: {
    event: { name: string; payload: Record<string, unknown> };
    inputs?: Record<string, string>;
    /** whose token: the App's installation token (default) or the job's GITHUB_TOKEN with these permissions */
    token?: "app" | { actions: Record<string, "read" | "write" | "none"> };
    /** the Octokit an Action run really builds (its rate-limit handling; src/action/context.ts) instead of one with throttling off */
    production?: boolean;
    /** the workflow file this run belongs to */
    workflow?: string;
    env?: Record<string, string>;
  },
): TwinAction {
  const repo = twin.repo();
  const baseUrl = twin.profile.enterpriseServer ? { baseUrl: twin.urls.api } : {};
  const token = options.token ?? "app";
  const octokit = options.production
    ? actionOctokit(token === "app" ? twin.installationToken(1) : twin.actionsToken(repo.full_name, { permissions: token.actions }), twin.profile.enterpriseServer ? twin.urls.api : undefined)
    : ((token === "app" ? botOctokit(twin, 1, baseUrl) : actionsOctokit(twin, repo.full_name, { ...baseUrl, permissions: token.actions })) as unknown as Octokit);
  const logs: string[] = [];
  const outputs: Record<string, string> = {};
  const workflow = options.workflow ?? "mission-command.yml";
  const ctx: ActionContext = {
    input: (name) => options.inputs?.[name] ?? "",
    setOutput: (name, value) => {
      outputs[name] = value;
    },
    repo: { owner: repo.owner.login, repo: repo.name },
    event: options.event,
    octokit,
    summary: core.summary,
    log: { info: (m) => logs.push(m), warning: (m) => logs.push(`warning: ${m}`), error: (m) => logs.push(`error: ${m}`) },
    env: {
      GITHUB_REPOSITORY: repo.full_name,
      GITHUB_REF_NAME: repo.default_branch,
      GITHUB_WORKFLOW_REF: `${repo.full_name}/.github/workflows/${workflow}@refs/heads/${repo.default_branch}`,
      GITHUB_SERVER_URL: twin.urls.web,
      ...options.env,
    },
  };
  return { ctx, logs, outputs };
}
