/**
 * Dependencies between issues only (test/twin/RULES.md rule 6): GitHub
 * answers 422 "Target issue may only be an issue" when a pull request is
 * given as a blocker. The bot records a plan's dependencies between the
 * feature issues it created itself, found by id, so a pull request never
 * stands in — not one numbered among the mission's issues, nor one that
 * copies a feature's hidden marker and label.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Harness } from "../../support/app-harness.js";
import { testMissionId } from "../../support/clock.js";
import { marker } from "../../../src/mission/markers.js";
import { approve, BOT, expectClean, missionOf, world } from "./support.js";

let h: Harness;
afterEach(() => h?.stop());

describe("issue dependencies", () => {
  it("are recorded between the bot's feature issues only, never a pull request", async () => {
    h = world({ play: { manual: () => true } }).h;
    // Pull requests interleave with the mission's issue numbers; one pretends to be feature 1.1 (its marker, its label).
    const missionId = testMissionId("crm", 3); // the id the app will give the mission: the tracking issue will be #3
    h.twin.as("alice").openPullRequest({ title: "Unrelated change", body: "" });
    h.twin.as("alice").openPullRequest({
      title: `[${missionId}] 1.1 Contact model`,
      body: `${marker({ mission: missionId, kind: "feature", key: "1.1" })}\n${marker({ mission: missionId, kind: "tracking", key: "3" })}`,
    });
    h.twin.as("alice").addLabels(2, [`mission:${missionId}`, "mission:feature"]);
    h.twin.takeEvents();
    const played = await approve(h);
    expect(played).toEqual({ tracking: 3, missionId });

    const adds = h.twin.requests({ method: "POST", route: "/repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by" });
    expect(adds.length).toBe(2); // 1.2 on 1.1, 2.2 on 2.1
    expect(adds.map((a) => a.status)).toEqual([201, 201]);
    for (const a of adds) {
      const blocker = h.twin.issuesById.get((a.body as { issue_id: number }).issue_id)!;
      expect(blocker.pull_request).toBe(false);
      expect(blocker.user.login).toBe(BOT);
    }
    const m = missionOf(h, missionId);
    const issueOf = (key: string) => m.plan!.milestones.flatMap((ms) => ms.features).find((f) => f.key === key)!.issue!;
    expect(h.twin.issue(issueOf("1.2").number).blocked_by).toEqual([issueOf("1.1").id]);
    expect(h.twin.issue(issueOf("2.2").number).blocked_by).toEqual([issueOf("2.1").id]);
    expect(issueOf("1.1").number).not.toBe(2);
    expectClean(h);
  });
});
