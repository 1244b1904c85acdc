/**
 * GitHub's rules on repository contents, as the twin holds the app to them:
 * branch protection and rulesets, files over 1 MB, and what a commit starts
 * (push workflows, except for GITHUB_TOKEN's commits and `[skip ci]`).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubTwin } from "../../src/twin/state.js";
import { serveWithNock } from "../support/twin-nock.js";
import { actionsOctokit, botOctokit, type TwinOctokit } from "../../src/twin/octokit.js";
import { contractTwin } from "../support/twin.js";
import { gitBlobSha } from "../../src/twin/state.js";

const repo = { owner: "acme", repo: "rocket" };

const CI = `name: CI
on:
  push:
    branches: [main, "release/**"]
    paths-ignore: ["docs/**"]
jobs:
  test: { runs-on: ubuntu-latest, steps: [{ run: npm test }] }
`;

const PULSE = `name: mission pulse
on:
  workflow_dispatch:
  repository_dispatch:
    types: [mission-pulse]
permissions:
  contents: write
  issues: write
  actions: write
jobs:
  pulse: { runs-on: ubuntu-latest, steps: [{ run: echo }] }
`;

let twin: GitHubTwin;
let stop: () => void;
let octokit: TwinOctokit;

beforeEach(() => {
  twin = contractTwin({ checkResponses: true });
  twin.addRepo({
    owner: "acme",
    name: "rocket",
    ownerType: "Organization",
    collaborators: { alice: "admin", wes: "write" },
    files: { ".github/workflows/ci.yml": CI, ".github/workflows/pulse.yml": PULSE, "README.md": "hi\n" },
  });
  stop = serveWithNock(twin);
  octokit = botOctokit(twin);
});

afterEach(() => {
  stop();
});

function clean(): void {
  expect(twin.contractFailures).toEqual([]);
  expect(twin.responseFailures).toEqual([]);
}

async function refusal(p: Promise<unknown>): Promise<{ status: number; data: { message?: string } | undefined }> {
  try {
    await p;
  } catch (e) {
    const err = e as { status: number; response?: { data?: { message?: string } } };
    return { status: err.status, data: err.response?.data };
  }
  throw new Error("expected GitHub to refuse the request");
}

function put(o: TwinOctokit, path: string, text: string, extra: { branch?: string; sha?: string; message?: string } = {}) {
  return o.rest.repos.createOrUpdateFileContents({ ...repo, path, message: extra.message ?? `write ${path}`, content: Buffer.from(text).toString("base64"), ...extra });
}

// ---------------------------------------------------------------------------

describe("7. branch protection and rulesets", () => {
  it("a contents write to a protected branch is 409 with the rule, not a sha conflict; other branches are free", async () => {
    twin.protectBranch("main");
    const r = await refusal(put(octokit, "todo/missions/m-1/mission.md", "v1\n"));
    expect(r.status).toBe(409);
    expect(r.data?.message).toBe("Changes must be made through a pull request.");
    expect(twin.readFile("todo/missions/m-1/mission.md")).toBeUndefined();

    twin.repo().branches.set("state", twin.repo().branches.get("main")!);
    expect((await put(octokit, "todo/missions/m-1/mission.md", "v1\n", { branch: "state" })).status).toBe(201);
    clean();
  });

  it("a ruleset answers Repository rule violations found, with a required status check; its bypass list lets the bot through", async () => {
    twin.addRuleset({ name: "Protect main", requirePullRequest: false, requiredStatusChecks: ["ci"] });
    const r = await refusal(put(octokit, "a.md", "a\n"));
    expect(r.status).toBe(409);
    expect(r.data?.message).toBe('Repository rule violations found\n\nRequired status check "ci" is expected.\n\n');

    // a git ref update is refused the same way
    const head = twin.repo().branches.get("main")!;
    const { data: blob } = await octokit.rest.git.createBlob({ ...repo, content: "b\n" });
    const { data: tree } = await octokit.rest.git.createTree({ ...repo, base_tree: twin.repo().commits.get(head)!.tree, tree: [{ path: "b.md", mode: "100644", type: "blob", sha: blob.sha }] });
    const { data: commit } = await octokit.rest.git.createCommit({ ...repo, message: "b", tree: tree.sha, parents: [head] });
    const ref = await refusal(octokit.rest.git.updateRef({ ...repo, ref: "heads/main", sha: commit.sha }));
    expect(ref.status).toBe(409);
    expect(ref.data?.message).toMatch(/^Repository rule violations found/);
    expect(twin.repo().branches.get("main")).toBe(head);

    twin.repo().rules[0]!.bypass.push("mission-bot[bot]");
    expect((await octokit.rest.git.updateRef({ ...repo, ref: "heads/main", sha: commit.sha })).status).toBe(200);
    expect(twin.readFile("b.md")?.text).toBe("b\n");
    clean();
  });

  it("a person's push is declined (GH006 for protection, GH013 for a ruleset); an admin passes classic protection unless enforced", () => {
    twin.protectBranch("main");
    expect(() => twin.as("wes").writeFile("x.md", "x")).toThrow(/GH006: Protected branch update failed for refs\/heads\/main\.[\s\S]*Changes must be made through a pull request\./);
    expect(() => twin.as("alice").writeFile("x.md", "x")).not.toThrow();
    twin.addRuleset({ include: "~ALL" });
    expect(() => twin.as("alice").writeFile("y.md", "y")).toThrow(/GH013: Repository rule violations found for refs\/heads\/main/);
  });
});

// ---------------------------------------------------------------------------

describe("8. contents over 1 MB", () => {
  it("GET contents gives content \"\" and encoding none; the blob API gives the bytes", async () => {
    const big = "x".repeat(1024 * 1024 + 1);
    const sha = twin.writeFile("data/big.json", big);
    const { data } = await octokit.rest.repos.getContent({ ...repo, path: "data/big.json" });
    if (Array.isArray(data) || data.type !== "file") throw new Error("expected a file");
    expect({ content: data.content, encoding: data.encoding, size: data.size, sha: data.sha }).toEqual({ content: "", encoding: "none", size: big.length, sha });

    const { data: blob } = await octokit.rest.git.getBlob({ ...repo, file_sha: sha });
    expect(blob.encoding).toBe("base64");
    expect(Buffer.from(blob.content, "base64").toString()).toBe(big);
    expect(blob.size).toBe(big.length);

    // 1 MB exactly is still served
    const edge = "y".repeat(1024 * 1024);
    twin.writeFile("data/edge.json", edge);
    const { data: e } = await octokit.rest.repos.getContent({ ...repo, path: "data/edge.json" });
    if (Array.isArray(e) || e.type !== "file") throw new Error("expected a file");
    expect(e.encoding).toBe("base64");
    expect(gitBlobSha(Buffer.from(e.content, "base64"))).toBe(e.sha);
    clean();
  });
});

// ---------------------------------------------------------------------------

describe("9. what a commit starts", () => {
  const pushRuns = () => twin.actions.runs({ event: "push" });

  it("a commit made with the app's installation token starts the push workflows whose filters match", async () => {
    const { data } = await put(octokit, "src/app.ts", "export {};\n");
    expect(pushRuns().map((r) => [r.name, r.head_branch, r.head_sha, r.actor.login])).toEqual([["CI", "main", data.commit.sha, "mission-bot[bot]"]]);
    expect(twin.eventsNamed("workflow_run.requested").at(-1)!.payload.workflow_run).toMatchObject({ event: "push", head_sha: data.commit.sha });

    // branch and path filters
    twin.repo().branches.set("topic", twin.repo().branches.get("main")!);
    await put(octokit, "src/b.ts", "b\n", { branch: "topic" });
    await put(octokit, "docs/guide.md", "g\n");
    expect(pushRuns()).toHaveLength(1);
    twin.repo().branches.set("release/1.0", twin.repo().branches.get("main")!);
    await put(octokit, "src/c.ts", "c\n", { branch: "release/1.0" });
    expect(pushRuns().map((r) => r.head_branch)).toEqual(["main", "release/1.0"]);
    clean();
  });

  it("a commit made with GITHUB_TOKEN starts none; nor does one whose message says [skip ci] (or a variant)", async () => {
    const actions = actionsOctokit(twin, "acme/rocket", { permissions: { contents: "write" } });
    const { data } = await put(actions, "todo/missions/m-1/mission.md", "v1\n");
    expect(data.commit.author?.name).toBe("github-actions[bot]");
    expect(pushRuns()).toEqual([]);

    for (const marker of ["[skip ci]", "[ci skip]", "[no ci]", "[skip actions]", "[actions skip]"]) {
      await put(octokit, `skip/${marker.length}${marker[1]}.md`, "s\n", { message: `chore: state ${marker}` });
    }
    await put(octokit, "skip/trailer.md", "s\n", { message: "chore: state\n\n\nskip-checks: true" });
    expect(pushRuns()).toEqual([]);
    clean();
  });

  it("GITHUB_TOKEN may still start workflow_dispatch and repository_dispatch runs (the documented exceptions)", async () => {
    const actions = actionsOctokit(twin, "acme/rocket", { permissions: { contents: "write", actions: "write" } });
    await actions.rest.repos.createDispatchEvent({ ...repo, event_type: "mission-pulse" });
    await actions.rest.repos.createDispatchEvent({ ...repo, event_type: "something-else" });
    await actions.rest.actions.createWorkflowDispatch({ ...repo, workflow_id: "pulse.yml", ref: "main" });
    expect(twin.actions.runs().map((r) => [r.name, r.event, r.actor.login])).toEqual([
      ["mission pulse", "repository_dispatch", "github-actions[bot]"],
      ["mission pulse", "workflow_dispatch", "github-actions[bot]"],
    ]);
    clean();
  });

  it("a person's push starts them; seeding a file does not", () => {
    twin.writeFile("seeded.md", "s\n");
    expect(pushRuns()).toEqual([]);
    twin.as("wes").writeFile("src/x.ts", "x\n");
    expect(pushRuns().map((r) => r.actor.login)).toEqual(["wes"]);
  });

  it("GITHUB_TOKEN reaches its own repository only, with its workflow's permissions; it cannot write workflow files, nor can an app without `workflows`", async () => {
    const readOnly = actionsOctokit(twin, "acme/rocket");
    expect((await readOnly.rest.repos.getContent({ ...repo, path: "README.md" })).status).toBe(200);
    expect((await refusal(put(readOnly, "a.md", "a\n"))).status).toBe(403);
    const writer = actionsOctokit(twin, "acme/rocket", { permissions: { contents: "write" } });
    expect((await refusal(put(writer, ".github/workflows/new.yml", "on: push\n"))).status).toBe(404);
    expect((await refusal(put(octokit, ".github/workflows/new.yml", "on: push\n"))).status).toBe(404);

    twin.addRepo({ owner: "acme", name: "secret", private: true });
    expect((await refusal(writer.rest.repos.get({ owner: "acme", repo: "secret" }))).status).toBe(404);

    // a run's token has what the workflow declares
    await octokit.rest.actions.createWorkflowDispatch({ ...repo, workflow_id: "pulse.yml", ref: "main" });
    const runToken = actionsOctokit(twin, "acme/rocket", { runId: twin.actions.runs().at(-1)!.id });
    expect((await runToken.rest.issues.create({ ...repo, title: "from the pulse" })).data.performed_via_github_app?.slug).toBe("github-actions");
    clean();
  });
});

describe("26. listing commits: sha, path, since", () => {
  it("lists a branch's commits newest first, only those that changed the path, since a time; an unknown branch is 404", async () => {
    const start = twin.now();
    twin.advance(60_000);
    await put(octokit, "todo/missions/m-1/mission.md", "one\n", { message: "mission m-1: started" });
    twin.advance(60_000);
    await put(octokit, "docs/notes.md", "hello\n");
    twin.advance(60_000);
    await put(octokit, "todo/missions/m-2/mission.md", "two\n", { message: "mission m-2: started" });
    const messages = async (q: { sha?: string; path?: string; since?: string }) => (await octokit.rest.repos.listCommits({ ...repo, ...q })).data.map((c) => c.commit.message);
    expect(await messages({ path: "todo/missions" })).toEqual(["mission m-2: started", "mission m-1: started"]);
    expect(await messages({ path: "todo/missions", since: new Date(start + 90_000).toISOString() })).toEqual(["mission m-2: started"]);
    expect(await messages({ sha: "main", path: "docs/notes.md" })).toEqual(["write docs/notes.md"]);
    expect((await messages({ sha: "main" })).slice(0, 3)).toEqual(["mission m-2: started", "write docs/notes.md", "mission m-1: started"]);
    expect((await refusal(octokit.rest.repos.listCommits({ ...repo, sha: "no-such-branch" }))).status).toBe(404);
    clean();
  });
});

describe("27. what the pulse asks: issues updated since, runs by status and creation", () => {
  it("an issue's `updated_at` moves on a comment, a label, an edit and a close; the issues list `since` keeps those updated at or after it", async () => {
    const [quiet, commented, labelled, edited, closed] = ["a", "b", "c", "d", "e"].map((t) => twin.as("alice").createIssue({ title: t, body: "" }).number);
    twin.advance(60_000);
    const since = new Date(twin.now()).toISOString();
    twin.advance(60_000);
    twin.as("alice").comment(commented!, "hello");
    twin.as("alice").addLabels(labelled!, ["bug"]);
    twin.as("alice").editIssue(edited!, { body: "more" });
    twin.as("alice").closeIssue(closed!);
    const { data } = await octokit.rest.issues.listForRepo({ ...repo, state: "all", since, sort: "updated", direction: "desc", per_page: 100 });
    expect(data.map((i) => i.number).sort((a, b) => a - b)).toEqual([commented, labelled, edited, closed]);
    expect(data.map((i) => i.number)).not.toContain(quiet);
    clean();
  });

  it("the runs list's `status` matches a status or a conclusion; `created` takes the search syntax", async () => {
    const first = twin.actions.dispatch(repo.owner + "/" + repo.repo, "pulse.yml", { ref: "main" });
    if (!first.ok) throw new Error(first.message);
    twin.actions.complete(first.run.id, "success");
    twin.advance(60_000);
    const second = twin.actions.dispatch(repo.owner + "/" + repo.repo, "pulse.yml", { ref: "main" });
    if (!second.ok) throw new Error(second.message);
    twin.actions.start(second.run.id);
    twin.advance(10_000);
    const ids = async (q: { status?: "success" | "in_progress"; created?: string }) => (await octokit.rest.actions.listWorkflowRuns({ ...repo, workflow_id: "pulse.yml", ...q })).data.workflow_runs.map((r) => r.id);
    expect(await ids({ status: "success" })).toEqual([first.run.id]);
    expect(await ids({ status: "in_progress" })).toEqual([second.run.id]);
    expect(await ids({ created: `>=${new Date(twin.now() - 30_000).toISOString()}` })).toEqual([second.run.id]);
    clean();
  });
});
