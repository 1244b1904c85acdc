/** Plain mission values for unit tests. */
import { Config, Mission, Plan } from "../../src/mission/model.js";
import { recordIssue } from "../../src/mission/plan/materialise.js";
import { reconcile } from "../../src/mission/reconcile.js";
import { DEFAULT_STATE_BRANCH } from "../../src/mission/model.js";
import type { Action, CloseFact, FoundIssue, LoopFacts, Ref, Snapshot } from "../../src/mission/decision.js";

/** The branch mission.md files live on (the default `state_branch`). */
export const STATE_BRANCH = DEFAULT_STATE_BRANCH;

export const config = Config.parse({});

export function plan(shape: number[] = [2, 2, 2], deps: Record<string, string[]> = {}): Plan {
  return Plan.parse({
    source: "outline",
    milestones: shape.map((features, i) => ({
      key: String(i + 1),
      title: `Milestone ${i + 1}`,
      description: "",
      features: Array.from({ length: features }, (_, j) => {
        const key = `${i + 1}.${j + 1}`;
        return { key, title: `Feature ${key}`, description: `Build ${key}`, acceptance: [`${key} works`], size: "M" as const, depends_on: deps[key] ?? [] };
      }),
    })),
  });
}

export function mission(overrides: Partial<Mission> = {}): Mission {
  return Mission.parse({
    id: "m-20261124-crm-7",
    title: "Build a CRM",
    goal: "Build a CRM with contacts, deals and email",
    status: "scoping",
    repo: "octo/crm",
    tracking_issue: 7,
    created: "2026-11-24T09:00:00Z",
    created_by: "alice",
    budget: {},
    models: config.models,
    ...overrides,
  });
}

/** A mission whose interview is complete. */
export function answered(overrides: Partial<Mission> = {}): Mission {
  return mission({
    mode: "poc",
    budget: { hours: 40, usd: 500, tokens: 50_000_000, alerts: [0.5, 0.8, 1], hard_stop: "finish" },
    constraints: [],
    preferences: {},
    ...overrides,
  });
}

/** The mission with every milestone and feature issue recorded (numbers 10, 11, … in plan order). */
export function withIssues(m: Mission): Mission {
  let next = m;
  let n = 10;
  for (const ms of m.plan?.milestones ?? []) {
    next = recordIssue(next, `milestone:${ms.key}`, { number: n, id: n * 1000 });
    n++;
    for (const f of ms.features) {
      next = recordIssue(next, `feature:${f.key}`, { number: n, id: n * 1000 });
      n++;
    }
  }
  return next;
}

/** What a unit test may say about GitHub around a running mission (the loop's facts, and the tracking issue's labels). */
export interface SnapshotOver extends Partial<Omit<LoopFacts, "closes">> {
  closed?: readonly string[];
  tracking?: { number: number; id: number; labels: string[] };
  now?: string;
  history?: Snapshot["history"];
  config?: Snapshot["config"];
  commands?: Snapshot["commands"];
  botComments?: Snapshot["botComments"];
}

/**
 * What GitHub shows for a mission: milestone issues open, the features in
 * `closed` closed (by the bot: they count as done), the others open. A
 * feature without a recorded issue (a fix feature not yet materialised) has
 * none, unless it is listed in `closed`.
 */
export function snapshotOf(m: Mission, over: SnapshotOver = {}): Snapshot {
  const { closed = [], tracking = { number: 7, id: 7000, labels: ["mission", "mission:m-20261124-crm-7"] }, now = "2026-11-24T12:00:00.000Z", ...rest } = over;
  const issues = new Map<Ref, FoundIssue>();
  const closes: CloseFact[] = [];
  let extra = 100;
  for (const ms of m.plan?.milestones ?? []) {
    if (ms.issue) issues.set(`milestone:${ms.key}`, { ...ms.issue, state: "open", labels: ["mission:m-20261124-crm-7", "mission:milestone"] });
    for (const f of ms.features) {
      if (!f.issue && !closed.includes(f.key)) continue;
      const issue = f.issue ?? { number: extra, id: extra++ * 1000 };
      const isClosed = closed.includes(f.key);
      issues.set(`feature:${f.key}`, { ...issue, state: isClosed ? "closed" : "open", labels: ["mission:m-20261124-crm-7", "mission:feature"] });
      if (isClosed && !f.done) closes.push({ feature: f.key, by: "mission-bot[bot]", counts: true });
    }
  }
  const labels = tracking.labels.includes(`mission:${m.id}`) ? tracking.labels : [...tracking.labels, `mission:${m.id}`];
  return {
    where: { repo: m.repo, defaultBranch: "main", stateBranch: STATE_BRANCH, botLogin: "mission-bot[bot]", reportLogins: ["mission-bot[bot]", "github-actions[bot]"], serverUrl: "https://github.com" },
    config: over.config ?? config,
    now,
    issue: { number: tracking.number, id: tracking.id, title: m.title, body: "", state: "open", labels, isPullRequest: false, author: { login: "alice", type: "User" }, created_at: m.created },
    mission: { kind: "found", mission: m, sha: "0".repeat(40) },
    commands: over.commands ?? [],
    botComments: over.botComments ?? [],
    history: over.history ?? [],
    loop: {
      issues,
      duplicates: rest.duplicates ?? [],
      runs: rest.runs ?? new Map(),
      runsByNonce: rest.runsByNonce ?? new Map(),
      reports: rest.reports ?? [],
      validationReports: rest.validationReports ?? [],
      closes,
    },
  };
}

/** reconcile for a mission that exists: its decision always carries the mission. */
export function reconcileRunning(s: Snapshot): { mission: Mission; actions: Action[] } {
  const d = reconcile(s);
  if (!d.mission) throw new Error("the decision lost the mission");
  return { mission: d.mission, actions: d.actions };
}
