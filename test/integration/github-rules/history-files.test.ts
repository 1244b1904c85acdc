/**
 * The forecast history reads the completed missions' files in one GraphQL
 * query (rule 29: `Repository.object`), not one REST read each: in
 * Actions-only mode every command run pays it on a GITHUB_TOKEN of 1,000 REST
 * requests an hour. A file GraphQL cuts (512,000 bytes) is read by REST; if
 * GraphQL fails, every file is, as before.
 */
import { afterEach, describe, expect, it } from "vitest";
import { completedMissions, loadHistory } from "../../../src/github/history.js";
import { renderMissionFile } from "../../../src/mission/markdown/mission-file.js";
import { missionPath } from "../../../src/mission/model.js";
import { botOctokit } from "../../../src/twin/octokit.js";
import type { GitHubTwin } from "../../../src/twin/state.js";
import { seedCompletedMissions } from "../../support/completed-missions.js";
import { STATE_BRANCH } from "../../support/missions.js";
import { contractTwin } from "../../support/twin.js";
import { serveWithNock } from "../../support/twin-nock.js";

const REPO = { owner: "acme", repo: "rocket" };
let twin: GitHubTwin;
let stop: (() => void) | undefined;
afterEach(() => stop?.());

function world(completed: number) {
  twin = contractTwin({ checkResponses: true });
  twin.addRepo({ owner: REPO.owner, name: REPO.repo, ownerType: "Organization", collaborators: { alice: "write" } });
  twin.createBranch(STATE_BRANCH, { orphan: true });
  const missions = seedCompletedMissions(twin, completed, { repo: "acme/rocket", by: "alice", bot: "github-actions[bot]" });
  stop = serveWithNock(twin);
  return { missions, octokit: botOctokit(twin) };
}

/** What reading the history asked of GitHub. */
function asked(from: number) {
  const entries = twin.log.slice(from);
  return {
    graphql: entries.filter((e) => e.path.endsWith("/graphql")).length,
    contents: entries.filter((e) => e.method === "GET" && e.path.includes("/contents/")).length,
    rest: entries.filter((e) => !e.path.endsWith("/graphql")).length,
  };
}

/** The same history read with GraphQL refused: the REST reads of before. */
async function byRest(octokit: ReturnType<typeof botOctokit>) {
  const fault = twin.fault({ kind: "bad-gateway", route: "/graphql", times: Infinity });
  try {
    return await loadHistory(octokit, REPO, STATE_BRANCH);
  } finally {
    fault.times = 0;
  }
}

describe("forecast history files", () => {
  it("5 completed missions cost 1 REST list and 1 GraphQL query, and give the history the REST reads give", async () => {
    const { missions, octokit } = world(5);
    let from = twin.log.length;
    const history = await loadHistory(octokit, REPO, STATE_BRANCH);
    expect(asked(from)).toEqual({ graphql: 1, contents: 0, rest: 1 });
    expect(new Set(history.map((f) => f.mission))).toEqual(new Set(missions.map((m) => m.id)));
    expect(history).toHaveLength(5 * 4);
    from = twin.log.length;
    expect(await byRest(octokit)).toEqual(history);
    expect(asked(from).contents).toBe(5);
    expect(twin.contractFailures).toEqual([]);
  }, 30_000);

  it("a file over GraphQL's 512,000 bytes of text is read by REST, whole", async () => {
    const { missions, octokit } = world(3);
    const big = missions[1]!;
    twin.writeFile(missionPath(big.id), `${renderMissionFile(big)}\n\n${"A long retrospective. ".repeat(30_000)}\n`, { branch: STATE_BRANCH, author: "github-actions[bot]" });
    const from = twin.log.length;
    const read = await completedMissions(octokit, REPO, STATE_BRANCH);
    expect(read.map((m) => m.id).sort()).toEqual(missions.map((m) => m.id).sort());
    expect(asked(from)).toEqual({ graphql: 1, contents: 1, rest: 2 });
    expect(twin.contractFailures).toEqual([]);
  }, 30_000);

  it("GraphQL failing, the files are read by REST as before; a file that does not say completed is not history", async () => {
    const { missions, octokit } = world(3);
    const fault = twin.fault({ kind: "bad-gateway", route: "/graphql", times: Infinity });
    const notDone = missions[2]!;
    twin.writeFile(missionPath(notDone.id), renderMissionFile({ ...notDone, status: "active" }), { branch: STATE_BRANCH, author: "github-actions[bot]" });
    const from = twin.log.length;
    const read = await completedMissions(octokit, REPO, STATE_BRANCH);
    expect(read.map((m) => m.id).sort()).toEqual([missions[0]!.id, missions[1]!.id].sort());
    expect(fault.hits).toBeGreaterThan(0);
    expect(asked(from).contents).toBe(3);
  }, 30_000);
});
