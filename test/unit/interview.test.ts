import { describe, expect, it } from "vitest";
import { parseCommand } from "../../src/mission/conversation/commands.js";
import {
  applyAnswers,
  applyFlags,
  openQuestions,
  parseAnswers,
  renderQuestions,
  type Question,
} from "../../src/mission/conversation/interview.js";
import type { Mission } from "../../src/mission/model.js";

function mission(over: Partial<Mission> = {}): Mission {
  return {
    id: "m-20261124-crm-42",
    title: "Build a CRM",
    goal: "Build a CRM",
    status: "scoping",
    repo: "acme/crm",
    tracking_issue: 42,
    created: "2026-11-24T10:00:00Z",
    created_by: "octocat",
    budget: { alerts: [0.5, 0.8, 1], hard_stop: "finish" },
    models: { planner: "p", worker: "w", validator: "v" },
    ledger: [],
    notices: [],
    alerts_sent: [],
    decisions: [],
    ...over,
  };
}

const ALL: Question[] = ["mode", "hours", "usd", "tokens", "constraints", "preferences"];

describe("open questions of a mission", () => {
  it("asks everything of a new mission", () => {
    expect(openQuestions(mission())).toEqual(ALL);
  });

  it("counts uncapped, none and {} as answered", () => {
    const m = mission({
      mode: "poc",
      budget: { hours: null, usd: 100, tokens: null, alerts: [1], hard_stop: "finish" },
      constraints: [],
      preferences: {},
    });
    expect(openQuestions(m)).toEqual([]);
  });

  it("asks only what is still unanswered", () => {
    const m = mission({ mode: "full", budget: { usd: 50, alerts: [1], hard_stop: "finish" }, constraints: [] });
    expect(openQuestions(m)).toEqual(["hours", "tokens", "preferences"]);
  });
});

describe("asking the questions", () => {
  it("explains both modes and offers the choices for each limit", () => {
    const text = renderQuestions(ALL);
    expect(text).toContain("commits straight to a mission branch, no reviews — fastest");
    expect(text).toContain("a branch and pull request per feature, reviewed — production");
    for (const choice of ["`8` (≈ 1 day)", "`40` (≈ 1 week)", "`80` (≈ 2+ weeks)", "`$20`", "`$500`", "`1M`", "`20M`"]) {
      expect(text).toContain(choice);
    }
    expect(text).toContain("stack, deploy target, test framework");
  });

  it("asks only the open questions, with an example reply for exactly those", () => {
    const text = renderQuestions(["usd", "constraints"]);
    expect(text).toContain("**Money**");
    expect(text).not.toContain("**Mode**");
    expect(text).not.toContain("**Tokens**");
    expect(text).toMatch(/```\n\/mission answer\nusd: 100\nconstraints: none\n```$/);
  });

  it("gives an example reply that the bot reads back as a full answer", () => {
    const reply = /```\n([\s\S]*?)```$/.exec(renderQuestions(ALL))![1]!;
    const parsed = parseCommand(reply);
    if (parsed.ok !== true || parsed.command.name !== "answer") throw new Error(JSON.stringify(parsed));
    const { answers, problems } = parseAnswers(parsed.command.text);
    expect(problems).toEqual([]);
    expect(openQuestions(applyAnswers(mission(), answers))).toEqual([]);
  });
});

describe("reading answers", () => {
  it("reads key: value lines", () => {
    const { answers, problems } = parseAnswers(
      "mode: POC\nhours: 2+ weeks\nusd: $1,500\ntokens: 5M\nconstraints: must use Postgres: no Mongo\npreferences: none",
    );
    expect(problems).toEqual([]);
    expect(answers).toEqual({
      mode: "poc",
      hours: 80,
      usd: 1500,
      tokens: 5_000_000,
      constraints: ["must use Postgres: no Mongo"],
      preferences: {},
    });
  });

  it("reads a fenced YAML block with lists and a preference mapping", () => {
    const text = [
      "Here you go:",
      "```yaml",
      "Mode: full",
      "time: 40",
      "budget: uncapped",
      "constraints:",
      "  - no new dependencies",
      "  - runs on Node 20",
      "preferences:",
      "  stack: TypeScript + Postgres",
      "  deploy target: Fly.io",
      "```",
    ].join("\n");
    expect(parseAnswers(text)).toEqual({
      answers: {
        mode: "full",
        hours: 40,
        usd: null,
        constraints: ["no new dependencies", "runs on Node 20"],
        preferences: { stack: "TypeScript + Postgres", deploy: "Fly.io" },
      },
      problems: [],
    });
  });

  it("reads a list under an empty key in key: value lines", () => {
    const { answers, problems } = parseAnswers("constraints:\n- no new dependencies\n- runs on Node 20\nmode: poc: fast");
    expect(answers.constraints).toEqual(["no new dependencies", "runs on Node 20"]);
    expect(problems).toEqual([expect.stringContaining('mode: "poc: fast" is not a mode')]);
  });

  it.each([
    ["money", "money: $20", { usd: 20 }],
    ["cost", "cost: 20", { usd: 20 }],
    ["time", "time: 1 week", { hours: 40 }],
    ["deploy_target", "deploy_target: Vercel", { preferences: { deploy: "Vercel" } }],
    ["tests", "tests: vitest", { preferences: { test_framework: "vitest" } }],
    ["test", "Test: jest", { preferences: { test_framework: "jest" } }],
    ["notes", "notes: keep it small", { preferences: { notes: "keep it small" } }],
  ])("accepts the alias %s", (_, text, answers) => {
    expect(parseAnswers(text)).toEqual({ answers, problems: [] });
  });

  it("merges direct preference keys with preferences: none", () => {
    expect(parseAnswers("preferences: none\nstack: Rails").answers.preferences).toEqual({ stack: "Rails" });
  });

  it("reads constraints: none as no constraints, and free-text preferences as notes", () => {
    expect(parseAnswers("constraints: None\npreferences: serverless please").answers).toEqual({
      constraints: [],
      preferences: { notes: "serverless please" },
    });
  });

  it("keeps what it understood and names each key it could not use", () => {
    const { answers, problems } = parseAnswers("mode: quick\nhours: 40\ncolour: blue\ntokens: lots\nusd: 100");
    expect(answers).toEqual({ hours: 40, usd: 100 });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain('mode: "quick" is not a mode. Write it like poc (proof of concept) or full.');
    expect(problems[1]).toContain('unknown key "colour"');
    expect(problems[1]).toContain("mode, hours, usd, tokens, constraints, preferences");
    expect(problems[2]).toContain('tokens: "lots" is not a number of tokens');
    expect(problems[2]).toContain("5M, 500k");
  });

  it("names an empty answer and a line it cannot read", () => {
    const { answers, problems } = parseAnswers("hours:\nI think a POC is fine\nmode: poc");
    expect(answers).toEqual({ mode: "poc" });
    expect(problems).toEqual([
      "hours: no answer given. Write it like 40, 40h, 1.5h, 1 day, 1 week, 2+ weeks or uncapped.",
      'I could not read "I think a POC is fine": write one answer per line as `key: value`, e.g. `mode: poc`.',
    ]);
  });

  it("keeps the first of two answers to the same question and says so", () => {
    const { answers, problems } = parseAnswers("hours: 40\ntime: 80");
    expect(answers).toEqual({ hours: 40 });
    expect(problems).toEqual(["time: answered twice (also as hours); I kept the first answer."]);
  });

  it("names an unknown preference inside a preferences mapping", () => {
    const { answers, problems } = parseAnswers("preferences:\n  stack: Go\n  colour: blue");
    expect(answers).toEqual({ preferences: { stack: "Go" } });
    expect(problems).toEqual([
      'preferences: unknown preference "colour". Preferences are stack, deploy, test_framework and notes.',
    ]);
  });

  it("refuses a constraint longer than a mission accepts", () => {
    const { answers, problems } = parseAnswers(`constraints: ${"x".repeat(1001)}`);
    expect(answers).toEqual({});
    expect(problems[0]).toContain("longer than 1000 characters");
  });
});

describe("putting answers and flags into the mission", () => {
  it("sets the mode and limits, keeping what the answers do not mention", () => {
    const m = mission({ budget: { usd: 50, alerts: [0.5], hard_stop: "cancel" } });
    const next = applyAnswers(m, { mode: "poc", hours: null, tokens: 5_000_000 });
    expect(next.mode).toBe("poc");
    expect(next.budget).toEqual({ usd: 50, hours: null, tokens: 5_000_000, alerts: [0.5], hard_stop: "cancel" });
    expect(m.budget.hours).toBeUndefined();
  });

  it("replaces constraints and merges preferences field by field", () => {
    const m = mission({ constraints: ["old"], preferences: { stack: "Rails", deploy: "Heroku" } });
    const next = applyAnswers(m, { constraints: ["new"], preferences: { deploy: "Fly.io" } });
    expect(next.constraints).toEqual(["new"]);
    expect(next.preferences).toEqual({ stack: "Rails", deploy: "Fly.io" });
  });

  it("records preferences: none as answered", () => {
    expect(applyAnswers(mission(), { preferences: {}, constraints: [] })).toMatchObject({
      preferences: {},
      constraints: [],
    });
  });

  it("applies the start command's flags, uncapped included", () => {
    const next = applyFlags(mission(), { mode: "full", usd: null, hours: 40 });
    expect(next.mode).toBe("full");
    expect(next.budget).toMatchObject({ usd: null, hours: 40 });
    expect(next.budget.tokens).toBeUndefined();
    expect(openQuestions(next)).toEqual(["tokens", "constraints", "preferences"]);
  });
});
