/**
 * End to end: a mission agent, from a worker's missing context to a
 * promotion pull request. The first worker of feature 1.1 fails and says it
 * lacked context; the bot drafts an agent (its file on the state branch, one
 * comment on the tracking issue); every later worker's prompt (written by
 * the Action's prompt step, as the workflow runs it) includes it; the
 * completion report scores it and proposes it; `/mission promote` opens the
 * pull request that adds it to `.github/mission-agents/`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { APP_BOT, World } from "./support/world.js";
import { isComplete, missionFile, say, startMission } from "./support/scenario.js";
import { STATE_BRANCH } from "../support/missions.js";

const ROOT = join(import.meta.dirname, "../..");
/** The App writes the feature issues: the prompt step takes them from its login. */
const SETTINGS = readFileSync(join(ROOT, "templates/mission.yml"), "utf8").replace(/^bot_logins: .*$/m, `bot_logins: ["${APP_BOT}", "github-actions[bot]"]`);

const MISSING = "Missing context: Contact storage: which table the contacts live in and how they are keyed";

describe("a mission agent drafted from a worker's missing context", () => {
  it("is written, told, read by later workers, scored at the end and promoted by a person", async () => {
    const w = await World.start({
      files: { ".github/mission.yml": SETTINGS },
      worker: {
        cost: () => 2,
        // the prompt step runs the Action's bundle: only for the features the test reads (1.1 twice, then 2.1)
        prompt: (feature) => feature === "1.1" || feature === "2.1",
        report: (feature, attempt) =>
          feature === "1.1" && attempt === 1
            ? { outcome: "failure", summary: `Could not finish.\n${MISSING}`, missing_context: { topic: "Contact storage", what: "which table the contacts live in and how they are keyed" } }
            : {},
      },
    });
    try {
      const { tracking, missionId } = await startMission(w);
      await w.runUntil(() => isComplete(w, tracking));

      // drafted: recorded, its file on the state branch, the tracking issue told once
      const m = missionFile(w, missionId);
      expect(m.agents?.map((a) => [a.name, a.reason, a.from, a.written])).toEqual([["contact-storage", "missing-context", ["1.1"], true]]);
      const file = w.twin.readFile(`todo/missions/${missionId}/agents/contact-storage.md`, { ref: STATE_BRANCH })?.text;
      expect(file).toContain("status: draft");
      expect(file).toContain("> which table the contacts live in");
      expect(w.botComments(tracking).filter((c) => c.body.includes("Mission agent `contact-storage` drafted"))).toHaveLength(1);

      // the first prompt of 1.1 had no agent; its retry and every later feature's prompt have it
      const prompts = w.prompts.map((p) => ({ feature: p.feature, agent: !!p.text?.includes('<mission_agent name="contact-storage" from="mission">') }));
      expect(prompts[0]).toEqual({ feature: "1.1", agent: false });
      const retry = prompts.filter((p) => p.feature === "1.1")[1];
      expect(retry?.agent).toBe(true);
      expect(prompts.filter((p) => p.feature === "2.1")).toEqual([{ feature: "2.1", agent: true }]);

      // the completion report scores it and proposes its promotion
      const report = w.botComments(tracking).find((c) => /is complete\./.test(c.body))!.body;
      expect(report).toContain("### Mission agents");
      expect(report).toContain("`/mission promote contact-storage`");

      // a person promotes it: a pull request adds it to .github/mission-agents/, and the tracking issue says where
      await say(w, tracking, "/mission promote contact-storage");
      await w.runUntil(() => w.botComments(tracking).some((c) => c.body.includes("proposed for every mission** in #"))).catch((error: Error) => {
        throw new Error(`${error.message}\n${JSON.stringify(missionFile(w, missionId).agents)}\n${w.botComments(tracking).slice(-3).map((c) => c.body).join("\n---\n")}\n${JSON.stringify(w.server.errors).slice(0, 2000)}`);
      });
      const pr = w.twin.issuesOf().find((i) => i.pull_request && i.title.includes("contact-storage"));
      expect(pr?.pull).toMatchObject({ base: "main", head: `mission-agents/contact-storage-${missionId}` });
      const promoted = w.twin.readFile(".github/mission-agents/contact-storage.md", { ref: pr!.pull!.head })?.text;
      expect(promoted).toContain("status: promoted");
      expect(missionFile(w, missionId).agents?.[0]?.promotion?.pull_request).toBe(pr!.number);
      expect(w.twin.contractFailures).toEqual([]);
      expect(w.server.errors).toEqual([]);
    } finally {
      await w.stop();
    }
  });
});
