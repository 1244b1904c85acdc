/**
 * Whether a mission has work due: what the Actions pulse asks (read-only)
 * before it starts a command run for the mission. Work is any write the
 * decision would make, a plan to ask for, or a mission that just started.
 */
import type { Decision, Snapshot } from "../mission/decision.js";
import { dashboardChanged, dashboardRoom, mergeDashboard, renderDashboard } from "../mission/markdown/dashboard.js";

export function hasWork(decision: Decision, s: Snapshot): boolean {
  if (decision.plan || decision.more) return true;
  if (decision.actions.some((a) => a.kind !== "update-dashboard")) return true;
  const m = decision.mission;
  if (!m || !decision.actions.length) return false;
  const closed = new Set<string>();
  for (const [ref, issue] of s.loop?.issues ?? []) if (issue.state === "closed") closed.add(ref.slice(ref.indexOf(":") + 1));
  const region = renderDashboard({ mission: m, closed, maxChars: dashboardRoom(s.issue.body, m.id), serverUrl: s.where.serverUrl, stateBranch: s.where.stateBranch });
  return dashboardChanged(s.issue.body, mergeDashboard(s.issue.body, m.id, region));
}
