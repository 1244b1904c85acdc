/**
 * mission.md over 1 MB (test/twin/RULES.md rule 8): the contents API then
 * answers with no content (`encoding: "none"`), and the blob API has it.
 * A plan of long descriptions and many acceptance criteria (each within the
 * plan's limits) makes such a file: the mission goes on all the same —
 * every reconcile reads it through the blob, and commits it with its sha.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Harness } from "../../support/app-harness.js";
import { Plan, missionPath } from "../../../src/mission/model.js";
import type { Planner } from "../../../src/mission/plan/plan.js";
import { approve, botBodies, expectClean, missionOf, world } from "./support.js";

let h: Harness;
afterEach(() => h?.stop());

function prose(n: number, seed: string): string {
  const sentence = `Feature ${seed} keeps records exact and every screen tested. `;
  return sentence.repeat(Math.ceil(n / sentence.length)).slice(0, n);
}

/** 3 milestones × 2 features, each with a 20,000-character description and 170 criteria of 1,000 characters. */
const bigPlanner: Planner = {
  name: "stand-in",
  plan: async () => ({
    ok: true,
    plan: Plan.parse({
      source: "stand-in",
      milestones: [1, 2, 3].map((i) => ({
        key: String(i),
        title: `Milestone ${i}`,
        description: "",
        features: [1, 2].map((j) => ({
          key: `${i}.${j}`,
          title: `Feature ${i}.${j}`,
          size: "M",
          description: prose(20_000, `${i}.${j}`),
          acceptance: Array.from({ length: 170 }, (_, k) => prose(1000, `${i}.${j} criterion ${k + 1}`)),
        })),
      })),
    }),
  }),
};

describe("mission.md over 1 MB", () => {
  it("is read through the blob API on every reconcile: the plan is approved, its issues made, each command answered once", { timeout: 120_000 }, async () => {
    h = world({ planner: bigPlanner, play: { manual: () => true }, twin: { secondaryLimits: false } }).h;
    const { tracking, missionId } = await approve(h);

    const file = h.twin.readFile(missionPath(missionId), { ref: "mission-bot/state" })!;
    expect(Buffer.byteLength(file.text)).toBeGreaterThan(1024 * 1024);
    // GitHub's contents API has no content for it; the bot read the blob (and no other way)
    const blobReads = h.twin.requests({ method: "GET", route: "/repos/{owner}/{repo}/git/blobs/{file_sha}" });
    expect(blobReads.length).toBeGreaterThan(0);

    const m = missionOf(h, missionId);
    expect(m.status).toBe("active");
    expect(m.plan!.milestones.every((ms) => ms.issue && ms.features.every((f) => f.issue))).toBe(true);
    expect(h.twin.actions.runsOf("mission-worker.yml").length).toBeGreaterThan(0);
    const bodies = botBodies(h, tracking);
    expect(bodies.filter((b) => /## Mission plan/.test(b))).toHaveLength(1);
    expect(bodies.filter((b) => /Plan approved by @alice/.test(b))).toHaveLength(1);
    expect(bodies.filter((b) => /refused|cannot/i.test(b))).toEqual([]);
    expect(h.errors).toEqual([]);
    expectClean(h);
  });
});
