/**
 * Apply: perform reconcile's actions against GitHub, idempotently (hidden
 * markers and "already there" checks), bounded per call (a write budget and a
 * deadline), and resumable (what is finished is recorded in mission.md; the
 * next call starts from there).
 */
import { missionPath, type Mission } from "../mission/model.js";
import { recordIssue, type Action, type FoundIssue, type Ref, type Snapshot } from "../mission/reconcile.js";
import { renderMissionFile } from "../mission/markdown/mission-file.js";
import { isStatus, type Octokit, type RepoRef } from "./client.js";
import { writeDashboard } from "./dashboard-writer.js";
import { writeFile } from "./repo-files.js";
import { closedKeys } from "./snapshot.js";

export interface ApplyLimits {
  /** writes (POST/PATCH/PUT/DELETE) this call may make before it stops; the final commit and dashboard are extra */
  maxWrites: number;
  /** epoch ms after which no new write starts */
  deadline: number;
}

export interface ApplyInput {
  octokit: Octokit;
  repo: RepoRef;
  snapshot: Snapshot;
  /** blob sha of mission.md when it exists */
  sha?: string;
  branch?: string;
  limits: ApplyLimits;
  clock?: () => number;
}

export interface ApplyResult {
  mission: Mission;
  sha?: string;
  writes: number;
  /** false when the limits stopped it before every action ran */
  complete: boolean;
}

const WRITES: ReadonlySet<Action["kind"]> = new Set([
  "commit-mission",
  "ensure-labels",
  "create-issue",
  "link-sub-issue",
  "add-blocked-by",
]);

export async function apply(actions: readonly Action[], input: ApplyInput): Promise<ApplyResult> {
  const { octokit, repo, snapshot, limits } = input;
  const clock = input.clock ?? Date.now;
  let mission = snapshot.mission;
  let sha = input.sha;
  let committed = snapshot.committed;
  let writes = 0;
  let dirty = false;
  let complete = true;
  const known = new Map<Ref, FoundIssue>(snapshot.issues);

  const resolve = (ref: Ref): { number: number; id: number } => {
    if (ref === "tracking") return snapshot.tracking;
    const found = known.get(ref) ?? recorded(mission, ref);
    if (!found) throw new Error(`${ref} of mission ${mission.id} has no issue yet`);
    return found;
  };

  const commit = async (message: string) => {
    sha = await writeFile(octokit, repo, {
      path: missionPath(mission.id),
      text: renderMissionFile(mission),
      message,
      ...(sha ? { sha } : {}),
      ...(input.branch ? { branch: input.branch } : {}),
    });
    committed = true;
    dirty = false;
    writes++;
  };

  try {
    for (const action of actions) {
      if (WRITES.has(action.kind) && (writes >= limits.maxWrites || clock() >= limits.deadline)) {
        complete = false;
        break;
      }
      switch (action.kind) {
        case "commit-mission":
          await commit(`${action.message}`);
          break;
        case "ensure-labels":
          for (const label of action.labels) {
            try {
              await octokit.rest.issues.createLabel({ ...repo, ...label });
            } catch (error) {
              if (!isStatus(error, 422)) throw error; // 422: the label exists already
            }
            writes++;
          }
          break;
        case "create-issue": {
          const { data } = await octokit.rest.issues.create({ ...repo, title: action.title, body: action.body, labels: action.labels });
          known.set(action.ref, { number: data.number, id: data.id, state: "open" });
          writes++;
          break;
        }
        case "link-sub-issue":
          await linkSubIssue(octokit, repo, resolve(action.parent).number, resolve(action.child));
          writes++;
          break;
        case "add-blocked-by":
          await addBlockedBy(octokit, repo, resolve(action.blocked).number, resolve(action.blocking).id);
          writes++;
          break;
        case "record-issue":
          mission = recordIssue(mission, action.ref, resolve(action.ref));
          dirty = true;
          break;
        case "update-dashboard":
          break; // always done below, once
      }
    }
  } finally {
    // What is finished is never lost: commit the records made so far, even on an error.
    if (dirty) await commit(`mission ${mission.id}: record created issues`);
  }
  if (actions.length) {
    await writeDashboard(octokit, repo, snapshot.tracking.number, {
      mission,
      closed: closedKeys(known),
    });
  }
  return { mission, writes, complete, ...(sha ? { sha } : {}) };
}

function recorded(m: Mission, ref: Ref): { number: number; id: number } | undefined {
  const [kind, key] = ref.split(":");
  for (const ms of m.plan?.milestones ?? []) {
    if (kind === "milestone" && ms.key === key) return ms.issue;
    const f = ms.features.find((x) => x.key === key);
    if (kind === "feature" && f) return f.issue;
  }
  return undefined;
}

/** Link a child under a parent; a child already under that parent is success. */
async function linkSubIssue(octokit: Octokit, repo: RepoRef, parent: number, child: { number: number; id: number }) {
  try {
    await octokit.rest.issues.addSubIssue({ ...repo, issue_number: parent, sub_issue_id: child.id });
  } catch (error) {
    if (!isStatus(error, 422)) throw error;
    const current = await octokit.rest.issues.getParent({ ...repo, issue_number: child.number }).catch(() => undefined);
    if (current?.data.number !== parent) throw error;
  }
}

/** Record "blocked is blocked by blocking"; an existing dependency is success. */
async function addBlockedBy(octokit: Octokit, repo: RepoRef, blocked: number, blockingId: number) {
  try {
    await octokit.rest.issues.addBlockedByDependency({ ...repo, issue_number: blocked, issue_id: blockingId });
  } catch (error) {
    if (!isStatus(error, 422)) throw error;
    const { data } = await octokit.rest.issues.listDependenciesBlockedBy({ ...repo, issue_number: blocked, per_page: 100 });
    if (!data.some((i) => i.id === blockingId)) throw error;
  }
}
