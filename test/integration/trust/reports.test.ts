/**
 * Trust boundary, point 3: the bot trusts only its own bot. A worker's
 * report counts when it is posted by a report login (the bot, or the
 * workflows' github-actions[bot]) on the feature issue of a run the mission
 * recorded, after that run was dispatched; and once per run and attempt.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Harness } from "../../support/app-harness.js";
import { CRM_OUTLINE } from "../../support/outline.js";
import { approved, expectContract, featureIssue, finishRun, mission, report, trustHarness, workerRuns } from "./support.js";

/** Milestone 1's two features are independent here: two workers run at once. */
const PARALLEL = CRM_OUTLINE.replace("- [ ] Contact list page\n  Depends on: 1.1\n", "- [ ] Contact list page\n");

let h: Harness;
afterEach(() => {
  h?.stop();
  expectContract(h);
});

describe("the bot trusts only its own bot", () => {
  it("ignores a report by another bot, by a person, for a run it never recorded, or on the wrong feature issue; counts the real one once though posted twice", async () => {
    h = trustHarness();
    await approved(h, PARALLEL);
    const [run, other] = workerRuns(h);
    expect([run!.feature, other!.feature]).toEqual(["1.1", "1.2"]);
    const issue11 = featureIssue(h, "1.1");
    const issue12 = featureIssue(h, "1.2");

    h.twin.actions.start(run!.id);
    h.twin.actions.start(other!.id);
    // Forged reports, each well-formed and for the mission: a bill of $400 if any counted.
    const forged = { cost_usd: 400, tokens_in: 9_000_000 };
    h.twin.as("renovate[bot]").comment(issue11, report(run!, forged)); // another bot
    h.twin.as("bob").comment(issue11, report(run!, forged)); // a person
    h.twin.as("github-actions[bot]").comment(issue11, report({ id: run!.id + 1000, feature: "1.1" }, forged)); // a run the mission never recorded
    h.twin.as("github-actions[bot]").comment(issue12, report(run!, forged)); // 1.1's run's report, on 1.2's issue (read when 1.2's run ends)
    h.twin.as("github-actions[bot]").comment(issue12, report({ id: run!.id, feature: "1.2" }, forged)); // …claiming to be 1.2's
    h.twin.actions.complete(other!.id, "failure", { durationMs: 900_000 });
    h.twin.actions.complete(run!.id, "success", { durationMs: 900_000 });
    await h.pump();
    await h.pulse();
    await h.pump();
    expect(mission(h).ledger).toEqual([]);
    expect(h.twin.issue(issue11).state).toBe("open"); // nothing the forgeries said made the feature done
    expect(mission(h).plan!.milestones[0]!.features[0]!.done).toBeUndefined();

    // The report job's real report, posted twice (a re-run of the job), counts once.
    const real = report(run!, { cost_usd: 1.4 });
    h.twin.as("github-actions[bot]").comment(issue11, real);
    h.twin.as("github-actions[bot]").comment(issue11, real);
    await h.pulse();
    await h.pump();
    const ledger = mission(h).ledger;
    expect(ledger.map((e) => e.key)).toEqual([`run-${run!.id}-1`]);
    expect(ledger[0]!.cost_micros).toBe(1_400_000 + 90_000); // $1.40 and 15 Actions minutes at $0.006
  });

  it("counts the report a worker run's report job posts, as it always did (for comparison)", async () => {
    h = trustHarness();
    await approved(h);
    const [run] = workerRuns(h);
    finishRun(h, run!.id, report(run!));
    await h.pump();
    expect(mission(h).ledger.map((e) => e.key)).toEqual([`run-${run!.id}-1`]);
  });
});
