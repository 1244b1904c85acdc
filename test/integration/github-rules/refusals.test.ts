/**
 * A step GitHub refuses is told once on the tracking issue and tried again
 * on the next event or pulse — never at once, round after round. The
 * refusal here is GitHub's own limit of 100 sub-issues per parent
 * (test/twin/RULES.md; the twin's addSubIssue): a tracking issue a person
 * already used as an epic for 100 issues cannot take the milestones.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Harness } from "../../support/app-harness.js";
import { CRM_OUTLINE } from "../../support/outline.js";
import { approve, botBodies, expectClean, missionOf, world } from "./support.js";

let h: Harness;
afterEach(() => h?.stop());

describe("a refused step", () => {
  it("is told once, costs a bounded number of requests per pulse, and is done once a person makes room", async () => {
    h = world({ play: { manual: () => true } }).h;
    const epic = h.twin.as("alice").createIssue({ title: "Epic", body: "" }).number;
    const children = Array.from({ length: 100 }, (_, i) => h.twin.as("alice").createIssue({ title: `Task ${i + 1}`, body: "" }).number);
    for (const c of children) h.twin.as("alice").addSubIssue(epic, c);
    h.twin.takeEvents();

    // The person's epic becomes the mission's tracking issue.
    h.twin.as("alice").editIssue(epic, { body: CRM_OUTLINE });
    const { missionId } = await approve(h, { tracking: epic });
    const refusals = () => botBodies(h, epic).filter((b) => /GitHub refused a step/.test(b));
    expect(refusals()).toHaveLength(1);
    expect(refusals()[0]).toMatch(/more than 100 sub-issues/);

    // Pulses while the limit stands: the same few requests each time, no second notice.
    const costs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = h.twin.log.length;
      h.twin.advance(15 * 60_000, { tokens: "keep" });
      await h.pulse();
      await h.pump();
      costs.push(h.twin.log.length - before);
    }
    expect(Math.max(...costs)).toBeLessThan(60);
    expect(costs[2]).toBe(costs[1]);
    expect(refusals()).toHaveLength(1);
    expect(h.twin.actions.runsOf("mission-worker.yml")).toEqual([]); // no work starts on a plan not wholly on GitHub

    // A person makes room: the next pulse links the milestones and work starts.
    for (const c of children.slice(0, 3)) h.twin.removeSubIssue(h.twin.issue(epic), h.twin.issue(c), h.twin.user("alice"));
    h.twin.advance(15 * 60_000, { tokens: "keep" });
    await h.pulse();
    await h.pump();
    const m = missionOf(h, missionId);
    expect(m.plan!.milestones.every((ms) => ms.issue && ms.features.every((f) => f.issue))).toBe(true);
    expect(h.twin.issue(epic).sub_issues).toHaveLength(100);
    expect(h.twin.actions.runsOf("mission-worker.yml").length).toBeGreaterThan(0);
    expect(refusals()).toHaveLength(1);
    expectClean(h);
  });
});
