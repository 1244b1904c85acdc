/**
 * What the github-rules suites share: a repository as `npx mission-bot init`
 * leaves it (the worker and validation workflows, settings that plan from
 * the outline), a whole mission played on the in-process harness with
 * simulated runners, and readers of the state the bot left.
 */
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { harness, type Harness, type HarnessOptions } from "../../support/app-harness.js";
import { simulateRunners, type RunnerPlay, type Runners } from "../../support/runners.js";
import { CRM_OUTLINE } from "../../support/outline.js";
import { parseMissionFile } from "../../../src/mission/markdown/mission-file.js";
import { DEFAULT_STATE_BRANCH, missionPath, type Mission } from "../../../src/mission/model.js";

export const BOT = "mission-bot[bot]";

export const WORKFLOWS: Record<string, string> = {
  ".github/workflows/mission-worker.yml": readFileSync("templates/workflows/mission-worker.yml", "utf8"),
  ".github/workflows/mission-validate.yml": readFileSync("templates/workflows/mission-validate.yml", "utf8"),
};

/** `.github/mission.yml`: plan from the outline, and whatever else a test sets. */
export function settings(extra = ""): Record<string, string> {
  return { ".github/mission.yml": `planner:\n  provider: outline\n${extra}` };
}

export interface Played {
  h: Harness;
  runners: Runners;
  tracking: number;
  missionId: string;
}

/** A harness with the workflows and settings, and runners that finish every run they are given. */
export function world(options: HarnessOptions & { play?: RunnerPlay; settings?: string } = {}): { h: Harness; runners: Runners } {
  const { play, settings: extra, files, ...rest } = options;
  const h = harness({ ...rest, files: { ...WORKFLOWS, ...settings(extra), ...files } });
  const runners = simulateRunners(h.twin, play);
  return { h, runners };
}

/** /mission, the interview and the approval, each delivered until GitHub is quiet. */
export async function approve(h: Harness, options: { goal?: string; outline?: string; tracking?: number } = {}): Promise<{ tracking: number; missionId: string }> {
  const tracking = options.tracking ?? h.twin.as("alice").createIssue({ title: "CRM", body: options.outline ?? CRM_OUTLINE }).number;
  h.twin.as("alice").comment(tracking, options.goal ?? "/mission Build a CRM --mode poc --budget $500 --hours 100 --tokens 50M");
  await h.pump();
  h.twin.as("alice").comment(tracking, "/mission answer\nconstraints: none\npreferences: none");
  await h.pump();
  h.twin.as("alice").comment(tracking, "/mission approve");
  await h.pump();
  const label = h.twin.issue(tracking).labels.find((l) => l.startsWith("mission:m-"));
  if (!label) throw new Error(`no mission on #${tracking}: ${botBodies(h, tracking).join("\n---\n")}`);
  return { tracking, missionId: label.slice("mission:".length) };
}

export function isComplete(h: Harness, tracking: number): boolean {
  return botBodies(h, tracking).some((b) => /is complete\./.test(b));
}

/** The whole mission: approved, every feature worked and every milestone validated, until the bot says it is complete. */
export async function playMission(h: Harness, runners: Runners, options: { goal?: string; outline?: string; maxRounds?: number } = {}): Promise<Played> {
  const { tracking, missionId } = await approve(h, options);
  await h.runUntil(() => isComplete(h, tracking), { maxRounds: options.maxRounds ?? 40 });
  return { h, runners, tracking, missionId };
}

export function comments(h: Harness, issue: number): Array<{ user: string; body: string }> {
  const id = h.twin.issue(issue).id;
  return [...h.twin.comments.values()].filter((c) => c.issueId === id).map((c) => ({ user: c.user.login, body: c.body }));
}

export function botBodies(h: Harness, issue: number): string[] {
  return comments(h, issue)
    .filter((c) => c.user === BOT)
    .map((c) => c.body);
}

export function missionOf(h: Harness, missionId: string, branch = DEFAULT_STATE_BRANCH): Mission {
  const file = h.twin.readFile(missionPath(missionId), { ref: branch });
  if (!file) throw new Error(`no mission.md for ${missionId} on ${branch}`);
  const parsed = parseMissionFile(file.text);
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  return parsed.mission;
}

/** Every request was one GitHub accepts, every answer one GitHub documents, and no job failed. */
export function expectClean(h: Harness): void {
  expect(h.twin.contractFailures).toEqual([]);
  expect(h.twin.responseFailures).toEqual([]);
}

/** Where a mission stands (from mission.md), for a failure message. */
export function whereItStands(h: Harness, missionId: string, branch = DEFAULT_STATE_BRANCH): string {
  const file = h.twin.readFile(missionPath(missionId), { ref: branch });
  if (!file) return "(no mission.md)";
  const parsed = parseMissionFile(file.text);
  if (!parsed.ok) return `mission.md invalid: ${parsed.problems.join("; ")}`;
  const m = parsed.mission;
  const lines = [`status: ${m.status}${m.paused_reason ? ` (${m.paused_reason})` : ""}`];
  for (const ms of m.plan?.milestones ?? []) {
    lines.push(`milestone ${ms.key} #${ms.issue?.number ?? "?"}: ${ms.validated ?? "open"}; validations ${ms.validations.map((v) => `${v.try}:${v.status}/${v.outcome ?? "-"}`).join(" ")}`);
    for (const f of ms.features) {
      lines.push(`  ${f.key} #${f.issue?.number ?? "?"} ${f.issue ? h.twin.issue(f.issue.number).state : "no issue"} runs ${f.runs.map((r) => `${r.try}:${r.run_id ?? "-"}:${r.status}/${r.conclusion ?? "-"}/${r.reported ?? "-"}`).join(" ")}${f.needs_human ? ` NEEDS HUMAN ${f.needs_human}` : ""}`);
    }
  }
  return lines.join("\n");
}
