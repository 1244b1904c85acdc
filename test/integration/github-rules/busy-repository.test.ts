/**
 * Issue 10, item 12: on a busy repository a `/mission` command whose webhook
 * was lost is still found by the pulse, however many comments came after
 * it: the Actions pulse reads the repository's comments newest first, back
 * to the start of its window (two hours), not a fixed number of pages; the
 * App's pulse asks the search for issues with a `/mission` comment updated
 * in that window. (GitHub's comment lists have at most 100 per page:
 * REST "List issue comments for a repository".)
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubTwin } from "../../../src/twin/state.js";
import { contractTwin } from "../../support/twin.js";
import { serveWithNock } from "../../support/twin-nock.js";
import { twinActionContext } from "../../support/twin-action.js";
import { pulse } from "../../../src/action/pulse.js";
import { openMissions } from "../../../src/loop/app-pulse.js";
import { botOctokit } from "../../../src/twin/octokit.js";

const COMMAND = readFileSync("templates/workflows/mission-command.yml", "utf8");

let twin: GitHubTwin;
let stop: () => void;
beforeEach(() => {
  twin = contractTwin({ checkResponses: true });
  twin.addRepo({ owner: "acme", name: "crm", ownerType: "Organization", collaborators: { alice: "write", bob: "write" }, files: { ".github/workflows/mission-command.yml": COMMAND } });
  stop = serveWithNock(twin);
});
afterEach(() => {
  stop();
  expect(twin.contractFailures).toEqual([]);
});

/** 350 comments of a busy hour on one issue, then a `/mission` on another (the 351st); every webhook lost. */
function busyHour(): number {
  const chatter = twin.as("bob").createIssue({ title: "Release notes", body: "" }).number;
  for (let i = 0; i < 350; i++) {
    twin.advance(10_000);
    twin.as("bob").comment(chatter, `note ${i}`);
  }
  const tracking = twin.as("alice").createIssue({ title: "CRM", body: "The goal." }).number;
  twin.advance(10_000);
  twin.as("alice").comment(tracking, "/mission Build a CRM --mode poc --budget $50");
  twin.takeEvents();
  return tracking;
}

describe("a busy repository: a lost command after 350 other comments in the hour", () => {
  it("the Actions pulse starts the command run for its issue", async () => {
    const tracking = busyHour();
    const { ctx } = twinActionContext(twin, { event: { name: "schedule", payload: {} }, inputs: {} });
    const rows = await pulse(ctx, "main", { clock: () => twin.now() });
    expect(rows.find((r) => r.issue === tracking)?.due).toBe(true);
    const dispatched = twin.actions.runsOf("mission-command.yml").filter((r) => r.event === "workflow_dispatch");
    expect(dispatched.map((r) => twin.runInputs(r.id).issue)).toEqual([String(tracking)]);
  }, 60_000);

  it("the App's pulse enqueues its issue", async () => {
    const tracking = busyHour();
    const jobs = await openMissions(botOctokit(twin, 1) as never, "acme", true, { clock: () => twin.now() });
    expect(jobs.map((j) => j.issue)).toContain(tracking);
  });
});
