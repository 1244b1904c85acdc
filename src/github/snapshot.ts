/**
 * Read what GitHub says about one mission, in as few requests as possible:
 * one paginated list of the issues labelled `mission:<id>`, one request per
 * run still under way, and comments only of issues whose run just finished.
 * With nothing running and nothing changed, the cost does not depend on how
 * many features the mission has.
 */
import { findMarkers } from "../mission/markers.js";
import { LABELS, type Config, type Mission, type RunConclusion, type RunRecord } from "../mission/model.js";
import type { FoundIssue, FoundReport, Ref, Snapshot } from "../mission/reconcile.js";
import { readReport } from "../mission/report.js";
import { readValidationReport } from "../mission/validation.js";
import type { FoundValidationReport } from "../mission/validating.js";
import type { History } from "../mission/forecast.js";
import { isRunning, runNonce, type ObservedRun } from "../mission/workers.js";
import { findRunByNonce } from "./runs.js";
import { isStatus, type Octokit, type RepoRef } from "./client.js";
import { isBot, type TrackingIssue } from "./mission-store.js";

/** Every issue carrying each of the mission's markers, oldest first (more than one only if GitHub created one twice). */
export async function missionIssueCandidates(octokit: Octokit, repo: RepoRef, missionId: string): Promise<Map<Ref, FoundIssue[]>> {
  const issues = await octokit.paginate(octokit.rest.issues.listForRepo, {
    ...repo,
    labels: LABELS.forMission(missionId),
    state: "all",
    per_page: 100,
  });
  const found = new Map<Ref, FoundIssue[]>();
  for (const issue of [...issues].sort((a, b) => a.number - b.number)) {
    if (issue.pull_request) continue;
    for (const m of findMarkers(issue.body)) {
      if (m.mission !== missionId || (m.kind !== "milestone" && m.kind !== "feature")) continue;
      const ref = `${m.kind}:${m.key}` as Ref;
      const list = found.get(ref) ?? [];
      if (!list.some((i) => i.number === issue.number)) {
        list.push({
          number: issue.number,
          id: issue.id,
          state: issue.state === "closed" ? "closed" : "open",
          labels: issue.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))),
        });
      }
      found.set(ref, list);
    }
  }
  return found;
}

/** The mission's issues by marker: the one mission.md records when there are several, else the oldest. */
export async function missionIssues(octokit: Octokit, repo: RepoRef, missionId: string, mission?: Mission): Promise<Map<Ref, FoundIssue>> {
  return chooseIssues(await missionIssueCandidates(octokit, repo, missionId), mission).issues;
}

export function chooseIssues(
  candidates: ReadonlyMap<Ref, FoundIssue[]>,
  mission: Mission | undefined,
): { issues: Map<Ref, FoundIssue>; duplicates: { ref: Ref; keep: number; extra: FoundIssue }[] } {
  const issues = new Map<Ref, FoundIssue>();
  const duplicates: { ref: Ref; keep: number; extra: FoundIssue }[] = [];
  for (const [ref, list] of candidates) {
    const recorded = mission ? recordedNumber(mission, ref) : undefined;
    const keep = list.find((i) => i.number === recorded) ?? list[0]!;
    issues.set(ref, keep);
    for (const extra of list) if (extra.number !== keep.number && extra.state === "open") duplicates.push({ ref, keep: keep.number, extra });
  }
  return { issues, duplicates };
}

function recordedNumber(m: Mission, ref: Ref): number | undefined {
  const [kind, key] = ref.split(":");
  for (const ms of m.plan?.milestones ?? []) {
    if (kind === "milestone" && ms.key === key) return ms.issue?.number;
    const f = ms.features.find((x) => x.key === key);
    if (kind === "feature" && f) return f.issue?.number;
  }
  return undefined;
}

/** Keys of closed milestone and feature issues ("1", "1.2"), for the dashboard. */
export function closedKeys(issues: ReadonlyMap<Ref, FoundIssue>): Set<string> {
  const closed = new Set<string>();
  for (const [ref, issue] of issues) if (issue.state === "closed") closed.add(ref.slice(ref.indexOf(":") + 1));
  return closed;
}

export interface SnapshotInput {
  octokit: Octokit;
  repo: RepoRef;
  tracking: TrackingIssue;
  mission: Mission;
  committed: boolean;
  config: Config;
  now: string;
  history: History;
  botLogin?: string;
  /** comments the triggering webhook delivered (a report just posted), read without another request */
  hintComments?: readonly HintComment[];
}

export interface HintComment {
  issueNumber: number;
  url: string;
  body: string;
  user: { login: string; type: string } | null;
}

export async function loadSnapshot(input: SnapshotInput): Promise<Snapshot> {
  const { octokit, repo, mission, config } = input;
  const { issues, duplicates } = chooseIssues(await missionIssueCandidates(octokit, repo, mission.id), mission);
  const features = mission.plan?.milestones.flatMap((ms) => ms.features) ?? [];
  const validations = mission.plan?.milestones.flatMap((ms) => ms.validations.map((v) => ({ ms, v }))) ?? [];

  // Runs under way: ask GitHub how each one stands.
  const runs = new Map<number, ObservedRun>();
  const unfinished = [...features.flatMap((f) => f.runs), ...validations.map((x) => x.v)].filter((r) => isRunning(r));
  for (const r of unfinished) {
    if (r.run_id && !runs.has(r.run_id)) runs.set(r.run_id, await readRun(octokit, repo, r.run_id, input.now));
  }

  // Dispatches whose answer was lost: find the run by the nonce in its name.
  const runsByNonce = new Map<string, ObservedRun>();
  const lost = [
    ...features.flatMap((f) => f.runs.filter((r) => r.status === "dispatching" && !r.run_id).map((r) => ({ key: f.key, r, workflow: config.worker.workflow }))),
    ...validations
      .filter(({ v }) => v.status === "dispatching" && !v.run_id)
      .map(({ ms, v }) => ({ key: `validate-${ms.key}`, r: v as RunRecord, workflow: config.validation.workflow })),
  ];
  for (const { key, r, workflow } of lost) {
    const found = await findRunByNonce(octokit, repo, workflow, mission.id, key, r);
    if (found) runsByNonce.set(`${key}/${runNonce(r)}`, found);
  }

  // Reports: from the webhook that brought them, else from the issues of runs that finished unreported.
  const comments = [...(input.hintComments ?? [])];
  // Finished as far as GitHub says now: by its id, or, for a dispatch whose answer was lost, by its name.
  const finishedNow = (key: string, r: RunRecord) =>
    r.status === "completed" ||
    (r.run_id !== undefined ? runs.get(r.run_id) : runsByNonce.get(`${key}/${runNonce(r)}`))?.status === "completed";
  const finishedUnreported = (key: string) => (r: RunRecord) => !r.reported && finishedNow(key, r);
  // (A webhook's comment is no substitute: a redelivered old report can stand beside a missing new one.)
  const listed = new Set<number>();
  const readIssue = async (issueNumber: number) => {
    if (listed.has(issueNumber)) return;
    listed.add(issueNumber);
    for (const c of await issueComments(octokit, repo, issueNumber)) if (!comments.some((h) => h.url === c.url)) comments.push(c);
  };
  for (const f of features) {
    if (f.issue && f.runs.some(finishedUnreported(f.key))) await readIssue(f.issue.number);
  }
  for (const { ms, v } of validations) {
    if (ms.issue && !v.outcome && finishedNow(`validate-${ms.key}`, v)) await readIssue(ms.issue.number);
  }
  const reports: FoundReport[] = [];
  const validationReports: FoundValidationReport[] = [];
  for (const c of comments) {
    // Reports come from the worker's Action (github-actions[bot]) or the app itself, never from a person or another bot.
    if (!isBot(c.user, undefined) || (c.user?.login !== "github-actions[bot]" && input.botLogin && c.user?.login !== input.botLogin)) continue;
    const feature = features.find((f) => f.issue?.number === c.issueNumber);
    if (feature) {
      const result = readReport(c.body);
      if (result.found) reports.push({ feature: feature.key, url: c.url, result });
    }
    const milestone = mission.plan?.milestones.find((ms) => ms.issue?.number === c.issueNumber);
    if (milestone) {
      const result = readValidationReport(c.body);
      if (result.found) validationReports.push({ milestone: milestone.key, url: c.url, result } as FoundValidationReport);
    }
  }

  return {
    mission,
    committed: input.committed,
    tracking: { number: input.tracking.number, id: input.tracking.id, labels: input.tracking.labels },
    issues,
    duplicates,
    config,
    now: input.now,
    runs,
    runsByNonce,
    reports,
    validationReports,
    history: input.history,
  };
}

async function readRun(octokit: Octokit, repo: RepoRef, runId: number, now: string): Promise<ObservedRun> {
  try {
    const { data } = await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
    return {
      id: data.id,
      status: data.status ?? "queued",
      conclusion: (data.conclusion ?? null) as RunConclusion | null,
      updated_at: data.updated_at,
      html_url: data.html_url,
    };
  } catch (error) {
    // A run that no longer exists (deleted) finished as far as the mission is concerned.
    if (isStatus(error, 404, 410)) return { id: runId, status: "completed", conclusion: "startup_failure", updated_at: now };
    throw error;
  }
}

async function issueComments(octokit: Octokit, repo: RepoRef, issueNumber: number): Promise<HintComment[]> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: issueNumber, per_page: 100 });
  return comments.map((c) => ({ issueNumber, url: c.html_url, body: c.body ?? "", user: c.user ? { login: c.user.login, type: c.user.type } : null }));
}
