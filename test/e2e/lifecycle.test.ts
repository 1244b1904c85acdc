/**
 * End to end, a mission's constraints and outcome level reach the runs that
 * do its work: each worker run's first step is the worker workflow's own
 * (the Action's mode `prompt`, from the bundle, with the step's inputs and
 * the agent job's read-only GITHUB_TOKEN), and a mission approved as `mvp`
 * dispatches its workers on the MVP model with the MVP level's caps.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { perRunLimits } from "../../src/mission/budget/enforce.js";
import { parseConfig } from "../../src/mission/config.js";
import type { Mission } from "../../src/mission/model.js";
import { ROOT } from "./support/app-process.js";
import { APP_BOT, World } from "./support/world.js";
import { GOAL, OUTLINE, isComplete, missionFile, say } from "./support/scenario.js";

/** The shipped settings, with the App's login among the bots whose feature issues a worker takes. */
const SETTINGS = readFileSync(join(ROOT, "templates/mission.yml"), "utf8").replace(/^bot_logins: .*$/m, `bot_logins: ["${APP_BOT}", "github-actions[bot]"]`);
const CONFIG = (() => {
  const parsed = parseConfig(SETTINGS);
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  return parsed.config;
})();

async function withWorld(prompt: boolean, play: (w: World) => Promise<void>): Promise<void> {
  const w = await World.start({ worker: { cost: () => 3, prompt }, files: { ".github/mission.yml": SETTINGS } });
  try {
    await play(w);
  } finally {
    await w.stop();
  }
}

/** /mission, the interview with two constraints and a preference, and the approval given. */
async function start(w: World, approve: string): Promise<{ tracking: number; missionId: string }> {
  const tracking = w.alice.createIssue({ title: "CRM", body: OUTLINE }).number;
  await say(w, tracking, GOAL);
  await say(w, tracking, "/mission answer\nconstraints:\n- no new dependencies\n- keep every page under 200 ms\nstack: Node 24 and Postgres");
  await say(w, tracking, approve);
  const label = w.twin.issue(tracking).labels.find((l) => /^mission:m-/.test(l));
  if (!label) throw new Error(`not approved: ${JSON.stringify(w.comments(tracking).map((c) => c.body))}`);
  return { tracking, missionId: label.slice("mission:".length) };
}

describe.concurrent("a mission's constraints and level reach its workers", () => {
  it("puts the constraints and preferences in every worker's prompt, as the worker workflow's prompt step writes it", async () => {
    await withWorld(true, async (w) => {
      const { tracking, missionId } = await start(w, "/mission approve");
      await w.runUntil(() => isComplete(w, tracking));

      const runs = w.twin.actions.runsOf("mission-worker.yml");
      expect(runs.length).toBeGreaterThanOrEqual(6);
      expect(w.prompts).toHaveLength(runs.length);
      for (const p of w.prompts) {
        expect(p.text, p.log).toBeDefined();
        expect(p.text).toContain(`# Mission ${missionId}, feature ${p.feature}`);
        expect(p.text).toContain("## Constraints of the mission\nThe work must respect each of these:\n- no new dependencies\n- keep every page under 200 ms\n");
        expect(p.text).toContain("## Preferences of the mission\n- Stack: Node 24 and Postgres\n");
      }
      // and where people see them: the plan, each feature issue, the dashboard
      expect(w.botComments(tracking).find((c) => c.body.includes("## Mission plan"))?.body).toContain("- no new dependencies");
      for (const f of w.twin.issuesOf().filter((i) => i.labels.includes("mission:feature"))) expect(f.body).toContain("- keep every page under 200 ms");
      expect(w.twin.issue(tracking).body).toContain("### Constraints and preferences");
    });
  });

  it("runs a mission approved as mvp on the MVP model with the MVP level's caps", async () => {
    await withWorld(false, async (w) => {
      const { tracking, missionId } = await start(w, "/mission approve mvp");
      await w.runUntil(() => w.twin.actions.runsOf("mission-worker.yml").length >= 2, { pulse: false });

      const m = missionFile(w, missionId);
      expect(m.level).toBe("mvp");
      expect(m.models.worker).toBe(CONFIG.tiers.cheap);
      expect(w.botComments(tracking).some((c) => c.body.includes("Plan approved by @alice at **MVP**"))).toBe(true);
      expect(w.twin.issue(tracking).body).toContain("Outcome level: **MVP**");

      // the first two runs started before anything was spent: their caps are the MVP forecast's, below production-ready's
      const before: Mission = { ...m, ledger: [], plan: { ...m.plan!, milestones: m.plan!.milestones.map((ms) => ({ ...ms, features: ms.features.map((f) => ({ ...f, runs: [] })) })) } };
      const production: Mission = { ...before, level: "production", models: { ...before.models, worker: CONFIG.models.worker } };
      const [first, second] = w.twin.actions.runsOf("mission-worker.yml");
      for (const run of [first!, second!]) {
        const inputs = w.twin.actions.inputs(run.id);
        const feature = before.plan!.milestones.flatMap((ms) => ms.features).find((f) => f.key === inputs.feature)!;
        const mvp = perRunLimits(before, feature, CONFIG, []);
        const prod = perRunLimits(production, feature, CONFIG, []);
        expect(inputs.model).toBe("claude-haiku-4-5");
        expect({ max_turns: Number(inputs.max_turns), timeout_minutes: Number(inputs.timeout_minutes), max_cost_usd: Number(inputs.max_cost_usd) }).toEqual(mvp);
        expect(mvp.max_cost_usd!).toBeLessThan(prod.max_cost_usd!);
        expect(mvp.timeout_minutes).toBeLessThan(prod.timeout_minutes);
      }
    });
  });
});
