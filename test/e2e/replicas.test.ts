/**
 * One loop, many replicas: three server processes (`node lib/server.js`,
 * configured by the environment alone, REDIS_URL naming one Redis) share the
 * GitHub twin. The mission's deliveries go to replicas at random, four in
 * flight at once, half of them delivered twice (the copies may reach two
 * replicas); while one replica creates the mission's issues, another
 * replica's pulse ticks (the mission is enqueued again: it must wait for the
 * running reconcile, not run beside it), and then the replica creating them
 * is killed (SIGKILL). The mission must end exactly as it ends in one process:
 * the same issues, comments, mission.md and dashboard (the fault suite's
 * projection), and the same worker and validation runs — nothing twice.
 *
 * Needs a redis-server on PATH (the world starts one of its own); skipped,
 * with the reason, without one.
 */
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { World, type WorldOptions } from "./support/world.js";
import { MISSION_PLAY, playMission, projection, type Played } from "./support/scenario.js";
import { intercept } from "./support/faults.js";

const noRedis = spawnSync("sh", ["-c", "command -v redis-server"], { stdio: "ignore" }).status !== 0;

type Projection = ReturnType<typeof projection>;

/** What was dispatched, by title: each worker and validation run once. */
function dispatched(w: World): string[] {
  return w.twin.actions
    .runs()
    .map((r) => `${r.workflow.path}: ${r.display_title.replace(/ \/ t\d+-[0-9a-z]+$/, "")}`)
    .sort();
}

async function play(options: WorldOptions, arm: (w: World) => void = () => undefined) {
  const w = await World.start({ ...MISSION_PLAY, ...options });
  try {
    arm(w);
    const played: Played = await playMission(w);
    // which replicas lived to the end, read before the world stops them
    return { w, played, state: projection(w, played), runs: dispatched(w), alive: w.apps.map((a) => a.alive) };
  } catch (error) {
    for (const [i, app] of w.apps.entries()) console.error(`[replicas] replica ${i} output:\n${app.output.slice(-3000)}`);
    throw error;
  } finally {
    await w.stop();
  }
}

describe.skipIf(noRedis)(`one loop, many replicas${noRedis ? " (skipped: no redis-server on PATH)" : ""}`, () => {
  let clean: { state: Projection; runs: string[] };

  beforeAll(async () => {
    const { state, runs } = await play({});
    clean = { state, runs };
  }, 90_000);

  it("three replicas, deliveries at random, concurrent and duplicated, another replica's pulse and a SIGKILL while one creates the issues: the end state of one process", async () => {
    let victim = -1;
    let killedAt = -1;
    let pulsedBy = -1;
    const { w, state, runs, alive } = await play(
      { replicas: 3, deliveryConcurrency: 4, deliveryFaults: { duplicate: 0.5, reorder: true, seed: 20261124 } },
      (w) => {
        let creations = 0;
        intercept(w, (req, path) => {
          // an issue is created by REST, or (with sub-issues) by GraphQL `createIssue` under its parent
          const body = typeof req.body === "string" ? req.body : JSON.stringify(req.body ?? null);
          const creates = path === "/repos/acme/crm/issues" || (path === "/graphql" && /createIssue\(/.test(body));
          if (req.method.toUpperCase() !== "POST" || !creates) return;
          creations++;
          const writer = w.replicaOf(req);
          // the second issue of the plan is on its way in: another replica's scheduled pulse ticks now
          if (creations === 2 && writer >= 0) {
            pulsedBy = (writer + 1) % w.apps.length;
            w.apps[pulsedBy]!.signal("SIGUSR2");
          }
          // the fourth: kill the replica writing it (the write still lands; its answer never arrives)
          if (creations === 4 && writer >= 0) {
            victim = writer;
            killedAt = w.twin.log.length;
            w.kill(victim);
          }
        });
      },
    );

    // a pulse of another replica came in mid-materialisation; the kill happened mid-materialisation, and another replica finished the job
    expect(pulsedBy).toBeGreaterThanOrEqual(0);
    expect(victim).toBeGreaterThanOrEqual(0);
    expect(alive.filter(Boolean)).toHaveLength(2);
    expect(alive[victim]).toBe(false);
    const creationsAfter = w.twin.log
      .slice(killedAt)
      .filter((e) => e.method === "POST" && e.status < 300 && (e.path === "/repos/acme/crm/issues" || (e.path === "/graphql" && /createIssue\(/.test(JSON.stringify(e.body ?? null)))));
    expect(creationsAfter.length).toBeGreaterThan(0);

    // exactly the single-process end state: no duplicate issue, comment, ledger entry or dispatch
    expect(state).toEqual(clean.state);
    expect(runs).toEqual(clean.runs);
    expect(w.twin.issuesOf()).toHaveLength(11);

    // the deliveries were spread, concurrent and duplicated across replicas
    const byReplica = w.apps.map((a) => w.sender.deliveries.filter((d) => d.url === a.webhookUrl).length);
    expect(byReplica.every((n) => n > 0), `deliveries per replica: ${byReplica.join(", ")}`).toBe(true);
    const copies = new Map<string, Set<string>>();
    for (const d of w.sender.deliveries) copies.set(d.guid, (copies.get(d.guid) ?? new Set()).add(d.url));
    expect([...copies.values()].filter((urls) => urls.size > 1).length).toBeGreaterThan(5);

    // every delivery to a live replica was answered; only the killed one may have dropped one in flight
    const unanswered = w.sender.deliveries.filter((d) => d.status !== 200);
    expect(unanswered.filter((d) => d.url !== w.apps[victim]!.webhookUrl).map((d) => `${d.event}.${d.action}: ${d.status} ${d.error ?? ""}`)).toEqual([]);
    expect(w.twin.contractFailures).toEqual([]);
    expect(w.server.errors).toEqual([]);
  }, 180_000);
});
