/**
 * Issue 15: the Actions pulse on GITHUB_TOKEN loads in full only the
 * missions that may have something to do — those changed since the last
 * pulse that completed, and each mission once an hour in its own slot —
 * and every mission when it cannot tell (no earlier pulse, the settings
 * changed). Each pulse here is a run of the pulse workflow, as on GitHub.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubTwin } from "../../../src/twin/state.js";
import { contractTwin } from "../../support/twin.js";
import { serveWithNock } from "../../support/twin-nock.js";
import { twinActionContext } from "../../support/twin-action.js";
import { testMissionId } from "../../support/clock.js";
import { answered, plan, STATE_BRANCH } from "../../support/missions.js";
import { repoFiles } from "../../e2e/support/world.js";
import { pulse, type PulseRow } from "../../../src/action/pulse.js";
import { hourlySlot } from "../../../src/action/shared/pulse-changes.js";
import { renderMissionFile } from "../../../src/mission/markdown/mission-file.js";
import { LABELS, missionPath } from "../../../src/mission/model.js";

const BOT = "github-actions[bot]";
const QUARTER = 15 * 60_000;
const REPO = "acme/crm";

let twin: GitHubTwin;
let stop: () => void;
let missions: number[];
/** a feature issue of the first mission (labelled with the mission, as the bot makes them) */
let feature: number;
beforeEach(() => {
  twin = contractTwin({ checkResponses: true });
  twin.addRepo({ owner: "acme", name: "crm", ownerType: "Organization", collaborators: { alice: "write" }, files: repoFiles({}, { actionsOnly: true }) });
  twin.createBranch(STATE_BRANCH, { orphan: true });
  missions = [];
  for (const slug of ["crm", "shop", "blog"]) {
    const tracking = twin.as("alice").createIssue({ title: slug, body: "The goal." }).number;
    const id = testMissionId(slug, tracking);
    const m = answered({ id, tracking_issue: tracking, status: "active", repo: REPO, plan: plan([1]) });
    twin.writeFile(missionPath(id), renderMissionFile(m), { author: BOT, message: `mission ${id}: active [skip ci]`, branch: STATE_BRANCH });
    twin.as(BOT).addLabels(tracking, [LABELS.mission, LABELS.forMission(id)]);
    missions.push(tracking);
  }
  feature = twin.as(BOT).createIssue({ title: "Feature 1.1", body: "Build 1.1" }).number;
  twin.as(BOT).addLabels(feature, [LABELS.forMission(testMissionId("crm", missions[0]!))]);
  twin.takeEvents();
  twin.advance(10 * 60_000); // the repository was set up a while before the first pulse
  stop = serveWithNock(twin);
});
afterEach(() => {
  stop();
  expect(twin.contractFailures).toEqual([]);
});

/** The requests of the last pulse run, as "GET /repos/…" (no query). */
let pulseRequests: string[] = [];

/** One run of the pulse workflow, with its own GITHUB_TOKEN; it completes as the Action would. */
async function pulseRun(): Promise<Map<number, string>> {
  const from = twin.log.length;
  const dispatched = twin.actions.dispatch(REPO, "mission-pulse.yml", { ref: "main", actor: "alice" });
  if (!dispatched.ok) throw new Error(dispatched.message);
  twin.actions.start(dispatched.run.id);
  const { ctx } = twinActionContext(twin, {
    event: { name: "schedule", payload: {} },
    token: { actions: { issues: "read", contents: "read", actions: "write" } },
    workflow: "mission-pulse.yml",
    // as GitHub sets them for a scheduled run: the default branch and its head
    env: { GITHUB_RUN_ID: String(dispatched.run.id), GITHUB_REF: "refs/heads/main", GITHUB_SHA: dispatched.run.head_sha },
  });
  const rows: PulseRow[] = await pulse(ctx, "main", { clock: () => twin.now() });
  twin.actions.complete(dispatched.run.id, "success");
  pulseRequests = twin.log.slice(from).map((e) => `${e.method} ${e.path}`);
  return new Map(rows.map((r) => [r.issue, r.look]));
}

/** The queued command runs run: those the pulses started (dispatches) succeed; those an issue event started end as given. */
function runCommands(events: "success" | "skipped" | "cancelled" = "success"): void {
  for (let run = next(); run; run = next()) {
    twin.actions.start(run.id);
    twin.actions.complete(run.id, run.event === "workflow_dispatch" ? "success" : events);
  }
  function next() {
    return twin.actions.runsOf("mission-command.yml").find((r) => r.status === "queued");
  }
}

const loaded = (looks: Map<number, string>) => [...looks].filter(([, look]) => !look.startsWith("skipped")).map(([issue]) => issue);

describe("the Actions pulse loads what changed since the last pulse, and each mission hourly", () => {
  it("no earlier pulse: every mission is loaded", async () => {
    const looks = await pulseRun();
    expect(loaded(looks)).toEqual(missions);
    expect([...looks.values()].every((l) => l.startsWith("every mission: no earlier pulse"))).toBe(true);
  }, 60_000);

  it("a mission changed since the last pulse is loaded (a change of the last minute at the pulse after); an unchanged one only once an hour", async () => {
    await pulseRun();
    const [changed] = missions;
    const counts = new Map<number, number>(missions.map((n) => [n, 0]));
    for (let i = 0; i < 4; i++) {
      runCommands();
      twin.advance(QUARTER);
      if (i === 1) {
        twin.as("alice").comment(feature, "How is it going?");
        runCommands("skipped"); // the command job's `if:` skips a comment not addressed to the bot (the twin does not model `if:`)
      }
      const looks = await pulseRun();
      // a change seconds old may have started a run GitHub does not list yet: the next pulse looks at it
      if (i === 1) expect(looks.get(changed!)).not.toMatch(/^changed/);
      if (i === 2) expect(looks.get(changed!)).toBe(`changed: #${feature} changed`);
      for (const n of loaded(looks)) counts.set(n, counts.get(n)! + 1);
    }
    // an hour of pulses: each unchanged mission once (its hourly look); the changed one also when it changed
    expect(counts.get(changed!)).toBeGreaterThanOrEqual(1);
    for (const n of missions.slice(1)) expect(counts.get(n)).toBe(1);
  }, 120_000);

  it("a change a command run saw afterwards: the mission waits for its hourly look", async () => {
    await pulseRun();
    runCommands();
    twin.advance(QUARTER);
    const quiet = missions.find((n) => !hourlySlot(n, twin.now() - QUARTER, twin.now()))!;
    twin.as("alice").addLabels(quiet, ["priority"]);
    twin.advance(60_000);
    runCommands(); // the `issues.labeled` event's run reconciles the mission
    const looks = await pulseRun();
    expect(looks.get(quiet)).toBe("skipped: changed, and seen by a command run");
  }, 60_000);

  it("a push to .github/mission.yml: every mission is loaded", async () => {
    await pulseRun();
    twin.advance(QUARTER);
    twin.writeFile(".github/mission.yml", "models:\n  poc: claude-haiku-4-5\n", { author: "alice", message: "Cheaper workers" });
    const looks = await pulseRun();
    expect(loaded(looks)).toEqual(missions);
    expect(looks.get(missions[0]!)).toBe("every mission: .github/mission.yml changed");
  }, 60_000);

  it("a command posted since the last pulse on an issue with no mission yet: it is loaded and its command run started", async () => {
    await pulseRun();
    twin.advance(QUARTER);
    const fresh = twin.as("alice").createIssue({ title: "Invoices", body: "" }).number;
    twin.as("alice").comment(fresh, "/mission Build invoicing --mode poc --budget $50");
    runCommands("cancelled"); // the comment's own run never did its work (a lost event)
    twin.takeEvents();
    twin.advance(2 * 60_000);
    const looks = await pulseRun();
    expect(looks.get(fresh)).toBe("changed: a command");
    const started = twin.actions.runsOf("mission-command.yml").filter((r) => r.event === "workflow_dispatch").map((r) => twin.runInputs(r.id).issue);
    expect(started).toContain(String(fresh));
  }, 60_000);

  it("a command run that failed since the last pulse: its mission is loaded", async () => {
    await pulseRun();
    runCommands();
    twin.advance(QUARTER);
    const [, failed] = missions;
    const run = twin.actions.dispatch(REPO, "mission-command.yml", { ref: "main", inputs: { issue: String(failed), reason: "worker finished" }, actor: BOT });
    if (!run.ok) throw new Error(run.message);
    twin.actions.start(run.run.id);
    twin.actions.complete(run.run.id, "failure");
    twin.advance(60_000);
    const looks = await pulseRun();
    expect(looks.get(failed!)).toBe("changed: a command run failed");
    // the last pulse and the command runs since came from one page of the repository's runs
    const runLists = pulseRequests.filter((r) => /^GET \/repos\/acme\/crm\/actions\/(workflows\/[^/]+\/)?runs$/.test(r));
    expect(runLists).toEqual(["GET /repos/acme/crm/actions/runs"]);
    // the default branch has not moved since the last pulse ran on it: only the state branch's commits are asked
    expect(pulseRequests.filter((r) => r === "GET /repos/acme/crm/commits")).toHaveLength(1);
  }, 60_000);

  it("a mission loaded with a worker run under way: the run is taken from the pulse's page of runs, not asked again", async () => {
    const [tracking] = missions;
    const id = testMissionId("crm", tracking!);
    const worker = twin.actions.dispatch(REPO, "mission-worker.yml", { ref: "main", inputs: { mission: id, feature: "1.1", issue: String(feature), mode: "poc", branch: `mission/${id}`, model: "claude-haiku-4-5", max_turns: "30", timeout_minutes: "60", nonce: "n1" }, actor: BOT });
    if (!worker.ok) throw new Error(worker.message);
    twin.actions.start(worker.run.id);
    const m = answered({ id, tracking_issue: tracking, status: "active", repo: REPO, plan: plan([1]) });
    m.plan!.milestones[0]!.features[0]!.runs = [{ try: 1, run_id: worker.run.id, dispatched_at: new Date(twin.now()).toISOString(), status: "queued" }];
    twin.writeFile(missionPath(id), renderMissionFile(m), { author: BOT, message: `mission ${id}: worker dispatched [skip ci]`, branch: STATE_BRANCH });
    twin.advance(60_000);
    const looks = await pulseRun();
    expect(looks.get(tracking!)).toMatch(/^every mission/);
    expect(pulseRequests.filter((r) => r.startsWith("GET /repos/acme/crm/actions/"))).toEqual(["GET /repos/acme/crm/actions/runs"]);
  }, 60_000);

  it("more runs since the last pulse than one page: the failed command run is still found, from the workflows' own lists", async () => {
    await pulseRun();
    runCommands();
    twin.advance(QUARTER);
    const [, failed] = missions;
    const run = twin.actions.dispatch(REPO, "mission-command.yml", { ref: "main", inputs: { issue: String(failed), reason: "worker finished" }, actor: BOT });
    if (!run.ok) throw new Error(run.message);
    twin.actions.start(run.run.id);
    twin.actions.complete(run.run.id, "failure");
    // a busy repository: a hundred runs of another workflow after it fill the repository's first page
    for (let i = 0; i < 100; i++) {
      const other = twin.actions.dispatch(REPO, "mission-pulse.yml", { ref: "main", actor: "alice" });
      if (!other.ok) throw new Error(other.message);
      twin.actions.start(other.run.id);
      twin.actions.complete(other.run.id, "cancelled");
    }
    twin.advance(60_000);
    const looks = await pulseRun();
    expect(looks.get(failed!)).toBe("changed: a command run failed");
    expect(pulseRequests).toContain("GET /repos/acme/crm/actions/workflows/mission-command.yml/runs");
  }, 60_000);
});
