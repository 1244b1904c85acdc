/**
 * Octokits wired to a twin: the bot's own client (ProbotOctokit, retries and
 * throttling off unless asked) with a token the twin issued, so the twin
 * knows who is calling. Without `baseUrl` they call api.github.com (a test
 * serves the twin there through nock); with it, a twin server
 * (`startTwinServer(twin).apiUrl`).
 */
import { ProbotOctokit } from "probot";
import type { GitHubTwin } from "./state.js";

export type TwinOctokit = InstanceType<typeof ProbotOctokit>;

/**
 * ProbotOctokit with retries and throttling off. The function form matters:
 * it runs after Probot has merged its own options, so `enabled: false` wins
 * (the object form does not disable throttling in Probot 14).
 */
export const QuietOctokit = ProbotOctokit.defaults((instanceOptions: Record<string, unknown>) => ({
  ...instanceOptions,
  retry: { enabled: false },
  throttle: { enabled: false },
}));

export interface TwinOctokitOptions {
  /** plugin-retry on (3 attempts for 5xx, no waiting between them); default off */
  retry?: boolean;
  /** where the twin answers, e.g. a twin server's apiUrl; default api.github.com */
  baseUrl?: string;
}

/** The app's installation client (acts as `mission-bot[bot]`). */
export function botOctokit(twin: GitHubTwin, installationId = 1, options: TwinOctokitOptions & { token?: string } = {}): TwinOctokit {
  const token = options.token ?? twin.installationToken(installationId);
  return makeOctokit(token, options);
}

/**
 * A workflow run's GITHUB_TOKEN client for `repo` (acts as
 * github-actions[bot]): its permissions are the run's workflow
 * `permissions:` (with `runId`), else `permissions`, else GitHub's default.
 */
export function actionsOctokit(
  twin: GitHubTwin,
  repo?: string,
  options: Omit<TwinOctokitOptions, "retry"> & { permissions?: Record<string, "read" | "write" | "none">; runId?: number } = {},
): TwinOctokit {
  const { permissions, runId, ...rest } = options;
  const token = twin.actionsToken(repo, { ...(permissions ? { permissions } : {}), ...(runId !== undefined ? { runId } : {}) });
  return makeOctokit(token, { ...rest, retry: false });
}

/** A client acting as a person, with a personal access token. */
export function userOctokit(twin: GitHubTwin, login: string, options: Omit<TwinOctokitOptions, "retry"> = {}): TwinOctokit {
  return makeOctokit(twin.userToken(login), { ...options, retry: false });
}

function makeOctokit(token: string, options: TwinOctokitOptions): TwinOctokit {
  const base = options.baseUrl ? { baseUrl: options.baseUrl } : {};
  if (!options.retry) return new QuietOctokit({ auth: { token }, ...base }) as TwinOctokit;
  // retries on (plugin-retry: 3 attempts for 5xx), throttling off, no waiting between attempts
  const Retrying = ProbotOctokit.defaults((o: Record<string, unknown>) => ({
    ...o,
    retry: { enabled: true, retryAfterBaseValue: 1 },
    throttle: { enabled: false },
  }));
  return new Retrying({ auth: { token }, ...base }) as TwinOctokit;
}
