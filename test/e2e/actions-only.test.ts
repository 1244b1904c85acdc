/**
 * mission-bot through Actions alone, without the App: the command workflow
 * (templates/workflows/mission-command.yml) runs the committed Action bundle
 * on each event, and its concurrency group — one per tracking issue — is the
 * mission's lease. A person opens a mission from the issue form (GitHub
 * sends `opened` and `labeled`) and at once answers the interview in a
 * comment: three command runs start together. Later the approval and a
 * pulse's hand-over arrive together. Whatever run survives the group's
 * replacements, the mission ends up with one answer to each command, one
 * plan and one set of milestone and feature issues.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ActionsWorld } from "./support/actions-world.js";
import { CRM_OUTLINE } from "../support/outline.js";
import { STATE_BRANCH } from "../support/missions.js";
import { LABELS } from "../../src/mission/model.js";
import { parseMissionFile } from "../../src/mission/markdown/mission-file.js";

const BOT = "github-actions[bot]";

/** The issue form's body as GitHub renders a filled-in form (templates/ISSUE_TEMPLATE/mission.yml). */
const FORM_BODY = [
  "### Goal",
  "",
  "Build a CRM with contacts, deals and email.",
  "",
  CRM_OUTLINE,
  "",
  "### Mode",
  "",
  "POC",
  "",
  "### Time budget",
  "",
  "100h",
  "",
  "### Money budget",
  "",
  "$100",
  "",
  "### Token budget",
  "",
  "50M",
].join("\n");

let world: ActionsWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

describe("Actions only: the command workflow's concurrency group is the mission's lease", () => {
  it("a form issue (opened, labeled) and a comment start three runs at once; then the approval and a pulse's hand-over: one plan, one set of issues", async () => {
    const w = (world = await ActionsWorld.start());

    // 1. The form and the answer, at once: three runs in one group — one runs, the newest waits, the middle one is replaced.
    const tracking = w.alice.createIssue({ title: "Mission: CRM", body: FORM_BODY, labels: [LABELS.mission] }).number;
    const answer = w.alice.comment(tracking, "/mission answer\nconstraints: no new dependencies\npreferences: none");
    const first = w.commandWorkflowRuns();
    expect(first.map((r) => `${r.event} ${r.status}`)).toEqual(["issues queued", "issues completed", "issue_comment pending"]);
    await w.settle();

    expect(w.commandWorkflowRuns().map((r) => `${r.event} ${r.conclusion}`)).toEqual(["issues success", "issues cancelled", "issue_comment success"]);
    expect(w.maxRunning).toBe(1);
    const logs = () => w.commandRuns.map((r) => `run ${r.runId} (${r.event}) exit ${r.exitCode}:\n${r.log.slice(-1500)}`).join("\n\n");
    expect(w.commandRuns.every((r) => r.exitCode === 0), logs()).toBe(true);

    const label = w.twin.issue(tracking).labels.find((l) => l.startsWith("mission:m-"));
    expect(label, logs()).toBeDefined();
    const missionId = label!.slice("mission:".length);
    const bot = () => w.comments(tracking).filter((c) => c.user === BOT);
    // the answer was answered once, and the plan shown once
    expect(bot().filter((c) => c.body.includes(`<!-- mission-bot:reply:${answer.id} -->`))).toHaveLength(1);
    expect(bot().filter((c) => /## Mission plan/.test(c.body)), logs()).toHaveLength(1);
    expect(w.twin.issuesOf()).toHaveLength(1);

    // 2. The approval and a pulse's hand-over (workflow_dispatch of the same group) at once.
    const approve = w.alice.comment(tracking, "/mission approve");
    const handOver = w.twin.actions.dispatch(`acme/crm`, "mission-command.yml", { ref: "main", inputs: { issue: String(tracking), reason: "pulse: work due" }, actor: BOT });
    expect(handOver.ok).toBe(true);
    await w.settle();

    const runs = w.commandWorkflowRuns().slice(3);
    expect(runs.map((r) => `${r.event} ${r.conclusion}`)).toEqual(["issue_comment success", "workflow_dispatch success"]);
    expect(w.maxRunning).toBe(1);
    expect(w.commandRuns.every((r) => r.exitCode === 0), logs()).toBe(true);

    // one set of issues: 3 milestones under the tracking issue, 6 features under them, each once
    const issues = w.twin.issuesOf().filter((i) => i.number !== tracking);
    const titles = issues.map((i) => i.title);
    expect(new Set(titles).size, titles.join("\n")).toBe(titles.length);
    const milestones = issues.filter((i) => i.labels.includes(LABELS.milestone));
    const features = issues.filter((i) => i.labels.includes(LABELS.feature));
    expect(milestones).toHaveLength(3);
    expect(features).toHaveLength(6);
    expect(issues).toHaveLength(9);
    expect(w.twin.issue(tracking).sub_issues).toEqual(milestones.map((i) => i.id));
    for (const f of features) expect(milestones.map((m) => m.id)).toContain(f.parent);
    expect(issues.every((i) => i.user.login === BOT && i.labels.includes(`mission:${missionId}`))).toBe(true);

    // the approval answered once; the first milestone's workers dispatched once each
    expect(bot().filter((c) => c.body.includes(`<!-- mission-bot:reply:${approve.id} -->`))).toHaveLength(1);
    const workers = w.twin.actions.runsOf("mission-worker.yml").map((r) => r.display_title.replace(/ \/ t\d+-[0-9a-z]+$/, ""));
    expect(workers.length).toBeGreaterThan(0);
    expect(new Set(workers).size).toBe(workers.length);

    const file = w.twin.readFile(`todo/missions/${missionId}/mission.md`, { ref: STATE_BRANCH });
    const parsed = parseMissionFile(file!.text);
    expect(parsed.ok && parsed.mission.status).toBe("active");
    expect(parsed.ok && parsed.mission.plan!.milestones.every((m) => m.issue && m.features.every((f) => f.issue))).toBe(true);
    expect(w.twin.contractFailures).toEqual([]);
    expect(w.server.errors).toEqual([]);
  }, 300_000);
});
