/**
 * Commands that steer a mission once it runs: status, pause, resume, cancel,
 * retry, validate, skip-validation and budget. Each records who decided what
 * in the decision log. Pure.
 */
import type { Command } from "./commands.js";
import type { CommandInput, Step } from "./step.js";
import type { Mission } from "../model.js";
import { renderBudgetSummary } from "../markdown/budget-summary.js";
import { renderStatusReport } from "../markdown/status-report.js";
import { exhaustedDimensions, increaseBudget } from "../budget/enforce.js";
import { historyFrom } from "../budget/forecast.js";
import { overMaximums } from "../budget/maximums.js";
import { findFeature, mapFeatures, mapMilestones } from "../workers/workers.js";

export type ControlCommand = Exclude<Command, { name: "start" | "help" | "answer" | "approve" | "replan" | "project" | "resource" | "attach" | "promote" | "spend" }>;

export function decideControl(input: CommandInput & { command: ControlCommand; mission: Mission }): Step {
  const { command, mission: m } = input;
  switch (command.name) {
    case "status": {
      return { kind: "reply", reply: renderStatusReport(m, input.config, input.now, [...(input.history ?? []), ...historyFrom([m])]) };
    }
    case "pause": {
      if (m.status !== "active" && m.status !== "validating") return { kind: "reply", reply: `Mission **${m.id}** is ${m.status}; only a running mission can be paused.` };
      return {
        kind: "reply",
        mission: decided({ ...m, status: "paused", paused_reason: `paused by @${input.author}` }, input, "Mission paused."),
        reply: `Mission **${m.id}** is paused: no new worker starts; running workers finish. \`/mission resume\` continues.`,
      };
    }
    case "resume": {
      if (m.status !== "paused") return { kind: "reply", reply: `Mission **${m.id}** is ${m.status}, not paused.` };
      const exhausted = exhaustedDimensions(m, input.config, input.now);
      if (exhausted.length) {
        return {
          kind: "reply",
          reply: `Mission **${m.id}** cannot resume: its ${exhausted.join(" and ")} budget is used up. Raise it first, e.g. \`/mission budget +$50\`.`,
        };
      }
      const resumed = mapMilestones({ ...m, status: "active", paused_reason: undefined }, (ms) => ({
        ...ms,
        failures_acknowledged: ms.validations.filter((v) => v.outcome === "fail").length,
      }));
      return { kind: "reply", mission: decided(resumed, input, "Mission resumed."), reply: `Mission **${m.id}** resumes.` };
    }
    case "cancel": {
      if (m.status === "cancelled" || m.status === "completed") return { kind: "reply", reply: `Mission **${m.id}** is already ${m.status}.` };
      const features = m.plan?.milestones.flatMap((ms) => ms.features) ?? [];
      const running = features.filter((f) => f.runs.some((r) => r.status !== "completed")).map((f) => f.key);
      const open = features.filter((f) => !m.plan?.milestones.find((ms) => ms.features.includes(f))?.validated).map((f) => f.key);
      return {
        kind: "reply",
        mission: decided({ ...m, status: "cancelled", paused_reason: undefined }, input, "Mission cancelled."),
        reply: [
          `Mission **${m.id}** is cancelled. No new worker starts.`,
          running.length ? `Running workers are being cancelled: ${running.join(", ")}.` : "No worker was running.",
          open.length ? `Left undone (in milestones not yet validated): ${open.join(", ")}.` : "",
          "Issues stay as they are; the ledger and decision log are in the mission file.",
        ]
          .filter(Boolean)
          .join("\n\n"),
      };
    }
    case "retry": {
      const f = findFeature(m, command.feature);
      if (!f) return { kind: "reply", reply: `Mission **${m.id}** has no feature ${command.feature}. The dashboard lists the features.` };
      if (f.runs.some((r) => r.status !== "completed")) return { kind: "reply", reply: `Feature ${f.key} has a worker running already.` };
      const retried = mapFeatures(m, (x) => (x.key === f.key ? { ...x, needs_human: undefined, attempts_base: x.runs.length } : x));
      return {
        kind: "reply",
        mission: decided(retried, input, `Feature ${f.key} retried.`),
        reply: `Feature ${f.key} gets ${input.config.worker.max_attempts} new tries; a worker starts when a slot is free.`,
      };
    }
    case "validate": {
      const ms = m.plan?.milestones.find((x) => !x.validated);
      if (!ms || (m.status !== "active" && m.status !== "validating")) return { kind: "reply", reply: `Mission **${m.id}** has no milestone to validate now (${m.status}).` };
      return {
        kind: "reply",
        mission: decided(mapMilestones(m, (x) => (x.key === ms.key ? { ...x, validate_now: true } : x)), input, `Validation of milestone ${ms.key} requested.`),
        reply: `Validating milestone ${ms.key} now.`,
      };
    }
    case "skip-validation": {
      const ms = m.plan?.milestones.find((x) => x.key === command.milestone);
      if (!ms) return { kind: "reply", reply: `Mission **${m.id}** has no milestone ${command.milestone}.` };
      if (ms.validated) return { kind: "reply", reply: `Milestone ${ms.key} is already ${ms.validated}.` };
      const skipped = mapMilestones(m, (x) => (x.key === ms.key ? { ...x, validated: "skipped" as const, validate_now: undefined } : x));
      return {
        kind: "reply",
        mission: decided(skipped, input, `Validation of milestone ${ms.key} skipped.`),
        reply: `Milestone ${ms.key} is accepted without validation, as @${input.author} decided (recorded in the decision log).`,
      };
    }
    case "budget": {
      const history = [...(input.history ?? []), ...historyFrom([m])];
      if (!command.add) return { kind: "reply", reply: renderBudgetSummary(m, input.config, input.now, history) };
      const raised = increaseBudget(m, command.add, input.author, input.now);
      // only the limits this command raises: one already over a lowered maximum does not block the others
      const raisedNow = Object.fromEntries(Object.keys(command.add).map((d) => [d, raised.budget[d as keyof typeof command.add]]));
      const over = Object.values(overMaximums(raisedNow, input.config));
      if (over.length) return { kind: "reply", reply: `${over.join("\n\n")}\n\nThe budget is unchanged.` };
      return { kind: "reply", mission: raised, reply: renderBudgetSummary(raised, input.config, input.now, history) };
    }
  }
}

/** The mission with a decision recorded: who decided what, when. */
function decided(m: Mission, input: CommandInput, what: string): Mission {
  return { ...m, decisions: [...m.decisions, { at: input.now, by: input.author, what }] };
}
