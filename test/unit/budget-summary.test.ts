import { describe, expect, it } from "vitest";
import type { CompletedFeature } from "../../src/mission/budget/forecast.js";
import { renderBudgetSummary } from "../../src/mission/markdown/budget-summary.js";
import { Budget, Config, LedgerEntry, type Mission } from "../../src/mission/model.js";
import { answered, plan } from "../support/missions.js";

const config = Config.parse({
  models: { planner: "claude-sonnet-4-5", worker: "claude-sonnet-4-5", validator: "claude-haiku-4-5" },
  prices: { "claude-sonnet-4-5": { input: 3, output: 15 }, "claude-opus-5-5": { input: 4, output: 20 } },
});
const NOW = "2026-11-24T14:00:00Z";

function entry(i: number): LedgerEntry {
  return LedgerEntry.parse({
    key: `run-${100 + i}-1`,
    kind: "worker",
    feature: "1.1",
    model: "claude-sonnet-4-5",
    tokens_in: 10_000,
    tokens_out: 2_000,
    cost_micros: 1_000_000,
    wall_seconds: 600,
    at: `2026-11-24T10:${String(i).padStart(2, "0")}:00Z`,
    ...(i === 12 ? { note: "no price | for <x>" } : {}),
  });
}

/** Feature 1.1's worker was dispatched at 10:00, four hours before NOW; it is still running. */
function mission(overrides: Partial<Mission> = {}): Mission {
  const p = plan([2]);
  p.milestones[0]!.features[0]!.runs.push({ try: 1, dispatched_at: "2026-11-24T10:00:00Z", status: "in_progress" });
  return answered({
    status: "active",
    plan: p,
    budget: Budget.parse({ hours: 40, usd: 50, tokens: null }),
    ledger: Array.from({ length: 12 }, (_, i) => entry(i + 1)),
    ...overrides,
  });
}

const history: CompletedFeature[] = [
  { size: "M", tokens: 500_000, costMicros: 3_000_000, hours: 1, mission: "m-20261101-old-1", feature: "1.1" },
  { size: "M", tokens: 700_000, costMicros: 4_000_000, hours: 2, mission: "m-20261101-old-1", feature: "1.2" },
  { size: "M", tokens: 600_000, costMicros: 3_500_000, hours: 1.5, mission: "m-20261101-old-1", feature: "1.3" },
  { size: "S", tokens: 100_000, costMicros: 500_000, hours: 0.2, mission: "m-20261101-old-1", feature: "2.1" },
];

describe("renderBudgetSummary", () => {
  const text = renderBudgetSummary(mission(), config, NOW, history);

  it("shows limit, spent, remaining and % per dimension", () => {
    expect(text).toContain("| Time | 40h | 2h | 38h | 5% |");
    expect(text).toContain("| Money | $50.00 | $12.00 | $38.00 | 24% |");
    expect(text).toContain("| Tokens | uncapped | 144k | — | — |");
  });

  it("shows the burn rate and the forecast at completion", () => {
    expect(text).toMatch(/\*\*Burn rate and forecast at completion\*\* · 4h since work started \(2026-11-24 10:00 UTC\) · 2 features left/);
    expect(text).toMatch(/\| Money \| \$3\.00\/h \| \$\d+\.\d\d \| \$\d+\.\d\d–\$\d+\.\d\d \| \d+% \|/);
    expect(text).toMatch(/\| Tokens \| 36k\/h \| .* \| uncapped \|/);
  });

  it("says how many data points the forecast learned from", () => {
    expect(text).toContain("The forecast learned from 4 finished features (S: 1, M: 3, L: 0)");
    expect(renderBudgetSummary(mission(), config, NOW, [])).toContain("configured per-size baselines");
  });

  it("lists the last 10 ledger entries, newest last, with user text escaped", () => {
    expect(text).toContain("#### Last 10 ledger entries (of 12)");
    expect(text).not.toContain("run-101-1");
    expect(text).not.toContain("run-102-1");
    expect(text).toContain("| 2026-11-24 10:03 UTC | run-103-1 | worker | 1.1 | claude-sonnet-4-5 | 10k | 2k | $1.00 | 10m 0s |  |");
    expect(text.indexOf("run-103-1")).toBeLessThan(text.indexOf("run-112-1"));
    expect(text).toContain("no price \\| for &lt;x>");
  });

  it("says how to continue when the budget paused the mission", () => {
    const paused = mission({
      status: "paused",
      paused_reason: "budget: money exhausted",
      ledger: [LedgerEntry.parse({ ...entry(1), cost_micros: 55_000_000 })],
    });
    expect(renderBudgetSummary(paused, config, NOW, [])).toMatch(/⛔ \*\*Paused: money exhausted\.\*\* To continue, comment `\/mission budget \+\$\d+`\./);
    expect(text).not.toContain("Paused");
  });

  it("names the alerts posted", () => {
    expect(renderBudgetSummary(mission({ alerts_sent: ["usd:0.5", "hours:0.8"] }), config, NOW, [])).toContain(
      "Alerts at 50%, 80%, 100% of each limit; posted: money 50%, time 80%.",
    );
    expect(text).toContain("posted: none yet.");
  });
});
