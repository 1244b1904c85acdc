/**
 * `npm run bench`: figures, never assertions on time. Prints three tables
 * and writes them to bench/RESULTS.md (its block) with the date and the machine.
 *
 *  1. (Materialising a plan: bench/materialise.bench.ts.)
 *  2. A pulse over 1, 10 and 100 active missions with nothing changed:
 *     requests and rate-limit points per mission, with 2 and 20 features each.
 *  3. Webhook handling by the app in its own process (as `npm start` runs
 *     it): p50/p99 time to answer and peak RSS for a burst of 500 deliveries.
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, it } from "vitest";
import { startTwinServer } from "../src/twin/server.js";
import { reconcileIssue } from "../src/loop/reconcile-job.js";
import { openMissions } from "../src/loop/app-pulse.js";
import { appLimits } from "../src/app.js";
import { World } from "../test/e2e/support/world.js";
import { MISSION_PLAY, playMission } from "../test/e2e/support/scenario.js";
import { REPO, benchDeps, benchTwin, octokitAt, seedMission, table, tally, writeResults } from "./support.js";

const sections: string[] = [];

function emit(title: string, body: string, notes: string[] = []) {
  const text = [`### ${title}`, "", body, "", ...notes.map((n) => `- ${n}`), ""].join("\n");
  sections.push(text);
  console.log(`\n${text}`);
}

afterAll(() => writeResults("run", sections));

describe.sequential("benchmarks", () => {
  it("the pulse with nothing changed", async () => {
    const rows: Array<Array<string | number>> = [];
    for (const features of [2, 20]) {
      for (const missions of [1, 10, 100]) {
        const twin = benchTwin();
        const server = await startTwinServer(twin);
        try {
          const shape = features === 2 ? [2] : [5, 5, 5, 5];
          for (let i = 0; i < missions; i++) seedMission(twin, shape, "pulse");
          const octokit = octokitAt(twin, server.apiUrl);
          const deps = benchDeps(twin, octokit, appLimits);
          // the App's pulse: the open missions of the installation's account (search), one job each
          const pulse = async () => {
            for (const job of await openMissions(octokit, REPO.owner, true, { clock: () => twin.now() })) await reconcileIssue(deps, job);
          };
          // materialise and dispatch (the runs stay queued: nothing changes from here on)
          let last = -1;
          for (let p = 0; p < 30 && twin.log.length !== last; p++) {
            const before = twin.log.length;
            await pulse();
            const writes = twin.log.slice(before).filter((e) => e.method !== "GET" && !/access_tokens$/.test(e.path)).length;
            last = writes === 0 ? twin.log.length : -1;
          }
          const from = twin.log.length;
          const started = performance.now();
          await pulse();
          const ms = performance.now() - started;
          const t = tally(twin.log.slice(from));
          rows.push([
            missions,
            features,
            t.requests,
            (t.requests / missions).toFixed(2),
            t.writes,
            t.points,
            (t.points / missions).toFixed(2),
            `${ms.toFixed(0)} ms`,
            Object.entries(t.byKind)
              .map(([k, v]) => `${k} ${v}`)
              .join(", "),
          ]);
        } finally {
          await server.close();
        }
      }
    }
    emit(
      "A pulse with nothing changed",
      table(["missions", "features each", "requests", "per mission", "writes", "points", "points per mission", "wall time (no latency)", "by kind"], rows),
      [
        "Each mission is approved, fully materialised, and has its workers dispatched (two runs queued, the parallel limit); then one more pulse is measured.",
        "Points: GitHub's secondary-limit accounting, 1 per GET, 5 per write.",
      ],
    );
  }, 600_000);

  it("webhook handling: a burst of 500 deliveries", async () => {
    const world = await World.start(MISSION_PLAY);
    try {
      await playMission(world);
      // the events of a whole real mission, redelivered round-robin as one burst
      const events = world.twin.events.filter((e) => world.sender.deliverable(e));
      world.sender.stop();
      const rssBefore = status(world.app.pid, "VmRSS");
      const burst = Array.from({ length: 500 }, (_, i) => events[i % events.length]!);
      const times: number[] = [];
      const statuses = new Map<number, number>();
      let next = 0;
      const started = performance.now();
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, status(world.app.pid, "VmRSS"))), 20);
      await Promise.all(
        Array.from({ length: 25 }, async () => {
          while (next < burst.length) {
            const e = burst[next++]!;
            const d = await world.sender.deliver(e, { redelivery: true });
            times.push(d.ms);
            statuses.set(d.status, (statuses.get(d.status) ?? 0) + 1);
          }
        }),
      );
      clearInterval(sampler);
      const wall = performance.now() - started;
      times.sort((a, b) => a - b);
      const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!;
      const hwm = status(world.app.pid, "VmHWM");
      emit(
        "Webhook handling (the app in its own process, as `npm start` runs it)",
        table(
          ["deliveries", "concurrency", "p50", "p99", "max", "wall time", "RSS before", "peak RSS (sampled)", "peak RSS (VmHWM, whole life)", "answers"],
          [
            [
              burst.length,
              25,
              `${pct(50).toFixed(1)} ms`,
              `${pct(99).toFixed(1)} ms`,
              `${times.at(-1)!.toFixed(1)} ms`,
              `${(wall / 1000).toFixed(1)} s`,
              `${(rssBefore / 1024).toFixed(0)} MiB`,
              `${(peak / 1024).toFixed(0)} MiB`,
              `${(hwm / 1024).toFixed(0)} MiB`,
              [...statuses].map(([s, n]) => `${s}×${n}`).join(", "),
            ],
          ],
        ),
        [
          `The burst replays the ${events.length} deliveries of one whole mission (comments, issue events, sub-issue events, workflow runs and jobs) round-robin, 25 in flight; the mission is complete, so each reconcile reads and finds nothing to do.`,
          "Octokit's waits run 25× faster than production (test/e2e/support/octokit-time-scale.mjs); no write is expected here, so they do not matter.",
        ],
      );
    } finally {
      await world.stop();
    }
  }, 600_000);
});

/** A /proc/<pid>/status figure in KiB (Linux). */
function status(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

