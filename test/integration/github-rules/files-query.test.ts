/**
 * Files and folders in one GraphQL query (src/github/files-query.ts, twin
 * rule 29): what REST would have answered, in one request; `HEAD` is the
 * default branch; a file's sha is the one the contents API takes as a
 * write's precondition; a cut text is read by REST; a refused query falls
 * back to REST for everything.
 */
import { afterEach, describe, expect, it } from "vitest";
import { readObjects } from "../../../src/github/files-query.js";
import { listFolder, readFile, writeFile } from "../../../src/github/repo-files.js";
import { botOctokit } from "../../../src/twin/octokit.js";
import type { GitHubTwin } from "../../../src/twin/state.js";
import { contractTwin } from "../../support/twin.js";
import { serveWithNock } from "../../support/twin-nock.js";

const REPO = { owner: "acme", repo: "rocket" };
let twin: GitHubTwin;
let stop: (() => void) | undefined;
afterEach(() => stop?.());

function world() {
  twin = contractTwin({ checkResponses: true });
  twin.addRepo({ owner: REPO.owner, name: REPO.repo, ownerType: "Organization", collaborators: { alice: "write" } });
  twin.writeFile(".github/mission.yml", "mode: poc\n");
  twin.writeFile(".github/mission-agents/tester.md", "---\nname: tester\n---\nTest it.\n");
  twin.writeFile(".github/mission-agents/nested/deep.md", "deep\n");
  twin.createBranch("mission-bot/state", { orphan: true });
  twin.writeFile("todo/missions/m-1/mission.md", "state\n", { branch: "mission-bot/state" });
  stop = serveWithNock(twin);
  return botOctokit(twin);
}

const counted = (from: number) => ({
  graphql: twin.log.slice(from).filter((e) => e.path.endsWith("/graphql")).length,
  rest: twin.log.slice(from).filter((e) => !e.path.endsWith("/graphql")).length,
});

describe("files in one GraphQL query", () => {
  it("answers as the REST reads do, in one request", async () => {
    const octokit = world();
    const from = twin.log.length;
    const [config, state, missing, agents, none] = await readObjects(octokit, REPO, [
      { kind: "file", path: ".github/mission.yml" },
      { kind: "file", path: "todo/missions/m-1/mission.md", ref: "mission-bot/state" },
      { kind: "file", path: "todo/missions/m-2/mission.md", ref: "mission-bot/state" },
      { kind: "folder", path: ".github/mission-agents" },
      { kind: "folder", path: ".github/nothing-here" },
    ]);
    expect(counted(from)).toEqual({ graphql: 1, rest: 0 });
    expect(config).toEqual(await readFile(octokit, REPO, ".github/mission.yml"));
    expect(state).toEqual(await readFile(octokit, REPO, "todo/missions/m-1/mission.md", "mission-bot/state"));
    expect(missing).toBeNull();
    expect(none).toEqual([]);
    const listed = await listFolder(octokit, REPO, ".github/mission-agents");
    expect((agents as { name: string; type: string }[]).map(({ name, type }) => ({ name, type }))).toEqual(listed);
    expect(agents).toContainEqual({ name: "tester.md", type: "file", file: await readFile(octokit, REPO, ".github/mission-agents/tester.md") });
  });

  it("a file's sha is the contents API's: a write with it succeeds", async () => {
    const octokit = world();
    const [state] = await readObjects(octokit, REPO, [{ kind: "file", path: "todo/missions/m-1/mission.md", ref: "mission-bot/state" }]);
    const sha = (state as { sha: string }).sha;
    await writeFile(octokit, REPO, { path: "todo/missions/m-1/mission.md", text: "next\n", message: "next", sha, branch: "mission-bot/state", defaultBranch: "main" });
    expect((await readFile(octokit, REPO, "todo/missions/m-1/mission.md", "mission-bot/state"))?.text).toBe("next\n");
  });

  it("a text GraphQL cuts is read by REST; a refused query reads everything by REST", async () => {
    const octokit = world();
    const big = `${"x".repeat(600_000)}\n`;
    twin.writeFile(".github/mission.yml", big);
    let from = twin.log.length;
    const [config] = await readObjects(octokit, REPO, [{ kind: "file", path: ".github/mission.yml" }]);
    expect((config as { text: string }).text).toBe(big);
    expect(counted(from)).toEqual({ graphql: 1, rest: 1 });

    const fault = twin.fault({ kind: "bad-gateway", route: "/graphql", times: Infinity });
    from = twin.log.length;
    const [again, agents] = await readObjects(octokit, REPO, [
      { kind: "file", path: ".github/mission.yml" },
      { kind: "folder", path: ".github/mission-agents" },
    ]);
    fault.times = 0;
    expect((again as { text: string }).text).toBe(big);
    expect(agents).toEqual([
      { name: "nested", type: "dir" },
      { name: "tester.md", type: "file" },
    ]);
    expect(counted(from).rest).toBe(2);
  });
});
