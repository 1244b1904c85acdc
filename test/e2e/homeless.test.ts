/**
 * End to end, a mission without a repository: it starts in a repository that
 * holds missions only (`home_only: true`), is planned and approved, and its
 * workers wait; `/mission attach --create acme/shop --template acme/tmpl`
 * makes the repository from the template (the App's installation covers all
 * of acme's repositories, with `administration: write`), the workers are then
 * dispatched in acme/shop, and each worker's report — the worker workflow's
 * report step, run from the bundle with the App's token — comes back to the
 * feature issue in the home repository.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./support/app-process.js";
import { APP_BOT, OWNER, REPO, World, repoFiles } from "./support/world.js";
import { OUTLINE, missionFile, say } from "./support/scenario.js";

const SETTINGS = `${readFileSync(join(ROOT, "templates/mission.yml"), "utf8").replace(/^bot_logins: .*$/m, `bot_logins: ["${APP_BOT}", "github-actions[bot]"]`)}\nhome_only: true\n`;


const features = (w: World) => w.twin.issuesOf().filter((i) => i.labels.includes("mission:feature"));

describe("a mission without a repository", () => {
  it("waits homeless, is attached to a repository the bot creates from a template, builds there and reports home", async () => {
    const w = await World.start({ worker: { cost: () => 2, reportStep: true }, files: { ".github/mission.yml": SETTINGS } });
    try {
      const inst = w.twin.installations.get(1)!;
      inst.repositories = "all";
      inst.permissions.administration = "write";
      w.twin.addRepo({ owner: OWNER, name: "tmpl", ownerType: "Organization", private: true, isTemplate: true, files: { ...repoFiles(), "README.md": "starter\n" } });

      const tracking = w.alice.createIssue({ title: "CRM", body: OUTLINE }).number;
      await say(w, tracking, "/mission Build a CRM with contacts, deals and email --mode poc --budget $50 --hours 20 --tokens 10M --yes");
      await say(w, tracking, "/mission approve");
      await w.runUntil(() => features(w).length === 6, { maxRounds: 4 }).catch((e: Error) => {
        const counts: Record<string, number> = {};
        for (const l of w.twin.log.slice(-300)) counts[`${l.method} ${l.route} ${l.status}`] = (counts[`${l.method} ${l.route} ${l.status}`] ?? 0) + 1;
        throw new Error(`${e.message}\n${JSON.stringify(counts, null, 1)}\n${w.app.output.slice(-3000)}`);
      });

      // homeless: the issues are made, no worker starts, and the dashboard says what is missing
      expect(w.twin.actions.runsOf("mission-worker.yml")).toEqual([]);
      expect(w.twin.issue(tracking).body).toContain("waiting for a repository: `/mission attach owner/repo`");

      await say(w, tracking, "/mission attach --create acme/shop --template acme/tmpl");
      await w.runUntil(() => features(w).some((i) => i.state === "closed"), { maxRounds: 6 }).catch((e: Error) => {
        const counts: Record<string, number> = {};
        for (const l of w.twin.log.slice(-400)) counts[`${l.method} ${l.route} ${l.status} ${l.actor}`] = (counts[`${l.method} ${l.route} ${l.status} ${l.actor}`] ?? 0) + 1;
        throw new Error(`${e.message}\n${JSON.stringify(counts, null, 1)}\n${w.reportLogs.slice(-1).join("")}\n${w.app.output.slice(-3000)}`);
      });

      // the repository exists with the template's files, and the mission builds there
      expect(w.twin.readFile("README.md", { repo: "acme/shop" })?.text).toBe("starter\n");
      const id = w.twin.issue(tracking).labels.find((l) => /^mission:m-/.test(l))!.slice("mission:".length);
      expect(missionFile(w, id).target).toBe("acme/shop");
      expect(w.botComments(tracking).some((c) => c.body.includes("**Created `acme/shop`** from the template `acme/tmpl`"))).toBe(true);
      const runs = w.twin.actions.runsOf("mission-worker.yml");
      expect(runs.length).toBeGreaterThanOrEqual(1);
      expect(runs.every((r) => r.repo.full_name === "acme/shop")).toBe(true);
      expect(w.twin.actions.inputs(runs[0]!.id).issue).toMatch(new RegExp(`^${OWNER}/${REPO}#\\d+$`));

      // each report came back to the feature issue at home, written with the App's token, and was booked
      for (const f of features(w).filter((i) => i.state === "closed")) {
        expect(w.comments(f.number).some((c) => c.user === APP_BOT && c.body.includes("mission-bot:report")), w.reportLogs.join("\n")).toBe(true);
      }
      expect(missionFile(w, id).ledger.filter((e) => e.kind === "worker").length).toBeGreaterThanOrEqual(1);
      expect(w.twin.issue(tracking).body).toContain(`lives in ${OWNER}/${REPO}; builds in acme/shop`);
    } finally {
      await w.stop();
    }
  });
});
