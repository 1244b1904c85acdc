/** Plain mission values for unit tests. */
import { Config, Mission, Plan } from "../../src/mission/model.js";

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
