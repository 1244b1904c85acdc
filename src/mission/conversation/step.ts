/**
 * One turn of the conversation: what a command meets (CommandInput) and
 * what it leads to (Step). Shared by conversation.ts and controls.ts. Pure.
 */
import type { Command } from "./commands.js";
import type { Config, Mission } from "../model.js";
import type { History } from "../budget/forecast.js";
import type { Permission } from "../decision.js";

export interface CommandInput {
  command: Command;
  /** the mission this issue tracks, if any */
  mission?: Mission;
  author: string;
  /** ISO time of the command comment */
  now: string;
  /** owner/name */
  repo: string;
  issue: { number: number; title: string };
  config: Config;
  /** finished features of this repository's missions, for forecasts that learn */
  history?: History;
  /** the author's role on the repository, checked live for this command (the spend commands need it) */
  permission?: Permission;
}

export type Step =
  /** save `mission` when given, then post `reply` */
  | { kind: "reply"; reply: string; mission?: Mission; cancelRuns?: number[] }
  /** ask the planner for `mission`, then call afterPlan */
  | { kind: "plan"; mission: Mission; change?: string; preface?: string };
