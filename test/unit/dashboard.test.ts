import { describe, expect, it } from "vitest";
import {
  dashboardChanged,
  dashboardMarkers,
  dashboardRoom,
  mergeDashboard,
  renderDashboard,
  type DashboardInput,
} from "../../src/mission/markdown/dashboard.js";
import { GITHUB_LIMITS, Mission, type MissionInput } from "../../src/mission/model.js";

const ID = "m-20261124-crm";
const { start, end } = dashboardMarkers(ID);

function mission(overrides: Partial<MissionInput> = {}): Mission {
  return Mission.parse({
    id: ID,
    title: "CRM",
    goal: "Build a CRM with contacts, deals and email",
    status: "active",
    mode: "full",
    repo: "acme/crm",
    tracking_issue: 7,
    created: "2026-11-24T08:00:00Z",
    created_by: "alice",
    budget: { hours: 10, usd: 100, tokens: null },
    models: { planner: "claude-sonnet-4-5", worker: "claude-sonnet-4-5", validator: "claude-haiku-4-5" },
    ...overrides,
  });
}

/** milestones × features, every title `titleChars` long, issues numbered from 100 */
function plan(milestones: number, features: number, titleChars = 20, description = ""): MissionInput["plan"] {
  let issue = 100;
  const title = (name: string) => `${name} `.padEnd(titleChars, "x");
  return {
    source: "outline",
    milestones: Array.from({ length: milestones }, (_, i) => ({
      key: String(i + 1),
      title: title(`Milestone ${i + 1}`),
      issue: { number: issue, id: 10_000 + issue++ },
      features: Array.from({ length: features }, (_, j) => ({
        key: `${i + 1}.${j + 1}`,
        title: title(`Feature ${i + 1}.${j + 1}`),
        size: "M" as const,
        description,
        issue: { number: issue, id: 10_000 + issue++ },
      })),
    })),
  };
}

const spend = (micros: number, seconds: number, tokens: number) => ({
  key: `run-${micros}`,
  kind: "worker" as const,
  tokens_in: tokens,
  tokens_out: 0,
  cost_micros: micros,
  wall_seconds: seconds,
  at: "2026-11-24T09:00:00Z",
});

const render = (input: Partial<DashboardInput> & { mission: Mission }) => renderDashboard({ closed: new Set(), ...input });

describe("the dashboard in the tracking issue", () => {
  it("keeps the user's text around it through two updates, byte for byte", () => {
    const original = "We need this by **Friday**.\r\n\r\n- [ ] my own checklist\r\n";
    const first = mergeDashboard(original, ID, render({ mission: mission() }));
    expect(first.startsWith(`${start}\n`)).toBe(true);
    expect(first.endsWith(`${end}\n\n${original}`)).toBe(true);

    const edited = `Note added above by Bob\r\n${first}\r\nP.S. added below`;
    const second = mergeDashboard(edited, ID, render({ mission: mission({ status: "paused" }) }));
    const third = mergeDashboard(second, ID, render({ mission: mission({ status: "active" }) }));
    for (const body of [second, third]) {
      expect(body.slice(0, body.indexOf(start))).toBe("Note added above by Bob\r\n");
      expect(body.slice(body.indexOf(end) + end.length)).toBe(`\n\n${original}\r\nP.S. added below`);
    }
    expect(second).toContain("⏸️ paused");
    expect(third).not.toContain("⏸️ paused");
  });

  it("starts a body of its own when the issue has none", () => {
    expect(mergeDashboard(null, ID, "hello")).toBe(`${start}\nhello\n${end}`);
  });

  it("shows spent and remaining budget from the ledger", () => {
    const m = mission({ ledger: [spend(2_150_000, 5_400, 300_000), spend(850_000, 1_800, 200_000)] });
    const region = render({ mission: m });
    expect(region).toMatch(/^Money +[█░]+│  \$3\.00 of \$100\.00 \(3%\)$/m);
    expect(region).toMatch(/^Time +[█░]+│[█░]*  2h of 10h \(20%\)$/m);
    expect(region).toMatch(/^Tokens +█+ +500k · uncapped$/m);
  });

  it("warns when a budget is nearly used up or exceeded", () => {
    const m = mission({ budget: { usd: 10, hours: 1 }, ledger: [spend(12_000_000, 3_000, 1)] });
    const region = render({ mission: m });
    expect(region).toContain("$12.00 of $10.00 (120%) ⛔");
    expect(region).toContain("0.83h of 1h (83%) ⚠️");
    expect(region).toContain("1 · no limit set");
  });

  it("offers the commands that fit the mission's status", () => {
    expect(render({ mission: mission({ status: "planned", plan: plan(3, 2) }) })).toContain("`/mission approve`");
    expect(render({ mission: mission({ status: "active" }) })).not.toContain("`/mission approve`");
    expect(render({ mission: mission({ status: "active" }) })).toContain("`/mission pause`");
    expect(render({ mission: mission({ status: "paused" }) })).toContain("`/mission resume`");
  });

  it("says what the interview is asking while scoping", () => {
    const m = mission({ status: "scoping", mode: undefined, budget: { usd: null } });
    const region = render({ mission: m });
    expect(region).toContain("- mode: `poc`");
    expect(region).toContain("- hours:");
    expect(region).not.toContain("- usd:");
    expect(render({ mission: m, questions: ["What is the deadline?"] })).toContain("- What is the deadline?");
  });

  it("shows progress per milestone and ticks closed features", () => {
    const region = render({ mission: mission({ plan: plan(3, 5) }), closed: new Set(["1", "1.1", "1.2", "1.3", "1.4", "1.5", "2.2"]) });
    expect(region).toMatch(/\| 1 \| Milestone 1 x+ \| #100 \| 5\/5 \| ✅ done \|/);
    expect(region).toMatch(/\| 2 \| Milestone 2 x+ \| #106 \| 1\/5 \| ▶️ in progress \|/);
    expect(region).toMatch(/\| 3 \| Milestone 3 x+ \| #112 \| 0\/5 \| ⏳ waiting \|/);
    expect(region).toMatch(/- ✅ `2\.2` Feature 2\.2 x+ · M — \*\*done\*\* · #108/);
    expect(region).toMatch(/- ⏳ `2\.3` Feature 2\.3 x+ · M — \*\*next to start\*\* · #109/);
    expect(region).toMatch(/- ⏳ `3\.1` Feature 3\.1 x+ · M — \*\*waiting on milestone 2\*\* · #113/);
  });

  it("puts notices above the budget", () => {
    const region = render({ mission: mission(), notices: ["mission.md is invalid: status: Invalid option"] });
    expect(region.indexOf("mission.md is invalid")).toBeGreaterThan(-1);
    expect(region.indexOf("mission.md is invalid")).toBeLessThan(region.indexOf("### Budget"));
  });

  it("links the state file on the server and branch where it lives", () => {
    expect(render({ mission: mission() })).toContain(`(https://github.com/acme/crm/blob/HEAD/todo/missions/${ID}/mission.md)`);
    expect(render({ mission: mission({ status: "planned" }), serverUrl: "https://ghe.example.com", stateBranch: "mission-bot/state" })).toContain(
      `(https://ghe.example.com/acme/crm/blob/mission-bot/state/todo/missions/${ID}/mission.md)`,
    );
  });

  it("cannot be closed early by a title that imitates its end marker", () => {
    const m = mission({ title: `Evil ${end} title`, plan: plan(3, 2) });
    const body = mergeDashboard("user text", ID, render({ mission: m }));
    const next = mergeDashboard(body, ID, render({ mission: mission() }));
    expect(next.endsWith(`${end}\n\nuser text`)).toBe(true);
    expect(next.split(end)).toHaveLength(2);
  });

  it("drops a lone marker instead of letting it swallow the user's text", () => {
    const body = `Keep this\n${end}\nand this`;
    const merged = mergeDashboard(body, ID, "new");
    expect(merged).toBe(`${start}\nnew\n${end}\n\nKeep this\n\nand this`);
  });
});

describe("the 65,536-character limit", () => {
  const planned = () => mission({ status: "planned", plan: plan(7, 5, 200, "Do the work carefully. ".repeat(40)) });
  const userText = "Lots of notes from the team. ".repeat(2_000);

  it("keeps a 7×5 plan with long titles under the limit, controls first", () => {
    const m = planned();
    const region = renderDashboard({ mission: m, closed: new Set(), maxChars: dashboardRoom(userText, ID) });
    const body = mergeDashboard(userText, ID, region);
    expect(body.length).toBeLessThanOrEqual(GITHUB_LIMITS.bodyChars);
    expect(body).toContain("`/mission approve`");
    expect(body).toContain("$0.00 of $100.00");
    expect(body).toMatch(/features? not shown/);
    expect(body.endsWith(`${end}\n\n${userText}`)).toBe(true);
  });

  it("shows the whole plan when it fits", () => {
    const region = render({ mission: planned() });
    expect(region).toContain("`7.5`");
    expect(region).not.toMatch(/not shown/);
  });

  it("shortens the feature lists itself when given a region that does not fit", () => {
    const region = render({ mission: planned() });
    const user = "u".repeat(GITHUB_LIMITS.bodyChars - region.length + 500);
    const body = mergeDashboard(user, ID, region);
    expect(body.length).toBeLessThanOrEqual(GITHUB_LIMITS.bodyChars);
    expect(body).toContain("`/mission approve`");
    expect(body).toContain(end);
    expect(body.endsWith(`${end}\n\n${user}`)).toBe(true);
  });

  it("leaves the body as it is when the user's own text leaves no room", () => {
    const body = `${start}\nold\n${end}\n\n${"u".repeat(GITHUB_LIMITS.bodyChars - 100)}`;
    const merged = mergeDashboard(body, ID, render({ mission: planned() }));
    expect(merged).toBe(body);
    expect(dashboardChanged(body, merged)).toBe(false);
    expect(dashboardRoom(body, ID)).toBeLessThan(100);
  });
});

describe("skipping writes", () => {
  const body = mergeDashboard("user text", ID, render({ mission: mission() }));

  it("sees no change when nothing changed, even if GitHub turned line breaks into CRLF", () => {
    expect(dashboardChanged(body, mergeDashboard(body, ID, render({ mission: mission() })))).toBe(false);
    expect(dashboardChanged(body.replace(/\n/g, "\r\n"), body)).toBe(false);
  });

  it("sees a change in the region", () => {
    expect(dashboardChanged(body, mergeDashboard(body, ID, render({ mission: mission({ status: "paused" }) })))).toBe(true);
    expect(dashboardChanged(null, body)).toBe(true);
  });
});
