/**
 * The forgiving conversation: typos of commands, `--yes`, the one-line
 * answer, and the interview that classifies the goal and asks the probes
 * that matter for its kind, once.
 */
import { describe, expect, it } from "vitest";
import { parseCommand, type Command } from "../../src/mission/conversation/commands.js";
import { decide, type CommandInput, type Step } from "../../src/mission/conversation/conversation.js";
import { parseAnswers } from "../../src/mission/conversation/interview.js";
import { classifyGoal } from "../../src/mission/conversation/scope.js";
import { decideFromForm } from "../../src/mission/conversation/conversation.js";
import { parseMissionForm } from "../../src/mission/conversation/issue-form.js";
import { config } from "../support/missions.js";
import { TEST_EPOCH } from "../support/clock.js";
import type { Mission } from "../../src/mission/model.js";

const NOW = new Date(TEST_EPOCH).toISOString();

function command(body: string): Command {
  const parsed = parseCommand(body);
  if (parsed.ok !== true) throw new Error(`not a command: ${JSON.stringify(parsed)}`);
  return parsed.command;
}

function say(body: string, m?: Mission): Extract<Step, { kind: "reply" }> | Extract<Step, { kind: "plan" }> {
  const input: CommandInput = { command: command(body), ...(m ? { mission: m } : {}), author: "alice", now: NOW, repo: "octo/crm", issue: { number: 7, title: "CRM" }, config };
  return decide(input);
}

const replyOf = (step: Step) => (step.kind === "reply" ? step.reply : `(plan) ${step.preface ?? ""}`);

describe("typos of commands", () => {
  it.each([
    ["/mission aprove", "/mission approve"],
    ["/mission stauts", "/mission status"],
    ["/mission replna", "/mission replan"],
    ["/mission retyr 2.3", "/mission retry 2.3"],
    ["/mission buget +$50", "/mission budget +$50"],
    ["/mission anwser mode: poc", "/mission answer mode: poc"],
  ])("%s is answered 'did you mean `%s`?', and no mission starts", (body, meant) => {
    const r = parseCommand(body);
    expect(r.ok).toBe(false);
    if (r.ok !== false) return;
    expect(r.error).toContain(`did you mean \`${meant}\`?`);
  });

  it.each(["/mission Aprove", "/mission stats dashboard for our services", "/mission reply to tickets automatically", "/mission answers page for the docs site"])(
    "%s is still a goal",
    (body) => {
      const r = parseCommand(body);
      expect(r.ok === true && r.command.name).toBe("start");
    },
  );
});

describe("--yes", () => {
  it("starts with defaults for whatever the flags leave open, asking nothing", () => {
    const step = say("/mission Build a CRM --budget $30 --yes");
    expect(step.kind).toBe("plan");
    const m = step.mission!;
    expect(m.budget.usd).toBe(30);
    expect(m.mode).toBe("poc");
    expect(m.budget.hours).toBeGreaterThan(0);
    expect(m.budget.tokens).toBeGreaterThan(0);
    expect(m.constraints).toEqual([]);
    expect(m.preferences).toEqual({});
    expect(m.goal).toBe("Build a CRM");
  });

  it("refuses a value", () => {
    const r = parseCommand("/mission Build a CRM --yes=maybe");
    expect(r.ok).toBe(false);
  });
});

describe("the interview", () => {
  it.each([
    ["Build a CRM with contacts, deals and email", "product"],
    ["Add dark mode to our app", "feature"],
    ["Integrate Stripe payments with the order service", "integration"],
    ["Investigate which queue fits our load", "research"],
    ["Set up a CI pipeline with Terraform for staging", "infrastructure"],
  ])("classifies %j as %s", (goal, kind) => {
    expect(classifyGoal(goal)).toBe(kind);
    const step = say(`/mission ${goal}`);
    expect(step.kind === "reply" && step.mission?.scope?.kind).toBe(kind);
  });

  it("asks the probes of the goal's kind, says the kind, and asks no constraints or preferences when every flag was given", () => {
    const step = say("/mission Integrate Stripe payments with the order service --mode poc --budget $100 --hours 40 --tokens 5M");
    const reply = replyOf(step);
    expect(reply).toContain("**an integration**");
    expect(reply).toContain("**Systems**");
    expect(reply).toContain("**Non-negotiables**");
    expect(reply).toContain("**Failure**");
    expect(reply).not.toContain("**User journey**");
    expect(reply).not.toContain("**Constraints**");
    expect(reply).not.toContain("**Preferences**");
    expect(reply).not.toContain("**Mode**");
  });

  it("skips probes the command already answered", () => {
    const step = say("/mission Build a CRM --mode poc --budget $100 --hours 40 --tokens 5M\njourney: a rep adds a contact, then logs a deal");
    const reply = replyOf(step);
    expect(reply).not.toContain("**User journey**");
    expect(reply).toContain("**Failure**");
    expect(step.mission?.scope?.probes.journey).toBe("a rep adds a contact, then logs a deal");
  });

  it("skips probes the form already answered", () => {
    const form = parseMissionForm("### Goal\n\nBuild a CRM\n\n### User journey\n\nA rep logs a deal\n\n### What would make it fail\n\nReps keep spreadsheets")!;
    const step = decideFromForm({ form, author: "alice", now: NOW, repo: "octo/crm", issueNumber: 7, config });
    const reply = replyOf(step);
    expect(reply).toContain("**Non-negotiables**");
    expect(reply).not.toContain("**User journey**");
    expect(reply).not.toContain("**Failure**");
  });

  it("asks each probe once: an answer that leaves them out plans", () => {
    const first = say("/mission Build a CRM --mode poc --budget $100 --hours 40 --tokens 5M");
    expect(first.kind).toBe("reply");
    const second = say("/mission answer constraints: no new dependencies", first.mission!);
    expect(second.kind).toBe("plan");
    expect(second.mission!.scope!.probes).toEqual({ journey: "", musts: "", failure: "" });
    expect(second.mission!.constraints).toEqual(["no new dependencies"]);
  });

  it("lets the person correct the kind, and then asks that kind's probes", () => {
    const first = say("/mission Build a CRM --mode poc --budget $100 --hours 40 --tokens 5M");
    const second = say("/mission answer kind: research", first.mission!);
    expect(second.kind).toBe("reply");
    expect(replyOf(second)).toContain("**Question**");
    expect(second.mission!.scope!.kind).toBe("research");
  });
});

describe("the one-line answer", () => {
  it("reads several answers on one line, as the dashboard and questions advertise", () => {
    const { answers, problems } = parseAnswers("mode: `poc` hours: 40, usd: 100; tokens: 5M constraints: none preferences: none");
    expect(problems).toEqual([]);
    expect(answers).toEqual({ mode: "poc", hours: 40, usd: 100, tokens: 5_000_000, constraints: [], preferences: {} });
  });

  it("keeps free text with other colons whole", () => {
    const { answers, problems } = parseAnswers("journey: sign in, then open Settings: Billing and pay");
    expect(problems).toEqual([]);
    expect(answers.probes).toEqual({ journey: "sign in, then open Settings: Billing and pay" });
  });

  it("answers every question from `/mission answer` on one line and plans", () => {
    const first = say("/mission Build a CRM");
    const second = say("/mission answer mode: poc hours: 40 usd: 100 tokens: 5M constraints: none preferences: none journey: a rep logs a deal", first.mission!);
    expect(second.kind).toBe("plan");
    expect(second.mission!.scope!.probes.journey).toBe("a rep logs a deal");
  });
});
