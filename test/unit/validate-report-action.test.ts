import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { run } from "../../src/action/validate-report.js";
import { encodeValidationReport, readValidationReport, validationVerdict } from "../../src/mission/validation/validation.js";
import { githubNock, type GitHubNock } from "../support/github-nock.js";
import { fakeActionContext } from "../support/action-context.js";

const COMMENTS = "/repos/acme/crm/issues/12/comments";
const fixture = (name: string) => new URL(`../fixtures/junit/${name}`, import.meta.url);

function context(inputs: Record<string, string>, env: Record<string, string> = {}) {
  return fakeActionContext(inputs, { GITHUB_RUN_ID: "9001", GITHUB_RUN_ATTEMPT: "1", ...env });
}

const passed = (name: string, command: string, junit: string[] = []) => ({
  name,
  command,
  passed: true,
  skipped: false,
  exit_code: 0,
  timed_out: false,
  duration_seconds: 12.5,
  output_tail: "ok",
  junit,
});

describe("validate-report Action", () => {
  let gh: GitHubNock;
  let dir: string;
  let posted: string | undefined;
  beforeEach(() => {
    gh = githubNock();
    dir = mkdtempSync(join(tmpdir(), "validate-report-"));
    posted = undefined;
  });
  afterEach(() => {
    gh.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  function results(commands: unknown[], junit: Record<string, URL> = {}): string {
    for (const [path, from] of Object.entries(junit)) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      copyFileSync(from, join(dir, path));
    }
    writeFileSync(join(dir, "results.json"), JSON.stringify({ commands }));
    return join(dir, "results.json");
  }

  const inputs = (resultsPath: string) => ({ mission: "m-20261124-crm-7", milestone: "2", issue: "12", results: resultsPath, "max-failures": "3" });

  function expectPost(existing: unknown[] = []) {
    gh.api.get(COMMENTS).query({ per_page: "100" }).reply(200, existing);
    gh.api.post(COMMENTS, (body: { body: string }) => {
      posted = body.body;
      return true;
    }).reply(201, { id: 77, html_url: "https://github.com/acme/crm/issues/12#issuecomment-77", body: "" });
  }

  it("pass: posts the results table with the report block; verdict pass", async () => {
    const path = results([passed("install", "npm ci"), passed("test", "npm run test")]);
    expectPost();
    const { ctx, outputs } = context(inputs(path));
    await run(ctx);
    gh.done();
    expect(outputs).toMatchObject({ verdict: "pass", failures: "0", groups: "0" });
    expect(posted).toContain("### ✅ Validation of milestone 2 passed");
    expect(posted).toContain("<!-- mission-bot:m-20261124-crm-7:comment:validation-9001-1 -->");
    const read = readValidationReport(posted);
    expect(read.found && read.ok && read.report).toMatchObject({ run_id: 9001, milestone: "2", commands: [{ name: "install" }, { name: "test" }] });
  });

  it("the milestone's criteria (MISSION_CRITERIA): each listed with its result; a page no browser loaded fails the validation", async () => {
    const path = results([passed("install", "npm ci"), passed("criterion 1: npm run e2e", "npm run e2e")]);
    expectPost();
    const criteria = JSON.stringify([{ command: "npm run e2e" }, { url: "/contacts" }, { check: "a contact can be created" }]);
    const { ctx, outputs } = context(inputs(path), { MISSION_CRITERIA: criteria });
    await run(ctx);
    gh.done();
    expect(outputs).toMatchObject({ verdict: "fail" });
    expect(posted).toContain("#### The milestone's criteria: 1 of 2 passed");
    expect(posted).toContain("- ✅ run `npm run e2e`: passed (exit 0)");
    expect(posted).toContain("- ❌ load `/contacts`: failed: not loaded");
    const read = readValidationReport(posted);
    expect(read.found && read.ok && read.report.criteria?.map((c) => c.result)).toEqual(["passed", "failed", "not-checked"]);
  });

  it("fail: parses the JUnit files of each command and groups the failures", async () => {
    const path = results(
      [
        passed("install", "npm ci"),
        { ...passed("lint", "npm run lint"), passed: false, exit_code: 1, output_tail: "3:1 error no-unused-vars" },
        { ...passed("test", "npm run test", ["junit/3/junit.xml"]), passed: false, exit_code: 1, rerun: "npm run test -- {file}" },
      ],
      { "junit/3/junit.xml": fixture("vitest.xml") },
    );
    expectPost();
    const { ctx, outputs } = context(inputs(path));
    await run(ctx);
    gh.done();
    expect(outputs).toMatchObject({ verdict: "fail", failures: "3", groups: "3" });
    expect(posted).toContain("### ❌ Validation of milestone 2 failed (attempt 1 of 3)");
    expect(posted).toContain("Reproduce: `npm run test -- src/contacts.test.ts`");
    const read = readValidationReport(posted);
    expect(read.found && read.ok).toBe(true);
    if (read.found && read.ok) {
      expect(read.report.tests_total).toBe(5);
      expect(read.report.failures.every((f) => f.command === "test")).toBe(true);
    }
  });

  it("hundreds of failures: one comment under GitHub's limit that still reads back", async () => {
    const path = results(
      [{ ...passed("test", "npm run test", ["junit/1/junit.xml"]), passed: false, exit_code: 1, output_tail: "x".repeat(4000) }],
      { "junit/1/junit.xml": fixture("vitest-hundreds.xml") },
    );
    expectPost();
    const { ctx, outputs } = context(inputs(path));
    await run(ctx);
    gh.done();
    expect(outputs).toMatchObject({ verdict: "fail", failures: "320", groups: "6" });
    expect(posted!.length).toBeLessThan(65_536);
    const read = readValidationReport(posted);
    expect(read.found && read.ok && validationVerdict(read.report)).toBe("fail");
  });

  it("a garbage JUnit file is named as a problem; the exit codes still decide", async () => {
    const path = results([passed("test", "npm test", ["junit/1/junit.xml"])], { "junit/1/junit.xml": fixture("garbage.xml") });
    expectPost();
    const { ctx, outputs } = context(inputs(path));
    await run(ctx);
    gh.done();
    expect(outputs.verdict).toBe("pass");
    const read = readValidationReport(posted);
    expect(read.found && read.ok && read.report.problems).toEqual([expect.stringMatching(/^junit\/1\/junit\.xml: the JUnit file is not well-formed XML/)]);
  });

  it("no results (the check job died): says so, posts no report block, verdict invalid", async () => {
    expectPost();
    const { ctx, outputs } = context(inputs(join(dir, "results.json")));
    await run(ctx);
    gh.done();
    expect(outputs.verdict).toBe("invalid");
    expect(posted).toContain("could not run");
    expect(posted).toContain("results.json does not exist");
    expect(readValidationReport(posted)).toEqual({ found: false });
  });

  it("a re-run of the report job edits its comment; earlier failed runs count as attempts", async () => {
    const path = results([{ ...passed("build", "npm run build"), passed: false, exit_code: 2 }]);
    const earlier = encodeValidationReport({
      mission: "m-20261124-crm-7",
      milestone: "2",
      run_id: 8000,
      commands: [{ name: "build", command: "npm run build", passed: false, exit_code: 2, duration_seconds: 1 }],
    });
    const bot = { login: "github-actions[bot]", id: 41898282, type: "Bot" };
    gh.api
      .get(COMMENTS)
      .query({ per_page: "100" })
      .reply(200, [
        { id: 50, body: `earlier\n${earlier}`, user: bot, html_url: "https://github.com/acme/crm/issues/12#issuecomment-50" },
        { id: 60, body: "old <!-- mission-bot:m-20261124-crm-7:comment:validation-9001-1 -->", user: bot, html_url: "https://github.com/acme/crm/issues/12#issuecomment-60" },
      ]);
    gh.api.patch("/repos/acme/crm/issues/comments/60", (body: { body: string }) => {
      posted = body.body;
      return true;
    }).reply(200, { id: 60, html_url: "https://github.com/acme/crm/issues/12#issuecomment-60", body: "" });
    const { ctx, outputs } = context(inputs(path));
    await run(ctx);
    gh.done();
    expect(outputs["comment-url"]).toBe("https://github.com/acme/crm/issues/12#issuecomment-60");
    expect(posted).toContain("failed (attempt 2 of 3)");
  });

  it("refuses to post without knowing where", async () => {
    const { ctx } = context({ mission: "not a mission", milestone: "2", issue: "12" });
    await expect(run(ctx)).rejects.toThrow(/cannot address a validation report: mission:/);
  });

  describe("browser checks", () => {
    const page = (path: string, passed: boolean, screenshot: string, counts: { logs?: number; links?: number } = {}) => ({
      path,
      passed,
      status: 200,
      screenshot,
      checks: {
        console_errors: { count: counts.logs ?? 0, sample: counts.logs ? ["TypeError: x is undefined <script>"] : [] },
        failed_requests: { count: 0, sample: [] },
        broken_links: { checked: 3, count: counts.links ?? 0, sample: counts.links ? [{ url: "http://localhost:3000/gone", status: 404, reason: "Not Found" }] : [] },
        accessibility: { count: 0, by_impact: { critical: 0, serious: 0, moderate: 0, minor: 0 }, sample: [] },
      },
      ...(passed ? {} : { error: "1 console error" }),
    });
    const ARTIFACT = "https://github.com/acme/crm/actions/runs/9001/artifacts/5";

    it("reads browser.json: per page the counts and the screenshot linked to the run's artifact; a failing page fails the validation", async () => {
      const path = results([passed("test", "npm run test")]);
      const browser = { url: "http://localhost:3000", passed: false, pages: [page("/", true, "1-home.png"), page("/deals", false, "2-deals.png", { logs: 1, links: 1 })] };
      writeFileSync(join(dir, "browser.json"), JSON.stringify(browser));
      expectPost();
      const { ctx, outputs } = context({ ...inputs(path), "screenshots-url": ARTIFACT, browser: JSON.stringify({ url: "http://localhost:3000", paths: ["/", "/deals"], start: "", install: "" }) });
      await run(ctx);
      gh.done();
      expect(outputs).toMatchObject({ verdict: "fail", groups: "1" });
      expect(posted).toContain(`| \`/\` | ✅ passed | 0 | 0 | 0 of 3 | 0 | [1-home.png](${ARTIFACT}) |`);
      expect(posted).toContain(`| \`/deals\` | ❌ failed | **1** | 0 | **1** of 3 | 0 | [2-deals.png](${ARTIFACT}) |`);
      expect(posted).toContain("- Console error: TypeError: x is undefined &lt;script>");
      expect(posted).toContain("- Broken link: 404 `http://localhost:3000/gone`");
    });

    it("browser checks planned but no browser.json (the browser job died): the validation fails, saying so", async () => {
      const path = results([passed("test", "npm run test")]);
      expectPost();
      const { ctx, outputs } = context({ ...inputs(path), browser: JSON.stringify({ url: "http://localhost:3000", paths: ["/"], start: "npm start", install: "" }) });
      await run(ctx);
      gh.done();
      expect(outputs).toMatchObject({ verdict: "fail" });
      expect(posted).toContain("#### Browser checks: failed\n");
      expect(posted).toContain("The browser checks left no results: see the browser job's log.");
    });
  });
});
