/**
 * The bot's comments: each answer carries a hidden marker, so a redelivered
 * command or a repeated report is posted once.
 */
import { replyMarker } from "../mission/markers.js";
import type { Mission } from "../mission/model.js";
import { encodeStateBlock } from "../mission/markdown/state-block.js";
import { NO_RETRY, type Octokit, type RepoRef } from "./client.js";

/** Every comment on the issue whose body contains `needle`, newest last. */
async function findComment(octokit: Octokit, repo: RepoRef, issue: number, needle: string) {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: issue, per_page: 100 });
  return comments.find((c) => c.body?.includes(needle));
}

export async function alreadyAnswered(octokit: Octokit, repo: RepoRef, issue: number, commentId: number): Promise<boolean> {
  return (await findComment(octokit, repo, issue, replyMarker(commentId))) !== undefined;
}

/** Answer a command comment; `state` rides along as a hidden block while the mission is a draft. */
export async function reply(octokit: Octokit, repo: RepoRef, issue: number, commentId: number, body: string, state?: Mission): Promise<void> {
  const hidden = [replyMarker(commentId), ...(state ? [encodeStateBlock(state)] : [])].join("\n");
  await octokit.rest.issues.createComment({ ...repo, issue_number: issue, body: `${body}\n\n${hidden}`, ...NO_RETRY });
}

/** Post a comment once per `key` (a hidden marker); later calls with the same key do nothing. */
export async function commentOnce(octokit: Octokit, repo: RepoRef, issue: number, key: string, body: string, state?: Mission): Promise<boolean> {
  const mark = `<!-- mission-bot:once:${key} -->`;
  if (await findComment(octokit, repo, issue, mark)) return false;
  const hidden = [mark, ...(state ? [encodeStateBlock(state)] : [])].join("\n");
  await octokit.rest.issues.createComment({ ...repo, issue_number: issue, body: `${body}\n\n${hidden}`, ...NO_RETRY });
  return true;
}

export async function reportInvalidState(
  octokit: Octokit,
  repo: RepoRef,
  issue: number,
  invalid: { id: string; where: string; problems: string[]; sha?: string },
): Promise<void> {
  const body = [
    `**mission-bot cannot read ${invalid.where}** (mission ${invalid.id}), so it has stopped working on this mission and has not changed the file.`,
    "",
    ...invalid.problems.map((p) => `- ${p}`),
    "",
    "Fix these fields in git; the bot picks the mission up again on the next event.",
  ].join("\n");
  await commentOnce(octokit, repo, issue, `invalid:${invalid.id}:${invalid.sha ?? "block"}`, body);
}
