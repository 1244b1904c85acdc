/**
 * Missions without a repository: `/mission attach`'s grammar, its answers
 * (from what GitHub said about the repositories, read live), and a running
 * mission's work waiting while it has nowhere to build, or the App cannot
 * reach where it builds.
 */
import { describe, expect, it } from "vitest";
import { parseCommand } from "../../src/mission/conversation/commands.js";
import type { Action, CommandFact } from "../../src/mission/decision.js";
import type { Mission } from "../../src/mission/model.js";
import type { RepoFact } from "../../src/mission/target/attach.js";
import { parseIssueAddress } from "../../src/mission/target/target.js";
import { workerInputs } from "../../src/mission/workers/dispatch.js";
import { renderMissionFile, parseMissionFile } from "../../src/mission/markdown/mission-file.js";
import { renderDashboard } from "../../src/mission/markdown/dashboard.js";
import { answered, config, plan, snapshotOf, withIssues, reconcileRunning as reconcile } from "../support/missions.js";
import { TEST_EPOCH } from "../support/clock.js";
import { afterCreate } from "../../src/mission/target/notices.js";

const at = (minutes: number) => new Date(TEST_EPOCH + minutes * 60_000).toISOString();
const HOME_ONLY = { ...config, home_only: true };

function active(overrides: Partial<Mission> = {}): Mission {
  return withIssues(answered({ status: "active", plan: plan([2, 1]), ...overrides }));
}

function command(body: string, id = 900, login = "alice"): CommandFact {
  return { id, url: `https://github.com/acme/missions/issues/7#issuecomment-${id}`, body, created_at: at(60), author: { login, type: "User" }, permission: "write" };
}

const fact = (repo: string, over: Partial<RepoFact> = {}): RepoFact => ({ repo, visible: true, covered: true, defaultBranch: "main", permissions: { alice: "write" }, ...over });
const replies = (actions: Action[]) => actions.flatMap((a) => (a.kind === "reply" ? [a.body] : []));
const dispatches = (actions: Action[]) => actions.filter((a) => a.kind === "dispatch-worker" || a.kind === "dispatch-validation");

describe("/mission attach: the grammar", () => {
  it("reads a repository, or --create with an optional --template (either order, --flag=value)", () => {
    expect(parseCommand("/mission attach acme/shop")).toEqual({ ok: true, command: { name: "attach", create: false, repo: "acme/shop" } });
    expect(parseCommand("/mission attach --create acme/shop --template acme/starter")).toEqual({
      ok: true,
      command: { name: "attach", create: true, repo: "acme/shop", template: "acme/starter" },
    });
    expect(parseCommand("/mission attach --template=acme/starter acme/shop --create")).toMatchObject({ ok: true, command: { create: true, template: "acme/starter" } });
  });

  it("refuses malformed names and options with one clear error and the usage", () => {
    const cases: Array<[string, RegExp]> = [
      ["/mission attach", /needs the repository/],
      ["/mission attach shop", /is not a repository: name it owner\/name/],
      ["/mission attach acme/../x", /is not a repository/],
      ["/mission attach -acme/shop", /is not a repository/],
      ["/mission attach acme/shop acme/other", /takes one repository/],
      ["/mission attach acme/shop --template acme/starter", /`--template` is for a repository the bot creates/],
      ["/mission attach --create acme/shop --template", /`--template` needs the template repository/],
      ["/mission attach --create acme/shop --template bad", /is not a template repository/],
      ["/mission attach --force acme/shop", /is not an option/],
    ];
    for (const [body, error] of cases) {
      const parsed = parseCommand(body);
      expect(parsed.ok, body).toBe(false);
      if (parsed.ok === false) {
        expect(parsed.error, body).toMatch(error);
        expect(parsed.usage).toContain("/mission attach owner/repo");
      }
    }
  });

  it("reads the issue input a worker in the target gets: a number, or owner/name#number", () => {
    expect(parseIssueAddress("12")).toEqual({ number: 12 });
    expect(parseIssueAddress("acme/missions#12")).toEqual({ repo: "acme/missions", number: 12 });
    for (const bad of ["0", "#12", "acme#12", "acme/missions#", "acme/../x#3", "12; rm"]) expect(parseIssueAddress(bad), bad).toBeUndefined();
  });
});

describe("/mission attach: the answers", () => {
  const planned = () => answered({ status: "planned", plan: plan([2]) });

  it("attaches a repository the App's installation covers and the commenter may write to; the decision is logged", () => {
    const m = planned();
    const d = reconcile({ ...snapshotOf(m, { config: HOME_ONLY, commands: [command("/mission attach acme/shop")] }), repos: [fact("acme/shop")] });
    expect(d.mission.target).toBe("acme/shop");
    expect(replies(d.actions)[0]).toContain("builds in `acme/shop` from now on");
    expect(d.mission.decisions.at(-1)).toMatchObject({ by: "alice", comment: 900, what: "Attached to acme/shop: the mission builds there." });
  });

  it("refuses a repository the installation does not cover, one it cannot see, and a commenter without write access there", () => {
    const m = planned();
    const run = (f: RepoFact) => reconcile({ ...snapshotOf(m, { config: HOME_ONLY, commands: [command("/mission attach acme/shop")] }), repos: [f] });
    for (const f of [fact("acme/shop", { covered: false }), fact("acme/shop", { visible: false })]) {
      const d = run(f);
      expect(d.mission.target).toBeUndefined();
      expect(replies(d.actions)).toEqual([expect.stringContaining("The bot cannot reach `acme/shop`: it does not exist, or the App is not installed on it.")]);
    }
    const d = run(fact("acme/shop", { permissions: { alice: "read" } }));
    expect(d.mission.target).toBeUndefined();
    expect(replies(d.actions)[0]).toContain("attaching `acme/shop` needs write access there too (you have read)");
  });

  it("refuses to change the target once a worker has run, and says where it builds", () => {
    const m = active({ target: "acme/shop" });
    const started: Mission = { ...m, plan: { ...m.plan!, milestones: m.plan!.milestones.map((ms, i) => (i ? ms : { ...ms, features: ms.features.map((f, j) => (j ? f : { ...f, runs: [{ try: 1, dispatched_at: at(10), status: "queued" as const, run_id: 5 }] })) })) } };
    const d = reconcile({ ...snapshotOf(started, { commands: [command("/mission attach acme/other")] }), repos: [fact("acme/shop"), fact("acme/other")] });
    expect(d.mission.target).toBe("acme/shop");
    expect(replies(d.actions)[0]).toContain("already builds in `acme/shop`: workers have run there, so its repository no longer changes");
  });

  it("--create records the request for apply (it creates the repository), unless the name exists", () => {
    const m = planned();
    const d = reconcile({ ...snapshotOf(m, { config: HOME_ONLY, commands: [command("/mission attach --create acme/shop --template acme/tmpl")] }), repos: [fact("acme/shop", { visible: false, covered: false }), fact("acme/tmpl")] });
    expect(d.mission.attach_request).toMatchObject({ repo: "acme/shop", template: "acme/tmpl", by: "alice", comment: 900 });
    expect(d.actions).toContainEqual({ kind: "attach-create", repo: "acme/shop", template: "acme/tmpl", comment: 900 });
    const exists = reconcile({ ...snapshotOf(m, { config: HOME_ONLY, commands: [command("/mission attach --create acme/shop")] }), repos: [fact("acme/shop")] });
    expect(exists.mission.attach_request).toBeUndefined();
    expect(replies(exists.actions)[0]).toContain("`acme/shop` exists already");
  });
});

describe("work waits while the mission has nowhere to build", () => {
  it("a homeless mission is approved and its issues made, but no worker starts; the dashboard says what to do", () => {
    const m = active();
    const d = reconcile(snapshotOf(m, { config: HOME_ONLY }));
    expect(dispatches(d.actions)).toEqual([]);
    const body = renderDashboard({ mission: d.mission, closed: new Set(), config: HOME_ONLY });
    expect(body).toContain("waiting for a repository: `/mission attach owner/repo`");
    // the same mission in an ordinary repository starts its workers
    expect(dispatches(reconcile(snapshotOf(m)).actions).length).toBeGreaterThan(0);
  });

  it("a target the App's installation does not cover: one comment on the tracking issue, and nothing dispatched", () => {
    const m = active({ target: "acme/shop" });
    const d = reconcile({ ...snapshotOf(m, { config: HOME_ONLY }), repos: [fact("acme/shop", { covered: false })] });
    expect(dispatches(d.actions)).toEqual([]);
    const comments = d.actions.filter((a) => a.kind === "comment" && a.key === "target-unreachable:acme/shop");
    expect(comments).toHaveLength(1);
    expect(JSON.stringify(comments)).toContain("does not cover it");
  });

  it("an attached mission dispatches with the feature issue addressed in its home repository, from the target's default branch", () => {
    const m = active({ target: "acme/shop" });
    const d = reconcile({ ...snapshotOf(m, { config: HOME_ONLY }), repos: [fact("acme/shop", { defaultBranch: "trunk" })] });
    const first = d.actions.find((a) => a.kind === "dispatch-worker");
    expect(first).toBeDefined();
    if (first?.kind === "dispatch-worker") expect(workerInputs(d.mission, first.dispatch).issue).toBe(`${m.repo}#${first.dispatch.issue}`);
  });

  it("mission.md and the dashboard say where the mission lives and where it builds; mission.md keeps the target", () => {
    const m = active({ target: "acme/shop" });
    const text = renderMissionFile(m);
    expect(text).toContain(`**Repository:** ${m.repo} (builds in acme/shop)`);
    const back = parseMissionFile(text);
    expect(back.ok && back.mission.target).toBe("acme/shop");
    expect(renderDashboard({ mission: m, closed: new Set() })).toContain(`**Repository:** lives in ${m.repo}; builds in acme/shop`);
    // a malformed target in mission.md is refused when read
    expect(parseMissionFile(text.replace("target: acme/shop", "target: not a repo")).ok).toBe(false);
  });
});

describe("/mission attach --create: what apply records and says", () => {
  const requested = (): Mission => ({ ...answered({ status: "active", plan: plan([2]) }), attach_request: { repo: "acme/shop", template: "acme/tmpl", at: at(10), by: "alice", comment: 900 } });

  it("a repository made and covered: attached, the request cleared, one notice", () => {
    const after = afterCreate(requested(), { ok: true, repo: "acme/shop", covered: true }, at(11));
    expect(after.mission.target).toBe("acme/shop");
    expect(after.mission.attach_request).toBeUndefined();
    expect(after.key).toBe("attach-created:acme/shop");
    expect(after.body).toContain("**Created `acme/shop`** from the template `acme/tmpl`");
  });

  it("made but not covered (an installation on selected repositories): attached, and the notice says to add it", () => {
    const after = afterCreate(requested(), { ok: true, repo: "acme/shop", covered: false }, at(11));
    expect(after.mission.target).toBe("acme/shop");
    expect(after.body).toContain("does not cover it");
  });

  it("refused: nothing attached, the request cleared, the notice names the missing permission", () => {
    const after = afterCreate(requested(), { ok: false, status: 403, message: "Resource not accessible by integration" }, at(11));
    expect(after.mission.target).toBeUndefined();
    expect(after.mission.attach_request).toBeUndefined();
    expect(after.body).toContain("Administration: write");
    expect(after.key).toBe("attach-refused:acme/shop:900");
  });
});
