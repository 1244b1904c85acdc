/**
 * Read what GitHub says about one mission's issues, in as few requests as
 * possible: one paginated list of the issues labelled `mission:<id>`.
 */
import { findMarkers } from "../mission/markers.js";
import { LABELS } from "../mission/model.js";
import type { FoundIssue, Ref } from "../mission/reconcile.js";
import type { Octokit, RepoRef } from "./client.js";

export async function missionIssues(octokit: Octokit, repo: RepoRef, missionId: string): Promise<Map<Ref, FoundIssue>> {
  const issues = await octokit.paginate(octokit.rest.issues.listForRepo, {
    ...repo,
    labels: LABELS.forMission(missionId),
    state: "all",
    per_page: 100,
  });
  const found = new Map<Ref, FoundIssue>();
  // Oldest first: if an issue was ever created twice, the first one is the mission's.
  for (const issue of [...issues].sort((a, b) => a.number - b.number)) {
    if (issue.pull_request) continue;
    for (const m of findMarkers(issue.body)) {
      if (m.mission !== missionId || (m.kind !== "milestone" && m.kind !== "feature")) continue;
      const ref = `${m.kind}:${m.key}` as Ref;
      if (!found.has(ref)) {
        found.set(ref, { number: issue.number, id: issue.id, state: issue.state === "closed" ? "closed" : "open" });
      }
    }
  }
  return found;
}

/** Keys of closed milestone and feature issues ("1", "1.2"), for the dashboard. */
export function closedKeys(issues: ReadonlyMap<Ref, FoundIssue>): Set<string> {
  const closed = new Set<string>();
  for (const [ref, issue] of issues) if (issue.state === "closed") closed.add(ref.slice(ref.indexOf(":") + 1));
  return closed;
}
