/**
 * The apply job's work: check the worker's patch, apply it on the branch
 * the worker pushes to (POC: the mission branch, Full: the feature branch),
 * commit and push, again from the branch's new head when another worker
 * pushed first. The checkout is the base branch's, made with the push
 * token; the patch is checked against its base before anything is staged,
 * and what is staged is checked again before the commit.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Mode } from "../mission/model.js";
import { git, gitOk } from "./git.js";
import { blobReader, patchChanges, refusals, stagedChanges } from "./patch-checks.js";
import { touchesMissionFolder } from "../mission/workspace/folder-reads.js";

export interface ApplyRequest {
  /** the checkout of the base branch */
  repo: string;
  patchFile: string;
  mission: string;
  feature: string;
  issue: number;
  mode: Mode;
  branch: string;
  baseSha: string;
  runUrl: string;
  attempts?: number;
  /** waits between attempts; tests pass one that does not wait */
  sleep?: (ms: number) => Promise<void>;
  log?: (text: string) => void;
}

/** A patch the apply job refuses: each reason names a path. */
export class PatchRefused extends Error {
  constructor(readonly reasons: string[]) {
    super(`the worker's patch is refused:\n${reasons.map((r) => `- ${r}`).join("\n")}`);
  }
}

/** POC: mission/<id>; Full: mission/<id>/<feature>. */
export function expectedBranch(mode: Mode, mission: string, feature: string): string {
  return mode === "full" ? `mission/${mission}/${feature}` : `mission/${mission}`;
}

const IDENTITY = ["-c", "user.name=github-actions[bot]", "-c", "user.email=41898283+github-actions[bot]@users.noreply.github.com"];

/** The staged changes, checked; their paths. */
async function checkStaged(repo: string, from: string, mission: string): Promise<string[]> {
  const changes = await stagedChanges(repo, from);
  const refused = await refusals(changes, blobReader(repo), mission);
  if (refused.length) throw new PatchRefused(refused);
  return changes.map((c) => c.path);
}

/** What was pushed; `missionFolder`: whether the commit changed the mission folder (the report says so). */
export async function applyAndPush(r: ApplyRequest): Promise<{ branch: string; commit: string; missionFolder: boolean }> {
  const wanted = expectedBranch(r.mode, r.mission, r.feature);
  if (r.branch !== wanted) throw new Error(`a ${r.mode} worker pushes only to ${wanted}, not ${r.branch}`);
  if (!/^[0-9a-f]{40}$/.test(r.baseSha)) throw new Error("the agent job gave no base commit");
  let size = 0;
  try {
    size = statSync(r.patchFile).size;
  } catch {
    // no patch
  }
  if (size === 0) throw new Error("the agent job left no patch");

  // against its base, in a scratch index: nothing is staged before the patch passes
  const scratch = mkdtempSync(join(tmpdir(), "mission-apply-"));
  try {
    const refused = await refusals(await patchChanges(r.repo, r.baseSha, r.patchFile, join(scratch, "index")), blobReader(r.repo), r.mission);
    if (refused.length) throw new PatchRefused(refused);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  const sleep = r.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const attempts = r.attempts ?? 3;
  const ref = `refs/heads/${r.branch}`;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const remote = await git(r.repo, ["ls-remote", "--exit-code", "--heads", "origin", ref]);
    if (remote.code === 0) {
      await gitOk(r.repo, ["fetch", "--no-tags", "origin", `+${ref}:refs/remotes/origin/${r.branch}`]);
      await gitOk(r.repo, ["checkout", "--force", "-B", r.branch, `refs/remotes/origin/${r.branch}`]);
    } else if (remote.code === 2) {
      await gitOk(r.repo, ["checkout", "--force", "-B", r.branch, r.baseSha]);
    } else {
      throw new Error(`could not read the branches of origin: ${remote.stderr.trim()}`);
    }
    const applied = await git(r.repo, ["apply", "--3way", "--index", "--whitespace=nowarn", r.patchFile]);
    if (applied.code !== 0) throw new Error(`the patch does not apply to ${r.branch}: ${applied.stderr.trim().split("\n").slice(0, 3).join(" ")}`);
    const paths = await checkStaged(r.repo, "HEAD", r.mission);
    await gitOk(r.repo, [
      ...IDENTITY,
      "commit",
      "--no-verify",
      "--quiet",
      "-m",
      `Mission ${r.mission}: feature ${r.feature} (#${r.issue})`,
      "-m",
      `Worker run: ${r.runUrl}`,
    ]);
    const pushed = await git(r.repo, ["push", "--no-verify", "origin", `HEAD:${ref}`]);
    if (pushed.code === 0) return { branch: r.branch, commit: (await gitOk(r.repo, ["rev-parse", "HEAD"])).trim(), missionFolder: touchesMissionFolder(paths, r.mission) };
    r.log?.(`the branch moved while this worker applied its patch (try ${attempt}); applying again`);
    if (attempt < attempts) await sleep(attempt * 10_000);
  }
  throw new Error(`could not push to ${r.branch} after ${attempts} tries`);
}
