/**
 * What `mission-bot doctor` reads from the local git repository: which branch
 * GitHub runs workflows from (the remote's default branch, as `origin/HEAD`
 * records it), whether each workflow is committed there as it is on disk, and
 * which GitHub repository `origin` is. GitHub starts `workflow_dispatch` and
 * `schedule` workflows only from the default branch (docs.github.com, "Events
 * that trigger workflows"), so a workflow that is only on disk never runs.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Finding } from "./doctor-github.js";

const run = promisify(execFile);

async function git(root: string, ...args: string[]): Promise<string | null> {
  try {
    return (await run("git", ["-C", root, ...args], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch {
    return null;
  }
}

/** The ref holding what GitHub has: origin's default branch, else the local branch checked out (with a note). */
export async function defaultBranchRef(root: string): Promise<{ ref: string; remote: boolean } | null> {
  const remoteHead = (await git(root, "symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD"))?.trim();
  if (remoteHead) return { ref: remoteHead, remote: true };
  for (const name of ["origin/main", "origin/master"]) if ((await git(root, "rev-parse", "-q", "--verify", `${name}^{commit}`)) !== null) return { ref: name, remote: true };
  const local = (await git(root, "symbolic-ref", "-q", "--short", "HEAD"))?.trim();
  return local ? { ref: local, remote: false } : null;
}

export async function originUrl(root: string): Promise<string | null> {
  return (await git(root, "remote", "get-url", "origin"))?.trim() || null;
}

/** Each file present on disk must be committed on the default branch exactly as it is on disk. */
export async function checkCommitted(root: string, files: { path: string; text: string }[]): Promise<Finding[]> {
  const at = await defaultBranchRef(root);
  if (!at) return [{ level: "note", path: "git", text: "no branch is checked out, so whether the workflows are committed was not checked" }];
  const out: Finding[] = [];
  if (!at.remote) {
    out.push({ level: "note", path: "git", text: `no remote "origin" with a default branch: checked against the local branch ${at.ref}, not what GitHub has (push it)` });
  }
  for (const f of files) {
    const committed = await git(root, "show", `${at.ref}:${f.path}`);
    if (committed === null) {
      out.push({ level: "FIX", path: f.path, text: `not committed on ${at.ref}: GitHub starts dispatched and scheduled workflows from the default branch only. Commit it and push` });
    } else if (committed !== f.text) {
      out.push({ level: "FIX", path: f.path, text: `differs from ${at.ref}: GitHub runs the default branch's version. Commit your change and push it` });
    }
  }
  return out;
}
