/**
 * Apply: perform reconcile's actions against GitHub, idempotently (hidden
 * markers and "already there" checks), bounded per call (a write budget and a
 * deadline), and resumable (what is finished is recorded in mission.md; the
 * next call starts from there).
 */
import { missionPath, type Mission } from "../mission/model.js";
import { recordIssue, type FoundIssue, type Ref } from "../mission/materialise.js";
import type { Action, Decision, Snapshot } from "../mission/reconcile.js";
import { renderMissionFile } from "../mission/markdown/mission-file.js";
import { recordDispatch, recordValidationDispatch, validationInputs, withdrawIntents, workerInputs } from "../mission/dispatch.js";
import { isRateLimited, isStatus, NO_RETRY, statusOf, type Octokit, type RepoRef } from "./client.js";
import { writeDashboard } from "./dashboard-writer.js";
import { writeFile } from "./repo-files.js";
import { commentOnce } from "./replies.js";
import { closedKeys } from "./snapshot.js";
import { findRunByNonce } from "./runs.js";
import { performance } from "node:perf_hooks";

export interface ApplyLimits {
  /** writes (POST/PATCH/PUT/DELETE) this call may make before it stops; the final commit and dashboard are extra */
  maxWrites: number;
  /** how long (ms, measured on the monotonic clock from the start of apply) new writes may start */
  timeMs: number;
}

export interface ApplyInput {
  octokit: Octokit;
  repo: RepoRef;
  snapshot: Snapshot;
  /** blob sha of mission.md when it exists */
  sha?: string;
  /** branch holding mission.md */
  branch: string;
  /** the repository's default branch: workflows are dispatched from it */
  defaultBranch: string;
  limits: ApplyLimits;
  /** the time decisions are recorded at (runs dispatched); the time budget is measured on the monotonic clock */
  clock?: () => number;
}

export interface ApplyResult {
  mission: Mission;
  sha?: string;
  writes: number;
  /** false when the limits stopped it before every action ran */
  complete: boolean;
}

const READ_ONLY: ReadonlySet<Action["kind"]> = new Set(["record-issue", "update-dashboard"]);

export async function apply(decision: Decision, input: ApplyInput): Promise<ApplyResult> {
  const { octokit, repo, snapshot, limits } = input;
  const clock = input.clock ?? Date.now;
  const deadline = performance.now() + limits.timeMs;
  let mission = decision.mission;
  let sha = input.sha;
  let writes = 0;
  let dirty = false;
  let complete = true;
  const known = new Map<Ref, FoundIssue>(snapshot.issues);

  const resolve = (ref: Ref): { number: number; id: number } => {
    if (ref === "tracking") return snapshot.tracking;
    const found = known.get(ref) ?? recorded(mission, ref);
    if (!found) throw new Error(`${ref} of mission ${mission.id} has no issue yet`);
    return found;
  };

  const commit = async (message: string) => {
    sha = await writeFile(octokit, repo, {
      path: missionPath(mission.id),
      text: renderMissionFile(mission),
      message,
      ...(sha ? { sha } : {}),
      branch: input.branch,
    });
    dirty = false;
    writes++;
  };

  // Dispatches this call will not make: withdraw their recorded intent, so they cost no try.
  const withdrawFrom = (index: number) => {
    const withdrawn = withdrawIntents(mission, decision.actions.slice(index));
    if (withdrawn !== mission) {
      mission = withdrawn;
      dirty = true;
    }
  };
  let at = 0;
  try {
    for (const action of decision.actions) {
      at = decision.actions.indexOf(action);
      if (!READ_ONLY.has(action.kind) && (writes >= limits.maxWrites || performance.now() >= deadline)) {
        complete = false;
        withdrawFrom(at);
        break;
      }
      switch (action.kind) {
        case "commit-mission":
          await commit(action.message);
          break;
        case "ensure-labels":
          for (const label of action.labels) {
            try {
              await octokit.rest.issues.createLabel({ ...repo, ...label });
            } catch (error) {
              if (!isStatus(error, 422)) throw error; // 422: the label exists already
            }
            writes++;
          }
          break;
        case "create-issue": {
          const { data } = await octokit.rest.issues.create({ ...repo, title: action.title, body: action.body, labels: action.labels, ...NO_RETRY });
          known.set(action.ref, { number: data.number, id: data.id, state: "open" });
          writes++;
          break;
        }
        case "link-sub-issue":
          await linkSubIssue(octokit, repo, resolve(action.parent).number, resolve(action.child));
          writes++;
          break;
        case "add-blocked-by":
          await addBlockedBy(octokit, repo, resolve(action.blocked).number, resolve(action.blocking).id);
          writes++;
          break;
        case "record-issue":
          mission = recordIssue(mission, action.ref, resolve(action.ref));
          dirty = true;
          break;
        case "dispatch-worker": {
          const inputs = workerInputs(mission, action.dispatch, input.defaultBranch);
          const find = () => findDispatched(octokit, repo, snapshot.config.worker.workflow, mission, action.dispatch.feature, action.dispatch.try);
          const result = await dispatch(octokit, repo, snapshot.config.worker.workflow, input.defaultBranch, inputs, find);
          mission = recordDispatch(mission, action.dispatch.feature, action.dispatch.try, result, clock());
          if ("error" in result) {
            await commentOnce(octokit, repo, snapshot.tracking.number, `dispatch-failed:${action.dispatch.feature}:${action.dispatch.try}`, result.error);
          }
          dirty = true;
          writes++;
          break;
        }
        case "dispatch-validation": {
          const inputs = validationInputs(mission, action.milestone, action.nonce, input.defaultBranch);
          const find = () => findDispatched(octokit, repo, snapshot.config.validation.workflow, mission, `validate-${action.milestone}`, action.try);
          const result = await dispatch(octokit, repo, snapshot.config.validation.workflow, input.defaultBranch, inputs, find);
          mission = recordValidationDispatch(mission, action.milestone, action.try, result, clock());
          if ("error" in result) {
            await commentOnce(octokit, repo, snapshot.tracking.number, `validation-dispatch-failed:${action.milestone}:${action.try}`, result.error);
          }
          dirty = true;
          writes++;
          break;
        }
        case "cancel-run":
          try {
            await octokit.rest.actions.cancelWorkflowRun({ ...repo, run_id: action.runId });
          } catch (error) {
            if (!isStatus(error, 409, 404)) throw error; // 409: already finished
          }
          writes++;
          break;
        case "comment":
          if (await commentOnce(octokit, repo, resolve(action.on).number, action.key, action.body)) writes++;
          if (action.marks?.length) {
            // Posted (now or before): the alert is recorded as sent.
            mission = { ...mission, alerts_sent: [...new Set([...mission.alerts_sent, ...action.marks])] };
            dirty = true;
          }
          break;
        case "close-issue":
          await octokit.rest.issues.update({ ...repo, issue_number: resolve(action.ref).number, state: "closed", state_reason: action.reason });
          writes++;
          break;
        case "close-duplicate":
          await octokit.rest.issues.update({ ...repo, issue_number: action.number, state: "closed", state_reason: "duplicate" });
          await octokit.rest.issues.createComment({ ...repo, issue_number: action.number, body: action.comment, ...NO_RETRY });
          writes += 2;
          break;
        case "label": {
          const issue_number = resolve(action.on).number;
          if (action.add?.length) {
            await octokit.rest.issues.addLabels({ ...repo, issue_number, labels: action.add });
            writes++;
          }
          for (const name of action.remove ?? []) {
            try {
              await octokit.rest.issues.removeLabel({ ...repo, issue_number, name });
            } catch (error) {
              if (!isStatus(error, 404)) throw error; // not there: nothing to remove
            }
            writes++;
          }
          break;
        }
        case "update-dashboard":
          break; // always done below, once
      }
    }
  } catch (error) {
    // An action failed: the dispatches after it were not made (a failed dispatch records its own answer).
    withdrawFrom(decision.actions[at]?.kind.startsWith("dispatch-") ? at + 1 : at);
    throw error;
  } finally {
    // What is finished is never lost: commit the records made so far, even on an error.
    if (dirty) await commit(`mission ${mission.id}: record progress`);
  }
  if (decision.actions.length) {
    await writeDashboard(octokit, repo, snapshot.tracking.number, { mission, closed: closedKeys(known) });
  }
  return { mission, writes, complete, ...(sha ? { sha } : {}) };
}

export type DispatchResult = { runId: number; url?: string } | { runId?: undefined } | { error: string } | { notStarted: true };

/**
 * `workflow_dispatch` with `return_run_details`: the answer carries the run id.
 * A definite refusal (4xx) is reported; anything else leaves the run to be
 * found by its name, so a lost answer never dispatches twice.
 */
async function dispatch(
  octokit: Octokit,
  repo: RepoRef,
  workflow: string,
  ref: string,
  inputs: Record<string, string>,
  /** look for the run by its name, when the answer did not say whether it started */
  find: () => Promise<{ id: number; html_url?: string } | undefined>,
): Promise<DispatchResult> {
  try {
    const response = await octokit.request("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", {
      ...repo,
      workflow_id: workflow,
      ref,
      inputs,
      return_run_details: true,
      ...NO_RETRY,
    });
    const data = response.data as unknown as { workflow_run_id?: number; html_url?: string } | undefined;
    return data?.workflow_run_id ? { runId: data.workflow_run_id, ...(data.html_url ? { url: data.html_url } : {}) } : {};
  } catch (error) {
    const status = statusOf(error);
    // A rate limit refuses nothing: the run did not start; the next reconcile dispatches it.
    if (isRateLimited(error)) return { notStarted: true };
    if (status !== undefined && status >= 400 && status < 500) {
      const message = error instanceof Error ? error.message : String(error);
      return { error: `GitHub refused to start \`${workflow}\` (${status}): ${message}. Is the workflow on the default branch? \`npx mission-bot init\` writes it.` };
    }
    // 5xx or no answer: the run may exist. Look for it by name; if it is not there, it did not start.
    const run = await find().catch(() => undefined);
    if (run) return { runId: run.id, ...(run.html_url ? { url: run.html_url } : {}) };
    return { notStarted: true };
  }
}

/** The run a dispatch of `key` at try `attempt` would have started, looked up by its name. */
async function findDispatched(octokit: Octokit, repo: RepoRef, workflow: string, m: Mission, key: string, attempt: number) {
  const records = key.startsWith("validate-")
    ? m.plan?.milestones.find((ms) => `validate-${ms.key}` === key)?.validations
    : m.plan?.milestones.flatMap((ms) => ms.features).find((f) => f.key === key)?.runs;
  const record = records?.find((r) => r.try === attempt);
  return record ? findRunByNonce(octokit, repo, workflow, m.id, key, record) : undefined;
}

function recorded(m: Mission, ref: Ref): { number: number; id: number } | undefined {
  const [kind, key] = ref.split(":");
  for (const ms of m.plan?.milestones ?? []) {
    if (kind === "milestone" && ms.key === key) return ms.issue;
    const f = ms.features.find((x) => x.key === key);
    if (kind === "feature" && f) return f.issue;
  }
  return undefined;
}

/** Link a child under a parent; a child already under that parent is success. */
async function linkSubIssue(octokit: Octokit, repo: RepoRef, parent: number, child: { number: number; id: number }) {
  try {
    await octokit.rest.issues.addSubIssue({ ...repo, issue_number: parent, sub_issue_id: child.id });
  } catch (error) {
    if (!isStatus(error, 422)) throw error;
    const current = await octokit.rest.issues.getParent({ ...repo, issue_number: child.number }).catch(() => undefined);
    if (current?.data.number !== parent) throw error;
  }
}

/** Record "blocked is blocked by blocking"; an existing dependency is success. */
async function addBlockedBy(octokit: Octokit, repo: RepoRef, blocked: number, blockingId: number) {
  try {
    await octokit.rest.issues.addBlockedByDependency({ ...repo, issue_number: blocked, issue_id: blockingId });
  } catch (error) {
    if (!isStatus(error, 422)) throw error;
    const { data } = await octokit.rest.issues.listDependenciesBlockedBy({ ...repo, issue_number: blocked, per_page: 100 });
    if (!data.some((i) => i.id === blockingId)) throw error;
  }
}
