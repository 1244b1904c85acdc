/**
 * An Actions command run loads its mission with `.github/mission.yml`, the
 * mission's mission.md and the completed missions' list in ONE GraphQL query
 * (src/github/load-query.ts; the twin's rules 29 and 30), not three REST reads
 * of GITHUB_TOKEN's 1,000 an hour — and decides as the App's REST reads do.
 * A state branch named in mission.yml is not known before the query: the
 * mission's file is then read again there, by REST.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { GitHubTwin } from "../../../src/twin/state.js";
import { contractTwin } from "../../support/twin.js";
import { serveWithNock } from "../../support/twin-nock.js";
import { twinActionContext } from "../../support/twin-action.js";
import { TEST_EPOCH, testMissionId } from "../../support/clock.js";
import { answered, plan, STATE_BRANCH } from "../../support/missions.js";
import { seedCompletedMissions } from "../../support/completed-missions.js";
import { repoFiles } from "../../e2e/support/world.js";
import { run as command } from "../../../src/action/command.js";
import { loadSnapshot } from "../../../src/github/load.js";
import { loadHistory } from "../../../src/github/history.js";
import { actionsOctokit } from "../../../src/twin/octokit.js";
import { reconcile } from "../../../src/mission/reconcile.js";
import { renderMissionFile } from "../../../src/mission/markdown/mission-file.js";
import { LABELS, missionPath } from "../../../src/mission/model.js";
import type { Octokit } from "../../../src/github/client.js";

const BOT = "github-actions[bot]";
const REPO = { owner: "acme", repo: "crm" };
const PERMISSIONS = { contents: "write", issues: "write", actions: "write" } as const;

let twin: GitHubTwin;
let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
  expect(twin.contractFailures).toEqual([]);
});

/** A repository with one completed mission and one active mission (its plan not yet made into issues) on `stateBranch`. */
function world(stateBranch = STATE_BRANCH): { tracking: number; id: string } {
  twin = contractTwin({ checkResponses: true });
  const config: Record<string, string> = stateBranch === STATE_BRANCH ? {} : { ".github/mission.yml": `state_branch: ${stateBranch}\n` };
  twin.addRepo({ owner: REPO.owner, name: REPO.repo, ownerType: "Organization", collaborators: { alice: "write" }, files: repoFiles(config, { actionsOnly: true }) });
  twin.createBranch(STATE_BRANCH, { orphan: true });
  if (stateBranch !== STATE_BRANCH) twin.createBranch(stateBranch, { orphan: true });
  seedCompletedMissions(twin, 1, { repo: "acme/crm", by: "alice", bot: BOT });
  if (stateBranch !== STATE_BRANCH) {
    // the completed mission's file where this repository keeps its state
    for (const done of twin.issuesOf().filter((i) => i.labels.includes("mission:completed"))) {
      const id = done.labels.map((l) => /^mission:(m-.+)$/.exec(l)?.[1]).find(Boolean)!;
      twin.writeFile(missionPath(id), twin.readFile(missionPath(id), { ref: STATE_BRANCH })!.text, { author: BOT, message: "moved", branch: stateBranch });
    }
  }
  const tracking = twin.as("alice").createIssue({ title: "CRM", body: "The goal." }).number;
  const id = testMissionId("crm", tracking);
  const m = answered({ id, tracking_issue: tracking, status: "active", repo: "acme/crm", plan: plan([1]) });
  twin.writeFile(missionPath(id), renderMissionFile(m), { author: BOT, message: `mission ${id}: active [skip ci]`, branch: stateBranch });
  twin.as(BOT).addLabels(tracking, [LABELS.mission, LABELS.forMission(id)]);
  twin.takeEvents();
  stop = serveWithNock(twin);
  return { tracking, id };
}

interface Asked {
  method: string;
  url: string;
  params: Record<string, unknown>;
}

/** Every request the client sends, as asked (its route and parameters: the twin's log has no query strings). */
function recorded(octokit: Octokit): Asked[] {
  const out: Asked[] = [];
  octokit.hook.before("request", (options) => {
    const { method, url, ...params } = options as unknown as { method: string; url: string } & Record<string, unknown>;
    out.push({ method, url, params });
  });
  return out;
}

/** What was asked: the load's GraphQL queries, and the REST reads that query replaces. */
function asked(requests: Asked[], id: string) {
  const gets = requests.filter((r) => r.method === "GET");
  const contents = (path: string) => gets.filter((r) => r.url === "/repos/{owner}/{repo}/contents/{path}" && r.params.path === path).length;
  return {
    loadQueries: requests.filter((r) => r.url === "/graphql" && /issues\(labels:/.test(String(r.params.query))).length,
    configReads: contents(".github/mission.yml"),
    missionReads: contents(missionPath(id)),
    // (a paginated list asks its full URL)
    completedLists: gets.filter((r) => /\/repos\/[^/]+\/[^/]+\/issues(\?|$)/.test(r.url) && (r.params.labels === "mission:completed" || r.url.includes("labels=mission%3Acompleted"))).length,
  };
}

/** One load, as an Actions run's (`reads: "graphql"`) or the App's (REST) does it; the history read afresh. */
async function load(tracking: number, reads: "graphql" | "rest") {
  const octokit = actionsOctokit(twin, "acme/crm", { permissions: PERMISSIONS }) as unknown as Octokit;
  const requests = recorded(octokit);
  const loaded = await loadSnapshot({
    octokit,
    repo: REPO,
    issue: tracking,
    botLogin: BOT,
    reportLogins: [BOT],
    serverUrl: twin.urls.web,
    defaultBranch: "main",
    now: new Date(TEST_EPOCH).toISOString(),
    reads,
    history: (_config, where, completed) => loadHistory(octokit, REPO, where.stateBranch, completed),
  });
  return { loaded, requests };
}

describe("the Actions command run's load in one GraphQL query", () => {
  it("reads mission.yml, mission.md and the completed list in one query, none by REST, and decides as the REST reads do", { timeout: 60_000 }, async () => {
    const { tracking, id } = world();
    const byGraphql = await load(tracking, "graphql");
    expect(asked(byGraphql.requests, id)).toEqual({ loadQueries: 1, configReads: 0, missionReads: 0, completedLists: 0 });
    const byRest = await load(tracking, "rest");
    expect(asked(byRest.requests, id)).toEqual({ loadQueries: 0, configReads: 1, missionReads: 1, completedLists: 1 });
    expect(byGraphql.loaded.kind).toBe("snapshot");
    expect(byGraphql.loaded.snapshot.mission).toMatchObject({ kind: "found", mission: { id } });
    expect(byGraphql.loaded.snapshot.history.length).toBeGreaterThan(0);
    expect(byGraphql.loaded).toEqual(byRest.loaded);
    expect(reconcile(byGraphql.loaded.snapshot)).toEqual(reconcile(byRest.loaded.snapshot));

    // the command run itself: every load of it reads these three in its one query
    const { ctx } = twinActionContext(twin, {
      event: { name: "workflow_dispatch", payload: { inputs: { issue: String(tracking) }, repository: { default_branch: "main" } } },
      token: { actions: PERMISSIONS },
    });
    const requests = recorded(ctx.octokit);
    await command(ctx, () => twin.now());
    const run = asked(requests, id);
    expect(run.loadQueries).toBeGreaterThan(0);
    expect({ ...run, loadQueries: 0 }).toEqual({ loadQueries: 0, configReads: 0, missionReads: 0, completedLists: 0 });
    // and it did its work: the plan's milestone and feature are issues now
    expect(twin.issuesOf().filter((i) => i.labels.includes(LABELS.forMission(id).toLowerCase()) && i.number !== tracking)).toHaveLength(2);
  });

  it("a state branch named in mission.yml: the mission's file is read again there by REST, and the right mission is found", { timeout: 60_000 }, async () => {
    const { tracking, id } = world("missions/state");
    const byGraphql = await load(tracking, "graphql");
    expect(asked(byGraphql.requests, id)).toEqual({ loadQueries: 1, configReads: 0, missionReads: 1, completedLists: 0 });
    expect(byGraphql.loaded.snapshot.where.stateBranch).toBe("missions/state");
    expect(byGraphql.loaded.snapshot.mission).toMatchObject({ kind: "found", mission: { id } });
    const byRest = await load(tracking, "rest");
    expect(byGraphql.loaded).toEqual(byRest.loaded);
  });

  it("what does not validate is reported as the REST reads report it: mission.yml, mission.md, a label whose file names another issue", { timeout: 60_000 }, async () => {
    const { tracking, id } = world();
    const same = async () => {
      const [byGraphql, byRest] = [await load(tracking, "graphql"), await load(tracking, "rest")];
      expect(byGraphql.loaded).toEqual(byRest.loaded);
      return byGraphql.loaded;
    };
    twin.writeFile(".github/mission.yml", "max_parallel_workers: many\n", { author: "alice", message: "oops" });
    const badConfig = await same();
    expect(badConfig.kind).toBe("config-invalid");
    twin.writeFile(".github/mission.yml", "max_parallel_workers: 2\n", { author: "alice", message: "fixed" });

    twin.writeFile(missionPath(id), `# Mission\ntracking_issue: ${tracking}\nstatus: nonsense\n`, { author: BOT, message: "broken", branch: STATE_BRANCH });
    expect((await same()).snapshot.mission).toMatchObject({ kind: "invalid", id });

    twin.writeFile(missionPath(id), renderMissionFile(answered({ id, tracking_issue: tracking + 100, status: "active", repo: "acme/crm", plan: plan([1]) })), { author: BOT, message: "elsewhere", branch: STATE_BRANCH });
    expect((await same()).snapshot.mission).toEqual({ kind: "none" });
  });

  it("GraphQL failing, the three are read by REST as before, and the load is the same", { timeout: 60_000 }, async () => {
    const { tracking, id } = world();
    const fault = twin.fault({ kind: "bad-gateway", route: "/graphql", times: Infinity });
    const byGraphql = await load(tracking, "graphql");
    fault.times = 0;
    expect(asked(byGraphql.requests, id)).toMatchObject({ configReads: 1, missionReads: 1, completedLists: 1 });
    expect(byGraphql.loaded).toEqual((await load(tracking, "rest")).loaded);
  });
});
