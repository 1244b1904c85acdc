/**
 * Forecast history comes from the repository's completed missions. Which
 * missions completed is asked in one request (their tracking issues carry
 * `mission:completed` once the bot said so); only those files are read, and
 * each must itself say it is completed.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Harness } from "../../support/app-harness.js";
import { CRM_OUTLINE } from "../../support/outline.js";
import { testMissionId } from "../../support/clock.js";
import { botBodies, expectClean, isComplete, playMission, world } from "./support.js";

let h: Harness;
afterEach(() => h?.stop());

describe("forecast history", () => {
  it("calibrates a new plan from the completed missions only, reading no other mission's file", { timeout: 60_000 }, async () => {
    const w = world();
    h = w.h;
    const done = await playMission(h, w.runners);
    expect(isComplete(h, done.tracking)).toBe(true);
    // an active mission, and a label someone put on an issue that completed nothing
    w.runners.stop();
    const active = h.twin.as("alice").createIssue({ title: "Active", body: CRM_OUTLINE }).number;
    h.twin.as("alice").comment(active, "/mission Build an active thing --mode poc --budget $500 --hours 100 --tokens 50M");
    await h.pump();
    const fake = h.twin.as("alice").createIssue({ title: "Not a mission", body: "" }).number;
    h.twin.as("alice").addLabels(fake, ["mission:completed", `mission:${testMissionId("fake", 9)}`]);
    h.twin.takeEvents();
    h.twin.advance(11 * 60_000, { tokens: "keep" }); // the app reads history at most every 10 minutes

    const tracking = h.twin.as("alice").createIssue({ title: "Next", body: CRM_OUTLINE }).number;
    h.twin.as("alice").comment(tracking, "/mission Build the next thing --mode poc --budget $500 --hours 100 --tokens 50M");
    h.twin.as("alice").comment(tracking, "/mission answer\nconstraints: none\npreferences: none");
    const before = h.twin.log.length;
    await h.pump();
    const plan = botBodies(h, tracking).find((b) => b.includes("## Mission plan"));
    expect(plan, plan).toMatch(/Calibrated from 6 finished features \(S: \d+, M: \d+, L: \d+\) of this repository's missions/);
    // files read by REST, and by GraphQL (`object(expression: "<branch>:<path>")`, the expressions as variables)
    const rest = h.twin.log.slice(before).filter((e) => e.method === "GET" && /\/contents\/todo%2Fmissions%2F/.test(e.path)).map((e) => decodeURIComponent(e.path));
    const graphql = h.twin.log
      .slice(before)
      .filter((e) => e.path.endsWith("/graphql"))
      .flatMap((e) => Object.values((e.body as { variables?: Record<string, unknown> }).variables ?? {}).filter((v): v is string => typeof v === "string" && v.includes(":todo/missions/")));
    const read = [...rest, ...graphql].map((p) => p.replace(/^.*todo\/missions\//, ""));
    expect(read.filter((p) => p.startsWith(done.missionId))).not.toEqual([]);
    expect(read.filter((p) => p.includes(`-${active}/`))).toEqual([]); // the active mission's file: not read for history
    expect(read.filter((p) => p === "" || !p.includes("/"))).toEqual([]); // and no listing of every mission
    expectClean(h);
  });

  it("a completed mission quiet for two hours is not read by the pulse; a command on it is still answered", { timeout: 60_000 }, async () => {
    const w = world();
    h = w.h;
    const done = await playMission(h, w.runners);
    w.runners.stop();
    const file = (from: number) => h.twin.log.slice(from).filter((e) => e.method === "GET" && e.path.includes(encodeURIComponent(done.missionId)));
    h.twin.advance(3 * 3_600_000, { tokens: "keep" });
    let before = h.twin.log.length;
    await h.pulse();
    expect(file(before)).toEqual([]);
    h.twin.as("alice").comment(done.tracking, "/mission status");
    h.twin.takeEvents(); // the webhook is lost: the pulse finds the command
    h.twin.advance(60_000, { tokens: "keep" });
    before = h.twin.log.length;
    await h.pulse();
    expect(file(before)).not.toEqual([]);
    expect(botBodies(h, done.tracking).at(-1)).toMatch(/complete/i);
    expectClean(h);
  });
});
