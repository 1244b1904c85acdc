/**
 * The Octokit the App talks to GitHub with: Probot's (retries of 5xx,
 * spacing of writes, GitHub Enterprise support), except that a rate limit is
 * never waited out inside a request. Probot would wait up to an hour for a
 * primary limit while the mission's turn is held; the bot cools the
 * installation down instead and tries again later (rate-limits.ts).
 */
import { ProbotOctokit } from "probot";

export const MissionOctokit = ProbotOctokit.defaults((instanceOptions: Record<string, unknown>) => {
  const throttle = (instanceOptions.throttle ?? {}) as Record<string, unknown>;
  return {
    ...instanceOptions,
    throttle: {
      ...throttle,
      onRateLimit: () => false,
      onSecondaryRateLimit: () => false,
    },
  };
});
