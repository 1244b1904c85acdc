/**
 * Labels ≤ 50 characters (test/twin/RULES.md rule 3): a mission's issues
 * carry the label `mission:<id>`, and GitHub refuses a longer name with 422
 * (also when the label is created implicitly by a new issue). The id ends
 * with the tracking issue's number, so a repository with millions of issues
 * and a goal of long words must still give an id whose label fits.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Harness } from "../../support/app-harness.js";
import { approve, botBodies, expectClean, missionOf, world } from "./support.js";

let h: Harness;
afterEach(() => h?.stop());

describe("labels fit GitHub's 50 characters", () => {
  it("issue #1,234,567 and a goal of long words: the mission starts, and its milestone and feature issues are labelled", async () => {
    h = world({ lastIssueNumber: 1_234_566, play: { manual: () => true } }).h;
    const { tracking, missionId } = await approve(h, {
      goal: "/mission Internationalization-readiness Accessibility-conformance for the whole product --mode poc --budget $500 --hours 100 --tokens 50M",
    });
    expect(tracking).toBe(1_234_567);
    expect(missionId.endsWith("-1234567")).toBe(true);
    const label = `mission:${missionId}`;
    expect(label.length).toBeLessThanOrEqual(50);
    expect(missionOf(h, missionId).status).toBe("active");

    const issues = h.twin.issuesOf().filter((i) => i.number !== tracking);
    expect(issues).toHaveLength(9); // 3 milestones, 6 features
    for (const i of issues) expect(h.twin.labelNames(i)).toContain(label);
    expect(h.twin.labelNames(h.twin.issue(tracking))).toContain(label);
    expect(botBodies(h, tracking).join("\n")).not.toMatch(/refused|cannot/i);
    expect(h.errors).toEqual([]);
    expectClean(h);
  });
});
