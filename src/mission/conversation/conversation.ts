/**
 * The `/mission` conversation: a command and the mission as it stands → the
 * next mission state and the reply. Pure. Planning is asynchronous (an LLM
 * may be asked), so a command that needs a plan returns a `plan` step and the
 * caller hands the planner's result to `afterPlan`.
 */
import type { BudgetFlags } from "./commands.js";
import { decidePromoteCommand } from "../workspace/promote.js";
import { decideProjectCommand } from "../board/command.js";
import { decideResourceCommand } from "./resource-command.js";
import type { CommandInput, Step } from "./step.js";
export type { CommandInput, Step } from "./step.js";
import { helpText } from "./commands.js";
import { applyAnswers, applyFlags, leaveProbes, openProbes, openQuestions, parseAnswers, renderQuestions, type Answers } from "./interview.js";
import { classifyGoal, PROBE_KEYS } from "./scope.js";
import { overMaximums } from "../budget/maximums.js";
import { MISSION_ID_MAX, missionPath, type Config, type Mission } from "../model.js";
import { analysePlan, chooseLevel, LEVEL_LABELS, withLevel } from "../budget/budget.js";
import { checkPlan, inertPlan, type PlanResult } from "../plan/plan.js";
import { diffPlans, mergeReplan } from "../plan/replan.js";
import { renderPlanChanges } from "../markdown/plan-changes.js";
import { escapeText, inlineText } from "../markdown/escape.js";
import { renderPlanComment } from "../markdown/plan-comment.js";
import { pastForecastError, type History } from "../budget/forecast.js";
import { decideControl } from "./controls.js";
import { decideSpendCommand } from "../spending/command.js";
import type { MissionForm } from "./issue-form.js";

/** Stands in an answer while the planner works; the plan (or why there is none) replaces it. */
export const PLANNING_NOTE = "⏳ **Planning…** The plan will appear here in place of this line, usually within a few minutes.";

/** Replaces PLANNING_NOTE when a later command asked for a new plan before this one was ready. */
export const SUPERSEDED_NOTE = "A later command asked for a new plan before this one was ready; its answer shows the plan.";

const STOPWORDS = new Set(
  "a an the and or of for to with in on at by from build create make write add implement develop set up new simple basic small our my".split(
    " ",
  ),
);

/**
 * `m-20261124-crm-42`: date of the command, words of the goal, the tracking
 * issue. Deterministic. The slug is cut so the id never exceeds
 * MISSION_ID_MAX, whatever the issue number, and the mission's label
 * `mission:<id>` fits GitHub's 50 characters (github/docs#32156).
 */
export function missionIdFor(goal: string, isoDate: string, issueNumber: number): string {
  const date = isoDate.slice(0, 10).replaceAll("-", "");
  const words = goal
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9\s-]/g, " ")
    .split(/[\s-]+/)
    .filter((w) => w && !STOPWORDS.has(w));
  const fixed = `m-${date}--${issueNumber}`.length;
  const room = Math.min(24, MISSION_ID_MAX - fixed);
  const slug = (words.slice(0, 2).join("-") || "mission").slice(0, Math.max(1, room)).replace(/-+$/, "");
  return `m-${date}-${slug || "m"}-${issueNumber}`;
}

export function newMission(input: {
  goal: string;
  flags: BudgetFlags;
  author: string;
  now: string;
  repo: string;
  issueNumber: number;
  config: Config;
  constraints?: string[];
  preferences?: Mission["preferences"];
}): Mission {
  const firstLine = input.goal.split("\n")[0]!.trim();
  const base: Mission = {
    id: missionIdFor(input.goal, input.now, input.issueNumber),
    title: firstLine.length > 80 ? `${firstLine.slice(0, 79)}…` : firstLine,
    goal: input.goal,
    status: "scoping",
    repo: input.repo,
    tracking_issue: input.issueNumber,
    created: input.now,
    created_by: input.author,
    budget: { alerts: input.config.budget.alerts, hard_stop: input.config.budget.hard_stop },
    models: input.config.models,
    constraints: input.constraints,
    preferences: input.preferences,
    ledger: [],
    decisions: [{ at: input.now, by: input.author, what: "Mission started." }],
    alerts_sent: [],
    notices: [],
  };
  return scoped(applyFlags(base, input.flags), input.flags);
}

/** Defaults `--yes` takes for what the flags leave open. */
export const YES_DEFAULTS = { mode: "poc", hours: 40, usd: 100, tokens: 5_000_000 } as const;

/**
 * The goal classified, its `journey:`-style lines read as the probes'
 * answers; when every flag was given, constraints and preferences are not
 * asked ("none" unless answered later); with `--yes`, nothing is asked.
 */
function scoped(m: Mission, flags: BudgetFlags): Mission {
  const fromGoal = probeLines(m.goal);
  let next: Mission = { ...m, scope: { kind: fromGoal.kind ?? classifyGoal(m.goal), probes: fromGoal.probes ?? {} } };
  const everyFlag = flags.mode !== undefined && flags.usd !== undefined && flags.hours !== undefined && flags.tokens !== undefined;
  if (everyFlag || flags.yes) next = { ...next, constraints: next.constraints ?? [], preferences: next.preferences ?? {} };
  if (flags.yes) {
    next = applyFlags(next, {
      ...(next.mode === undefined ? { mode: YES_DEFAULTS.mode } : {}),
      ...(next.budget.hours === undefined ? { hours: YES_DEFAULTS.hours } : {}),
      ...(next.budget.usd === undefined ? { usd: YES_DEFAULTS.usd } : {}),
      ...(next.budget.tokens === undefined ? { tokens: YES_DEFAULTS.tokens } : {}),
    });
    next = leaveProbes(next, openProbes(next));
  }
  return next;
}

/** `journey: …`, `failure: …` or `kind: …` lines in the goal answer those probes before they are asked. */
function probeLines(goal: string): Pick<Answers, "kind" | "probes"> {
  const lines = goal
    .split("\n")
    .filter((l) => {
      const key = /^\s*(?:[-*]\s+)?([A-Za-z][\w -]*?)\s*:/.exec(l)?.[1]?.toLowerCase().replace(/[\s-]+/g, "_");
      return key !== undefined && (key === "kind" || key in PROBE_KEYS);
    });
  if (!lines.length) return {};
  const { answers } = parseAnswers(lines.join("\n"));
  return { ...(answers.kind ? { kind: answers.kind } : {}), ...(answers.probes ? { probes: answers.probes } : {}) };
}

/** Problems listed at most in one answer: a hostile text with thousands of them still gets an answer GitHub accepts. */
export const PROBLEMS_LISTED = 20;

/** Problems as a markdown list, the first PROBLEMS_LISTED of them and how many more there are. */
export function problemList(problems: readonly string[]): string {
  const shown = problems.slice(0, PROBLEMS_LISTED).map((p) => `- ${inlineText(p)}`);
  const more = problems.length - PROBLEMS_LISTED;
  if (more > 0) shown.push(`- … and ${more.toLocaleString("en-US")} more like these.`);
  return shown.join("\n");
}

/** Answers over the repository's budget maximums are not taken: each becomes a problem instead. */
function withinMaximums(read: { answers: Answers; problems: string[] }, config: Config): { answers: Answers; problems: string[] } {
  const over = overMaximums(read.answers, config);
  const answers = { ...read.answers };
  const problems = [...read.problems];
  for (const [d, problem] of Object.entries(over)) {
    delete answers[d as keyof typeof over];
    problems.push(`${d}: ${problem}`);
  }
  return { answers, problems };
}

/** After the interview (start or answer): ask what is missing, or plan. */
function askOrPlan(m: Mission, preface: string): Step {
  const open = openQuestions(m);
  if (open.length) return { kind: "reply", mission: m, reply: `${preface}${renderQuestions(open, m.scope?.kind)}` };
  return { kind: "plan", mission: m, preface };
}

export function decide(input: CommandInput): Step {
  const { command, mission: m } = input;
  switch (command.name) {
    case "help":
      return { kind: "reply", reply: helpText() };
    case "start": {
      if (m) {
        return {
          kind: "reply",
          reply: `This issue already tracks mission **${m.id}** (${m.status}). Start a new mission on a new issue.`,
        };
      }
      const over = Object.values(overMaximums(command.flags.yes ? { ...YES_DEFAULTS, ...command.flags } : command.flags, input.config));
      if (over.length) return { kind: "reply", reply: `${over.join("\n\n")}\n\nNo mission was started: start it again with amounts within these.` };
      const mission = newMission({
        goal: command.goal,
        flags: command.flags,
        author: input.author,
        now: input.now,
        repo: input.repo,
        issueNumber: input.issue.number,
        config: input.config,
      });
      return askOrPlan(mission, `Mission **${mission.id}** started: ${inlineText(mission.title)}\n\n`);
    }
    case "answer": {
      if (!m) return noMission();
      if (m.status !== "scoping" && m.status !== "planned") {
        return {
          kind: "reply",
          reply: `Mission **${m.id}** is ${m.status}; the interview is over. To change its budget, use \`/mission budget +$50\`.`,
        };
      }
      const { answers, problems } = withinMaximums(parseAnswers(command.text), input.config);
      // the probes asked before this answer are asked once: what it leaves out stays unanswered
      const updated = m.status === "scoping" ? leaveProbes(applyAnswers(m, answers), openProbes(m)) : applyAnswers(m, answers);
      const understood = Object.keys(answers);
      let preface = understood.length ? `Noted: ${understood.map((k) => `\`${k}\``).join(", ")}.\n\n` : "";
      if (problems.length) {
        preface += `I could not use ${understood.length ? "part of " : ""}your answer:\n${problemList(problems)}\n\n`;
      }
      // Nothing understood: nothing changes (the questions still open are asked again).
      if (!understood.length) {
        const open = openQuestions(m);
        return { kind: "reply", reply: `${preface}${m.status === "scoping" && open.length ? renderQuestions(open, m.scope?.kind) : "Nothing was changed."}`.trimEnd() };
      }
      if (m.status === "planned" && m.plan) {
        // The plan stands; the answers change what it costs against the budget.
        return { kind: "reply", mission: updated, reply: preface + planComment(updated, input.config, m.plan.source, input.history) };
      }
      return askOrPlan(updated, preface);
    }
    case "approve": {
      if (!m) return noMission();
      if (m.planning) {
        return { kind: "reply", reply: `Mission **${m.id}** is being planned; approve the plan once it is shown.` };
      }
      if (m.status === "scoping") {
        const open = openQuestions(m);
        return {
          kind: "reply",
          reply: open.length
            ? `There is no plan to approve yet: the interview still needs answers.\n\n${renderQuestions(open, m.scope?.kind)}`
            : "There is no plan to approve yet. Reply `/mission replan <anything to add>` to plan again.",
        };
      }
      if (m.status !== "planned" || !m.plan) {
        if (command.level && m.plan && (m.status === "active" || m.status === "paused" || m.status === "validating") && command.level !== m.level) {
          // a running mission changes level for the features left (the bot proposes a cheaper one near the budget)
          const choice = chooseLevel(m, input.config, input.history ?? [], command.level);
          const what = `Outcome level changed to ${LEVEL_LABELS[choice.level]} for the features left; workers run ${choice.model}.`;
          return { kind: "reply", mission: { ...withLevel(m, choice), decisions: [...m.decisions, { at: input.now, by: input.author, what }] }, reply: `${what} Runs already started keep their model and limits.` };
        }
        return { kind: "reply", reply: `Mission **${m.id}** is already approved (${m.status}${m.level ? `, at ${LEVEL_LABELS[m.level]}` : ""}).` };
      }
      const choice = chooseLevel(m, input.config, input.history ?? [], command.level);
      const levelWords = `Outcome level: ${LEVEL_LABELS[choice.level]} (${choice.why}); workers run ${choice.model}.`;
      const approved: Mission = {
        ...withLevel(m, choice),
        status: "active",
        decisions: [
          ...m.decisions,
          { at: input.now, by: input.author, what: "Plan approved." },
          { at: input.now, by: input.author, what: levelWords },
        ],
      };
      return {
        kind: "reply",
        mission: approved,
        reply: `Plan approved by @${input.author} at **${LEVEL_LABELS[choice.level]}** (${choice.why}; workers run \`${inlineText(choice.model)}\`). Creating the milestone and feature issues now; the state is kept in \`${missionPath(m.id)}\` and the dashboard above stays current.`,
      };
    }
    case "replan": {
      if (!m) return noMission();
      if (m.planning) return { kind: "reply", reply: `Mission **${m.id}** is being planned already; replan once that plan is shown.` };
      if (m.status === "validating") {
        return { kind: "reply", reply: `Mission **${m.id}** is validating a milestone; replan once the validation is done (or \`/mission pause\` first).` };
      }
      if (m.status === "completed" || m.status === "cancelled") {
        return { kind: "reply", reply: `Mission **${m.id}** is ${m.status}; a finished mission is not replanned. Start a new mission on a new issue.` };
      }
      const open = openQuestions(m);
      if (open.length) {
        return { kind: "reply", reply: `Answer the open questions first.\n\n${renderQuestions(open, m.scope?.kind)}` };
      }
      return { kind: "plan", mission: m, change: command.change, preface: "" };
    }
    case "project":
      if (!m) return noMission();
      return decideProjectCommand({ ...input, mission: m });
    case "resource":
      if (!m) return noMission();
      return decideResourceCommand({ ...input, mission: m, name: command.ready });
    case "attach":
      // answered by reconcile, which knows what GitHub says about the repository (target/attach.ts)
      if (!m) return noMission();
      return { kind: "reply", reply: "`/mission attach` is answered on the mission's tracking issue." };
    case "promote":
      if (!m) return noMission();
      return decidePromoteCommand({ ...input, mission: m, agent: command.agent });
    case "spend": {
      if (!m) return noMission();
      const spend = decideSpendCommand({ command, mission: m, author: input.author, permission: input.permission, now: input.now, config: input.config });
      return { kind: "reply", reply: spend.reply, ...(spend.mission ? { mission: spend.mission } : {}) };
    }
    default: {
      if (!m) return noMission();
      return decideControl({ ...input, command, mission: m });
    }
  }
}

/** The planner answered: check the plan, price it, and show it for approval. */
export function afterPlan(input: {
  mission: Mission;
  result: PlanResult;
  config: Config;
  plannerName: string;
  preface?: string;
  /** shown when the planner could not plan (e.g. how to write an outline) */
  help?: string;
  history?: History;
  /** what the replan asked for */
  change?: string;
  /** ISO time of the answer: when dropped items were dropped */
  now?: string;
}): Extract<Step, { kind: "reply" }> {
  const { mission: m, result } = input;
  const preface = input.preface ?? "";
  if (!result.ok && result.cannot) {
    return { kind: "reply", mission: m, reply: `${preface}${escapeText(result.cannot)}${input.help ? `\n\n${input.help}` : ""}` };
  }
  // The plan is outside text: made inert as it enters the mission, then checked.
  const plan = result.ok ? inertPlan(result.plan) : undefined;
  const problems = plan ? checkPlan(plan) : result.ok ? [] : result.problems;
  if (!plan || problems.length) {
    const help = input.help ? `\n\n${input.help}` : "";
    return {
      kind: "reply",
      mission: m,
      reply: `${preface}The ${inlineText(input.plannerName)} planner could not produce a plan I can use:\n${problemList(problems)}${help}\n\nFix it and reply \`/mission replan <what changed>\`.`,
    };
  }
  const running = m.status === "active" || m.status === "paused";
  if (running && m.plan) return replanRunning(m, plan, input, preface);
  const changes = m.plan ? `${renderPlanChanges(diffPlans(m.plan, plan), { running: false, ...(input.change ? { change: input.change } : {}) })}\n\n` : "";
  const planned: Mission = { ...m, status: "planned", plan };
  return { kind: "reply", mission: planned, reply: preface + changes + planComment(planned, input.config, input.plannerName, input.history) };
}

/** A running mission's new plan, merged so finished work stays; what it drops is closed and cancelled. */
function replanRunning(
  m: Mission,
  proposed: NonNullable<Mission["plan"]>,
  input: Parameters<typeof afterPlan>[0],
  preface: string,
): Extract<Step, { kind: "reply" }> {
  const at = input.now ?? m.planning?.at ?? m.created;
  const reason = input.change ? `Dropped by the replan asked for on ${at.slice(0, 10)}: ${input.change.slice(0, 300)}` : `Dropped by the replan of ${at.slice(0, 10)}.`;
  const merged = mergeReplan(m.plan!, proposed, at, reason);
  const problems = checkPlan(merged.plan);
  if (problems.length) {
    return {
      kind: "reply",
      mission: m,
      reply: `${preface}The new plan cannot replace the running one, which stays as it was:\n${problemList(problems)}\n\nReply \`/mission replan <what to change>\` to try again.`,
    };
  }
  const c = merged.changes;
  const replanned: Mission = {
    ...m,
    plan: merged.plan,
    decisions: [
      ...m.decisions,
      { at, by: "mission-bot", what: `Plan replanned: ${c.added.length} added, ${c.dropped.length} dropped, ${c.changed.length} changed, ${c.kept.length} finished kept.` },
    ],
  };
  const changes = renderPlanChanges(c, { running: true, ...(input.change ? { change: input.change } : {}) });
  return {
    kind: "reply",
    mission: replanned,
    reply: `${preface}${changes}\n\n${planComment(replanned, input.config, input.plannerName, input.history)}`,
    ...(merged.cancel.length ? { cancelRuns: merged.cancel } : {}),
  };
}

/** The plan comment of a planned mission: its milestones, features and budget analysis. */
export function planComment(m: Mission, config: Config, plannerName: string, history: History = []): string {
  const plan = m.plan!;
  const analysis = analysePlan(m, config, history);
  return renderPlanComment({ mission: m, plan, analysis, plannerName, dataPoints: analysis.dataPoints, pastError: pastForecastError(config, history) });
}

export function noMission(): Step {
  return {
    kind: "reply",
    reply: "This issue does not track a mission yet. Start one with `/mission <goal>`; `/mission help` lists the commands.",
  };
}


/** A mission started from the issue form: the form's fields are the first answers. */
export function decideFromForm(input: {
  form: MissionForm;
  mission?: Mission;
  author: string;
  now: string;
  repo: string;
  issueNumber: number;
  config: Config;
  history?: History;
}): Step {
  if (input.mission) {
    return { kind: "reply", reply: `This issue already tracks mission **${input.mission.id}** (${input.mission.status}).` };
  }
  const mission = newMission({
    goal: input.form.goal,
    flags: {},
    author: input.author,
    now: input.now,
    repo: input.repo,
    issueNumber: input.issueNumber,
    config: input.config,
  });
  const { answers, problems } = input.form.answers ? withinMaximums(parseAnswers(input.form.answers), input.config) : { answers: {}, problems: [] };
  let preface = `Mission **${mission.id}** started from the form: ${inlineText(mission.title)}\n\n`;
  if (problems.length) preface += `I could not use part of the form:\n${problemList(problems)}\n\n`;
  return askOrPlan(applyAnswers(mission, answers), preface);
}
