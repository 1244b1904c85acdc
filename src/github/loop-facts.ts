/**
 * The facts the loop reads about a running mission: its issues (one
 * paginated list by the `mission:<id>` label, plus any recorded issue the
 * list misses because someone removed its label), runs still under way,
 * reports of runs that finished, and who closed the features not yet
 * counted as done. With nothing running and nothing changed, the cost does
 * not depend on how many features the mission has.
 */
import type { CloseFact, FoundIssue, FoundReport, FoundValidationReport, LoopFacts, ObservedRun, Permission, Ref, Where } from "../mission/decision.js";
import { mayDirect } from "../mission/decision.js";
import { findMarkers } from "../mission/markers.js";
import { LABELS, type Config, type Feature, type Mission, type RunRecord } from "../mission/model.js";
import { readReport } from "../mission/workers/report.js";
import { acceptanceTicked } from "../mission/markdown/issues.js";
import { readValidationReport } from "../mission/validation/validation.js";
import { isRunning, runNonce } from "../mission/workers/workers.js";
import { findRunByNonce, observedRun } from "./runs.js";
import { buildRef } from "./target.js";
import { sameRepo } from "../mission/target/target.js";
import { folderWorthReading, readMissionFolder } from "./mission-folder.js";
import { isStatus, type Octokit, type RepoRef } from "./client.js";
import { readSecretNames } from "./secret-names.js";
import { secretsToLookFor } from "../mission/workers/resources.js";
import { loadSpendingFacts } from "./spending/facts.js";
import type { Outside } from "./spending/outside.js";

export interface LoopFactsInput {
  octokit: Octokit;
  repo: RepoRef;
  where: Where;
  config: Config;
  mission: Mission;
  now: string;
  permissionOf: (login: string) => Promise<Permission>;
  /** card provider and email gateway, when the bot has them: their facts about the mission's requests */
  outside?: Outside | undefined;
  /** runs of `repo` its caller read moments ago (the Actions pulse's page of the repository's recent runs): not asked again */
  knownRuns?: ReadonlyMap<number, ObservedRun> | undefined;
}

/** A report posted this long before its run was dispatched cannot be that run's (clocks differ a little). */
const CLOCK_SLACK_MS = 5 * 60_000;

export async function loadLoopFacts(input: LoopFactsInput): Promise<LoopFacts> {
  const { octokit, repo, mission, where, config } = input;
  // runs are in the repository the mission builds in; its issues, at home
  const runsRepo = buildRef(mission, repo);
  // a mission folder never read is read whatever the issues say: beside their list, not after it
  const [candidates, unread] = await Promise.all([
    missionIssueCandidates(octokit, repo, mission.id, where.botLogin),
    mission.folder ? undefined : readMissionFolder(octokit, runsRepo, mission, where.defaultBranch),
  ]);
  await addRecordedMissing(octokit, repo, mission, candidates, where.botLogin);
  const { issues, duplicates } = chooseIssues(candidates, mission);
  const features = mission.plan?.milestones.flatMap((ms) => ms.features) ?? [];
  const validations = mission.plan?.milestones.flatMap((ms) => ms.validations.map((v) => ({ ms, v }))) ?? [];

  // Runs under way: ask GitHub how each one stands (one list of a workflow's runs answers for several of them).
  const unfinished = [
    ...features.flatMap((f) => f.runs.map((r) => ({ r, workflow: config.worker.workflow }))),
    ...validations.map(({ v }) => ({ r: v as RunRecord, workflow: config.validation.workflow })),
  ].filter(({ r }) => isRunning(r) && r.run_id !== undefined);
  const known = sameRepo(`${runsRepo.owner}/${runsRepo.repo}`, `${repo.owner}/${repo.repo}`) ? input.knownRuns : undefined;
  const runs = await listedRuns(octokit, runsRepo, unfinished.filter(({ r }) => !known?.has(r.run_id!)));
  for (const { r } of unfinished) {
    const seen = known?.get(r.run_id!);
    if (seen) runs.set(r.run_id!, seen);
    else if (r.run_id && !runs.has(r.run_id)) runs.set(r.run_id, await readRun(octokit, runsRepo, r.run_id, input.now));
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
    const found = await findRunByNonce(octokit, runsRepo, workflow, mission.id, key, r);
    if (found) runsByNonce.set(`${key}/${runNonce(r)}`, found);
  }

  // Reports: read the issue of every run that finished unreported (as far as GitHub says now).
  const finishedNow = (key: string, r: RunRecord) =>
    r.status === "completed" || (r.run_id !== undefined ? runs.get(r.run_id) : runsByNonce.get(`${key}/${runNonce(r)}`))?.status === "completed";
  const reports: FoundReport[] = [];
  const validationReports: FoundValidationReport[] = [];
  const reread: string[] = [];
  /** POC features a successful report of one of their runs came in for (by a report login): the report's login */
  const reportedDone = new Map<string, string>();
  for (const f of features) {
    if (!f.issue) continue;
    const pending = f.runs.filter((r) => !r.reported && finishedNow(f.key, r));
    let earliest: number | undefined;
    if (pending.length) earliest = Math.min(...pending.map((r) => Date.parse(r.dispatched_at))) - CLOCK_SLACK_MS;
    else {
      // Every run booked: a person may re-run one (same run id, the next attempt), which reports again on the
      // issue. The issue list counts the issue's comments: read it again only when it has more than at the last
      // look (the bot closing the issue, or a label, is a change but no report). A mission that recorded no count
      // yet goes by when the issue last changed; GitHub's times are whole seconds, so a change in the same second
      // as the last look counts as after it.
      const looked = lastLook(mission, f);
      const issue = issues.get(`feature:${f.key}`);
      const news =
        f.reports_seen !== undefined && issue?.comments !== undefined
          ? issue.comments > f.reports_seen
          : !!issue?.updated_at && looked !== undefined && Date.parse(issue.updated_at) >= Math.floor(looked / 1000) * 1000;
      if (looked !== undefined && news) {
        earliest = looked - CLOCK_SLACK_MS;
        reread.push(f.key);
      }
    }
    if (earliest === undefined) continue;
    // the feature's runs: recorded, or found now by the nonce in their name (a dispatch whose answer was lost)
    const runIds = new Set(f.runs.map((r) => r.run_id ?? runsByNonce.get(`${f.key}/${runNonce(r)}`)?.id));
    for (const c of await reportComments(octokit, repo, f.issue.number, where.reportLogins, earliest)) {
      const result = readReport(c.body);
      if (result.found) reports.push({ feature: f.key, url: c.url, login: c.login, result });
      if (mission.mode !== "full" && result.found && result.ok && result.report.outcome === "success" && result.report.mission === mission.id && result.report.feature === f.key && runIds.has(result.report.run_id)) reportedDone.set(f.key, c.login);
    }
  }
  for (const { ms, v } of validations) {
    if (!ms.issue || v.outcome || !finishedNow(`validate-${ms.key}`, v)) continue;
    for (const c of await reportComments(octokit, repo, ms.issue.number, where.reportLogins, Date.parse(v.dispatched_at) - CLOCK_SLACK_MS)) {
      const result = readValidationReport(c.body);
      if (result.found) validationReports.push({ milestone: ms.key, url: c.url, result } as FoundValidationReport);
    }
  }

  // Features whose issue is closed but which the mission has not counted as done: who closed them?
  const closes: CloseFact[] = [];
  for (const f of features) {
    const issue = issues.get(`feature:${f.key}`);
    if (f.done || !issue || issue.state !== "closed") continue;
    // In POC mode a trusted successful report finishes its feature (the domain counts it from the report; the bot
    // closes the issue): an issue an older report step closed needs no asking who closed it.
    const reporter = reportedDone.get(f.key);
    if (reporter !== undefined) {
      closes.push({ feature: f.key, by: reporter, counts: true });
      continue;
    }
    const by = await closedBy(octokit, repo, issue.number);
    const trusted = by !== undefined && (by === where.botLogin || where.reportLogins.includes(by));
    const counts = trusted || (by !== undefined && mayDirect(await input.permissionOf(by)));
    closes.push({ feature: f.key, by: by ?? "someone", counts });
  }

  // Secrets a feature next to start waits for: their names listed (README "Resources"); nothing read otherwise.
  const secrets = await readSecretNames(octokit, runsRepo, secretsToLookFor(mission, config, input.now), config.resources?.environment);
  // The mission folder, read again when a worker may have added to it (README "The mission folder").
  const folder = unread ?? (folderWorthReading(mission, { reports, closes }) ? await readMissionFolder(octokit, runsRepo, mission, where.defaultBranch) : undefined);

  const spending = input.outside && mission.spending?.length ? await loadSpendingFacts(mission, input.outside) : undefined;
  return { issues, duplicates, runs, runsByNonce, reports, validationReports, closes, ...(reread.length ? { reread } : {}), ...(secrets ? { secrets } : {}), ...(folder ? { folder } : {}), ...(spending ? { spending } : {}) };
}

/** When the feature's reports were last read, for a feature whose dispatched runs are all booked (else undefined). */
function lastLook(m: Mission, f: Feature): number | undefined {
  const booked = f.runs.filter((r) => r.run_id !== undefined && r.reported !== undefined);
  if (!booked.length || booked.length !== f.runs.filter((r) => r.run_id !== undefined).length) return undefined;
  const times = [f.reports_read, ...m.ledger.filter((e) => e.kind === "worker" && e.feature === f.key).map((e) => e.at)].filter((t): t is string => !!t).map(Date.parse);
  return times.length ? Math.max(...times) : undefined;
}

/**
 * The list of a mission's issues (its label): the most recently changed first, so that any change to any of
 * them — a comment, an edit, a label, a close — changes the first page, whose ETag the idle pulse asks about
 * (src/loop/idle.ts). The tracking issue carries the label too.
 */
export function missionIssuesQuery(repo: RepoRef, missionId: string) {
  return { ...repo, labels: LABELS.forMission(missionId), state: "all" as const, sort: "updated" as const, direction: "desc" as const, per_page: 100 };
}

/** Every issue the bot wrote carrying each of the mission's markers, oldest first (more than one only if it was created twice). */
export async function missionIssueCandidates(octokit: Octokit, repo: RepoRef, missionId: string, botLogin: string): Promise<Map<Ref, FoundIssue[]>> {
  const issues = await octokit.paginate(octokit.rest.issues.listForRepo, missionIssuesQuery(repo, missionId));
  const found = new Map<Ref, FoundIssue[]>();
  for (const issue of [...issues].sort((a, b) => a.number - b.number)) {
    if (issue.pull_request || issue.user?.login !== botLogin) continue;
    addCandidate(found, missionId, issue);
  }
  return found;
}

interface ListedIssue {
  number: number;
  id: number;
  body?: string | null;
  state: string;
  state_reason?: string | null;
  updated_at?: string;
  comments?: number;
  labels: Array<string | { name?: string }>;
  node_id?: string;
}

function addCandidate(found: Map<Ref, FoundIssue[]>, missionId: string, issue: ListedIssue): void {
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
        ...(issue.updated_at ? { updated_at: issue.updated_at } : {}),
        ...(typeof issue.comments === "number" ? { comments: issue.comments } : {}),
        // a milestone's body lists its features: the loop rewrites it only when that list changed
        ...(m.kind === "milestone" ? { body: issue.body ?? "" } : {}),
        // a feature's: only whether its acceptance criteria show checked (a check lost is written again)
        ...(m.kind === "feature" ? { ticked: acceptanceTicked(issue.body) } : {}),
        ...(issue.state !== "closed" && issue.state_reason === "reopened" ? { reopened: true } : {}),
        ...(issue.node_id ? { nodeId: issue.node_id } : {}),
      });
      list.sort((a, b) => a.number - b.number);
    }
    found.set(ref, list);
    return;
  }
}

/** An issue mission.md records that the label list missed (someone removed its label): read it, so its labels are put back. */
async function addRecordedMissing(octokit: Octokit, repo: RepoRef, mission: Mission, found: Map<Ref, FoundIssue[]>, botLogin: string): Promise<void> {
  for (const ms of mission.plan?.milestones ?? []) {
    const items: Array<{ ref: Ref; number?: number }> = [
      { ref: `milestone:${ms.key}`, ...(ms.issue ? { number: ms.issue.number } : {}) },
      ...ms.features.map((f) => ({ ref: `feature:${f.key}` as Ref, ...(f.issue ? { number: f.issue.number } : {}) })),
    ];
    for (const { ref, number } of items) {
      if (number === undefined || found.get(ref)?.some((i) => i.number === number)) continue;
      try {
        const { data } = await octokit.rest.issues.get({ ...repo, issue_number: number });
        if (data.user?.login === botLogin) addCandidate(found, mission.id, data);
      } catch (error) {
        if (!isStatus(error, 404, 410)) throw error; // deleted: materialise creates it again
      }
    }
  }
}

/** The mission's issues by marker: the one mission.md records when there are several, else the oldest. */
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

/**
 * Runs under way, in one list per workflow with two or more of them: its runs created since the oldest was
 * dispatched (clocks differ a little), newest first, one page. A run the page does not show (a dispatch seconds
 * old, or a hundred newer runs) is left out, and read on its own as before: never more than one request more.
 */
async function listedRuns(octokit: Octokit, repo: RepoRef, unfinished: ReadonlyArray<{ r: RunRecord; workflow: string }>): Promise<Map<number, ObservedRun>> {
  const out = new Map<number, ObservedRun>();
  const byWorkflow = new Map<string, RunRecord[]>();
  for (const { r, workflow } of unfinished) byWorkflow.set(workflow, [...(byWorkflow.get(workflow) ?? []), r]);
  for (const [workflow, records] of byWorkflow) {
    const wanted = new Set(records.map((r) => r.run_id!));
    if (wanted.size < 2) continue;
    const since = new Date(Math.max(0, Math.min(...records.map((r) => Date.parse(r.dispatched_at))) - CLOCK_SLACK_MS)).toISOString().replace(/\.\d{3}Z$/, "Z");
    let listed;
    try {
      ({ data: listed } = await octokit.rest.actions.listWorkflowRuns({ ...repo, workflow_id: workflow, created: `>=${since}`, per_page: 100 }));
    } catch (error) {
      if (isStatus(error, 404, 422)) continue; // read one by one
      throw error;
    }
    for (const data of listed.workflow_runs) if (wanted.has(data.id)) out.set(data.id, observedRun(data));
  }
  return out;
}

async function readRun(octokit: Octokit, repo: RepoRef, runId: number, now: string): Promise<ObservedRun> {
  try {
    const { data } = await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
    return observedRun(data);
  } catch (error) {
    // A run that no longer exists (deleted) finished as far as the mission is concerned.
    if (isStatus(error, 404, 410)) return { id: runId, status: "completed", conclusion: "startup_failure", updated_at: now };
    throw error;
  }
}

/** Comments on an issue that may carry reports: by a report login, not older than `after` (epoch ms). */
async function reportComments(octokit: Octokit, repo: RepoRef, issueNumber: number, logins: readonly string[], after: number) {
  const since = new Date(Math.max(0, after)).toISOString();
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: issueNumber, per_page: 100, since });
  return comments
    .filter((c) => c.user?.type === "Bot" && logins.includes(c.user.login) && Date.parse(c.created_at) >= after)
    .map((c) => ({ url: c.html_url, body: c.body ?? "", login: c.user!.login }));
}

async function closedBy(octokit: Octokit, repo: RepoRef, issueNumber: number): Promise<string | undefined> {
  const { data } = await octokit.rest.issues.get({ ...repo, issue_number: issueNumber });
  return data.closed_by?.login ?? undefined;
}
