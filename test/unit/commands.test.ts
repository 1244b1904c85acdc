import { describe, expect, it } from "vitest";
import { helpText, parseCommand, USAGE, type Command } from "../../src/mission/conversation/commands.js";

function command(body: string): Command {
  const r = parseCommand(body);
  if (r.ok !== true) throw new Error(`expected a command, got ${JSON.stringify(r)}`);
  return r.command;
}

function refusal(body: string): { error: string; usage: string } {
  const r = parseCommand(body);
  if (r.ok !== false) throw new Error(`expected a refusal, got ${JSON.stringify(r)}`);
  return r;
}

describe("which comments address the bot", () => {
  it.each([
    ["plain talk", "Looks good to me"],
    ["an empty comment", "  \n\n"],
    ["a quoted command", "> /mission Build a CRM\n\nWhy did this start?"],
    ["a command in a code fence", "```\n/mission Build a CRM\n```"],
    ["a command on a later line", "Try this:\n/mission Build a CRM"],
    ["a longer word", "/missions are fun"],
    ["a command indented as code", "    /mission Build a CRM"],
  ])("ignores %s", (_, body) => {
    expect(parseCommand(body)).toEqual({ ok: "none" });
  });

  it("listens to /mission in any case, after blank lines, with CRLF line ends", () => {
    expect(command("\r\n  /MISSION status\r\n")).toEqual({ name: "status" });
  });
});

describe("starting a mission", () => {
  it("takes the goal and every flag", () => {
    expect(command("/mission Build a CRM --mode poc --budget $200 --hours 40 --tokens 5M")).toEqual({
      name: "start",
      goal: "Build a CRM",
      flags: { mode: "poc", usd: 200, hours: 40, tokens: 5_000_000 },
    });
  });

  it("accepts flags anywhere, as --flag=value, and values of several words", () => {
    expect(command("/mission --budget=$1,500 Build a CRM --hours 2+ weeks with email --tokens 1.5M tokens")).toEqual({
      name: "start",
      goal: "Build a CRM with email",
      flags: { usd: 1500, hours: 80, tokens: 1_500_000 },
    });
  });

  it("reads uncapped limits as null", () => {
    expect(command("/mission Build a CRM --budget uncapped --hours no limit")).toMatchObject({
      flags: { usd: null, hours: null },
    });
  });

  it("keeps a goal spanning several lines, flags on their own line removed", () => {
    const start = command("/mission Build a CRM\nwith contacts and deals\n--budget $200 --mode full\n\n- export to CSV");
    expect(start).toEqual({
      name: "start",
      goal: "Build a CRM\nwith contacts and deals\n\n- export to CSV",
      flags: { usd: 200, mode: "full" },
    });
  });

  it("leaves flag-like text in code alone", () => {
    const start = command("/mission Make `npm test --watch` fast\n```\nvitest --reporter dot\n```");
    expect(start).toEqual({
      name: "start",
      goal: "Make `npm test --watch` fast\n```\nvitest --reporter dot\n```",
      flags: {},
    });
  });

  it("accepts --usd for --budget and --time for --hours", () => {
    expect(command("/mission Build a CRM --usd 50 --time 1 day")).toMatchObject({ flags: { usd: 50, hours: 8 } });
  });

  it("refuses an unknown flag, suggesting the closest and listing the flags", () => {
    const r = refusal("/mission Build a CRM --budjet $200");
    expect(r.error).toContain("unknown flag --budjet");
    expect(r.error).toContain("did you mean --budget?");
    expect(r.error).toContain("--mode, --budget, --hours, --tokens and --yes");
    expect(r.usage).toBe(USAGE.start);
  });

  it("lists the flags without a guess when nothing is close", () => {
    const r = refusal("/mission Build a CRM --verbose");
    expect(r.error).toContain("unknown flag --verbose.");
    expect(r.error).not.toContain("did you mean");
  });

  it.each([
    ["at the end of the line", "/mission Build a CRM --budget"],
    ["before another flag", "/mission Build a CRM --budget --hours 40"],
    ["after =", "/mission Build a CRM --budget="],
  ])("refuses a flag without a value %s", (_, body) => {
    const r = refusal(body);
    expect(r.error).toContain("--budget needs a value, e.g. --budget $200");
    expect(r.usage).toBe(USAGE.start);
  });

  it.each([
    ["--budget lots", '--budget: "lots" is not an amount of money'],
    ["--hours soon", '--hours: "soon" is not an amount of time'],
    ["--tokens many", '--tokens: "many" is not a number of tokens'],
    ["--mode quick", '--mode: "quick" is not a mode'],
    ["--budget $0", "more than zero"],
    ["--hours 1 month of work", '--hours: "1 month" is not an amount of time'],
    ["--budget 200 EUR", '--budget: "200 EUR" is not an amount of money'],
  ])("refuses a bad value: %s", (flag, message) => {
    const r = refusal(`/mission Build a CRM ${flag}`);
    expect(r.error).toContain(message);
    expect(r.usage).toBe(USAGE.start);
  });

  it("refuses a flag given twice, also through an alias", () => {
    expect(refusal("/mission Build a CRM --hours 4 --hours 5").error).toContain("--hours is given twice");
    expect(refusal("/mission Build a CRM --budget 4 --usd 5").error).toContain("--budget and --usd both set");
  });

  it("refuses a mission without a goal", () => {
    const r = refusal("/mission --budget $200 --mode poc");
    expect(r.error).toContain("missing goal");
    expect(r.usage).toBe(USAGE.start);
    expect(refusal("/mission").error).toContain("needs a goal or a command");
  });

  it("refuses a goal over 10,000 characters", () => {
    expect(command(`/mission ${"a".repeat(10_000)}`)).toMatchObject({ name: "start" });
    expect(refusal(`/mission ${"a".repeat(10_001)}`).error).toContain("10,001 characters; the limit is 10,000");
  });
});

describe("subcommands", () => {
  it.each(["help", "approve", "status", "pause", "resume", "cancel", "validate"] as const)(
    "reads /mission %s",
    (name) => {
      expect(command(`/mission ${name}`)).toEqual({ name });
    },
  );

  it("ignores a remark on the lines after a command", () => {
    expect(command("/mission approve\nLooks great, thanks!")).toEqual({ name: "approve" });
  });

  it("reads the outcome level an approval chooses", () => {
    expect(command("/mission approve mvp")).toEqual({ name: "approve", level: "mvp" });
    expect(command("/mission approve Production-ready")).toEqual({ name: "approve", level: "production" });
    expect(command("/mission approve polished\nThe best, please.")).toEqual({ name: "approve", level: "polished" });
    expect(refusal("/mission approve gold").error).toContain("the levels are `mvp`, `production` and `polished`");
  });

  it("takes everything after /mission answer as the answer", () => {
    expect(command("/mission answer mode: poc\nhours: 40\n\n```yaml\nusd: 100\n```")).toEqual({
      name: "answer",
      text: "mode: poc\nhours: 40\n\n```yaml\nusd: 100\n```",
    });
  });

  it("takes the change of a replan, across lines", () => {
    expect(command("/mission replan split milestone 2\ninto two")).toEqual({
      name: "replan",
      change: "split milestone 2\ninto two",
    });
  });

  it("reads the feature to retry and the milestone whose validation is skipped", () => {
    expect(command("/mission retry 2.3")).toEqual({ name: "retry", feature: "2.3" });
    expect(command("/mission retry 2.fix-login")).toEqual({ name: "retry", feature: "2.fix-login" });
    expect(command("/mission skip-validation 2")).toEqual({ name: "skip-validation", milestone: "2" });
  });

  it("shows the budget, or raises it by any subset of increases", () => {
    expect(command("/mission budget")).toEqual({ name: "budget" });
    expect(command("/mission budget +$100 +10h +2M tokens")).toEqual({
      name: "budget",
      add: { usd: 100, hours: 10, tokens: 2_000_000 },
    });
    expect(command("/mission budget +2M")).toEqual({ name: "budget", add: { tokens: 2_000_000 } });
  });

  it.each([
    ["/mission answer", "answer", "needs your answers"],
    ["/mission replan", "replan", "needs the change you want"],
    ["/mission retry", "retry", "needs the feature to run again"],
    ["/mission retry 2.3 2.4", "retry", 'takes one feature, but got "2.3 2.4"'],
    ["/mission retry #2.3", "retry", '"#2.3" is not a feature'],
    ["/mission skip-validation", "skip-validation", "needs the milestone number"],
    ["/mission skip-validation 2.1", "skip-validation", '"2.1" is not a milestone'],
    ["/mission budget +$100 +$5", "budget", "at most once"],
    ["/mission budget $100", "budget", "needs a + in front"],
    ["/mission status now", "status", '`/mission status` takes nothing after it, but got "now"'],
    ["/mission approve --budget 5", "approve", '"--budget 5" is not an outcome level'],
    ["/mission help me", "help", "takes nothing after it"],
  ] as const)("refuses %j with the usage of %s", (body, name, message) => {
    const r = refusal(body);
    expect(r.error).toContain(message);
    expect(r.usage).toBe(USAGE[name]);
  });
});

describe("a goal that begins with a subcommand word", () => {
  it("is a goal when the word is capitalised and more follows", () => {
    expect(command("/mission Status page for our services")).toMatchObject({
      name: "start",
      goal: "Status page for our services",
    });
    expect(command("/mission Answer bot for support")).toMatchObject({ name: "start" });
    expect(command("/mission Budget tracker +family")).toMatchObject({ name: "start" });
  });

  it("is a goal when the word is only part of the first word", () => {
    expect(command("/mission Approve-flow for invoices")).toMatchObject({
      name: "start",
      goal: "Approve-flow for invoices",
    });
    expect(command("/mission approve-flow for invoices")).toMatchObject({ name: "start" });
  });

  it("is the subcommand when capitalised and the rest fits", () => {
    expect(command("/mission Status")).toEqual({ name: "status" });
    expect(command("/mission Retry 2.3")).toEqual({ name: "retry", feature: "2.3" });
  });

  it("is the subcommand when written in lowercase, and the refusal says how to start such a goal", () => {
    const r = refusal("/mission status page for our services");
    expect(r.error).toContain('takes nothing after it, but got "page for our services"');
    expect(r.error).toContain("/mission Status page for our services");
    expect(r.usage).toBe(USAGE.status);
  });
});

describe("/mission help", () => {
  it("has one table row per command, each shown in its usage", () => {
    const help = helpText();
    const rows = help.split("\n").filter((l) => l.startsWith("| `/mission"));
    expect(rows).toHaveLength(Object.keys(USAGE).length);
    for (const usage of Object.values(USAGE)) {
      expect(help).toContain(`\`${usage.replaceAll("|", "\\|")}\``);
    }
  });

  it("ends with an example that parses as a mission start", () => {
    const example = /```\n(\/mission [^\n]+)\n```\s*$/.exec(helpText());
    expect(example).not.toBeNull();
    expect(command(example![1]!)).toMatchObject({ name: "start", flags: { mode: "poc", usd: 200 } });
  });
});
