import { describe, expect, it } from "vitest";
import { afterPlan, decide, decideFromForm, missionIdFor, type CommandInput, type Step } from "../../src/mission/conversation/conversation.js";
import type { Command } from "../../src/mission/conversation/commands.js";
import { parseMissionForm } from "../../src/mission/conversation/issue-form.js";
import { answered, config, mission, plan } from "../support/missions.js";
import { MissionId } from "../../src/mission/model.js";

function input(command: Command, m?: CommandInput["mission"]): CommandInput {
  return {
    command,
    ...(m ? { mission: m } : {}),
    author: "alice",
    now: "2026-11-24T09:00:00Z",
    repo: "octo/crm",
    issue: { number: 7, title: "CRM" },
    config,
  };
}
const replyOf = (step: Step) => {
  expect(step.kind).toBe("reply");
  return step.kind === "reply" ? step : (undefined as never);
};

describe("the /mission conversation", () => {
  it("gives a readable, deterministic mission id", () => {
    expect(missionIdFor("Build a CRM with contacts, deals and email", "2026-11-24T09:00:00Z", 7)).toBe("m-20261124-crm-contacts-7");
    expect(missionIdFor("!!!", "2026-11-24T09:00:00Z", 3)).toBe("m-20261124-mission-3");
  });

  it("makes ids whose label `mission:<id>` fits GitHub's 50 characters, whatever the issue number", () => {
    const goal = "Internationalization-readiness accessibility-conformance";
    for (const n of [1, 42, 99_999, 1_234_567, 123_456_789, 2_147_483_647]) {
      const id = missionIdFor(goal, "2026-11-24T09:00:00Z", n);
      expect(MissionId.safeParse(id).success, id).toBe(true);
      expect(`mission:${id}`.length).toBeLessThanOrEqual(50);
      expect(id.endsWith(`-${n}`)).toBe(true);
    }
    expect(missionIdFor(goal, "2026-11-24T09:00:00Z", 1_234_567)).toBe("m-20261124-internationalization-re-1234567");
  });

  it("starts a mission and asks only what the command line left open", () => {
    const step = replyOf(decide(input({ name: "start", goal: "Build a CRM", flags: { mode: "poc", usd: 200 } })));
    expect(step.mission?.status).toBe("scoping");
    expect(step.mission?.mode).toBe("poc");
    expect(step.mission?.budget.usd).toBe(200);
    expect(step.reply).toMatch(/hours/i);
    expect(step.reply).toMatch(/tokens/i);
    expect(step.reply).not.toMatch(/^\s*mode:/m);
    expect(step.reply).not.toMatch(/^\s*usd:/m);
  });

  it("refuses a second mission on the same issue", () => {
    const step = replyOf(decide(input({ name: "start", goal: "Another", flags: {} }, mission())));
    expect(step.mission).toBeUndefined();
    expect(step.reply).toContain("already tracks mission **m-20261124-crm-7**");
  });

  it("keeps what it understood from an answer and names what it did not", () => {
    const step = replyOf(decide(input({ name: "answer", text: "mode: poc\nhours: lots\ncolour: blue" }, mission())));
    expect(step.mission?.mode).toBe("poc");
    expect(step.mission?.budget.hours).toBeUndefined();
    expect(step.reply).toMatch(/hours/);
    expect(step.reply).toMatch(/colour/);
  });

  it("plans once every question is answered", () => {
    const text = "mode: full\nhours: 40\nusd: $100\ntokens: 5M\nconstraints: none\npreferences: none";
    const step = decide(input({ name: "answer", text }, mission()));
    expect(step.kind).toBe("plan");
    expect(step.kind === "plan" && step.mission.mode).toBe("full");
  });

  it("shows a checked plan with its budget analysis and waits for approval", () => {
    const step = replyOf(afterPlan({ mission: answered(), result: { ok: true, plan: plan([2, 2, 2]) }, config, plannerName: "outline" }));
    expect(step.mission?.status).toBe("planned");
    expect(step.reply).toMatch(/MVP/);
    expect(step.reply).toContain("/mission approve");
  });

  it("prices the plan from this repository's finished features and says how many it learned from", () => {
    const history = Array.from({ length: 3 }, () => ({ size: "M" as const, tokens: 6_000_000, costMicros: 20_000_000, hours: 6 }));
    const fresh = replyOf(afterPlan({ mission: answered(), result: { ok: true, plan: plan([2, 2, 2]) }, config, plannerName: "outline" }));
    const learned = replyOf(afterPlan({ mission: answered(), result: { ok: true, plan: plan([2, 2, 2]) }, config, plannerName: "outline", history }));
    expect(fresh.reply).toMatch(/no finished mission of this repository/);
    expect(learned.reply).toMatch(/Calibrated from 3 finished features \(S: 0, M: 3, L: 0\) of this repository's missions/);
    // Features that really took 10× the baseline make the plan dearer.
    const mvp = (text: string) => /\| MVP \|(?: [^|]+ \|){3} ([^|]+) \|/.exec(text)![1];
    expect(mvp(learned.reply)).not.toBe(mvp(fresh.reply));
  });

  it("reports a plan with a dependency cycle instead of showing it", () => {
    const cyclic = plan([2, 2, 2], { "1.1": ["1.2"], "1.2": ["1.1"] });
    const step = replyOf(afterPlan({ mission: answered(), result: { ok: true, plan: cyclic }, config, plannerName: "outline" }));
    expect(step.mission?.status).toBe("scoping");
    expect(step.reply).toMatch(/1\.1.*1\.2.*1\.1|cycle/);
    expect(step.reply).toContain("/mission replan");
  });

  it("approves a planned mission once, recording who approved it", () => {
    const planned = answered({ status: "planned", plan: plan() });
    const step = replyOf(decide(input({ name: "approve" }, planned)));
    expect(step.mission?.status).toBe("active");
    expect(step.mission?.decisions.at(-2)).toMatchObject({ by: "alice", what: "Plan approved." });
    const again = replyOf(decide(input({ name: "approve" }, step.mission)));
    expect(again.mission).toBeUndefined();
    expect(again.reply).toMatch(/already approved/);
  });

  it("will not approve while the interview is open", () => {
    const step = replyOf(decide(input({ name: "approve" }, mission())));
    expect(step.mission).toBeUndefined();
    expect(step.reply).toMatch(/no plan to approve/);
  });

  it("starts from the issue form with the form's answers", () => {
    const body = "### Goal\n\nBuild a CRM\n\n### Mode\n\nFull\n\n### Time budget\n\n_No response_\n\n### Money budget\n\n$100\n\n### Token budget\n\n5M\n\n### Constraints\n\n- no new dependencies\n\n### Preferences\n\nstack: Next.js";
    const form = parseMissionForm(body)!;
    const step = replyOf(decideFromForm({ form, author: "alice", now: "2026-11-24T09:00:00Z", repo: "octo/crm", issueNumber: 7, config }));
    expect(step.mission).toMatchObject({ mode: "full", budget: { usd: 100, tokens: 5_000_000 }, constraints: ["no new dependencies"], preferences: { stack: "Next.js" } });
    expect(step.mission?.budget.hours).toBeUndefined();
    expect(step.reply).toMatch(/hours/i);
  });
});
