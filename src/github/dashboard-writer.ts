/**
 * Write the dashboard region of the tracking issue. Re-reads the body just
 * before writing so the user's own edits are kept, and skips the write when
 * nothing changed. The dashboard is a view: nothing is ever read back from it.
 */
import type { Mission } from "../mission/model.js";
import { renderDashboard, mergeDashboard, dashboardChanged, dashboardRoom } from "../mission/markdown/dashboard.js";
import type { Octokit, RepoRef } from "./client.js";

export interface DashboardWrite {
  mission: Mission;
  /** keys of closed milestone and feature issues */
  closed?: ReadonlySet<string>;
  notices?: string[];
}

/** Returns true when the body was written. */
export async function writeDashboard(octokit: Octokit, repo: RepoRef, issueNumber: number, d: DashboardWrite): Promise<boolean> {
  const { data } = await octokit.rest.issues.get({ ...repo, issue_number: issueNumber });
  const current = data.body ?? "";
  const region = renderDashboard({
    mission: d.mission,
    closed: d.closed ?? new Set(),
    maxChars: dashboardRoom(current, d.mission.id),
    ...(d.notices?.length ? { notices: d.notices } : {}),
  });
  const body = mergeDashboard(current, d.mission.id, region);
  if (!dashboardChanged(current, body)) return false;
  await octokit.rest.issues.update({ ...repo, issue_number: issueNumber, body });
  return true;
}
