/**
 * Workers against the twin: dispatched with the worker workflow's real
 * inputs, reported back, and caught by the pulse when webhooks are lost.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { parseMissionFile } from "../../src/mission/markdown/mission-file.js";
import { encodeReport } from "../../src/mission/workers/report.js";
import { renderReportComment } from "../../src/mission/markdown/report-comment.js";
import { harness, type Harness } from "../support/app-harness.js";
import { TEST_DAY } from "../support/clock.js";
import { STATE_BRANCH } from "../support/missions.js";
import { CRM_OUTLINE } from "../support/outline.js";

const OUTLINE = CRM_OUTLINE;
const WORKFLOWS = {
  ".github/workflows/mission-worker.yml": readFileSync("templates/workflows/mission-worker.yml", "utf8"),
  ".github/workflows/mission-validate.yml": readFileSync("templates/workflows/mission-validate.yml", "utf8"),
  ".github/mission.yml": "planner:\n  provider: outline\n",
};
const MISSION = `m-${TEST_DAY}-crm-1`; // the test clock's day (test/support/clock.ts)
const PATH = `todo/missions/${MISSION}/mission.md`;

let h: Harness;
afterEach(() => {
  h?.stop();
  // Every request was one GitHub accepts, and every answer the twin gave is one GitHub documents.
  expect(h.twin.contractFailures).toEqual([]);
  expect(h.twin.responseFailures).toEqual([]);
});

async function approved(outline = OUTLINE): Promise<number> {
  h = harness({ files: WORKFLOWS });
  const tracking = h.twin.as("alice").createIssue({ title: "CRM", body: outline });
  h.twin.as("alice").comment(tracking.number, "/mission Build a CRM --mode poc --budget $500 --hours 40 --tokens 50M");
  await h.pump();
  h.twin.as("alice").comment(tracking.number, "/mission answer\nconstraints: none\npreferences: none");
  await h.pump();
  h.twin.as("alice").comment(tracking.number, "/mission approve");
  await h.pump();
  return tracking.number;
}

function mission() {
  const parsed = parseMissionFile(h.twin.readFile(PATH, { ref: STATE_BRANCH })!.text);
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  return parsed.mission;
}

/** What the worker workflow's report step does when the agent finished the feature. */
function finishWorker(runId: number, inputs: Record<string, string>) {
  h.twin.actions.start(runId);
  const report = {
    mission: inputs.mission!,
    feature: inputs.feature!,
    run_id: runId,
    run_attempt: 1,
    outcome: "success" as const,
    summary: `Implemented ${inputs.feature}`,
    branch: inputs.branch,
    model: "claude-sonnet-5-5",
    tokens_in: 400_000,
    tokens_out: 60_000,
    cost_usd: 1.4,
    duration_seconds: 900,
    actions_minutes: 15,
  };
  h.twin.as("github-actions[bot]").comment(Number(inputs.issue), renderReportComment(report as never));
  h.twin.as("github-actions[bot]").closeIssue(Number(inputs.issue));
  h.twin.actions.complete(runId, "success", { durationMs: 900_000 });
}

describe("workers", () => {
  it("dispatches the features whose dependencies are done, with the worker workflow's inputs and a findable run name", async () => {
    await approved();
    const runs = h.twin.actions.runsOf("mission-worker.yml");
    expect(runs.map((r) => h.twin.runInputs(r.id)?.feature)).toEqual(["1.1"]); // 1.2 waits for 1.1
    const run = runs[0]!;
    expect(run.display_title).toMatch(new RegExp(`^mission ${MISSION} / feature 1\\.1 / t1-`));
    expect(h.twin.runInputs(run.id)).toMatchObject({ mode: "poc", branch: `mission/${MISSION}` });
    expect(mission().plan!.milestones[0]!.features[0]!.runs[0]).toMatchObject({ run_id: run.id, status: "queued" });
    expect(h.twin.contractFailures).toEqual([]);
  });

  it("catches a lost workflow_run webhook on the next pulse: the report reaches the ledger and the next feature starts", async () => {
    await approved();
    const [run] = h.twin.actions.runsOf("mission-worker.yml");
    finishWorker(run!.id, h.twin.runInputs(run!.id)!);
    h.twin.takeEvents(); // every webhook about it is lost
    expect(mission().ledger).toEqual([]);

    await h.pulse();
    await h.pump();

    const m = mission();
    expect(m.ledger).toHaveLength(1);
    expect(m.ledger[0]).toMatchObject({ key: `run-${run!.id}-1`, feature: "1.1", tokens_in: 400_000 });
    expect(m.plan!.milestones[0]!.features[0]!.runs[0]).toMatchObject({ status: "completed", conclusion: "success", reported: "success" });
    const features = h.twin.actions.runsOf("mission-worker.yml").map((r) => h.twin.runInputs(r.id)?.feature);
    expect(features).toEqual(["1.1", "1.2"]);
  });

  it("takes a POC worker's successful report for its close: the feature is done without asking who closed its issue", async () => {
    await approved();
    const [run] = h.twin.actions.runsOf("mission-worker.yml");
    const inputs = h.twin.runInputs(run!.id)!;
    const from = h.twin.log.length;
    finishWorker(run!.id, inputs);
    await h.pump();
    expect(mission().plan!.milestones[0]!.features[0]!.done).toMatchObject({ by: "github-actions[bot]" });
    const asked = h.twin.log.slice(from).filter((e) => e.method === "GET" && e.path.endsWith(`/issues/${inputs.issue}`));
    expect(asked).toEqual([]);
  });

  it("asks how two runs under way stand in one list of the worker workflow's runs, not one request each", async () => {
    await approved(OUTLINE.replace("- [ ] Contact list page\n  Depends on: 1.1\n", "- [ ] Contact list page\n")); // 1.1 and 1.2 at once
    const [first, second] = h.twin.actions.runsOf("mission-worker.yml");
    expect([first, second].map((r) => h.twin.runInputs(r!.id)?.feature)).toEqual(["1.1", "1.2"]);
    h.twin.advance(60_000, { tokens: "keep" });
    const from = h.twin.log.length;
    finishWorker(first!.id, h.twin.runInputs(first!.id)!);
    await h.pump();
    const runReads = h.twin.log.slice(from).filter((e) => e.method === "GET" && /\/actions\/(runs\/\d+|workflows\/[^/]+\/runs)$/.test(e.path)).map((e) => e.path.replace(/.*\/actions\//, ""));
    // the first look after the report asks about both in one list; later ones (one run left under way) ask about it alone
    expect(runReads[0]).toBe("workflows/mission-worker.yml/runs");
    expect(runReads).not.toContain(`runs/${first!.id}`);
    const [f1, f2] = mission().plan!.milestones[0]!.features;
    expect(f1!.runs[0]).toMatchObject({ status: "completed", reported: "success" });
    expect(f2!.runs[0]).toMatchObject({ run_id: second!.id });
    expect(f2!.runs[0]!.status).not.toBe("completed");
  });

  it("counts a duplicate workflow_run delivery once", async () => {
    await approved();
    const [run] = h.twin.actions.runsOf("mission-worker.yml");
    finishWorker(run!.id, h.twin.runInputs(run!.id)!);
    const delivered = await h.pump();
    const completed = delivered.filter((e) => e.name === "workflow_run" && e.action === "completed");
    expect(completed.length).toBeGreaterThan(0);
    for (const e of completed) await h.deliver(e); // redelivered
    await h.pump();
    expect(mission().ledger).toHaveLength(1);
    expect(h.twin.actions.runsOf("mission-worker.yml")).toHaveLength(2); // 1.1, then 1.2 — not 1.2 twice
  });

  it("records a malformed worker report as such and retries the feature", async () => {
    await approved();
    const [run] = h.twin.actions.runsOf("mission-worker.yml");
    h.twin.actions.start(run!.id);
    const bad = encodeReport({ mission: MISSION, feature: "1.1", run_id: run!.id, outcome: "success" }).replace(/report [A-Za-z0-9_-]+/, "report bm90IGpzb24");
    h.twin.as("github-actions[bot]").comment(h.twin.runInputs(run!.id)!.issue ? Number(h.twin.runInputs(run!.id)!.issue) : 0, `Worker finished.\n\n${bad}`);
    h.twin.actions.complete(run!.id, "success");
    await h.pump();
    const m = mission();
    expect(m.ledger).toHaveLength(1);
    expect(m.ledger[0]!.note).toMatch(/malformed/i);
    expect(h.twin.actions.runsOf("mission-worker.yml").map((r) => h.twin.runInputs(r.id)?.feature)).toEqual(["1.1", "1.1"]);
  });
});
