import { describe, expect, it } from "vitest";
import type { Action, FoundReport } from "../../src/mission/decision.js";
import { decide } from "../../src/mission/conversation/conversation.js";
import { workerBranch, workerInputs } from "../../src/mission/workers/dispatch.js";
import { missionBranchRecorded, runNonce, type ObservedRun } from "../../src/mission/workers/workers.js";
import type { Mission, RunRecord } from "../../src/mission/model.js";
import { answered, config, plan, snapshotOf, withIssues } from "../support/missions.js";
import { reconcileRunning as reconcile } from "../support/missions.js";
import { TEST_EPOCH, testMissionId } from "../support/clock.js";

/** A time on the tests' clock: minutes after its start (test/support/clock.ts), never a dated literal. */
const at = (minutes: number) => new Date(TEST_EPOCH + minutes * 60_000).toISOString();
const MISSION = testMissionId("crm", 7);

const NOW = at(180);

/** An active mission whose issues all exist (numbers 10, 11, …). */
function active(shape = [3, 2, 2], deps: Record<string, string[]> = {}, overrides: Partial<Mission> = {}): Mission {
  return withIssues(answered({ status: "active", plan: plan(shape, deps), ...overrides }));
}

const snapshot = snapshotOf;

const dispatched = (actions: Action[]) => actions.flatMap((a) => (a.kind === "dispatch-worker" ? [a.dispatch.feature] : []));
const runsOf = (m: Mission, key: string) => m.plan!.milestones.flatMap((ms) => ms.features).find((f) => f.key === key)!.runs;

function withRun(m: Mission, key: string, run: Partial<RunRecord>): Mission {
  const r: RunRecord = { try: 1, dispatched_at: at(120), status: "queued", run_id: 500, ...run };
  return {
    ...m,
    plan: {
      ...m.plan!,
      milestones: m.plan!.milestones.map((ms) => ({ ...ms, features: ms.features.map((f) => (f.key === key ? { ...f, runs: [...f.runs, r] } : f)) })),
    },
  };
}

describe("reconcile: dispatching workers", () => {
  it("dispatches features of the active milestone whose dependencies are done, up to the parallel limit", () => {
    const m = active([3, 2, 2], { "1.2": ["1.1"] });
    const d = reconcile(snapshot(m));
    expect(dispatched(d.actions)).toEqual(["1.1", "1.3"]); // 1.2 waits for 1.1; milestone 2 waits
    // The intent is recorded, and committed before the dispatch.
    expect(runsOf(d.mission, "1.1")).toEqual([{ try: 1, dispatched_at: NOW, status: "dispatching" }]);
    const commit = d.actions.findIndex((a) => a.kind === "commit-mission");
    const first = d.actions.findIndex((a) => a.kind === "dispatch-worker");
    expect(commit).toBeGreaterThanOrEqual(0);
    expect(commit).toBeLessThan(first);
  });

  it("starts a dependent feature once its dependency's issue is closed", () => {
    const m = active([3, 2, 2], { "1.2": ["1.1"] });
    const d = reconcile(snapshot(m, { closed: ["1.1"] }));
    expect(dispatched(d.actions)).toEqual(["1.2", "1.3"]);
  });

  it("never dispatches a feature already running, and respects the limit with runs under way", () => {
    const m = withRun(active(), "1.1", { status: "in_progress", run_id: 501 });
    const runs = new Map<number, ObservedRun>([[501, { id: 501, status: "in_progress", conclusion: null, updated_at: NOW }]]);
    const d = reconcile(snapshot(m, { runs }));
    expect(dispatched(d.actions)).toEqual(["1.2"]);
  });

  it("with nothing changed, decides nothing but the dashboard, and commits nothing", () => {
    const m = withRun(withRun(active(), "1.1", { status: "in_progress", run_id: 501, updated_at: NOW }), "1.2", { status: "in_progress", run_id: 502, updated_at: NOW });
    const runs = new Map<number, ObservedRun>([
      [501, { id: 501, status: "in_progress", conclusion: null, updated_at: NOW }],
      [502, { id: 502, status: "in_progress", conclusion: null, updated_at: NOW }],
    ]);
    const d = reconcile(snapshot(m, { runs }));
    expect(d.actions).toEqual([{ kind: "update-dashboard" }]);
  });

  it("retries a cancelled run, then asks a person once the tries are used up", () => {
    let m = withRun(active(), "1.1", { status: "queued", run_id: 501 });
    const cancelled = new Map<number, ObservedRun>([[501, { id: 501, status: "completed", conclusion: "cancelled", updated_at: NOW }]]);
    let d = reconcile(snapshot(m, { runs: cancelled }));
    expect(dispatched(d.actions)).toContain("1.1");
    expect(runsOf(d.mission, "1.1").map((r) => r.try)).toEqual([1, 2]);

    // Tries 2 and 3 fail too.
    m = d.mission;
    m = { ...m, plan: { ...m.plan!, milestones: m.plan!.milestones.map((ms) => ({ ...ms, features: ms.features.map((f) => (f.key === "1.1" ? { ...f, runs: f.runs.map((r) => ({ ...r, status: "completed" as const, conclusion: "failure" as const, run_id: r.run_id ?? 600 + r.try })) } : f)) })) } };
    m = withRun(m, "1.1", { try: 3, status: "completed", conclusion: "timed_out", run_id: 603 });
    d = reconcile(snapshot(m));
    expect(dispatched(d.actions)).not.toContain("1.1");
    const feature = d.mission.plan!.milestones[0]!.features[0]!;
    expect(feature.needs_human).toMatch(/3 tries failed; the last: run 603 ended timed out/);
    expect(d.actions).toContainEqual({ kind: "label", on: "feature:1.1", add: ["mission:needs-human"] });
    expect(d.actions.some((a) => a.kind === "comment" && a.on === "feature:1.1" && /needs a person/.test(a.body))).toBe(true);

    // /mission retry gives it new tries.
    const retried = decide({ command: { name: "retry", feature: "1.1" }, mission: d.mission, author: "alice", now: NOW, repo: "octo/crm", issue: { number: 7, title: "" }, config });
    expect(retried.kind === "reply" && retried.mission).toBeTruthy();
    // (1.2 and 1.3 took the free slots meanwhile; once they are done, 1.1 runs again.)
    const after = reconcile(snapshot(retried.kind === "reply" ? retried.mission! : d.mission, { closed: ["1.2", "1.3"] }));
    expect(dispatched(after.actions)).toEqual(["1.1"]);
    expect(runsOf(after.mission, "1.1").at(-1)).toMatchObject({ try: 4, status: "dispatching" });
  });

  it("a duplicate workflow_run (the same completed run seen twice) changes nothing the second time", () => {
    const m = withRun(active(), "1.1", { status: "in_progress", run_id: 501 });
    const done = new Map<number, ObservedRun>([[501, { id: 501, status: "completed", conclusion: "success", updated_at: NOW }]]);
    const first = reconcile(snapshot(m, { runs: done }));
    const second = reconcile(snapshot(first.mission, { runs: done }));
    expect(second.mission).toEqual(first.mission);
    expect(second.actions.filter((a) => a.kind === "commit-mission")).toEqual([]);
  });

  it("finds a dispatch whose answer was lost by its run name instead of dispatching again", () => {
    const run = { try: 1, dispatched_at: at(178), status: "dispatching" as const };
    const m = withRun(active(), "1.1", { ...run, run_id: undefined });
    const found = new Map<string, ObservedRun>([[`1.1/${runNonce(run)}`, { id: 777, status: "in_progress", conclusion: null, updated_at: NOW }]]);
    const d = reconcile(snapshot(m, { runsByNonce: found }));
    expect(runsOf(d.mission, "1.1")[0]).toMatchObject({ run_id: 777, status: "in_progress" });
    expect(dispatched(d.actions)).not.toContain("1.1");
  });

  it("a recorded dispatch GitHub never shows did not start: it is dispatched again without using up a try", () => {
    const m = withRun(active(), "1.1", { try: 1, dispatched_at: at(170), status: "dispatching", run_id: undefined });
    const d = reconcile(snapshot(m)); // nothing found by its name, 10 minutes later
    expect(dispatched(d.actions)).toContain("1.1");
    expect(runsOf(d.mission, "1.1")).toEqual([{ try: 1, dispatched_at: NOW, status: "dispatching" }]);
    // Within the first minutes it may still appear: wait.
    const fresh = withRun(active(), "1.1", { try: 1, dispatched_at: at(179), status: "dispatching", run_id: undefined });
    expect(dispatched(reconcile(snapshot(fresh)).actions)).not.toContain("1.1");
  });

  it("cancels a run that has not moved past the stuck limit, and retries it", () => {
    const m = withRun(active(), "1.1", { status: "queued", run_id: 501, updated_at: at(-480) });
    const runs = new Map<number, ObservedRun>([[501, { id: 501, status: "queued", conclusion: null, updated_at: at(-480) }]]);
    const d = reconcile(snapshot(m, { runs }));
    expect(d.actions).toContainEqual({ kind: "cancel-run", runId: 501 });
    expect(dispatched(d.actions)).toContain("1.1");
  });
});

describe("reconcile: reports and the ledger", () => {
  const report = (over: Record<string, unknown> = {}): FoundReport => ({
    feature: "1.1",
    url: "https://github.com/octo/crm/issues/11#issuecomment-1",
    result: {
      found: true,
      ok: true,
      report: {
        mission: MISSION,
        feature: "1.1",
        run_id: 501,
        run_attempt: 1,
        outcome: "success",
        summary: "done",
        tokens_in: 100_000,
        tokens_out: 20_000,
        cost_usd: 1.25,
        duration_seconds: 600,
        actions_minutes: 10,
        ...over,
      } as never,
    },
  });

  it("adds a report to the ledger once, however often it is seen", () => {
    const m = withRun(active(), "1.1", { status: "completed", conclusion: "success", run_id: 501 });
    const once = reconcile(snapshot(m, { reports: [report()] }));
    expect(once.mission.ledger).toHaveLength(1);
    const twice = reconcile(snapshot(once.mission, { reports: [report(), report()] }));
    expect(twice.mission.ledger).toHaveLength(1);
  });

  it("records a malformed report as such and retries the feature", () => {
    const m = withRun(active(), "1.1", { status: "completed", conclusion: "success", run_id: 501 });
    const bad: FoundReport = { feature: "1.1", url: "https://github.com/octo/crm/issues/11#issuecomment-9", result: { found: true, ok: false, problems: ["tokens_in: expected number"] } };
    const d = reconcile(snapshot(m, { reports: [bad] }));
    expect(d.mission.ledger).toHaveLength(1);
    expect(d.mission.ledger[0]!.note).toMatch(/tokens_in/);
    expect(runsOf(d.mission, "1.1")[0]!.reported).toBe("malformed");
    expect(dispatched(d.actions)).toContain("1.1");
  });
});

describe("reconcile: budget", () => {
  it("posts the alerts once and stops dispatching at 100%, pausing the mission with the label", () => {
    const m = active([3, 2, 2], {}, { budget: { usd: 10, alerts: [0.5, 0.8, 1], hard_stop: "finish" } as Mission["budget"] });
    const spent = { ...m, ledger: [{ key: "run-1-1", kind: "worker" as const, feature: "1.1", tokens_in: 1, tokens_out: 1, cost_micros: 12_000_000, wall_seconds: 60, actions_minutes: 0, at: NOW }] };
    const d = reconcile(snapshot(spent));
    expect(dispatched(d.actions)).toEqual([]);
    expect(d.mission.status).toBe("paused");
    expect(d.actions).toContainEqual({ kind: "label", on: "tracking", add: ["mission:budget-exhausted"] });
    const stop = d.actions.find((a) => a.kind === "comment" && a.key.startsWith("budget-stop:"));
    expect(stop && "body" in stop && stop.body).toMatch(/\/mission budget \+\$100/);
    // One alert for the jump from 0% to 120%, which marks every threshold it crossed once posted.
    const alerts = d.actions.filter((a) => a.kind === "comment" && a.key.startsWith("alert:"));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.kind === "comment" && alerts[0]!.marks).toEqual(expect.arrayContaining(["usd:0.5", "usd:0.8", "usd:1"]));

    // Once posted (alerts marked, the label on the tracking issue), nothing is told twice.
    const told = { ...d.mission, alerts_sent: ["usd:0.5", "usd:0.8", "usd:1"] };
    const again = reconcile(snapshot(told, { tracking: { number: 7, id: 7000, labels: ["mission", "mission:budget-exhausted"] } }));
    expect(again.actions.filter((a) => a.kind === "comment" || a.kind === "label")).toEqual([]);

    // Not yet posted (an apply cut short after the pause was committed): told on the next reconcile.
    const retold = reconcile(snapshot(d.mission));
    expect(retold.actions.some((a) => a.kind === "comment" && a.key.startsWith("budget-stop:"))).toBe(true);
  });
});

describe("commands that stop and start a mission", () => {
  const cmd = (name: "pause" | "resume" | "cancel", m: Mission) =>
    decide({ command: { name }, mission: m, author: "alice", now: NOW, repo: "octo/crm", issue: { number: 7, title: "" }, config });

  it("pause stops dispatching; resume continues", () => {
    const paused = cmd("pause", active());
    expect(paused.kind === "reply" && paused.mission?.status).toBe("paused");
    const m = paused.kind === "reply" ? paused.mission! : active();
    expect(dispatched(reconcile(snapshot(m)).actions)).toEqual([]);
    const resumed = cmd("resume", m);
    expect(dispatched(reconcile(snapshot(resumed.kind === "reply" ? resumed.mission! : m)).actions)).toEqual(["1.1", "1.2"]);
  });

  it("cancel cancels running workers and says what was left", () => {
    const m = withRun(active(), "1.1", { status: "in_progress", run_id: 501 });
    const step = cmd("cancel", m);
    expect(step.kind === "reply" && step.reply).toMatch(/Running workers are being cancelled: 1\.1/);
    const d = reconcile(snapshot(step.kind === "reply" ? step.mission! : m));
    expect(d.actions).toContainEqual({ kind: "cancel-run", runId: 501 });
    expect(dispatched(d.actions)).toEqual([]);
  });
});

describe("branch and pull request shape per mode", () => {
  it("POC commits every feature to the mission branch; Full gives each feature its own branch", () => {
    const poc = active([3, 2, 2], {}, { mode: "poc" });
    const full = active([3, 2, 2], {}, { mode: "full" });
    expect(workerBranch(poc, "1.2")).toBe(`mission/${MISSION}`);
    expect(workerBranch(full, "1.2")).toBe(`mission/${MISSION}/1.2`);
    const d = reconcile(snapshot(full));
    const first = d.actions.find((a) => a.kind === "dispatch-worker");
    if (first?.kind !== "dispatch-worker") throw new Error("no dispatch");
    const inputs = workerInputs(d.mission, first.dispatch);
    expect(inputs).toMatchObject({ mission: MISSION, feature: "1.1", issue: "11", mode: "full", branch: `mission/${MISSION}/1.1` });
    // GitHub Enterprise Server 3.19 and older take at most 10 (github.com 25)
    expect(Object.keys(inputs).length).toBeLessThanOrEqual(10);
  });

  it("POC: the mission branch is known to exist once a successful report names a commit pushed there (workers then start from it unasked)", () => {
    const poc = active([3, 2, 2], {}, { mode: "poc" });
    expect(missionBranchRecorded(poc)).toBe(false);
    expect(missionBranchRecorded(withRun(poc, "1.1", { status: "completed", conclusion: "failure", reported: "failure" }))).toBe(false);
    expect(missionBranchRecorded(withRun(poc, "1.1", { status: "completed", conclusion: "success", reported: "success" }))).toBe(false); // no commit named
    expect(missionBranchRecorded(withRun(poc, "1.1", { status: "completed", conclusion: "success", reported: "success", commit: "a".repeat(40) }))).toBe(true);
    // Full: each feature has its own branch, from the base
    expect(missionBranchRecorded(withRun(active([3, 2, 2], {}, { mode: "full" }), "1.1", { status: "completed", conclusion: "success", reported: "success", commit: "a".repeat(40) }))).toBe(false);
  });
});
