/**
 * The hand-over of a POC mission: at the end, the mission branch is
 * proposed to the default branch as a pull request, once, and the
 * completion report names it; a pull request a person already opened from
 * the branch is kept; a branch with nothing to merge is said so instead
 * (GitHub's 422 "No commits between", test/twin/RULES.md 19).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Harness } from "../../support/app-harness.js";
import { finishWorker } from "../../support/runners.js";
import { BOT, botBodies, expectClean, missionOf, playMission, whereItStands, world } from "./support.js";

let h: Harness;
afterEach(() => h?.stop());

/** Runners whose workers also commit their feature to the branch they were given. */
function committingWorld() {
  const made = world({
    play: {
      manual: (run, inputs) => {
        const twin = made.h.twin;
        const branch = inputs.branch!;
        if (!twin.repo().branches.has(branch)) twin.createBranch(branch);
        twin.writeFile(`src/feature-${inputs.feature}.ts`, `export const feature = "${inputs.feature}";\n`, { branch });
        finishWorker(twin, run, inputs);
        return true;
      },
    },
  });
  return made;
}

function pulls(h: Harness) {
  return h.twin.issuesOf().filter((i) => i.pull_request);
}

describe("the hand-over of a POC mission", () => {
  it("proposes the mission branch once, and the completion report names the pull request", { timeout: 60_000 }, async () => {
    const made = committingWorld();
    h = made.h;
    const { tracking, missionId } = await playMission(h, made.runners);
    const prs = pulls(h);
    expect(prs).toHaveLength(1);
    expect(prs[0]!.user.login).toBe(BOT);
    expect(prs[0]!.pull).toMatchObject({ head: `mission/${missionId}`, base: "main" });
    expect(prs[0]!.body).toContain(`<!-- mission-bot:${missionId}:comment:hand-over -->`);
    const m = missionOf(h, missionId);
    expect(m.hand_over?.pull_request).toBe(prs[0]!.number);
    expect(m.retrospective?.accuracy.map((a) => a.category)).toEqual(["usd", "hours", "tokens"]);
    const report = botBodies(h, tracking).filter((b) => /is complete\./.test(b));
    expect(report).toHaveLength(1);
    expect(report[0]).toContain(`in pull request #${prs[0]!.number}`);
    expect(report[0]).toMatch(/Forecast error/);

    // Another pulse changes nothing: no second pull request, no second report.
    h.twin.advance(15 * 60_000, { tokens: "keep" });
    await h.pulse();
    await h.pump();
    expect(pulls(h)).toHaveLength(1);
    expect(botBodies(h, tracking).filter((b) => /is complete\./.test(b))).toHaveLength(1);
    expectClean(h);
  });

  it("keeps a pull request a person already opened from the mission branch", { timeout: 60_000 }, async () => {
    const made = committingWorld();
    h = made.h;
    let mine = 0;
    const stop = h.twin.onQueued((_run, inputs) => {
      // after the first worker committed, alice proposes the branch herself
      if (mine || !inputs.branch || !h.twin.repo().branches.has(inputs.branch)) return;
      mine = h.twin.as("alice").openPullRequest({ title: "WIP: the CRM", body: "early look", head: inputs.branch, base: "main" }).number;
    });
    const { tracking, missionId } = await playMission(h, made.runners);
    stop();
    expect(mine).toBeGreaterThan(0);
    const prs = pulls(h);
    expect(prs.map((p) => p.number), whereItStands(h, missionId)).toEqual([mine]);
    const report = botBodies(h, tracking).find((b) => /is complete\./.test(b))!;
    expect(report).toContain(`in pull request #${prs[0]!.number}`);
    expectClean(h);
  });

  it("says the branch had nothing to merge when the workers committed nothing", { timeout: 60_000 }, async () => {
    const made = world();
    h = made.h;
    // the workers' branch exists, with nothing on it the default branch lacks
    const stop = h.twin.onQueued((_run, inputs) => {
      if (inputs.branch && !h.twin.repo().branches.has(inputs.branch)) h.twin.createBranch(inputs.branch);
    });
    const { tracking, missionId } = await playMission(h, made.runners);
    stop();
    expect(h.twin.repo().branches.has(`mission/${missionId}`)).toBe(true);
    expect(pulls(h)).toEqual([]);
    expect(missionOf(h, missionId).hand_over?.nothing_to_merge).toBe(true);
    const report = botBodies(h, tracking).find((b) => /is complete\./.test(b))!;
    expect(report).toContain("has nothing to merge");
    expectClean(h);
  });
});
