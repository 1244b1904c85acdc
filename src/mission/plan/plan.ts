/**
 * The Planner interface: goal + answers → milestones with features.
 * Planners live behind it (the outline planner here, LLM planners in
 * src/planner/). Pure.
 */
import { FeatureKey, GITHUB_LIMITS, MilestoneKey, type Mission, type Plan } from "../model.js";
import { escapeText, inlineText, shorten, titleText } from "../markdown/escape.js";
import { checkResources } from "./resources.js";
import type { ResearchForPlanner } from "../workspace/research.js";

export interface PlanRequest {
  mission: Mission;
  /** the tracking issue's body as the user wrote it (may hold an outline) */
  issueBody: string;
  /** what the user asked to change, for /mission replan */
  change?: string;
  /** the plan being revised, for /mission replan */
  previous?: Plan;
  /** the mission's research notes, read and validated (workspace/research.ts) */
  research?: ResearchForPlanner;
}

/** What planning cost: the model's tokens over every call it took (a retry included). */
export interface PlannerUsage {
  model: string;
  tokens_in: number;
  tokens_out: number;
  calls: number;
}

export type PlanResult =
  | { ok: true; plan: Plan; usage?: PlannerUsage }
  | {
      ok: false;
      problems: string[];
      usage?: PlannerUsage;
      /** the planner cannot do what was asked (the outline planner and a change in words): said instead of the problems */
      cannot?: string;
    };

export interface Planner {
  /** shown in the plan comment ("outline", a model name) */
  readonly name: string;
  plan(request: PlanRequest): Promise<PlanResult>;
}

/**
 * A plan as it enters a mission. Its text is outside text — the outline's
 * author (who may have only read access) or a model wrote it — so every
 * title, description and criterion passes through the one escaper: neither
 * mission.md nor anything rendered from it holds a marker, hidden comment,
 * invisible character or mention of theirs. Escaping twice changes nothing.
 */
export function inertPlan(plan: Plan): Plan {
  return {
    ...plan,
    source: titleText(plan.source),
    milestones: plan.milestones.map((m) => ({
      ...m,
      title: titleText(m.title),
      description: escapeText(m.description),
      features: m.features.map((f) => ({
        ...f,
        title: titleText(f.title),
        description: escapeText(f.description),
        acceptance: f.acceptance.map((a) => shorten(inlineText(a), 1000)).filter(Boolean),
      })),
    })),
    ...(plan.resources ? { resources: plan.resources.map((r) => ({ ...r, purpose: shorten(inlineText(r.purpose), 300) })) } : {}),
  };
}

// ---------------------------------------------------------------------------
// Plan checks: the rules every plan must pass before a user can approve it,
// whichever planner produced it.
// ---------------------------------------------------------------------------

export const PLAN_LIMITS = {
  minMilestones: 3,
  maxMilestones: 7,
  minFeatures: 2,
  maxFeatures: 5,
  titleChars: 200,
  featureDescriptionChars: 20_000,
  milestoneDescriptionChars: 10_000,
} as const;

/** Issues the plan creates on approval: one per milestone and one per feature. */
export function planIssueCount(plan: Plan): number {
  return plan.milestones.reduce((n, m) => n + 1 + m.features.length, 0);
}

/** Problems that stop a plan from being approved, each a sentence a user can act on; [] if fine. */
export function checkPlan(plan: Plan): string[] {
  const featureKeys = new Set(plan.milestones.flatMap((m) => m.features.map((f) => f.key)));
  return [...checkShape(plan), ...checkKeys(plan), ...checkDependencies(plan), ...checkLimits(plan), ...checkResources(plan.resources, featureKeys)];
}

function checkShape(plan: Plan): string[] {
  const problems: string[] = [];
  const count = plan.milestones.length;
  if (count < PLAN_LIMITS.minMilestones || count > PLAN_LIMITS.maxMilestones) {
    problems.push(
      `The plan has ${count} milestone${count === 1 ? "" : "s"}; a mission needs ${PLAN_LIMITS.minMilestones} to ${PLAN_LIMITS.maxMilestones}. ` +
        (count < PLAN_LIMITS.minMilestones ? "Split the work into more milestones." : "Merge milestones or move some to a later mission."),
    );
  }
  plan.milestones.forEach((m, i) => {
    const name = milestoneName(m.key, m.title, i);
    if (!m.title.trim()) problems.push(`Milestone ${m.key || i + 1} has no title; give it one.`);
    if (m.title.length > PLAN_LIMITS.titleChars) {
      problems.push(`${name} has a title longer than ${PLAN_LIMITS.titleChars} characters; shorten it.`);
    }
    if (m.description.length > PLAN_LIMITS.milestoneDescriptionChars) {
      problems.push(`${name} has a description longer than ${PLAN_LIMITS.milestoneDescriptionChars} characters; shorten it.`);
    }
    const n = m.features.length;
    if (n < PLAN_LIMITS.minFeatures || n > PLAN_LIMITS.maxFeatures) {
      problems.push(
        `${name} has ${n} feature${n === 1 ? "" : "s"}; each milestone needs ${PLAN_LIMITS.minFeatures} to ${PLAN_LIMITS.maxFeatures}. ` +
          (n < PLAN_LIMITS.minFeatures ? "Add features or merge it with a neighbouring milestone." : "Move some features to another milestone."),
      );
    }
    for (const f of m.features) {
      if (!f.title.trim()) problems.push(`Feature ${f.key} has no title; give it one.`);
      if (f.title.length > PLAN_LIMITS.titleChars) {
        problems.push(`Feature ${f.key} has a title longer than ${PLAN_LIMITS.titleChars} characters; shorten it and put the detail in its description.`);
      }
      if (f.description.length > PLAN_LIMITS.featureDescriptionChars) {
        problems.push(`Feature ${f.key} has a description longer than ${PLAN_LIMITS.featureDescriptionChars} characters; shorten it.`);
      }
    }
  });
  return problems;
}

function checkKeys(plan: Plan): string[] {
  const problems: string[] = [];
  const milestoneKeys = new Set<string>();
  const featureKeys = new Set<string>();
  plan.milestones.forEach((m, i) => {
    if (!MilestoneKey.safeParse(m.key).success) {
      problems.push(`Milestone ${i + 1} has the key "${m.key}"; a milestone key is its number, like ${i + 1}.`);
    } else if (milestoneKeys.has(m.key)) {
      problems.push(`Two milestones have the key ${m.key}; number milestones 1, 2, 3 … in order.`);
    }
    milestoneKeys.add(m.key);
    for (const f of m.features) {
      if (!FeatureKey.safeParse(f.key).success) {
        problems.push(`Feature "${f.title}" has the key "${f.key}"; a feature key looks like ${m.key}.1.`);
      } else if (!f.key.startsWith(`${m.key}.`)) {
        problems.push(`Feature ${f.key} ("${f.title}") is in milestone ${m.key}, so its key must start with "${m.key}.".`);
      }
      if (featureKeys.has(f.key)) {
        problems.push(`Two features have the key ${f.key}; give every feature its own key.`);
      }
      featureKeys.add(f.key);
    }
  });
  return problems;
}

function checkDependencies(plan: Plan): string[] {
  const problems: string[] = [];
  /** feature key → index of its milestone (first occurrence) */
  const milestoneOf = new Map<string, number>();
  plan.milestones.forEach((m, i) => {
    for (const f of m.features) if (!milestoneOf.has(f.key)) milestoneOf.set(f.key, i);
  });
  const edges = new Map<string, string[]>();
  plan.milestones.forEach((m, i) => {
    for (const f of m.features) {
      const valid: string[] = [];
      for (const dep of f.depends_on) {
        const depMilestone = milestoneOf.get(dep);
        if (dep === f.key) {
          problems.push(`Feature ${f.key} depends on itself; remove ${dep} from its dependencies.`);
        } else if (depMilestone === undefined) {
          problems.push(`Feature ${f.key} depends on ${dep}, which is not a feature of this plan; use an existing key or remove it.`);
        } else if (depMilestone > i) {
          problems.push(
            `Feature ${f.key} depends on ${dep}, which is in a later milestone (${plan.milestones[depMilestone]?.key}); milestones run in order, so move one of them.`,
          );
        } else {
          valid.push(dep);
        }
      }
      edges.set(f.key, [...(edges.get(f.key) ?? []), ...valid]);
    }
  });
  for (const cycle of findCycles(edges)) {
    problems.push(`Features depend on each other in a circle: ${cycle.join(" → ")}; remove one of these dependencies.`);
  }
  return problems;
}

function checkLimits(plan: Plan): string[] {
  const problems: string[] = [];
  const max = GITHUB_LIMITS.subIssuesPerParent;
  const total = planIssueCount(plan);
  if (total > max) {
    problems.push(`The plan would create ${total} issues; GitHub allows ${max} sub-issues per parent, so cut it to ${max} or fewer.`);
  }
  plan.milestones.forEach((m, i) => {
    if (m.features.length > max) {
      problems.push(`${milestoneName(m.key, m.title, i)} has ${m.features.length} features; GitHub allows ${max} sub-issues per milestone issue.`);
    }
  });
  return problems;
}

/**
 * Every dependency cycle once, as a closed path ("1.1 → 1.2 → 1.1"),
 * starting from its smallest key so the same cycle is never named twice.
 */
export function findCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const seen = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    state.set(node, "open");
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      const s = state.get(next);
      if (s === "open") {
        const loop = stack.slice(stack.indexOf(next));
        const start = loop.indexOf([...loop].sort()[0]!);
        const rotated = [...loop.slice(start), ...loop.slice(0, start)];
        const id = rotated.join(" ");
        if (!seen.has(id)) {
          seen.add(id);
          cycles.push([...rotated, rotated[0]!]);
        }
      } else if (s === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

function milestoneName(key: string, title: string, index: number): string {
  return title.trim() ? `Milestone ${key || index + 1} ("${title.trim()}")` : `Milestone ${key || index + 1}`;
}
