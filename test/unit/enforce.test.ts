import { describe, expect, it } from "vitest";
import {
  alertsDue,
  dispatchCheck,
  exhaustedDimensions,
  increaseBudget,
  pauseForBudget,
  perRunLimits,
  usage,
  type Alert,
} from "../../src/mission/budget/enforce.js";
import { forecastFeature } from "../../src/mission/budget/forecast.js";
import { Budget, Config, LedgerEntry, Mission, type Feature } from "../../src/mission/model.js";
import { answered, plan } from "../support/missions.js";

/** Pinned prices: the arithmetic below must not move when the shipped defaults do. */
const models = { planner: "claude-sonnet-4-5", worker: "claude-sonnet-4-5", validator: "claude-haiku-4-5" };
const config = Config.parse({
  models,
  tiers: { cheap: "claude-haiku-4-5", standard: "claude-sonnet-4-5", top: "claude-opus-4-5" },
  prices: {
    "claude-haiku-4-5": { input: 1, output: 5 },
    "claude-sonnet-4-5": { input: 3, output: 15 },
    "claude-opus-4-5": { input: 5, output: 25 },
  },
  runner_prices: { runner: "linux", per_minute: { linux: 0.006 } },
});
const NOW = "2026-11-24T14:00:00Z";

/** An active mission with two M features (1.1, 1.2) and a $50 / 40h / 50M-token budget. */
function active(overrides: Partial<Mission> = {}, budget: Partial<Budget> = {}): Mission {
  return answered({
    status: "active",
    models,
    plan: plan([2]),
    budget: Budget.parse({ hours: 40, usd: 50, tokens: 50_000_000, ...budget }),
    ...overrides,
  });
}

function spend(usd: number, opts: { key?: string; feature?: string; seconds?: number; tokens?: number } = {}): LedgerEntry {
  return LedgerEntry.parse({
    key: opts.key ?? "run-1-1",
    kind: "worker",
    feature: opts.feature,
    tokens_in: opts.tokens ?? 0,
    tokens_out: 0,
    cost_micros: Math.round(usd * 1_000_000),
    wall_seconds: opts.seconds ?? 0,
    at: "2026-11-24T12:00:00Z",
  });
}

function withRun(m: Mission, key: string, status: "queued" | "in_progress" | "completed", conclusion?: "success"): Mission {
  const copy = structuredClone(m);
  const f = copy.plan!.milestones.flatMap((ms) => ms.features).find((x) => x.key === key)!;
  f.runs.push({ try: 1, dispatched_at: "2026-11-24T10:00:00Z", status, ...(conclusion ? { conclusion } : {}) });
  return copy;
}

const feature = (m: Mission, key: string): Feature => m.plan!.milestones.flatMap((ms) => ms.features).find((f) => f.key === key)!;
const markSent = (m: Mission, alerts: Alert[]): Mission => ({ ...m, alerts_sent: [...m.alerts_sent, ...alerts.flatMap((a) => a.marks)] });

describe("usage", () => {
  it("counts spent, remaining and the fraction per capped dimension, in micro-dollars for money", () => {
    const m = active({ ledger: [spend(20, { seconds: 3 * 3600, tokens: 1_000_000 })] }, { tokens: null });
    const u = usage(m, config, NOW);
    expect(u.usd).toMatchObject({ limit: 50_000_000, spent: 20_000_000, remaining: 30_000_000, fraction: 0.4 });
    expect(u.hours).toMatchObject({ limit: 40, spent: 3, remaining: 37, fraction: 0.075 });
    expect(u.tokens).toMatchObject({ limit: null, spent: 1_000_000, remaining: null, fraction: null });
    expect(usage(active({}, { usd: undefined }), config, NOW).usd).toMatchObject({ limit: undefined, remaining: null });
  });

  it("burns per hour since the first dispatch, and forecasts spent + the features not done", () => {
    const m = withRun(active({ ledger: [spend(20, { feature: "1.1" })] }), "1.1", "completed", "success");
    const u = usage(m, config, NOW);
    expect(u.since).toBe("2026-11-24T10:00:00Z");
    expect(u.elapsedHours).toBe(4);
    expect(u.usd.burnPerHour).toBe(5_000_000);
    expect(u.featuresLeft).toBe(1);
    const left = forecastFeature(feature(m, "1.2"), config, [], { level: "production", model: models.worker }).costMicros;
    // the done feature's $20 is a data point: 1.2's M baseline blends with it, so pass the same history
    const own = usage(m, config, NOW, { history: [] });
    expect(own.usd.forecast).toEqual({ low: 20_000_000 + left.low, point: 20_000_000 + left.point, high: 20_000_000 + left.high });
  });

  it("counts a feature's spending so far against its forecast", () => {
    const m = withRun(active({ ledger: [spend(1, { feature: "1.2" })] }), "1.2", "in_progress");
    const u = usage(m, config, NOW, { history: [] });
    const one = forecastFeature(feature(m, "1.1"), config, []).costMicros.point;
    expect(u.usd.forecast.point).toBe(1_000_000 + one + (one - 1_000_000));
  });
});

describe("alertsDue", () => {
  it("posts one alert naming the highest threshold when spending jumps from 0% to 120%, and marks all three", () => {
    const m = active({ ledger: [spend(60)] });
    const alerts = alertsDue(m, config, NOW);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ key: "usd:1", dimension: "usd", threshold: 1, marks: ["usd:0.5", "usd:0.8", "usd:1"] });
    expect(alerts[0]!.text).toContain("money budget is exhausted");
    expect(alerts[0]!.text).toContain("$60.00 of $50 spent (120%)");
    expect(alerts[0]!.text).toMatch(/Burn rate: .*an hour/);
    expect(alerts[0]!.text).toMatch(/Forecast at completion: \$\d+\.\d\d \(/);
    expect(alerts[0]!.text).toMatch(/`\/mission budget \+\$\d+`/);
  });

  it("posts nothing the second time", () => {
    const m = active({ ledger: [spend(60)] });
    expect(alertsDue(markSent(m, alertsDue(m, config, NOW)), config, NOW)).toEqual([]);
  });

  it("posts each threshold as it is crossed, once", () => {
    let m = active({ ledger: [spend(25)] });
    const first = alertsDue(m, config, NOW);
    expect(first.map((a) => [a.key, a.marks])).toEqual([["usd:0.5", ["usd:0.5"]]]);
    expect(first[0]!.text).toContain("50% of the money budget reached");
    m = markSent(m, first);
    m = { ...m, ledger: [...m.ledger, spend(17, { key: "run-2-1" })] };
    expect(alertsDue(m, config, NOW).map((a) => [a.key, a.marks])).toEqual([["usd:0.8", ["usd:0.8"]]]);
  });

  it("announces an exhausted budget even when no threshold is 100%", () => {
    const m = active({ ledger: [spend(55)] }, { alerts: [0.5, 0.8] });
    const alerts = alertsDue(m, config, NOW);
    expect(alerts.map((a) => a.key)).toEqual(["usd:0.8"]);
    expect(alerts[0]!.text).toContain("money budget is exhausted");
  });

  it("posts nothing for a completed mission, whose late reports still count", () => {
    expect(alertsDue(active({ status: "completed", ledger: [spend(60)] }), config, NOW)).toEqual([]);
  });

  it("alerts per dimension in a fixed order, and never for uncapped or unset limits", () => {
    const m = active({ ledger: [spend(30, { seconds: 36 * 3600, tokens: 100_000_000 })] }, { tokens: null });
    expect(alertsDue(m, config, NOW).map((a) => a.key)).toEqual(["hours:0.8", "usd:0.5"]);
    const unset = active({ ledger: [spend(500)] }, { usd: undefined, hours: null, tokens: null });
    expect(alertsDue(unset, config, NOW)).toEqual([]);
  });
});

describe("exhaustedDimensions", () => {
  it("names the capped dimensions at 100% or more", () => {
    expect(exhaustedDimensions(active({ ledger: [spend(49.99)] }), config, NOW)).toEqual([]);
    expect(exhaustedDimensions(active({ ledger: [spend(50, { seconds: 41 * 3600 })] }), config, NOW)).toEqual(["hours", "usd"]);
  });
});

describe("dispatchCheck", () => {
  it("allows a feature whose high forecast fits what remains", () => {
    const m = active();
    expect(dispatchCheck(m, feature(m, "1.1"), config, [])).toMatchObject({ ok: true });
  });

  it("refuses a feature forecast to overrun what remains, and says so", () => {
    const m = active({ ledger: [spend(46.8)] });
    const r = dispatchCheck(m, feature(m, "1.1"), config, []);
    expect(r.ok).toBe(false);
    const reason = (r as { reason: string }).reason;
    expect(reason).toMatch(/^Feature 1\.1 is forecast to cost \$\d+\.\d\d–\$\d+\.\d\d but \$3\.20 remains of the \$50 money budget\./);
    expect(reason).toMatch(/`\/mission budget \+\$\d+`/);
  });

  it("refuses any feature once a dimension is exhausted", () => {
    const m = active({ ledger: [spend(1, { tokens: 50_000_000 })] });
    const r = dispatchCheck(m, feature(m, "1.1"), config, []);
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/^Feature 1\.1 was not started: the tokens budget is exhausted \(50M of 50M spent\)/) });
  });

  it("sets aside the high forecast of workers still running", () => {
    const high = forecastFeature({ size: "M" }, config, []).costMicros.high;
    // room for one M feature's high forecast, not two
    const usd = (high * 1.5) / 1_000_000;
    const m = active({}, { usd });
    expect(dispatchCheck(m, feature(m, "1.2"), config, [])).toMatchObject({ ok: true });
    const running = withRun(m, "1.1", "in_progress");
    const r = dispatchCheck(running, feature(running, "1.2"), config, []);
    expect(r.ok).toBe(false);
    expect((r as { reason: string }).reason).toContain("set aside for 1 running worker");
  });
});

describe("perRunLimits", () => {
  it("derives turns, timeout and cost from the feature's high forecast", () => {
    const m = active();
    const fc = forecastFeature({ size: "M" }, config, []);
    expect(perRunLimits(m, feature(m, "1.1"), config, [])).toEqual({
      max_turns: Math.ceil(fc.tokens.high / config.budget.per_run.tokens_per_turn),
      timeout_minutes: Math.ceil(fc.hours.high * 60),
      max_cost_usd: Math.floor(fc.costMicros.high / 10_000) / 100,
    });
  });

  it("gives no cost cap when money is uncapped, and holds to the configured ceilings", () => {
    const m = active({}, { usd: null });
    const tight = Config.parse({ ...config, budget: { per_run: { max_turns: 20, timeout_minutes: 30 } } });
    expect(perRunLimits(m, feature(m, "1.1"), tight, [])).toEqual({ max_turns: 20, timeout_minutes: 30 });
  });

  it("never gives a run more than remains, whatever is left", () => {
    for (const left of [0, 0.05, 0.3, 0.99, 2, 4, 10]) {
      const m = active({ ledger: [spend(50 - left, { seconds: (40 - left) * 3600, tokens: 50_000_000 - left * 10_000 })] });
      const limits = perRunLimits(m, feature(m, "1.1"), config, []);
      expect(limits.max_cost_usd!, `$${left} left`).toBeLessThanOrEqual(left);
      expect(limits.timeout_minutes, `${left}h left`).toBeLessThanOrEqual(left * 60);
      expect(limits.max_turns * config.budget.per_run.tokens_per_turn, `${left * 10_000} tokens left`).toBeLessThanOrEqual(left * 10_000);
    }
  });

  it("keeps a sane floor when plenty remains", () => {
    const small = Config.parse({ ...config, baselines: { ...config.baselines, M: { tokens: 1_000, hours: 0.01 } } });
    const m = active();
    expect(perRunLimits(m, feature(m, "1.1"), small, [])).toEqual({ max_turns: 10, timeout_minutes: 15, max_cost_usd: 0.5 });
  });
});

describe("increaseBudget", () => {
  const at = "2026-11-24T15:00:00Z";
  const exhausted = () => {
    const m = active({ ledger: [spend(60, { seconds: 25 * 3600 })], alerts_sent: ["usd:0.5", "usd:0.8", "usd:1", "hours:0.5"] });
    return pauseForBudget(m, exhaustedDimensions(m, config, NOW), NOW);
  };

  it("resumes a mission the budget paused once nothing is exhausted, and records the decision", () => {
    const paused = exhausted();
    expect(paused).toMatchObject({ status: "paused", paused_reason: "budget: money exhausted" });
    const m = increaseBudget(paused, { usd: 50 }, "alice", at);
    expect(m.budget.usd).toBe(100);
    expect(m.status).toBe("active");
    expect(m.paused_reason).toBeUndefined();
    expect(Mission.parse(m)).toEqual(m);
    expect(m.decisions.at(-1)).toEqual({ at, by: "alice", what: "Budget raised by $50 by @alice: $50 → $100; the mission resumes" });
    expect(alertsDue(m, config, at)).toEqual([]);
  });

  it("re-arms the alerts whose thresholds are no longer crossed, so they fire again later", () => {
    const m = increaseBudget(exhausted(), { usd: 50 }, "alice", at);
    // $60 of $100: 50% stays crossed; 80% and 100% fire again; 25h of 40h still crosses 50%
    expect(m.alerts_sent).toEqual(["usd:0.5", "hours:0.5"]);
    // raised far past the spending: every alert is armed again
    expect(increaseBudget(exhausted(), { usd: 500, hours: 100 }, "alice", at).alerts_sent).toEqual([]);
    const later = { ...m, ledger: [...m.ledger, spend(45, { key: "run-9-1" })] };
    expect(alertsDue(later, config, at).map((a) => a.marks)).toEqual([["usd:0.8", "usd:1"]]);
  });

  it("stays paused while another dimension is still exhausted", () => {
    const m0 = active({ ledger: [spend(60, { seconds: 41 * 3600 })] });
    const paused = pauseForBudget(m0, exhaustedDimensions(m0, config, NOW), NOW);
    expect(paused.paused_reason).toBe("budget: time, money exhausted");
    const m = increaseBudget(paused, { usd: 50 }, "alice", at);
    expect(m.status).toBe("paused");
    expect(increaseBudget(m, { hours: 10 }, "bob", at).status).toBe("active");
  });

  it("keeps an uncapped limit uncapped, sets an unset one, and adds money without drift", () => {
    const m = increaseBudget(active({}, { usd: 0.1, hours: null, tokens: undefined }), { usd: 0.2, hours: 10, tokens: 2_000_000 }, "@carol", at);
    expect(m.budget).toMatchObject({ usd: 0.3, hours: null, tokens: 2_000_000 });
    expect(m.decisions.at(-1)!.what).toBe(
      "Budget raised by 10h, $0.20, 2M tokens by @carol: time stays uncapped; money $0.10 → $0.30; tokens not set → 2M tokens",
    );
  });

  it("does not resume a mission a person paused, and changes nothing for nothing", () => {
    const byPerson = active({ status: "paused", paused_reason: "paused by @dana: waiting for design" });
    expect(increaseBudget(byPerson, { usd: 10 }, "alice", at)).toMatchObject({ status: "paused", paused_reason: "paused by @dana: waiting for design" });
    const m = active();
    expect(increaseBudget(m, {}, "alice", at)).toBe(m);
  });
});

describe("pauseForBudget", () => {
  it("pauses once with the reason, and leaves finished or person-paused missions alone", () => {
    const m = pauseForBudget(active(), ["usd"], NOW);
    expect(m).toMatchObject({ status: "paused", paused_reason: "budget: money exhausted" });
    expect(m.decisions).toHaveLength(1);
    expect(pauseForBudget(m, ["usd"], NOW)).toBe(m);
    const done = active({ status: "completed" });
    expect(pauseForBudget(done, ["usd"], NOW)).toBe(done);
    const byPerson = active({ status: "paused", paused_reason: "paused by @dana" });
    expect(pauseForBudget(byPerson, ["usd"], NOW)).toBe(byPerson);
    expect(pauseForBudget(active(), [], NOW).status).toBe("active");
  });
});
