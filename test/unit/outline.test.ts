import { describe, expect, it } from "vitest";
import { Mission } from "../../src/mission/model.js";
import { OUTLINE_HELP, outlinePlanner, parseOutline } from "../../src/mission/plan/outline.js";

const mission = Mission.parse({
  id: "m-20261124-crm",
  title: "Build a CRM",
  goal: "Build a CRM",
  status: "scoping",
  repo: "acme/crm",
  tracking_issue: 7,
  created: "2026-11-24T10:00:00Z",
  created_by: "alice",
  budget: {},
  models: { planner: "claude-sonnet-4-5", worker: "claude-sonnet-4-5", validator: "claude-haiku-4-5" },
});

function helpExample(): string {
  const match = /```markdown\n([\s\S]*?)```/.exec(OUTLINE_HELP);
  if (!match?.[1]) throw new Error("OUTLINE_HELP has no markdown example");
  return match[1];
}

describe("parseOutline", () => {
  it("reads the example shown to users in OUTLINE_HELP as a valid plan", async () => {
    const result = await outlinePlanner.plan({ mission, issueBody: helpExample() });
    expect(result).toMatchObject({ ok: true });
    if (!result.ok) return;
    const [contacts, deals, email] = result.plan.milestones;
    expect(contacts).toMatchObject({ key: "1", title: "Contacts", description: "Store and list the people we talk to." });
    expect(contacts?.features[0]).toMatchObject({
      key: "1.1",
      title: "Contact model and storage",
      size: "S",
      description: "Contacts have a name, email and company.",
    });
    expect(contacts?.features[1]).toMatchObject({
      key: "1.2",
      size: "M",
      depends_on: ["1.1"],
      acceptance: ["shows 50 contacts per page", "can be searched by name"],
    });
    expect(deals?.features.map((f) => [f.key, f.size, f.depends_on])).toEqual([
      ["2.1", "L", []],
      ["2.2", "M", ["2.1", "1.1"]],
    ]);
    expect(email?.features[1]).toMatchObject({ title: "Log replies on the deal", size: "S" });
  });

  it("ignores text before the first milestone and sections without features such as Notes", () => {
    const { plan, problems, ignored } = parseOutline(
      [
        "We want a CRM.",
        "- [ ] this checklist is context, not a feature",
        "## Notes",
        "Budget is tight.",
        "## Phase 1 - Setup",
        "- [ ] Scaffold the app",
        "- [ ] CI pipeline",
      ].join("\n"),
    );
    expect(problems).toEqual([]);
    expect(ignored).toEqual(["Notes"]);
    expect(plan?.milestones.map((m) => m.title)).toEqual(["Setup"]);
    expect(plan?.milestones[0]?.features.map((f) => f.key)).toEqual(["1.1", "1.2"]);
  });

  it("strips numbered prefixes and keeps unprefixed headings as titles", () => {
    const { plan } = parseOutline("## 2. Deals\n- [ ] A\n## Milestone 7: Email\n- [ ] B\n## Reports\n- [ ] C");
    expect(plan?.milestones.map((m) => [m.key, m.title])).toEqual([
      ["1", "Deals"],
      ["2", "Email"],
      ["3", "Reports"],
    ]);
  });

  it("takes the size from a Size line over a title tag, and defaults to M", () => {
    const { plan } = parseOutline("## One\n- [ ] Tagged [L]\n- [ ] Both (S)\n  Size: large\n- [ ] Plain");
    expect(plan?.milestones[0]?.features.map((f) => [f.title, f.size])).toEqual([
      ["Tagged", "L"],
      ["Both", "L"],
      ["Plain", "M"],
    ]);
  });

  it("reads indented checklist items as acceptance criteria and other lines as the worker's description", () => {
    const { plan } = parseOutline(
      ["## One", "- [ ] Login", "  Use GitHub OAuth.", "", "  Keep sessions a week.", "  - [ ] a user can log in", "  Acceptance: a user can log out"].join("\n"),
    );
    expect(plan?.milestones[0]?.features[0]).toMatchObject({
      description: "Use GitHub OAuth.\n\nKeep sessions a week.",
      acceptance: ["a user can log in", "a user can log out"],
    });
  });

  it("says which feature has an unreadable size or dependency", () => {
    const { problems } = parseOutline("## One\n- [ ] Login\n  Size: huge\n  Depends on: contacts, 1.1");
    expect(problems).toEqual([
      expect.stringContaining('Feature 1.1 ("Login") has "Size: huge"'),
      expect.stringContaining('depends on "contacts", which is not a feature key'),
    ]);
  });

  it("reports a numbered milestone with no features instead of skipping it", () => {
    const { problems } = parseOutline("## Milestone 1: Setup\n\n## Milestone 2: Deals\n- [ ] A");
    expect(problems).toEqual([expect.stringContaining('Milestone 1 ("Setup") has no features')]);
  });

  it("explains how to write an outline when there is none", async () => {
    const result = await outlinePlanner.plan({ mission, issueBody: "Build a CRM with contacts and deals." });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]).toMatch(/## Milestone 1: Name.*- \[ \] Feature/);
  });

  it("plans from a replan request that carries a whole new outline", async () => {
    const change = "## A\n- [ ] a1\n- [ ] a2\n## B\n- [ ] b1\n- [ ] b2\n## C\n- [ ] c1\n- [ ] c2";
    const result = await outlinePlanner.plan({ mission, issueBody: helpExample(), change });
    expect(result.ok && result.plan.milestones.map((m) => m.title)).toEqual(["A", "B", "C"]);
  });

  it("refuses an outline that breaks the plan rules, saying why", async () => {
    const result = await outlinePlanner.plan({ mission, issueBody: "## A\n- [ ] a1\n- [ ] a2" });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join("\n")).toContain("has 1 milestone; a mission needs 3 to 7");
  });
});
