/**
 * A feature that needs a missing resource waits, says so, and starts by
 * itself once the resource is there (README "Resources").
 */
import { describe, expect, it } from "vitest";
import type { Action, CommandFact } from "../../src/mission/decision.js";
import type { Mission } from "../../src/mission/model.js";
import type { Resource } from "../../src/mission/plan/resources.js";
import { renderDashboard } from "../../src/mission/markdown/dashboard.js";
import { renderPlanComment } from "../../src/mission/markdown/plan-comment.js";
import { renderMissionFile } from "../../src/mission/markdown/mission-file.js";
import { analysePlan } from "../../src/mission/budget/budget.js";
import { parseCommand } from "../../src/mission/conversation/commands.js";
import { secretsToLookFor, type SecretsFact } from "../../src/mission/workers/resources.js";
import { TEST_EPOCH } from "../support/clock.js";
import { answered, config, plan, reconcileRunning, snapshotOf, withIssues } from "../support/missions.js";

const STRIPE: Resource = { kind: "secret", name: "STRIPE_KEY", purpose: "payments in test mode", features: ["1.1"] };
const NOW = snapshotOf(answered({ status: "active", plan: plan([1]) })).now;
const POSTGRES: Resource = { kind: "infrastructure", name: "postgres", purpose: "stores contacts", features: ["1.2"] };

function running(resources: Resource[], overrides: Partial<Mission> = {}): Mission {
  return withIssues(answered({ status: "active", plan: { ...plan([2, 2, 2]), resources }, ...overrides }));
}

function pass(m: Mission, secrets?: SecretsFact, commands: CommandFact[] = []) {
  const s = snapshotOf(m, { commands });
  const snapshot = secrets ? { ...s, loop: { ...s.loop!, secrets } } : s;
  return reconcileRunning(snapshot);
}

const dispatched = (actions: Action[]) => actions.flatMap((a) => (a.kind === "dispatch-worker" ? [a.dispatch.feature] : []));

describe("a feature waiting for a resource", () => {
  it("is not dispatched while its secret is missing, and the tracking issue is told once what to add where", () => {
    const m = running([STRIPE]);
    expect(secretsToLookFor(m, config, NOW)).toEqual(["STRIPE_KEY"]);
    const { mission, actions } = pass(m, { kind: "listed", names: [{ name: "OTHER", in: "repository" }] });
    expect(dispatched(actions)).toEqual(["1.2"]);
    const notice = actions.find((a) => a.kind === "comment" && a.key === "resource-wait:stripe_key");
    expect(notice && notice.kind === "comment" && notice.body).toContain("Feature 1.1 waits for the secret `STRIPE_KEY` (payments in test mode): add it in Settings → Secrets and variables → Actions → New repository secret `STRIPE_KEY`");
    expect(mission.resource_status?.ready ?? []).toEqual([]);
  });

  it("starts by itself once the secret is listed, and the mission remembers where it was found", () => {
    const m = running([STRIPE]);
    const { mission, actions } = pass(m, { kind: "listed", names: [{ name: "STRIPE_KEY", in: "organization" }] });
    expect(dispatched(actions)).toEqual(["1.1", "1.2"]);
    expect(mission.resource_status?.ready).toEqual([{ name: "STRIPE_KEY", by: "mission-bot", at: snapshotOf(m).now, found_in: "organization" }]);
    // found once: not looked for again
    expect(secretsToLookFor(mission, config, NOW)).toEqual([]);
  });

  it("looks for secrets only while a feature that needs one is next to start", () => {
    // 2.1 needs it, but milestone 1 runs: nothing to look for, no request
    expect(secretsToLookFor(running([{ ...STRIPE, features: ["2.1"] }]), config, NOW)).toEqual([]);
    expect(secretsToLookFor(running([STRIPE], { status: "paused" }), config, NOW)).toEqual([]);
    expect(secretsToLookFor(running([POSTGRES]), config, NOW)).toEqual([]);
    expect(secretsToLookFor(running([{ ...STRIPE, features: [] }]), config, NOW)).toEqual(["STRIPE_KEY"]);
  });

  it("in Actions-only mode (GitHub refuses to list), stops asking and waits for a person's confirmation", () => {
    const m = running([STRIPE]);
    const refused = pass(m, { kind: "refused", status: 403 });
    expect(dispatched(refused.actions)).toEqual(["1.2"]);
    expect(refused.mission.resource_status?.can_list).toBe(false);
    expect(secretsToLookFor(refused.mission, config, NOW)).toEqual([]);
    // a day later it lists again (the App may have been granted `secrets: read`), and a second refusal waits another day
    const dayLater = new Date(Date.parse(NOW) + 24 * 3_600_000).toISOString();
    expect(secretsToLookFor(refused.mission, config, new Date(Date.parse(dayLater) - 60_000).toISOString())).toEqual([]);
    expect(secretsToLookFor(refused.mission, config, dayLater)).toEqual(["STRIPE_KEY"]);
    const listed = pass(refused.mission, { kind: "listed", names: [{ name: "STRIPE_KEY", in: "repository" }] });
    expect(listed.mission.resource_status).toEqual({ ready: [{ name: "STRIPE_KEY", by: "mission-bot", at: NOW, found_in: "repository" }] });
    const dashboard = renderDashboard({ mission: refused.mission, closed: new Set() });
    expect(dashboard).toContain("then comment `/mission resource ready STRIPE_KEY`: this token cannot list secrets");
    expect(dashboard).toContain("waiting for secret `STRIPE_KEY`: add it in Settings → Secrets and variables → Actions, then comment `/mission resource ready STRIPE_KEY`");

    const confirm: CommandFact = { id: 501, url: "https://github.com/octo/crm/issues/7#issuecomment-501", body: "/mission resource ready STRIPE_KEY", created_at: snapshotOf(m).now, author: { login: "alice", type: "User" }, permission: "write" };
    const after = pass(refused.mission, undefined, [confirm]);
    expect(dispatched(after.actions)).toEqual(["1.1"]);
    expect(after.mission.resource_status?.ready.map((r) => [r.name, r.by])).toEqual([["STRIPE_KEY", "alice"]]);
    const reply = after.actions.find((a) => a.kind === "reply");
    expect(reply && reply.kind === "reply" && reply.body).toContain("The secret `STRIPE_KEY` is marked ready, confirmed by @alice. Features 1.1 no longer wait for it");
  });

  it("waits for infrastructure until a person with write access confirms it; a reader is refused", () => {
    const m = running([POSTGRES]);
    const first = pass(m);
    expect(dispatched(first.actions)).toEqual(["1.1"]);
    const reader: CommandFact = { id: 502, url: "u", body: "/mission resource ready postgres", created_at: snapshotOf(m).now, author: { login: "mallory", type: "User" }, permission: "read" };
    expect(dispatched(pass(first.mission, undefined, [reader]).actions)).toEqual([]);
    const writer: CommandFact = { ...reader, id: 503, author: { login: "alice", type: "User" }, permission: "write" };
    expect(dispatched(pass(first.mission, undefined, [writer]).actions)).toEqual(["1.2"]);
  });
});

describe("the resources shown", () => {
  it("on the dashboard: a checklist of what is there and what to add where, and the waiting feature's line", () => {
    const m = running([STRIPE, POSTGRES], { resource_status: { ready: [{ name: "postgres", by: "alice", at: new Date(TEST_EPOCH + 3_600_000).toISOString() }] } });
    const text = renderDashboard({ mission: m, closed: new Set() });
    expect(text).toContain("### Resources\n\n1 of 2 there. A feature waits until every resource it needs is.");
    expect(text).toContain("- ⏳ 🔑 secret `STRIPE_KEY` (payments in test mode) — missing: add it in [Settings → Secrets and variables → Actions](https://github.com/octo/crm/settings/secrets/actions) → New repository secret `STRIPE_KEY`; the bot sees it on its next pulse · for 1.1");
    expect(text).toContain("- ✅ 🗄️ infrastructure `postgres` (stores contacts) — confirmed by @alice · for 1.2");
    expect(text).toMatch(/`1\.1` Feature 1\.1 · M — \*\*waiting for secret `STRIPE_KEY`: add it in Settings → Secrets and variables → Actions \(see Resources\)\*\*/);
    expect(renderDashboard({ mission: running([]), closed: new Set() })).not.toContain("### Resources");
  });

  it("on the plan comment and in mission.md", () => {
    const m = answered({ status: "planned", plan: { ...plan([2, 2, 2]), resources: [STRIPE, { ...POSTGRES, features: [] }] } });
    const comment = renderPlanComment({ mission: m, plan: m.plan!, plannerName: "outline", analysis: analysePlan(m, config) });
    expect(comment).toContain("Budget");
    expect(comment).toContain("**Resources this mission needs** (a feature waits until its resources are there):\n\n- 🔑 secret `STRIPE_KEY` — payments in test mode · for 1.1\n- 🗄️ infrastructure `postgres` — stores contacts · for every feature");
    expect(renderMissionFile(m)).toContain("- 🔑 secret `STRIPE_KEY` — payments in test mode · for 1.1");
  });

  it("escapes a purpose's markup and mentions", () => {
    const m = running([{ ...STRIPE, purpose: "ping @everyone <!-- hidden -->" }]);
    const text = renderDashboard({ mission: m, closed: new Set() });
    expect(text).not.toContain("@everyone");
    expect(text).not.toContain("<!-- hidden");
  });
});

describe("/mission resource ready", () => {
  it("is parsed with zod-checked words, and a pasted value is refused without being repeated", () => {
    expect(parseCommand("/mission resource ready STRIPE_KEY")).toEqual({ ok: true, command: { name: "resource", ready: "STRIPE_KEY" } });
    const value = ["sk", "live", "51HxQ2mLk9", "Zz8Yy7Xx6Ww5Vv4"].join("_");
    const pasted = parseCommand(`/mission resource ready ${value}`);
    expect(pasted.ok).toBe(false);
    expect(JSON.stringify(pasted)).not.toContain(value);
    expect(pasted.ok === false && pasted.error).toMatch(/looks like a secret's value, not its name, so it was not stored/);
    const noVerb = parseCommand("/mission resource STRIPE_KEY");
    expect(noVerb.ok === false && noVerb.error).toContain("`/mission resource` takes `ready` and the resource's name");
  });

  it("answers a name the plan does not list with the names it does", () => {
    const m = running([STRIPE]);
    const c: CommandFact = { id: 504, url: "u", body: "/mission resource ready SENDGRID_KEY", created_at: snapshotOf(m).now, author: { login: "alice", type: "User" }, permission: "write" };
    const { mission, actions } = pass(m, undefined, [c]);
    const reply = actions.find((a) => a.kind === "reply");
    expect(reply && reply.kind === "reply" && reply.body).toBe("The plan lists no resource by that name. Its resources: `STRIPE_KEY`.");
    expect(mission.resource_status).toBeUndefined();
  });
});
