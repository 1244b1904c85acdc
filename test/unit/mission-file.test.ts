import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MISSION_TEMPLATE, parseMissionFile, renderMissionFile } from "../../src/mission/markdown/mission-file.js";
import { Mission, type MissionInput } from "../../src/mission/model.js";

const trickyGoal = [
  "Build a CRM: contacts, deals & email — \"fast\", 'simple', ünïcödé 🚀.",
  "---",
  "Keep <!-- hidden --> comments --> out; key: value; # not a comment",
  "",
  "```yaml",
  "id: m-20260101-fake",
  "```",
  "  indented line with trailing spaces   ",
  "{{title}} stays as written",
].join("\n");

function richMission(): Mission {
  const input: MissionInput = {
    id: "m-20261124-crm-42",
    title: "CRM: contacts, deals \"and\" email",
    goal: trickyGoal,
    status: "active",
    mode: "full",
    repo: "acme/crm",
    tracking_issue: 7,
    created: "2026-11-24T08:00:00Z",
    created_by: "alice",
    budget: { hours: 40, usd: null, tokens: 20_000_000, alerts: [0.5, 0.8, 1], hard_stop: "cancel" },
    models: { planner: "claude-sonnet-4-5", worker: "claude-sonnet-4-5", validator: "claude-haiku-4-5" },
    constraints: ["No new runtime dependencies: keep it lean", "Postgres only"],
    preferences: { stack: "TypeScript + Postgres", notes: "x".repeat(300) },
    plan: {
      source: "claude-sonnet-4-5",
      milestones: [
        {
          key: "1",
          title: "Contacts",
          description: "Store people.\n\nWith **markdown** and a line: ---",
          issue: { number: 12, id: 9_000_012 },
          features: [
            { key: "1.1", title: "Contact model", size: "M", issue: { number: 13, id: 9_000_013 }, acceptance: ["CRUD works"] },
            { key: "1.2", title: "Import CSV: \"quoted\"", size: "L", depends_on: ["1.1"], description: "Parse `a,b`\n- item" },
          ],
        },
        { key: "2", title: "Deals", features: [{ key: "2.1", title: "Pipeline", size: "S" }] },
      ],
    },
    branch: "mission/m-20261124-crm-42",
    ledger: [
      {
        key: "run-1001-1",
        kind: "worker",
        feature: "1.1",
        model: "claude-sonnet-4-5",
        tokens_in: 400_000,
        tokens_out: 60_000,
        cost_micros: 2_100_000,
        wall_seconds: 1_800,
        actions_minutes: 31,
        at: "2026-11-24T09:00:00+02:00",
      },
      { key: "plan-1", kind: "planner", tokens_in: 5_000, tokens_out: 2_000, cost_micros: 45_000, at: "2026-11-24T08:01:00Z" },
    ],
    decisions: [
      { at: "2026-11-24T08:05:00Z", by: "alice", what: "Uncapped money: \"we'll watch it\" — ok" },
      { at: "2026-11-24T08:06:00Z", by: "mission-bot", what: "Plan approved | 3 milestones" },
    ],
  };
  return Mission.parse(input);
}

describe("mission.md round trip", () => {
  it("reads back exactly the mission it wrote, tricky text included", () => {
    const m = richMission();
    const result = parseMissionFile(renderMissionFile(m));
    expect(result).toEqual({ ok: true, mission: m });
  });

  it("keeps the answers 'not asked yet' and 'uncapped' apart", () => {
    const m = Mission.parse({ ...richMission(), budget: { hours: null }, mode: undefined, plan: undefined });
    const result = parseMissionFile(renderMissionFile(m));
    expect(result.ok && result.mission.budget).toEqual({ hours: null, alerts: [0.5, 0.8, 1], hard_stop: "finish" });
    expect(result.ok && "usd" in result.mission.budget).toBe(false);
    expect(result.ok && result.mission.mode).toBeUndefined();
  });

  it("reads a file whose line endings were turned into CRLF", () => {
    const m = richMission();
    expect(parseMissionFile(renderMissionFile(m).replace(/\n/g, "\r\n"))).toEqual({ ok: true, mission: m });
  });

  it("writes the same text twice in the schema's key order", () => {
    const m = richMission();
    const shuffled = Object.fromEntries(Object.entries(m).reverse()) as Mission;
    const text = renderMissionFile(shuffled);
    expect(text).toBe(renderMissionFile(m));
    expect(text.split("\n").slice(1, 4)).toEqual(["id: m-20261124-crm-42", `title: 'CRM: contacts, deals "and" email'`, "goal: |-"]);
  });

  it("writes long and multi-line text as literal block scalars", () => {
    const text = renderMissionFile(richMission());
    expect(text).toContain("goal: |-\n  Build a CRM: contacts");
    expect(text).toContain("  notes: |-\n    xxxx");
  });

  it("refuses to write a mission the reader would reject", () => {
    const bad = { ...richMission(), tracking_issue: -1 };
    expect(() => renderMissionFile(bad)).toThrow(/tracking_issue/);
  });
});

describe("mission.md body", () => {
  const text = renderMissionFile(richMission());
  const body = text.slice(text.indexOf("\n---\n") + 5);

  it("follows templates/mission-template.md", () => {
    const template = readFileSync(new URL("../../templates/mission-template.md", import.meta.url), "utf8");
    expect(template).toBe(MISSION_TEMPLATE);
    const headings = (s: string) => s.split("\n").filter((l) => /^#{1,2} /.test(l)).map((l) => l.replace(/^# .*/, "# title"));
    expect(headings(body)).toEqual(headings(template));
  });

  it("says it is generated", () => {
    expect(body).toMatch(/^<!-- Generated by mission-bot\./);
  });

  it("lists milestones and features with their issues", () => {
    expect(body).toContain("### 1. Contacts · #12");
    expect(body).toContain("- `1.1` Contact model · M · #13");
    expect(body).toContain('- `1.2` Import CSV: "quoted" · L · no issue yet');
  });

  it("shows the budget limits with spent and remaining", () => {
    expect(body).toContain("| Time | 40h | 0.5h | 39.5h | 1% |");
    expect(body).toContain("| Money | uncapped | $2.15 | — | — |");
    expect(body).toContain("At 100%: cancel running workers.");
  });

  it("has a ledger row per entry and a total", () => {
    expect(body).toContain("| run-1001-1 | worker | 1.1 | claude-sonnet-4-5 | 400k | 60k | $2.10 | 30m 0s |");
    expect(body).toContain("| **Total** | | | | 405k | 62k | $2.15 | 30m 0s |");
  });

  it("logs decisions with date, author and what, table-safe", () => {
    expect(body).toContain("- **2026-11-24 08:06 UTC** · mission-bot · Plan approved \\| 3 milestones");
  });

  it("quotes the goal so it cannot hide the rest of the view", () => {
    expect(body).toContain("> Keep &lt;!-- hidden --&gt; comments --&gt; out");
    expect(body).not.toContain("<!-- hidden");
  });
});

describe("reading a broken mission.md", () => {
  const good = renderMissionFile(richMission());

  it("names the field and the reason", () => {
    const text = good.replace("tracking_issue: 7", "tracking_issue: seven");
    expect(parseMissionFile(text)).toEqual({ ok: false, problems: ["tracking_issue: Invalid input: expected number, received string"] });
  });

  it("names a nested field by its path", () => {
    const text = good.replace("size: L", "size: XL");
    const result = parseMissionFile(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems[0]).toMatch(/^plan\.milestones\.0\.features\.1\.size: /);
  });

  it("reports an unknown key", () => {
    const text = good.replace("status: active", "status: active\ncolour: blue");
    expect(parseMissionFile(text)).toEqual({ ok: false, problems: ['(top level): Unrecognized key: "colour"'] });
  });

  it("gives the line of a YAML syntax error", () => {
    const lines = good.split("\n");
    const at = lines.indexOf("status: active");
    lines[at] = "status: [active";
    const result = parseMissionFile(lines.join("\n"));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems[0]).toMatch(new RegExp(`^front matter YAML, line ${at + 2}: `));
  });

  it("reports a duplicate key instead of keeping one", () => {
    const text = good.replace("status: active", "status: active\nstatus: paused");
    const result = parseMissionFile(text);
    expect(!result.ok && result.problems[0]).toMatch(/^front matter YAML, line \d+: .*unique/i);
  });

  it("says when there is no front matter", () => {
    const result = parseMissionFile("# Just a heading\n");
    expect(!result.ok && result.problems[0]).toMatch(/no front matter/);
  });

  it("says when the front matter is not closed", () => {
    const result = parseMissionFile(good.slice(0, good.indexOf("\n---\n")));
    expect(!result.ok && result.problems[0]).toMatch(/not closed/);
  });

  it("never evaluates JavaScript front matter", () => {
    const g = globalThis as { missionBotPwned?: boolean };
    const result = parseMissionFile("---js\n(globalThis.missionBotPwned = true, {})\n---\n");
    expect(result.ok).toBe(false);
    expect(g.missionBotPwned).toBeUndefined();
  });

  it("keeps ISO dates as text, as the schema expects", () => {
    const text = good.replace("created: 2026-11-24T08:00:00Z", "created: 2026-11-24T08:00:00.000Z");
    const result = parseMissionFile(text);
    expect(result.ok && result.mission.created).toBe("2026-11-24T08:00:00.000Z");
  });

  it("reads the same text twice without sharing results", () => {
    const first = parseMissionFile(good);
    if (first.ok) first.mission.title = "changed";
    const second = parseMissionFile(good);
    expect(second.ok && second.mission.title).toBe(richMission().title);
  });
});
