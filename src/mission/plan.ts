/**
 * The Planner interface: goal + answers → milestones with features.
 * Planners live behind it (the outline planner here, LLM planners in
 * src/planner/). Pure.
 */
import type { Mission, Plan } from "./model.js";

export interface PlanRequest {
  mission: Mission;
  /** the tracking issue's body as the user wrote it (may hold an outline) */
  issueBody: string;
  /** what the user asked to change, for /mission replan */
  change?: string;
  /** the plan being revised, for /mission replan */
  previous?: Plan;
}

export type PlanResult =
  | { ok: true; plan: Plan }
  | { ok: false; problems: string[] };

export interface Planner {
  /** shown in the plan comment ("outline", a model name) */
  readonly name: string;
  plan(request: PlanRequest): Promise<PlanResult>;
}
