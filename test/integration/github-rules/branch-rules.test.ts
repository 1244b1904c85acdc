/**
 * Protected branches and rulesets (test/twin/RULES.md rule 7): a direct
 * write to a branch under classic protection or a ruleset answers 409
 * "Changes must be made through a pull request." / "Repository rule
 * violations found…" / `Required status check "ci" is expected.` — not a
 * stale sha. The bot keeps state on its state branch; when a rule refuses
 * that commit it says once what to change, never calls it a conflict,
 * never retries in a loop, and picks the mission up once the rule is lifted.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Harness } from "../../support/app-harness.js";
import { CRM_OUTLINE } from "../../support/outline.js";
import { botBodies, expectClean, missionOf, world } from "./support.js";
import { DEFAULT_STATE_BRANCH } from "../../../src/mission/model.js";

let h: Harness;
afterEach(() => h?.stop());

interface Case {
  name: string;
  settings?: string;
  branch: string;
  rule: (h: Harness) => void;
  says: RegExp;
}

const CASES: Case[] = [
  {
    name: "a ruleset on the state branch (mission-bot/state)",
    branch: DEFAULT_STATE_BRANCH,
    rule: (h) => h.twin.addRuleset({ name: "Protect everything", include: "~ALL" }),
    says: /Repository rule violations found/,
  },
  {
    name: "classic protection on main, with state_branch: main",
    settings: "state_branch: main\n",
    branch: "main",
    rule: (h) => h.twin.protectBranch("main"),
    says: /Changes must be made through a pull request/,
  },
  {
    name: "a required status check on main, with state_branch: main",
    settings: "state_branch: main\n",
    branch: "main",
    rule: (h) => h.twin.protectBranch("main", { requirePullRequest: false, requiredStatusChecks: ["ci"] }),
    says: /Required status check "ci" is expected/,
  },
];

describe("a branch rule on the state branch", () => {
  for (const c of CASES) {
    it(`${c.name}: told once what to change, no conflict, bounded requests per pulse, picked up once lifted`, async () => {
      h = world({ play: { manual: () => true }, ...(c.settings ? { settings: c.settings } : {}) }).h;
      c.rule(h);
      const tracking = h.twin.as("alice").createIssue({ title: "CRM", body: CRM_OUTLINE }).number;
      h.twin.as("alice").comment(tracking, "/mission Build a CRM --mode poc --budget $500 --hours 100 --tokens 50M");
      await h.pump();

      const said = () => botBodies(h, tracking);
      const notices = () => said().filter((b) => /cannot save this mission's state/.test(b));
      // The command is answered (answers come before state), and the tracking issue is told once what to change.
      expect(said().filter((b) => /Mission \*\*m-/.test(b))).toHaveLength(1);
      expect(notices()).toHaveLength(1);
      expect(notices()[0]).toMatch(c.says);
      expect(notices()[0]).toContain(`\`${c.branch}\``);
      expect(notices()[0]).toMatch(/exempt|bypass/i);
      expect(said().join("\n")).not.toMatch(/changed while the bot was writing it/);
      expect(h.errors).toEqual([]);

      // Pulses while the rule stands: a few reads each, the same every time, nothing posted again.
      const costs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const before = h.twin.log.length;
        h.twin.advance(15 * 60_000, { tokens: "keep" });
        await h.pulse();
        await h.pump();
        costs.push(h.twin.log.length - before);
      }
      expect(costs[0]).toBeGreaterThan(0); // the pulse does look at the mission
      expect(Math.max(...costs)).toBeLessThan(40);
      expect(costs[2]).toBe(costs[1]);
      expect(notices()).toHaveLength(1);
      expect(said().filter((b) => /Mission \*\*m-/.test(b))).toHaveLength(1);
      expect(h.errors).toEqual([]);

      // The rule is lifted (hours later: the command itself is no longer recent); the next pulse picks the mission up.
      h.twin.advance(3 * 3_600_000, { tokens: "keep" });
      h.twin.repo().rules.splice(0);
      await h.pulse();
      await h.pump();
      const label = h.twin.issue(tracking).labels.find((l) => l.startsWith("mission:m-"));
      expect(label).toBeDefined();
      const m = missionOf(h, label!.slice("mission:".length), c.branch);
      expect(m.status).toBe("scoping");
      expect(m.decisions.map((d) => d.what)).toContain("Mission started.");
      expect(said().filter((b) => /Mission \*\*m-/.test(b))).toHaveLength(1); // never answered twice
      expect(notices()).toHaveLength(1);
      expectClean(h);
    });
  }
});
