/**
 * End to end: a mission whose feature 1.1 needs the secret STRIPE_KEY. It
 * waits (the dashboard says what to add where, the tracking issue is told
 * once) while 1.2 runs; a person adds the secret in the settings page, and
 * the next pulse finds its name (never its value) and starts 1.1.
 */
import { describe, expect, it } from "vitest";
import { World } from "./support/world.js";
import { missionFile, startMission } from "./support/scenario.js";

const OUTLINE = `A CRM that takes payments.

Resources:
  - secret: STRIPE_KEY — Stripe's test-mode key (feature 1.1)

## Contacts
- [ ] Checkout with Stripe
- [ ] Contact list

## Deals
- [ ] Deal pipeline
- [ ] Deal stages

## Email
- [ ] Send email
- [ ] Email templates
`;

describe("a feature waiting for a secret", () => {
  it("waits while the secret is missing and starts on the next pulse once a person adds it", async () => {
    const w = await World.start({ worker: { cost: () => 2 } });
    try {
      const { tracking, missionId } = await startMission(w, { outline: OUTLINE });
      const feature = (key: string) => missionFile(w, missionId).plan!.milestones[0]!.features.find((f) => f.key === key)!;
      const told = () => w.botComments(tracking).filter((c) => c.body.includes("Feature 1.1 waits for the secret `STRIPE_KEY`"));
      await w.runUntil(() => feature("1.2").runs.length > 0 && told().length > 0);
      await w.pulse();

      // 1.1 waits: never dispatched; the dashboard and one notice say what to add where
      expect(feature("1.1").runs).toEqual([]);
      const dashboard = w.twin.issue(tracking).body ?? "";
      expect(dashboard).toContain("waiting for secret `STRIPE_KEY`: add it in Settings → Secrets and variables → Actions");
      expect(dashboard).toContain("- ⏳ 🔑 secret `STRIPE_KEY` (Stripe's test-mode key) — missing: add it in");
      expect(told()).toHaveLength(1);

      const value = ["sk", "test", "e2eValueNeverShown42"].join("_");
      w.twin.setSecret("STRIPE_KEY", value);
      await w.pulse();
      await w.runUntil(() => feature("1.1").runs.length > 0);

      const m = missionFile(w, missionId);
      expect(m.resource_status?.ready.map((r) => [r.name, r.by, r.found_in])).toEqual([["STRIPE_KEY", "mission-bot", "repository"]]);
      expect(w.twin.issue(tracking).body).toContain("- ✅ 🔑 secret `STRIPE_KEY` (Stripe's test-mode key) — found in the repository's Actions secrets");
      // names only: the value is nowhere the bot wrote
      const written = [w.twin.issue(tracking).body, ...w.botComments(tracking).map((c) => c.body), w.twin.readFile(`todo/missions/${missionId}/mission.md`, { ref: "mission-bot/state" })?.text].join("\n");
      expect(written).not.toContain(value);
      expect(w.twin.contractFailures).toEqual([]);
      expect(w.server.errors).toEqual([]);
    } finally {
      await w.stop();
    }
  });
});
