/**
 * Workflow runs as the loop sees them, and finding one by the name the bot
 * gave it, for dispatches whose answer was lost.
 */
import type { RunConclusion, RunRecord } from "../mission/model.js";
import { runName, runNonce, type ObservedRun } from "../mission/workers/workers.js";
import { isStatus, type Octokit, type RepoRef } from "./client.js";

/** The run of `workflow` named for this mission, key ("1.2" or "validate-1") and record, if GitHub has it. */
export async function findRunByNonce(
  octokit: Octokit,
  repo: RepoRef,
  workflow: string,
  missionId: string,
  key: string,
  r: RunRecord,
): Promise<ObservedRun | undefined> {
  // Newest first: a run dispatched minutes ago is on the first page.
  let data;
  try {
    ({ data } = await octokit.rest.actions.listWorkflowRuns({ ...repo, workflow_id: workflow, event: "workflow_dispatch", per_page: 100 }));
  } catch (error) {
    if (isStatus(error, 404)) return undefined; // no such workflow: the dispatch cannot have started
    throw error;
  }
  const title = runName(missionId, key, runNonce(r));
  const run = data.workflow_runs.find((w) => w.display_title === title);
  return run ? observedRun(run) : undefined;
}

/** The fields of a workflow run (REST's run object, in any list or read) the loop goes by. */
export interface RunFields {
  id: number;
  status: string | null;
  conclusion: string | null;
  updated_at: string;
  html_url: string;
  run_attempt?: number | undefined;
}

export function observedRun(run: RunFields): ObservedRun {
  return {
    id: run.id,
    status: run.status ?? "queued",
    conclusion: (run.conclusion ?? null) as RunConclusion | null,
    updated_at: run.updated_at,
    html_url: run.html_url,
    ...(run.run_attempt ? { run_attempt: run.run_attempt } : {}),
  };
}
