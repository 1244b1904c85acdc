/**
 * The inputs mission-bot sends when it dispatches a worker or a validation
 * run, asked of the code that sends them (workerInputs, validationInputs)
 * with a sample mission, so `mission-bot doctor` checks a repository's
 * workflows against what the bot really sends.
 */
import { validationInputs, workerInputs } from "../mission/workers/dispatch.js";
import { Mission } from "../mission/model.js";

function sampleMission(): Mission {
  return Mission.parse({
    id: "m-20260101-sample-1",
    title: "Sample",
    goal: "A sample mission",
    status: "active",
    repo: "owner/repo",
    tracking_issue: 1,
    created: "2026-01-01T00:00:00Z",
    created_by: "someone",
    mode: "poc",
    budget: { usd: 10 },
    models: { planner: "p", worker: "w" },
    plan: {
      source: "outline",
      milestones: [
        {
          key: "1",
          title: "Milestone",
          issue: { number: 2, id: 2 },
          criteria: [{ command: "npm run e2e" }],
          features: [{ key: "1.1", title: "Feature", size: "S", issue: { number: 3, id: 3 } }],
        },
      ],
    },
  });
}

/** Every input name each workflow is sent; optional inputs (a per-run cost cap) included. */
export function dispatchInputNames(): { worker: string[]; validation: string[] } {
  const m = sampleMission();
  const worker = workerInputs(
    m,
    { feature: "1.1", try: 1, issue: 3, nonce: "n", limits: { max_turns: 1, timeout_minutes: 1, max_cost_usd: 1 } },
  );
  const validation = validationInputs(m, "1", "n", "main");
  return { worker: Object.keys(worker).sort(), validation: Object.keys(validation).sort() };
}
