import { describe, expect, it } from "vitest";
import { analysePlan } from "../../src/mission/budget/budget.js";
import { costMicros } from "../../src/mission/budget/money.js";
import { Budget, Config, Plan, type Size } from "../../src/mission/model.js";
import { answered } from "../support/missions.js";

/** Pinned tiers and prices: the arithmetic below must not move when the shipped defaults do. */
const pinned = {
  tiers: { cheap: "claude-haiku-4-5", standard: "claude-sonnet-4-5", top: "claude-opus-4-5" },
  models: { planner: "claude-sonnet-4-5", worker: "claude-sonnet-4-5", validator: "claude-haiku-4-5" },
  prices: {
    "claude-haiku-4-5": { input: 1, output: 5 },
    "claude-sonnet-4-5": { input: 3, output: 15 },
    "claude-opus-4-5": { input: 5, output: 25 },
  },
  // Actions minutes free here (a public repository): the tokens' arithmetic alone
  runner_prices: { runner: "linux", per_minute: { linux: 0 } },
};

/** One S, one M and one L feature: 2.3M tokens and 6 hours at baseline. */
const plan: Plan = Plan.parse({
  source: "test",
  milestones: [
    {
      key: "1",
      title: "Contacts",
      description: "",
      features: (["S", "M", "L"] as Size[]).map((size, i) => ({
        key: `1.${i + 1}`,
        title: `Feature ${size}`,
        description: "",
        acceptance: [],
        size,
        depends_on: [],
      })),
    },
  ],
});

const budget = (b: Partial<Budget> = {}) => Budget.parse(b);

describe("costMicros", () => {
  it("prices input and output tokens separately in integer micro-dollars", () => {
    expect(costMicros(1_000_000, 0, { input: 3, output: 15 })).toBe(3_000_000);
    expect(costMicros(0, 1_000_000, { input: 3, output: 15 })).toBe(15_000_000);
    expect(costMicros(1_000, 100, { input: 1.25, output: 10 })).toBe(2_250);
  });

  it("rounds once, half up, after summing", () => {
    expect(costMicros(3, 0, { input: 0.5, output: 0 })).toBe(2);
    // 0.4 + 0.4 rounds to 1 only when summed before rounding
    expect(costMicros(1, 1, { input: 0.4, output: 0.4 })).toBe(1);
  });

  it("stays exact for large token counts", () => {
    expect(costMicros(9_007_199_254, 0, { input: 75, output: 0 })).toBe(675_539_944_050);
    expect(Number.isInteger(costMicros(123_457, 98_765, { input: 0.07, output: 0.33 }))).toBe(true);
  });
});

describe("analysePlan", () => {
  const analysis = analyse();
  const [mvp, production, polished] = analysis.levels;

  it("prices MVP at 0.6× tokens and half the hours, on the cheap tier its workers run", () => {
    expect(mvp?.label).toBe("MVP");
    expect(mvp?.model).toBe("claude-haiku-4-5");
    expect(mvp?.tokens.point).toBe(1_380_000);
    expect(mvp?.hours.point).toBe(3);
    // per feature: 85% input × $1/M + 15% output × $5/M, summed: 1,173,000 in and 207,000 out
    expect(mvp?.costMicros.point).toBe(2_208_000);
  });

  it("prices production-ready at the baselines on the repository's worker model", () => {
    expect(production?.model).toBe("claude-sonnet-4-5");
    expect(production?.tokens.point).toBe(2_300_000);
    expect(production?.hours.point).toBe(6);
    expect(production?.costMicros.point).toBe(11_040_000);
  });

  it("prices polished at 2× tokens and 1.5× hours on the top tier", () => {
    expect(polished?.model).toBe("claude-opus-4-5");
    expect(polished?.tokens.point).toBe(4_600_000);
    expect(polished?.hours.point).toBe(9);
    expect(polished?.costMicros.point).toBe(36_800_000);
  });

  it("gives a range of 0.7× to 1.5× the point estimate", () => {
    expect(production?.tokens).toEqual({ low: 1_610_000, point: 2_300_000, high: 3_450_000 });
    expect(production?.costMicros.high).toBe(16_560_000);
    // hours are rounded per feature to the hundredth, as each feature's check sees them: 0.38 + 1.13 + 3
    expect(mvp?.hours).toEqual({ low: 2.1, point: 3, high: 4.51 });
  });

  it("uses the configured output share rather than a blended rate", () => {
    const allInput = analyse({}, { output_share: 0 });
    expect(allInput.levels[1]?.costMicros.point).toBe(2_300_000 * 3);
  });

  it("counts the Actions minutes a level's hours take", () => {
    const paid = analyse({}, { runner_prices: { runner: "linux", per_minute: { linux: 0.01 } } });
    // 6 hours = 360 minutes at $0.01
    expect(paid.levels[1]?.costMicros.point).toBe(11_040_000 + 3_600_000);
  });

  it("fits every level when no dimension is capped", () => {
    expect(analysis.fits).toBe("polished");
    expect(analyse({ usd: null, hours: null }).fits).toBe("polished");
  });

  it("fits the highest level whose high estimate plus 20% is within the budget", () => {
    // production high $16.56 × 1.2 = $19.872
    expect(analyse({ usd: 20 }).fits).toBe("production");
    const tight = analyse({ usd: 19.8 });
    expect(tight.fits).toBe("mvp");
    expect(tight.levels[1]?.overruns).toEqual([{ dimension: "usd", needed: 19_872_000, limit: 19_800_000 }]);
  });

  it("says which dimension breaks when not even the MVP fits", () => {
    const small = analyse({ usd: 100, hours: 5 });
    expect(small.fits).toBeNull();
    expect(small.levels[0]?.overruns).toEqual([{ dimension: "hours", needed: 5.41, limit: 5 }]);
    const fewTokens = analyse({ tokens: 2_000_000 });
    expect(fewTokens.levels[0]?.overruns).toEqual([{ dimension: "tokens", needed: 2_484_000, limit: 2_000_000 }]);
  });

  it("warns, and prices at the top tier, when a level's model has no price", () => {
    const missing = analyse({}, { tiers: { cheap: "mystery", standard: "claude-sonnet-4-5", top: "claude-opus-4-5" } });
    expect(missing.levels[0]?.costMicros.point).toBe(11_040_000);
    expect(missing.warnings).toEqual([expect.stringContaining("no price is configured for mystery")]);
  });
});

function analyse(b: Partial<Budget> = {}, settings: Record<string, unknown> = {}) {
  const config = Config.parse({ ...pinned, ...settings });
  return analysePlan(answered({ status: "planned", plan, budget: budget(b), models: config.models }), config);
}
