/**
 * When the loop lists the mission folder again (README "The mission folder"):
 * only a worker's patch adds to it. A report says whether its patch touched
 * the folder (`mission_folder`, set by the apply job from the paths it
 * committed, never by the model); a report that does not say (an older
 * worker workflow, a malformed report) counts as touching it. Trust: a
 * report that lies can only leave the folder's index stale until the next
 * report that says yes; the index is what the dashboard and the planner
 * list, never a fact the mission's state is decided on. Pure.
 */
import type { CloseFact, FoundReport } from "../decision.js";
import type { Mission } from "../model.js";
import { missionFolder } from "./model.js";

/** Whether a commit of these paths (repository-relative) changes the mission's folder. */
export function touchesMissionFolder(paths: readonly string[], missionId: string): boolean {
  const folder = `${missionFolder(missionId)}/`;
  return paths.some((p) => p.startsWith(folder));
}

/**
 * Read again when never read, when a report whose patch may have touched the folder came in, or (Full mode:
 * the folder is on the default branch) when a feature's issue closed, which a merged pull request does.
 */
export function folderWorthReading(m: Mission, facts: { reports: readonly FoundReport[]; closes: readonly CloseFact[] }): boolean {
  if (!m.folder) return true;
  if (facts.reports.some((r) => !r.result.ok || r.result.report.mission_folder !== false)) return true;
  return m.mode === "full" && facts.closes.length > 0;
}
