/**
 * Parallel sub-issue adds to one parent (test/twin/RULES.md rule 5): GitHub
 * gives each sub-issue the next priority under its parent, and of two adds
 * in flight together the later to land answers 422 "Priority has already
 * been taken" (github/github-mcp-server#1842). One mission links its issues
 * one after another, but a person may add a sub-issue to a milestone at the
 * same moment: the bot's add is a race lost, not a refusal — tried again at
 * once, never reported to people as GitHub refusing a step, never a failed job.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Harness } from "../../support/app-harness.js";
import { userOctokit } from "../../../src/twin/octokit.js";
import { approve, botBodies, expectClean, missionOf, world } from "./support.js";

let h: Harness;
afterEach(() => h?.stop());

describe("a sub-issue add that loses the race for its priority", () => {
  // Skipped: with sub-issues the bot now creates an issue under its parent in one GraphQL `createIssue`, so no REST add is
  // in flight to race; this REST path is taken only when GitHub refuses the mutation, which this test cannot provoke yet.
  it.skip("is tried again and lands: the feature is linked under its milestone beside the person's issue, nothing is refused, no job fails", async () => {
    h = world({ play: { manual: () => true } }).h;
    const theirs = h.twin.as("alice").createIssue({ title: "A task of alice's", body: "" });
    h.twin.takeEvents();
    // The CRM outline's issues: the tracking issue is #2, milestone 1 is #3, its first feature #4.
    const hold = h.twin.hold({ method: "POST", route: /^\/repos\/acme\/crm\/issues\/3\/sub_issues$/ });
    const approving = approve(h);
    await hold.arrived; // the bot's add of feature 1.1 under milestone 1 is in flight …
    // … and alice adds her issue to the same milestone meanwhile; hers lands first.
    await userOctokit(h.twin, "alice").rest.issues.addSubIssue({ owner: "acme", repo: "crm", issue_number: 3, sub_issue_id: theirs.id });
    hold.release();
    const { tracking, missionId } = await approving;

    const lost = h.twin.requests({ method: "POST", route: "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues" }).filter((r) => r.status === 422);
    expect(lost).toHaveLength(1); // the race happened
    const m = missionOf(h, missionId);
    const ms1 = m.plan!.milestones[0]!;
    expect(ms1.issue!.number).toBe(3);
    expect(h.twin.issue(3).sub_issues).toEqual([theirs.id, ...ms1.features.map((f) => f.issue!.id)]);
    expect(m.plan!.milestones.every((ms) => ms.issue && ms.features.every((f) => f.issue))).toBe(true);
    expect(botBodies(h, tracking).filter((b) => /refused/i.test(b))).toEqual([]);
    expect(h.errors).toEqual([]);
    expectClean(h);
  });
});
