/** The commands that make sense now, and the interview's open questions. Pure. */
import { cellText } from "../escape.js";
import type { Mission, MissionStatus } from "../../model.js";
import type { DashboardContext } from "./context.js";

export function commandsSection(ctx: DashboardContext): string[] {
  const lines = ["### Commands", "", "Comment on this issue:", ""];
  for (const [command, what] of COMMANDS[ctx.mission.status]) lines.push(`- \`${command}\` — ${what}`);
  lines.push("");
  return lines;
}

export function questionsSection(ctx: DashboardContext): string[] {
  const { mission } = ctx;
  if (mission.status !== "scoping" || mission.plan) return [];
  const questions = ctx.input.questions ?? openQuestions(mission);
  const lines = ["### Questions", ""];
  if (questions.length === 0) {
    lines.push("Every question is answered; the plan is being prepared.");
  } else {
    lines.push("Before planning, the bot needs to know:", "");
    for (const q of questions) lines.push(`- ${cellText(q)}`);
    lines.push("", "Reply with `/mission answer` followed by one `name: value` line per answer.");
  }
  lines.push("");
  return lines;
}

/** Commands that make sense in each status: [command, what it does]. */
export const COMMANDS: Record<MissionStatus, ReadonlyArray<readonly [string, string]>> = {
  scoping: [
    ["/mission answer <answers>", "answer the questions below"],
    ["/mission cancel", "stop this mission"],
    ["/mission help", "list every command"],
  ],
  planned: [
    ["/mission approve", "create the issues and start work"],
    ["/mission replan <change>", "ask for a different plan"],
    ["/mission budget +$100 +10h +2M tokens", "raise the budget"],
    ["/mission cancel", "stop this mission"],
    ["/mission help", "list every command"],
  ],
  active: [
    ["/mission status", "post a progress report"],
    ["/mission pause", "dispatch no new work"],
    ["/mission budget", "show or raise the budget"],
    ["/mission retry <feature>", "run a feature again"],
    ["/mission validate", "validate the current milestone now"],
    ["/mission cancel", "stop this mission"],
    ["/mission help", "list every command"],
  ],
  paused: [
    ["/mission resume", "dispatch work again"],
    ["/mission status", "post a progress report"],
    ["/mission budget", "show or raise the budget"],
    ["/mission cancel", "stop this mission"],
    ["/mission help", "list every command"],
  ],
  validating: [
    ["/mission status", "post a progress report"],
    ["/mission skip-validation <milestone>", "accept a milestone without validation"],
    ["/mission pause", "dispatch no new work"],
    ["/mission cancel", "stop this mission"],
    ["/mission help", "list every command"],
  ],
  completed: [
    ["/mission status", "post the final report"],
    ["/mission help", "list every command"],
  ],
  cancelled: [
    ["/mission <goal>", "start a new mission"],
    ["/mission help", "list every command"],
  ],
};

/** Fallback when the interview did not say: the fields the mission has not answered yet. */
function openQuestions(mission: Mission): string[] {
  const q: string[] = [];
  if (mission.mode === undefined) q.push("mode: `poc` (proof of concept, fastest) or `full` (pull requests, reviewed)");
  if (mission.budget.hours === undefined) q.push("hours: at most how many hours of work, like `40`, or `uncapped`");
  if (mission.budget.usd === undefined) q.push("usd: at most how many dollars, like `100`, or `uncapped`");
  if (mission.budget.tokens === undefined) q.push("tokens: at most how many model tokens, like `5M`, or `uncapped`");
  if (mission.constraints === undefined) q.push("constraints: what the work must respect, or `none`");
  if (mission.preferences === undefined) q.push("preferences: stack, deploy target, test framework, or `none`");
  return q;
}
