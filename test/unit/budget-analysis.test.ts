import { describe, expect, it } from "vitest";
import { analysePlan } from "../../src/mission/budget/budget.js";
import { costMicros } from "../../src/mission/budget/money.js";
import { Budget, Config, Plan, type Size } from "../../src/mission/model.js";

/** Pinned tiers and prices: the arithmetic below must not move when the shipped defaults do. */
const pinned = {
  tiers: { cheap: "claude-haiku-4-5", standard: "claude-sonnet-4-5", top: "claude-opus-4-5" },
  prices: {
    "claude-haiku-4-5": { input: 1, output: 5 },
    "claude-sonnet-4-5": { input: 3, output: 15 },
    "claude-opus-4-5": { input: 5, output: 25 },
  },
};
const config = Config.parse(pinned);

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
  const analysis = analysePlan(plan, config, budget());
  const [mvp, production, polished] = analysis.levels;

  it("prices MVP at 0.6× tokens on the cheap tier and half the hours", () => {
    expect(mvp?.label).toBe("MVP");
    expect(mvp?.tokens.point).toBe(1_380_000);
    expect(mvp?.hours.point).toBe(3);
    // 1,173,000 input × $1/M + 207,000 output × $5/M (15% output share)
    expect(mvp?.costMicros.point).toBe(2_208_000);
  });

  it("prices production-ready at 1.5× tokens on the standard tier", () => {
    expect(production?.tokens.point).toBe(3_450_000);
    expect(production?.hours.point).toBe(6);
    expect(production?.costMicros.point).toBe(16_560_000);
  });

  it("prices polished at 3× tokens, 30% on the top tier and 70% on standard", () => {
    expect(polished?.tokens.point).toBe(6_900_000);
    expect(polished?.costMicros.point).toBe(16_560_000 + 23_184_000);
  });

  it("gives a range of 0.7× to 1.5× the point estimate", () => {
    expect(production?.tokens).toEqual({ low: 2_415_000, point: 3_450_000, high: 5_175_000 });
    expect(production?.costMicros.high).toBe(24_840_000);
    expect(mvp?.hours).toEqual({ low: 2.1, point: 3, high: 4.5 });
  });

  it("uses the configured output share rather than a blended rate", () => {
    const allInput = analysePlan(plan, Config.parse({ ...pinned, output_share: 0 }), budget());
    expect(allInput.levels[1]?.costMicros.point).toBe(3_450_000 * 3);
  });

  it("fits every level when no dimension is capped", () => {
    expect(analysis.fits).toBe("polished");
    expect(analysePlan(plan, config, budget({ usd: null, hours: null })).fits).toBe("polished");
  });

  it("fits the highest level whose high estimate plus 20% is within the budget", () => {
    // production high $24.84 × 1.2 = $29.808
    expect(analysePlan(plan, config, budget({ usd: 30 })).fits).toBe("production");
    const tight = analysePlan(plan, config, budget({ usd: 29.8 }));
    expect(tight.fits).toBe("mvp");
    expect(tight.levels[1]?.overruns).toEqual([{ dimension: "usd", needed: 29_808_000, limit: 29_800_000 }]);
  });

  it("says which dimension breaks when not even the MVP fits", () => {
    const small = analysePlan(plan, config, budget({ usd: 100, hours: 5 }));
    expect(small.fits).toBeNull();
    expect(small.levels[0]?.overruns).toEqual([{ dimension: "hours", needed: 5.4, limit: 5 }]);
    const fewTokens = analysePlan(plan, config, budget({ tokens: 2_000_000 }));
    expect(fewTokens.levels[0]?.overruns).toEqual([{ dimension: "tokens", needed: 2_484_000, limit: 2_000_000 }]);
  });

  it("warns instead of failing when a tier has no price", () => {
    const missing = analysePlan(plan, Config.parse({ ...pinned, tiers: { cheap: "mystery", standard: "claude-sonnet-4-5", top: "claude-opus-4-5" } }), budget());
    expect(missing.levels[0]?.costMicros.point).toBe(0);
    expect(missing.warnings).toEqual([expect.stringContaining("No price is configured for mystery")]);
  });
});
