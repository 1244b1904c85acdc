import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { run } from "../../src/action/report.js";
import type { MeteredUsage } from "../../src/mission/workers/metered-usage.js";
import { readReport, type WorkerReport } from "../../src/mission/workers/report.js";
import { githubNock, type GitHubNock } from "../support/github-nock.js";
import { fakeActionContext } from "../support/action-context.js";

const REPO = "/repos/acme/crm";
const RUN_ID = 4242;
const NOW = Date.parse("2026-11-24T10:20:00Z");
const fixture = (name: string) => readFileSync(new URL(`../fixtures/agent/${name}`, import.meta.url), "utf8");

function fakeContext(inputs: Record<string, string>) {
  return fakeActionContext(inputs, { GITHUB_RUN_ID: String(RUN_ID), GITHUB_RUN_ATTEMPT: "1" });
}

function usageFile(text: string, name = "agent-output.txt"): string {
  const path = join(mkdtempSync(join(tmpdir(), "mission-report-")), name);
  writeFileSync(path, text);
  return path;
}

const ADDRESS = { mission: "m-20261124-crm", feature: "2.3", issue: "31" };

/** The metering proxy's usage record: what the model API answered. */
function usageRecord(overrides: Partial<MeteredUsage> = {}): string {
  const record: MeteredUsage = {
    version: 1,
    requests: 41,
    refused: 0,
    failed: 1,
    tokens_in: 1_500_000,
    tokens_out: 22_000,
    cache_read_tokens: 1_200_000,
    cache_write_tokens: 90_000,
    cost_usd: 1.9012,
    estimated: 0,
    cap_usd: 2.5,
    cap_reached: false,
    models: {
      "claude-sonnet-5-5": { requests: 38, tokens_in: 1_480_000, tokens_out: 21_000, cost_usd: 1.89 },
      "claude-haiku-4-5": { requests: 3, tokens_in: 20_000, tokens_out: 1000, cost_usd: 0.0112 },
    },
    unpriced_models: [],
    egress_refused: [],
    ...overrides,
  };
  return usageFile(JSON.stringify(record), "usage.json");
}

let gh: GitHubNock;
beforeEach(() => {
  gh = githubNock();
});
afterEach(() => gh.restore());

/** The run's jobs: the agent job took 10 minutes, the apply job started 3 minutes before NOW. */
function jobs(reply: "ok" | "forbidden" = "ok"): void {
  const scope = gh.api.get(`${REPO}/actions/runs/${RUN_ID}/jobs`).query({ filter: "latest", per_page: "100" });
  if (reply === "forbidden") {
    scope.reply(403, { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com" });
    return;
  }
  scope.reply(200, {
    total_count: 2,
    jobs: [
      { id: 1, run_id: RUN_ID, name: "agent", status: "completed", conclusion: "success", started_at: "2026-11-24T10:05:00Z", completed_at: "2026-11-24T10:15:00Z" },
      { id: 2, run_id: RUN_ID, name: "apply", status: "in_progress", conclusion: null, started_at: "2026-11-24T10:17:00Z", completed_at: null },
    ],
  });
}

/** Mock the comment and return what was posted, read back as the bot reads it. */
function comment(): () => WorkerReport {
  let body = "";
  gh.api
    .post(`${REPO}/issues/31/comments`, (b: { body: string }) => {
      body = b.body;
      return true;
    })
    .reply(201, { id: 77, html_url: "https://github.com/acme/crm/issues/31#issuecomment-77", body: "" });
  return () => {
    const read = readReport(body);
    if (!read.found || !read.ok) throw new Error(`no valid report in ${body}`);
    return read.report;
  };
}

describe("a worker reports on its feature issue", () => {
  it("POC success: books the proxy's record, takes turns, time and summary from the agent, adds this run's Actions minutes, and leaves the issue open for the bot to close", async () => {
    jobs();
    const posted = comment();
    const { ctx, outputs } = fakeContext({
      ...ADDRESS,
      "worker-mode": "poc",
      outcome: "success",
      "apply-result": "success",
      branch: "mission/m-20261124-crm",
      commit: "0123456789ABCDEF0123456789abcdef01234567",
      "usage-file": usageFile(fixture("claude-json.json")),
      "usage-record": usageRecord(),
      "max-cost-usd": "2.50",
      model: "claude-haiku-4-5",
      "duration-seconds": "900",
    });

    await run(ctx, () => NOW);
    gh.done(); // no PATCH of the issue was mocked: the bot closes it once it has read the report (one write with its acceptance check)

    expect(posted()).toEqual({
      mission: "m-20261124-crm",
      feature: "2.3",
      run_id: RUN_ID,
      run_attempt: 1,
      outcome: "success",
      summary: "Added the contacts list page with search and pagination.\nTests: npm test (42 passed).",
      branch: "mission/m-20261124-crm",
      commit: "0123456789abcdef0123456789abcdef01234567",
      // the proxy's figures, not the agent's own (1,486,203 in, 21,500 out, $1.8234)
      model: "claude-sonnet-5-5",
      tokens_in: 1_500_000,
      tokens_out: 22_000,
      cost_usd: 1.9012,
      metering: "proxy",
      cost_cap_usd: 2.5,
      cap_reached: false,
      duration_seconds: 754.3,
      actions_minutes: 13,
      turns: 37,
    });
    expect(outputs).toMatchObject({ outcome: "success", "comment-id": "77" });
    expect(JSON.parse(outputs.report!)).toMatchObject({ run_id: RUN_ID, tokens_out: 22_000, metering: "proxy" });
  });

  it("Full success: reports the pull request and leaves the issue to be closed by its merge", async () => {
    jobs();
    const posted = comment();
    const { ctx } = fakeContext({
      ...ADDRESS,
      "worker-mode": "full",
      outcome: "success",
      "apply-result": "success",
      branch: "mission/m-20261124-crm/2.3",
      "pull-request": "57",
      commit: "abcdef1",
      "usage-file": usageFile(fixture("claude-stream.jsonl")),
      "usage-record": usageRecord({ cost_usd: 0.5 }),
    });

    await run(ctx, () => NOW);
    gh.done(); // no PATCH of the issue was mocked: closing it would be an unmatched request

    expect(posted()).toMatchObject({ outcome: "success", pull_request: 57, branch: "mission/m-20261124-crm/2.3", cost_usd: 0.5, metering: "proxy" });
    expect(posted().mission_folder).toBeUndefined(); // the apply job did not say: not known
  });

  it("carries the apply job's word whether its commit changed the mission folder; anything else is not known", async () => {
    for (const [given, carried] of [["true", true], ["false", false], ["yes", undefined]] as const) {
      jobs();
      const posted = comment();
      const { ctx } = fakeContext({ ...ADDRESS, "worker-mode": "full", outcome: "success", "apply-result": "success", "usage-record": usageRecord(), "mission-folder": given });
      await run(ctx, () => NOW);
      gh.done();
      expect(posted().mission_folder).toBe(carried);
    }
  });

  it("without a usage record: not metered, said so, booked at the cap (the agent's own figures only shown)", async () => {
    jobs();
    const posted = comment();
    const { ctx } = fakeContext({
      ...ADDRESS,
      "worker-mode": "full",
      outcome: "success",
      "apply-result": "success",
      "usage-file": usageFile(fixture("claude-json.json")),
      "usage-record": "/nonexistent/usage.json",
      "max-cost-usd": "2.50",
    });

    await run(ctx, () => NOW);
    gh.done();

    const r = posted();
    expect(r).toMatchObject({ outcome: "success", metering: "unmetered", cost_cap_usd: 2.5, tokens_in: 1_486_203, cost_usd: 1.8234 });
    expect(r.cap_reached).toBeUndefined();
    expect(r.summary).toContain("Not metered: no usage record from the metering proxy (the agent job left none). This run is booked at its cost cap of $2.50 at least.");
  });

  it("with a garbled usage record: not metered, and the report names the problem", async () => {
    jobs();
    const posted = comment();
    const { ctx } = fakeContext({ ...ADDRESS, "worker-mode": "full", outcome: "success", "apply-result": "success", "usage-record": usageFile('{"version":1,"cost_usd":"free"}', "usage.json") });

    await run(ctx, () => NOW);
    gh.done();

    expect(posted()).toMatchObject({ metering: "unmetered", tokens_in: 0 });
    expect(posted().summary).toMatch(/Not metered: no usage record from the metering proxy \(the usage record is invalid: .*\)\. This run is booked at its forecast at least\./);
  });

  it("says when the run reached its cap, answers were priced at their ceiling, or egress was refused", async () => {
    jobs();
    const posted = comment();
    const { ctx } = fakeContext({
      ...ADDRESS,
      "worker-mode": "full",
      outcome: "failure",
      summary: "The agent command failed (exit 1).",
      "usage-record": usageRecord({ cost_usd: 2.61, cap_reached: true, refused: 2, estimated: 1, egress_refused: ["attacker.example"] }),
    });

    await run(ctx, () => NOW);
    gh.done();

    const r = posted();
    expect(r).toMatchObject({ outcome: "failure", cost_usd: 2.61, cap_reached: true });
    expect(r.summary).toContain("The run reached its cost cap of $2.50: the metering proxy refused its later model requests.");
    expect(r.summary).toContain("1 answers of the model API reported no readable usage and are counted at their ceiling.");
    expect(r.summary).toContain("The agent was refused network access to attacker.example (not in worker.egress).");
  });

  it("turns the agent's success into a failure when its patch was not applied and pushed", async () => {
    jobs();
    const posted = comment();
    const { ctx } = fakeContext({ ...ADDRESS, "worker-mode": "poc", outcome: "success", "apply-result": "failure", "usage-record": usageRecord() });

    await run(ctx, () => NOW);
    gh.done(); // and the issue stays open

    expect(posted().outcome).toBe("failure");
    expect(posted().summary).toContain("The worker's patch could not be applied and pushed (apply: failure): see the log of the apply job.");
  });

  it("says so when the agent job ended without saying how", async () => {
    jobs();
    const posted = comment();
    const { ctx } = fakeContext({ ...ADDRESS, "worker-mode": "poc", outcome: "", "apply-result": "skipped" });

    await run(ctx, () => NOW);
    gh.done();

    expect(posted()).toMatchObject({ outcome: "failure", metering: "unmetered" });
    expect(posted().summary).toContain("The agent job ended before it could say why: see its log.");
  });

  it("turns a success into a failure when the agent stopped on an error", async () => {
    jobs();
    const posted = comment();
    const { ctx } = fakeContext({ ...ADDRESS, "worker-mode": "poc", outcome: "success", "apply-result": "success", "usage-file": usageFile(fixture("claude-max-turns.json")), "usage-record": usageRecord() });

    await run(ctx, () => NOW);
    gh.done(); // and the issue stays open

    expect(posted()).toMatchObject({ outcome: "failure", turns: 51 });
    expect(posted().summary).toContain("The agent stopped on an error.");
    expect(posted().summary).toContain("Claude Code stopped: error_max_turns");
  });

  it("still reports when the inputs are garbage: a failure that says what was wrong", async () => {
    jobs();
    const posted = comment();
    const { ctx, outputs, logs } = fakeContext({
      ...ADDRESS,
      "worker-mode": "poc",
      outcome: "success",
      "apply-result": "success",
      "duration-seconds": "lots",
      "max-cost-usd": "-3",
      commit: "not-a-sha",
      "usage-file": usageFile(fixture("claude-text.txt")),
      "usage-record": usageRecord(),
    });

    await run(ctx, () => NOW);
    gh.done(); // not closed

    const r = posted();
    expect(r.outcome).toBe("failure");
    expect(r.commit).toBeUndefined();
    expect(r.summary).toContain('duration-seconds is not an amount: "lots"');
    expect(r.summary).toContain('max-cost-usd is not an amount: "-3"');
    expect(r.summary).toContain('commit is not a commit sha: "not-a-sha"');
    expect(outputs.outcome).toBe("failure");
    expect(logs.some((l) => l.startsWith("warning: worker report figures were unusable"))).toBe(true);
  });

  it("leaves out a link the report cannot hold, and says so", async () => {
    jobs();
    const posted = comment();
    const { ctx } = fakeContext({ ...ADDRESS, outcome: "success", branch: `mission/${"x".repeat(300)}`, "usage-record": usageRecord() });

    await run(ctx, () => NOW);
    gh.done();

    expect(posted()).toMatchObject({ outcome: "failure", tokens_in: 1_500_000 });
    expect(posted().branch).toBeUndefined();
    expect(posted().summary).toMatch(/branch: /);
  });

  it("reports 0 Actions minutes when the run's jobs cannot be read", async () => {
    jobs("forbidden");
    const posted = comment();
    const { ctx, logs } = fakeContext({ ...ADDRESS, "worker-mode": "full", outcome: "failure" });

    await run(ctx, () => NOW);
    gh.done();

    expect(posted()).toMatchObject({ outcome: "failure", actions_minutes: 0 });
    expect(logs.some((l) => l.includes("could not read this run's jobs"))).toBe(true);
  });

  it("refuses, without a request, a report it cannot address", async () => {
    const bad = fakeContext({ ...ADDRESS, mission: "crm", outcome: "success" });
    await expect(run(bad.ctx, () => NOW)).rejects.toThrow(/cannot address a worker report: mission: /);
    const noRun = fakeContext({ ...ADDRESS, issue: "#31", outcome: "success" });
    noRun.ctx.env = {};
    await expect(run(noRun.ctx, () => NOW)).rejects.toThrow(/issue is not an issue number.*GITHUB_RUN_ID is not set/);
    gh.done();
    expect(gh.requests()).toEqual([]);
  });
});
