import { describe, expect, it } from "vitest";
import { actionsCostMicros, addEntry, entryFromReport, ledgerKey, malformedEntry, totals, totalsByFeature } from "../../src/mission/budget/ledger.js";
import { formatUsd, formatUsdShort } from "../../src/mission/budget/money.js";
import { Config, LedgerEntry } from "../../src/mission/model.js";
import { WorkerReport, type WorkerReportInput } from "../../src/mission/workers/report.js";
import { answered } from "../support/missions.js";

/** Pinned prices: the arithmetic below must not move when the shipped defaults do. */
const config = Config.parse({
  tiers: { cheap: "claude-haiku-4-5", standard: "claude-sonnet-4-5", top: "claude-opus-4-5" },
  prices: {
    "claude-haiku-4-5": { input: 1, output: 5 },
    "claude-sonnet-4-5": { input: 3, output: 15 },
    "claude-opus-4-5": { input: 5, output: 25 },
  },
  runner_prices: { runner: "linux", per_minute: { linux: 0.006, macos: 0.062 } },
});
const AT = "2026-11-24T12:00:00Z";

function report(overrides: Partial<WorkerReportInput> = {}): WorkerReport {
  return WorkerReport.parse({
    mission: "m-20261124-crm-7",
    feature: "1.1",
    run_id: 1000,
    run_attempt: 1,
    outcome: "success",
    model: "claude-sonnet-4-5",
    ...overrides,
  });
}

describe("ledger arithmetic", () => {
  it("sums 1,000 entries of $0.10 to exactly $100.00", () => {
    let m = answered({ status: "active" });
    for (let i = 1; i <= 1000; i++) {
      m = addEntry(m, entryFromReport(report({ run_id: i, cost_usd: 0.1 }), config, AT)).mission;
    }
    // the floating-point sum drifts; the ledger must not
    expect(Array.from({ length: 1000 }, () => 0.1).reduce((a, b) => a + b, 0)).not.toBe(100);
    expect(totals(m.ledger).costMicros).toBe(100_000_000);
    expect(formatUsd(totals(m.ledger).costMicros)).toBe("$100.00");
  });

  it("sums wall time without drift: 1,000 runs of 3.6 s are exactly one hour", () => {
    const entries = Array.from({ length: 1000 }, (_, i) =>
      entryFromReport(report({ run_id: i + 1, cost_usd: 0, duration_seconds: 3.6 }), config, AT),
    );
    expect(totals(entries).hours).toBe(1);
  });

  it("counts planner cost and tokens but only worker and validation wall time", () => {
    const base = { tokens_in: 10, tokens_out: 5, cost_micros: 7, actions_minutes: 0, at: AT };
    const entries = [
      LedgerEntry.parse({ ...base, key: "planner-1", kind: "planner", wall_seconds: 3600 }),
      LedgerEntry.parse({ ...base, key: "run-1-1", kind: "worker", feature: "1.1", wall_seconds: 1800 }),
      LedgerEntry.parse({ ...base, key: "run-2-1", kind: "validation", wall_seconds: 1800 }),
    ];
    expect(totals(entries)).toEqual({ tokens: 45, costMicros: 21, hours: 1, actionsMinutes: 0, entries: 3 });
    expect([...totalsByFeature(entries).keys()]).toEqual(["1.1"]);
    expect(totalsByFeature(entries).get("1.1")?.hours).toBe(0.5);
  });
});

describe("entryFromReport", () => {
  it("is keyed by run id and attempt", () => {
    expect(entryFromReport(report({ run_id: 123, run_attempt: 2 }), config, AT).key).toBe("run-123-2");
    expect(ledgerKey(123, 2)).toBe("run-123-2");
  });

  it("takes a reported cost exactly, not the token price", () => {
    const e = entryFromReport(report({ cost_usd: 1.234567, tokens_in: 5_000_000, tokens_out: 1_000_000 }), config, AT);
    expect(e.cost_micros).toBe(1_234_567);
    expect(e.note).toBeUndefined();
    expect(LedgerEntry.parse(e)).toEqual(e);
  });

  it("prices tokens by the model, input and output separately, when no cost is reported", () => {
    const e = entryFromReport(report({ tokens_in: 1_000_000, tokens_out: 100_000 }), config, AT);
    expect(e.cost_micros).toBe(3_000_000 + 1_500_000);
    expect(e.model).toBe("claude-sonnet-4-5");
  });

  it("prices an unknown model, or none, at the top tier and says so", () => {
    const unknown = entryFromReport(report({ model: "mystery-9", tokens_in: 1_000_000, tokens_out: 0 }), config, AT);
    expect(unknown.cost_micros).toBe(5_000_000);
    expect(unknown.note).toMatch(/no price is configured for mystery-9.*claude-opus-4-5 \(the top tier\)/);
    const none = entryFromReport(report({ model: undefined, tokens_in: 0, tokens_out: 1_000_000 }), config, AT);
    expect(none.cost_micros).toBe(25_000_000);
    expect(none.note).toMatch(/names no model/);
  });

  it("adds Actions minutes at the runner's price, rounded up to whole minutes as GitHub bills", () => {
    const e = entryFromReport(report({ cost_usd: 0.5, actions_minutes: 10.2, duration_seconds: 612 }), config, AT);
    expect(e.actions_minutes).toBe(10.2);
    expect(e.wall_seconds).toBe(612);
    expect(e.cost_micros).toBe(500_000 + 11 * 6_000);
    expect(actionsCostMicros(10, config)).toBe(60_000);
    const mac = Config.parse({ ...config, runner_prices: { runner: "macos", per_minute: { macos: 0.062 } } });
    expect(actionsCostMicros(10, mac)).toBe(620_000);
    const free = Config.parse({ ...config, runner_prices: { runner: "linux", per_minute: { linux: 0 } } });
    expect(entryFromReport(report({ cost_usd: 0.5, actions_minutes: 10.2 }), free, AT).cost_micros).toBe(500_000);
  });
});

describe("entryFromReport: a run the metering proxy did not meter", () => {
  const unmetered = (overrides: Partial<WorkerReportInput> = {}) => report({ metering: "unmetered", ...overrides });

  it("books the run's cost cap when the agent says it spent nothing, and says why", () => {
    const e = entryFromReport(unmetered({ cost_usd: 0, tokens_in: 0, tokens_out: 0, cost_cap_usd: 2.5 }), config, AT);
    expect(e.cost_micros).toBe(2_500_000);
    expect(e.note).toBe("not metered (no usage record from the metering proxy): booked at its cost cap of $2.50 at least.");
    // and tokens at the largest baseline, split by output_share
    expect(e.tokens_in + e.tokens_out).toBe(1_500_000);
  });

  it("books what the agent says when that is more than the cap", () => {
    expect(entryFromReport(unmetered({ cost_usd: 5, cost_cap_usd: 2.5 }), config, AT).cost_micros).toBe(5_000_000);
  });

  it("without a cap, books the forecast the caller gives", () => {
    const e = entryFromReport(unmetered({ tokens_in: 10, tokens_out: 2 }), config, AT, { tokens: 600_000, costMicros: 3_210_000 });
    expect(e).toMatchObject({ cost_micros: 3_210_000, tokens_in: 510_000, tokens_out: 90_000 });
    expect(e.note).toContain("booked at its forecast of $3.21 at least");
  });

  it("without a cap or a forecast, books a large feature at the top tier's price", () => {
    // 1.5M tokens, 15% output, at claude-opus-4-5 ($5 / $25): 1,275,000 × 5 + 225,000 × 25 micro-dollars
    const e = entryFromReport(unmetered(), config, AT);
    expect(e.cost_micros).toBe(12_000_000);
    expect(e.note).toContain("a large feature at the top tier's price ($12.00)");
  });

  it("adds the Actions minutes on top, as for any run", () => {
    expect(entryFromReport(unmetered({ cost_cap_usd: 1, actions_minutes: 9.2 }), config, AT).cost_micros).toBe(1_000_000 + 10 * 6000);
  });

  it("books a metered report, and one from before metering, as reported", () => {
    expect(entryFromReport(report({ metering: "proxy", cost_usd: 0.01, cost_cap_usd: 2.5 }), config, AT).cost_micros).toBe(10_000);
    expect(entryFromReport(report({ cost_usd: 0.01 }), config, AT)).toMatchObject({ cost_micros: 10_000 });
    expect(entryFromReport(report({ cost_usd: 0.01 }), config, AT).note).toBeUndefined();
  });
});

describe("malformedEntry", () => {
  it("records a malformed report with zero figures and the problems in its note", () => {
    const e = malformedEntry("run-77-1", "2.3", ["tokens_in: expected a number", "outcome: required"], AT);
    expect(LedgerEntry.parse(e)).toEqual(e);
    expect(e).toMatchObject({ key: "run-77-1", feature: "2.3", cost_micros: 0, tokens_in: 0, tokens_out: 0, wall_seconds: 0 });
    expect(e.note).toBe("malformed report, nothing counted: tokens_in: expected a number; outcome: required");
  });

  it("leaves out a feature key that is not one, and keeps the note within the schema's limit", () => {
    const e = malformedEntry("run-77-1", "not a key", ["x".repeat(3000)], AT);
    expect(e.feature).toBeUndefined();
    expect(LedgerEntry.parse(e).note!.length).toBeLessThanOrEqual(2000);
  });
});

describe("addEntry", () => {
  it("adds nothing for a duplicate report, even with different figures", () => {
    const m = answered({ status: "active" });
    const first = addEntry(m, entryFromReport(report({ cost_usd: 1 }), config, AT));
    expect(first.added).toBe(true);
    const again = addEntry(first.mission, entryFromReport(report({ cost_usd: 9 }), config, "2026-11-24T13:00:00Z"));
    expect(again.added).toBe(false);
    expect(again.mission).toBe(first.mission);
    expect(totals(again.mission.ledger).costMicros).toBe(1_000_000);
  });

  it("counts a second attempt of the same run as its own entry", () => {
    let m = answered({ status: "active" });
    m = addEntry(m, entryFromReport(report({ cost_usd: 1, run_attempt: 1 }), config, AT)).mission;
    const r = addEntry(m, entryFromReport(report({ cost_usd: 2, run_attempt: 2 }), config, AT));
    expect(r.added).toBe(true);
    expect(totals(r.mission.ledger).costMicros).toBe(3_000_000);
  });

  it("counts a late report, even after the mission completed", () => {
    const done = answered({ status: "completed" });
    const r = addEntry(done, entryFromReport(report({ cost_usd: 2.5 }), config, "2026-12-01T00:00:00Z"));
    expect(r.added).toBe(true);
    expect(r.mission.status).toBe("completed");
    expect(totals(r.mission.ledger).costMicros).toBe(2_500_000);
    expect(done.ledger).toEqual([]);
  });
});

describe("formats", () => {
  it("drops .00 from whole dollars only", () => {
    expect(formatUsdShort(150_000_000)).toBe("$150");
    expect(formatUsdShort(12_500_000)).toBe("$12.50");
    expect(formatUsdShort(1_500_000_000)).toBe("$1,500");
  });
});
