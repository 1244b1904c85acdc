/**
 * Where a mission lives on GitHub, read only from places a person without
 * write access cannot forge:
 * - the tracking issue's `mission:<id>` label (labels need triage access) names the mission;
 * - before approval, the mission rides as a hidden state block in the bot's own
 *   replies (the newest one wins; only the bot and people with write access can edit them);
 * - from approval on, todo/missions/<id>/mission.md in git is the mission.
 * The tracking issue's body is the user's and the dashboard's: it is never read as state.
 */
import { LABELS, missionPath, type Mission } from "../mission/model.js";
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
  labels: string[];
}

export type LoadedMission =
  | { kind: "none" }
  | { kind: "draft"; mission: Mission }
  | { kind: "committed"; mission: Mission; sha: string }
  /** the state exists but does not validate: reported, never overwritten */
  | { kind: "invalid"; id: string; where: string; problems: string[]; sha?: string };

/** Who wrote a comment; the bot trusts state only in its own comments. */
export interface Author {
  login: string;
  type: string;
}

/** `botLogin` when known (e.g. "mission-bot[bot]"); otherwise any GitHub App bot is taken as the bot. */
export function isBot(author: Author | null | undefined, botLogin?: string): boolean {
  return !!author && author.type === "Bot" && (!botLogin || author.login === botLogin);
}

export async function readTrackingIssue(octokit: Octokit, repo: RepoRef, number: number): Promise<TrackingIssue> {
  const { data } = await octokit.rest.issues.get({ ...repo, issue_number: number });
  return {
    number: data.number,
    id: data.id,
    title: data.title,
    body: data.body ?? "",
    state: data.state === "closed" ? "closed" : "open",
    labels: data.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))),
  };
}

const MISSION_LABEL = /^mission:(m-\d{8}-[a-z0-9-]+)$/;

/** The mission the tracking issue's label names, if any. */
export function missionIdOf(tracking: Pick<TrackingIssue, "labels">): string | undefined {
  for (const label of tracking.labels) {
    const match = MISSION_LABEL.exec(label);
    if (match) return match[1];
  }
  return undefined;
}

export async function loadMission(
  octokit: Octokit,
  repo: RepoRef,
  tracking: TrackingIssue,
  branch: string | undefined,
  botLogin?: string,
): Promise<LoadedMission> {
  const id = missionIdOf(tracking);
  if (!id) return { kind: "none" };
  const path = missionPath(id);
  const file = await readFile(octokit, repo, path, branch);
  if (file) {
    const parsed = parseMissionFile(file.text);
    if (!parsed.ok) return { kind: "invalid", id, where: path, problems: parsed.problems, sha: file.sha };
    const belongs = belongsHere(parsed.mission, id, tracking.number);
    if (belongs) return { kind: "invalid", id, where: path, problems: [belongs], sha: file.sha };
    return { kind: "committed", mission: parsed.mission, sha: file.sha };
  }
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: tracking.number, per_page: 100 });
  for (const comment of [...comments].reverse()) {
    if (!isBot(comment.user, botLogin)) continue;
    const block = decodeStateBlock(comment.body ?? "");
    if (!block.found) continue;
    if (!block.ok) return { kind: "invalid", id, where: `the bot's comment ${comment.html_url}`, problems: block.problems };
    if (block.mission.id !== id) continue;
    const belongs = belongsHere(block.mission, id, tracking.number);
    if (belongs) return { kind: "invalid", id, where: `the bot's comment ${comment.html_url}`, problems: [belongs] };
    return { kind: "draft", mission: block.mission };
  }
  return { kind: "none" };
}

function belongsHere(m: Mission, id: string, issue: number): string | undefined {
  if (m.id !== id) return `id: the file describes mission ${m.id}, not ${id}`;
  if (m.tracking_issue !== issue) return `tracking_issue: the mission is tracked on #${m.tracking_issue}, not on #${issue}`;
  return undefined;
}

export async function loadConfig(octokit: Octokit, repo: RepoRef, ref?: string): Promise<ConfigResult & { sha?: string }> {
  const file = await readFile(octokit, repo, CONFIG_PATH, ref);
  return { ...parseConfig(file?.text ?? null), ...(file ? { sha: file.sha } : {}) };
}

/** The labels that make an issue a mission's tracking issue. */
export function trackingLabels(id: string): string[] {
  return [LABELS.mission, LABELS.forMission(id)];
}
