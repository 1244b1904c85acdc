/**
 * Whether a mission has work due: what the Actions pulse asks (read-only)
 * before it starts a command run for the mission. Work is any write the
 * decision would make, a plan to ask for, or a mission that just started —
 * except a mission.md commit that would only record what the bot saw of
 * runs still going (queued, then in progress, and when): every reconcile
 * sees that again from GitHub, and the next one with work records it. On
 * GITHUB_TOKEN's 1,000 requests an hour, a command run for that alone was
 * a third of a busy repository's requests (bench/github-token.bench.ts).
 */
import type { Decision, Snapshot } from "../mission/decision.js";
import type { Mission } from "../mission/model.js";
import { dashboardChanged, dashboardRoom, mergeDashboard, renderDashboard } from "../mission/markdown/dashboard.js";

export function hasWork(decision: Decision, s: Snapshot): boolean {
  if (decision.plan || decision.more) return true;
  if (decision.actions.some((a) => a.kind !== "update-dashboard" && a.kind !== "commit-mission")) return true;
  const m = decision.mission;
  if (!m || !decision.actions.length) return false;
  if (decision.actions.some((a) => a.kind === "commit-mission") && !(s.mission.kind === "found" && onlyObserved(s.mission.mission, m))) return true;
  const closed = new Set<string>();
  for (const [ref, issue] of s.loop?.issues ?? []) if (issue.state === "closed") closed.add(ref.slice(ref.indexOf(":") + 1));
  const region = renderDashboard({ mission: m, closed, maxChars: dashboardRoom(s.issue.body, m.id), serverUrl: s.where.serverUrl, stateBranch: s.where.stateBranch, config: s.config, history: s.history });
  return dashboardChanged(s.issue.body, mergeDashboard(s.issue.body, m.id, region));
}

/** The two missions differ only in what was seen of runs not yet completed (their status and when it changed). */
function onlyObserved(before: Mission, after: Mission): boolean {
  const strip = (m: Mission) =>
    JSON.stringify(m, (key, value: unknown) => {
      if ((key === "runs" || key === "validations") && Array.isArray(value))
        return value.map((r: { status?: string; updated_at?: string }) => (r.status === "completed" ? r : { ...r, status: "running", updated_at: undefined }));
      return value;
    });
  return strip(before) === strip(after);
}
