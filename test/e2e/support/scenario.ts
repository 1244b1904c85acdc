/**
 * The whole mission the end-to-end and fault suites play, and the
 * projection of GitHub's final state they compare.
 */
import { parseMissionFile } from "../../../src/mission/markdown/mission-file.js";
import type { Mission } from "../../../src/mission/model.js";
import { APP_BOT, World, type WorldOptions } from "./world.js";
import { CRM_OUTLINE } from "../../support/outline.js";
import { STATE_BRANCH } from "../../support/missions.js";

export const OUTLINE = CRM_OUTLINE;

export const GOAL = "/mission Build a CRM with contacts, deals and email --mode poc --budget $100 --hours 100 --tokens 50M";

/** Milestone 1 fails its first validation: three tests in one file. */
export const FAILING_FILE = "test/contacts/contact-list.test.ts";

export const MISSION_PLAY: Pick<WorldOptions, "worker" | "validation"> = {
  // 7 runs (6 features and one fix) at $12: $84 of $100, past 50% and 80%
  worker: { cost: () => 12 },
  validation: {
    outcome: (milestone, attempt) =>
      milestone === "1" && attempt === 1
        ? { file: FAILING_FILE, tests: ["lists contacts", "paginates contacts", "filters contacts by company"] }
        : "pass",
  },
};

export interface Played {
  tracking: number;
  missionId: string;
}

/**
 * Post a comment as alice and deliver what follows until the bot has answered
 * it. Under faults the answer may take a pulse (a command whose handling
 * failed, or whose webhook was lost, is answered by the next pulse).
 */
export async function say(world: World, issue: number, body: string): Promise<void> {
  const comment = world.alice.comment(issue, body);
  const answered = () => world.botComments(issue).some((b) => b.body.includes(`<!-- mission-bot:reply:${comment.id} -->`));
  await world.runUntil(answered, { maxRounds: 6 });
}

/** /mission, the interview, the plan and the approval. */
export async function startMission(world: World, options: { goal?: string; outline?: string; beforeApprove?: () => void } = {}): Promise<Played> {
  const tracking = world.alice.createIssue({ title: "CRM", body: options.outline ?? OUTLINE }).number;
  await say(world, tracking, options.goal ?? GOAL);
  await say(world, tracking, "/mission answer\nconstraints: no new dependencies\npreferences: none");
  options.beforeApprove?.();
  await say(world, tracking, "/mission approve");
  const label = world.twin.issue(tracking).labels.find((l) => /^mission:m-/.test(l));
  if (!label) throw new Error(`no mission label on #${tracking}: ${JSON.stringify(world.comments(tracking), null, 2)}`);
  return { tracking, missionId: label.slice("mission:".length) };
}

export function isComplete(world: World, tracking: number): boolean {
  return world.botComments(tracking).some((c) => /is complete\./.test(c.body));
}

/** The whole mission, from /mission to "complete". */
export async function playMission(world: World, options: { pulse?: boolean; outline?: string; beforeApprove?: () => void } = {}): Promise<Played> {
  const played = await startMission(world, { ...(options.beforeApprove ? { beforeApprove: options.beforeApprove } : {}), ...(options.outline ? { outline: options.outline } : {}) });
  await world.runUntil(() => isComplete(world, played.tracking), { pulse: options.pulse ?? true });
  return played;
}

export function missionFile(world: World, missionId: string): Mission {
  const file = world.twin.readFile(`todo/missions/${missionId}/mission.md`, { ref: STATE_BRANCH });
  if (!file) throw new Error(`no mission.md for ${missionId}`);
  const parsed = parseMissionFile(file.text);
  if (!parsed.ok) throw new Error(`mission.md does not parse: ${parsed.problems.join("; ")}`);
  return parsed.mission;
}

// ---------------------------------------------------------------------------
// The projection: what must be exactly the same after any fault

const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?/g;

/** Comment text without what differs from run to run: hidden state, ids, times and the figures that depend on time. */
export function normaliseText(text: string): string {
  return text
    .replace(/<!-- mission-bot:(state|report|validation) [A-Za-z0-9_.~-]+ -->/g, "<!-- mission-bot:$1 … -->")
    .replace(ISO, "<time>")
    .replace(/\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,40}\b/g, "<sha>")
    .replace(/\bt\d+-[0-9a-z]+\b/g, "<nonce>")
    // how fast money burns depends on how much time passed, and a run with faults takes more pulses (a quarter hour each)
    .replace(/^(\s*- )?Burn rate: .*$/gm, "$1Burn rate: <depends on the time passed>")
    .replace(/\d[\d,.]*/g, "N");
}

const VOLATILE_KEYS = new Set(["run_id", "url", "at", "dispatched_at", "updated_at", "created", "started", "completed_at", "recorded_at", "id", "commit"]);

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (VOLATILE_KEYS.has(k) || /_at$/.test(k)) continue;
      out[k] = stable(v);
    }
    return out;
  }
  if (typeof value === "string") return value.replace(ISO, "<time>").replace(/\bt\d+-[0-9a-z]+\b/g, "<nonce>").replace(/\d{6,}/g, "N");
  return value;
}

export function projection(world: World, played: Played) {
  const twin = world.twin;
  // pull requests (the hand-over) are shown apart from the mission's issues
  const issues = twin.issuesOf().filter((i) => !i.pull_request);
  const pulls = twin.issuesOf().filter((i) => i.pull_request);
  const titleOfId = new Map(issues.map((i) => [i.id, i.title]));
  const m = missionFile(world, played.missionId);
  return {
    issues: issues
      .map((i) => ({
        title: i.title,
        author: i.user.login,
        state: i.state,
        reason: i.state_reason,
        labels: [...i.labels].sort(),
        parent: i.parent === null ? null : titleOfId.get(i.parent),
        subIssues: i.sub_issues.map((id) => titleOfId.get(id)),
        blockedBy: i.blocked_by.map((id) => titleOfId.get(id)).sort(),
        comments: world.comments(i.number).map((c) => `${c.user}: ${normaliseText(c.body)}`),
      }))
      .sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0)),
    mission: {
      ...(stable({ ...m, ledger: undefined }) as object),
      ledger: m.ledger.map((e) => stable(e)).map((e) => JSON.stringify(e)).sort(),
    },
    dashboard: normaliseText(twin.issue(played.tracking).body ?? ""),
    pulls: pulls.map((p) => ({ title: p.title, author: p.user.login, state: p.state, head: p.pull?.head, base: p.pull?.base })),
  };
}

export function botCommentsOn(world: World, issue: number): string[] {
  return world.comments(issue).filter((c) => c.user === APP_BOT).map((c) => c.body);
}
