/**
 * What the Actions pulse counts as work due (each costs a command run on
 * GITHUB_TOKEN's 1,000 requests an hour): any write of consequence; not a
 * mission.md commit that would only record a run going from queued to
 * running, which every reconcile sees again from GitHub.
 */
import { describe, expect, it } from "vitest";
import { hasWork } from "../../src/loop/due.js";
import { reconcile } from "../../src/mission/reconcile.js";
import type { ObservedRun, Snapshot } from "../../src/mission/decision.js";
import type { Mission, RunRecord } from "../../src/mission/model.js";
import { dashboardRoom, mergeDashboard, renderDashboard } from "../../src/mission/markdown/dashboard.js";
import { answered, plan, snapshotOf, withIssues } from "../support/missions.js";

const NOW = "2026-11-24T12:00:00.000Z";

function withRuns(m: Mission, runs: Record<string, Partial<RunRecord>>): Mission {
  return {
    ...m,
    plan: {
      ...m.plan!,
      milestones: m.plan!.milestones.map((ms) => ({
        ...ms,
        features: ms.features.map((f) => (runs[f.key] ? { ...f, runs: [{ try: 1, dispatched_at: "2026-11-24T11:50:00.000Z", status: "queued" as const, ...runs[f.key] }] } : f)),
      })),
    },
  };
}

/** Both features of milestone 1 dispatched (the parallel limit), and the tracking issue showing the dashboard as it is. */
function running(observed: ObservedRun[]): Snapshot {
  const m = withRuns(withIssues(answered({ status: "active", plan: plan([2, 2, 2]) })), { "1.1": { run_id: 501 }, "1.2": { run_id: 502 } });
  const s = snapshotOf(m, { now: NOW, runs: new Map(observed.map((r) => [r.id, r])) });
  const shown = reconcile(s).mission!;
  const region = renderDashboard({ mission: shown, closed: new Set(), maxChars: dashboardRoom("", m.id), serverUrl: s.where.serverUrl, stateBranch: s.where.stateBranch, config: s.config, history: s.history });
  return { ...s, issue: { ...s.issue, body: mergeDashboard("", m.id, region) } };
}

const queued = (id: number): ObservedRun => ({ id, status: "queued", conclusion: null, updated_at: "2026-11-24T11:50:00Z" });

describe("work due for the Actions pulse", () => {
  it("a worker that went from queued to in progress is no work of its own", () => {
    const s = running([{ id: 501, status: "in_progress", conclusion: null, updated_at: "2026-11-24T11:55:00Z" }, queued(502)]);
    const d = reconcile(s);
    expect(d.actions.map((a) => a.kind)).toContain("commit-mission"); // the loop would record it
    expect(hasWork(d, s)).toBe(false);
  });

  it("a worker that finished is: its report is to be read and the next feature started", () => {
    const s = running([{ id: 501, status: "completed", conclusion: "success", updated_at: "2026-11-24T11:58:00Z" }, queued(502)]);
    expect(hasWork(reconcile(s), s)).toBe(true);
  });
});
