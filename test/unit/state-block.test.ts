import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { decodeStateBlock, encodeStateBlock } from "../../src/mission/markdown/state-block.js";
import { Mission } from "../../src/mission/model.js";

function scopingMission(goal = "Build a CRM with contacts, deals and email"): Mission {
  return Mission.parse({
    id: "m-20261124-crm",
    title: "CRM",
    goal,
    status: "scoping",
    repo: "acme/crm",
    tracking_issue: 7,
    created: "2026-11-24T08:00:00Z",
    created_by: "alice",
    budget: { usd: null },
    models: { planner: "claude-sonnet-4-5", worker: "claude-sonnet-4-5", validator: "claude-haiku-4-5" },
  });
}

describe("state block in the tracking issue", () => {
  it("is a hidden comment that user text cannot close", () => {
    const m = scopingMission("Close it early --> <!-- and `---` \"quotes\" ünïcödé 🚀");
    const block = encodeStateBlock(m);
    expect(block).toMatch(/^<!-- mission-bot:state [A-Za-z0-9_.-]+ -->$/);
    expect(block.indexOf("-->")).toBe(block.length - 3);
  });

  it("gives back the mission it holds, from anywhere in the body", () => {
    const m = scopingMission("Close it early --> <!-- and `---` ünïcödé 🚀");
    const body = `Some notes by Alice\r\n\r\n${encodeStateBlock(m)}\r\nMore notes`;
    expect(decodeStateBlock(body)).toEqual({ found: true, ok: true, mission: m });
  });

  it("keeps 'not asked yet' and 'uncapped' apart", () => {
    const result = decodeStateBlock(encodeStateBlock(scopingMission()));
    expect(result.found && result.ok && result.mission.budget).toEqual({ usd: null, alerts: [0.5, 0.8, 1], hard_stop: "finish" });
  });

  it("stays small enough for an issue body with a long goal", () => {
    const goal = "As a sales team we want to track contacts, deals and email threads. ".repeat(140);
    const block = encodeStateBlock(scopingMission(goal));
    expect(block.length).toBeLessThan(goal.length / 4);
  });

  it("also reads base64url of plain JSON", () => {
    const m = scopingMission();
    const block = `<!-- mission-bot:state ${Buffer.from(JSON.stringify(m)).toString("base64url")} -->`;
    expect(decodeStateBlock(block)).toEqual({ found: true, ok: true, mission: m });
  });

  it("says when there is none", () => {
    expect(decodeStateBlock("Just the user's text <!-- a comment -->")).toEqual({ found: false });
  });

  it("names the field when the held mission breaks the schema", () => {
    const bad = { ...scopingMission(), status: "dreaming" };
    const block = `<!-- mission-bot:state ${Buffer.from(JSON.stringify(bad)).toString("base64url")} -->`;
    const result = decodeStateBlock(block);
    expect(result.found && !result.ok && result.problems[0]).toMatch(/^status: /);
  });

  it("says when the block is damaged", () => {
    const block = encodeStateBlock(scopingMission());
    const damaged = block.replace(/z\.(\w{10})/, "z.AAAAAAAAAA");
    const result = decodeStateBlock(damaged);
    expect(result).toMatchObject({ found: true, ok: false });
    expect(result.found && !result.ok && result.problems[0]).toMatch(/^state block: /);
  });

  it("refuses to encode a mission the reader would reject", () => {
    expect(() => encodeStateBlock({ ...scopingMission(), repo: "not a repo" })).toThrow(/repo/);
  });
});
