/**
 * End to end, one mission through the whole workspace story (issue 16): it
 * starts homeless in a repository that holds missions only (`home_only:
 * true`), and waits; `/mission attach --create acme/shop --template
 * acme/tmpl` makes its repository from a template and the workers run
 * there, reporting home (the worker workflow's report step, with the App's
 * token). The first worker of 1.1 adds a research note to the mission
 * folder (the dashboard lists it) and fails for missing context: the bot
 * drafts a mission agent that its retry's prompt and every later prompt
 * include. Feature 1.2 needs the secret STRIPE_KEY: it waits (the dashboard
 * says what to add where, the tracking issue is told once) until a person
 * adds it in the repository the workers run in, and the next pulse starts
 * it. The mission completes, its report proposes the agent, and `/mission
 * promote` opens the pull request that adds it to `.github/mission-agents/`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./support/app-process.js";
import { APP_BOT, OWNER, REPO, World, repoFiles } from "./support/world.js";
import { isComplete, missionFile, say } from "./support/scenario.js";
import { STATE_BRANCH } from "../support/missions.js";

/** The App writes the feature issues (the prompt step takes them from its login); the repository holds missions only. */
const SETTINGS = `${readFileSync(join(ROOT, "templates/mission.yml"), "utf8").replace(/^bot_logins: .*$/m, `bot_logins: ["${APP_BOT}", "github-actions[bot]"]`)}\nhome_only: true\n`;

const OUTLINE = `A CRM that takes payments.

Resources:
  - secret: STRIPE_KEY — Stripe's test-mode key (feature 1.2)

## Contacts
- [ ] Contact list
  Knowledge: contact-storage
- [ ] Checkout with Stripe

## Deals
- [ ] Deal pipeline
- [ ] Deal stages

## Email
- [ ] Send email
- [ ] Email templates
`;

const MISSING = "Missing context: Contact storage: which table the contacts live in and how they are keyed";
const NOTE = "---\nsources:\n  - https://docs.stripe.com/keys\n---\n# Stripe test keys\n\nTest-mode keys start with sk_test_.\n";

const features = (w: World) => w.twin.issuesOf().filter((i) => i.labels.includes("mission:feature"));

describe("a mission's workspace, from no repository to a promoted agent", () => {
  it("waits homeless, is attached to a new repository, keeps a research note, drafts an agent, waits for a secret and promotes the agent", async () => {
    let missionId = "";
    const w = await World.start({
      files: { ".github/mission.yml": SETTINGS },
      worker: {
        cost: () => 2,
        // the first run of 1.1 fails for missing context (reported as the run says it); every other run reports through the workflow's report step
        reportStep: (feature, attempt) => !(feature === "1.1" && attempt === 1),
        report: (feature, attempt) =>
          feature === "1.1" && attempt === 1
            ? { outcome: "failure", summary: `Could not finish.\n${MISSING}`, missing_context: { topic: "Contact storage", what: "which table the contacts live in and how they are keyed" } }
            : {},
        // its patch adds a research note to the mission folder
        files: (feature, attempt) => (feature === "1.1" && attempt === 1 ? { [`todo/missions/${missionId}/research/stripe-keys.md`]: NOTE } : undefined),
        prompt: (feature) => feature === "1.1" || feature === "2.1",
      },
    });
    try {
      const inst = w.twin.installations.get(1)!;
      inst.repositories = "all";
      inst.permissions.administration = "write";
      w.twin.addRepo({ owner: OWNER, name: "tmpl", ownerType: "Organization", private: true, isTemplate: true, files: { ...repoFiles(), "README.md": "starter\n" } });

      const tracking = w.alice.createIssue({ title: "CRM", body: OUTLINE }).number;
      await say(w, tracking, "/mission Build a CRM with contacts, deals and email --mode poc --budget $500 --hours 100 --tokens 50M --yes");
      await say(w, tracking, "/mission approve");
      await w.runUntil(() => features(w).length === 6, { maxRounds: 4 });
      missionId = w.twin.issue(tracking).labels.find((l) => /^mission:m-/.test(l))!.slice("mission:".length);
      const feature = (key: string) => missionFile(w, missionId).plan!.milestones.flatMap((ms) => ms.features).find((f) => f.key === key)!;

      // homeless: the issues are made, no worker starts, and the dashboard says what is missing
      expect(w.twin.actions.runsOf("mission-worker.yml")).toEqual([]);
      expect(w.twin.issue(tracking).body).toContain("waiting for a repository: `/mission attach owner/repo`");

      // attached to a repository the bot creates from the template; 1.1 fails, is retried with the agent; 1.2 waits for its secret
      await say(w, tracking, "/mission attach --create acme/shop --template acme/tmpl");
      const told = () => w.botComments(tracking).filter((c) => c.body.includes("Feature 1.2 waits for the secret `STRIPE_KEY`"));
      await w.runUntil(() => feature("1.1").runs.length >= 2 && told().length > 0);
      expect(w.twin.readFile("README.md", { repo: "acme/shop" })?.text).toBe("starter\n");
      expect(missionFile(w, missionId).target).toBe("acme/shop");
      expect(w.botComments(tracking).some((c) => c.body.includes("**Created `acme/shop`** from the template `acme/tmpl`"))).toBe(true);

      // the agent: recorded, its file on the state branch, the tracking issue told once
      const m = missionFile(w, missionId);
      expect(m.agents?.map((a) => [a.name, a.reason, a.from, a.written])).toEqual([["contact-storage", "missing-context", ["1.1"], true]]);
      const agentFile = w.twin.readFile(`todo/missions/${missionId}/agents/contact-storage.md`, { ref: STATE_BRANCH })?.text;
      expect(agentFile).toContain("status: draft");
      expect(agentFile).toContain("> which table the contacts live in");
      expect(w.botComments(tracking).filter((c) => c.body.includes("Mission agent `contact-storage` drafted"))).toHaveLength(1);

      // the research note the first worker added is listed in the dashboard's mission folder
      const dashboard = w.twin.issue(tracking).body ?? "";
      expect(dashboard).toContain("### Mission folder");
      expect(dashboard).toMatch(/- \*\*Research:\*\* \[stripe-keys\.md\]\([^)]*\/acme\/shop\/blob\/[^)]*\/research\/stripe-keys\.md\)/);

      // 1.2 waits: never dispatched; the dashboard and one notice say what to add where
      expect(feature("1.2").runs).toEqual([]);
      expect(dashboard).toContain("waiting for secret `STRIPE_KEY`: add it in Settings → Secrets and variables → Actions");
      expect(dashboard).toContain("- ⏳ 🔑 secret `STRIPE_KEY` (Stripe's test-mode key) — missing: add it in [Settings → Secrets and variables → Actions](");
      expect(dashboard).toContain("/acme/shop/settings/secrets/actions)");
      expect(told()).toHaveLength(1);

      // a person adds the secret where the workers run; the next pulse finds its name (never its value) and starts 1.2
      const value = ["sk", "test", "e2eValueNeverShown42"].join("_");
      w.twin.setSecret("STRIPE_KEY", value, { repo: "acme/shop" });
      await w.pulse();
      await w.runUntil(() => feature("1.2").runs.length > 0);
      expect(missionFile(w, missionId).resource_status?.ready.map((r) => [r.name, r.by, r.found_in])).toEqual([["STRIPE_KEY", "mission-bot", "repository"]]);
      expect(w.twin.issue(tracking).body).toContain("- ✅ 🔑 secret `STRIPE_KEY` (Stripe's test-mode key) — found in the repository's Actions secrets");

      await w.runUntil(() => isComplete(w, tracking), { maxRounds: 12 }).catch((e: Error) => {
        throw new Error(`${e.message}\n${w.twin.issue(tracking).body}\n${w.botComments(tracking).slice(-3).map((c) => c.body).join("\n---\n")}\n${w.app.output.slice(-3000)}`);
      });

      // every run was in acme/shop, and each report came back to its feature issue at home, written with the App's token
      const runs = w.twin.actions.runsOf("mission-worker.yml");
      expect(runs.every((r) => r.repo.full_name === "acme/shop")).toBe(true);
      expect(w.twin.actions.inputs(runs[0]!.id).issue).toMatch(new RegExp(`^${OWNER}/${REPO}#\\d+$`));
      for (const f of features(w)) {
        expect(w.comments(f.number).some((c) => c.user === APP_BOT && c.body.includes("mission-bot:report")), w.reportLogs.join("\n")).toBe(true);
      }
      expect(missionFile(w, missionId).ledger.filter((e) => e.kind === "worker").length).toBeGreaterThanOrEqual(7);
      expect(w.twin.issue(tracking).body).toContain(`lives in ${OWNER}/${REPO}; builds in acme/shop`);

      // the first prompt of 1.1 had no agent; its retry and every later feature's prompt have it
      const prompts = w.prompts.map((p) => ({ feature: p.feature, agent: !!p.text?.includes('<mission_agent name="contact-storage" from="mission">') }));
      expect(prompts[0]).toEqual({ feature: "1.1", agent: false });
      expect(prompts.filter((p) => p.feature === "1.1")[1]?.agent).toBe(true);
      expect(prompts.filter((p) => p.feature === "2.1")).toEqual([{ feature: "2.1", agent: true }]);

      // the completion report scores the agent and proposes its promotion
      const report = w.botComments(tracking).find((c) => /is complete\./.test(c.body))!.body;
      expect(report).toContain("### Mission agents");
      expect(report).toContain("`/mission promote contact-storage`");

      // a person promotes it: a pull request adds it to .github/mission-agents/, and the tracking issue says where
      await say(w, tracking, "/mission promote contact-storage");
      await w.runUntil(() => w.botComments(tracking).some((c) => c.body.includes("proposed for every mission** in #")));
      // in the home repository, where the missions (and the state every worker prompt reads) live
      const pr = w.twin.issuesOf(`${OWNER}/${REPO}`).find((i) => i.pull_request && i.title.includes("contact-storage"));
      expect(w.twin.issuesOf("acme/shop").filter((i) => i.pull_request && i.title.includes("contact-storage"))).toEqual([]);
      expect(pr?.pull).toMatchObject({ base: "main", head: `mission-agents/contact-storage-${missionId}` });
      const promoted = w.twin.readFile(".github/mission-agents/contact-storage.md", { ref: pr!.pull!.head })?.text;
      expect(promoted).toContain("status: promoted");
      expect(missionFile(w, missionId).agents?.[0]?.promotion?.pull_request).toBe(pr!.number);

      // names only: the secret's value is nowhere the bot wrote
      const written = [w.twin.issue(tracking).body, ...w.botComments(tracking).map((c) => c.body), w.twin.readFile(`todo/missions/${missionId}/mission.md`, { ref: STATE_BRANCH })?.text].join("\n");
      expect(written).not.toContain(value);
      expect(w.twin.contractFailures).toEqual([]);
      expect(w.server.errors).toEqual([]);
    } finally {
      await w.stop();
    }
  }, 240_000);
});
