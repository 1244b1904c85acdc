import { describe, expect, it } from "vitest";
import type { Action, Snapshot } from "../../src/mission/decision.js";
import { decide } from "../../src/mission/conversation/conversation.js";
import type { FoundValidationReport } from "../../src/mission/validation/validating.js";
import type { ValidationReportInput } from "../../src/mission/validation/validation.js";
import { ValidationReport } from "../../src/mission/validation/validation.js";
import type { Mission, ValidationRecord } from "../../src/mission/model.js";
import type { ObservedRun } from "../../src/mission/workers/workers.js";
import { answered, config, plan, snapshotOf, withIssues } from "../support/missions.js";
import { reconcileRunning as reconcile, type SnapshotOver } from "../support/missions.js";
import { TEST_EPOCH, testMissionId } from "../support/clock.js";

/** A time on the tests' clock: minutes after its start (test/support/clock.ts), never a dated literal. */
const at = (minutes: number) => new Date(TEST_EPOCH + minutes * 60_000).toISOString();
const MISSION = testMissionId("crm", 7);

const NOW = at(180);

function active(): Mission {
  return withIssues(answered({ status: "active", plan: plan([2, 2, 2]) }));
}

const snap = (m: Mission, closed: string[], over: SnapshotOver = {}): Snapshot => snapshotOf(m, { ...over, closed });

const kinds = (a: Action[]) => a.map((x) => x.kind);
const validations = (m: Mission, key = "1"): ValidationRecord[] => m.plan!.milestones.find((ms) => ms.key === key)!.validations;

function report(runId: number, failing: string[] = []): FoundValidationReport {
  const input: ValidationReportInput = {
    mission: MISSION,
    milestone: "1",
    run_id: runId,
    commands: [{ name: "test", command: "npm test", passed: failing.length === 0, exit_code: failing.length ? 1 : 0, duration_seconds: 12 }],
    failures: failing.map((name, i) => ({ name: `${name} ${i}`, file: name, message: "expected 1 to be 2", command: "test" })),
  };
  return { milestone: "1", url: `https://github.com/octo/crm/issues/10#issuecomment-${runId}`, result: { found: true, ok: true, report: ValidationReport.parse(input) } };
}

/** The validation run `runId` of milestone 1 finished and reported. */
function finished(m: Mission, runId: number, failing: string[]): Map<number, ObservedRun> {
  void m;
  return new Map<number, ObservedRun>([[runId, { id: runId, status: "completed", conclusion: failing.length ? "failure" : "success", updated_at: NOW }]]);
}

/** Record the dispatch answer for the newest validation of milestone 1. */
function dispatchedAs(m: Mission, runId: number): Mission {
  return {
    ...m,
    plan: {
      ...m.plan!,
      milestones: m.plan!.milestones.map((ms) =>
        ms.key !== "1" ? ms : { ...ms, validations: ms.validations.map((v, i, all) => (i === all.length - 1 ? { ...v, run_id: runId, status: "queued" as const } : v)) },
      ),
    },
  };
}

describe("validation in the loop", () => {
  it("validates a milestone once every feature is done, and dispatches no worker meanwhile", () => {
    const d = reconcile(snap(active(), ["1.1", "1.2"]));
    expect(d.actions).toContainEqual(expect.objectContaining({ kind: "dispatch-validation", milestone: "1", try: 1 }));
    expect(kinds(d.actions)).not.toContain("dispatch-worker");
    expect(d.mission.status).toBe("validating");
  });

  it("a pass closes the milestone and starts the next one", () => {
    let m = dispatchedAs(reconcile(snap(active(), ["1.1", "1.2"])).mission, 901);
    const d = reconcile(snap(m, ["1.1", "1.2"], { runs: finished(m, 901, []), validationReports: [report(901)] }));
    m = d.mission;
    expect(m.plan!.milestones[0]!.validated).toBe("passed");
    expect(d.actions).toContainEqual({ kind: "close-issue", ref: "milestone:1", reason: "completed" });
    expect(m.status).toBe("active");
    expect(m.decisions.at(-1)!.what).toMatch(/Milestone 1 passed validation/);
    // The validation run's Actions minutes are in the ledger, once.
    expect(m.ledger).toEqual([expect.objectContaining({ key: "run-901-1", kind: "validation", wall_seconds: 12, actions_minutes: 1 })]);
  });

  it("a milestone with criteria passes only on a report that judged them; one that did not (an old workflow) is not a pass", () => {
    const criteria = [{ command: "npm run e2e" }, { check: "a contact can be created" }];
    const withCriteria = (m: Mission): Mission => ({ ...m, plan: { ...m.plan!, milestones: m.plan!.milestones.map((ms) => (ms.key === "1" ? { ...ms, criteria } : ms)) } });
    const judged = (runId: number): FoundValidationReport => {
      const r = report(runId);
      if (!r.result.ok) throw new Error("unreachable");
      const criteriaResults = [
        { criterion: criteria[0]!, result: "passed" as const, exit_code: 0 },
        { criterion: criteria[1]!, result: "not-checked" as const },
      ];
      return { ...r, result: { ...r.result, report: { ...r.result.report, criteria: criteriaResults } } };
    };
    const m = dispatchedAs(reconcile(snap(withCriteria(active()), ["1.1", "1.2"])).mission, 901);
    const old = reconcile(snap(m, ["1.1", "1.2"], { runs: finished(m, 901, []), validationReports: [report(901)] }));
    expect(validations(old.mission)[0]).toMatchObject({ outcome: "invalid" });
    expect(old.actions).toContainEqual(expect.objectContaining({ kind: "comment", body: expect.stringContaining("does not check this milestone's validation criteria") }));
    const ok = reconcile(snap(m, ["1.1", "1.2"], { runs: finished(m, 901, []), validationReports: [judged(901)] }));
    expect(ok.mission.plan!.milestones[0]!.validated).toBe("passed");
    expect(validations(ok.mission)[0]).toMatchObject({ outcome: "pass", criteria: { passed: 1, checked: 1 } });
  });

  it("a failure opens one fix feature per failing area (40 failures in one file make one), then validates again once it is done", () => {
    let m = dispatchedAs(reconcile(snap(active(), ["1.1", "1.2"])).mission, 901);
    const failing = Array.from({ length: 40 }, () => "src/contacts.test.ts");
    let d = reconcile(snap(m, ["1.1", "1.2"], { runs: finished(m, 901, failing), validationReports: [report(901, failing)] }));
    m = d.mission;
    const fixes = m.plan!.milestones[0]!.features.filter((f) => f.fix_for);
    expect(fixes).toHaveLength(1);
    expect(fixes[0]!.fix_for).toBe(validations(m).at(-1)!.failures[0]);
    expect(validations(m).at(-1)!.outcome).toBe("fail");
    expect(m.status).toBe("active");

    // The next reconcile creates the fix feature's issue (the fix is worked like any feature).
    d = reconcile(snap(m, ["1.1", "1.2"]));
    expect(d.actions).toContainEqual(expect.objectContaining({ kind: "create-issue", ref: `feature:${fixes[0]!.key}` }));

    // With the fix done, validation runs again.
    d = reconcile(snap(m, ["1.1", "1.2", fixes[0]!.key]));
    expect(d.actions).toContainEqual(expect.objectContaining({ kind: "dispatch-validation", milestone: "1", try: 2 }));
  });

  it("does not open a second fix task for a failure whose fix task is still open", () => {
    let m = dispatchedAs(reconcile(snap(active(), ["1.1", "1.2"])).mission, 901);
    m = reconcile(snap(m, ["1.1", "1.2"], { runs: finished(m, 901, ["a.test.ts"]), validationReports: [report(901, ["a.test.ts"])] })).mission;
    // A person asks for validation before the fix is done; it fails the same way again.
    const asked = decide({ command: { name: "validate" }, mission: m, author: "alice", now: NOW, repo: "octo/crm", issue: { number: 7, title: "" }, config });
    m = asked.kind === "reply" ? asked.mission! : m;
    m = dispatchedAs(reconcile(snap(m, ["1.1", "1.2"])).mission, 902);
    const d = reconcile(snap(m, ["1.1", "1.2"], { runs: finished(m, 902, ["a.test.ts"]), validationReports: [report(902, ["a.test.ts"])] }));
    expect(d.mission.plan!.milestones[0]!.features.filter((f) => f.fix_for)).toHaveLength(1);
    expect(d.actions.some((a) => a.kind === "comment" && a.key === "refail:902")).toBe(true);
  });

  it("pauses the mission for a person after the third failed validation of the same milestone", () => {
    let m = active();
    const done = ["1.1", "1.2"];
    for (let i = 0; i < 3; i++) {
      m = dispatchedAs(reconcile(snap(m, done)).mission, 901 + i);
      const d = reconcile(snap(m, done, { runs: finished(m, 901 + i, ["b.test.ts"]), validationReports: [report(901 + i, ["b.test.ts"])] }));
      m = d.mission;
      const fix = m.plan!.milestones[0]!.features.findLast((f) => f.fix_for)!;
      if (!done.includes(fix.key)) done.push(fix.key);
      if (i === 2) {
        expect(m.status).toBe("paused");
        expect(m.paused_reason).toMatch(/failed 3 times \(test:b\.test\.ts\)/);
        expect(d.actions).toContainEqual({ kind: "label", on: "tracking", add: ["mission:needs-human"] });
      } else {
        expect(m.status).toBe("active");
      }
    }
    // /mission resume acknowledges the failures: validation may run again.
    const resumed = decide({ command: { name: "resume" }, mission: m, author: "alice", now: NOW, repo: "octo/crm", issue: { number: 7, title: "" }, config });
    const d = reconcile(snap(resumed.kind === "reply" ? resumed.mission! : m, done));
    expect(d.actions).toContainEqual(expect.objectContaining({ kind: "dispatch-validation", try: 4 }));
  });

  it("a run that reports garbage is not a pass: retried once, then escalated", () => {
    let m = dispatchedAs(reconcile(snap(active(), ["1.1", "1.2"])).mission, 901);
    const garbage: FoundValidationReport = { milestone: "1", url: "u", result: { found: true, ok: false, problems: ["commands: expected array"] } };
    let d = reconcile(snap(m, ["1.1", "1.2"], { runs: finished(m, 901, []), validationReports: [garbage] }));
    expect(validations(d.mission)[0]!.outcome).toBe("invalid");
    expect(d.actions).toContainEqual(expect.objectContaining({ kind: "dispatch-validation", try: 2 }));
    expect(d.mission.plan!.milestones[0]!.validated).toBeUndefined();

    m = dispatchedAs(d.mission, 902);
    d = reconcile(snap(m, ["1.1", "1.2"], { runs: finished(m, 902, []), validationReports: [] }));
    expect(d.mission.status).toBe("paused");
    expect(d.mission.paused_reason).toMatch(/could not run or report twice/);
  });

  it("/mission skip-validation accepts a milestone as a recorded human decision", () => {
    const step = decide({ command: { name: "skip-validation", milestone: "1" }, mission: active(), author: "alice", now: NOW, repo: "octo/crm", issue: { number: 7, title: "" }, config });
    const m = step.kind === "reply" ? step.mission! : active();
    expect(m.plan!.milestones[0]!.validated).toBe("skipped");
    expect(m.decisions.at(-1)).toMatchObject({ by: "alice", what: "Validation of milestone 1 skipped." });
    const d = reconcile(snap(m, []));
    expect(d.actions).toContainEqual({ kind: "close-issue", ref: "milestone:1", reason: "completed" });
    expect(d.actions.filter((a) => a.kind === "dispatch-worker").map((a) => (a.kind === "dispatch-worker" ? a.dispatch.feature : ""))).toEqual(["2.1", "2.2"]);
  });
});
