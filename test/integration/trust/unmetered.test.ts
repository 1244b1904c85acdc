/**
 * Trust boundary, point 5: a run without a usage record is booked at its
 * cost cap or its forecast, never at zero or at what its agent says, and
 * the tracking issue says it was not metered.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Config } from "../../../src/mission/model.js";
import { forecastOf } from "../../../src/mission/budget/forecast.js";
import type { Harness } from "../../support/app-harness.js";
import { approved, botComments, expectContract, finishRun, mission, report, trustHarness, workerRuns } from "./support.js";

let h: Harness;
afterEach(() => {
  h?.stop();
  expectContract(h);
});

describe("no usage record means the ledger books the run's forecast or its cap, never zero", () => {
  it("books an unmetered run that reports no usage at least at its forecast, and says so on the tracking issue", async () => {
    h = trustHarness();
    const tracking = await approved(h);
    const [run] = workerRuns(h);
    // The report job found no usage record: the agent's figures are all it has, and it claims nothing.
    finishRun(h, run!.id, report(run!, { metering: "unmetered", tokens_in: 0, tokens_out: 0, cost_usd: undefined, model: undefined }));
    await h.pump();

    const m = mission(h);
    const feature = m.plan!.milestones[0]!.features[0]!;
    // as forecast when the report was booked: before its own entry was a data point
    const fc = forecastOf({ ...m, ledger: [] }, feature, Config.parse({ planner: { provider: "outline" } }), []);
    expect(m.ledger).toHaveLength(1);
    const entry = m.ledger[0]!;
    // the feature's own forecast (its high end), plus the run's 15 Actions minutes at $0.006
    expect(entry.cost_micros).toBe(fc.costMicros.high + 90_000);
    expect(entry.tokens_in + entry.tokens_out).toBe(fc.tokens.high);
    expect(entry.note).toMatch(/not metered .*booked at its forecast/);

    const told = botComments(h, tracking).filter((c) => c.body.includes(`run ${run!.id} of feature 1.1 was not metered`));
    expect(told).toHaveLength(1);
    // and the dashboard's budget shows what was booked
    expect(h.twin.issue(tracking).body).toMatch(/^Money +[█▒░│]+ {2}\$\d+\.\d\d of \$500\.00/m);
    expect(h.twin.issue(tracking).body).not.toContain("$0.00 of $500.00");

    await h.pulse();
    await h.pump();
    expect(botComments(h, tracking).filter((c) => c.body.includes("was not metered"))).toHaveLength(1); // once
  });

  it("books an unmetered run with a cost cap at its cap at least", async () => {
    h = trustHarness();
    await approved(h);
    const [run] = workerRuns(h);
    finishRun(h, run!.id, report(run!, { metering: "unmetered", tokens_in: 10, tokens_out: 10, cost_usd: 0.01, cost_cap_usd: 12 }));
    await h.pump();
    expect(mission(h).ledger[0]!.cost_micros).toBeGreaterThanOrEqual(12_000_000);
  });
});
