import { describe, expect, it } from "vitest";
import { Mission, Plan } from "../../src/mission/model.js";
import { parseOutline } from "../../src/mission/plan/outline.js";
import { checkPlan } from "../../src/mission/plan/plan.js";
import { looksLikeSecretValue, Resource } from "../../src/mission/plan/resources.js";
import { mission, plan } from "../support/missions.js";
import { readAnswer } from "../../src/planner/anthropic.js";

const outline = (resources: string[], where: "line" | "heading" = "line") =>
  [
    "We need a CRM that takes payments.",
    ...(where === "line" ? ["Resources:", ...resources, ""] : []),
    "## Milestone 1: Contacts",
    "- [ ] Contact model (S)",
    "- [ ] Contact list",
    "## Milestone 2: Payments",
    "- [ ] Checkout",
    "- [ ] Refunds",
    "## Milestone 3: Email",
    "- [ ] Send email",
    "- [ ] Templates",
    ...(where === "heading" ? ["", "## Resources", ...resources] : []),
  ].join("\n");

// Shaped like credentials but made here, so no scanner mistakes them for real ones.
const FAKE_STRIPE_VALUE = ["sk", "live", "51HxQ2mLk9", "Zz8Yy7Xx6Ww5Vv4"].join("_");
const FAKE_ACCESS_KEY_ID = ["AKIA", "IOSFODNN7", "EXAMPLE"].join("");

describe("the resources a mission needs, in the outline", () => {
  it("reads secrets, infrastructure and accounts with their purpose and features", () => {
    const { plan: p, problems } = parseOutline(
      outline([
        "  - secret: STRIPE_KEY — Stripe's test-mode API key (features 2.1, 2.2)",
        "  - database: postgres — where contacts are stored (feature 1.1)",
        "  - account: `stripe` — a Stripe account in test mode",
      ]),
    );
    expect(problems).toEqual([]);
    expect(p!.resources).toEqual([
      { kind: "secret", name: "STRIPE_KEY", purpose: "Stripe's test-mode API key", features: ["2.1", "2.2"] },
      { kind: "infrastructure", name: "postgres", purpose: "where contacts are stored", features: ["1.1"] },
      { kind: "account", name: "stripe", purpose: "a Stripe account in test mode", features: [] },
    ]);
    // the list is not part of any milestone, and the milestones are as before
    expect(p!.milestones.map((m) => m.features.length)).toEqual([2, 2, 2]);
    expect(p!.milestones[0]!.description).toBe("");
  });

  it("reads a `## Resources` section, which is not a milestone", () => {
    const { plan: p, problems, ignored } = parseOutline(outline(["- SENDGRID_KEY: sends the mails (for 3.1)"], "heading"));
    expect(problems).toEqual([]);
    expect(ignored).toEqual([]);
    expect(p!.milestones).toHaveLength(3);
    expect(p!.resources).toEqual([{ kind: "secret", name: "SENDGRID_KEY", purpose: "sends the mails", features: ["3.1"] }]);
  });

  it("refuses a secret's value in place of its name, without storing or repeating it", () => {
    for (const line of [`  - secret: ${FAKE_STRIPE_VALUE} — payments (feature 2.1)`, `  - secret: ${FAKE_ACCESS_KEY_ID} — mail`, `  - ${FAKE_STRIPE_VALUE}`]) {
      const { plan: p, problems } = parseOutline(outline([line]));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/looks like a secret's value, not its name, so it was not stored/);
      expect(JSON.stringify({ p, problems })).not.toContain(FAKE_STRIPE_VALUE);
      expect(JSON.stringify({ p, problems })).not.toContain(FAKE_ACCESS_KEY_ID);
      expect(p!.resources).toBeUndefined();
    }
  });

  it("refuses a value pasted into the purpose, and names that GitHub would not store", () => {
    const pasted = parseOutline(outline([`  - secret: STRIPE_KEY — the key is ${FAKE_STRIPE_VALUE}`]));
    expect(pasted.problems.join(" ")).toMatch(/purpose of resource 1 .*looks like a secret's value/);
    expect(JSON.stringify(pasted)).not.toContain(FAKE_STRIPE_VALUE);
    const lower = parseOutline(outline(["  - secret: stripe_key — payments"]));
    expect(lower.problems).toEqual(["Resource 1: A secret is named like `STRIPE_KEY`: upper-case letters, digits and `_`, not starting with a digit."]);
    const reserved = parseOutline(outline(["  - secret: GITHUB_PAT — pushes"]));
    expect(reserved.problems[0]).toMatch(/cannot start with `GITHUB_`/);
  });

  it("says what to write for an item it does not understand, and for a feature that is not in the plan", () => {
    const { plan: p, problems } = parseOutline(outline(["  - a database, somewhere", "  - secret: STRIPE_KEY (features 9.9)"]));
    expect(problems[0]).toMatch(/^Resource 1 is not understood; write `- secret: STRIPE_KEY/);
    expect(checkPlan(p!)).toContain("The resource `STRIPE_KEY` is needed by feature 9.9, which is not in the plan.");
  });
});

describe("the resources' schema", () => {
  it("keeps a plan without resources as it was, and refuses a secret value in mission.md without repeating it", () => {
    expect(Plan.parse(plan()).resources).toBeUndefined();
    const bad = Resource.safeParse({ kind: "secret", name: FAKE_ACCESS_KEY_ID });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).not.toContain(FAKE_ACCESS_KEY_ID);
    const m = mission({ plan: { ...plan(), resources: [{ kind: "secret", name: "STRIPE_KEY", purpose: "", features: ["1.1"] }] } });
    expect(Mission.parse(m).plan?.resources?.[0]?.name).toBe("STRIPE_KEY");
  });

  it("tells names from values", () => {
    for (const name of ["STRIPE_KEY", "OPENAI_API_KEY", "AWS_SECRET_ACCESS_KEY", "SMTP_PASSWORD_2", "postgres", "crm.example.com"]) expect(looksLikeSecretValue(name)).toBe(false);
    for (const value of [FAKE_STRIPE_VALUE, FAKE_ACCESS_KEY_ID, "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "x".repeat(65)]) expect(looksLikeSecretValue(value)).toBe(true);
  });
});

describe("the resources in the Anthropic planner's answer", () => {
  const milestones = ["Contacts", "Payments", "Email"].map((title, i) => ({
    key: String(i + 1),
    title,
    features: [1, 2].map((k) => ({ key: `${i + 1}.${k}`, title: `${title} ${k}`, acceptance: ["works"], size: "M" })),
  }));

  it("takes the resources the model lists, checked like the outline's", () => {
    const result = readAnswer(JSON.stringify({ milestones, resources: [{ kind: "secret", name: "STRIPE_KEY", purpose: "payments", features: ["2.1"] }] }), "claude");
    expect(result.ok && result.plan.resources).toEqual([{ kind: "secret", name: "STRIPE_KEY", purpose: "payments", features: ["2.1"] }]);
  });

  it("refuses an answer that names a secret by its value, without quoting it", () => {
    const result = readAnswer(JSON.stringify({ milestones, resources: [{ kind: "secret", name: FAKE_ACCESS_KEY_ID, features: ["2.1"] }] }), "claude");
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.join(" ")).toMatch(/resources\.0\.name: The secret name looks like a secret's value/);
    expect(JSON.stringify(result)).not.toContain(FAKE_ACCESS_KEY_ID);
  });

  it("refuses more resources than a plan may carry", () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ kind: "account", name: `account-${i}` }));
    expect(readAnswer(JSON.stringify({ milestones, resources: many }), "claude").ok).toBe(false);
  });
});
