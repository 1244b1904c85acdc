/**
 * Simulated Actions runners for the in-process harness: when GitHub queues
 * a run of the worker workflow, the "worker" does its feature, posts its
 * report as github-actions[bot] and closes the feature issue (POC); a run
 * of the validation workflow reports that the milestone passes. What the
 * report Actions would post, through the report formats the app reads.
 */
import type { GitHubTwin } from "../../src/twin/state.js";
import type { RunState } from "../../src/twin/actions.js";
import { renderReportComment } from "../../src/mission/markdown/report-comment.js";
import { WorkerReport } from "../../src/mission/workers/report.js";
import { ValidationReport, encodeValidationReport, groupFailures } from "../../src/mission/validation/validation.js";
import { renderValidationComment } from "../../src/mission/markdown/validation-comment.js";

export const ACTIONS_BOT = "github-actions[bot]";

export interface RunnerPlay {
  /** USD a worker run reports (default $2) */
  cost?: (feature: string) => number;
  /** runs of the worker workflow a test finishes itself (default none) */
  manual?: (run: RunState, inputs: Readonly<Record<string, string>>) => boolean;
}

/** Runs picked up by the simulated runners, in order. */
export interface Runners {
  readonly workers: RunState[];
  readonly validations: RunState[];
  stop(): void;
}

export function simulateRunners(twin: GitHubTwin, play: RunnerPlay = {}): Runners {
  const workers: RunState[] = [];
  const validations: RunState[] = [];
  const stop = twin.onQueued((run, inputs) => {
    if (run.workflow.path.endsWith("mission-worker.yml")) {
      workers.push(run);
      if (!play.manual?.(run, inputs)) finishWorker(twin, run, inputs, play.cost?.(inputs.feature!) ?? 2);
    } else if (run.workflow.path.endsWith("mission-validate.yml")) {
      validations.push(run);
      passValidation(twin, run, inputs);
    }
  });
  return { workers, validations, stop };
}

/** A worker run that did its feature: started, reported, its feature closed, completed. */
export function finishWorker(twin: GitHubTwin, run: RunState, inputs: Readonly<Record<string, string>>, costUsd = 2): void {
  if (run.status === "queued") twin.actions.start(run.id);
  const report = WorkerReport.parse({
    mission: inputs.mission,
    feature: inputs.feature,
    run_id: run.id,
    run_attempt: run.run_attempt,
    outcome: "success",
    summary: `Implemented feature ${inputs.feature}.`,
    branch: inputs.branch,
    model: inputs.model,
    tokens_in: 400_000,
    tokens_out: 60_000,
    cost_usd: costUsd,
    duration_seconds: 900,
    actions_minutes: 15,
  });
  const issue = Number(inputs.issue);
  twin.as(ACTIONS_BOT).comment(issue, renderReportComment(report));
  if (twin.issue(issue).state === "open") twin.as(ACTIONS_BOT).closeIssue(issue, "completed");
  twin.actions.complete(run.id, "success");
}

/** A validation run whose checks all pass. */
export function passValidation(twin: GitHubTwin, run: RunState, inputs: Readonly<Record<string, string>>): void {
  twin.actions.start(run.id);
  const report = ValidationReport.parse({
    mission: inputs.mission,
    milestone: inputs.milestone,
    run_id: run.id,
    run_attempt: run.run_attempt,
    ref: inputs.ref,
    commit: run.head_sha,
    commands: [{ name: "test", command: "npm test", passed: true, exit_code: 0, duration_seconds: 30, output_tail: "Tests 12 passed" }],
    failures: [],
    tests_total: 12,
  });
  const text = renderValidationComment(report, groupFailures(report), { attempt: 1, maxFailures: 3 });
  twin.as(ACTIONS_BOT).comment(Number(inputs.issue), `${text}\n\n${encodeValidationReport(report)}`);
  twin.actions.complete(run.id, "success");
}
