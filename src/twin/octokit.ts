/**
 * Octokits wired to a twin (through serveWithNock): the bot's own client
 * (ProbotOctokit, retries and throttling off unless asked) with a token the
 * twin issued, so the twin knows who is calling.
 */
import { ProbotOctokit } from "probot";
import { TestOctokit } from "../support/github-nock.js";
import type { GitHubTwin } from "./state.js";

export type TwinOctokit = InstanceType<typeof ProbotOctokit>;

/** The app's installation client (acts as `mission-bot[bot]`). */
export function botOctokit(twin: GitHubTwin, installationId = 1, options: { retry?: boolean } = {}): TwinOctokit {
  const token = twin.installationToken(installationId);
  return makeOctokit(token, options.retry ?? false);
}

/** A client acting as a person, with a personal access token. */
export function userOctokit(twin: GitHubTwin, login: string): TwinOctokit {
  return makeOctokit(twin.userToken(login), false);
}

function makeOctokit(token: string, retry: boolean): TwinOctokit {
  if (!retry) return new TestOctokit({ auth: { token } }) as TwinOctokit;
  // retries on (plugin-retry: 3 attempts for 5xx), throttling off, no waiting between attempts
  const Retrying = ProbotOctokit.defaults((o: Record<string, unknown>) => ({
    ...o,
    retry: { enabled: true, retryAfterBaseValue: 1 },
    throttle: { enabled: false },
  }));
  return new Retrying({ auth: { token } }) as TwinOctokit;
}
