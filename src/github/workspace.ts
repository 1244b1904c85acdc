/**
 * Apply's writes for the mission folder: a drafted agent's file on the
 * state branch (through the contents API, like mission.md), and the pull
 * request that promotes an agent to `worker.agents_folder` on the default
 * branch (a branch from the default branch's head, the file on it, the pull
 * request through the hand-over's path). Called only from apply.ts.
 */
import type { Mission } from "../mission/model.js";
import type { Where } from "../mission/decision.js";
import { agentPath, type AgentRecord } from "../mission/workspace/model.js";
import { readAgentFile, renderAgentFile } from "../mission/workspace/files.js";
import { promotionBranch, promotionPullRequest } from "../mission/workspace/promote.js";
import { ConflictError, isStatus, messageOf, type Octokit, type RepoRef } from "./client.js";
import { readFile, writeFile } from "./repo-files.js";

/** Write the drafted agent's file; one that is there already (a lost answer, a person's edit) is kept. */
export async function writeAgentFile(octokit: Octokit, repo: RepoRef, where: Where, m: Mission, a: AgentRecord): Promise<void> {
  try {
    await writeFile(octokit, repo, {
      path: agentPath(m.id, a.name),
      text: renderAgentFile(m.id, a),
      message: `mission ${m.id}: draft agent ${a.name} [skip ci]`,
      branch: where.stateBranch,
      defaultBranch: where.defaultBranch,
    });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}

export type Promotion = { ok: true; pull_request: number; url: string } | { ok: false; refused: string } | { ok: "open-pr"; head: string; title: string; body: string };

/**
 * Put the agent on a branch of its own, ready for a pull request (opened by the caller through the
 * hand-over's path). The agent is read from the state branch as it is now (people may have edited it),
 * validated, and written with status `promoted`; a file that does not validate is refused with why.
 */
export async function preparePromotion(octokit: Octokit, repo: RepoRef, where: Where, m: Mission, a: AgentRecord, folder: string): Promise<Promotion> {
  const current = await readFile(octokit, repo, agentPath(m.id, a.name), where.stateBranch);
  if (!current) return { ok: false, refused: `${agentPath(m.id, a.name)} is not on ${where.stateBranch}` };
  const read = readAgentFile(current.text);
  if (!read.ok) return { ok: false, refused: read.problems.join("; ").slice(0, 500) };
  const text = current.text.replace(/^(---[\s\S]*?\n)status:\s*draft[ \t]*\n/, "$1status: promoted\n");
  const head = promotionBranch(m, a.name);
  const { data: base } = await octokit.rest.git.getRef({ ...repo, ref: `heads/${where.defaultBranch}` });
  try {
    await octokit.rest.git.createRef({ ...repo, ref: `refs/heads/${head}`, sha: base.object.sha });
  } catch (error) {
    if (!(isStatus(error, 422) && /already exists/i.test(messageOf(error)))) throw error;
  }
  const path = `${folder}/${a.name}.md`;
  const there = await readFile(octokit, repo, path, head);
  if (there?.text !== text) {
    await writeFile(octokit, repo, {
      path,
      text,
      message: `Mission agent ${a.name}, from mission ${m.id}`,
      ...(there ? { sha: there.sha } : {}),
      branch: head,
      defaultBranch: where.defaultBranch,
    });
  }
  return { ok: "open-pr", head, ...promotionPullRequest(m, a, folder) };
}
