/**
 * Secondary rate limits in the Action modes (test/twin/RULES.md rule 15):
 * GitHub answers 403 with `retry-after`; "continuing to make requests while
 * you are rate limited may result in the banning of your integration".
 * Probot's own defaults retry such a request for ever. An Action run waits
 * as long as GitHub names, at most twice, then fails its step with GitHub's
 * reason (the next event or pulse tries again) — for every mode, as they
 * all write through the run's one Octokit (src/action/context.ts).
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubTwin } from "../../../src/twin/state.js";
import { contractTwin } from "../../support/twin.js";
import { testMissionId } from "../../support/clock.js";

const MISSION = testMissionId("crm", 7);
import { serveWithNock } from "../../support/twin-nock.js";
import { twinActionContext } from "../../support/twin-action.js";
import { run as wake } from "../../../src/action/wake.js";
import { run as report } from "../../../src/action/report.js";
import { readReport } from "../../../src/mission/workers/report.js";
import { ACTION_RATE_LIMIT_RETRIES } from "../../../src/action/context.js";

const WORKFLOWS = {
  ".github/workflows/mission-command.yml": readFileSync("templates/workflows/mission-command.yml", "utf8"),
  ".github/workflows/mission-worker.yml": readFileSync("templates/workflows/mission-worker.yml", "utf8"),
};
const DISPATCH = "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches";
const COMMENTS = "/repos/{owner}/{repo}/issues/{issue_number}/comments";

let twin: GitHubTwin;
let stop: () => void;
beforeEach(() => {
  twin = contractTwin({ checkResponses: true });
  twin.addRepo({ owner: "acme", name: "crm", ownerType: "Organization", collaborators: { alice: "write" }, files: WORKFLOWS });
  stop = serveWithNock(twin);
});
afterEach(() => {
  stop();
  expect(twin.contractFailures).toEqual([]);
});

const wakeContext = () =>
  twinActionContext(twin, {
    event: { name: "workflow_dispatch", payload: {} },
    inputs: { mission: MISSION },
    token: { actions: { actions: "write", contents: "read" } },
    workflow: "mission-worker.yml",
    production: true,
  });

describe("an Action mode GitHub rate-limits", () => {
  it("waits as long as GitHub named and tries again (wake: the mission's command run starts)", { timeout: 30_000 }, async () => {
    twin.fault({ kind: "secondary-rate-limit", method: "POST", route: DISPATCH, seconds: 1 });
    const { ctx } = wakeContext();
    await wake(ctx);
    const tries = twin.requests({ method: "POST", route: DISPATCH });
    expect(tries.map((t) => t.status)).toEqual([403, 204]);
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(1000); // GitHub's retry-after, honoured
    expect(twin.actions.runsOf("mission-command.yml").map((r) => twin.runInputs(r.id).issue)).toEqual(["7"]);
  });

  it("gives up after a bounded number of tries and fails its step with GitHub's reason, instead of retrying for ever", { timeout: 30_000 }, async () => {
    twin.fault({ kind: "secondary-rate-limit", method: "POST", route: DISPATCH, seconds: 1, times: Infinity });
    const { ctx } = wakeContext();
    await expect(wake(ctx)).rejects.toThrow(/secondary rate limit/);
    expect(twin.requests({ method: "POST", route: DISPATCH })).toHaveLength(1 + ACTION_RATE_LIMIT_RETRIES);
    expect(twin.actions.runsOf("mission-command.yml")).toEqual([]);
  });

  it("does not sit out a long wait in a billed job: a limit whose retry-after is ten minutes fails at once", async () => {
    twin.fault({ kind: "secondary-rate-limit", method: "POST", route: DISPATCH, seconds: 600 });
    await expect(wake(wakeContext().ctx)).rejects.toThrow(/secondary rate limit/);
    expect(twin.requests({ method: "POST", route: DISPATCH })).toHaveLength(1);
  });

  it("report: the worker report is posted once after the wait, never twice", { timeout: 30_000 }, async () => {
    const issue = twin.as("alice").createIssue({ title: `[${MISSION}] 1.1 Contact model`, body: "" }).number;
    const dispatched = twin.actions.dispatch(undefined, "mission-worker.yml", { ref: "main", inputs: { mission: MISSION, feature: "1.1", issue: String(issue), mode: "poc", branch: `mission/${MISSION}`, model: "claude-sonnet-5-5", max_turns: "10", timeout_minutes: "10", nonce: "t1-x" } });
    if (!dispatched.ok) throw new Error(dispatched.message);
    const run = dispatched.run;
    twin.actions.start(run.id);
    twin.fault({ kind: "secondary-rate-limit", method: "POST", route: COMMENTS, seconds: 1 });
    const { ctx } = twinActionContext(twin, {
      event: { name: "workflow_dispatch", payload: {} },
      inputs: { mission: MISSION, feature: "1.1", issue: String(issue), outcome: "success", "worker-mode": "poc", summary: "Done." },
      token: { actions: { issues: "write", actions: "read" } },
      workflow: "mission-worker.yml",
      production: true,
      env: { GITHUB_RUN_ID: String(run.id), GITHUB_RUN_ATTEMPT: "1" },
    });
    await report(ctx);
    expect(twin.requests({ method: "POST", route: COMMENTS }).map((t) => t.status)).toEqual([403, 201]);
    const posted = [...twin.comments.values()].filter((c) => c.issueId === twin.issue(issue).id);
    expect(posted).toHaveLength(1);
    expect(readReport(posted[0]!.body)).toMatchObject({ found: true, ok: true, report: { feature: "1.1", run_id: run.id } });
    // the report closes nothing: the bot closes the feature once it has read the report
    expect(twin.issue(issue).state).toBe("open");
  });
});
