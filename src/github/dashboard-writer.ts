/**
 * Write the dashboard region of the tracking issue. Re-reads the body just
 * before writing so the user's own edits are kept, and skips the write when
 * nothing changed.
 */
import type { Mission } from "../mission/model.js";
import { renderDashboard, mergeDashboard, dashboardChanged, dashboardRoom } from "../mission/markdown/dashboard.js";
import { encodeStateBlock } from "../mission/markdown/state-block.js";
import type { Octokit, RepoRef } from "./client.js";

export interface DashboardWrite {
  mission: Mission;
  /** keys of closed milestone and feature issues */
  closed?: ReadonlySet<string>;
  /** before approval the mission itself rides in the dashboard as a hidden state block */
  draft: boolean;
  notices?: string[];
}

/** Returns true when the body was written. */
export async function writeDashboard(octokit: Octokit, repo: RepoRef, issueNumber: number, d: DashboardWrite): Promise<boolean> {
  const { data } = await octokit.rest.issues.get({ ...repo, issue_number: issueNumber });
  const region = renderDashboard({
    mission: d.mission,
    closed: d.closed ?? new Set(),
    maxChars: dashboardRoom(data.body ?? "", d.mission.id),
    ...(d.draft ? { stateBlock: encodeStateBlock(d.mission) } : {}),
    ...(d.notices?.length ? { notices: d.notices } : {}),
  });
  const body = mergeDashboard(data.body ?? "", d.mission.id, region);
  if (!dashboardChanged(data.body ?? "", body)) return false;
  await octokit.rest.issues.update({ ...repo, issue_number: issueNumber, body });
  return true;
}
