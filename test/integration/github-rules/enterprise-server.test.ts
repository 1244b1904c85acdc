/**
 * GitHub Enterprise Server (test/twin/RULES.md rule 11): the API under
 * /api/v3 on the server's own host, `return_run_details` refused with 400
 * (3.20 and older), no sub-issue endpoints (3.19's description has none),
 * at most 10 dispatch inputs, rate limits off unless an administrator
 * enabled them. A whole mission completes on each profile; milestones list
 * their features as a task list of issues, the tracking issue is told so
 * once, and every link the bot writes points at the server and the state
 * branch.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Harness } from "../../support/app-harness.js";
import { BOT, botBodies, expectClean, missionOf, playMission, world } from "./support.js";
import { LABELS } from "../../../src/mission/model.js";

let h: Harness;
afterEach(() => h?.stop());

const SERVER = "https://ghes.example.com";

describe.each(["ghes-3.17", "ghes-3.19", "ghes-3.20"] as const)("GitHub Enterprise Server %s", (server) => {
  it("completes a whole mission: runs found by name, features listed in their milestone, links on the server", { timeout: 60_000 }, async () => {
    const w = world({ twin: { server } });
    h = w.h;
    const { tracking, missionId } = await playMission(h, w.runners);
    const m = missionOf(h, missionId);
    expect(m.status).toBe("completed");

    // Dispatches: the server names its release, so none asks for return_run_details (which it refuses with 400),
    // and none carries more than the 10 inputs it takes; each run is found by its name.
    const dispatches = h.twin.requests({ method: "POST", route: "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches" });
    expect(dispatches.length).toBeGreaterThan(0);
    expect(dispatches.map((d) => d.status).filter((s) => s !== 204)).toEqual([]);
    expect(dispatches.filter((d) => (d.body as { return_run_details?: boolean }).return_run_details !== undefined)).toEqual([]);
    expect(Math.max(...dispatches.map((d) => Object.keys((d.body as { inputs: object }).inputs).length))).toBeLessThanOrEqual(10);
    const workers = h.twin.actions.runsOf("mission-worker.yml");
    expect(workers).toHaveLength(6); // once each: never dispatched twice
    const runIds = m.plan!.milestones.flatMap((ms) => ms.features.flatMap((f) => f.runs.map((r) => r.run_id)));
    expect(runIds.sort()).toEqual(workers.map((r) => r.id).sort());
    expect(m.ledger.filter((e) => e.kind === "worker")).toHaveLength(6);

    // No sub-issues here: each milestone issue lists its features' issues as a task list, ticked as they were done; said once on the tracking issue.
    for (const ms of m.plan!.milestones) {
      const body = h.twin.issue(ms.issue!.number).body ?? "";
      for (const f of ms.features) expect(body).toContain(`- [x] #${f.issue!.number}`);
    }
    expect(h.twin.issuesOf().every((i) => i.sub_issues.length === 0)).toBe(true);
    expect(botBodies(h, tracking).filter((b) => /task list/.test(b) && /sub-issues/.test(b))).toHaveLength(1);

    // Every link the bot wrote points at this server (and mission.md at the state branch).
    const written = [
      ...h.twin.issuesOf().filter((i) => i.user.login === BOT).map((i) => i.body ?? ""),
      h.twin.issue(tracking).body ?? "",
      ...[...h.twin.comments.values()].filter((c) => c.user.login === BOT).map((c) => c.body),
    ].join("\n");
    const links = [...written.matchAll(/https?:\/\/[^\s)>\]]+/g)].map((x) => x[0]);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => !l.startsWith(`${SERVER}/`))).toEqual([]);
    expect(h.twin.issue(tracking).body).toContain(`${SERVER}/acme/crm/blob/mission-bot/state/todo/missions/${missionId}/mission.md`);
    expect(h.twin.issue(tracking).labels).toContain(LABELS.forMission(missionId));
    expect(h.errors).toEqual([]);
    expectClean(h);
  });
});
