/**
 * The agent's work as a patch: every change in the working tree against
 * the commit it started from (new files included, ignored ones not), made
 * in a scratch index so the checkout's own index is untouched. Binary
 * changes are kept; renames are written as a delete and an add, so a
 * rename out of a protected path is seen as touching it.
 */
import { writeFileSync } from "node:fs";
import { git, gitOk } from "./git.js";

export async function collectPatch(workspace: string, base: string, patchFile: string, scratchIndex: string): Promise<{ bytes: number }> {
  const env = { GIT_INDEX_FILE: scratchIndex };
  await gitOk(workspace, ["read-tree", base], env);
  await gitOk(workspace, ["add", "--all", "--", "."], env);
  const diff = await git(workspace, ["diff", "--cached", "--binary", "--full-index", "--no-renames", "--no-ext-diff", "--no-textconv", base], env);
  if (diff.code !== 0) throw new Error(`git diff failed: ${diff.stderr.trim()}`);
  writeFileSync(patchFile, diff.stdout);
  return { bytes: diff.stdout.length };
}
