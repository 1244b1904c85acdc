/**
 * End to end: a mission planned by a model (the Anthropic stand-in), approved,
 * and replanned mid-way: milestone 1 validated and feature 2.1 done while
 * 2.2's worker still runs. The replan drops 2.2 and adds 2.3: finished work
 * stays, 2.2's issue is closed as not planned with the reason and its worker
 * cancelled, 2.3's issue is created once, the answer shows what changed, both
 * plannings are in the ledger, and the mission completes on the new plan.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LABELS } from "../../src/mission/model.js";
import { World } from "./support/world.js";
import { isComplete, missionFile, say, startMission } from "./support/scenario.js";
import { standInPlan, startAnthropicStandIn, type AnthropicStandIn } from "../support/anthropic-stand-in.js";

/** The replan's answer: feature 2.2 ("Deals part 2") gives way to 2.3 ("Deal pipeline"). */
function replanned(): string {
  const plan = JSON.parse(standInPlan()) as { milestones: Array<{ key: string; features: Array<Record<string, unknown>> }> };
  const deals = plan.milestones[1]!;
  deals.features[1] = { key: "2.3", title: "Deal pipeline", description: "Deals move through stages on a board.", acceptance: ["Stages can be changed"], size: "S", depends_on: ["2.1"] };
  return JSON.stringify(plan);
}

describe("a running mission replanned by the model", () => {
  let standIn: AnthropicStandIn;
  beforeAll(async () => {
    standIn = await startAnthropicStandIn({ answer: () => (standIn.requests.length > 1 ? replanned() : standInPlan()) });
  });
  afterAll(async () => {
    await standIn.close();
  });

  it("keeps finished work, closes what it drops with the reason, creates what it adds once, and shows what changed", async () => {
    const w = await World.start({
      worker: { cost: () => 2, hold: (feature) => feature === "2.2" },
      settings: { ANTHROPIC_BASE_URL: standIn.url, ANTHROPIC_API_KEY: "sk-test-stand-in" },
    });
    try {
      const { tracking, missionId } = await startMission(w);
      const issueOf = (title: string) => w.twin.issuesOf().find((i) => i.labels.includes(LABELS.feature) && i.title.includes(title));
      // mid-way: milestone 1 validated, 2.1 done, 2.2's worker still running
      await w.runUntil(() => issueOf("Deals part 1")?.state === "closed" && w.twin.actions.runs().some((r) => r.status === "in_progress"));
      const dropped = issueOf("Deals part 2")!;
      expect(dropped.state).toBe("open");

      await say(w, tracking, "/mission replan drop the second deals feature; a deal pipeline instead");

      // the model was asked with the previous plan and the change
      expect(standIn.requests).toHaveLength(2);
      expect(JSON.stringify(standIn.requests[1]!.body.messages)).toContain("a deal pipeline instead");

      // the answer shows what changed
      const answer = w.botComments(tracking).find((c) => c.body.includes("### What changed"));
      expect(answer?.body).toContain('Dropped feature 2.2 "Deals part 2"');
      expect(answer?.body).toContain('Added feature 2.3 "Deal pipeline"');

      // dropped: closed as not planned, told why, its worker cancelled
      const closed = w.twin.issue(dropped.number);
      expect(closed.state).toBe("closed");
      expect(closed.state_reason).toBe("not_planned");
      expect(w.comments(dropped.number).some((c) => c.body.includes("no longer part of the mission's plan") && c.body.includes("a deal pipeline instead"))).toBe(true);
      expect(w.twin.actions.runs().filter((r) => r.status !== "completed")).toEqual([]);

      // the held worker of 2.2 was cancelled: letting it go changes nothing
      await w.releaseHeld();
      await w.runUntil(() => isComplete(w, tracking));

      // finished work kept (2.1 done before the replan, not run again); the new feature created once and done
      const m = missionFile(w, missionId);
      expect(m.status).toBe("completed");
      expect(m.plan!.milestones.map((ms) => ms.validated)).toEqual(["passed", "passed", "passed"]);
      const deals = m.plan!.milestones[1]!.features;
      expect(deals.map((f) => [f.key, !!f.done])).toEqual([["2.1", true], ["2.3", true]]);
      expect(deals[0]!.runs).toHaveLength(1);
      expect(m.plan!.dropped!.map((d) => [d.key, d.issue?.number])).toEqual([["2.2", dropped.number]]);
      // planning and replanning are both in the ledger
      expect(m.ledger.filter((e) => e.kind === "planner")).toHaveLength(2);
      const pipeline = w.twin.issuesOf().filter((i) => i.title.includes("Deal pipeline"));
      expect(pipeline).toHaveLength(1);
      expect(pipeline[0]!.state).toBe("closed");
      expect(pipeline[0]!.state_reason).toBe("completed");
      expect(w.twin.issue(dropped.number).state_reason).toBe("not_planned");
      expect(w.twin.contractFailures).toEqual([]);
      expect(w.server.errors).toEqual([]);
    } finally {
      await w.stop();
    }
  });
});
