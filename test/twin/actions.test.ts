/**
 * GitHub Actions in the twin, driven through the bot's own client
 * (ProbotOctokit over fetch, intercepted by nock): dispatch as GitHub answers
 * it, runs and their filters, cancel, concurrency groups, the events, and
 * the test's runner API.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import * as ajvFormatsModule from "ajv-formats";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toJsonSchema } from "../support/contract.js";
import { dateQuery, interpolate, parseWorkflow } from "../../src/twin/actions.js";
import { serveWithNock } from "../support/twin-nock.js";
import { botOctokit, userOctokit, type TwinOctokit } from "../../src/twin/octokit.js";
import type { GitHubTwin } from "../../src/twin/state.js";
import type { TwinEvent } from "../../src/twin/webhooks.js";
import { contractTwin } from "../support/twin.js";

const repo = { owner: "acme", repo: "rocket" };

const WORKER = `name: mission worker
run-name: "mission \${{ inputs.mission }} / \${{ github.event.inputs.feature }} / \${{ inputs.nonce }} by \${{ github.actor }}"
on:
  workflow_dispatch:
    inputs:
      mission: { type: string, required: true }
      feature: { type: string, required: true }
      nonce: { type: string, required: true }
      model: { type: choice, options: [sonnet, opus], default: sonnet }
      dry_run: { type: boolean, default: false }
      max_turns: { type: number, required: false }
concurrency:
  group: mission-\${{ inputs.mission }}-\${{ inputs.feature }}
jobs:
  work:
    name: Work on the feature
    runs-on: ubuntu-latest
    steps:
      - run: echo working
`;

const CI = `name: CI
on: [push, pull_request]
jobs:
  test: { runs-on: ubuntu-latest, steps: [{ run: npm test }] }
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
    collaborators: { alice: "admin", rita: "read" },
    files: { ".github/workflows/worker.yml": WORKER, ".github/workflows/ci.yml": CI, "README.md": "hi\n" },
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
  expect(twin.actions.unsupported).toEqual([]);
}

async function statusOf(p: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    const r = (await p) as { status: number };
    return { status: r.status, message: "" };
  } catch (e) {
    const err = e as { status: number; response?: { data?: { message?: string } } };
    return { status: err.status, message: err.response?.data?.message ?? "" };
  }
}

const inputs = { mission: "m-1", feature: "f-1", nonce: "n1" };

/** The bot's exact call (src/github/apply.ts). */
function dispatch(body: Record<string, unknown>, workflow = "worker.yml", o: TwinOctokit = octokit) {
  return o.request("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", { ...repo, workflow_id: workflow, ref: "main", ...body } as never);
}

describe("workflows", () => {
  it("are the files under .github/workflows on the default branch, by id or file name", async () => {
    const { data } = await octokit.rest.actions.listRepoWorkflows(repo);
    expect(data.total_count).toBe(2);
    expect(data.workflows.map((w) => [w.name, w.path, w.state])).toEqual([
      ["CI", ".github/workflows/ci.yml", "active"],
      ["mission worker", ".github/workflows/worker.yml", "active"],
    ]);
    const worker = data.workflows[1]!;
    expect((await octokit.rest.actions.getWorkflow({ ...repo, workflow_id: "worker.yml" })).data.id).toBe(worker.id);
    expect((await octokit.rest.actions.getWorkflow({ ...repo, workflow_id: worker.id })).data.path).toBe(worker.path);
    expect((await statusOf(octokit.rest.actions.getWorkflow({ ...repo, workflow_id: "nope.yml" }))).status).toBe(404);
    clean();
  });
});

describe("workflow_dispatch", () => {
  it("with return_run_details answers 200 with the run's id and URLs; the run exists, queued", async () => {
    const res = await dispatch({ inputs, return_run_details: true });
    expect(res.status).toBe(200);
    const data = res.data as unknown as { workflow_run_id: number; run_url: string; html_url: string };
    expect(data.workflow_run_id).toBeGreaterThan(2 ** 32);
    expect(data.run_url).toBe(`https://api.github.com/repos/acme/rocket/actions/runs/${data.workflow_run_id}`);
    expect(data.html_url).toBe(`https://github.com/acme/rocket/actions/runs/${data.workflow_run_id}`);

    const { data: run } = await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: data.workflow_run_id });
    expect(run).toMatchObject({
      id: data.workflow_run_id,
      name: "mission worker",
      event: "workflow_dispatch",
      status: "queued",
      conclusion: null,
      head_branch: "main",
      run_number: 1,
      run_attempt: 1,
      path: ".github/workflows/worker.yml",
      actor: { login: "mission-bot[bot]" },
    });
    expect(run.head_sha).toBe(twin.head(twin.repo(), "main")!.sha);
    // the inputs are not in the run; the twin keeps them for tests (defaults filled in, strings)
    expect(run).not.toHaveProperty("inputs");
    expect(twin.runInputs(run.id)).toEqual({ ...inputs, model: "sonnet", dry_run: "false" });
    clean();
  });

  it("without return_run_details answers 204 with no body, and still creates the run", async () => {
    const res = await dispatch({ inputs });
    expect(res.status).toBe(204);
    expect(res.data).toBe(""); // Octokit's data for a 204
    expect(twin.log.at(-1)).toMatchObject({ route: "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", status: 204 });
    expect(twin.actions.runsOf("worker.yml")).toHaveLength(1);
    clean();
  });

  it("refuses inputs the workflow does not declare (422), and creates no run", async () => {
    const r = await statusOf(dispatch({ inputs: { ...inputs, colour: "red", size: "xl" }, return_run_details: true }));
    expect(r).toEqual({ status: 422, message: 'Unexpected inputs provided: ["colour","size"]' });
    expect(twin.actions.runs()).toEqual([]);
    clean();
  });

  it("answers as GitHub for every other refusal", async () => {
    const missing = await statusOf(dispatch({ inputs: { mission: "m-1", nonce: "n" } }));
    expect(missing).toEqual({ status: 422, message: "Required input 'feature' not provided" });
    expect(await statusOf(dispatch({ inputs, ref: "no-such-branch" }))).toEqual({ status: 422, message: "No ref found for: no-such-branch" });
    expect(await statusOf(dispatch({ inputs: {} }, "ci.yml"))).toEqual({ status: 422, message: "Workflow does not have 'workflow_dispatch' trigger" });
    expect((await statusOf(dispatch({ inputs }, "absent.yml"))).status).toBe(404);
    expect((await statusOf(dispatch({ inputs: { ...inputs, model: "gpt" } }))).message).toBe("Provided value 'gpt' for input 'model' not in the list of allowed values");
    // a workflow only on another branch is not dispatchable (it must be on the default branch)
    twin.writeFile(".github/workflows/side.yml", WORKER.replace("mission worker", "side"), { branch: "main" });
    twin.repo().branches.set("topic", twin.repo().branches.get("main")!);
    twin.writeFile(".github/workflows/topic-only.yml", WORKER, { branch: "topic" });
    expect((await statusOf(dispatch({ inputs }, "topic-only.yml"))).status).toBe(404);
    // more than 25 inputs: the REST description's own limit
    const many = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`i${i}`, "x"]));
    expect((await statusOf(dispatch({ inputs: many }))).status).toBe(422);
    expect(twin.contractFailures).toHaveLength(1);
    twin.contractFailures.length = 0;
    // a person with read access may not dispatch
    expect((await statusOf(dispatch({ inputs }, "worker.yml", userOctokit(twin, "rita")))).status).toBe(403);
    expect(twin.actions.runs()).toEqual([]);
    clean();
  });

  it("coerces values to strings, as GitHub passes them", async () => {
    await dispatch({ inputs: { ...inputs, max_turns: 40, dry_run: true } });
    const [run] = twin.actions.runs();
    expect(twin.runInputs(run!.id)).toMatchObject({ max_turns: "40", dry_run: "true" });
    clean();
  });

  it("interpolates run-name into display_title (inputs, github.event.inputs, github.actor)", async () => {
    const { data } = (await dispatch({ inputs, return_run_details: true })) as unknown as { data: { workflow_run_id: number } };
    const { data: run } = await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: data.workflow_run_id });
    expect(run.display_title).toBe("mission m-1 / f-1 / n1 by mission-bot[bot]");
    // without run-name, the workflow's name
    twin.writeFile(".github/workflows/plain.yml", "name: Plain\non: workflow_dispatch\njobs: { a: { runs-on: ubuntu-latest, steps: [] } }\n");
    await dispatch({}, "plain.yml");
    expect(twin.actions.runsOf("plain.yml")[0]!.display_title).toBe("Plain");
    clean();
  });

  it("costs 5 points and is not counted as content creation", async () => {
    const before = { points: twin.counters.points, content: twin.counters.content.total };
    await dispatch({ inputs, return_run_details: true });
    expect(twin.counters.points - before.points).toBe(5);
    expect(twin.counters.content.total).toBe(before.content);
    const [run] = twin.actions.runs();
    await octokit.rest.actions.cancelWorkflowRun({ ...repo, run_id: run!.id });
    expect(twin.counters.points - before.points).toBe(10);
    expect(twin.counters.content.total).toBe(before.content);
  });
});

describe("runs", () => {
  it("the bot's lost-answer search: workflow runs filtered by event and created, matched by display_title", async () => {
    await dispatch({ inputs: { ...inputs, nonce: "old" } });
    twin.advance(10 * 60_000);
    const since = new Date(twin.now() - 1000).toISOString(); // with milliseconds, as the bot sends it
    await dispatch({ inputs: { ...inputs, nonce: "new1" } });
    await dispatch({ inputs: { ...inputs, feature: "f-2", nonce: "new2" } });
    twin.advance(5_000); // dispatched runs show in the lists seconds later

    // exactly src/github/snapshot.ts findRunByNonce
    const { data } = await octokit.rest.actions.listWorkflowRuns({ ...repo, workflow_id: "worker.yml", event: "workflow_dispatch", created: `>=${since}`, per_page: 100 });
    expect(data.total_count).toBe(2);
    expect(data.workflow_runs.map((r) => r.display_title)).toEqual(["mission m-1 / f-2 / new2 by mission-bot[bot]", "mission m-1 / f-1 / new1 by mission-bot[bot]"]);

    const older = await octokit.rest.actions.listWorkflowRunsForRepo({ ...repo, created: `<=${new Date(twin.now() - 5 * 60_000).toISOString()}` });
    expect(older.data.workflow_runs.map((r) => r.display_title)).toEqual(["mission m-1 / f-1 / old by mission-bot[bot]"]);
    const range = await octokit.rest.actions.listWorkflowRunsForRepo({ ...repo, created: `${since}..*` });
    expect(range.data.total_count).toBe(2);
    const other = await octokit.rest.actions.listWorkflowRunsForRepo({ ...repo, event: "push" });
    expect(other.data.total_count).toBe(0);
    clean();
  });

  it("status and branch filters, pagination with Link headers", async () => {
    for (let i = 0; i < 5; i++) await dispatch({ inputs: { ...inputs, feature: `f-${i}`, nonce: `n${i}` } });
    twin.advance(5_000); // dispatched runs show in the lists seconds later
    const ids = twin.actions.runs().map((r) => r.id);
    twin.actions.complete(ids[0]!, "success");
    twin.actions.complete(ids[1]!, "failure");
    const byStatus = async (status: "completed" | "queued" | "success" | "failure") =>
      (await octokit.rest.actions.listWorkflowRunsForRepo({ ...repo, status })).data.total_count;
    expect([await byStatus("completed"), await byStatus("queued"), await byStatus("success"), await byStatus("failure")]).toEqual([2, 3, 1, 1]);
    expect((await octokit.rest.actions.listWorkflowRunsForRepo({ ...repo, branch: "other" })).data.total_count).toBe(0);

    const first = await octokit.rest.actions.listWorkflowRunsForRepo({ ...repo, per_page: 2 });
    expect(first.data.total_count).toBe(5);
    expect(first.data.workflow_runs.map((r) => r.id)).toEqual([ids[4], ids[3]]);
    expect(first.headers.link).toContain('rel="next"');
    const all = await octokit.paginate(octokit.rest.actions.listWorkflowRunsForRepo, { ...repo, per_page: 2 });
    expect(all.map((r) => r.id)).toEqual([...ids].reverse());
    clean();
  });

  it("cancel answers 202, then 409 once the run has completed; force-cancel too", async () => {
    await dispatch({ inputs });
    await dispatch({ inputs: { ...inputs, feature: "f-2" } });
    const [a, b] = twin.actions.runs();
    const res = await octokit.rest.actions.cancelWorkflowRun({ ...repo, run_id: a!.id });
    expect(res.status).toBe(202);
    expect((await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: a!.id })).data).toMatchObject({ status: "completed", conclusion: "cancelled" });
    expect(await statusOf(octokit.rest.actions.cancelWorkflowRun({ ...repo, run_id: a!.id }))).toEqual({ status: 409, message: "Cannot cancel a workflow run that is completed." });

    twin.actions.start(b!.id);
    twin.actions.complete(b!.id, "success");
    expect((await statusOf(octokit.rest.actions.cancelWorkflowRun({ ...repo, run_id: b!.id }))).status).toBe(409);
    expect((await statusOf(octokit.rest.actions.forceCancelWorkflowRun({ ...repo, run_id: b!.id }))).status).toBe(409);
    expect((await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: b!.id })).data.conclusion).toBe("success");
    expect((await statusOf(octokit.rest.actions.cancelWorkflowRun({ ...repo, run_id: 12345 }))).status).toBe(404);
    clean();
  });

  it("jobs: one per run, with started_at and completed_at from the runner", async () => {
    await dispatch({ inputs });
    const [run] = twin.actions.runs();
    twin.advance(30_000);
    twin.actions.start(run!.id);
    const startedAt = run!.job!.startedMs;
    twin.actions.complete(run!.id, "success", { durationMs: 125_000 });
    expect(twin.now() - (startedAt + 125_000)).toBeGreaterThanOrEqual(0); // time passed while the worker worked
    expect(twin.now() - (startedAt + 125_000)).toBeLessThan(1_000);

    // exactly src/action/report.ts actionsMinutes
    const { data } = await octokit.rest.actions.listJobsForWorkflowRun({ ...repo, run_id: run!.id, filter: "latest", per_page: 100 });
    expect(data.total_count).toBe(1);
    const job = data.jobs[0]!;
    expect(job).toMatchObject({ run_id: run!.id, name: "Work on the feature", status: "completed", conclusion: "success", labels: ["ubuntu-latest"] });
    expect(Date.parse(job.completed_at!) - Date.parse(job.started_at)).toBe(125_000);
    clean();
  });
});

describe("concurrency groups (GitHub's default: one running, one pending)", () => {
  it("a newer pending run cancels the older pending one; per-feature groups never touch each other", async () => {
    await dispatch({ inputs: { ...inputs, nonce: "a" } });
    await dispatch({ inputs: { ...inputs, nonce: "b" } });
    await dispatch({ inputs: { ...inputs, feature: "f-2", nonce: "other" } });
    await dispatch({ inputs: { ...inputs, nonce: "c" } });
    const [a, b, other, c] = twin.actions.runs();
    expect([a, b, other, c].map((r) => [r!.status, r!.conclusion])).toEqual([
      ["queued", null],
      ["completed", "cancelled"], // was pending, replaced by c
      ["queued", null], // another feature's group: untouched
      ["pending", null],
    ]);
    expect(() => twin.actions.start(c!.id)).toThrow(/pending/);

    // the group frees: c is queued for a runner
    const queued: number[] = [];
    twin.onQueued((run) => {
      queued.push(run.id);
    });
    twin.actions.complete(a!.id, "success");
    expect(c!.status).toBe("queued");
    await twin.actions.settled();
    expect(queued).toEqual([c!.id]);
    twin.advance(5_000); // dispatched runs show in the lists seconds later
    expect((await octokit.rest.actions.listWorkflowRunsForRepo({ ...repo, status: "cancelled" })).data.workflow_runs.map((r) => r.id)).toEqual([b!.id]);

    const names = (id: number) =>
      twin.events.filter((e) => (e.payload.workflow_run?.id ?? e.payload.workflow_job?.run_id) === id).map((e) => `${e.name}.${e.action}`);
    expect(names(b!.id)).toEqual(["workflow_run.requested", "workflow_run.completed"]);
    expect(names(c!.id)).toEqual(["workflow_run.requested", "workflow_job.queued"]);
    clean();
  });

  it("cancel-in-progress cancels the running run as well", async () => {
    twin.writeFile(".github/workflows/worker.yml", WORKER.replace(/concurrency:\n  group: (.*)\n/, "concurrency:\n  group: $1\n  cancel-in-progress: true\n"));
    await dispatch({ inputs: { ...inputs, nonce: "a" } });
    const [a] = twin.actions.runs();
    twin.actions.start(a!.id);
    await dispatch({ inputs: { ...inputs, nonce: "b" } });
    const [, b] = twin.actions.runs();
    expect([a!.conclusion, b!.status]).toEqual(["cancelled", "queued"]);
  });
});

describe("events and the test's runner", () => {
  let webhooks: Record<string, Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const ajv = new Ajv({ strict: false, allErrors: true });
  const addFormats = ((ajvFormatsModule as unknown as { default?: unknown }).default ?? ajvFormatsModule) as (a: Ajv) => Ajv;
  addFormats(ajv);
  for (const f of ["repo.nwo", "timestamp", "uri-template", "email"]) ajv.addFormat(f, true);
  const validators = new Map<string, ValidateFunction>();
  function problems(e: TwinEvent): string[] {
    webhooks ??= JSON.parse(readFileSync(createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.deref.json"), "utf8"))["x-webhooks"];
    const key = `${e.name}-${e.action}`.replace(/_/g, "-");
    let validate = validators.get(key);
    if (!validate) {
      validate = ajv.compile(toJsonSchema(webhooks[key]!.post.requestBody.content["application/json"].schema) as object);
      validators.set(key, validate);
    }
    return validate(e.payload) ? [] : (validate.errors ?? []).map((err) => `${key}${err.instancePath} ${err.message}`);
  }

  it("a dispatch, a start and a completion record the events GitHub sends, each valid against its schema", async () => {
    twin.takeEvents();
    const { data } = (await dispatch({ inputs, return_run_details: true })) as unknown as { data: { workflow_run_id: number } };
    const id = data.workflow_run_id;
    twin.actions.start(id);
    twin.actions.complete(id, "failure", { durationMs: 60_000 });
    const events = twin.takeEvents();
    expect(events.map((e) => `${e.name}.${e.action}`)).toEqual([
      "workflow_run.requested",
      "workflow_job.queued",
      "workflow_run.in_progress",
      "workflow_job.in_progress",
      "workflow_job.completed",
      "workflow_run.completed",
    ]);
    expect(events.flatMap(problems)).toEqual([]);
    const completed = events[5]!.payload;
    expect(completed.workflow_run).toMatchObject({ id, status: "completed", conclusion: "failure", display_title: "mission m-1 / f-1 / n1 by mission-bot[bot]" });
    expect(completed.workflow).toMatchObject({ path: ".github/workflows/worker.yml", name: "mission worker" });
    expect(completed.installation).toMatchObject({ id: 1 });
    expect(JSON.stringify(completed)).not.toContain("octo-org");
    expect(events[4]!.payload.workflow_job).toMatchObject({ run_id: id, conclusion: "failure" });
  });

  it("onDispatch lets a test play the worker: start, report, close the issue, complete", async () => {
    const feature = twin.as("mission-bot[bot]").createIssue({ title: "Feature f-1" });
    let answered: boolean | undefined;
    twin.onDispatch(async (run, given) => {
      answered = twin.log.some((e) => e.route?.endsWith("/dispatches") && e.status === 200);
      expect(run.status).toBe("queued");
      twin.actions.start(run.id);
      twin.as("github-actions[bot]").comment(Number(given.issue ?? feature.number), `report for ${given.feature}`);
      twin.as("github-actions[bot]").closeIssue(feature.number);
      twin.actions.complete(run.id, "success", { durationMs: 1_000 });
    });
    const res = await dispatch({ inputs, return_run_details: true });
    const runId = (res.data as unknown as { workflow_run_id: number }).workflow_run_id;
    await twin.actions.settled();
    expect(answered).toBe(true); // GitHub answered before the worker ran
    expect(twin.actions.run(runId)).toMatchObject({ status: "completed", conclusion: "success" });
    expect(twin.issue(feature.number).state).toBe("closed");
    expect(twin.commentsOn(feature).map((c) => c.body)).toEqual(["report for f-1"]);
  });

  it("settled() rethrows a failing hook", async () => {
    twin.onDispatch(() => {
      throw new Error("worker broke");
    });
    await dispatch({ inputs });
    await expect(twin.actions.settled()).rejects.toThrow("worker broke");
  });
});

describe("the pieces", () => {
  it("parses workflow files: name, run-name, inputs, concurrency, the first job", () => {
    const def = parseWorkflow(".github/workflows/worker.yml", WORKER);
    expect(def).toMatchObject({ name: "mission worker", dispatchable: true, jobName: "Work on the feature", runsOn: ["ubuntu-latest"] });
    expect([...def.inputs.keys()]).toEqual(["mission", "feature", "nonce", "model", "dry_run", "max_turns"]);
    expect(def.inputs.get("model")).toEqual({ type: "choice", required: false, default: "sonnet", options: ["sonnet", "opus"] });
    expect(def.inputs.get("dry_run")!.default).toBe("false");
    expect(parseWorkflow("x.yml", CI).dispatchable).toBe(false);
    expect(parseWorkflow("x.yml", "on: workflow_dispatch\n").dispatchable).toBe(true);
    expect(parseWorkflow("x.yml", "on: [\n").parseError).toBeDefined();
  });

  it("evaluates the expressions run-names use", () => {
    const ctx = { inputs: { a: "1", flag: true }, github: { actor: "alice", event: { inputs: { a: "1" } } } };
    expect(interpolate("${{ inputs.a }}-${{ github.event.inputs.a }}-${{ github.actor }}", ctx)).toBe("1-1-alice");
    expect(interpolate("${{ inputs.missing || 'fallback' }} ${{ inputs.flag }}", ctx)).toBe("fallback true");
    const bad: string[] = [];
    expect(interpolate("${{ format('{0}', inputs.a) }}", ctx, (e) => bad.push(e))).toBe("");
    expect(bad).toEqual(["format('{0}', inputs.a)"]);
  });

  it("reads GitHub's date search syntax", () => {
    const t = Date.parse("2026-03-01T12:00:00Z");
    expect(dateQuery(">=2026-03-01T12:00:00Z")!(t)).toBe(true);
    expect(dateQuery(">2026-03-01T12:00:00Z")!(t)).toBe(false);
    expect(dateQuery("<=2026-03-01")!(t)).toBe(true); // the whole day
    expect(dateQuery("<2026-03-01")!(t)).toBe(false);
    expect(dateQuery("2026-02-01..2026-02-28")!(t)).toBe(false);
    expect(dateQuery("2026-02-01..*")!(t)).toBe(true);
    expect(dateQuery("2026-03-01")!(t)).toBe(true);
    expect(dateQuery("yesterday")).toBeUndefined();
  });
});
