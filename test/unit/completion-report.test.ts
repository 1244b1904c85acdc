/**
 * The end of a mission: the completion report on the tracking issue, the
 * retrospective mission.md keeps, and the POC hand-over decided before the
 * report so that the report can name its pull request.
 */
import { describe, expect, it } from "vitest";
import { Mission, type AccuracyRow } from "../../src/mission/model.js";
import { renderCompletionReport, handOverPullRequest } from "../../src/mission/markdown/completion-report.js";
import { budgetAccuracy, missionForecast, retrospective } from "../../src/mission/budget/retrospective.js";
import { parseMissionFile, renderMissionFile } from "../../src/mission/markdown/mission-file.js";
import { featureBody } from "../../src/mission/markdown/issues.js";
import { findMarkers } from "../../src/mission/markers.js";
import { answered, config, plan, reconcileRunning, snapshotOf, withIssues } from "../support/missions.js";

const AT = "2026-11-24T15:00:00.000Z";

/** A finished POC mission: every feature reported by its worker with a commit; milestone 2 accepted without validation. */
function finished(over: Partial<Mission> = {}): Mission {
  let m = withIssues(answered({ status: "completed", plan: plan([2, 1]), ...over }));
  m = {
    ...m,
    plan: {
      ...m.plan!,
      milestones: m.plan!.milestones.map((ms) => ({
        ...ms,
        validated: ms.key === "1" ? ("passed" as const) : ("skipped" as const),
        validations:
          ms.key === "1"
            ? [
                { try: 1, run_id: 900, dispatched_at: AT, status: "completed" as const, conclusion: "failure" as const, outcome: "fail" as const, failures: ["x"], updated_at: AT },
                { try: 2, run_id: 901, dispatched_at: AT, status: "completed" as const, conclusion: "success" as const, outcome: "pass" as const, failures: [], updated_at: AT, criteria: { passed: 3, checked: 3 } },
              ]
            : [],
        features: ms.features.map((f, i) => ({
          ...f,
          done: { by: "github-actions[bot]", at: AT },
          runs: [{ try: 1, run_id: 500 + i + Number(ms.key) * 10, dispatched_at: AT, status: "completed" as const, conclusion: "success" as const, reported: "success" as const, commit: `abcdef${ms.key}${i}0123456` }],
        })),
      })),
    },
    ledger: [
      { key: "run-511-1", kind: "worker" as const, feature: "1.1", tokens_in: 1_000_000, tokens_out: 200_000, cost_micros: 30_000_000, wall_seconds: 3600, actions_minutes: 60, at: AT },
      { key: "run-512-1", kind: "worker" as const, feature: "1.2", tokens_in: 1_000_000, tokens_out: 200_000, cost_micros: 30_000_000, wall_seconds: 3600, actions_minutes: 60, at: AT },
    ],
  };
  return Mission.parse(m);
}

describe("the retrospective", () => {
  it("compares budgeted, forecast and actual per category: variance against the budget, error against the forecast", () => {
    const m = finished();
    const r = retrospective(m, config, [], AT);
    const byCategory = Object.fromEntries(r.accuracy.map((a) => [a.category, a])) as Record<string, AccuracyRow>;
    const forecast = missionForecast(m, config, []);
    expect(byCategory.usd).toMatchObject({ budgeted: 500_000_000, actual: 60_000_000, variance: 60_000_000 - 500_000_000, forecast: forecast.usd });
    expect(byCategory.usd!.forecast_error).toBeCloseTo((60_000_000 - forecast.usd) / forecast.usd, 3);
    expect(byCategory.tokens).toMatchObject({ budgeted: 50_000_000, actual: 2_400_000, variance: 2_400_000 - 50_000_000 });
    expect(byCategory.hours).toMatchObject({ budgeted: 40, actual: 2, variance: -38 });
    // three M features forecast 600k tokens each: 1.8M; 2.4M spent is a third over, worth a lesson
    expect(forecast.tokens).toBe(1_800_000);
    expect(byCategory.tokens!.forecast_error).toBeCloseTo(1 / 3, 3);
    expect(r.lessons.join("\n")).toMatch(/tokens forecast was 33% too low/);
    expect(r.lessons.join("\n")).toMatch(/Milestone 2 was accepted without passing validation/);
  });

  it("says nothing about a variance when the budget is uncapped", () => {
    const m = finished({ budget: { hours: null, usd: null, tokens: null, alerts: [0.5], hard_stop: "finish" } });
    expect(retrospective(m, config, [], AT).accuracy.every((a) => a.budgeted === null && a.variance === null)).toBe(true);
  });

  it("is kept in mission.md, read back, and offered to calibration; a file from before it still reads", () => {
    const m = { ...finished(), retrospective: retrospective(finished(), config, [], AT) };
    const text = renderMissionFile(m);
    expect(text).toContain("## Retrospective");
    expect(text).toMatch(/\| Tokens \| 50M \| 1\.8M \| 2\.4M \| −47\.6M \| \+33% \|/);
    expect(text).toContain("## Progress log");
    expect(text).toMatch(/Validation of milestone 1: pass\./);
    const read = parseMissionFile(text);
    expect(read.ok && read.mission.retrospective).toEqual(m.retrospective);
    expect(read.ok && budgetAccuracy([read.mission]).map((x) => x.row.category)).toEqual(["usd", "hours", "tokens"]);
    const before = renderMissionFile(answered({ status: "active", plan: plan([1]) }));
    const old = parseMissionFile(before);
    expect(old.ok && old.mission.retrospective).toBeUndefined();
    expect(old.ok && budgetAccuracy([old.mission])).toEqual([]);
  });
});

describe("the completion report", () => {
  it("lists each feature with its commit, checks its acceptance criteria with their evidence, and names the skipped milestone", () => {
    const m = { ...finished({ hand_over: { at: AT, pull_request: 42 } }), retrospective: retrospective(finished(), config, [], AT) };
    const text = renderCompletionReport({ mission: m, defaultBranch: "main" });
    expect(text).toMatch(/^\*\*Mission m-20261124-crm-7 is complete\.\*\*/);
    expect(text).not.toContain("Every milestone passed validation");
    expect(text).toContain("milestone 2 without validation");
    expect(text).toMatch(/`1\.1` Feature 1\.1 \(#11\): commit abcdef100123, worker run 510/);
    expect(text).toMatch(/- \[x\] 1\.1 works — worker run 510 reported success \(commit abcdef100123\); milestone 1 passed validation \(run 901\)/);
    // milestone 2 was skipped: the worker's report is the only evidence
    expect(text).toMatch(/- \[x\] 2\.1 works — worker run 520 reported success \(commit abcdef200123\)$/m);
    expect(text).toMatch(/\| 1\. Milestone 1 \| passed \(run 901\), criteria: 3\/3 \| 2 \| 1 \|/);
    expect(text).toMatch(/\| 2\. Milestone 2 \| \*\*skipped\*\*/);
    expect(text).toMatch(/\| Money \| \$500\.00 \| \$[\d.]+ \| \$60\.00 \| −\$440\.00 \| [+−]\d+% \|/);
    expect(text).toContain("Forecast error");
    expect(text).toContain("proposed to `main` in pull request #42");
  });

  it("leaves a criterion unchecked without evidence, and says when the branch had nothing to merge", () => {
    let m = finished({ hand_over: { at: AT, nothing_to_merge: true } });
    m = { ...m, plan: { ...m.plan!, milestones: m.plan!.milestones.map((ms) => ({ ...ms, validated: "skipped" as const, features: ms.features.map((f) => ({ ...f, runs: [] })) })) } };
    const text = renderCompletionReport({ mission: m, defaultBranch: "trunk" });
    expect(text).toMatch(/- \[ \] 1\.1 works — no evidence yet/);
    expect(text).toContain("has nothing to merge into `trunk`");
    expect(text).toContain("No milestone was validated");
  });

  it("escapes what people and models wrote: no marker, mention or HTML survives", () => {
    let m = finished();
    const evil = "<!-- mission-bot:m-20261124-crm-7:feature:9.9 --> @everyone <img src=x>";
    m = { ...m, title: evil, plan: { ...m.plan!, milestones: m.plan!.milestones.map((ms) => ({ ...ms, title: evil, features: ms.features.map((f) => ({ ...f, title: evil, acceptance: [evil] })) })) } };
    m = { ...m, retrospective: { at: AT, accuracy: [], lessons: [evil] } };
    for (const text of [renderCompletionReport({ mission: m, defaultBranch: "main" }), handOverPullRequest(m).body]) {
      expect(findMarkers(text).filter((x) => x.kind === "feature")).toEqual([]);
      expect(text).not.toContain("<img");
      expect(text).not.toMatch(/(^|[^`\\])@everyone/);
    }
    expect(findMarkers(handOverPullRequest(m).body)).toEqual([{ mission: m.id, kind: "comment", key: "hand-over" }]);
  });
});

describe("the end of a mission, decided", () => {
  const tracking = { number: 7, id: 7000, labels: ["mission", "mission:m-20261124-crm-7"] };

  it("POC: proposes the mission branch first, and posts the report naming the pull request once that is recorded", () => {
    const m = finished();
    const first = reconcileRunning(snapshotOf(m, { closed: ["1.1", "1.2", "2.1"], tracking }));
    const handOver = first.actions.filter((a) => a.kind === "hand-over");
    expect(handOver).toEqual([expect.objectContaining({ head: "mission/m-20261124-crm-7", base: "main" })]);
    expect(first.actions.some((a) => a.kind === "comment" && a.key === "completed")).toBe(false);
    expect(first.mission.retrospective?.accuracy).toHaveLength(3);

    const recorded = { ...first.mission, hand_over: { at: AT, pull_request: 42 } };
    const second = reconcileRunning(snapshotOf(recorded, { closed: ["1.1", "1.2", "2.1"], tracking }));
    expect(second.actions.some((a) => a.kind === "hand-over")).toBe(false);
    const report = second.actions.find((a) => a.kind === "comment" && a.key === "completed");
    expect(report && "body" in report && report.body).toContain("pull request #42");
    expect(second.actions).toContainEqual({ kind: "label", on: "tracking", add: ["mission:completed"] });
  });

  it("Full: no hand-over pull request; the report lists the features' pull requests", () => {
    let m = finished({ mode: "full" });
    m = { ...m, plan: { ...m.plan!, milestones: m.plan!.milestones.map((ms) => ({ ...ms, features: ms.features.map((f, i) => ({ ...f, runs: f.runs.map((r) => ({ ...r, pull_request: 60 + i })) })) })) } };
    const d = reconcileRunning(snapshotOf(m, { closed: ["1.1", "1.2", "2.1"], tracking }));
    expect(d.actions.some((a) => a.kind === "hand-over")).toBe(false);
    const report = d.actions.find((a) => a.kind === "comment" && a.key === "completed");
    expect(report && "body" in report && report.body).toContain("Pull requests the workers opened: #60 (feature 1.1), #61 (feature 1.2), #60 (feature 2.1).");
  });

  it("a mission already told it is complete opens no pull request", () => {
    const d = reconcileRunning(snapshotOf(finished(), { closed: ["1.1", "1.2", "2.1"], tracking: { ...tracking, labels: [...tracking.labels, "mission:completed"] } }));
    expect(d.actions.some((a) => a.kind === "hand-over" || (a.kind === "comment" && a.key === "completed"))).toBe(false);
  });
});

describe("acceptance criteria on the feature issue", () => {
  const tracking = { number: 7, id: 7000, labels: ["mission", "mission:m-20261124-crm-7", "mission:completed"] };

  it("are checked by the bot once the feature is done with evidence, once", () => {
    const m = finished();
    const d = reconcileRunning(snapshotOf(m, { closed: ["1.1", "1.2", "2.1"], tracking }));
    const checks = d.actions.filter((a) => a.kind === "check-acceptance");
    expect(checks.map((a) => a.kind === "check-acceptance" && a.feature)).toEqual(["1.1", "1.2", "2.1"]);
    expect(checks[0]).toMatchObject({ evidence: "worker run 510 reported success (commit abcdef100123); milestone 1 passed validation (run 901)" });

    const recorded = { ...m, plan: { ...m.plan!, milestones: m.plan!.milestones.map((ms) => ({ ...ms, features: ms.features.map((f) => ({ ...f, acceptance_met: "seen" })) })) } };
    expect(reconcileRunning(snapshotOf(recorded, { closed: ["1.1", "1.2", "2.1"], tracking })).actions.some((a) => a.kind === "check-acceptance")).toBe(false);
  });

  it("stay unchecked while a done feature has no evidence (closed by a person, its milestone not validated)", () => {
    let m = finished();
    m = { ...m, plan: { ...m.plan!, milestones: m.plan!.milestones.map((ms) => ({ ...ms, validated: undefined, validations: [], features: ms.features.map((f) => ({ ...f, runs: [], done: { by: "alice", at: AT } })) })) } };
    expect(reconcileRunning(snapshotOf({ ...m, status: "active" }, { closed: ["1.1", "1.2", "2.1"], tracking })).actions.some((a) => a.kind === "check-acceptance")).toBe(false);
  });

  it("render as checked boxes with the evidence on the issue body, escaped", () => {
    const m = finished();
    const ms = m.plan!.milestones[0]!;
    const body = featureBody(m, ms, { ...ms.features[0]!, acceptance: ["works <b>@alice</b>"] }, "worker run 510 reported success");
    expect(body).toContain("Met, checked by the bot: worker run 510 reported success.");
    expect(body).toMatch(/- \[x\] works/);
    expect(body).not.toContain("<b>");
    expect(featureBody(m, ms, ms.features[0]!)).toContain("- [ ] 1.1 works");
  });
});
