/** Plain mission values for unit tests. */
import { Config, Mission, Plan } from "../../src/mission/model.js";
import { recordIssue, type FoundIssue, type Ref } from "../../src/mission/materialise.js";
import type { Snapshot } from "../../src/mission/reconcile.js";

export const config = Config.parse({});

export function plan(shape: number[] = [2, 2, 2], deps: Record<string, string[]> = {}): Plan {
  return Plan.parse({
    source: "outline",
    milestones: shape.map((features, i) => ({
      key: String(i + 1),
      title: `Milestone ${i + 1}`,
      description: "",
      features: Array.from({ length: features }, (_, j) => {
        const key = `${i + 1}.${j + 1}`;
        return { key, title: `Feature ${key}`, description: `Build ${key}`, acceptance: [`${key} works`], size: "M" as const, depends_on: deps[key] ?? [] };
      }),
    })),
  });
}

export function mission(overrides: Partial<Mission> = {}): Mission {
  return Mission.parse({
    id: "m-20261124-crm-7",
    title: "Build a CRM",
    goal: "Build a CRM with contacts, deals and email",
    status: "scoping",
    repo: "octo/crm",
    tracking_issue: 7,
    created: "2026-11-24T09:00:00Z",
    created_by: "alice",
    budget: {},
    models: config.models,
    ...overrides,
  });
}

/** A mission whose interview is complete. */
export function answered(overrides: Partial<Mission> = {}): Mission {
  return mission({
    mode: "poc",
    budget: { hours: 40, usd: 500, tokens: 50_000_000, alerts: [0.5, 0.8, 1], hard_stop: "finish" },
    constraints: [],
    preferences: {},
    ...overrides,
  });
}

/** The mission with every milestone and feature issue recorded (numbers 10, 11, … in plan order). */
export function withIssues(m: Mission): Mission {
  let next = m;
  let n = 10;
  for (const ms of m.plan?.milestones ?? []) {
    next = recordIssue(next, `milestone:${ms.key}`, { number: n, id: n * 1000 });
    n++;
    for (const f of ms.features) {
      next = recordIssue(next, `feature:${f.key}`, { number: n, id: n * 1000 });
      n++;
    }
  }
  return next;
}

/**
 * What GitHub shows for a mission: milestone issues open, the features in
 * `closed` closed, the others open. A feature without a recorded issue (a fix
 * feature not yet materialised) has none, unless it is listed in `closed`.
 */
export function snapshotOf(m: Mission, over: Partial<Snapshot> & { closed?: readonly string[] } = {}): Snapshot {
  const { closed = [], ...rest } = over;
  const issues = new Map<Ref, FoundIssue>();
  let extra = 100;
  for (const ms of m.plan?.milestones ?? []) {
    if (ms.issue) issues.set(`milestone:${ms.key}`, { ...ms.issue, state: "open", labels: [] });
    for (const f of ms.features) {
      if (!f.issue && !closed.includes(f.key)) continue;
      const issue = f.issue ?? { number: extra, id: extra++ * 1000 };
      issues.set(`feature:${f.key}`, { ...issue, state: closed.includes(f.key) ? "closed" : "open", labels: [] });
    }
  }
  return {
    mission: m,
    committed: true,
    tracking: { number: 7, id: 7000, labels: ["mission"] },
    issues,
    config,
    now: "2026-11-24T12:00:00.000Z",
    runs: new Map(),
    runsByNonce: new Map(),
    reports: [],
    validationReports: [],
    history: [],
    ...rest,
  };
}
