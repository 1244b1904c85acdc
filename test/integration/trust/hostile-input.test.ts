/**
 * Trust boundary, point 8: hostile input costs little. Permission comes
 * before any expensive work; a person without write access gets at most one
 * refusal an hour on an issue, however many commands they write; amounts
 * are finite and under the repository's maximums or change nothing; and the
 * settings cannot point the planner's key at another secret. (Parsing
 * adversarial comments: test/unit/hostile-parsing.test.ts; figures:
 * bench/hostile.bench.ts.)
 */
import { afterEach, describe, expect, it } from "vitest";
import { outlinePlanner } from "../../../src/mission/plan/outline.js";
import type { Planner } from "../../../src/mission/plan/plan.js";
import type { Harness } from "../../support/app-harness.js";
import { CRM_OUTLINE } from "../../support/outline.js";
import { botComments, expectContract, FILES, mission, missionText, planned, trustHarness } from "./support.js";

let h: Harness;
afterEach(() => {
  h?.stop();
  expectContract(h);
});

/** The outline planner, counting its calls (a model planner's calls cost money). */
function countingPlanner(): Planner & { calls: number } {
  const planner = {
    name: "outline",
    calls: 0,
    async plan(request: Parameters<Planner["plan"]>[0]) {
      planner.calls++;
      return outlinePlanner.plan(request);
    },
  };
  return planner;
}

const HOUR = 3_600_000;

/** Writes to the repository's files or git data (where mission.md and the state branch live). */
const stateWrites = (h: Harness) => h.twin.log.filter((e) => e.method !== "GET" && /\/(contents|git)\//.test(e.path)).map((e) => `${e.method} ${e.path}`);
const refusals = (issue: number, login: string) => botComments(h, issue).filter((c) => c.body.startsWith(`Sorry @${login}, only people with write access`));

describe("the permission check comes before any expensive work", () => {
  it("never asks the planner for a mission a person without write access asked for", async () => {
    const planner = countingPlanner();
    h = trustHarness({ planner });
    const issue = h.twin.as("bob").createIssue({ title: "CRM", body: CRM_OUTLINE }).number;
    h.twin.as("bob").comment(issue, "/mission Build a CRM --mode poc --budget $500 --hours 40 --tokens 50M\nconstraints: none");
    h.twin.as("tina").comment(issue, "/mission Build a CRM --mode poc --budget $500 --hours 40 --tokens 50M");
    await h.pump();
    expect(planner.calls).toBe(0);
    expect(refusals(issue, "bob")).toHaveLength(1);
    expect(refusals(issue, "tina")).toHaveLength(1);
    expect(stateWrites(h)).toEqual([]);

    // The same command by a writer plans, once the interview is done.
    await planned(h);
    expect(planner.calls).toBe(1);
  });
});

describe("refusals to the same person are rate-limited", () => {
  it("answers five commands by a read-only person with one refusal, and one more an hour later", async () => {
    h = trustHarness();
    const issue = h.twin.as("bob").createIssue({ title: "CRM", body: "" }).number;
    for (const command of ["/mission Build a CRM", "/mission approve", "/mission status", "/mission budget +$100", "/mission help"]) {
      h.twin.as("bob").comment(issue, command);
      await h.pump();
    }
    await h.pulse();
    await h.pump();
    expect(refusals(issue, "bob")).toHaveLength(1);
    expect(botComments(h, issue)).toHaveLength(1);

    h.twin.advance(HOUR + 60_000, { tokens: "keep" }); // the app's installation token is its own business
    h.twin.as("bob").comment(issue, "/mission Build a CRM, please");
    await h.pump();
    await h.pulse();
    await h.pump();
    expect(refusals(issue, "bob")).toHaveLength(2);
    expect(botComments(h, issue)).toHaveLength(2);
    // another person is refused in their own right
    h.twin.as("tina").comment(issue, "/mission status");
    await h.pump();
    expect(refusals(issue, "tina")).toHaveLength(1);
  });
});

describe("amounts must be finite and under a configurable maximum", () => {
  const NINES = "9".repeat(400);

  it("refuses a start whose flags are not finite amounts, negative, or over the maximums, with one answer each, and starts nothing", async () => {
    h = trustHarness();
    const issue = h.twin.as("alice").createIssue({ title: "CRM", body: CRM_OUTLINE }).number;
    const cases: Array<[string, RegExp]> = [
      ["--budget $1e400", /"\$1e400" is not an amount of money/],
      [`--budget $${NINES}`, /is too large to be an amount of money/],
      ["--budget $-5", /is not an amount of money: it must be more than zero/],
      ["--budget $NaN", /"\$NaN" is not an amount of money/],
      ["--budget $200000", /\$200,000 is more than this repository allows for a mission's money budget: at most \$100,000 \(`budget\.max_usd`/],
      ["--hours 20000", /20,000h is more than this repository allows for a mission's time budget: at most 10,000h \(`budget\.max_hours`/],
      [`--hours ${NINES}`, /is too large to be an amount of time/],
      ["--tokens 20000M", /20,000,000,000 tokens is more than this repository allows for a mission's token budget/],
      [`--tokens ${NINES}`, /is too large to be a number of tokens/],
      ["--tokens -1M", /it must be more than zero/],
    ];
    for (const [flag, answer] of cases) {
      const c = h.twin.as("alice").comment(issue, `/mission Build a CRM ${flag}`);
      await h.pump();
      const replies = botComments(h, issue).filter((b) => b.body.includes(`<!-- mission-bot:reply:${c.id} -->`));
      expect(replies, flag).toHaveLength(1);
      expect(replies[0]!.body, flag).toMatch(answer);
    }
    expect(botComments(h, issue)).toHaveLength(cases.length);
    expect(stateWrites(h)).toEqual([]);
    expect(h.twin.issue(issue).labels).toEqual([]);
  });

  it("refuses budget increases and answers that are not finite or over the maximums, and changes nothing", async () => {
    h = trustHarness({ files: { ...FILES, ".github/mission.yml": "planner:\n  provider: outline\nbudget:\n  max_usd: 1000\n" } });
    const issue = await planned(h);
    const before = missionText(h);
    const cases: Array<[string, RegExp]> = [
      [`/mission budget +$${NINES}`, /is too large to be an amount of money/],
      ["/mission budget +$1e400", /is not an amount of money/],
      ["/mission budget +$-5", /must be more than zero/],
      ["/mission budget +$NaN", /is not an amount of money/],
      ["/mission budget +$600", /\$1,100 is more than this repository allows for a mission's money budget: at most \$1,000 \(`budget\.max_usd`/],
      ["/mission budget +10000h", /10,040h is more than this repository allows for a mission's time budget/],
      [`/mission budget +${NINES}h`, /is too large to be an amount of time/],
      ["/mission budget +20000M tokens", /tokens is more than this repository allows for a mission's token budget/],
      ["/mission answer\nusd: 5000", /\$5,000 is more than this repository allows for a mission's money budget: at most \$1,000/],
      [`/mission answer\nhours: ${NINES}`, /hours: that number is too large/],
      ["/mission answer\ntokens: -3", /must be more than zero/],
    ];
    for (const [command, answer] of cases) {
      const c = h.twin.as("alice").comment(issue, command);
      await h.pump();
      const replies = botComments(h, issue).filter((b) => b.body.includes(`<!-- mission-bot:reply:${c.id} -->`));
      expect(replies, command).toHaveLength(1);
      expect(replies[0]!.body, command).toMatch(answer);
    }
    const m = mission(h);
    expect(m.budget).toMatchObject({ usd: 500, hours: 40, tokens: 50_000_000 });
    expect(m.decisions.filter((d) => /Budget raised/.test(d.what))).toEqual([]);
    expect(missionText(h).replace(/^seen_until: .*$/m, "")).toBe(before.replace(/^seen_until: .*$/m, ""));

    // Within the maximum, the same command raises the budget.
    h.twin.as("alice").comment(issue, "/mission budget +$400");
    await h.pump();
    expect(mission(h).budget.usd).toBe(900);
  });
});

describe("the planner's key can only be a model API key", () => {
  it("refuses settings whose planner.api_key_env names another secret, with a clear answer, and plans nothing", async () => {
    h = trustHarness({
      files: { ...FILES, ".github/mission.yml": "planner:\n  provider: anthropic\n  api_key_env: PRIVATE_KEY\n" },
      env: { PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\nthe App's key\n-----END RSA PRIVATE KEY-----" },
    });
    const issue = h.twin.as("alice").createIssue({ title: "CRM", body: CRM_OUTLINE }).number;
    h.twin.as("alice").comment(issue, "/mission Build a CRM --mode poc --budget $500 --hours 40 --tokens 50M");
    await h.pump();
    const [reply] = botComments(h, issue);
    expect(reply!.body).toMatch(/mission-bot cannot read its configuration, so it changed nothing/);
    expect(reply!.body).toMatch(/planner\.api_key_env: must name an environment variable ending in _API_KEY/);
    expect(reply!.body).not.toContain("the App's key");
    expect(stateWrites(h)).toEqual([]);
  });
});
