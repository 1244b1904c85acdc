/**
 * Completed missions already in a repository, as the bot leaves them: the
 * mission.md on the state branch says `completed` and has its ledger, the
 * tracking issue carries `mission`, `mission:<id>` and `mission:completed`.
 * The forecast history reads them (src/github/history.ts).
 */
import { COMPLETED } from "../../src/mission/advance.js";
import { renderMissionFile } from "../../src/mission/markdown/mission-file.js";
import { LABELS, missionPath, type Mission } from "../../src/mission/model.js";
import type { GitHubTwin } from "../../src/twin/state.js";
import { TEST_EPOCH, testMissionId } from "./clock.js";
import { answered, plan, STATE_BRANCH } from "./missions.js";

/** A completed mission whose every feature was worked once (so each is a point of history). */
export function completedMission(id: string, tracking: number, repo: string, shape: number[] = [2, 2]): Mission {
  const p = plan(shape);
  const at = new Date(TEST_EPOCH).toISOString();
  const ledger = p.milestones.flatMap((m) =>
    m.features.map((f, i) => ({ key: `run-${tracking}${i}-${f.key}`, kind: "worker" as const, feature: f.key, model: "claude-sonnet-5-5", tokens_in: 400_000 + tracking * 1000, tokens_out: 20_000, cost_micros: 1_500_000, wall_seconds: 1800 + i * 600, actions_minutes: 30, at })),
  );
  return answered({ id, tracking_issue: tracking, status: "completed", repo, plan: p, ledger });
}

/** Seed `count` completed missions in the twin's repository (its tracking issues opened by `by`, labelled and files written by `bot`). */
export function seedCompletedMissions(twin: GitHubTwin, count: number, opts: { repo: string; by: string; bot: string; shape?: number[] }): Mission[] {
  const out: Mission[] = [];
  for (let i = 0; i < count; i++) {
    const tracking = twin.as(opts.by, opts.repo).createIssue({ title: `Done ${i + 1}`, body: "A finished goal." }).number;
    const id = testMissionId(`done${i + 1}`, tracking);
    const mission = completedMission(id, tracking, opts.repo, opts.shape);
    twin.writeFile(missionPath(id), renderMissionFile(mission), { repo: opts.repo, author: opts.bot, message: `mission ${id}: completed [skip ci]`, branch: STATE_BRANCH });
    twin.as(opts.bot, opts.repo).addLabels(tracking, [LABELS.mission, LABELS.forMission(id), COMPLETED]);
    out.push(mission);
  }
  return out;
}
