/**
 * Load → decide → apply for one mission. Used by webhooks, the pulse and
 * commands alike. A mission.md changed underneath is re-read and decided
 * again, never overwritten.
 */
import { reconcile } from "../mission/reconcile.js";
import type { Config } from "../mission/model.js";
import { historyFrom, type History } from "../mission/forecast.js";
import { apply, type ApplyLimits, type ApplyResult } from "./apply.js";
import { ConflictError, type Octokit, type RepoRef } from "./client.js";
import { loadConfig, loadMission, readTrackingIssue, type LoadedMission, type TrackingIssue } from "./mission-store.js";
import { loadSnapshot, type HintComment } from "./snapshot.js";
import { commentOnce, reportInvalidState } from "./replies.js";

export interface RunInput {
  octokit: Octokit;
  repo: RepoRef;
  trackingIssue: number;
  /** the repository's default branch; mission.md lives there unless `state_branch` is configured */
  defaultBranch: string;
  limits: () => ApplyLimits;
  attempts?: number;
  /** the bot's own login, when known: only its comments are trusted as state */
  botLogin?: string;
  /** finished features of this repository's missions (the pulse loads it once); default: the mission's own */
  history?: History;
  /** comments the triggering webhook delivered (e.g. a worker's report) */
  hintComments?: readonly HintComment[];
  clock?: () => number;
}

export interface LoadedRun extends RunInput {
  config: Config;
  branch: string;
}

export type RunOutcome =
  | { kind: "none" }
  | { kind: "invalid"; problems: string[] }
  | { kind: "applied"; result: ApplyResult; actions: number };

export async function runMission(input: RunInput): Promise<RunOutcome> {
  const configResult = await loadConfig(input.octokit, input.repo);
  if (!configResult.ok) {
    await commentOnce(
      input.octokit,
      input.repo,
      input.trackingIssue,
      `config:${configResult.sha ?? "none"}`,
      `mission-bot has stopped working on this mission: it cannot read its configuration.\n${configResult.problems.map((p) => `- ${p}`).join("\n")}`,
    );
    return { kind: "invalid", problems: configResult.problems };
  }
  const config = configResult.config;
  const run: LoadedRun = { ...input, config, branch: config.state_branch ?? input.defaultBranch };
  const attempts = input.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      const tracking = await readTrackingIssue(input.octokit, input.repo, input.trackingIssue);
      const loaded = await loadMission(input.octokit, input.repo, tracking, run.branch, input.botLogin);
      return await runLoaded(run, tracking, loaded);
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= attempts) throw error;
    }
  }
}

export async function runLoaded(input: LoadedRun, tracking: TrackingIssue, loaded: LoadedMission): Promise<RunOutcome> {
  if (loaded.kind === "none") return { kind: "none" };
  if (loaded.kind === "invalid") {
    await reportInvalidState(input.octokit, input.repo, tracking.number, loaded);
    return { kind: "invalid", problems: loaded.problems };
  }
  const mission = loaded.mission;
  if (mission.status === "scoping" || mission.status === "planned") return { kind: "none" };
  const clock = input.clock ?? Date.now;
  const snapshot = await loadSnapshot({
    octokit: input.octokit,
    repo: input.repo,
    tracking,
    mission,
    committed: loaded.kind === "committed",
    config: input.config,
    now: new Date(clock()).toISOString(),
    history: input.history ?? historyFrom([mission]),
    ...(input.botLogin ? { botLogin: input.botLogin } : {}),
    ...(input.hintComments ? { hintComments: input.hintComments } : {}),
  });
  const decision = reconcile(snapshot);
  const result = await apply(decision, {
    octokit: input.octokit,
    repo: input.repo,
    snapshot,
    ...(loaded.kind === "committed" ? { sha: loaded.sha } : {}),
    branch: input.branch,
    defaultBranch: input.defaultBranch,
    limits: input.limits(),
    clock,
  });
  return { kind: "applied", result, actions: decision.actions.length };
}
