/**
 * Bodies ≤ 65,536 characters (test/twin/RULES.md rule 2): GitHub refuses a
 * longer comment or issue body with 422. The plan reply (the command's
 * answer: a preface and the plan), the dashboard in the tracking issue, and
 * the milestone and feature issues of the largest plan a planner may make
 * (7 milestones × 5 features, long titles, long descriptions) must all fit,
 * the issues keeping what the workers need.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Harness } from "../../support/app-harness.js";
import type { Planner } from "../../../src/mission/plan/plan.js";
import { Plan } from "../../../src/mission/model.js";
import { GITHUB_LIMITS } from "../../../src/mission/model.js";
import { approve, botBodies, expectClean, missionOf, world } from "./support.js";
import { CRM_OUTLINE } from "../../support/outline.js";

let h: Harness;
afterEach(() => h?.stop());

/** Text of exactly `n` characters that reads like a description (distinct per feature). */
function prose(n: number, seed: string): string {
  const sentence = `Feature ${seed} stores, lists, filters and exports records; each screen is tested and documented. `;
  return sentence.repeat(Math.ceil(n / sentence.length)).slice(0, n);
}

/** A planner that answers with a fixed plan: `shape` features per milestone, built by `feature`. */
function fixedPlanner(shape: number[], feature: (key: string) => { title: string; description: string; acceptance: string[] }): Planner {
  const plan = Plan.parse({
    source: "stand-in",
    milestones: shape.map((n, i) => ({
      key: String(i + 1),
      title: `Milestone ${i + 1} ${"of a mission with long titles ".repeat(6)}`.slice(0, 200),
      description: prose(1500, `milestone ${i + 1}`),
      features: Array.from({ length: n }, (_, j) => {
        const key = `${i + 1}.${j + 1}`;
        return { key, size: "M", depends_on: [], ...feature(key) };
      }),
    })),
  });
  return { name: "stand-in", plan: async () => ({ ok: true, plan }) };
}

/**
 * 42 issues and their links in a minute pass GitHub's 80 content-creating requests a minute: Probot's
 * throttling spaces them 3 s apart in production, the harness does not, so the app would wait out the
 * limit here (tests/integration/github-rules/rate-limits.test.ts is about that). Counted, not enforced.
 */
const PACE_FREE = { secondaryLimits: false };

const longTitle = (key: string) => `${key} ${"A feature title that says a lot about what it does ".repeat(4)}`.slice(0, 200);

describe("bodies fit GitHub's 65,536 characters", { timeout: 120_000 }, () => {
  it("a 7×5 plan of 2,000-character descriptions: one plan reply, the dashboard and 42 issues, every description whole in its issue", async () => {
    const planner = fixedPlanner([5, 5, 5, 5, 5, 5, 5], (key) => ({
      title: longTitle(key),
      description: prose(2000, key),
      acceptance: [`${key} works for 10,000 records`, `${key} is documented`],
    }));
    h = world({ planner, play: { manual: () => true }, twin: PACE_FREE }).h;
    const { tracking, missionId } = await approve(h);

    // One answer per command: the interview, the plan, the approval; the plan is in its answer.
    const replies = botBodies(h, tracking);
    const plans = replies.filter((b) => b.includes("## Mission plan"));
    expect(plans).toHaveLength(1);
    expect(plans[0]!.length).toBeLessThanOrEqual(GITHUB_LIMITS.bodyChars);
    expect(plans[0]).toContain("Reply `/mission approve`");
    expect(replies.filter((b) => /GitHub refused/.test(b))).toEqual([]);

    // The dashboard is in the tracking issue, under the limit.
    const body = h.twin.issue(tracking).body ?? "";
    expect(body).toContain(`mission-bot:${missionId}:dashboard:start`);
    expect(body.length).toBeLessThanOrEqual(GITHUB_LIMITS.bodyChars);

    // Every milestone and feature issue exists once, with its whole description.
    const m = missionOf(h, missionId);
    const features = m.plan!.milestones.flatMap((ms) => ms.features);
    expect(features).toHaveLength(35);
    for (const f of features) {
      const issue = h.twin.issue(f.issue!.number);
      expect(issue.body).toContain(prose(2000, f.key));
      expect(issue.title).toContain(f.title.slice(0, 150));
    }
    expect(m.plan!.milestones.every((ms) => ms.issue && h.twin.issue(ms.issue.number).body!.includes(prose(1500, `milestone ${ms.key}`)))).toBe(true);
    expect(h.errors).toEqual([]);
    expectClean(h);
  });

  it("a 20,000-character description with 60 long acceptance criteria: the feature issue is created, clipped with a note, under the limit", async () => {
    const planner = fixedPlanner([2, 2, 2], (key) => ({
      title: longTitle(key),
      description: key === "1.1" ? prose(20_000, key) : prose(300, key),
      acceptance: key === "1.1" ? Array.from({ length: 60 }, (_, i) => `${i + 1}: ${prose(900, `criterion ${i + 1}`)}`) : [`${key} works`],
    }));
    h = world({ planner, play: { manual: () => true }, twin: PACE_FREE }).h;
    const { tracking, missionId } = await approve(h);

    const m = missionOf(h, missionId);
    const f11 = m.plan!.milestones[0]!.features[0]!;
    expect(f11.issue).toBeDefined();
    const body = h.twin.issue(f11.issue!.number).body!;
    expect(body.length).toBeLessThanOrEqual(GITHUB_LIMITS.bodyChars);
    expect(body).toContain(prose(20_000, "1.1")); // the description is whole
    expect(body).toContain("1: "); // the first criteria are there
    expect(body).toMatch(/acceptance criteria are left out to fit GitHub's 65,536-character limit/);
    expect(body).toContain(`mission-bot:${missionId}:feature:1.1`); // the marker survives the cut
    expect(botBodies(h, tracking).filter((b) => /GitHub refused/.test(b))).toEqual([]);
    expect(h.errors).toEqual([]);
    expectClean(h);
  });

  it("an answer of 3,000 lines the bot cannot read still gets one answer, with the plan, under the limit", async () => {
    h = world({ play: { manual: () => true } }).h;
    const tracking = h.twin.as("alice").createIssue({ title: "CRM", body: CRM_OUTLINE }).number;
    h.twin.as("alice").comment(tracking, "/mission Build a CRM --mode poc --budget $500 --hours 100 --tokens 50M");
    await h.pump();
    const junk = Array.from({ length: 3000 }, (_, i) => `line ${i} without a key`).join("\n");
    h.twin.as("alice").comment(tracking, `/mission answer\nconstraints: none\npreferences: none\n${junk}`);
    await h.pump();
    const answer = botBodies(h, tracking).at(-1)!;
    expect(answer.length).toBeLessThanOrEqual(GITHUB_LIMITS.bodyChars);
    expect(answer).toContain("Noted: `constraints`, `preferences`.");
    expect(answer).toMatch(/… and 2,?9\d\d more/);
    expect(answer).toContain("## Mission plan");
    expect(botBodies(h, tracking).filter((b) => /GitHub refused/.test(b))).toEqual([]);
    expectClean(h);
  });
});
