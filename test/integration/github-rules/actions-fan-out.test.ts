/**
 * Actions-only mode and GitHub's fan-out of events (test/twin/RULES.md
 * rule 4): creating an issue with two labels sends `issues.opened`, then
 * `issues.labeled` twice. Made with the App's token (so they do start
 * workflows), the bot's own issue creation must not start three command
 * runs that race: the command job's condition skips events sent by bots,
 * the command mode routes them nowhere, and so nothing is asked of GitHub.
 * A person's event on a feature issue is handed to the mission's own
 * concurrency group: a `workflow_dispatch` of the command workflow with the
 * tracking issue.
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubTwin } from "../../../src/twin/state.js";
import { contractTwin } from "../../support/twin.js";
import { testMissionId } from "../../support/clock.js";
import { serveWithNock } from "../../support/twin-nock.js";
import { twinActionContext } from "../../support/twin-action.js";
import { concurrencyGroup, jobRuns } from "../../support/workflow-expressions.js";
import { route } from "../../../src/loop/route.js";
import { run as command } from "../../../src/action/command.js";
import { marker } from "../../../src/mission/markers.js";
import { LABELS } from "../../../src/mission/model.js";

const COMMAND = readFileSync("templates/workflows/mission-command.yml", "utf8");
const BOT = "mission-bot[bot]";
const MISSION = testMissionId("crm", 1);

let twin: GitHubTwin;
let stop: () => void;
beforeEach(() => {
  twin = contractTwin({ checkResponses: true });
  twin.addRepo({ owner: "acme", name: "crm", ownerType: "Organization", collaborators: { alice: "write" }, files: { ".github/workflows/mission-command.yml": COMMAND } });
  stop = serveWithNock(twin);
});
afterEach(() => {
  stop();
  expect(twin.contractFailures).toEqual([]);
  expect(twin.responseFailures).toEqual([]);
});

/** The tracking issue (a person's) and a feature issue the bot made with the App's token, with its two labels. */
function missionIssues(): { tracking: number; feature: number } {
  const tracking = twin.as("alice").createIssue({ title: "CRM", body: "The goal." }).number;
  const body = `Store people.\n\n${marker({ mission: MISSION, kind: "feature", key: "1.1" })}\n${marker({ mission: MISSION, kind: "tracking", key: String(tracking) })}`;
  const feature = twin.as(BOT).createIssue({ title: `[${MISSION}] 1.1 Contact model`, body, labels: [LABELS.forMission(MISSION), LABELS.feature] }).number;
  return { tracking, feature };
}

const asEvent = (e: { name: string; payload: unknown }) => ({ name: e.name, payload: e.payload as Record<string, unknown> });

describe("Actions-only mode: the events of the bot's own writes", () => {
  it("an issue the bot creates with two labels sends opened + labeled + labeled, and none of them starts a command run or a request", async () => {
    const { feature } = missionIssues();
    const events = twin.takeEvents().filter((e) => e.name === "issues" && (e.payload as { issue: { number: number } }).issue.number === feature);
    expect(events.map((e) => e.action)).toEqual(["opened", "labeled", "labeled"]);

    for (const e of events) {
      // the job's condition: GitHub starts no job for it
      expect(jobRuns(COMMAND, "command", asEvent(e))).toBe(false);
      // the routing: no mission to reconcile
      expect(route(e.name, e.payload as never, BOT)).toBeUndefined();
      // and were the job started anyway, the command mode asks GitHub nothing
      const before = twin.log.length;
      await command(twinActionContext(twin, { event: asEvent(e), inputs: { "bot-login": BOT } }).ctx);
      expect(twin.log.length).toBe(before);
    }
    // GitHub creates a run of the workflow for each event (RULES.md rule 18), whose job the condition skips; nothing is dispatched
    expect(twin.actions.runsOf("mission-command.yml").filter((r) => r.event === "workflow_dispatch")).toEqual([]);
  });

  it("a person labelling a feature issue is handed to the tracking issue's group: one workflow_dispatch of the command workflow with that issue", async () => {
    const { tracking, feature } = missionIssues();
    twin.takeEvents();
    twin.as("alice").addLabels(feature, ["priority"]);
    const [labeled] = twin.takeEvents().filter((e) => e.name === "issues");
    expect(labeled?.action).toBe("labeled");
    const e = asEvent(labeled!);

    expect(jobRuns(COMMAND, "command", e)).toBe(true);
    expect(concurrencyGroup(COMMAND, e)).toBe(`mission-acme/crm-${feature}`); // the feature's own group: it only hands over
    expect(route(e.name, e.payload as never, BOT)?.issue).toBe(tracking);

    const writesBefore = twin.log.filter((l) => l.method !== "GET").length;
    const { ctx, logs } = twinActionContext(twin, { event: e, inputs: { "bot-login": BOT } });
    await command(ctx);
    const writes = twin.log.filter((l) => l.method !== "GET").slice(writesBefore);
    expect(writes.map((w) => `${w.method} ${w.route}`)).toEqual(["POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches"]);
    expect(logs).toEqual([expect.stringMatching(new RegExp(`#${feature} belongs to the mission tracked on #${tracking}`))]);

    const runs = twin.actions.runsOf("mission-command.yml").filter((r) => r.event === "workflow_dispatch");
    expect(runs).toHaveLength(1);
    const inputs = twin.runInputs(runs[0]!.id);
    expect(inputs.issue).toBe(String(tracking));
    // the run it started joins the tracking issue's group, where the mission's one reconcile at a time runs
    expect(concurrencyGroup(COMMAND, { name: "workflow_dispatch", payload: { inputs }, inputs: { ...inputs } })).toBe(`mission-acme/crm-${tracking}`);
    expect(jobRuns(COMMAND, "command", { name: "workflow_dispatch", payload: { inputs }, inputs: { ...inputs } })).toBe(true);
  });
});
