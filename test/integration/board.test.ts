/**
 * Apply's Project board step (src/github/board.ts) against the twin: fields
 * made once by name, items added once, a card re-read before it is written
 * (a person's move that already says what the mission says costs no write),
 * and a board the App may not use reported, not thrown.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { GitHubTwin } from "../../src/twin/state.js";
import { serveWithNock } from "../support/twin-nock.js";
import { botOctokit } from "../../src/twin/octokit.js";
import { contractTwin } from "../support/twin.js";
import { createBoard, syncBoard } from "../../src/github/board.js";
import type { Octokit } from "../../src/github/client.js";
import type { BoardRecord } from "../../src/mission/board/model.js";
import type { Ref } from "../../src/mission/decision.js";
import { TEST_EPOCH } from "../support/clock.js";
import { apply } from "../../src/github/apply.js";
import { Config } from "../../src/mission/model.js";
import { decideBoard } from "../../src/mission/board/board.js";
import { answered, plan, snapshotOf, withIssues } from "../support/missions.js";

const NOW = new Date(TEST_EPOCH).toISOString();
const project = { owner: "acme", owner_type: "organization" as const, number: 1 };
let stop: (() => void) | undefined;
afterEach(() => stop?.());

function world(permissions?: Record<string, "read" | "write">) {
  const twin: GitHubTwin = contractTwin({ checkResponses: true });
  twin.addRepo({ owner: "acme", name: "crm", ownerType: "Organization", collaborators: { alice: "admin" }, ...(permissions ? { installationPermissions: permissions } : {}) });
  stop = serveWithNock(twin);
  const octokit = botOctokit(twin) as unknown as Octokit;
  const issue = twin.as("alice").createIssue({ title: "1.1 Contacts" });
  const issueOf = (ref: Ref) => (ref === "feature:1.1" ? { number: issue.number, id: issue.id } : undefined);
  return { twin, octokit, issue, issueOf };
}

const values = { Mission: "m-1", Kind: "Feature", "Mission status": "Running", Attempts: 1 };

describe("the board step of apply", () => {
  it("makes the fields and views once, adds the card once, and writes only what differs from the card as it is now", async () => {
    const { twin, octokit, issueOf } = world();
    const p = twin.projects.create(twin.user("acme", "Organization"), "Roadmap");
    const first = await syncBoard(octokit, { action: { kind: "board-sync", project, setup: true, items: [{ ref: "feature:1.1", values }] }, board: undefined, issueOf, maxWrites: 50, now: NOW });
    expect(first.unreachable).toBeUndefined();
    expect(first.board.views).toEqual(["Mission board", "By milestone", "Mission roadmap"]);
    const item = p.items[0]!;
    expect(twin.projects.valueOf(p, item, "Mission status")).toBe("Running");
    expect(twin.projects.valueOf(p, item, "Attempts")).toBe(1);
    expect(twin.contractFailures).toEqual([]);
    expect(twin.responseFailures).toEqual([]);

    // setting up again finds every field by name: nothing new; no view twice
    const again = await syncBoard(octokit, { action: { kind: "board-sync", project, setup: true, items: [] }, board: first.board, issueOf, maxWrites: 50, now: NOW });
    expect(again.writes).toBe(0);
    expect(p.fields.filter((f) => f.name === "Mission status")).toHaveLength(1);
    expect(p.views).toHaveLength(3);

    // a person already moved the card to where the mission now is: re-read, nothing written
    twin.projects.setValue(p, item, "Mission status", "Awaiting merge");
    const patches = () => twin.log.filter((l) => l.method === "PATCH").length;
    const before = patches();
    const moved = await syncBoard(octokit, { action: { kind: "board-sync", project, setup: false, items: [{ ref: "feature:1.1", values: { "Mission status": "Awaiting merge" } }] }, board: again.board, issueOf, maxWrites: 50, now: NOW });
    expect(patches()).toBe(before);
    expect(moved.writes).toBe(0);
    expect(moved.board.items["feature:1.1"]!.values["Mission status"]).toBe("Awaiting merge");

    // the mission moves on: the card follows
    await syncBoard(octokit, { action: { kind: "board-sync", project, setup: false, items: [{ ref: "feature:1.1", values: { "Mission status": "Done" } }] }, board: moved.board, issueOf, maxWrites: 50, now: NOW });
    expect(twin.projects.valueOf(p, item, "Mission status")).toBe("Done");
    expect(p.items).toHaveLength(1);
  });

  it("a missing project or an App without organization_projects: reported with GitHub's answer and recorded, nothing thrown", async () => {
    const { octokit, issueOf } = world();
    const missing = await syncBoard(octokit, { action: { kind: "board-sync", project, setup: true, items: [{ ref: "feature:1.1", values }] }, board: undefined, issueOf, maxWrites: 50, now: NOW });
    expect(missing.unreachable?.status).toBe(404);
    expect(missing.board.unreachable).toEqual({ at: NOW, why: expect.stringMatching(/^404/) });

    stop?.();
    const w = world({ issues: "write", contents: "write", metadata: "read" });
    w.twin.projects.create(w.twin.user("acme", "Organization"), "Roadmap");
    const board: BoardRecord | undefined = undefined;
    const denied = await syncBoard(w.octokit, { action: { kind: "board-sync", project, setup: true, items: [] }, board, issueOf: w.issueOf, maxWrites: 50, now: NOW });
    expect(denied.unreachable).toEqual({ status: 403, message: expect.stringContaining("Resource not accessible by integration") });
  });

  it("/mission project's board: made with GraphQL createProjectV2 in the organisation (checked against GitHub's schema); an App without the permission is told why", async () => {
    const { twin, octokit } = world();
    const made = await createBoard(octokit, "acme", "Mission m-1: Build a CRM");
    expect(made).toEqual({ ok: true, board: expect.objectContaining({ project: { owner: "acme", owner_type: "organization", number: 1 }, node_id: expect.any(String) }) });
    expect(twin.projects.get("acme", 1)?.title).toBe("Mission m-1: Build a CRM");
    expect(twin.contractFailures).toEqual([]);

    stop?.();
    const w = world({ issues: "write", contents: "write", metadata: "read" });
    expect(await createBoard(w.octokit, "acme", "Mission m-1")).toEqual({ ok: false, message: expect.stringContaining("FORBIDDEN") });
    expect(w.twin.projects.byKey.size).toBe(0);
  }, 30_000);

  it("a board GitHub will not let the App use: one clear comment on the tracking issue, the mission goes on, no second comment", async () => {
    const twin: GitHubTwin = contractTwin();
    twin.addRepo({ owner: "octo", name: "crm", ownerType: "Organization", collaborators: { alice: "admin" }, installationPermissions: { issues: "write", contents: "write", metadata: "read" } });
    stop = serveWithNock(twin);
    for (let i = 1; i <= 7; i++) twin.as("alice").createIssue({ title: `issue ${i}` });
    twin.projects.create(twin.user("octo", "Organization"), "Roadmap");
    const octokit = botOctokit(twin) as unknown as Octokit;
    const config = Config.parse({ project: { owner: "octo", number: 1 } });
    let mission = withIssues(answered({ status: "active", plan: plan([1]) }));
    const round = async () => {
      const s = { ...snapshotOf(mission, { config, now: NOW }), mission: { kind: "none" as const } };
      const actions = decideBoard({ mission, config, history: [], closed: new Set(), now: NOW });
      const result = await apply({ mission, actions }, { octokit, repo: { owner: "octo", repo: "crm" }, snapshot: s, limits: { maxWrites: 50, timeMs: 60_000 } });
      mission = result.mission!;
      return actions;
    };
    await round();
    const told = twin.issuesOf().find((i) => i.number === 7)!;
    const comments = () => twin.commentsOn(told).filter((c) => /Project board cannot be updated/.test(c.body));
    expect(comments()).toHaveLength(1);
    expect(comments()[0]!.body).toMatch(/organization_projects[\s\S]*The mission goes on without the board/);
    expect(mission.board?.unreachable?.why).toMatch(/^403/);
    expect(await round()).toEqual([]); // left alone for an hour
    expect(comments()).toHaveLength(1);
  }, 30_000);
});
