/**
 * The idle mission (src/loop/idle.ts, src/github/etag-cache.ts) against the
 * twin: a mission at rest costs one conditional read a pulse, answered 304
 * and not counted against the primary limit; yet a command is answered on
 * the next reconcile (once), and a run that ends without a word is noticed
 * by its own event, or at the hourly fresh look.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { GitHubTwin } from "../../src/twin/state.js";
import { serveWithNock } from "../support/twin-nock.js";
import { botOctokit } from "../../src/twin/octokit.js";
import { contractTwin } from "../support/twin.js";
import type { Octokit } from "../../src/github/client.js";
import { reconcileIssue, type JobDeps } from "../../src/loop/reconcile-job.js";
import type { ReconcileJob } from "../../src/loop/queue.js";
import { MemoryEtagStore, withEtags, type EtagStore } from "../../src/github/etag-cache.js";
import { outlinePlanner } from "../../src/mission/plan/outline.js";
import { answered, plan, STATE_BRANCH } from "../support/missions.js";
import { renderMissionFile, parseMissionFile } from "../../src/mission/markdown/mission-file.js";
import { LABELS, missionPath } from "../../src/mission/model.js";
import { repoFiles } from "../e2e/support/world.js";
import { testClock, testMissionId } from "../support/clock.js";

const REPO = { owner: "acme", repo: "crm" };
const BOT = "mission-bot[bot]";
let stop: (() => void) | undefined;
afterEach(() => stop?.());

function world(options: { idle?: boolean; store?: EtagStore } = {}) {
  const twin: GitHubTwin = contractTwin({ now: testClock(), secondaryLimits: false });
  twin.addRepo({ owner: REPO.owner, name: REPO.repo, ownerType: "Organization", collaborators: { alice: "write" }, files: repoFiles() });
  twin.createBranch(STATE_BRANCH, { orphan: true });
  stop?.();
  stop = serveWithNock(twin);
  const tracking = twin.as("alice").createIssue({ title: "Mission", body: "The goal." }).number;
  const id = testMissionId("idle", tracking);
  const m = answered({ id, tracking_issue: tracking, status: "active", repo: `${REPO.owner}/${REPO.repo}`, plan: plan([2]) });
  twin.writeFile(missionPath(id), renderMissionFile(m), { author: BOT, message: `mission ${id}: active`, branch: STATE_BRANCH });
  twin.as(BOT).addLabels(tracking, [LABELS.mission, LABELS.forMission(id)]);
  const store = options.store ?? new MemoryEtagStore();
  const octokit = withEtags(botOctokit(twin) as unknown as Octokit, store, "installation:1");
  const deps: JobDeps = {
    octokitFor: async () => octokit,
    identity: async () => ({ botLogin: BOT, reportLogins: [BOT, "github-actions[bot]"] }),
    serverUrl: "https://github.com",
    choosePlanner: () => ({ planner: outlinePlanner }),
    history: async () => [],
    limits: () => ({ maxWrites: 40, timeMs: 60_000 }),
    clock: () => twin.now(),
    ...(options.idle === false ? {} : { idle: { store, scope: () => "installation:1" } }),
  };
  const job = (reason = "pulse"): ReconcileJob => ({ ...REPO, issue: tracking, reason });
  const mission = () => {
    const parsed = parseMissionFile(twin.readFile(missionPath(id), { ref: STATE_BRANCH })!.text);
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    return parsed.mission;
  };
  /** requests GitHub received during `fn` */
  const during = async (fn: () => Promise<unknown>) => {
    const from = twin.log.length;
    await fn();
    return twin.log.slice(from).filter((e) => !/access_tokens$/.test(e.path));
  };
  /** pulse until a pulse writes nothing, then once more (the first look after the bot's own writes) */
  const rest = async () => {
    for (let i = 0; i < 20; i++) {
      const outcome = await reconcileIssue(deps, job());
      if (outcome.writes === 0 && !outcome.more) break;
    }
    await reconcileIssue(deps, job());
  };
  const minutes = (n: number) => twin.advance(n * 60_000, { tokens: "keep" });
  const botReplies = () => twin.commentsOn(twin.issuesOf().find((i) => i.number === tracking)!).filter((c) => c.user.login === BOT);
  return { twin, deps, job, tracking, id, mission, during, rest, minutes, botReplies, store };
}

describe("an idle mission", () => {
  it("costs one request a pulse, answered 304 and not counted against the primary limit; the runs under way stay as they were", async () => {
    const w = world();
    await w.rest();
    const running = w.mission().plan!.milestones[0]!.features.flatMap((f) => f.runs);
    expect(running.length).toBeGreaterThan(0);
    w.minutes(15);
    const requests = await w.during(() => reconcileIssue(w.deps, w.job()));
    expect(requests.map((e) => `${e.method} ${e.status}`)).toEqual(["GET 304"]);
    expect(w.twin.counters.notModified).toBeGreaterThan(0);
  });

  it("without the idle check, the same pulse reads the whole mission again", async () => {
    const w = world({ idle: false });
    await w.rest();
    w.minutes(15);
    const requests = await w.during(() => reconcileIssue(w.deps, w.job()));
    expect(requests.length).toBeGreaterThan(4);
  });

  it("answers a command on the tracking issue at the next reconcile, once, and a redelivery of it costs one read", async () => {
    const w = world();
    await w.rest();
    const before = w.botReplies().length;
    const command = w.twin.as("alice").comment(w.tracking, "/mission status");
    w.minutes(1);
    await reconcileIssue(w.deps, w.job()); // the pulse, as if the webhook was lost
    const replies = () => w.botReplies().filter((c) => c.body.includes(String(command.id)));
    expect(replies()).toHaveLength(1);
    expect(w.botReplies().length).toBe(before + 1);
    await reconcileIssue(w.deps, w.job()); // the next pulse looks afresh after the bot's own reply
    const again = await w.during(() => reconcileIssue(w.deps, w.job("issue_comment.created")));
    expect(replies()).toHaveLength(1);
    expect(again.map((e) => `${e.method} ${e.status}`)).toEqual(["GET 304"]);
  });

  it("notices a worker run that ended without a report: at once on its workflow_run event, else at the hourly fresh look", async () => {
    for (const how of ["event", "hourly"] as const) {
      const w = world();
      await w.rest();
      const run = w.mission().plan!.milestones[0]!.features[0]!.runs[0]!;
      w.twin.actions.start(run.run_id!);
      w.twin.actions.complete(run.run_id!, "failure");
      const after = () => w.mission().plan!.milestones[0]!.features[0]!.runs[0]!;
      w.minutes(15);
      if (how === "event") {
        await reconcileIssue(w.deps, w.job("workflow_run.completed"));
        expect(after().status).toBe("completed");
        continue;
      }
      // a pulse within the hour: nothing of the mission's issues changed, the run is not asked about
      await reconcileIssue(w.deps, w.job());
      expect(after().status).not.toBe("completed");
      w.minutes(60);
      await reconcileIssue(w.deps, w.job());
      expect(after().status).toBe("completed");
    }
  });

  it("a person's comment on a feature issue is seen at the next pulse", async () => {
    const w = world();
    await w.rest();
    const feature = w.mission().plan!.milestones[0]!.features[0]!.issue!.number;
    w.twin.as("alice").comment(feature, "A thought on this feature.");
    w.minutes(15);
    const requests = await w.during(() => reconcileIssue(w.deps, w.job()));
    expect(requests.length).toBeGreaterThan(1);
  });
});

describe("the ETag store", () => {
  it("keeps at most its size, the least recently used going first", async () => {
    const store = new MemoryEtagStore(2);
    const answer = (n: number) => ({ etag: `"${n}"`, url: `u${n}`, headers: {}, data: { n } });
    await store.set("a", answer(1));
    await store.set("b", answer(2));
    await store.get("a");
    await store.set("c", answer(3));
    expect(await store.get("b")).toBeUndefined();
    expect((await store.get("a"))?.data).toEqual({ n: 1 });
    expect(store.size).toBe(2);
  });
});
