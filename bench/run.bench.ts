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
import { reconcileIssue, type JobDeps } from "../src/loop/reconcile-job.js";
import { route } from "../src/loop/route.js";
import { MemoryEtagStore, withEtags } from "../src/github/etag-cache.js";
import { admitDelivery, MemoryDeliveryStore, recordedRun } from "../src/loop/deliveries.js";
import type { ReconcileJob } from "../src/loop/queue.js";
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
    const extra: Array<Array<string | number>> = [];
    for (const features of [2, 20]) {
      // 100 missions of 20 features take this machine most of an hour to set up; their pulse is the same one read each
      for (const missions of features === 2 ? [1, 10, 100] : [1, 10]) {
        const twin = benchTwin();
        const server = await startTwinServer(twin);
        try {
          const shape = features === 2 ? [2] : [5, 5, 5, 5];
          const seeded = Array.from({ length: missions }, () => seedMission(twin, shape, "pulse"));
          // the App's client: conditional reads, answers and idle marks kept in memory (Redis with REDIS_URL)
          const store = new MemoryEtagStore();
          const octokit = withEtags(octokitAt(twin, server.apiUrl), store, "installation:1");
          const deps: JobDeps = { ...benchDeps(twin, octokit, appLimits), idle: { store, scope: () => "installation:1" } };
          // the App's pulse: the open missions of the installation's account (search), one job each
          const pulse = async () => {
            for (const job of await openMissions(octokit, REPO.owner, true, { clock: () => twin.now() })) await reconcileIssue(deps, job);
          };
          // materialise and dispatch (the runs stay queued: nothing changes from here on), then one pulse at rest
          let last = -1;
          for (let p = 0; p < 30 && twin.log.length !== last; p++) {
            const before = twin.log.length;
            await pulse();
            const writes = twin.log.slice(before).filter((e) => e.method !== "GET" && !/access_tokens$/.test(e.path)).length;
            last = writes === 0 ? twin.log.length : -1;
          }
          const measure = async (what: () => Promise<unknown>) => {
            const from = twin.log.length;
            const started = performance.now();
            await what();
            // the pulse's searches count against the search limit: apart from the missions' requests
            const entries = twin.log.slice(from);
            return { t: tally(entries.filter((e) => !e.path.startsWith("/search/"))), searches: entries.filter((e) => e.path.startsWith("/search/")).length, ms: performance.now() - started };
          };
          twin.advance(15 * 60_000, { tokens: "keep" });
          const { t, ms, searches } = await measure(pulse);
          rows.push([
            missions,
            features,
            t.requests + searches,
            searches,
            (t.requests / missions).toFixed(2),
            t.notModified,
            t.primary,
            t.writes,
            `${ms.toFixed(0)} ms`,
            Object.entries(t.byKind)
              .map(([k, v]) => `${k} ${v}`)
              .join(", "),
          ]);
          if (missions === 10) {
            // the hourly fresh look: every answer asked again, conditionally
            twin.advance(60 * 60_000, { tokens: "keep" });
            const refresh = await measure(pulse);
            extra.push([`${features} features: the hourly fresh look`, (refresh.t.requests / missions).toFixed(2), (refresh.t.notModified / missions).toFixed(2), (refresh.t.primary / missions).toFixed(2), refresh.t.writes]);
            // webhook work as the app does it (src/app.ts): a delivery enqueues its job unless its event was handled
            // (src/loop/deliveries.ts), and every job is counted; here the job runs at once instead of on a queue
            const tracking = seeded[0]!.tracking;
            const comment = twin.as("alice").comment(tracking, "/mission status");
            const job = (reason: string) => ({ ...REPO, issue: tracking, reason });
            const run = (store: MemoryDeliveryStore, j: ReconcileJob) => recordedRun(store, j, async () => (await reconcileIssue(deps, j)).refused.length === 0);
            const record = new MemoryDeliveryStore();
            // GitHub redelivers with the same X-GitHub-Delivery and the same body
            const delivery = { id: `bench-${comment.id}`, payload: { action: "created", issue: { number: tracking }, comment: { id: comment.id, body: comment.body } } };
            const deliver = (store: MemoryDeliveryStore) => admitDelivery(store, delivery, job("issue_comment.created"), (j) => run(store, j));
            const replies = () => twin.commentsOn(twin.issuesOf().find((i) => i.number === tracking)!).filter((c) => c.body.includes(`${comment.id}`) && c.id !== comment.id).length;
            const answer = await measure(() => deliver(record));
            const right = await measure(() => deliver(record));
            const rightReplies = replies();
            await run(record, job("pulse")); // the next pulse: a fresh look after the bot's own writes
            const again = await measure(() => deliver(record));
            const againReplies = replies();
            // the same delivery to an app with no record of it (a restart without Redis): the idle read
            const unknown = await measure(() => deliver(new MemoryDeliveryStore()));
            extra.push([`${features} features: /mission status answered`, answer.t.requests, answer.t.notModified, answer.t.primary, answer.t.writes]);
            extra.push([`${features} features: the same issue_comment redelivered right after the bot answered (${rightReplies} reply in all)`, right.t.requests, right.t.notModified, right.t.primary, right.t.writes]);
            extra.push([`${features} features: the same issue_comment redelivered after a pulse (${againReplies} reply in all)`, again.t.requests, again.t.notModified, again.t.primary, again.t.writes]);
            extra.push([`${features} features: the same issue_comment, to an app with no record of it, after a pulse (${replies()} reply in all)`, unknown.t.requests, unknown.t.notModified, unknown.t.primary, unknown.t.writes]);
            // an irrelevant event: a label on an issue of no mission's
            const other = twin.as("alice").createIssue({ title: "A bug", body: "Not a mission." });
            const labelled = route("issues", { action: "labeled", sender: { login: "alice", type: "User" }, repository: { name: REPO.repo, owner: { login: REPO.owner } }, issue: { number: other.number, body: "Not a mission.", user: { login: "alice", type: "User" }, labels: [{ name: "bug" }] }, label: { name: "bug" } }, "mission-bot[bot]");
            const irrelevant = await measure(async () => (labelled ? reconcileIssue(deps, labelled) : undefined));
            extra.push([`${features} features: a label on an issue of no mission`, irrelevant.t.requests, irrelevant.t.notModified, irrelevant.t.primary, irrelevant.t.writes]);
          }
        } finally {
          await server.close();
        }
      }
    }
    emit(
      "A pulse with nothing changed",
      table(["missions", "features each", "requests", "of them the pulse's searches", "per mission", "answered 304 (missions')", "counted against the primary limit (missions')", "writes", "wall time (no latency)", "by kind"], rows),
      [
        "Target (issue 15): at most 1 request per idle mission per pulse, and 0 counted against the primary limit. Before (2026-11-30, 8ed8e9d): 8.03–8.30 requests per mission (11 for one), every one counted.",
        "Each mission is approved, fully materialised, and has its workers dispatched (two runs queued, the parallel limit); the pulses run until one writes nothing, then 15 minutes later one more pulse is measured.",
        "per mission: requests net of the pulse's two searches (the open tracking issues; recent `/mission` comments), which count against the search limit, not per mission.",
        "100 missions of 20 features are not set up any more (most of an hour on this shared machine); an idle mission's pulse is the same one read whatever its size.",
        "An idle mission costs one conditional read of its issues' first page (by its label, most recently changed first): answered 304, nothing changed, and reconcile decides again from the answers of the last load with the new time (src/loop/idle.ts).",
      ],
    );
    emit(
      "Idle missions: the hourly fresh look, and webhook work",
      table(["case (10 missions)", "requests (per mission for a pulse)", "answered 304", "counted against the primary limit", "writes"], extra),
      [
        "The hourly fresh look: once an hour each mission loads everything again, conditionally (what the one read cannot see: a run that ended without reporting, a pushed mission.md or .github/mission.yml); 304s cost nothing.",
        "Webhook work, target: a redelivered or irrelevant event costs at most one read. A delivery whose event a job has handled (same X-GitHub-Delivery, same body; a job that started after its first arrival completed without error) enqueues nothing, right after the answer as after a pulse (src/loop/deliveries.ts; shared by replicas and kept over a restart in Redis with REDIS_URL). An app with no record of the delivery (in-process record, restarted) pays the idle read once a pulse has looked since the bot's own writes (which leave no \"unchanged\" mark). An irrelevant event is routed nowhere (src/loop/route.ts), so it costs no request.",
      ],
    );
  }, 2_400_000);

  it("webhook handling: a burst of 500 deliveries", async () => {
    const world = await World.start(MISSION_PLAY);
    try {
      await playMission(world);
      // the events of a whole real mission, redelivered round-robin as one burst
      const events = world.twin.events.filter((e) => world.sender.deliverable(e));
      world.sender.stop();
      const rssBefore = status(world.app.pid, "VmRSS");
      const burst = Array.from({ length: 500 }, (_, i) => events[i % events.length]!);
      /** 500 deliveries, 25 in flight: `fresh` gives each a GUID of its own (a new event: a reconcile each), else each is its first delivery's (a redelivery of a handled event) */
      const play = async (fresh: boolean) => {
        const times: number[] = [];
        const statuses = new Map<number, number>();
        let next = 0;
        const started = performance.now();
        let peak = 0;
        const sampler = setInterval(() => (peak = Math.max(peak, status(world.app.pid, "VmRSS"))), 20);
        await Promise.all(
          Array.from({ length: 25 }, async () => {
            while (next < burst.length) {
              const i = next++;
              const e = burst[i]!;
              const d = fresh ? await world.sender.deliver({ ...e, id: `${e.id}-burst-${i}` }) : await world.sender.deliver(e, { redelivery: true });
              times.push(d.ms);
              statuses.set(d.status, (statuses.get(d.status) ?? 0) + 1);
            }
          }),
        );
        clearInterval(sampler);
        const wall = performance.now() - started;
        times.sort((a, b) => a - b);
        const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!;
        return [
          fresh ? "new events (a GUID each)" : "redeliveries of handled events",
          burst.length,
          25,
          `${pct(50).toFixed(1)} ms`,
          `${pct(99).toFixed(1)} ms`,
          `${times.at(-1)!.toFixed(1)} ms`,
          `${(wall / 1000).toFixed(1)} s`,
          `${(peak / 1024).toFixed(0)} MiB`,
          [...statuses].map(([s, n]) => `${s}×${n}`).join(", "),
        ];
      };
      const rows = [await play(true), await play(false)];
      const hwm = status(world.app.pid, "VmHWM");
      emit(
        "Webhook handling (the app in its own process, as `npm start` runs it)",
        table(
          ["burst", "deliveries", "concurrency", "p50", "p99", "max", "wall time", "peak RSS (sampled)", "answers"],
          rows,
        ),
        [
          `The burst replays the ${events.length} deliveries of one whole mission (comments, issue events, sub-issue events, workflow runs and jobs) round-robin, 25 in flight, twice: as new events (each its own X-GitHub-Delivery: each enqueues a reconcile, which reads and finds nothing to do, the mission being complete), then as redeliveries (each its first delivery's GUID: each event was handled when it first came, so a delivery is answered without enqueuing anything, src/loop/deliveries.ts). RSS before the bursts: ${(rssBefore / 1024).toFixed(0)} MiB; the whole life's peak (VmHWM): ${(hwm / 1024).toFixed(0)} MiB.`,
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

