/**
 * The tracking issue's dashboard as people read it: a picture of the plan,
 * budget bars with the forecast at completion, states that are true (a
 * refused dispatch shows as waiting for budget), a reason on every feature
 * that is not running, links to each feature's branch, pull request and
 * last run, and a body well under GitHub's 65,536 characters.
 */
import { describe, expect, it } from "vitest";
import { dashboardRoom, mergeDashboard, renderDashboard, type DashboardInput } from "../../src/mission/markdown/dashboard.js";
import { bar, BAR_CELLS } from "../../src/mission/markdown/dashboard/budget.js";
import { FEATURE_NODES } from "../../src/mission/markdown/dashboard/diagram.js";
import { milestoneBody } from "../../src/mission/markdown/issues.js";
import { increaseBudget } from "../../src/mission/budget/enforce.js";
import { findMarkers } from "../../src/mission/markers.js";
import { GITHUB_LIMITS, type Feature, type LedgerEntry, type Mission, type RunRecord } from "../../src/mission/model.js";
import { mapFeatures } from "../../src/mission/workers/workers.js";
import { TEST_EPOCH } from "../support/clock.js";
import { answered, config, plan, reconcileRunning, snapshotOf, withIssues } from "../support/missions.js";

const at = (minutes: number) => new Date(TEST_EPOCH + minutes * 60_000).toISOString();
const render = (m: Mission, over: Partial<DashboardInput> = {}) => renderDashboard({ mission: m, closed: new Set(), config, history: [], ...over });
const running = (m: Mission): Mission => withIssues({ ...m, status: "active" });
const withFeature = (m: Mission, key: string, change: Partial<Feature>) => mapFeatures(m, (f) => (f.key === key ? { ...f, ...change } : f));
const run = (over: Partial<RunRecord>): RunRecord => ({ try: 1, dispatched_at: at(10), status: "completed", ...over });
/** The line of feature `key` in the feature list. */
const row = (region: string, key: string) => region.split("\n").find((l) => l.startsWith("- ") && l.includes(`\`${key}\``)) ?? "";

describe("a dispatch the budget refused", () => {
  // $0.50 left: the first feature's high forecast does not fit, though nothing is exhausted
  const tight = () => running(answered({ plan: plan([2, 1]), budget: { hours: null, usd: 0.5, tokens: null, alerts: [0.5, 0.8, 1], hard_stop: "finish" } }));

  it("is recorded in the mission, and the dashboard says waiting for budget instead of active", () => {
    const { mission, actions } = reconcileRunning(snapshotOf(tight()));
    expect(actions.some((a) => a.kind === "dispatch-worker")).toBe(false);
    expect(mission.waiting_for_budget).toEqual({ feature: "1.1", since: expect.any(String) });
    const region = render(mission);
    expect(region).toContain("**Status:** ⏸ waiting for budget (feature 1.1 does not fit what remains)");
    expect(region).not.toContain("▶️ active");
    expect(row(region, "1.1")).toContain("**waiting for budget**");
    expect(region).toMatch(/\| 1 \| Milestone 1 \| #10 \| 0\/2 \| ⏸ waiting for budget \|/);
  });

  it("keeps the time it started waiting, and is cleared once the budget is raised and the feature starts", () => {
    const first = reconcileRunning(snapshotOf(tight())).mission;
    const again = reconcileRunning(snapshotOf(first, { now: "2026-11-24T13:00:00.000Z" })).mission;
    expect(again.waiting_for_budget).toEqual(first.waiting_for_budget);
    const raised = increaseBudget(again, { usd: 1000 }, "alice", "2026-11-24T13:05:00.000Z");
    const { mission, actions } = reconcileRunning(snapshotOf(raised, { now: "2026-11-24T13:06:00.000Z" }));
    expect(actions.some((a) => a.kind === "dispatch-worker")).toBe(true);
    expect(mission.waiting_for_budget).toBeUndefined();
    expect(render(mission)).toContain("**Status:** ▶️ active");
  });
});

describe("why a feature is not running", () => {
  it("names the dependency, the milestone, the worker slots, a failed validation, a pause and a person", () => {
    let m = running(answered({ plan: plan([3, 1], { "1.3": ["1.1"] }) }));
    m = withFeature(m, "1.1", { runs: [run({ status: "in_progress", run_id: 901 })] });
    m = withFeature(m, "1.2", { runs: [run({ status: "in_progress", run_id: 902 })] });
    const busy = render(m, { config: { ...config, max_parallel_workers: 2 } });
    expect(row(busy, "1.1")).toContain("**worker running (try 1)**");
    expect(row(busy, "1.3")).toContain("**waiting on 1.1**");
    expect(row(busy, "2.1")).toContain("**waiting on milestone 1**");

    const slots = render(withFeature(m, "1.3", { depends_on: [] }), { config: { ...config, max_parallel_workers: 2 } });
    expect(row(slots, "1.3")).toContain("**waiting for a free worker slot (2 of 2 busy)**");

    const failed = render({ ...m, status: "paused", paused_reason: "validation failed 3 times" });
    expect(row(failed, "1.3")).toContain("**blocked by a failed validation**");
    expect(failed).toContain("**Status:** ⏸️ paused (validation failed 3 times)");
    expect(row(render({ ...m, status: "paused", paused_reason: "paused by @alice" }), "1.3")).toContain("**paused**");
    expect(row(render(withFeature(m, "1.3", { needs_human: "3 tries failed" })), "1.3")).toContain("**needs a person: 3 tries failed**");
  });
});

describe("links from the bot's own records", () => {
  it("gives each feature its branch, pull request and last run", () => {
    let m = running(answered({ mode: "full", plan: plan([2]) }));
    m = withFeature(m, "1.1", { runs: [run({ run_id: 901, conclusion: "failure" }), run({ try: 2, run_id: 902, conclusion: "success", reported: "success", pull_request: 77 })] });
    const line = row(render(m, { serverUrl: "https://ghe.example.com" }), "1.1");
    expect(line).toContain("[branch](https://ghe.example.com/octo/crm/tree/mission/m-20261124-crm-7/1.1)");
    expect(line).toContain("PR #77");
    expect(line).toContain("[last run](https://ghe.example.com/octo/crm/actions/runs/902)");
    // a feature no worker was sent to has no branch, pull request or run yet
    expect(row(render(m), "1.2")).not.toMatch(/branch|PR #|last run/);
    // proof of concept: the mission's one branch
    expect(row(render({ ...m, mode: "poc" }), "1.1")).toContain("(https://github.com/octo/crm/tree/mission/m-20261124-crm-7)");
  });
});

describe("the budget bars", () => {
  it("mark what is spent, the forecast at completion and where the budget ends", () => {
    expect(bar(5, 8, 10)).toBe(`${"█".repeat(12)}${"▒".repeat(7)}${"░".repeat(5)}│`);
    // over budget: the budget's mark falls inside the bar, the forecast runs past it
    expect(bar(5, 20, 10)).toBe(`${"█".repeat(6)}${"▒".repeat(6)}│${"▒".repeat(12)}`);
    expect(bar(0, undefined, null)).toBe(`${"░".repeat(BAR_CELLS)} `);
  });

  it("show the forecast at completion from the one forecast the budget summary uses", () => {
    const m = running(answered({ plan: plan([2, 2]), budget: { hours: 40, usd: 500, tokens: 50_000_000, alerts: [0.5, 0.8, 1], hard_stop: "finish" } }));
    const region = render(m);
    expect(region).toMatch(/^Money +▒+░*│  \$0\.00 of \$500\.00 \(0%\) · forecast \$\d+\.\d\d \(\d+%\)$/m);
    expect(region).toContain("▒ forecast at completion");
    expect(region).toContain("the forecast of the 4 features not done yet");
    // without the repository's history the bars show what is spent, and say nothing of a forecast
    expect(renderDashboard({ mission: m, closed: new Set() })).not.toContain("forecast");
  });
});

describe("the plan as a Mermaid picture", () => {
  it("draws milestones in order and features with their dependencies, ids from the bot's own positions", () => {
    const m = running(answered({ plan: plan([2, 2], { "2.2": ["2.1"] }) }));
    const region = render(withFeature(m, "1.1", { done: { by: "mission-bot[bot]", at: at(30) } }));
    const diagram = region.slice(region.indexOf("```mermaid"), region.indexOf("```", region.indexOf("```mermaid") + 3) + 3);
    expect(diagram).toContain('subgraph m1["1 · Milestone 1 · 1/2 · ▶️ in progress"]');
    expect(diagram).toContain('m1f1["✅ 1.1 Feature 1.1"]');
    expect(diagram).toContain("m1 --> m2");
    expect(diagram).toContain("m2f1 --> m2f2");
    expect(diagram).toMatch(/class m1f1 done/);
  });

  it("collapses a milestone's features past the limit into one node", () => {
    const region = render(running(answered({ plan: plan([12]) })));
    expect(region).toContain(`m1f${FEATURE_NODES - 1}[`);
    expect(region).not.toContain(`m1f${FEATURE_NODES}[`);
    expect(region).toContain(`m1more["… ${12 - FEATURE_NODES + 1} more features, 0 done"]`);
  });
});

describe("milestone issues", () => {
  it("list their features as a task list of their issues, ticked when the feature is done", () => {
    const m = withFeature(running(answered({ plan: plan([3]) })), "1.2", { done: { by: "alice", at: at(60) } });
    const body = milestoneBody(m, m.plan!.milestones[0]!, new Map([["1.1", 11], ["1.2", 12], ["1.3", 13]]));
    expect(body).toContain("### Features\n\n- [ ] #11\n- [x] #12\n- [ ] #13\n");
  });

  it("are rewritten when their list changed, and left alone when it did not", () => {
    const m = withFeature(running(answered({ plan: plan([2, 1]) })), "1.1", { done: { by: "mission-bot[bot]", at: at(60) } });
    const withBodies = (body: (ms: string) => string) => {
      const s = snapshotOf(m);
      for (const [ref, issue] of s.loop!.issues) if (ref.startsWith("milestone:")) (s.loop!.issues as Map<string, unknown>).set(ref, { ...issue, body: body(ref) });
      return s;
    };
    const stale = reconcileRunning(withBodies(() => "Milestone 1 of mission … (the old list)")).actions;
    expect(stale.filter((a) => a.kind === "list-features").map((a) => (a as { milestone: string }).milestone)).toEqual(["milestone:1", "milestone:2"]);
    const current = (ref: string) => {
      const ms = m.plan!.milestones.find((x) => `milestone:${x.key}` === ref)!;
      return milestoneBody(m, ms, new Map(ms.features.map((f) => [f.key, f.issue!.number])));
    };
    expect(reconcileRunning(withBodies(current)).actions.some((a) => a.kind === "list-features")).toBe(false);
  });

  it("with sub-issues, keep the body they were created with as features get done (GitHub shows the sub-issues' progress)", () => {
    const m = withFeature(running(answered({ plan: plan([2, 1]) })), "1.1", { done: { by: "mission-bot[bot]", at: at(60) } });
    const s = snapshotOf(m);
    for (const [ref, issue] of s.loop!.issues) {
      if (!ref.startsWith("milestone:")) continue;
      const ms = m.plan!.milestones.find((x) => `milestone:${x.key}` === ref)!;
      (s.loop!.issues as Map<string, unknown>).set(ref, { ...issue, body: milestoneBody(m, ms) });
    }
    const lists = (snap: typeof s) => reconcileRunning(snap).actions.flatMap((a) => (a.kind === "list-features" ? [a.milestone] : []));
    // milestone 1 has a feature done, milestone 2 none: neither body is rewritten to tick
    expect(lists(s)).toEqual([]);
    // an Enterprise Server without sub-issues lists every milestone's features
    expect(lists({ ...s, where: { ...s.where, subIssues: false } })).toEqual(["milestone:1", "milestone:2"]);
  });
});

describe("the 65,536-character limit, with hostile long titles", () => {
  const HOSTILE = 'Evil"] --> X["<!-- mission-bot:m-1:feature:9.9 --> ``` </details> %% @octocat |pipe| ';
  const long = (prefix: string) => `${prefix} ${HOSTILE}`.padEnd(250, "y");

  function bigMission(): Mission {
    let m = running(answered({ mode: "full", plan: plan([5, 5, 5, 5, 5, 5, 5]) }));
    m = {
      ...m,
      title: long("Mission"),
      plan: { ...m.plan!, milestones: m.plan!.milestones.map((ms) => ({ ...ms, title: long(`Milestone ${ms.key}`), features: ms.features.map((f) => ({ ...f, title: long(`Feature ${f.key}`) })) })) },
    };
    // three tries each, the last with its pull request: every link shown
    m = mapFeatures(m, (f, ms) => ({
      ...f,
      runs: [1, 2, 3].map((t) => run({ try: t, run_id: 100_000 + Number(ms.key) * 100 + t, conclusion: t < 3 ? "failure" : "success", reported: t < 3 ? "failure" : "success", ...(t === 3 ? { pull_request: 5000 + t } : {}) })),
    }));
    const ledger: LedgerEntry[] = [];
    for (const f of m.plan!.milestones.flatMap((ms) => ms.features)) {
      for (const t of [1, 2, 3]) {
        ledger.push({ key: `run-${f.key}-${t}`, kind: "worker", feature: f.key, model: long("model"), tokens_in: 400_000, tokens_out: 100_000, cost_micros: 2_500_000, wall_seconds: 1800, actions_minutes: 30, at: at(t * 60), note: long("note") });
      }
    }
    return { ...m, ledger };
  }

  it("renders a 7×5 plan with 250-character hostile titles and a full ledger well under the limit, whole", () => {
    const m = bigMission();
    const region = renderDashboard({ mission: m, closed: new Set(), config, history: [], maxChars: dashboardRoom("", m.id) });
    const body = mergeDashboard("", m.id, region);
    console.log(`7×5 dashboard with 250-character hostile titles and a ${m.ledger.length}-entry ledger: ${body.length} characters`);
    // 25,371 characters when written: well under the limit, with room for sections still to come
    expect(body.length).toBeLessThan(30_000);
    expect(body).not.toMatch(/not shown|Shortened/);
    expect(row(body, "7.5")).toContain("PR #5003");
    expect(body).toContain("</details>");
    // the only markers are the dashboard's own; every fence is closed
    expect(findMarkers(body).map((x) => x.kind)).toEqual(["dashboard", "dashboard"]);
    expect((body.match(/^```/gm) ?? []).length % 2).toBe(0);
  });
});

describe("a region shortened to fit the user's text", () => {
  it("is cut between blocks, never inside the picture's code fence or the ledger's <details>", () => {
    const m = running(answered({ plan: plan([5, 5, 5, 5, 5, 5, 5]) }));
    const region = render(m);
    const diagramAt = region.indexOf("```mermaid");
    // leave room for the region up to the middle of the diagram
    for (const extra of [diagramAt + 200, diagramAt + 600, region.length - 100]) {
      const user = "u".repeat(GITHUB_LIMITS.bodyChars - extra - 200);
      const body = mergeDashboard(user, m.id, region);
      expect(body.length).toBeLessThanOrEqual(GITHUB_LIMITS.bodyChars);
      expect((body.match(/^```/gm) ?? []).length % 2).toBe(0);
      expect((body.match(/^<details>/gm) ?? []).length).toBe((body.match(/^<\/details>/gm) ?? []).length);
    }
  });
});
