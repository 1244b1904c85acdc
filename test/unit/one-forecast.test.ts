/**
 * One forecast: the plan's budget analysis, the check before each dispatch
 * (and the per-run limits the dispatch carries), the alerts and budget
 * summary a pulse or a webhook posts, and the dashboard all give the same
 * figures for the same mission, calibrated from the same data: the
 * repository's finished missions and the mission's own finished features.
 */
import { describe, expect, it } from "vitest";
import { analysePlan } from "../../src/mission/budget/budget.js";
import { alertsDue, cheaperLevel, dispatchCheck, usage } from "../../src/mission/budget/enforce.js";
import type { CompletedFeature } from "../../src/mission/budget/forecast.js";
import { formatUsd } from "../../src/mission/budget/money.js";
import { decide } from "../../src/mission/conversation/conversation.js";
import { renderDashboard } from "../../src/mission/markdown/dashboard.js";
import { reconcile } from "../../src/mission/reconcile.js";
import { Config, type Mission } from "../../src/mission/model.js";
import { answered, plan, snapshotOf, withIssues } from "../support/missions.js";
import { TEST_EPOCH, testMissionId } from "../support/clock.js";

/** A time on the tests' clock: minutes after its start (test/support/clock.ts), never a dated literal. */
const at = (minutes: number) => new Date(TEST_EPOCH + minutes * 60_000).toISOString();

const config = Config.parse({ planner: { provider: "outline" } });
const NOW = at(180);

/** A past MVP mission whose M features took 1.5× the MVP share of the baseline, and a production one with an L feature. */
const history: CompletedFeature[] = [
  ...[1, 2, 3].map((i) => ({ size: "M" as const, tokens: 540_000, hours: 1.2, costMicros: 900_000, level: "mvp" as const, model: "claude-haiku-4-5", mission: testMissionId("old", 1), feature: `1.${i}` })),
  { size: "L", tokens: 2_000_000, hours: 5, costMicros: 9_000_000, model: "claude-sonnet-5-5", mission: testMissionId("older", 2), feature: "1.1" },
];

function approve(level?: "mvp" | "production" | "polished"): { planned: Mission; approved: Mission } {
  const planned = answered({ status: "planned", plan: plan([2, 2]) });
  const step = decide({ command: { name: "approve", ...(level ? { level } : {}) }, mission: planned, author: "alice", now: NOW, repo: planned.repo, issue: { number: 7, title: "CRM" }, config, history });
  if (step.kind !== "reply" || !step.mission) throw new Error("not approved");
  return { planned, approved: withIssues(step.mission) };
}

const features = (m: Mission) => m.plan!.milestones.flatMap((ms) => ms.features);

describe("one forecast for a mission, whoever asks", () => {
  it("the plan, the dispatch check, the alerts and the dashboard give the same forecast for a mission approved as MVP", () => {
    const { planned, approved } = approve("mvp");
    expect(approved.level).toBe("mvp");
    expect(approved.models.worker).toBe(config.tiers.cheap);

    // the plan's MVP row
    const mvp = analysePlan(planned, config, history).levels.find((l) => l.level === "mvp")!;
    expect(mvp.model).toBe(approved.models.worker);

    // the check before each dispatch: the same per-feature forecasts, summed
    const checked = features(approved).map((f) => dispatchCheck(approved, f, config, history));
    expect(checked.every((c) => c.ok)).toBe(true);
    const sum = (k: "low" | "point" | "high") => checked.reduce((s, c) => s + c.forecast.costMicros[k], 0);
    expect({ low: sum("low"), point: sum("point"), high: sum("high") }).toEqual(mvp.costMicros);

    // the alerts and the budget summary (a pulse's reconcile and a webhook's read the same usage)
    const u = usage(approved, config, NOW, { history });
    expect(u.usd.forecast).toEqual(mvp.costMicros);
    expect(u.tokens.forecast).toEqual(mvp.tokens);
    expect(u.dataPoints).toEqual({ S: 0, M: 3, L: 1 });

    // the dashboard
    const dashboard = renderDashboard({ mission: approved, closed: new Set(), config, history });
    expect(dashboard).toContain(`| Money | ${formatUsd(mvp.costMicros.point)} | ${formatUsd(mvp.costMicros.low)}–${formatUsd(mvp.costMicros.high)} |`);
    expect(dashboard).toContain("Outcome level: **MVP** · workers run `claude-haiku-4-5`");

    // the dispatches a reconcile decides carry the MVP model's forecast as their cost caps
    const decision = reconcile(snapshotOf(approved, { now: NOW, history }));
    const dispatches = decision.actions.flatMap((a) => (a.kind === "dispatch-worker" ? [a.dispatch] : []));
    expect(dispatches).toHaveLength(2);
    for (const d of dispatches) {
      const fc = checked[features(approved).findIndex((f) => f.key === d.feature)]!.forecast;
      expect(d.limits.max_cost_usd).toBe(Math.floor(Math.max(fc.costMicros.high, 500_000) / 10_000) / 100);
    }
  });

  it("learns from the mission's own finished features in every path, the same way", () => {
    const { approved } = approve("production");
    // 1.1 finished at twice the M baseline's tokens: a data point for the rest of the mission
    const done: Mission = {
      ...approved,
      plan: { ...approved.plan!, milestones: approved.plan!.milestones.map((ms) => ({ ...ms, features: ms.features.map((f) => (f.key === "1.1" ? { ...f, runs: [{ try: 1, run_id: 9, dispatched_at: NOW, status: "completed" as const, conclusion: "success" as const }] } : f)) })) },
      ledger: [{ key: "run-9-1", kind: "worker", feature: "1.1", tokens_in: 1_020_000, tokens_out: 180_000, cost_micros: 6_000_000, wall_seconds: 3 * 3600, actions_minutes: 180, at: NOW }],
    };
    const next = features(done).find((f) => f.key === "1.2")!;
    const atDispatch = dispatchCheck(done, next, config, history).forecast;
    const u = usage(done, config, NOW, { history });
    expect(u.dataPoints).toEqual({ S: 0, M: 4, L: 1 });
    expect(u.outlook.features.find((f) => f.key === "1.2")!.forecast).toEqual(atDispatch);
    // three features left at 1.2's forecast, plus what 1.1 spent
    expect(u.usd.forecast.point).toBe(6_000_000 + 3 * atDispatch.costMicros.point);
    const dashboard = renderDashboard({ mission: done, closed: new Set(["1.1"]), config, history });
    expect(dashboard).toContain(`| Money | ${formatUsd(u.usd.forecast.point)} |`);
    expect(dashboard).toContain("Calibrated from 5 finished features (S: 0, M: 4, L: 1)");
  });

  it("approves at the best level the budget fits with its buffer, unless one is chosen", () => {
    expect(approve().approved.level).toBe("polished"); // $500 fits every level
    const tight = answered({ status: "planned", plan: plan([2, 2]), budget: { usd: 12, hours: 40, tokens: 50_000_000, alerts: [0.5, 0.8, 1], hard_stop: "finish" } });
    const fits = analysePlan(tight, config, history).fits;
    const step = decide({ command: { name: "approve" }, mission: tight, author: "alice", now: NOW, repo: tight.repo, issue: { number: 7, title: "CRM" }, config, history });
    expect(step.kind === "reply" && step.mission?.level).toBe(fits);
    expect(fits).not.toBe("polished");
  });
});

describe("near the budget, a cheaper level for the features left", () => {
  const spentHalf = (m: Mission): Mission => ({
    ...m,
    ledger: [{ key: "run-1-1", kind: "worker", feature: "1.1", tokens_in: 10, tokens_out: 10, cost_micros: 260_000_000, wall_seconds: 60, actions_minutes: 1, at: NOW }],
  });

  it("is proposed in the alert with its effect on the forecast, and chosen with /mission approve <level>", () => {
    const { approved } = approve("production");
    const m = spentHalf(approved);
    const [alert] = alertsDue(m, config, NOW, { history });
    const cheaper = cheaperLevel(m, config, { history })!;
    expect(cheaper.level).toBe("mvp");
    expect(alert!.text).toContain(`the 4 features left at **MVP** (workers on \`claude-haiku-4-5\`) would bring the money forecast at completion to ${formatUsd(cheaper.forecastMicros)}, from ${formatUsd(usage(m, config, NOW, { history }).usd.forecast.point)}`);
    expect(alert!.text).toContain("To switch, comment `/mission approve mvp`.");
    expect(cheaper.forecastMicros).toBeLessThan(usage(m, config, NOW, { history }).usd.forecast.point);
    const step = decide({ command: { name: "approve", level: "mvp" }, mission: m, author: "alice", now: NOW, repo: m.repo, issue: { number: 7, title: "CRM" }, config, history });
    expect(step.kind === "reply" && step.mission?.models.worker).toBe("claude-haiku-4-5");
  });

  it("is applied at once when the repository's configuration says so", () => {
    const applying = Config.parse({ planner: { provider: "outline" }, budget: { downgrade: "apply" } });
    const { approved } = approve("production");
    const decision = reconcile(snapshotOf(spentHalf(approved), { now: NOW, history, config: applying }));
    expect(decision.mission?.level).toBe("mvp");
    expect(decision.mission?.models.worker).toBe("claude-haiku-4-5");
    const dispatched = decision.actions.find((a) => a.kind === "dispatch-worker");
    expect(dispatched).toBeDefined();
    expect(decision.actions.find((a) => a.kind === "comment" && a.key.startsWith("alert:"))).toMatchObject({ body: expect.stringContaining("Applied, as `budget.downgrade: apply`") });
  });
});
