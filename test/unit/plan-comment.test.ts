import { describe, expect, it } from "vitest";
import { analysePlan } from "../../src/mission/budget/budget.js";
import { milestoneBody } from "../../src/mission/markdown/issues.js";
import { renderPlanComment } from "../../src/mission/markdown/plan-comment.js";
import { LEVELS } from "../../src/mission/budget/levels.js";
import { Budget, Config, Mission, Plan } from "../../src/mission/model.js";

const config = Config.parse({});

function mission(budget: Partial<Budget> = {}): Mission {
  return Mission.parse({
    id: "m-20261124-crm",
    title: "Build a CRM",
    goal: "Build a CRM",
    status: "scoping",
    mode: "full",
    repo: "acme/crm",
    tracking_issue: 7,
    created: "2026-11-24T10:00:00Z",
    created_by: "alice",
    budget,
    models: { planner: "claude-sonnet-4-5", worker: "claude-sonnet-4-5", validator: "claude-haiku-4-5" },
  });
}

function plan(milestones = 3, perMilestone = 2, description = "Build it well."): Plan {
  return Plan.parse({
    source: "test",
    milestones: Array.from({ length: milestones }, (_, i) => ({
      key: String(i + 1),
      title: ["Contacts", "Deals", "Email"][i] ?? `Milestone ${i + 1}`,
      description: `Milestone ${i + 1} description.`,
      features: Array.from({ length: perMilestone }, (_, k) => ({
        key: `${i + 1}.${k + 1}`,
        title: `Feature ${i + 1}.${k + 1}`,
        description,
        acceptance: [`criterion for ${i + 1}.${k + 1}`],
        size: "M" as const,
        depends_on: k > 0 ? [`${i + 1}.1`] : [],
      })),
    })),
  });
}

function render(budget: Partial<Budget> = {}, p = plan(), problems?: string[]): string {
  const m = { ...mission(budget), plan: p };
  return renderPlanComment({ mission: m, plan: p, analysis: analysePlan(m, config), plannerName: "outline", problems });
}

describe("renderPlanComment", () => {
  it("lists the milestones in order with their features, sizes and dependencies", () => {
    const text = render();
    expect(text).toContain("## Mission plan: Build a CRM");
    const order = ["### 1. Contacts", "### 2. Deals", "### 3. Email"].map((h) => text.indexOf(h));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(text).toContain("| 1.2 | Feature 1.2 | M | 1.1 |");
    expect(text).toMatch(/<details><summary>[^<]+<\/summary>[\s\S]*- criterion for 2\.1[\s\S]*<\/details>/);
  });

  it("shows each milestone's validation criteria, escaped, so a person sees the commands before approving", () => {
    const p = plan();
    p.milestones[0]!.criteria = [{ command: "npm run e2e -- --grep `contacts`" }, { url: "/contacts" }, { check: "a contact can be created <script>" }];
    const text = render({}, p);
    const contacts = text.slice(text.indexOf("### 1. Contacts"), text.indexOf("### 2. Deals"));
    expect(contacts).toContain("**Validation checks** (commands run like `validation.commands`; pages loaded in the browser checks):");
    expect(contacts).toContain("- run `` npm run e2e -- --grep `contacts` ``");
    expect(contacts).toContain("- load `/contacts`");
    expect(contacts).toMatch(/- check: a contact can be created (&lt;|\\<)script/);
    expect(text.slice(text.indexOf("### 2. Deals"))).not.toContain("Validation checks");
  });

  it("the milestone issue lists its validation checks too, escaped", () => {
    const m = mission();
    const ms = { ...plan().milestones[0]!, criteria: [{ command: "npm run e2e" }, { check: "@alice signs off <b>" }] };
    const body = milestoneBody(m, ms);
    expect(body).toContain("### Validation checks\n\n- run `npm run e2e`\n- check: ");
    expect(body).not.toContain("@alice");
    expect(body).not.toContain("<b>");
    expect(milestoneBody(m, plan().milestones[0]!)).not.toContain("Validation checks");
  });

  it("shows the budget analysis with a low–high range per outcome level", () => {
    const text = render();
    // 3 × 2 M features: 3.6M tokens at baseline; MVP 0.6× → 2.16M, range 1.51M–3.24M; each level says what it builds and what runs it
    expect(text).toContain(`| MVP | ${LEVELS.mvp.scope} | \`claude-haiku-4-5\` | 3.12h–6.78h | 1.51M–3.24M |`);
    expect(text).toMatch(/\| Production-ready \| [^|]+ \| `claude-sonnet-5-5` \| [^|]+–[^|]+ \| [^|]+ \| \$[\d.]+–\$[\d.]+ \|/);
    expect(text).toContain("| Polished | production-ready, plus edge cases");
  });

  it("says which level fits the budget and what would break the next one", () => {
    const text = render({ usd: 50 });
    expect(text).toContain("The stated budget fits up to **Production-ready** with a 20% buffer.");
    expect(text).toContain("**Polished** would not: money needs up to");
  });

  it("says by how much even the MVP overruns, and how to raise the budget or cut scope", () => {
    const text = render({ usd: 2 });
    expect(text).toMatch(/Not even the \*\*MVP\*\* fits .* money needs up to \$\d+\.\d\d against \$2\.00 \(\d+% over\)/);
    expect(text).toMatch(/`\/mission answer usd: \d+`/);
    expect(text).toContain("`/mission replan");
  });

  it("ends with how to approve or replan", () => {
    expect(render().trimEnd()).toMatch(
      /Reply `\/mission approve` to create the issues at \*\*Polished\*\*, the best level the budget fits with its buffer; `\/mission approve mvp`, `\/mission approve production` or `\/mission approve polished` chooses a level; or `\/mission replan <what to change>`\.$/,
    );
  });

  it("shows problems the user must fix before approving", () => {
    expect(render({}, plan(), ["Feature 1.1 depends on itself."])).toMatch(/problems to fix[\s\S]*Feature 1\.1 depends on itself\./);
  });

  it("keeps a title with a pipe from breaking the feature table", () => {
    const p = plan();
    p.milestones[0]!.features[0]!.title = "Import | export <b>";
    expect(render({}, p)).toContain("| 1.1 | Import \\| export &lt;b> | M |");
  });

  it("stays under GitHub's comment limit for a huge plan, and says what it left out", () => {
    const text = render({ usd: 30 }, plan(7, 5, "x".repeat(19_000)));
    expect(text.length).toBeLessThanOrEqual(60_000);
    expect(text).toContain("shortened here to fit GitHub's comment limit");
    expect(text).toContain("| 7.5 | Feature 7.5 |");
    expect(text).toContain("Reply `/mission approve`");
  });
});
