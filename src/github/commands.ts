/**
 * A `/mission …` comment, end to end: who wrote it, what it says, what the
 * mission becomes, and the one answer the user sees.
 */
import { parseCommand, type Command } from "../mission/commands.js";
import { afterPlan, decide, type Step } from "../mission/conversation.js";
import type { Config, Mission } from "../mission/model.js";
import type { Planner } from "../mission/plan.js";
import { ConflictError, fullName, type Octokit, type RepoRef } from "./client.js";
import { writeDashboard } from "./dashboard-writer.js";
import { loadConfig, loadMission, readTrackingIssue, trackingLabels, type TrackingIssue } from "./mission-store.js";
import { mayCommand } from "./permission.js";
import { alreadyAnswered, reply } from "./replies.js";
import { runLoaded } from "./run-mission.js";
import type { ApplyLimits } from "./apply.js";
import { writeFile } from "./repo-files.js";
import { missionPath } from "../mission/model.js";
import { historyFrom, type History } from "../mission/forecast.js";
import { loadRepositoryMissions } from "./missions.js";
import { renderMissionFile } from "../mission/markdown/mission-file.js";

export interface PlannerChoice {
  planner: Planner;
  /** shown when the planner cannot plan, e.g. how to write an outline when no LLM key is configured */
  help?: string;
}

export interface CommandDeps {
  octokit: Octokit;
  repo: RepoRef;
  /** branch holding mission.md files */
  defaultBranch: string;
  choosePlanner: (config: Config) => PlannerChoice;
  /** the bot's own login ("mission-bot[bot]"), when known: only its comments are trusted as state */
  botLogin?: string;
  /** called when materialising an approved plan left work for later (see AppOptions.onIncomplete) */
  onIncomplete?: (octokit: Octokit, repo: RepoRef) => Promise<void>;
  limits: () => ApplyLimits;
  /** what time it is (epoch ms); default Date.now */
  clock?: () => number;
  log: { info: (msg: string) => void; warn: (msg: string) => void };
}

export interface CommandComment {
  id: number;
  body: string;
  created_at: string;
  author: string;
  authorIsBot: boolean;
  issue: { number: number; title: string; isPullRequest: boolean };
}

export type CommandOutcome = "ignored" | "duplicate" | "refused" | "malformed" | "answered";

export async function handleCommandComment(deps: CommandDeps, comment: CommandComment): Promise<CommandOutcome> {
  if (comment.authorIsBot) return "ignored";
  const parsed = parseCommand(comment.body);
  if (parsed.ok === "none") return "ignored";
  const { octokit, repo } = deps;
  const issue = comment.issue.number;
  if (await alreadyAnswered(octokit, repo, issue, comment.id)) return "duplicate";

  if (!(await mayCommand(octokit, repo, comment.author))) {
    await reply(
      octokit,
      repo,
      issue,
      comment.id,
      `Sorry @${comment.author}, only people with write access to ${fullName(repo)} can direct mission-bot. A maintainer can run the command for you.`,
    );
    return "refused";
  }
  if (parsed.ok === false) {
    await reply(octokit, repo, issue, comment.id, `${parsed.error}\n\nThe correct form is:\n\n\`\`\`\n${parsed.usage}\n\`\`\``);
    return "malformed";
  }
  if (comment.issue.isPullRequest) {
    await reply(octokit, repo, issue, comment.id, "Missions live on issues, not pull requests. Write `/mission <goal>` on an issue.");
    return "answered";
  }
  await runCommand(deps, comment, parsed.command);
  return "answered";
}

/** Decide and apply one command; a conflict on mission.md re-reads and decides again. */
export async function runCommand(deps: CommandDeps, comment: CommandComment, command: Command): Promise<void> {
  await converse(
    deps,
    comment.issue.number,
    (body, state) => reply(deps.octokit, deps.repo, comment.issue.number, comment.id, body, state),
    (current, tracking, config, history) =>
      decide({
        history,
        command,
        ...(current ? { mission: current } : {}),
        author: comment.author,
        now: comment.created_at,
        repo: fullName(deps.repo),
        issue: { number: comment.issue.number, title: tracking.title },
        config,
      }),
    PRICING.has(command.name),
  );
}

export type Decider = (current: Mission | undefined, tracking: TrackingIssue, config: Config, history: History) => Step;

/** Commands whose answer prices work: they learn from the repository's finished missions. */
const PRICING: ReadonlySet<Command["name"]> = new Set(["start", "answer", "replan", "budget"]);

/**
 * One turn of the conversation on a tracking issue: load the mission, decide,
 * plan when asked, save, answer, and start materialising an approved plan.
 */
export async function converse(
  deps: CommandDeps,
  issue: number,
  /** post the answer; `state` is the draft mission to carry in it (hidden) */
  answer: (body: string, state?: Mission) => Promise<void>,
  decideStep: Decider,
  wantsHistory = false,
): Promise<void> {
  const { octokit, repo } = deps;
  const configResult = await loadConfig(octokit, repo);
  if (!configResult.ok) {
    await answer(`mission-bot cannot read its configuration, so it changed nothing:\n${configResult.problems.map((p) => `- ${p}`).join("\n")}`);
    return;
  }
  const config = configResult.config;
  const branch = config.state_branch ?? deps.defaultBranch;
  const history = wantsHistory ? historyFrom(await loadRepositoryMissions(octokit, repo, branch, { completedOnly: true, limit: 20 })) : [];

  for (let attempt = 1; ; attempt++) {
    try {
      const tracking = await readTrackingIssue(octokit, repo, issue);
      const loaded = await loadMission(octokit, repo, tracking, branch, deps.botLogin);
      if (loaded.kind === "invalid") {
        await answer(
          `mission-bot cannot read ${loaded.where}, so it changed nothing:\n${loaded.problems.map((p) => `- ${p}`).join("\n")}\n\nFix these fields and try again.`,
        );
        return;
      }
      let step = decideStep(loaded.kind === "none" ? undefined : loaded.mission, tracking, config, history);
      if (step.kind === "plan") {
        const choice = deps.choosePlanner(config);
        const result = await choice.planner.plan({
          mission: step.mission,
          issueBody: tracking.body,
          ...(step.change ? { change: step.change } : {}),
          ...(step.mission.plan ? { previous: step.mission.plan } : {}),
        });
        step = afterPlan({
          mission: step.mission,
          result,
          config,
          history,
          plannerName: choice.planner.name,
          ...(step.preface ? { preface: step.preface } : {}),
          ...(choice.help ? { help: choice.help } : {}),
        });
      }
      if (step.kind !== "reply") throw new Error("the conversation asked for a second plan");
      const mission = step.mission;
      if (!mission) {
        await answer(step.reply);
        return;
      }
      if (loaded.kind === "committed") {
        await writeFile(octokit, repo, {
          path: missionPath(mission.id),
          text: renderMissionFile(mission),
          message: `mission ${mission.id}: ${mission.status}`,
          sha: loaded.sha,
          branch,
        });
        await answer(step.reply);
      } else {
        // A draft: the label names the mission, the answer carries it.
        if (loaded.kind === "none") {
          await octokit.rest.issues.addLabels({ ...repo, issue_number: issue, labels: trackingLabels(mission.id) });
        }
        await answer(step.reply, mission);
      }
      if (mission.status === "scoping" || mission.status === "planned") {
        await writeDashboard(octokit, repo, issue, { mission });
        return;
      }
      // Approved: commit mission.md and start materialising now, bounded; later events and the pulse finish it.
      const again = await readTrackingIssue(octokit, repo, issue);
      const outcome = await runLoaded(
        {
          octokit,
          repo,
          trackingIssue: issue,
          defaultBranch: deps.defaultBranch,
          limits: deps.limits,
          config,
          branch,
          ...(deps.clock ? { clock: deps.clock } : {}),
          ...(deps.botLogin ? { botLogin: deps.botLogin } : {}),
        },
        again,
        await loadMission(octokit, repo, again, branch, deps.botLogin),
      );
      if (outcome.kind === "applied" && !outcome.result.complete) await deps.onIncomplete?.(octokit, repo);
      return;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 3) throw error;
      deps.log.warn(`mission state on #${issue} changed while the bot was writing it; deciding again (${attempt})`);
    }
  }
}
