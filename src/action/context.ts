/**
 * What an Action mode gets from the runner: inputs, the repository, the
 * event, an authenticated Octokit and the job summary. Built from the
 * environment GitHub Actions sets; tests build it by hand.
 */
import { readFileSync } from "node:fs";
import * as core from "@actions/core";
import { ProbotOctokit } from "probot";
import { withRequestTimeout, type Octokit, type RepoRef } from "../github/client.js";
import { MemoryEtagStore, withEtags } from "../github/etag-cache.js";

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

/** Retries of a request GitHub rate-limited, within one Action run; each waits as long as GitHub named. */
export const ACTION_RATE_LIMIT_RETRIES = 2;
/** A wait longer than this is not sat out in a run (jobs are billed by the minute): the step fails and the next event or pulse tries again. */
export const ACTION_MAX_WAIT_SECONDS = 120;

/**
 * The Octokit of an Action run (GITHUB_TOKEN, or the App's token). Probot's
 * defaults retry a rate-limited request for ever, waiting each time; here a
 * secondary limit is waited out as GitHub says (`retry-after`, else 60 s)
 * at most twice, a primary one only when its reset is near, and then the
 * error goes up: "continuing to make requests while you are rate limited
 * may result in the banning of your integration" (REST docs, "Best
 * practices for using the REST API").
 */
export function actionOctokit(token: string, baseUrl?: string): Octokit {
  const bounded = (kind: string) => (retryAfter: number, options: { method?: string; url?: string }, octokit: { log: { warn(m: string): void } }, retryCount: number) => {
    const retry = retryCount < ACTION_RATE_LIMIT_RETRIES && retryAfter <= ACTION_MAX_WAIT_SECONDS;
    octokit.log.warn(
      retry
        ? `GitHub's ${kind} rate limit on ${options.method} ${options.url}: waiting ${retryAfter} s as it asked (retry ${retryCount + 1} of ${ACTION_RATE_LIMIT_RETRIES})`
        : `GitHub's ${kind} rate limit on ${options.method} ${options.url}: not retrying (${retryCount} retries made, ${retryAfter} s asked); the next run tries again`,
    );
    return retry;
  };
  const octokit = logServerErrors(
    withRequestTimeout(
      new ProbotOctokit({
        auth: { token },
        ...(baseUrl ? { baseUrl } : {}),
        throttle: { onRateLimit: bounded("primary"), onSecondaryRateLimit: bounded("secondary") },
      }) as Octokit,
    ),
  );
  // conditional reads within the run (a job's later rounds read much the same again): a 304 does not count
  return withEtags(octokit, new MemoryEtagStore(), "run");
}

/**
 * Each answer of 500 or more is logged as it comes: Octokit's retry plugin
 * tries such a request again without a word, so a step that was slow, or
 * failed after its retries, would not say why.
 */
function logServerErrors(octokit: Octokit): Octokit {
  octokit.hook.before("request", (options) => {
    const send: typeof fetch = options.request?.fetch ?? globalThis.fetch;
    const logged: typeof fetch = async (url, init) => {
      const answer = await send(url, init);
      if (answer.status >= 500) {
        const path = (() => {
          try {
            return new URL(String(url)).pathname.replace(/^\/(api\/v3\/)?/, "");
          } catch {
            return String(url);
          }
        })();
        octokit.log.warn(`GitHub answered ${answer.status} for ${init?.method ?? "GET"} ${path}: Octokit tries a server error again, a few times, before the step fails`);
      }
      return answer;
    };
    options.request = { ...options.request, fetch: logged };
  });
  return octokit;
}

export function actionContextFromEnv(env: Record<string, string | undefined> = process.env): ActionContext {
  const token = core.getInput("github-token") || env.GITHUB_TOKEN;
  if (!token) throw new Error("github-token is required (usually `${{ secrets.GITHUB_TOKEN }}` or an App token)");
  core.setSecret(token);
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? "").split("/");
  if (!owner || !repo) throw new Error("GITHUB_REPOSITORY is not set: run this inside GitHub Actions");
  const payload = env.GITHUB_EVENT_PATH ? (JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, "utf8")) as Record<string, unknown>) : {};
  const octokit = actionOctokit(token, env.GITHUB_API_URL);
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
