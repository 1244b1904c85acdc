/**
 * GitHub's rules on opening pull requests, as the twin holds the app to them
 * (RULES.md 19): a head with nothing to merge, a branch that does not exist,
 * an open pull request from the same head, and GITHUB_TOKEN without the
 * repository's permission to open pull requests.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubTwin } from "../../src/twin/state.js";
import { serveWithNock } from "../support/twin-nock.js";
import { actionsOctokit, botOctokit, type TwinOctokit } from "../../src/twin/octokit.js";
import { contractTwin } from "../support/twin.js";

const repo = { owner: "acme", repo: "rocket" };

let twin: GitHubTwin;
let stop: () => void;
let octokit: TwinOctokit;

beforeEach(() => {
  twin = contractTwin({ checkResponses: true });
  twin.addRepo({ owner: "acme", name: "rocket", ownerType: "Organization", collaborators: { alice: "admin" }, files: { "README.md": "hi\n" } });
  stop = serveWithNock(twin);
  octokit = botOctokit(twin);
});

afterEach(() => stop());

async function refusal(p: Promise<unknown>): Promise<{ status: number; data: unknown }> {
  try {
    await p;
  } catch (error) {
    const e = error as { status: number; response?: { data?: unknown } };
    return { status: e.status, data: e.response?.data };
  }
  throw new Error("expected GitHub to refuse");
}

describe("19. opening a pull request", () => {
  it("opens one from a branch with commits, lists it by head, and refuses a second from the same head", async () => {
    twin.createBranch("mission/m-1");
    twin.writeFile("src/a.ts", "export {};\n", { branch: "mission/m-1" });
    const { data } = await octokit.rest.pulls.create({ ...repo, head: "mission/m-1", base: "main", title: "Hand-over", body: "done" });
    expect(data.head.ref).toBe("mission/m-1");
    expect(data.base.ref).toBe("main");
    const listed = await octokit.rest.pulls.list({ ...repo, head: "acme:mission/m-1", state: "open" });
    expect(listed.data.map((p) => p.number)).toEqual([data.number]);
    expect((await octokit.rest.pulls.list({ ...repo, head: "acme:other", state: "open" })).data).toEqual([]);
    const again = await refusal(octokit.rest.pulls.create({ ...repo, head: "mission/m-1", base: "main", title: "Hand-over" }));
    expect(again.status).toBe(422);
    expect(JSON.stringify(again.data)).toContain("A pull request already exists for acme:mission/m-1.");
    expect(twin.contractFailures).toEqual([]);
    expect(twin.responseFailures).toEqual([]);
  });

  it("refuses a head with no commits between the branches, and a head that does not exist", async () => {
    twin.createBranch("mission/m-2");
    const none = await refusal(octokit.rest.pulls.create({ ...repo, head: "mission/m-2", base: "main", title: "Hand-over" }));
    expect(none.status).toBe(422);
    expect(JSON.stringify(none.data)).toContain("No commits between main and mission/m-2");
    const missing = await refusal(octokit.rest.pulls.create({ ...repo, head: "mission/nope", base: "main", title: "Hand-over" }));
    expect(missing.status).toBe(422);
    expect(missing.data).toMatchObject({ errors: [{ resource: "PullRequest", field: "head", code: "invalid" }] });
  });

  it("refuses GITHUB_TOKEN unless the repository allows GitHub Actions to create pull requests", async () => {
    twin.createBranch("mission/m-3");
    twin.writeFile("src/a.ts", "export {};\n", { branch: "mission/m-3" });
    const actions = actionsOctokit(twin, "acme/rocket", { permissions: { contents: "write", pull_requests: "write" } });
    const refused = await refusal(actions.rest.pulls.create({ ...repo, head: "mission/m-3", base: "main", title: "Hand-over" }));
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.data)).toContain("GitHub Actions is not permitted to create or approve pull requests.");
  });
});
