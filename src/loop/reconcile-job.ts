/**
 * One job of the loop: reconcile the mission of one issue. Load → decide →
 * apply, again while the decision asks for it (a plan to make, a mission
 * that just started running), and within one job only: the queue makes sure
 * no other job of the same issue runs meanwhile, in this process or another.
 */
import { reconcile, reconcileWithBadConfig } from "../mission/reconcile.js";
import type { PlannerAnswer, Snapshot, Where } from "../mission/decision.js";
import type { Config } from "../mission/model.js";
import type { Planner, PlanRequest, PlanResult } from "../mission/plan/plan.js";
import type { History } from "../mission/budget/forecast.js";
import { loadSnapshot } from "../github/load.js";
import { readResearchNotes } from "../github/research-notes.js";
import { apply, type ApplyLimits, type ApplyResult } from "../github/apply.js";
import { ConflictError, RefusedError, isStatus, messageOf, type Octokit } from "../github/client.js";
import { RateLimitedError } from "../github/rate-limits.js";
import { RetryLater, type ReconcileJob } from "./queue.js";
import { replaying } from "../github/etag-cache.js";
import { checkIdle, markIdle, type IdleCheck, type IdleOptions } from "./idle.js";
import type { Outside } from "../github/spending/outside.js";

export interface PlannerChoice {
  planner: Planner;
  /** shown when the planner cannot plan (how to write an outline) */
  help?: string;
}

export interface JobDeps {
  /** the installation's client (with its request timeout and rate-limit guard) */
  octokitFor(job: ReconcileJob): Promise<Octokit>;
  /** who the bot is, and whose comments may carry reports */
  identity(job: ReconcileJob): Promise<{ botLogin: string; reportLogins: readonly string[] }>;
  /** https://github.com, or the Enterprise Server's address */
  serverUrl: string;
  choosePlanner(config: Config): PlannerChoice;
  /** `completed`: the completed missions' ids, when the load read them already (load.ts, `reads: "graphql"`) */
  history(octokit: Octokit, job: ReconcileJob, where: Where, completed?: readonly string[]): Promise<History>;
  /** how the load reads its files after the issue (load.ts `reads`): "graphql" in Actions runs; the App's REST reads otherwise */
  reads?: "rest" | "graphql";
  limits: () => ApplyLimits;
  clock: () => number;
  /** the longest a planner may take before its answer counts as a failure (default 5 minutes) */
  planTimeoutMs?: number;
  log?: { info(msg: string): void; warn(msg: string): void };
  /** the idle pulse (idle.ts): where the ETags and "unchanged since" marks are kept, and whose they are */
  idle?: IdleOptions & { scope(job: ReconcileJob): string };
  /** card provider and email gateway for the mission's requests, per configuration (github/spending/) */
  outside?: (config: Config) => Outside | undefined;
}

export interface JobOutcome {
  /** apply stopped at its limits: enqueue the job again */
  more: boolean;
  applies: number;
  writes: number;
  /** steps GitHub refused */
  refused: string[];
}

const MAX_ROUNDS = 6;
const MAX_CONFLICTS = 3;
const PLAN_TIMEOUT_MS = 5 * 60_000;

export async function reconcileIssue(deps: JobDeps, job: ReconcileJob): Promise<JobOutcome> {
  const octokit = await deps.octokitFor(job);
  const { botLogin, reportLogins } = await deps.identity(job);
  const repo = { owner: job.owner, repo: job.repo };
  const outcome: JobOutcome = { more: false, applies: 0, writes: 0, refused: [] };
  let planned: PlannerAnswer | undefined;
  let conflicts = 0;
  /** the repository's default branch, read once per job (each round would otherwise ask again) */
  let defaultBranch: string | undefined = job.defaultBranch;
  const idle = deps.idle;
  const scope = idle?.scope(job) ?? "";
  let check: IdleCheck = { replay: false };
  let replayed = false;
  let last: Snapshot | undefined;
  let settled = false;
  // the job's reach outside GitHub, one per configuration read, closed when the job ends (an email gateway holds connections)
  const made = new Map<Config, Outside | undefined>();
  const outsideOf = deps.outside
    ? (config: Config): Outside | undefined => {
        if (!made.has(config)) made.set(config, deps.outside!(config));
        return made.get(config);
      }
    : undefined;
  try {
    if (idle) check = await checkIdle(octokit, idle, scope, job, deps.clock());
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const load = () => loadSnapshot({
        octokit,
        repo,
        issue: job.issue,
        botLogin,
        reportLogins,
        serverUrl: deps.serverUrl,
        ...(defaultBranch ? { defaultBranch } : {}),
        now: new Date(deps.clock()).toISOString(),
        ...(deps.reads ? { reads: deps.reads } : {}),
        history: (_config, where, completed) => deps.history(octokit, job, where, completed),
        ...(planned ? { planned } : {}),
        ...(outsideOf ? { outside: outsideOf } : {}),
      });
      let loaded;
      try {
        // nothing changed since the last load that wrote nothing: its answers stand in for GitHub's (idle.ts)
        loaded = round === 0 && check.replay ? (await replaying(load)).result : await load();
      } catch (error) {
        // No such issue here: the event named one that is elsewhere (a worker run in the repository a mission
        // builds in names its tracking issue, which lives in the mission's home; that home hears the run's report)
        if (round === 0 && isStatus(error, 404)) {
          deps.log?.info(`${job.owner}/${job.repo}#${job.issue} does not exist: nothing to reconcile`);
          return outcome;
        }
        throw error;
      }
      replayed = round === 0 && check.replay;
      const s = loaded.snapshot;
      last = s;
      defaultBranch = s.where.defaultBranch;
      const decision = loaded.kind === "config-invalid" ? reconcileWithBadConfig(s, loaded.problems, loaded.sha) : reconcile(s);
      let result: ApplyResult;
      try {
        const outside = outsideOf?.(s.config);
        result = await apply(decision, { octokit, repo, snapshot: s, limits: deps.limits(), clock: deps.clock, ...(outside ? { outside } : {}) });
      } catch (error) {
        if (error instanceof ConflictError && ++conflicts < MAX_CONFLICTS) {
          deps.log?.warn(`mission state of ${job.owner}/${job.repo}#${job.issue} changed while the bot was writing it; deciding again`);
          continue;
        }
        if (error instanceof RefusedError) {
          // apply told the issue (once); a person must change a rule before the state can move
          outcome.refused.push(error.message);
          return outcome;
        }
        throw error;
      }
      outcome.applies++;
      outcome.writes += result.writes;
      outcome.refused.push(...result.refused);
      if (!result.complete) return { ...outcome, more: true };
      // GitHub refused a step (apply told the tracking issue once): it is tried again on the next event or
      // pulse, never at once — deciding again now would send the same refused request, round after round.
      if (result.refused.length) return outcome;
      if (decision.plan) {
        const research = await readResearchNotes(octokit, repo, decision.plan.mission);
        planned = await plan(deps, s.config, research ? { ...decision.plan, research } : decision.plan);
        continue;
      }
      planned = undefined;
      if (!decision.more) {
        settled = conflicts === 0 && outcome.writes === 0 && outcome.refused.length === 0 && round === 0;
        return outcome;
      }
    }
    return { ...outcome, more: true };
  } catch (error) {
    if (error instanceof RateLimitedError) throw new RetryLater(error.waitMs, error.message);
    throw error;
  } finally {
    for (const outside of made.values()) await outside?.email?.close().catch((e: unknown) => deps.log?.warn(`closing the email gateway: ${messageOf(e)}`));
    // a mark that cannot be written costs the next job a fresh load, nothing else
    if (idle) await markIdle(idle, scope, job, { quiet: settled, ...(last ? { snapshot: last } : {}), check, replayed, now: deps.clock() }).catch((e: unknown) => deps.log?.warn(`idle mark of ${job.owner}/${job.repo}#${job.issue}: ${messageOf(e)}`));
  }
}

/** Ask the planner, bounded in time; a failure is an answer too (the reply says so, and how to try again). */
async function plan(deps: JobDeps, config: Config, request: PlanRequest): Promise<PlannerAnswer> {
  const choice = deps.choosePlanner(config);
  const ms = deps.planTimeoutMs ?? PLAN_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<PlanResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, problems: [`the planner did not answer within ${Math.round(ms / 60_000)} minutes`] }), ms);
  });
  let result: PlanResult;
  try {
    result = await Promise.race([
      choice.planner.plan(request).catch((error: unknown): PlanResult => ({ ok: false, problems: [`the planner failed: ${messageOf(error).split("\n")[0]}`] })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
  return { result, plannerName: choice.planner.name, ...(choice.help ? { help: choice.help } : {}) };
}
