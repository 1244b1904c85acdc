/**
 * Where a mission lives and where it builds. A mission lives in its home
 * repository (the tracking issue, the milestone and feature issues,
 * mission.md, the dashboard) and builds in its target repository (worker and
 * validation runs, branches, pull requests). Without a `target` the two are
 * the same. In a missions-only repository (`home_only: true` in
 * `.github/mission.yml`) a mission without a target is homeless: it can be
 * planned and approved, but its workers wait until `/mission attach`.
 * Schemas and pure helpers only.
 */
import { z } from "zod";
import type { Mission } from "../model.js";

/** GitHub's rules for names: a login (≤ 39, letters, digits, inner hyphens) and a repository name (≤ 100, no "." or ".."). */
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}$/;

export const RepoName = z
  .string()
  .max(140)
  .refine((s) => {
    const [owner, name, ...rest] = s.split("/");
    return rest.length === 0 && owner !== undefined && name !== undefined && OWNER.test(owner) && NAME.test(name);
  }, "a repository is owner/name, like acme/shop");
export type RepoName = z.infer<typeof RepoName>;

const isoDate = z.iso.datetime({ offset: true });

/** `/mission attach --create owner/name [--template owner/template]`: made by the next apply, then cleared. */
export const AttachRequest = z.strictObject({
  repo: RepoName,
  template: RepoName.optional(),
  at: isoDate,
  by: z.string().min(1).max(100),
  /** the command that asked: its answer is where the outcome is told */
  comment: z.number().int().positive(),
});
export type AttachRequest = z.infer<typeof AttachRequest>;

/** The mission.md fields this piece adds (merged into Mission in model.ts). */
export const TargetFields = {
  /** the repository the mission builds in (owner/name); absent: its home repository (`repo`) */
  target: RepoName.optional(),
  /** a repository to create and attach, asked for with `/mission attach --create` */
  attach_request: AttachRequest.optional(),
};

/** `.github/mission.yml`'s `home_only`: this repository holds missions only, never code. */
export const HomeOnly = z
  .boolean()
  .default(false)
  .describe("this repository holds missions only (an organisation's missions repository): a mission builds in the repository `/mission attach owner/repo` names, and its workers wait until then");

export function sameRepo(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The repository the mission builds in: its target, else its home. */
export function buildRepo(m: Pick<Mission, "repo" | "target">): string {
  return m.target ?? m.repo;
}

/** It builds somewhere other than where it lives. */
export function buildsElsewhere(m: Pick<Mission, "repo" | "target">): boolean {
  return !!m.target && !sameRepo(m.target, m.repo);
}

/** No target yet in a missions-only repository: planned, perhaps approved, but no worker can start. */
export function isHomeless(m: Pick<Mission, "repo" | "target">, config: { home_only?: boolean }): boolean {
  return !!config.home_only && !m.target;
}

/** A worker or validation run was sent: code exists (or may), so the target is fixed. */
export function workStarted(m: Mission): boolean {
  return (m.plan?.milestones ?? []).some((ms) => ms.validations.length > 0 || ms.features.some((f) => f.runs.length > 0));
}

/** The feature issue as a worker in the target is told it: "12" at home, "acme/missions#12" from elsewhere. */
export function issueAddress(m: Pick<Mission, "repo" | "target">, issue: number): string {
  return buildsElsewhere(m) ? `${m.repo}#${issue}` : String(issue);
}

/** An issue input as a worker run reads it: a number (this repository), or owner/name#number. */
export function parseIssueAddress(text: string): { repo?: string; number: number } | undefined {
  const m = /^(?:([^#\s]+)#)?([1-9]\d{0,9})$/.exec(text.trim());
  if (!m) return undefined;
  if (m[1] !== undefined && !RepoName.safeParse(m[1]).success) return undefined;
  return { ...(m[1] ? { repo: m[1] } : {}), number: Number(m[2]) };
}

/** The dashboard's line for a homeless mission. */
export const WAITING_FOR_REPOSITORY = "waiting for a repository: `/mission attach owner/repo`";

/** One line: where the mission lives and where it builds (`homeless`: no repository attached yet). */
export function whereWords(m: Pick<Mission, "repo" | "target">, homeless = false): string {
  if (homeless) return `lives in ${m.repo}; builds in: no repository yet (${WAITING_FOR_REPOSITORY})`;
  if (buildsElsewhere(m)) return `lives in ${m.repo}; builds in ${m.target}`;
  return `lives and builds in ${m.repo}`;
}
