/**
 * Trust boundary, point 4: triage users cannot finish or stall work. GitHub
 * lets a triage user close issues and remove labels; the mission counts a
 * closed feature only when the bot, its report job or a person with write
 * access (checked live) closed it, and labels only say where to look, so
 * the bot puts back the ones it needs.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Harness } from "../../support/app-harness.js";
import { ACTIONS_BOT, approved, BOT, comments, expectContract, featureIssue, finishRun, mission, MISSION, report, trustHarness, workerRuns } from "./support.js";

let h: Harness;
afterEach(() => {
  h?.stop();
  expectContract(h);
});

const validationRuns = () => h.twin.actions.runsOf("mission-validate.yml");
const feature = (key: string) => mission(h).plan!.milestones.flatMap((ms) => ms.features).find((f) => f.key === key)!;
const labels = (issue: number) => h.twin.labelNames(h.twin.issue(issue));

/** Approved, and feature 1.1 finished by its worker (the report job closes its issue): 1.2, the milestone's last, is being worked on. */
async function lastFeatureRunning(): Promise<number> {
  const tracking = await approved(h);
  const [first] = workerRuns(h);
  finishRun(h, first!.id, report(first!));
  await h.pump();
  expect(workerRuns(h).map((r) => r.feature)).toEqual(["1.1", "1.2"]);
  return tracking;
}

describe("triage users cannot finish work", () => {
  it("reopens a feature a triage user closed, says why once, and does not count it or start validation; a writer's close counts", async () => {
    h = trustHarness();
    await lastFeatureRunning();
    // The worker's report job closed 1.1: that counts.
    expect(feature("1.1").done?.by).toBe(ACTIONS_BOT);

    const issue = featureIssue(h, "1.2");
    h.twin.as("tina").closeIssue(issue);
    await h.pump();
    h.twin.as("tina").closeIssue(issue); // and again
    await h.pump();

    expect(h.twin.issue(issue).state).toBe("open");
    const said = comments(h, issue).filter((c) => c.user === BOT && /Reopened: only people with write access/.test(c.body));
    expect(said).toHaveLength(1);
    expect(said[0]!.body).toContain("closed by @tina");
    expect(feature("1.2").done).toBeUndefined();
    expect(validationRuns()).toEqual([]);
    expect(mission(h).status).toBe("active");

    // A person with write access closing it: done, and the milestone is validated.
    h.twin.as("walt").closeIssue(issue);
    await h.pump();
    expect(h.twin.issue(issue).state).toBe("closed");
    expect(feature("1.2").done?.by).toBe("walt");
    expect(validationRuns()).toHaveLength(1);
  });

  it("does not count a close by someone whose write access was taken away before the bot looked", async () => {
    h = trustHarness();
    await lastFeatureRunning();
    const issue = featureIssue(h, "1.2");
    h.twin.as("walt").closeIssue(issue);
    h.twin.setPermission("walt", "triage");
    await h.pump();
    expect(h.twin.issue(issue).state).toBe("open");
    expect(feature("1.2").done).toBeUndefined();
    expect(validationRuns()).toEqual([]);
  });
});

describe("triage users cannot stall work by removing labels", () => {
  it("puts back the labels a triage user removed from a feature issue and from the tracking issue, and the mission goes on", async () => {
    h = trustHarness();
    const tracking = await approved(h);
    const f11 = featureIssue(h, "1.1");
    const f12 = featureIssue(h, "1.2");
    h.twin.as("tina").removeLabel(f11, `mission:${MISSION}`);
    h.twin.as("tina").removeLabel(f12, "mission:feature");
    h.twin.as("tina").removeLabel(tracking, "mission");
    h.twin.as("tina").removeLabel(tracking, `mission:${MISSION}`);
    await h.pump();

    expect(labels(f11)).toEqual(expect.arrayContaining([`mission:${MISSION}`, "mission:feature"]));
    expect(labels(f12)).toEqual(expect.arrayContaining([`mission:${MISSION}`, "mission:feature"]));
    expect(labels(tracking)).toEqual(expect.arrayContaining(["mission", `mission:${MISSION}`]));

    // The mission goes on: 1.1's worker reports, and 1.2's starts.
    const [first] = workerRuns(h);
    finishRun(h, first!.id, report(first!));
    await h.pump();
    expect(feature("1.1").done).toBeDefined();
    expect(workerRuns(h).map((r) => r.feature)).toEqual(["1.1", "1.2"]);
    expect(mission(h).status).toBe("active");
  });

  it("finds the mission again when every label is gone from the tracking issue and its webhooks were lost (the pulse)", async () => {
    h = trustHarness();
    const tracking = await approved(h);
    h.twin.as("tina").removeLabel(tracking, "mission");
    h.twin.as("tina").removeLabel(tracking, `mission:${MISSION}`);
    h.twin.takeEvents(); // lost
    h.twin.as("alice").comment(tracking, "/mission pause");
    await h.pump();
    expect(mission(h).status).toBe("paused");
    expect(labels(tracking)).toEqual(expect.arrayContaining(["mission", `mission:${MISSION}`]));
  });
});
