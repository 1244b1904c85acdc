import { describe, expect, it } from "vitest";
import { Feature, Plan } from "../../src/mission/model.js";
import { checkPlan, planIssueCount } from "../../src/mission/plan/plan.js";

function feature(key: string, depends_on: string[] = [], title = `Feature ${key}`): Feature {
  return Feature.parse({ key, title, description: "", acceptance: [], size: "M", depends_on });
}

/** A valid plan: `milestones` milestones with `perMilestone` features each. */
function plan(milestones = 3, perMilestone = 2): Plan {
  return Plan.parse({
    source: "test",
    milestones: Array.from({ length: milestones }, (_, i) => ({
      key: String(i + 1),
      title: `Milestone ${i + 1}`,
      description: "",
      features: Array.from({ length: perMilestone }, (_, k) => feature(`${i + 1}.${k + 1}`)),
    })),
  });
}

function withDeps(deps: Record<string, string[]>): Plan {
  const p = plan();
  for (const m of p.milestones) for (const f of m.features) f.depends_on = deps[f.key] ?? [];
  return p;
}

describe("checkPlan", () => {
  it("accepts a plan within the rules", () => {
    expect(checkPlan(withDeps({ "1.2": ["1.1"], "3.1": ["2.2", "1.1"] }))).toEqual([]);
  });

  it("asks for 3 to 7 milestones", () => {
    expect(checkPlan(plan(2))).toEqual([expect.stringContaining("has 2 milestones; a mission needs 3 to 7")]);
    expect(checkPlan(plan(8))).toEqual([expect.stringContaining("has 8 milestones; a mission needs 3 to 7")]);
  });

  it("asks for 2 to 5 features per milestone, naming the milestone", () => {
    const p = plan();
    p.milestones[1]!.features.push(feature("2.3"), feature("2.4"), feature("2.5"), feature("2.6"));
    p.milestones[2]!.features.pop();
    expect(checkPlan(p)).toEqual([
      expect.stringContaining('Milestone 2 ("Milestone 2") has 6 features; each milestone needs 2 to 5'),
      expect.stringContaining('Milestone 3 ("Milestone 3") has 1 feature;'),
    ]);
  });

  it("finds duplicate keys and keys outside their milestone", () => {
    const p = plan();
    p.milestones[1]!.key = "1";
    p.milestones[2]!.features[1]!.key = "3.1";
    expect(checkPlan(p)).toEqual(
      expect.arrayContaining([
        expect.stringContaining("Two milestones have the key 1"),
        expect.stringContaining('Feature 2.1 ("Feature 2.1") is in milestone 1, so its key must start with "1."'),
        expect.stringContaining("Two features have the key 3.1"),
      ]),
    );
  });

  it("rejects dependencies on missing features, on itself, and on later milestones", () => {
    const problems = checkPlan(withDeps({ "1.1": ["1.1"], "1.2": ["9.9"], "2.1": ["3.2"] }));
    expect(problems).toEqual([
      "Feature 1.1 depends on itself; remove 1.1 from its dependencies.",
      "Feature 1.2 depends on 9.9, which is not a feature of this plan; use an existing key or remove it.",
      "Feature 2.1 depends on 3.2, which is in a later milestone (3); milestones run in order, so move one of them.",
    ]);
  });

  it("names the features of a dependency cycle, once", () => {
    expect(checkPlan(withDeps({ "1.1": ["1.2"], "1.2": ["1.1"] }))).toEqual([
      "Features depend on each other in a circle: 1.1 → 1.2 → 1.1; remove one of these dependencies.",
    ]);
    const p = plan(3, 3);
    for (const [key, dep] of [["2.1", "2.3"], ["2.2", "2.1"], ["2.3", "2.2"]] as const) {
      p.milestones[1]!.features.find((f) => f.key === key)!.depends_on = [dep];
    }
    expect(checkPlan(p)).toEqual([expect.stringContaining("2.1 → 2.3 → 2.2 → 2.1")]);
  });

  it("wants every milestone and feature titled", () => {
    const p = plan();
    p.milestones[0]!.title = " ";
    p.milestones[2]!.features[0]!.title = "";
    expect(checkPlan(p)).toEqual([
      "Milestone 1 has no title; give it one.",
      "Feature 3.1 has no title; give it one.",
    ]);
  });

  it("keeps within GitHub's 100 sub-issues per parent", () => {
    const p = plan(3, 40);
    expect(planIssueCount(p)).toBe(123);
    expect(checkPlan(p)).toEqual(
      expect.arrayContaining([expect.stringContaining("would create 123 issues; GitHub allows 100 sub-issues per parent")]),
    );
  });
});

describe("planIssueCount", () => {
  it("counts one issue per milestone and per feature", () => {
    expect(planIssueCount(plan(4, 3))).toBe(16);
  });
});
