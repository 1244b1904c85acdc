/**
 * Files in the repository through the contents API, with the blob sha as
 * the precondition of every write: a stale sha is a conflict, never an
 * overwrite. The state branch is created on first use as a branch of its own
 * (no parent, no workflows), so committing state starts no CI.
 */
import { ConflictError, isStatus, messageOf, RefusedError, type Octokit, type RepoRef } from "./client.js";

export interface RepoFile {
  text: string;
  sha: string;
}

export async function readFile(octokit: Octokit, repo: RepoRef, path: string, ref?: string): Promise<RepoFile | null> {
  try {
    const { data } = await octokit.rest.repos.getContent({ ...repo, path, ...(ref ? { ref } : {}) });
    if (Array.isArray(data) || data.type !== "file" || !("content" in data)) return null;
    // Over 1 MB the contents API answers with no content ("encoding": "none"): the blob API has it.
    // https://docs.github.com/en/rest/repos/contents#get-repository-content
    if (data.encoding === "none" || (!data.content && data.size > 0)) {
      const blob = await octokit.rest.git.getBlob({ ...repo, file_sha: data.sha });
      return { text: Buffer.from(blob.data.content, "base64").toString("utf8"), sha: data.sha };
    }
    return { text: Buffer.from(data.content, "base64").toString("utf8"), sha: data.sha };
  } catch (error) {
    if (isStatus(error, 404)) return null;
    throw error;
  }
}

/** Names of the entries of a folder (empty when it does not exist). */
export async function listFolder(octokit: Octokit, repo: RepoRef, path: string, ref?: string): Promise<{ name: string; type: string }[]> {
  try {
    const { data } = await octokit.rest.repos.getContent({ ...repo, path, ...(ref ? { ref } : {}) });
    return Array.isArray(data) ? data.map((e) => ({ name: e.name, type: e.type })) : [];
  } catch (error) {
    if (isStatus(error, 404)) return [];
    throw error;
  }
}

export interface FileWrite {
  path: string;
  text: string;
  message: string;
  /** the blob sha the write expects to replace; absent: the file must not exist */
  sha?: string;
  branch: string;
  /** the repository's default branch: a missing `branch` other than it is created on first use */
  defaultBranch: string;
}

/**
 * Write a file with its sha as precondition. Throws ConflictError when the
 * file changed (or appeared) meanwhile, RefusedError when a branch rule or
 * ruleset refuses the commit (say so, do not retry).
 */
export async function writeFile(octokit: Octokit, repo: RepoRef, file: FileWrite): Promise<string> {
  try {
    return await putFile(octokit, repo, file);
  } catch (error) {
    if (!missingBranch(error) || file.branch === file.defaultBranch) throw classify(error, file);
    try {
      await createStateBranch(octokit, repo, file.branch);
    } catch (creating) {
      throw classify(creating, file);
    }
    try {
      return await putFile(octokit, repo, file);
    } catch (again) {
      throw classify(again, file);
    }
  }
}

async function putFile(octokit: Octokit, repo: RepoRef, file: FileWrite): Promise<string> {
  const { data } = await octokit.rest.repos.createOrUpdateFileContents({
    ...repo,
    path: file.path,
    message: file.message,
    content: Buffer.from(file.text, "utf8").toString("base64"),
    ...(file.sha ? { sha: file.sha } : {}),
    branch: file.branch,
  });
  return data.content?.sha ?? "";
}

function missingBranch(error: unknown): boolean {
  return isStatus(error, 404, 422) && /branch/i.test(messageOf(error)) && /not found|does not exist|no commit/i.test(messageOf(error));
}

/**
 * A refused commit is told apart from a conflict: a stale sha answers 409,
 * and so do branch protection ("Changes must be made through a pull
 * request.", `Required status check "ci" is expected.`) and rulesets
 * ("Repository rule violations found"), also on creating the branch
 * (kevgo/prettifier#28; satisfactory-factories/application#67; pushes say
 * GH006 / GH013). A refusal is for a person to lift, never retried as a
 * conflict. https://docs.github.com/en/rest/repos/contents#create-or-update-file-contents
 */
const RULE_REFUSAL = /rule violation|protected branch|status checks? .*(expected|required)|through a pull request|review|cannot update this protected ref|GH00[36]|GH013/i;

function classify(error: unknown, file: FileWrite): unknown {
  const message = messageOf(error);
  if (isStatus(error, 409, 422, 403) && RULE_REFUSAL.test(message)) {
    return new RefusedError(`GitHub refused to commit ${file.path} to ${file.branch}: ${message.split("\n")[0]}`, error);
  }
  // 409: the sha is stale; 422 without a sha: the file appeared meanwhile.
  if (isStatus(error, 409) || (isStatus(error, 422) && !file.sha)) return new ConflictError(file.path);
  return error;
}

const STATE_README = `# mission-bot state

This branch holds mission-bot's state files (\`todo/missions/<id>/mission.md\`).
It has no history in common with the code and no workflows, so the bot's
commits here start no CI. Edit a mission's front matter here only if you mean
to change the mission; the bot validates every file it reads.
`;

/** The state branch, created with no parent and no workflows (a race with another writer is fine: 422 "already exists"). */
async function createStateBranch(octokit: Octokit, repo: RepoRef, branch: string): Promise<void> {
  const tree = await octokit.rest.git.createTree({ ...repo, tree: [{ path: "README.md", mode: "100644", type: "blob", content: STATE_README }] });
  const commit = await octokit.rest.git.createCommit({ ...repo, message: "mission-bot state [skip ci]", tree: tree.data.sha, parents: [] });
  try {
    await octokit.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha: commit.data.sha });
  } catch (error) {
    if (!(isStatus(error, 422) && /already exists/i.test(messageOf(error)))) throw error;
  }
}
