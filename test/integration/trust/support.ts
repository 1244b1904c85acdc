/**
 * What the trust tests share: a repository with the worker and validation
 * workflows and the outline planner, a mission started, answered and
 * approved by a person with write access, a worker that reports as the
 * report job does, and a scan of everything the bot wrote for hidden text
 * that is not its own.
 */
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { parseMissionFile } from "../../../src/mission/markdown/mission-file.js";
import { renderReportComment } from "../../../src/mission/markdown/report-comment.js";
import type { WorkerReportInput } from "../../../src/mission/workers/report.js";
import type { Mission } from "../../../src/mission/model.js";
import { harness, type Harness, type HarnessOptions } from "../../support/app-harness.js";
import { testMissionId } from "../../support/clock.js";
import { STATE_BRANCH } from "../../support/missions.js";
import { CRM_OUTLINE } from "../../support/outline.js";

export const BOT = "mission-bot[bot]";
export const ACTIONS_BOT = "github-actions[bot]";

/** The mission `/mission Build a CRM` starts on the repository's first issue (ids end with the tracking issue). */
export const MISSION = testMissionId("crm", 1);
export const MISSION_PATH = `todo/missions/${MISSION}/mission.md`;

export const FILES = {
  ".github/workflows/mission-worker.yml": readFileSync("templates/workflows/mission-worker.yml", "utf8"),
  ".github/workflows/mission-validate.yml": readFileSync("templates/workflows/mission-validate.yml", "utf8"),
  ".github/mission.yml": "planner:\n  provider: outline\n",
};

/** alice and walt may direct the bot; tina triages; bob reads. */
export const PEOPLE = { alice: "write", walt: "write", tina: "triage", bob: "read" } as const;

export function trustHarness(options: HarnessOptions = {}): Harness {
  return harness({ files: FILES, collaborators: { ...PEOPLE }, ...options });
}

/** Every request the bot made was one GitHub accepts, and every answer the twin gave one GitHub documents. */
export function expectContract(h: Harness): void {
  expect(h.twin.contractFailures).toEqual([]);
  expect(h.twin.responseFailures, h.twin.responseFailures.join("\n")).toEqual([]);
}

export const START = "/mission Build a CRM --mode poc --budget $500 --hours 40 --tokens 50M";
export const ANSWER = "/mission answer\nconstraints: none\npreferences: none";

/** `/mission Build a CRM` by alice on a new issue holding `body`, answered: the plan is shown. */
export async function planned(h: Harness, body = CRM_OUTLINE, opener = "alice"): Promise<number> {
  const tracking = h.twin.as(opener).createIssue({ title: "CRM", body });
  h.twin.as("alice").comment(tracking.number, START);
  await h.pump();
  h.twin.as("alice").comment(tracking.number, ANSWER);
  await h.pump();
  return tracking.number;
}

/** …and approved by alice: the issues exist and the first worker is dispatched. */
export async function approved(h: Harness, body = CRM_OUTLINE, opener = "alice"): Promise<number> {
  const tracking = await planned(h, body, opener);
  h.twin.as("alice").comment(tracking, "/mission approve");
  await h.pump();
  return tracking;
}

export function mission(h: Harness): Mission {
  const file = h.twin.readFile(MISSION_PATH, { ref: STATE_BRANCH });
  if (!file) throw new Error(`${MISSION_PATH} is not on ${STATE_BRANCH}`);
  const parsed = parseMissionFile(file.text);
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  return parsed.mission;
}

export function missionText(h: Harness): string {
  return h.twin.readFile(MISSION_PATH, { ref: STATE_BRANCH })?.text ?? "";
}

export function comments(h: Harness, issue: number): Array<{ id: number; user: string; body: string }> {
  return h.twin.commentsOn(h.twin.issue(issue)).map((c) => ({ id: c.id, user: c.user.login, body: c.body }));
}

export function botComments(h: Harness, issue: number) {
  return comments(h, issue).filter((c) => c.user === BOT);
}

/** The feature issue of `key` (the bot's, by its title). */
export function featureIssue(h: Harness, key: string): number {
  const found = h.twin.issuesOf().filter((i) => i.user.login === BOT && i.labels.includes("mission:feature") && i.title.startsWith(`[${MISSION}] ${key} `));
  if (found.length !== 1) throw new Error(`${found.length} issues for feature ${key}`);
  return found[0]!.number;
}

export function workerRuns(h: Harness) {
  return h.twin.actions.runsOf("mission-worker.yml").map((r) => ({ id: r.id, feature: h.twin.runInputs(r.id)?.feature, issue: Number(h.twin.runInputs(r.id)?.issue) }));
}

/** A worker's report for `run`, as the report job writes it. */
export function report(run: { id: number; feature?: string }, over: Partial<WorkerReportInput> = {}): string {
  return renderReportComment({
    mission: MISSION,
    feature: run.feature ?? "1.1",
    run_id: run.id,
    run_attempt: 1,
    outcome: "success",
    summary: `Implemented ${run.feature}`,
    model: "claude-sonnet-5-5",
    tokens_in: 400_000,
    tokens_out: 60_000,
    cost_usd: 1.4,
    duration_seconds: 900,
    actions_minutes: 15,
    metering: "proxy",
    ...over,
  } as never);
}

/** The run starts, its report job posts `body` on the feature issue (and, POC, closes it, as the report job does), and the run completes. */
export function finishRun(h: Harness, runId: number, body: string, options: { poster?: string; close?: boolean } = {}): void {
  const inputs = h.twin.runInputs(runId)!;
  const poster = options.poster ?? ACTIONS_BOT;
  h.twin.actions.start(runId);
  h.twin.as(poster).comment(Number(inputs.issue), body);
  if (options.close ?? true) h.twin.as(poster).closeIssue(Number(inputs.issue));
  h.twin.actions.complete(runId, "success", { durationMs: 900_000 });
}

/**
 * Everything the bot wrote: its comments, the bodies of its issues, the
 * dashboard region of tracking issues (the rest of their bodies is the
 * person's own text, kept as written) and mission.md.
 */
export function botWriting(h: Harness): Array<{ where: string; text: string; kind: "comment" | "issue" | "dashboard" | "mission.md"; issue?: number }> {
  const out: Array<{ where: string; text: string; kind: "comment" | "issue" | "dashboard" | "mission.md"; issue?: number }> = [];
  for (const issue of h.twin.issuesOf()) {
    if (issue.user.login === BOT) out.push({ where: `body of #${issue.number}`, text: issue.body ?? "", kind: "issue", issue: issue.number });
    else {
      const region = /<!-- mission-bot:(m-[a-z0-9-]+):dashboard:start -->[\s\S]*<!-- mission-bot:\1:dashboard:end -->/.exec(issue.body ?? "");
      if (region) out.push({ where: `dashboard of #${issue.number}`, text: region[0], kind: "dashboard", issue: issue.number });
    }
    for (const c of h.twin.commentsOn(issue)) if (c.user.login === BOT) out.push({ where: `comment ${c.id} on #${issue.number}`, text: c.body, kind: "comment", issue: issue.number });
  }
  const file = missionText(h);
  if (file) out.push({ where: MISSION_PATH, text: file, kind: "mission.md" });
  return out;
}

/** Every HTML comment (or an unclosed `<!--` to the end) in a text. */
export function hiddenComments(text: string): string[] {
  return [...text.matchAll(/<!--[\s\S]*?(?:-->|$)/g)].map((m) => m[0]);
}
