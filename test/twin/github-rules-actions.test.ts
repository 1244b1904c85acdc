/**
 * GitHub Actions rules the twin holds the app to: a dispatched run shows in
 * the lists seconds later, re-runs, workflow_run chains, and what an
 * Enterprise Server release refuses.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitHubTwin } from "../../src/twin/state.js";
import { serveWithNock } from "../support/twin-nock.js";
import { readFileSync } from "node:fs";
import { actionsOctokit, botOctokit, userOctokit, type TwinOctokit } from "../../src/twin/octokit.js";
import { contractTwin } from "../support/twin.js";
import { TEST_EPOCH, testClock } from "../support/clock.js";

const repo = { owner: "acme", repo: "rocket" };

const WORKER = `name: mission worker
run-name: "mission \${{ inputs.mission }} / \${{ inputs.nonce }}"
on:
  workflow_dispatch:
    inputs:
      mission: { type: string, required: true }
      nonce: { type: string, required: true }
jobs:
  work: { runs-on: ubuntu-latest, steps: [{ run: echo }] }
`;

/** A workflow started when `after` completes. */
const follower = (name: string, after: string) => `name: ${name}
on:
  workflow_run:
    workflows: ["${after}"]
    types: [completed]
jobs:
  go: { runs-on: ubuntu-latest, steps: [{ run: echo }] }
`;

/** A workflow declaring `n` string inputs. */
const manyInputs = (n: number) =>
  `name: many\non:\n  workflow_dispatch:\n    inputs:\n${Array.from({ length: n }, (_, i) => `      i${i}: { type: string }\n`).join("")}jobs:\n  a: { runs-on: ubuntu-latest, steps: [{ run: echo }] }\n`;

let twin: GitHubTwin;
let stop: () => void;
let octokit: TwinOctokit;

function setUp(options: Parameters<typeof contractTwin>[0] = {}, files: Record<string, string> = {}): void {
  stop?.();
  twin = contractTwin({ checkResponses: true, ...options });
  twin.addRepo({
    owner: "acme",
    name: "rocket",
    ownerType: "Organization",
    collaborators: { alice: "admin" },
    files: { ".github/workflows/worker.yml": WORKER, ...files },
  });
  stop = serveWithNock(twin);
  octokit = botOctokit(twin, 1, options.server && options.server.startsWith("ghes") ? { baseUrl: twin.urls.api } : {});
}

beforeEach(() => setUp());

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

function dispatch(o: TwinOctokit, nonce: string, returnRunDetails = false) {
  return o.request("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", {
    ...repo,
    workflow_id: "worker.yml",
    ref: "main",
    inputs: { mission: "m-1", nonce },
    ...(returnRunDetails ? { return_run_details: true } : {}),
  } as never);
}

const listed = async () => (await octokit.rest.actions.listWorkflowRuns({ ...repo, workflow_id: "worker.yml", event: "workflow_dispatch" })).data.workflow_runs.map((r) => r.display_title);

// ---------------------------------------------------------------------------

describe("10. a dispatched run shows in the lists seconds later", () => {
  it("a 204 dispatch's run is not listed at once, and is after a few seconds", async () => {
    setUp({ now: () => TEST_EPOCH }); // a clock that moves only when the test moves it
    expect((await dispatch(octokit, "n1")).status).toBe(204);
    expect(await listed()).toEqual([]);
    expect((await octokit.rest.actions.listWorkflowRunsForRepo({ ...repo })).data.total_count).toBe(0);
    twin.advance(4_999);
    expect(await listed()).toEqual([]);
    twin.advance(1);
    expect(await listed()).toEqual(["mission m-1 / n1"]);
    clean();
  });

  it("with return_run_details the answer carries the run's id, and GET …/runs/{id} finds it at once", async () => {
    const res = await dispatch(octokit, "n2", true);
    const id = (res.data as unknown as { workflow_run_id: number }).workflow_run_id;
    expect((await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: id })).data.display_title).toBe("mission m-1 / n2");
    expect(await listed()).toEqual([]);
    clean();
  });

  it("the delay is an option (TwinOptions.dispatchVisibilityMs)", async () => {
    setUp({ dispatchVisibilityMs: 30_000, now: () => TEST_EPOCH }, {});
    await dispatch(octokit, "n3");
    twin.advance(29_000);
    expect(await listed()).toEqual([]);
    twin.advance(1_000);
    expect(await listed()).toEqual(["mission m-1 / n3"]);
  });
});

// ---------------------------------------------------------------------------

describe("12. re-runs", () => {
  it("POST …/rerun: same run id, run_attempt + 1, queued → in_progress → completed again, its workflow_run events again", async () => {
    const res = await dispatch(octokit, "r1", true);
    const id = (res.data as unknown as { workflow_run_id: number }).workflow_run_id;
    // a run still in progress cannot be re-run
    expect(await refusal(octokit.rest.actions.reRunWorkflow({ ...repo, run_id: id }))).toEqual({ status: 403, data: expect.objectContaining({ message: "This workflow is already running" }) });
    twin.actions.complete(id, "failure");
    const queued: Array<[number, number]> = [];
    twin.onQueued((run) => {
      queued.push([run.id, run.run_attempt]);
    });
    twin.takeEvents();

    expect((await octokit.rest.actions.reRunWorkflow({ ...repo, run_id: id })).status).toBe(201);
    let { data: run } = await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: id });
    expect([run.id, run.run_attempt, run.status, run.conclusion]).toEqual([id, 2, "queued", null]);
    expect(run.previous_attempt_url).toMatch(new RegExp(`/actions/runs/${id}/attempts/1$`));
    await twin.actions.settled();
    expect(queued).toEqual([[id, 2]]);

    twin.actions.start(id);
    twin.actions.complete(id, "success");
    ({ data: run } = await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: id }));
    expect([run.run_attempt, run.status, run.conclusion]).toEqual([2, "completed", "success"]);
    const runEvents = twin.takeEvents().filter((e) => e.name === "workflow_run");
    expect(runEvents.map((e) => [e.action, e.payload.workflow_run.id, e.payload.workflow_run.run_attempt])).toEqual([
      ["requested", id, 2],
      ["in_progress", id, 2],
      ["completed", id, 2],
    ]);
    clean();
  });

  it("a person can re-run from the run's page (twin.as(login).rerun); the re-run is sent by them", async () => {
    const res = await dispatch(octokit, "r2", true);
    const id = (res.data as unknown as { workflow_run_id: number }).workflow_run_id;
    twin.actions.complete(id, "cancelled");
    twin.takeEvents();
    twin.as("alice").rerun(id);
    const requested = twin.takeEvents().find((e) => e.name === "workflow_run" && e.action === "requested")!;
    expect(requested.sender).toBe("alice");
    expect(requested.payload.workflow_run).toMatchObject({ id, run_attempt: 2, triggering_actor: { login: "alice" }, actor: { login: "mission-bot[bot]" } });
    expect(() => twin.as("alice").rerun(id)).toThrow(/403 This workflow is already running/);
    // a person with write access can ask over the API too
    twin.actions.complete(id, "success");
    expect((await userOctokit(twin, "alice").rest.actions.reRunWorkflow({ ...repo, run_id: id })).status).toBe(201);
    expect(twin.actions.run(id)!.run_attempt).toBe(3);
  });
});

// ---------------------------------------------------------------------------

describe("13. workflow_run chains stop after three levels", () => {
  it("A → B → C → D run; E, a fourth level, does not start", async () => {
    setUp({}, {
      ".github/workflows/b.yml": follower("B", "mission worker"),
      ".github/workflows/c.yml": follower("C", "B"),
      ".github/workflows/d.yml": follower("D", "C"),
      ".github/workflows/e.yml": follower("E", "D"),
    });
    await dispatch(octokit, "chain");
    const completeAll = () => {
      for (const r of twin.actions.runs()) if (r.status !== "completed") twin.actions.complete(r.id, "success");
    };
    for (let i = 0; i < 6; i++) completeAll();
    expect(twin.actions.runs().map((r) => [r.name, r.event])).toEqual([
      ["mission worker", "workflow_dispatch"],
      ["B", "workflow_run"],
      ["C", "workflow_run"],
      ["D", "workflow_run"],
    ]);
    clean();
  });

  it("types and workflow names filter: a run that only started does not trigger `types: [completed]`", async () => {
    setUp({}, { ".github/workflows/b.yml": follower("B", "mission worker") });
    const res = await dispatch(octokit, "t", true);
    const id = (res.data as unknown as { workflow_run_id: number }).workflow_run_id;
    twin.actions.start(id);
    expect(twin.actions.runs().map((r) => r.name)).toEqual(["mission worker"]);
    twin.actions.complete(id, "failure");
    expect(twin.actions.runs().map((r) => r.name)).toEqual(["mission worker", "B"]);
  });
});

// ---------------------------------------------------------------------------

describe("11. Enterprise Server profiles", () => {
  it("GHES 3.19: return_run_details is 400, a plain dispatch 204; URLs are the server's; requests are checked against 3.19's description", async () => {
    setUp({ server: "ghes-3.19" });
    expect(twin.urls.api).toBe("https://ghes.example.com/api/v3");
    const r = await refusal(dispatch(octokit, "x", true));
    expect(r.status).toBe(400);
    expect(r.data?.message).toBe('Invalid request.\n\n"return_run_details" is not a permitted key.');
    expect((await dispatch(octokit, "y")).status).toBe(204);
    const { data: issue } = await octokit.rest.issues.create({ ...repo, title: "On the server" });
    expect(issue.url).toBe("https://ghes.example.com/api/v3/repos/acme/rocket/issues/1");
    expect(issue.html_url).toBe("https://ghes.example.com/acme/rocket/issues/1");
    clean();
  });

  it("an Enterprise Server names its release in every answer (X-GitHub-Enterprise-Version); github.com does not", async () => {
    setUp({ server: "ghes-3.19" });
    expect((await octokit.rest.repos.get({ ...repo })).headers["x-github-enterprise-version"]).toBe("enterprise-server@3.19.0");
    setUp({});
    expect((await octokit.rest.repos.get({ ...repo })).headers["x-github-enterprise-version"]).toBeUndefined();
  });

  it("GHES 3.19 has no sub-issue endpoints (404, and the description does not know them); dependencies it has", async () => {
    setUp({ server: "ghes-3.19" });
    const [a, b] = [twin.as("alice").createIssue({ title: "a" }), twin.as("alice").createIssue({ title: "b" })];
    expect((await refusal(octokit.rest.issues.addSubIssue({ ...repo, issue_number: a.number, sub_issue_id: b.id }))).status).toBe(404);
    expect((await refusal(octokit.rest.issues.listSubIssues({ ...repo, issue_number: a.number }))).status).toBe(404);
    expect((await refusal(octokit.rest.issues.getParent({ ...repo, issue_number: b.number }))).status).toBe(404);
    expect(twin.contractFailures.map((f) => f.problems[0])).toEqual([
      expect.stringMatching(/^no such route: POST \/repos\/acme\/rocket\/issues\/1\/sub_issues/),
      expect.stringMatching(/^no such route: GET \/repos\/acme\/rocket\/issues\/1\/sub_issues/),
      expect.stringMatching(/^no such route: GET \/repos\/acme\/rocket\/issues\/2\/parent/),
    ]);
    expect((await octokit.rest.issues.addBlockedByDependency({ ...repo, issue_number: a.number, issue_id: b.id })).status).toBe(201);
  });

  it("without a contract (the sandbox) the profile alone refuses the same", async () => {
    stop();
    twin = new GitHubTwin({ now: testClock(), server: "ghes-3.20" });
    twin.addRepo({ owner: "acme", name: "rocket", files: { ".github/workflows/worker.yml": WORKER } });
    stop = serveWithNock(twin);
    octokit = botOctokit(twin, 1, { baseUrl: twin.urls.api });
    expect((await refusal(dispatch(octokit, "x", true))).status).toBe(400);
    const a = twin.as("acme").createIssue({ title: "a" });
    expect((await refusal(octokit.rest.issues.listSubIssues({ ...repo, issue_number: a.number }))).status).toBe(404);
  });

  it("dispatch inputs: at most 25 on github.com, 10 on older Enterprise Server", async () => {
    const run = async (server: "github.com" | "ghes-3.19", n: number) => {
      stop();
      twin = new GitHubTwin({ now: testClock(), server });
      twin.addRepo({ owner: "acme", name: "rocket", files: { ".github/workflows/many.yml": manyInputs(n) } });
      stop = serveWithNock(twin);
      const o = botOctokit(twin, 1, { baseUrl: twin.urls.api });
      const inputs = Object.fromEntries(Array.from({ length: n }, (_, i) => [`i${i}`, "v"]));
      try {
        return (await o.rest.actions.createWorkflowDispatch({ ...repo, workflow_id: "many.yml", ref: "main", inputs })).status;
      } catch (e) {
        return (e as { status: number }).status;
      }
    };
    expect([await run("github.com", 25), await run("github.com", 26)]).toEqual([204, 422]);
    expect([await run("ghes-3.19", 10), await run("ghes-3.19", 11)]).toEqual([204, 422]);
  });

  it("rate limits are off by default on Enterprise Server, and on when its administrator enabled them", async () => {
    const count = (options: ConstructorParameters<typeof GitHubTwin>[0]) => {
      const t = new GitHubTwin({ now: testClock(), ...options });
      t.addRepo({ owner: "acme", name: "rocket" });
      const token = t.installationToken();
      return Array.from({ length: 3 }, () => t.handle({ method: "GET", path: "/repos/acme/rocket/issues", headers: { authorization: `token ${token}` } }).status);
    };
    expect(count({ server: "ghes-3.19", primaryLimit: 2 })).toEqual([200, 200, 200]);
    expect(count({ server: "ghes-3.19", primaryLimit: 2, rateLimits: true })).toEqual([200, 200, 403]);
    expect(count({ primaryLimit: 2 })).toEqual([200, 200, 403]);
  });
});


// ---------------------------------------------------------------------------

const COMMAND = readFileSync(new URL("../../templates/workflows/mission-command.yml", import.meta.url), "utf8");

describe("18. issue and comment events start workflows; the concurrency group keeps one running and one pending", () => {
  it("a person's form issue (opened, labeled) and comment start three runs of the command workflow in the issue's group: one runs, the newest waits, the middle one is cancelled", async () => {
    setUp({}, { ".github/workflows/mission-command.yml": COMMAND });
    const issue = twin.as("alice").createIssue({ title: "Mission: CRM", body: "Build a CRM", labels: ["mission"] });
    twin.as("alice").comment(issue.number, "/mission answer\nconstraints: none");
    const runs = twin.actions.runsOf("mission-command.yml");
    expect(runs.map((r) => [r.event, r.status, r.conclusion])).toEqual([
      ["issues", "queued", null],
      ["issues", "completed", "cancelled"],
      ["issue_comment", "pending", null],
    ]);
    expect(new Set(runs.map((r) => r.concurrency))).toEqual(new Set([`mission-acme/rocket-${issue.number}`]));
    // each run's github.event is the webhook's payload
    expect((twin.actions.eventPayload(runs[0]!.id) as { action: string }).action).toBe("opened");
    expect((twin.actions.eventPayload(runs[2]!.id) as { comment: { body: string } }).comment.body).toMatch(/^\/mission answer/);
    // the group frees: the pending run is queued
    twin.actions.complete(runs[0]!.id, "success");
    expect(twin.actions.run(runs[2]!.id)!.status).toBe("queued");
    clean();
  });

  it("nothing starts for what GITHUB_TOKEN writes; an App's token does start them; `types` filters", async () => {
    setUp({}, { ".github/workflows/mission-command.yml": COMMAND });
    const issue = twin.as("alice").createIssue({ title: "CRM", body: "x" });
    const before = twin.actions.runs().length;
    const actions = actionsOctokit(twin, "acme/rocket", { permissions: { issues: "write" } });
    await actions.rest.issues.createComment({ ...repo, issue_number: issue.number, body: "/mission status" });
    await actions.rest.issues.update({ ...repo, issue_number: issue.number, state: "closed" });
    expect(twin.actions.runs()).toHaveLength(before);
    await octokit.rest.issues.createComment({ ...repo, issue_number: issue.number, body: "from the App" });
    expect(twin.actions.runs()).toHaveLength(before + 1);
    // `issues: types: [opened, labeled, unlabeled, closed, reopened]`: an edit starts nothing
    await userOctokit(twin, "alice").rest.issues.update({ ...repo, issue_number: issue.number, title: "CRM!" });
    expect(twin.actions.runs()).toHaveLength(before + 1);
    clean();
  });
});
