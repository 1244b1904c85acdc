/**
 * Mode `pulse`: reconcile every active mission of the repository. Run on a
 * schedule, it catches what lost webhooks missed: runs that finished
 * unnoticed, stuck runs, milestones to advance, plans still materialising.
 */
import { LABELS } from "../mission/model.js";
import { activeMilestone } from "../mission/workers.js";
import { totals, formatUsd } from "../mission/ledger.js";
import { historyFrom } from "../mission/forecast.js";
import { runMission, type RunOutcome } from "../github/run-mission.js";
import type { ActionContext } from "./context.js";
import type { Octokit, RepoRef } from "../github/client.js";
import { loadRepositoryMissions } from "../github/missions.js";
import { answerMissedCommands } from "../github/missed-commands.js";
import { plannerFor } from "../planner/index.js";

export interface PulseRow {
  mission: string;
  tracking: number;
  milestone: string;
  running: number;
  done: string;
  budget: string;
  note?: string;
  /** the pulse changed something on GitHub for this mission */
  wrote?: boolean;
}

const MORE_TO_DO = "more to do: another pulse was requested";

/** An Action run may spend minutes: bounded all the same, so one mission cannot starve the others. */
export const pulseLimits = () => ({ maxWrites: 60, timeMs: 4 * 60_000 });

export interface PulseOptions {
  /** the environment a missed command's planner reads its key from */
  env?: Record<string, string | undefined>;
  now?: () => number;
}

export async function pulse(ctx: Pick<ActionContext, "octokit" | "repo" | "log">, defaultBranch: string, options: PulseOptions = {}): Promise<PulseRow[]> {
  const { octokit, repo } = ctx;
  const now = options.now ?? Date.now;
  const env = options.env ?? {};
  // Commands whose webhook was lost are answered first: one of them may be the approval a mission waits for.
  await answerMissedCommands(
    {
      octokit,
      repo,
      defaultBranch,
      choosePlanner: (config) => plannerFor(config, env),
      limits: pulseLimits,
      clock: now,
      log: { info: ctx.log.info, warn: ctx.log.warning },
    },
    { now: now() },
  );
  const trackingIssues = await octokit.paginate(octokit.rest.issues.listForRepo, {
    ...repo,
    labels: LABELS.mission,
    state: "open",
    per_page: 100,
  });
  const finished = await loadRepositoryMissions(octokit, repo, defaultBranch, { completedOnly: true, limit: 20 });
  const history = historyFrom(finished);
  const rows: PulseRow[] = [];
  for (const issue of trackingIssues) {
    if (issue.pull_request) continue;
    let outcome: RunOutcome;
    try {
      outcome = await runMission({ octokit, repo, trackingIssue: issue.number, defaultBranch, limits: pulseLimits, history, clock: now });
    } catch (error) {
      ctx.log.error(`mission on #${issue.number}: ${error instanceof Error ? error.message : String(error)}`);
      rows.push({ mission: "?", tracking: issue.number, milestone: "", running: 0, done: "", budget: "", note: "failed; see the log" });
      continue;
    }
    if (outcome.kind !== "applied") continue;
    const m = outcome.result.mission;
    const features = m.plan?.milestones.flatMap((ms) => ms.features) ?? [];
    const spent = totals(m.ledger);
    rows.push({
      mission: m.id,
      tracking: issue.number,
      milestone: activeMilestone(m)?.key ?? "—",
      running: features.filter((f) => f.runs.some((r) => r.status !== "completed")).length,
      done: `${m.plan?.milestones.filter((ms) => ms.validated).length ?? 0}/${m.plan?.milestones.length ?? 0} milestones`,
      budget: m.budget.usd ? `${formatUsd(spent.costMicros)} of ${formatUsd(m.budget.usd * 1_000_000)}` : formatUsd(spent.costMicros),
      wrote: outcome.result.writes > 0,
      ...(outcome.result.complete ? {} : { note: MORE_TO_DO }),
    });
  }
  return rows;
}

/**
 * Work is left (a large plan, a bounded apply): ask for another pulse now
 * rather than in 15 minutes. `repository_dispatch` is one of the events
 * GITHUB_TOKEN may trigger workflows with.
 */
export async function askForPulse(octokit: Octokit, repo: RepoRef): Promise<void> {
  await octokit.rest.repos.createDispatchEvent({ ...repo, event_type: "mission-pulse" });
}

export async function run(ctx: ActionContext): Promise<void> {
  const { data: repository } = await ctx.octokit.rest.repos.get({ ...ctx.repo });
  const rows = await pulse(ctx, repository.default_branch, { env: ctx.env });
  if (rows.some((r) => r.note === MORE_TO_DO && r.wrote)) await askForPulse(ctx.octokit, ctx.repo);
  await ctx.summary
    .addHeading("mission-bot pulse", 2)
    .addTable([
      [
        { data: "Mission", header: true },
        { data: "Milestone", header: true },
        { data: "Running", header: true },
        { data: "Done", header: true },
        { data: "Budget", header: true },
        { data: "Note", header: true },
      ],
      ...rows.map((r) => [`${r.mission} (#${r.tracking})`, r.milestone, String(r.running), r.done, r.budget, r.note ?? ""]),
    ])
    .write();
  ctx.setOutput("missions", String(rows.length));
}
