/**
 * Where a mission lives on GitHub: before approval, in a hidden state block
 * in the tracking issue's dashboard; from approval on, in
 * todo/missions/<id>/mission.md (which wins when both exist).
 */
import { firstMarker } from "../mission/markers.js";
import { missionPath, type Mission } from "../mission/model.js";
import { parseConfig, CONFIG_PATH, type ConfigResult } from "../mission/config.js";
import { decodeStateBlock } from "../mission/markdown/state-block.js";
import { parseMissionFile } from "../mission/markdown/mission-file.js";
import type { Octokit, RepoRef } from "./client.js";
import { readFile } from "./repo-files.js";

export interface TrackingIssue {
  number: number;
  id: number;
  title: string;
  body: string;
  state: "open" | "closed";
}

export type LoadedMission =
  | { kind: "none" }
  | { kind: "draft"; mission: Mission }
  | { kind: "committed"; mission: Mission; sha: string }
  /** the state exists but does not validate: reported, never overwritten */
  | { kind: "invalid"; id: string; where: string; problems: string[]; sha?: string };

export async function readTrackingIssue(octokit: Octokit, repo: RepoRef, number: number): Promise<TrackingIssue> {
  const { data } = await octokit.rest.issues.get({ ...repo, issue_number: number });
  return {
    number: data.number,
    id: data.id,
    title: data.title,
    body: data.body ?? "",
    state: data.state === "closed" ? "closed" : "open",
  };
}

/** The mission id the tracking issue's dashboard names, if any. */
export function missionIdOf(body: string): string | undefined {
  return firstMarker(body, "dashboard")?.mission;
}

export async function loadMission(
  octokit: Octokit,
  repo: RepoRef,
  tracking: TrackingIssue,
  branch: string | undefined,
): Promise<LoadedMission> {
  const id = missionIdOf(tracking.body);
  if (!id) return { kind: "none" };
  const path = missionPath(id);
  const file = await readFile(octokit, repo, path, branch);
  if (file) {
    const parsed = parseMissionFile(file.text);
    if (!parsed.ok) return { kind: "invalid", id, where: path, problems: parsed.problems, sha: file.sha };
    return { kind: "committed", mission: parsed.mission, sha: file.sha };
  }
  const block = decodeStateBlock(tracking.body);
  if (!block.found) return { kind: "none" };
  if (!block.ok) return { kind: "invalid", id, where: `the state block of #${tracking.number}`, problems: block.problems };
  return { kind: "draft", mission: block.mission };
}

export async function loadConfig(octokit: Octokit, repo: RepoRef, ref?: string): Promise<ConfigResult & { sha?: string }> {
  const file = await readFile(octokit, repo, CONFIG_PATH, ref);
  return { ...parseConfig(file?.text ?? null), ...(file ? { sha: file.sha } : {}) };
}
