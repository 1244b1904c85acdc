import { describe, expect, it } from "vitest";
import { Milestone } from "../../src/mission/model.js";
import { renderPlanChanges } from "../../src/mission/markdown/plan-changes.js";
import { OUTLINE_HELP, parseOutline } from "../../src/mission/plan/outline.js";
import { diffPlans, hasChanges } from "../../src/mission/plan/replan.js";

const outline = (validation: string[]) =>
  [
    "## Milestone 1: Contacts",
    "Store the people we talk to.",
    "Validation:",
    ...validation,
    "",
    "- [ ] Contact model (S)",
    "- [ ] Contact list",
    "",
    "## Milestone 2: Deals",
    "- [ ] Deal pipeline",
    "- [ ] Link deals",
  ].join("\n");

describe("a milestone's validation criteria in the outline", () => {
  it("reads run, load and check items under `Validation:` as command, url and check criteria", () => {
    const { plan, problems } = parseOutline(outline(["  - run: npm run e2e", "  - load: /contacts", "  - check: a contact can be created"]));
    expect(problems).toEqual([]);
    const [contacts, deals] = plan!.milestones;
    expect(contacts?.criteria).toEqual([{ command: "npm run e2e" }, { url: "/contacts" }, { check: "a contact can be created" }]);
    // the list ends where the indentation does: the description and features are unchanged
    expect(contacts?.description).toBe("Store the people we talk to.");
    expect(contacts?.features.map((f) => f.title)).toEqual(["Contact model", "Contact list"]);
    expect(deals?.criteria).toBeUndefined();
  });

  it("takes `Validation:` after the features too, and a same-origin URL", () => {
    const text = ["## Contacts", "- [ ] Contact model", "  Acceptance:", "    - has a name", "Validation:", "  - load: http://localhost:3000/contacts?page=2"].join("\n");
    const { plan, problems } = parseOutline(text);
    expect(problems).toEqual([]);
    expect(plan!.milestones[0]?.criteria).toEqual([{ url: "http://localhost:3000/contacts?page=2" }]);
    expect(plan!.milestones[0]?.features[0]?.acceptance).toEqual(["has a name"]);
  });

  it("gives a clear problem for an item it cannot read, a page that is not a path or URL, and too many criteria", () => {
    expect(parseOutline(outline(["  - make it fast"])).problems).toEqual([
      'Milestone 1 ("Contacts") has the validation criterion "make it fast"; write `- run: a command`, `- load: /a/page` or `- check: a statement`.',
    ]);
    expect(parseOutline(outline(["  - load: javascript:alert(1)"])).problems[0]).toMatch(/loads "javascript:alert\(1\)"; write a path like `\/contacts`/);
    const many = Array.from({ length: 11 }, (_, i) => `  - run: npm run check-${i}`);
    const result = parseOutline(outline(many));
    expect(result.problems).toEqual(['Milestone 1 ("Contacts") has 11 validation criteria; at most 10 are allowed.']);
    expect(result.plan!.milestones[0]?.criteria).toHaveLength(10);
    expect(parseOutline(outline([`  - run: ${"x".repeat(301)}`])).problems[0]).toMatch(/longer than 300 characters/);
  });

  it("is explained in the help users see, and mission.md files without criteria still parse", () => {
    expect(OUTLINE_HELP).toContain("`Validation:`");
    expect(parseOutline(/```markdown\n([\s\S]*?)```/.exec(OUTLINE_HELP)![1]!).plan!.milestones[0]?.criteria).toEqual([{ command: "npm run e2e" }, { url: "/contacts" }]);
    expect(Milestone.parse({ key: "1", title: "Old", features: [] }).criteria).toBeUndefined();
    expect(Milestone.safeParse({ key: "1", title: "Bad", features: [], criteria: [{ command: "a", url: "/b" }] }).success).toBe(false);
  });

  it("a replan that only changes a milestone's criteria is a change, shown as such", () => {
    const before = parseOutline(outline(["  - run: npm run e2e"])).plan!;
    const after = parseOutline(outline(["  - run: npm run e2e -- --all"])).plan!;
    const changes = diffPlans(before, after);
    expect(hasChanges(changes)).toBe(true);
    expect(renderPlanChanges(changes, { running: false })).toContain('- ✏️ Changed the validation criteria of milestone 1 "Contacts".');
    expect(hasChanges(diffPlans(before, parseOutline(outline(["  - run: npm run e2e"])).plan!))).toBe(false);
  });
});
