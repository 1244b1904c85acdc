/**
 * Files in the repository through the contents API, with the blob sha as
 * the precondition of every write: a stale sha is a conflict, never an
 * overwrite.
 */
import { ConflictError, isStatus, type Octokit, type RepoRef } from "./client.js";

export interface RepoFile {
  text: string;
  sha: string;
}

export async function readFile(octokit: Octokit, repo: RepoRef, path: string, ref?: string): Promise<RepoFile | null> {
  try {
    const { data } = await octokit.rest.repos.getContent({ ...repo, path, ...(ref ? { ref } : {}) });
    if (Array.isArray(data) || data.type !== "file" || !("content" in data)) return null;
    return { text: Buffer.from(data.content, "base64").toString("utf8"), sha: data.sha };
  } catch (error) {
    if (isStatus(error, 404)) return null;
    throw error;
  }
}

export async function writeFile(
  octokit: Octokit,
  repo: RepoRef,
  file: { path: string; text: string; message: string; sha?: string; branch?: string },
): Promise<string> {
  try {
    const { data } = await octokit.rest.repos.createOrUpdateFileContents({
      ...repo,
      path: file.path,
      message: file.message,
      content: Buffer.from(file.text, "utf8").toString("base64"),
      ...(file.sha ? { sha: file.sha } : {}),
      ...(file.branch ? { branch: file.branch } : {}),
    });
    return data.content?.sha ?? "";
  } catch (error) {
    // 409: the sha is stale; 422 without a sha: the file appeared meanwhile.
    if (isStatus(error, 409) || (isStatus(error, 422) && !file.sha)) throw new ConflictError(file.path);
    throw error;
  }
}
