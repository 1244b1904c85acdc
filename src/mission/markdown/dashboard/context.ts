/**
 * What every section of the dashboard reads: the input, and the facts
 * derived from it once (which features are done, the milestone being worked
 * on, links the bot builds from its own records). Pure.
 */
import type { History } from "../../budget/forecast.js";
import { defaultConfig } from "../../config.js";
import type { Config, Feature, Milestone, Mission } from "../../model.js";
import { workerBranch } from "../../workers/dispatch.js";
import { buildRepo } from "../../target/target.js";

export interface DashboardInput {
  mission: Mission;
  /** keys of closed milestone and feature issues, e.g. "1", "1.2" */
  closed: ReadonlySet<string>;
  /** problems to show at the top, e.g. "mission.md is invalid: …" */
  notices?: string[];
  /** open interview questions (from the interview); when absent they are read from the mission's unanswered fields */
  questions?: string[];
  /** characters the region's inner markdown may use; see dashboardRoom() */
  maxChars?: number;
  /** for links; default "https://github.com" */
  serverUrl?: string;
  /** branch holding mission.md; default the repository's default branch */
  stateBranch?: string;
  /** the repository's settings (parallel workers, tries, baselines); default the shipped defaults */
  config?: Config;
  /** finished features of this repository's missions: with it, the budget shows the forecast at completion */
  history?: History;
}

export interface DashboardContext {
  input: DashboardInput;
  mission: Mission;
  config: Config;
  /** https://github.com/owner/name */
  repoUrl: string;
  /** https://github.com/owner/name of the repository it builds in (its target; else the same as repoUrl) */
  buildUrl: string;
  isDone(feature: Feature, milestone: Milestone): boolean;
  /** the milestone being worked on: the first not validated (and not closed) */
  active: Milestone | undefined;
}

export function contextOf(input: DashboardInput): DashboardContext {
  const { mission, closed } = input;
  const server = (input.serverUrl ?? "https://github.com").replace(/\/+$/, "");
  const milestones = mission.plan?.milestones ?? [];
  return {
    input,
    mission,
    config: input.config ?? defaultConfig(),
    repoUrl: `${server}/${mission.repo}`,
    buildUrl: `${server}/${buildRepo(mission)}`,
    isDone: (f, ms) => closed.has(f.key) || !!f.done || !!ms.validated,
    active: milestones.find((ms) => !ms.validated && !closed.has(ms.key)),
  };
}

/** The feature's branch (POC: the mission's one branch; Full: the feature's own), once a worker was sent to it. */
export function branchLink(ctx: DashboardContext, f: Feature): string | undefined {
  if (!f.runs.length) return undefined;
  const branch = workerBranch(ctx.mission, f.key);
  return `[branch](${ctx.buildUrl}/tree/${encodeURI(branch)})`;
}

/** The pull request the feature's last report named. */
export function pullRequestLink(f: Feature): string | undefined {
  const pr = f.runs.findLast((r) => r.pull_request !== undefined)?.pull_request;
  return pr === undefined ? undefined : `PR #${pr}`;
}

/** The feature's last worker run the bot recorded an id for. */
export function lastRunLink(ctx: DashboardContext, f: Feature): string | undefined {
  const run = f.runs.findLast((r) => r.run_id !== undefined);
  return run?.run_id === undefined ? undefined : `[last run](${ctx.buildUrl}/actions/runs/${run.run_id})`;
}

export function issueRef(issue: { number: number } | undefined): string {
  return issue ? `#${issue.number}` : "—";
}
