/**
 * The Actions routes of the twin's REST front door (see actions.ts for the
 * model): workflows, workflow_dispatch (with `return_run_details`),
 * repository_dispatch, runs (get, list with filters, cancel, force-cancel,
 * re-run) and a run's jobs.
 */
import type { RunState } from "./actions.js";
import { dateQuery } from "./actions.js";
import { actorUser, envelopePage, fail, json, notFound, repoOf, type Ctx, type Route, type TwinResponse } from "./respond.js";
import type { Json } from "./serialize.js";

function listWorkflows(c: Ctx): TwinResponse {
  const a = c.twin.actions;
  return envelopePage(c, "workflows", a.workflows(repoOf(c)).map((w) => a.workflowJson(w)));
}

function getWorkflow(c: Ctx): TwinResponse {
  const wf = c.twin.actions.workflow(repoOf(c), c.params.workflow_id!);
  return wf ? json(200, c.twin.actions.workflowJson(wf)) : notFound();
}

function dispatchWorkflow(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const b = c.body;
  if (typeof b.ref !== "string" || b.ref === "") return fail(422, "Invalid request.\n\n\"ref\" wasn't supplied.");
  const actor = actorUser(c);
  const result = c.twin.actions.dispatch(repo, c.params.workflow_id!, {
    ref: b.ref,
    ...(b.inputs && typeof b.inputs === "object" ? { inputs: b.inputs as Record<string, unknown> } : {}),
    actor,
  });
  if (!result.ok) return fail(result.status, result.message);
  if (b.return_run_details !== true) return json(204, undefined);
  const run = result.run;
  return json(200, {
    workflow_run_id: run.id,
    run_url: `${c.twin.urls.api}/repos/${repo.full_name}/actions/runs/${run.id}`,
    html_url: `${c.twin.urls.web}/${repo.full_name}/actions/runs/${run.id}`,
  });
}

function runParam(c: Ctx): RunState | undefined {
  const run = c.twin.actions.run(Number(c.params.run_id));
  return run && run.repo === c.repo ? run : undefined;
}

/**
 * POST /repos/{owner}/{repo}/dispatches: 204, and the repository_dispatch
 * workflows start (actions.ts `repositoryDispatch`).
 */
function repositoryDispatch(c: Ctx): TwinResponse {
  const eventType = c.body.event_type;
  if (typeof eventType !== "string" || eventType === "") return fail(422, 'Invalid request.\n\n"event_type" wasn\'t supplied.');
  const payload = c.body.client_payload && typeof c.body.client_payload === "object" ? (c.body.client_payload as Json) : {};
  c.twin.actions.repositoryDispatch(repoOf(c), eventType, payload, actorUser(c));
  return json(204, undefined);
}

function getRun(c: Ctx): TwinResponse {
  const run = runParam(c);
  return run ? json(200, c.twin.actions.runJson(run)) : notFound();
}

function listRuns(c: Ctx, workflow?: string): TwinResponse {
  const q = c.query;
  const created = q.get("created") ?? undefined;
  if (created !== undefined && !dateQuery(created)) return fail(422, `Invalid created parameter: ${created}`);
  const a = c.twin.actions;
  const runs = a
    .runs({
      repo: repoOf(c),
      ...(workflow !== undefined ? { workflow } : {}),
      ...(q.get("event") ? { event: q.get("event")! } : {}),
      ...(q.get("status") ? { status: q.get("status")! } : {}),
      ...(q.get("branch") ? { branch: q.get("branch")! } : {}),
      ...(q.get("actor") ? { actor: q.get("actor")! } : {}),
      ...(q.get("head_sha") ? { head_sha: q.get("head_sha")! } : {}),
      ...(created !== undefined ? { created } : {}),
    })
    .filter((r) => !q.get("check_suite_id") || String(r.check_suite_id) === q.get("check_suite_id"))
    // a dispatched run shows in the lists only seconds after the dispatch (TwinOptions.dispatchVisibilityMs)
    .filter((r) => r.visibleAt <= c.twin.now())
    .reverse(); // newest first, as GitHub lists them
  return envelopePage(c, "workflow_runs", runs.map((r) => a.runJson(r)));
}

function listWorkflowRuns(c: Ctx): TwinResponse {
  const wf = c.twin.actions.workflow(repoOf(c), c.params.workflow_id!);
  if (!wf) return notFound();
  return listRuns(c, String(wf.id));
}

function cancelRun(c: Ctx): TwinResponse {
  const run = runParam(c);
  if (!run) return notFound();
  if (!c.twin.actions.cancel(run.id)) return fail(409, "Cannot cancel a workflow run that is completed.");
  return json(202, {});
}

/** POST …/runs/{run_id}/rerun: 201 `{}` (actions.ts `rerun`). */
function rerunRun(c: Ctx): TwinResponse {
  const run = runParam(c);
  if (!run) return notFound();
  const err = c.twin.actions.rerun(run.id, actorUser(c));
  if (err) return fail(err.status, err.message);
  return json(201, {});
}

function listJobs(c: Ctx): TwinResponse {
  const run = runParam(c);
  if (!run) return notFound();
  const job = c.twin.actions.jobJson(run);
  return envelopePage(c, "jobs", job ? [job] : []);
}

const R = "/repos/{owner}/{repo}/actions";
const read: Pick<Route, "auth" | "perm"> = { auth: "token", perm: ["actions", "read"] };
const write: Pick<Route, "auth" | "perm" | "role"> = { auth: "token", perm: ["actions", "write"], role: "write" };

export const ACTIONS_ROUTES: ReadonlyArray<[string, Route]> = [
  [`GET ${R}/workflows`, { ...read, handler: listWorkflows }],
  [`GET ${R}/workflows/{workflow_id}`, { ...read, handler: getWorkflow }],
  [`POST ${R}/workflows/{workflow_id}/dispatches`, { ...write, handler: dispatchWorkflow }],
  [`GET ${R}/workflows/{workflow_id}/runs`, { ...read, handler: listWorkflowRuns }],
  [`GET ${R}/runs`, { ...read, handler: (c) => listRuns(c) }],
  [`GET ${R}/runs/{run_id}`, { ...read, handler: getRun }],
  [`POST ${R}/runs/{run_id}/cancel`, { ...write, handler: cancelRun }],
  [`POST ${R}/runs/{run_id}/force-cancel`, { ...write, handler: cancelRun }],
  [`POST ${R}/runs/{run_id}/rerun`, { ...write, handler: rerunRun }],
  // "GitHub Apps with both metadata:read and contents:read&write permissions" (REST docs "Create a repository dispatch event")
  [`POST /repos/{owner}/{repo}/dispatches`, { auth: "token", perm: ["contents", "write"], role: "write", handler: repositoryDispatch }],
  [`GET ${R}/runs/{run_id}/jobs`, { ...read, handler: listJobs }],
];
