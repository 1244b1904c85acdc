/**
 * What a worker's patch may not do. The patch is the agent's work, so it is
 * hostile until checked; it is checked for what it does to the tree, as
 * git itself reads it (applied to a scratch index, never to a working tree),
 * not by reading the patch text:
 *
 * - nothing under `.github/` (workflows, actions, the bot's settings), and
 *   so no rename out of it either (renames are a delete and an add here);
 * - no `.git` path, no gitlink (mode 160000, a submodule) and no `.gitmodules`;
 * - no symbolic link that is absolute, leaves the repository, or points
 *   into `.git` or `.github`;
 * - no `filter=`, `merge=` or `diff=` attribute in any `.gitattributes`
 *   (they name programs git runs on checkout, merge and diff);
 * - no change to a mission's state file, `todo/missions/<id>/mission.md`:
 *   only the bot writes it; and, given the worker's mission, nothing in
 *   another mission's folder (its own folder's research notes, scripts and
 *   assets are welcome: README "The mission folder").
 */
import { posix } from "node:path";
import { git, gitOk } from "./git.js";

export interface TreeChange {
  status: string;
  path: string;
  oldMode: string;
  newMode: string;
  /** the new blob (all zeros when deleted) */
  newSha: string;
}

const GITLINK = "160000";
const SYMLINK = "120000";
const DELETED = /^0+$/;

/** `git diff --cached --raw -z --no-renames <from>` in the given index. */
export async function stagedChanges(repo: string, from: string, env: Record<string, string> = {}): Promise<TreeChange[]> {
  const raw = await gitOk(repo, ["diff", "--cached", "--raw", "-z", "--no-renames", "--full-index", "--no-ext-diff", from], env);
  const fields = raw.split("\0");
  const changes: TreeChange[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const m = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])\d*$/.exec(fields[i]!);
    if (!m) break;
    changes.push({ oldMode: m[1]!, newMode: m[2]!, newSha: m[4]!, status: m[5]!, path: fields[i + 1]! });
  }
  return changes;
}

/** What a patch does to `base`, read by applying it to a scratch index; an error when it does not apply. */
export async function patchChanges(repo: string, base: string, patchFile: string, scratchIndex: string): Promise<TreeChange[]> {
  const env = { GIT_INDEX_FILE: scratchIndex };
  await gitOk(repo, ["read-tree", base], env);
  const applied = await git(repo, ["apply", "--cached", "--whitespace=nowarn", patchFile], env);
  if (applied.code !== 0) throw new Error(`the patch does not apply to ${base.slice(0, 12)}: ${applied.stderr.trim().split("\n")[0] ?? ""}`);
  return stagedChanges(repo, base, env);
}

const lower = (p: string) => p.toLowerCase();
const inGithub = (p: string) => lower(p) === ".github" || lower(p).startsWith(".github/");
const hasGitDir = (p: string) => p.split("/").some((part) => lower(part) === ".git");
const basename = (p: string) => lower(p.slice(p.lastIndexOf("/") + 1));
const missionFile = (p: string) => /^todo\/missions\/[^/]+\/mission\.md$/i.test(p);
/** The mission whose folder holds the path (`todo/missions/<id>/…`), lowercased; undefined outside every mission folder. */
const folderOf = (p: string) => /^todo\/missions\/([^/]+)\//i.exec(p)?.[1]?.toLowerCase();

/** `filter=`, `merge=` or `diff=` with a value, in any line of a .gitattributes (macros included). */
const DRIVER_ATTRIBUTE = /(?:^|\s)(filter|merge|diff)=/m;

/** Where a symbolic link points, as a path inside the repository, or undefined when it leaves it. */
function linkTarget(path: string, target: string): string | undefined {
  if (target.startsWith("/") || target.includes("\0")) return undefined;
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  if (resolved === ".." || resolved.startsWith("../")) return undefined;
  return resolved;
}

/** Why the changes may not be applied: one line per refused path; empty when they may. */
export async function refusals(changes: readonly TreeChange[], readBlob: (sha: string) => Promise<Buffer>, mission?: string): Promise<string[]> {
  const out: string[] = [];
  for (const c of changes) {
    const present = !DELETED.test(c.newSha) && c.status !== "D";
    if (inGithub(c.path)) {
      out.push(`${c.path}: a worker never changes .github/ (workflows, actions and the bot's settings)`);
      continue;
    }
    if (hasGitDir(c.path)) {
      out.push(`${c.path}: a worker never writes inside a .git directory`);
      continue;
    }
    if (missionFile(c.path)) {
      out.push(`${c.path}: the mission's state file is the bot's; a worker never writes it`);
      continue;
    }
    const folder = folderOf(c.path);
    if (mission && folder !== undefined && folder !== mission.toLowerCase()) {
      out.push(`${c.path}: in the folder of another mission (${folder}); a worker of mission ${mission} writes only under todo/missions/${mission}/`);
      continue;
    }
    if (basename(c.path) === ".gitmodules") {
      out.push(`${c.path}: a worker never changes submodules`);
      continue;
    }
    if (!present) continue;
    if (c.newMode === GITLINK) {
      out.push(`${c.path}: a submodule (gitlink); a worker never adds submodules`);
      continue;
    }
    if (c.newMode === SYMLINK) {
      const target = (await readBlob(c.newSha)).toString("utf8");
      const inside = linkTarget(c.path, target);
      const shown = JSON.stringify(target.slice(0, 200));
      if (inside === undefined) out.push(`${c.path}: a symbolic link to ${shown}, outside the repository`);
      else if (inGithub(inside) || hasGitDir(inside)) out.push(`${c.path}: a symbolic link to ${shown}, into ${hasGitDir(inside) ? ".git" : ".github"}`);
      continue;
    }
    if (basename(c.path) === ".gitattributes") {
      const driver = DRIVER_ATTRIBUTE.exec((await readBlob(c.newSha)).toString("utf8"));
      if (driver) out.push(`${c.path}: sets ${driver[1]}=, which makes git run a program; a worker's .gitattributes may not name filter, merge or diff drivers`);
    }
  }
  return out;
}

/** A blob's bytes. */
export function blobReader(repo: string): (sha: string) => Promise<Buffer> {
  return async (sha) => {
    const r = await git(repo, ["cat-file", "blob", sha]);
    if (r.code !== 0) throw new Error(`git cat-file failed for ${sha}: ${r.stderr.trim()}`);
    return r.stdout;
  };
}
