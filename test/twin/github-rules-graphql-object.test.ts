/**
 * Rule 29 (test/twin/RULES.md): GraphQL `Repository.object(expression: "<ref>:<path>")`
 * reads a file as a Blob — its text cut at 512,000 bytes with `isTruncated`, none
 * for a binary file — a path with nothing there is null, and it needs
 * `contents: read` as the REST contents read does.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { GitHubTwin } from "../../src/twin/state.js";
import { serveWithNock } from "../support/twin-nock.js";
import { actionsOctokit, botOctokit } from "../../src/twin/octokit.js";
import { contractTwin } from "../support/twin.js";

let twin: GitHubTwin;
let stop: (() => void) | undefined;

function setUp(): void {
  twin = contractTwin({ checkResponses: true });
  twin.addRepo({ owner: "acme", name: "rocket", ownerType: "Organization", collaborators: { alice: "admin" } });
  stop = serveWithNock(twin);
}

afterEach(() => stop?.());

const OBJECTS = `query($owner: String!, $name: String!, $a: String!, $b: String!) {
  repository(owner: $owner, name: $name) {
    a: object(expression: $a) { __typename ... on Blob { text oid byteSize isBinary isTruncated } }
    b: object(expression: $b) { __typename ... on Blob { text oid byteSize isBinary isTruncated } }
  }
}`;
type Blob = { __typename: string; text: string | null; oid: string; byteSize: number; isBinary: boolean; isTruncated: boolean } | null;
type Objects = { repository: { a: Blob; b: Blob } };

describe("29. GraphQL Repository.object", () => {
  it("reads files of a branch and of a commit as Blobs; nothing there is null; a folder is a Tree", async () => {
    setUp();
    twin.createBranch("state", { orphan: true });
    twin.writeFile("todo/missions/m-1/mission.md", "# Mission\nstatus: completed\n", { branch: "state" });
    const sha = twin.head(twin.repo("acme/rocket"), "state")!.sha;
    const octokit = botOctokit(twin);
    const got = await octokit.graphql<Objects>(OBJECTS, { owner: "acme", name: "rocket", a: "state:todo/missions/m-1/mission.md", b: "state:todo/missions/m-2/mission.md" });
    expect(got.repository.a).toEqual({ __typename: "Blob", text: "# Mission\nstatus: completed\n", oid: twin.readFile("todo/missions/m-1/mission.md", { ref: "state" })!.sha, byteSize: 28, isBinary: false, isTruncated: false });
    expect(got.repository.b).toBeNull();
    const byCommit = await octokit.graphql<Objects>(OBJECTS, { owner: "acme", name: "rocket", a: `${sha}:todo/missions/m-1/mission.md`, b: "state:todo/missions" });
    expect(byCommit.repository.a?.text).toBe("# Mission\nstatus: completed\n");
    expect(byCommit.repository.b).toEqual({ __typename: "Tree" });
    expect(twin.contractFailures).toEqual([]);
  }, 30_000);

  it("cuts Blob.text at 512,000 bytes and says so; a binary file has no text", async () => {
    setUp();
    twin.writeFile("big.md", "x".repeat(600_000));
    twin.writeFile("bin.dat", "a\u0000b");
    const got = await botOctokit(twin).graphql<Objects>(OBJECTS, { owner: "acme", name: "rocket", a: "main:big.md", b: "main:bin.dat" });
    expect(got.repository.a).toMatchObject({ byteSize: 600_000, isTruncated: true });
    expect(got.repository.a?.text).toHaveLength(512_000);
    expect(got.repository.b).toMatchObject({ isBinary: true, text: null });
  }, 30_000);

  it("needs contents: read, as the REST read does", async () => {
    setUp();
    twin.writeFile("README.md", "hello");
    const query = { owner: "acme", name: "rocket", a: "main:README.md", b: "main:nope" };
    const reader = actionsOctokit(twin, "acme/rocket");
    expect((await reader.graphql<Objects>(OBJECTS, query)).repository.a?.text).toBe("hello");
    const blind = actionsOctokit(twin, "acme/rocket", { permissions: { contents: "none", issues: "write" } });
    await expect(blind.graphql(OBJECTS, query)).rejects.toMatchObject({ errors: [expect.objectContaining({ type: "FORBIDDEN" }), expect.anything()] });
    await expect(blind.rest.repos.getContent({ owner: "acme", repo: "rocket", path: "README.md" })).rejects.toMatchObject({ status: 403 });
  }, 30_000);
});
