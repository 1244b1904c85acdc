/**
 * Workflow runs as GitHub shows them (test/twin/RULES.md rules 10 and 12):
 * a dispatched run appears in the runs list only seconds later, so a
 * dispatch whose answer was lost is found by its name after the delay —
 * and never dispatched twice meanwhile; a person may re-run a worker (same
 * run id, `run_attempt` + 1, a second report): each attempt is booked once.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Harness } from "../../support/app-harness.js";
import { finishWorker } from "../../support/runners.js";
import { approve, expectClean, isComplete, missionOf, whereItStands, world } from "./support.js";

let h: Harness;
afterEach(() => h?.stop());

describe("a dispatch whose answer was lost", () => {
  it("is found by its run's name once GitHub lists it, and the feature is never dispatched twice", async () => {
    const w = world({ play: { manual: () => true } });
    h = w.h;
    // The first worker dispatch happens, but its answer never arrives (502 after the write).
    h.twin.fault({ kind: "lost-response", method: "POST", route: "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches" });
    const { missionId } = await approve(h);
    const dispatched = () => h.twin.actions.runsOf("mission-worker.yml");
    expect(dispatched()).toHaveLength(1); // 1.1, the one feature ready (1.2 waits for it)
    const feature = (key: string) => missionOf(h, missionId).plan!.milestones.flatMap((ms) => ms.features).find((f) => f.key === key)!;
    const lostKey = h.twin.runInputs(dispatched()[0]!.id).feature!;
    // Not listed yet: the record waits, with no run id, and nothing is dispatched again.
    expect(feature(lostKey).runs).toEqual([expect.objectContaining({ try: 1, status: "dispatching" })]);
    expect(feature(lostKey).runs[0]!.run_id).toBeUndefined();
    await h.pulse();
    await h.pump();
    expect(dispatched()).toHaveLength(1);
    expect(feature(lostKey).runs).toHaveLength(1);

    // Seconds later GitHub lists it: the next look finds it by its name.
    h.twin.advance(10_000, { tokens: "keep" });
    await h.pulse();
    await h.pump();
    expect(feature(lostKey).runs).toEqual([expect.objectContaining({ try: 1, run_id: dispatched()[0]!.id })]);
    expect(dispatched()).toHaveLength(1);
    expectClean(h);
  });
});

describe("a worker a person re-runs", () => {
  it("books each attempt once: the first report and the re-run's, never either twice", async () => {
    const w = world({ play: { manual: () => true } });
    h = w.h;
    const { missionId, tracking } = await approve(h);
    const first = w.runners.workers[0]!;
    const inputs = h.twin.runInputs(first.id);
    finishWorker(h.twin, first, inputs, 3);
    await h.pump();
    const entries = () => missionOf(h, missionId).ledger.filter((e) => e.kind === "worker" && e.feature === inputs.feature);
    expect(entries().map((e) => e.key)).toEqual([`run-${first.id}-1`]);

    // Later, a person re-runs it from the run's page: same run id, attempt 2, which reports again (and costs again).
    h.twin.advance(60_000, { tokens: "keep" });
    h.twin.as("alice").rerun(first.id);
    expect(first.run_attempt).toBe(2);
    finishWorker(h.twin, first, inputs, 5);
    await h.pump();
    await h.pulse();
    await h.pump();
    expect(entries().map((e) => e.key), whereItStands(h, missionId)).toEqual([`run-${first.id}-1`, `run-${first.id}-2`]);
    const [once, again] = entries();
    expect(again!.cost_micros - once!.cost_micros).toBe(2_000_000); // $5 against $3, the same Actions minutes

    // Redelivered events and later pulses book nothing more.
    for (const e of h.twin.events.filter((x) => x.name === "workflow_run")) await h.deliver(e);
    h.twin.advance(15 * 60_000, { tokens: "keep" });
    await h.pulse();
    await h.pump();
    expect(entries()).toHaveLength(2);
    expect(isComplete(h, tracking)).toBe(false);
    expectClean(h);
  });
});

describe("a feature whose runs are all booked", () => {
  it("is not read again for reports when the bot's own close is all that changed on its issue; a new comment is read", async () => {
    const w = world({ play: { manual: () => true } });
    h = w.h;
    const { missionId } = await approve(h);
    const first = w.runners.workers[0]!;
    const inputs = h.twin.runInputs(first.id);
    finishWorker(h.twin, first, inputs, 3);
    await h.pump();
    await h.pulse();
    await h.pump();
    const feature = missionOf(h, missionId).plan!.milestones.flatMap((ms) => ms.features).find((f) => f.key === inputs.feature)!;
    const number = feature.issue!.number;
    const commentReads = (from: number) => h.twin.log.slice(from).filter((e) => e.method === "GET" && e.path.endsWith(`/issues/${number}/comments`)).length;

    const quiet = h.twin.log.length;
    for (let i = 0; i < 2; i++) {
      h.twin.advance(15 * 60_000, { tokens: "keep" });
      await h.pulse();
      await h.pump();
    }
    expect(commentReads(quiet)).toBe(0);

    // Someone comments on it (a report posted by hand would be one): the next look reads the issue again, once.
    h.twin.as("alice").comment(number, "Looks good.");
    const commented = h.twin.log.length;
    h.twin.advance(15 * 60_000, { tokens: "keep" });
    await h.pulse();
    await h.pump();
    h.twin.advance(15 * 60_000, { tokens: "keep" });
    await h.pulse();
    await h.pump();
    expect(commentReads(commented)).toBe(1);
    expectClean(h);
  });
});
