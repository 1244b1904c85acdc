import { describe, expect, it } from "vitest";
import { calibrate, calibrationHistory, forecastFeature, historyFrom, median, pastForecastError, type CompletedFeature } from "../../src/mission/budget/forecast.js";
import { Config, LedgerEntry, Plan, type Mission, type Size } from "../../src/mission/model.js";
import { answered } from "../support/missions.js";

/** Pinned prices and baselines: the arithmetic below must not move when the shipped defaults do. */
const config = Config.parse({
  models: { planner: "claude-sonnet-4-5", worker: "claude-sonnet-4-5", validator: "claude-haiku-4-5" },
  tiers: { cheap: "claude-haiku-4-5", standard: "claude-sonnet-4-5", top: "claude-opus-4-5" },
  prices: {
    "claude-haiku-4-5": { input: 1, output: 5 },
    "claude-sonnet-4-5": { input: 3, output: 15 },
    "claude-opus-4-5": { input: 5, output: 25 },
  },
  baselines: { S: { tokens: 200_000, hours: 0.5 }, M: { tokens: 600_000, hours: 1.5 }, L: { tokens: 1_500_000, hours: 4 } },
  output_share: 0.15,
  runner_prices: { runner: "linux", per_minute: { linux: 0.006 } },
});

const point = (size: Size, tokens: number, hours: number, costMicros = 0): CompletedFeature => ({
  size,
  tokens,
  hours,
  costMicros,
  mission: "m-20261101-old-1",
  feature: "1.1",
});

describe("calibrate", () => {
  const history = [
    point("S", 100_000, 0.2),
    point("S", 300_000, 0.4),
    point("S", 200_000, 0.3),
    point("M", 900_000, 3),
    // no tokens or no time recorded: not a data point
    point("L", 0, 2),
    point("L", 2_000_000, 0),
  ];
  const { baselines, dataPoints } = calibrate(config, history);

  it("counts the data points per size, leaving out features without tokens or time", () => {
    expect(dataPoints).toEqual({ S: 3, M: 1, L: 0 });
  });

  it("uses the median actual from 3 data points", () => {
    expect(baselines.S).toEqual({ tokens: 200_000, hours: 0.3 });
  });

  it("blends fewer data points with the configured baseline, which counts as the missing ones", () => {
    // (600k × 2 + 900k) / 3 and (1.5 × 2 + 3) / 3
    expect(baselines.M).toEqual({ tokens: 700_000, hours: 2 });
    const two = calibrate(config, [point("M", 900_000, 3), point("M", 1_200_000, 1.5)]);
    expect(two.baselines.M).toEqual({ tokens: 900_000, hours: 2 });
  });

  it("keeps the configured baseline without data points", () => {
    expect(baselines.L).toEqual(config.baselines.L);
    expect(calibrate(config, []).baselines).toEqual(config.baselines);
  });

  it("is not moved by one outlier once there are enough data points", () => {
    const many = [...history, point("S", 50_000_000, 40)];
    expect(calibrate(config, many).baselines.S.tokens).toBe(250_000);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe("forecastFeature", () => {
  it("prices the baseline at the worker model, output tokens separately, plus Actions minutes, with the plan's range", () => {
    const f = forecastFeature({ size: "M" }, config, []);
    expect(f.tokens).toEqual({ low: 420_000, point: 600_000, high: 900_000 });
    expect(f.hours).toEqual({ low: 1.05, point: 1.5, high: 2.25 });
    // 510k in × $3/M + 90k out × $15/M = $2.88, plus 90 Actions minutes × $0.006 = $0.54
    expect(f.costMicros.point).toBe(2_880_000 + 540_000);
    expect(f.costMicros.low).toBeLessThan(f.costMicros.point);
    expect(f.costMicros.high).toBe(4_320_000 + 135 * 6_000);
  });

  it("learns from history", () => {
    const history = [point("S", 400_000, 1), point("S", 400_000, 1), point("S", 400_000, 1)];
    expect(forecastFeature({ size: "S" }, config, history).tokens.point).toBe(400_000);
    expect(forecastFeature({ size: "S" }, config, []).tokens.point).toBe(200_000);
  });

  it("uses the mission's worker model, and the top tier's price for a model without one", () => {
    const at = (model: string) => ({ level: "production" as const, model });
    const opus = forecastFeature({ size: "S" }, config, [], at("claude-opus-4-5")).costMicros.point;
    expect(forecastFeature({ size: "S" }, config, [], at("mystery-9")).costMicros.point).toBe(opus);
    expect(forecastFeature({ size: "S" }, config, [], at("claude-haiku-4-5")).costMicros.point).toBeLessThan(opus);
  });

  it("scales tokens and hours by the outcome level", () => {
    const mvp = forecastFeature({ size: "M" }, config, [], { level: "mvp", model: "claude-haiku-4-5" });
    expect(mvp.tokens.point).toBe(360_000);
    expect(mvp.hours.point).toBe(0.75);
    const polished = forecastFeature({ size: "M" }, config, [], { level: "polished", model: "claude-opus-4-5" });
    expect(polished.tokens.point).toBe(1_200_000);
    expect(polished.hours.point).toBe(2.25);
  });

  it("learns from an MVP mission's features as production-ready ones (its factors taken out)", () => {
    const cheap = [1, 2, 3].map(() => ({ ...point("M", 360_000, 0.75), level: "mvp" as const }));
    expect(calibrate(config, cheap).baselines.M).toEqual({ tokens: 600_000, hours: 1.5 });
  });
});

describe("historyFrom", () => {
  const plan = Plan.parse({
    source: "outline",
    milestones: [
      {
        key: "1",
        title: "One",
        features: [
          { key: "1.1", title: "Done by its run", size: "S", runs: [run("success")] },
          { key: "1.2", title: "Failed run", size: "M", runs: [run("failure")] },
          { key: "1.3", title: "Closed issue", size: "L" },
        ],
      },
    ],
  });
  const ledger = [
    entry("run-1-1", "1.1", 100_000, 1_800, 1_000_000),
    entry("run-2-1", "1.1", 50_000, 1_800, 500_000),
    entry("run-3-1", "1.2", 700_000, 3_600, 4_000_000),
    entry("run-4-1", "1.3", 2_000_000, 7_200, 9_000_000),
  ];
  const active: Mission = answered({ status: "active", plan, ledger });

  it("sums each done feature's entries; features not done are left out", () => {
    expect(historyFrom([active])).toEqual([
      { size: "S", tokens: 150_000, hours: 1, costMicros: 1_500_000, model: active.models.worker, mission: active.id, feature: "1.1" },
    ]);
  });

  it("counts features whose issues are closed, and every feature of a completed mission", () => {
    const closed = new Map([[active.id, new Set(["1.3"])]]);
    expect(historyFrom([active], closed).map((p) => p.feature)).toEqual(["1.1", "1.3"]);
    const finished = { ...active, id: "m-20261101-old-1", status: "completed" as const };
    expect(historyFrom([finished]).map((p) => p.feature)).toEqual(["1.1", "1.2", "1.3"]);
  });

  it("reads a mission given twice once", () => {
    expect(historyFrom([active, active])).toHaveLength(1);
  });
});

describe("calibrationHistory", () => {
  it("takes the repository's finished features and the mission's own, each once", () => {
    const m: Mission = answered({
      status: "active",
      plan: Plan.parse({ source: "outline", milestones: [{ key: "1", title: "One", features: [{ key: "1.1", title: "Done", size: "S", runs: [run("success")] }] }] }),
      ledger: [entry("run-1-1", "1.1", 100_000, 1_800, 1_000_000)],
    });
    const repository = [point("M", 900_000, 3), { ...point("S", 1, 1), mission: m.id, feature: "1.1" }];
    const data = calibrationHistory(m, repository);
    expect(data.map((p) => `${p.mission}/${p.feature}/${p.tokens}`)).toEqual(["m-20261101-old-1/1.1/900000", `${m.id}/1.1/100000`]);
  });
});

describe("pastForecastError", () => {
  it("forecasts each past mission from the ones before it and compares with what it cost", () => {
    // the baseline S forecast at production on sonnet: 200k tokens → $0.96 + 30 minutes × $0.006 = $1.14
    const s = forecastFeature({ size: "S" }, config, []).costMicros.point;
    const first = { ...point("S", 200_000, 0.5, s * 2), mission: "m-20261101-a-1" };
    const error = pastForecastError(config, [first]);
    expect(error).toEqual({ missions: 1, meanAbsolute: 0.5, meanSigned: -0.5 });
    expect(pastForecastError(config, [])).toBeUndefined();
  });
});

function run(conclusion: "success" | "failure") {
  return { try: 1, run_id: 1, dispatched_at: "2026-11-24T10:00:00Z", status: "completed" as const, conclusion };
}

function entry(key: string, feature: string, tokens: number, seconds: number, micros: number): LedgerEntry {
  return LedgerEntry.parse({
    key,
    kind: "worker",
    feature,
    tokens_in: tokens - Math.round(tokens * 0.15),
    tokens_out: Math.round(tokens * 0.15),
    cost_micros: micros,
    wall_seconds: seconds,
    at: "2026-11-24T12:00:00Z",
  });
}
