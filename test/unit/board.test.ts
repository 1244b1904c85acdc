/**
 * The Project board's decisions (src/mission/board/): which project, what
 * each card shows, and that a card is written only when the mission moved
 * since the bot last wrote it (a person's move is not undone by stale data).
 */
import { describe, expect, it } from "vitest";
import { Config, type Mission } from "../../src/mission/model.js";
import { BOARD_FIELDS, BOARD_ITEMS_PER_RECONCILE, cards, decideBoard, projectOf, type BoardInput } from "../../src/mission/board/board.js";
import { parseConfig } from "../../src/mission/config.js";
import { answered, plan, snapshotOf, withIssues, reconcileRunning } from "../support/missions.js";
import { TEST_EPOCH } from "../support/clock.js";
import { parseCommand } from "../../src/mission/conversation/commands.js";

const NOW = new Date(TEST_EPOCH + 3 * 3600_000).toISOString();
const config = Config.parse({ project: { url: "https://github.com/orgs/octo/projects/4" } });
const running = (shape = [2, 2]): Mission => withIssues(answered({ status: "active", plan: plan(shape) }));
const input = (mission: Mission, over: Partial<BoardInput> = {}): BoardInput => ({ mission, config, history: [], closed: new Set(), now: NOW, ...over });

/** The mission after apply recorded every card as written with the values it decided. */
function written(m: Mission): Mission {
  const fields = Object.fromEntries(BOARD_FIELDS.map((f, i) => [f.name, { id: i + 1 }]));
  const items = Object.fromEntries(cards(input(m)).map((c, i) => [c.ref, { id: 100 + i, values: c.values }]));
  return { ...m, board: { project: { owner: "octo", owner_type: "organization", number: 4 }, fields, views: [], items } };
}

describe("the Project board", () => {
  it("is named in .github/mission.yml by its address, or by owner and number; a bad one is refused with its field", () => {
    expect(projectOf(config, undefined)).toEqual({ owner: "octo", owner_type: "organization", number: 4 });
    expect(projectOf(Config.parse({ project: { owner: "alice", owner_type: "user", number: 2 } }), undefined)).toEqual({ owner: "alice", owner_type: "user", number: 2 });
    expect(projectOf(Config.parse({}), undefined)).toBeUndefined();
    const bad = parseConfig("project:\n  url: https://example.com/not-a-project\n");
    expect(bad.ok).toBe(false);
    expect(parseConfig("project:\n  owner: octo\n").ok).toBe(false);
  });

  it("has nothing to do without a project", () => {
    expect(decideBoard(input(running(), { config: Config.parse({}) }))).toEqual([]);
  });

  it("sets up the board and writes every card of a new mission, a bounded number per reconcile", () => {
    const [action] = decideBoard(input(running([4, 4, 4])));
    expect(action).toMatchObject({ kind: "board-sync", setup: true, project: { owner: "octo", number: 4 } });
    if (action?.kind !== "board-sync") throw new Error("no board-sync");
    expect(action.items).toHaveLength(BOARD_ITEMS_PER_RECONCILE);
    expect(action.items[0]).toEqual({
      ref: "milestone:1",
      values: expect.objectContaining({ Mission: "m-20261124-crm-7", Kind: "Milestone", "Mission status": "In progress", "Mission milestone": "1. Milestone 1", Size: null }),
    });
    expect(action.items[1]!.values).toMatchObject({ Kind: "Feature", "Mission status": "Ready", Size: "M", Attempts: 0, "Worker run": null });
  });

  it("writes nothing when the mission has not moved since the bot wrote the cards (a person's move stands)", () => {
    expect(decideBoard(input(written(running())))).toEqual([]);
  });

  it("writes only the card, and only the field, the mission moved", () => {
    const m = written(running());
    const [action] = decideBoard(input(m, { closed: new Set(["1.1"]) }));
    expect(action).toEqual({ kind: "board-sync", project: m.board!.project, setup: false, items: [{ ref: "feature:1.1", values: { "Mission status": "Done" } }] });
  });

  it("leaves an unreachable board alone for an hour, then tries again", () => {
    const m = written(running());
    const blocked = { ...m, board: { ...m.board!, unreachable: { at: NOW, why: "403: Resource not accessible by integration" } } };
    expect(decideBoard(input(blocked))).toEqual([]);
    const later = new Date(Date.parse(NOW) + 3600_000).toISOString();
    expect(decideBoard(input(blocked, { now: later }))).toEqual([expect.objectContaining({ kind: "board-sync" })]);
  });

  it("comes after everything else in a running mission's reconcile, and only with a project configured", () => {
    const m = running();
    expect(reconcileRunning(snapshotOf(m)).actions.some((a) => a.kind === "board-sync")).toBe(false);
    const { actions } = reconcileRunning(snapshotOf(m, { config }));
    const kinds = actions.map((a) => a.kind);
    expect(kinds.indexOf("board-sync")).toBe(kinds.length - 2);
    expect(kinds.at(-1)).toBe("update-dashboard");
  });

  it("/mission project records the request once; reconcile asks apply to make the board; a board made is kept over the configured one", () => {
    expect(parseCommand("/mission project")).toEqual({ ok: true, command: { name: "project" } });
    const m = running();
    const command = { id: 501, url: "https://github.com/octo/crm/issues/7#issuecomment-501", body: "/mission project", created_at: NOW, author: { login: "alice", type: "User" }, permission: "write" as const };
    const { mission, actions } = reconcileRunning(snapshotOf(m, { commands: [command] }));
    expect(mission.board_request).toEqual({ at: NOW, by: "alice" });
    expect(actions).toContainEqual({ kind: "board-create", title: `Mission ${m.id}: ${m.title}` });
    expect(actions).toContainEqual(expect.objectContaining({ kind: "reply", to: 501, body: expect.stringContaining("making a Project board") }));
    const made = { ...mission, board_request: undefined, board: { project: { owner: "octo", owner_type: "organization" as const, number: 9 }, node_id: "PVT_1", fields: {}, views: [], items: {} } };
    expect(projectOf(config, made.board)).toEqual({ owner: "octo", owner_type: "organization", number: 9 });
    expect(decideBoard(input(made))).toEqual([expect.objectContaining({ kind: "board-sync", setup: true, project: made.board.project })]);
  });
});
