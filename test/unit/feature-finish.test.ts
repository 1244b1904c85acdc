/**
 * A POC feature its worker finished: the bot, once it has read the trusted
 * success report, counts the feature done, records the acceptance evidence
 * in the mission before anything is written (the write-ahead commit), and
 * ticks the criteria and closes the issue in one write. A tick or close
 * that was lost is made again from what the issue list shows, once; a step
 * GitHub refused is not taken again on its own.
 */
import { describe, expect, it } from "vitest";
import type { Action, CloseFact, FoundIssue, FoundReport, Ref, Snapshot } from "../../src/mission/decision.js";
import type { Mission, RunRecord } from "../../src/mission/model.js";
import { mapFeatures, runNonce } from "../../src/mission/workers/workers.js";
import { answered, plan, reconcileRunning as reconcile, snapshotOf, withIssues } from "../support/missions.js";
import { TEST_EPOCH, testMissionId } from "../support/clock.js";

const at = (minutes: number) => new Date(TEST_EPOCH + minutes * 60_000).toISOString();
const MISSION = testMissionId("crm", 7);
const REPORTER = "github-actions[bot]";

function active(overrides: Partial<Mission> = {}): Mission {
  return withIssues(answered({ status: "active", plan: plan([2, 2]), ...overrides }));
}

function withRun(m: Mission, key: string, run: Partial<RunRecord>): Mission {
  const r: RunRecord = { try: 1, dispatched_at: at(120), status: "completed", conclusion: "success", run_id: 501, updated_at: at(150), ...run };
  return mapFeatures(m, (f) => (f.key === key ? { ...f, runs: [...f.runs, r] } : f));
}

const report = (over: Record<string, unknown> = {}): FoundReport => ({
  feature: "1.1",
  url: "https://github.com/octo/crm/issues/11#issuecomment-1",
  login: REPORTER,
  result: {
    found: true,
    ok: true,
    report: { mission: MISSION, feature: "1.1", run_id: 501, run_attempt: 1, outcome: "success", summary: "done", tokens_in: 100_000, tokens_out: 20_000, cost_usd: 1.25, duration_seconds: 600, actions_minutes: 10, commit: "abcdef0123456789", ...over } as never,
  },
});

/** The snapshot with what loop-facts says: the reports it read (by a report login), close facts as given, and feature 1.1's issue as listed. */
function facts(m: Mission, over: { closes?: CloseFact[]; reports?: FoundReport[]; issue?: Partial<FoundIssue> } = {}): Snapshot {
  const s = snapshotOf(m, { reports: over.reports ?? [] });
  const issues = new Map(s.loop!.issues);
  const ref: Ref = "feature:1.1";
  issues.set(ref, { ...issues.get(ref)!, ...over.issue });
  return { ...s, loop: { ...s.loop!, issues, closes: over.closes ?? [] } };
}

const feature = (m: Mission, key = "1.1") => m.plan!.milestones.flatMap((ms) => ms.features).find((f) => f.key === key)!;
const onFeature = (actions: Action[]) =>
  actions.filter((a) => (a.kind === "check-acceptance" && a.feature === "1.1") || ((a.kind === "close-issue" || a.kind === "reopen-issue") && a.ref === "feature:1.1"));

describe("a POC feature its worker's trusted report finished", () => {
  it("is done while its issue is still open; the evidence goes in the write-ahead commit; one action ticks the criteria and closes the issue", () => {
    const m = withRun(active(), "1.1", {});
    const d = reconcile(facts(m, { reports: [report()], issue: { state: "open", ticked: false } }));

    expect(feature(d.mission).done).toEqual({ by: REPORTER, at: expect.any(String) });
    expect(feature(d.mission).acceptance_met).toBe("worker run 501 reported success (commit abcdef012345)");
    expect(onFeature(d.actions)).toEqual([{ kind: "check-acceptance", feature: "1.1", evidence: "worker run 501 reported success (commit abcdef012345)", close: true }]);
    const commit = d.actions.findIndex((a) => a.kind === "commit-mission");
    expect(commit).toBeGreaterThanOrEqual(0);
    expect(commit).toBeLessThan(d.actions.findIndex((a) => a.kind === "check-acceptance"));
  });

  it("a run whose dispatch answer was lost (found now by the nonce in its name) counts the same", () => {
    const m = withRun(active(), "1.1", { run_id: undefined, status: "dispatching", conclusion: undefined, updated_at: undefined });
    const r = feature(m).runs[0]!;
    const s = facts(m, { reports: [report()], issue: { state: "open", ticked: false } });
    const runsByNonce = new Map([[`1.1/${runNonce(r)}`, { id: 501, status: "completed", conclusion: "success" as const, updated_at: at(150) }]]);
    const d = reconcile({ ...s, loop: { ...s.loop!, runsByNonce } });
    expect(feature(d.mission).done).toEqual({ by: REPORTER, at: expect.any(String) });
    expect(onFeature(d.actions)).toEqual([{ kind: "check-acceptance", feature: "1.1", evidence: expect.stringContaining("worker run 501"), close: true }]);
  });

  it("without acceptance criteria: a plain close", () => {
    const m = mapFeatures(withRun(active(), "1.1", {}), (f) => (f.key === "1.1" ? { ...f, acceptance: [] } : f));
    const d = reconcile(facts(m, { reports: [report()], issue: { state: "open", ticked: false } }));
    expect(feature(d.mission).done).toBeDefined();
    expect(onFeature(d.actions)).toEqual([{ kind: "close-issue", ref: "feature:1.1", reason: "completed" }]);
  });

  it("an issue an older report step already closed: counted, and only ticked", () => {
    const m = withRun(active(), "1.1", {});
    const d = reconcile(facts(m, { reports: [report()], closes: [{ feature: "1.1", by: REPORTER, counts: true }], issue: { state: "closed", ticked: false } }));
    expect(feature(d.mission).done).toBeDefined();
    expect(onFeature(d.actions)).toEqual([{ kind: "check-acceptance", feature: "1.1", evidence: expect.stringContaining("worker run 501") }]);
  });

  it("a report that is not trusted or not a success (another mission's, another feature's, a run not recorded, a failure) finishes nothing", () => {
    const m = withRun(active(), "1.1", {});
    for (const r of [report({ mission: "m-20261124-other-9" }), report({ feature: "1.2" }), report({ run_id: 999 }), report({ outcome: "failure" })]) {
      const d = reconcile(facts(m, { reports: [r], issue: { state: "open", ticked: false } }));
      expect(feature(d.mission).done).toBeUndefined();
      expect(feature(d.mission).acceptance_met).toBeUndefined();
      expect(onFeature(d.actions)).toEqual([]);
    }
  });

  it("Full mode: its issue is left to the merged pull request", () => {
    const m = withRun(active({ mode: "full" }), "1.1", {});
    const d = reconcile(facts(m, { reports: [report()], closes: [{ feature: "1.1", by: "alice", counts: true }], issue: { state: "closed", ticked: false } }));
    expect(onFeature(d.actions)).toEqual([{ kind: "check-acceptance", feature: "1.1", evidence: expect.any(String) }]);
  });
});

describe("a tick and close that were lost", () => {
  /** What mission.md holds after the write-ahead commit: done, evidence recorded. */
  const recorded = () => mapFeatures(withRun(active(), "1.1", { reported: "success" }), (f) => (f.key === "1.1" ? { ...f, done: { by: REPORTER, at: at(160) }, acceptance_met: "worker run 501 reported success" } : f));

  it("are made again once, from the listed issue (open, unticked); not again once GitHub shows them", () => {
    const lost = reconcile(facts(recorded(), { issue: { state: "open", ticked: false } }));
    expect(onFeature(lost.actions)).toEqual([{ kind: "check-acceptance", feature: "1.1", evidence: "worker run 501 reported success", close: true }]);
    expect(feature(lost.mission)).toEqual(feature(recorded())); // nothing new to record for it
    const made = reconcile(facts(recorded(), { issue: { state: "closed", ticked: true } }));
    expect(onFeature(made.actions)).toEqual([]);
  });

  it("only what is missing: a close alone, or a tick alone", () => {
    expect(onFeature(reconcile(facts(recorded(), { issue: { state: "open", ticked: true } })).actions)).toEqual([{ kind: "close-issue", ref: "feature:1.1", reason: "completed" }]);
    expect(onFeature(reconcile(facts(recorded(), { issue: { state: "closed", ticked: false } })).actions)).toEqual([{ kind: "check-acceptance", feature: "1.1", evidence: "worker run 501 reported success" }]);
  });

  it("a done feature a person reopened stays open (the criteria stay ticked)", () => {
    expect(onFeature(reconcile(facts(recorded(), { issue: { state: "open", ticked: true, reopened: true } })).actions)).toEqual([]);
  });

  it("a step GitHub refused (its notice recorded) is not taken again on its own", () => {
    const refused = { ...recorded(), notices: ["refused:checking the acceptance criteria of feature:1.1 and closing it:403"] };
    expect(onFeature(reconcile(facts(refused, { issue: { state: "open", ticked: false } })).actions)).toEqual([]);
  });
});
