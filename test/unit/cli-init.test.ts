import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCli } from "../../src/cli.js";
import { ACTION_PLACEHOLDER, actionIn, defaultAction, SETUP_FILES, withAction } from "../../src/cli/setup-files.js";
import { parseConfig } from "../../src/mission/config.js";
import { lintWorkflow } from "../support/actionlint.js";

let repo: string;

beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), "mission-bot-init-"));
  const git = spawnSync("git", ["init", "-q", repo], { encoding: "utf8" });
  expect(git.status, git.stderr).toBe(0);
});
afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
});

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(argv, { cwd, stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
  return { code, out, err };
}

const template = (name: string) => readFileSync(new URL(`../../templates/${name}`, import.meta.url), "utf8");
/** What a plain `init` writes (the App does the command handling). */
const APP_SETUP = SETUP_FILES.filter((f) => !f.actionsOnly);
const workflows = APP_SETUP.filter((f) => f.kind === "workflow");
const read = (path: string) => readFile(join(repo, path), "utf8");

describe("mission-bot init", () => {
  it("writes the workflows, issue form and settings, with the Action's reference in place of the placeholder", async () => {
    const r = await cli(repo, "init", "--action", "acme/mission-bot@v2");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("The workflows use the Action acme/mission-bot@v2 (from --action).");
    for (const f of APP_SETUP) expect(r.out).toMatch(new RegExp(`wrote +${f.path.replaceAll(".", "\\.")}\\n`));
    expect(r.out).not.toContain("mission-command.yml"); // with the App, a command workflow would answer twice

    for (const f of workflows) {
      const text = await read(f.path);
      expect(await lintWorkflow(text, f.path), f.path).toEqual([]);
      expect(text).not.toContain(ACTION_PLACEHOLDER);
      expect(text).not.toContain("PLACEHOLDER");
      // every step that used the placeholder now uses the Action, and nothing else changed
      const uses = template(f.template).split(`uses: ${ACTION_PLACEHOLDER}`).length - 1;
      expect(uses).toBeGreaterThan(0);
      expect(text.split("uses: acme/mission-bot@v2").length - 1, f.path).toBe(uses);
      expect(text).toBe(withAction(template(f.template), "acme/mission-bot@v2"));
    }
    const config = parseConfig(await read(".github/mission.yml"));
    expect(config.ok && config.config.worker.workflow).toBe("mission-worker.yml");
    expect(await read(".github/mission.yml")).toContain("# "); // the commented example, not a bare dump
    expect(parse(await read(".github/ISSUE_TEMPLATE/mission.yml"))).toMatchObject({ name: "Mission" });
  });

  it("with --actions-only also writes the command workflow, linted and with the Action in place", async () => {
    const r = await cli(repo, "init", "--actions-only", "--action", "acme/mission-bot@v2");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/wrote +\.github\/workflows\/mission-command\.yml\n/);
    const text = await read(".github/workflows/mission-command.yml");
    expect(await lintWorkflow(text, "mission-command.yml")).toEqual([]);
    expect(text).toContain("uses: acme/mission-bot@v2");
  });

  it("prints the secrets the workflows use and the App's permissions from app.yml", async () => {
    const r = await cli(repo, "init", "--action", "acme/mission-bot@v1");
    const secrets = new Set(workflows.flatMap((f) => [...template(f.template).matchAll(/secrets\.(\w+)/g)].map((m) => m[1]!)));
    expect([...secrets].sort()).toEqual(["ANTHROPIC_API_KEY", "MISSION_BOT_CLIENT_ID", "MISSION_BOT_PRIVATE_KEY"]);
    for (const name of secrets) expect(r.out).toMatch(new RegExp(`^ +${name} +\\S`, "m"));
    expect(r.out).toMatch(/^ +MISSION_BOT_CLIENT_ID +\(optional\)/m);
    expect(r.out).not.toMatch(/^ +ANTHROPIC_API_KEY +\(optional\)/m);
    const app = parse(readFileSync(new URL("../../app.yml", import.meta.url), "utf8")) as {
      default_permissions: Record<string, string>;
      default_events: string[];
    };
    for (const [scope, access] of Object.entries(app.default_permissions)) expect(r.out).toMatch(new RegExp(`^ +${scope}: ${access} `, "m"));
    expect(r.out).toContain(`and these events: ${app.default_events.join(", ")}.`);
    // what the worker and the pulse ask the App's token for, which the App is granted
    // what the worker asks the App's token for (the App's own permissions cover the rest), which the App is granted
    expect(r.out).toContain("The workflows ask the App's token for actions: read, contents: write, issues: write, pull_requests: write"); // issues and actions: the report job of a mission that lives in another repository
    expect(r.out).not.toContain("WARNING");
    expect(r.out).toContain("mission-bot doctor");
  });

  it("refuses to guess the Action: without --action it writes nothing and says how to name one; placeholders are refused", async () => {
    const r = await cli(repo, "init");
    expect(r.code).toBe(2);
    expect(r.err).toContain("Give it with --action owner/repo@ref");
    expect(r.err).toContain("Nothing was written.");
    expect(existsSync(join(repo, ".github"))).toBe(false);

    for (const placeholder of ["owner/repo@ref", "OWNER/REPO@REF", "owner/mission-bot@v1", ACTION_PLACEHOLDER]) {
      const bad = await cli(repo, "init", "--action", placeholder);
      expect(bad.code, placeholder).toBe(2);
      expect(existsSync(join(repo, ".github")), placeholder).toBe(false);
    }
    expect((await cli(repo, "init", "--action", "owner/repo@ref")).err).toContain("the documentation's placeholder");

    // a package published with its repository field names its own Action
    expect(defaultAction({})).toBeNull();
    for (const repository of ["github:acme/bot", "https://github.com/acme/bot.git", "git+https://github.com/acme/bot.git", "acme/bot", { url: "git@github.com:acme/bot.git" }]) {
      expect(defaultAction({ repository })?.action, JSON.stringify(repository)).toBe("acme/bot@v1");
    }
    expect(defaultAction({ repository: "https://gitlab.com/acme/bot" })).toBeNull();
  });

  it("with --actions-only, writes the command and pulse workflows and never tells people to install the App", async () => {
    const r = await cli(repo, "init", "--actions-only", "--action", "acme/mission-bot@v1", "--pulse-every", "60");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/wrote +\.github\/workflows\/mission-command\.yml/);
    expect(r.out).toMatch(/wrote +\.github\/workflows\/mission-pulse\.yml/);
    expect(r.out).toContain("do not also install the mission-bot App");
    expect(r.out).not.toContain("Install the mission-bot GitHub App");
    expect(r.out).toContain("24 runs a day, about 720 billed minutes a month");
    const pulse = await read(".github/workflows/mission-pulse.yml");
    expect(parse(pulse).on.schedule).toEqual([{ cron: "17 * * * *" }]);
    expect(await lintWorkflow(pulse, ".github/workflows/mission-pulse.yml")).toEqual([]);

    const fifteen = await mkdtemp(join(tmpdir(), "mission-bot-init-"));
    try {
      spawnSync("git", ["init", "-q", fifteen]);
      const d = await cli(fifteen, "init", "--actions-only", "--action", "acme/mission-bot@v1");
      expect(d.out).toContain("96 runs a day, about 2,880 billed minutes a month");
      expect(await readFile(join(fifteen, ".github/workflows/mission-pulse.yml"), "utf8")).toBe(withAction(template("workflows/mission-pulse.yml"), "acme/mission-bot@v1"));
    } finally {
      await rm(fifteen, { recursive: true, force: true });
    }
    expect((await cli(repo, "init", "--actions-only", "--action", "acme/mission-bot@v1", "--pulse-every", "7")).code).toBe(2);
  });

  it("--upgrade rewrites only the workflows that differ from this version's templates, keeps their Action and schedule, and prints the diff", async () => {
    expect((await cli(repo, "init", "--actions-only", "--action", "acme/mission-bot@v1", "--pulse-every", "30")).code).toBe(0);
    const worker = ".github/workflows/mission-worker.yml";
    const current = await read(worker);
    const stale = current.replace("timeout-minutes:", "timeout-minutes: 1 # old\n    x-old:");
    expect(stale).not.toBe(current);
    await writeFile(join(repo, worker), stale);
    await writeFile(join(repo, ".github/mission.yml"), "max_parallel_workers: 5\n");

    const r = await cli(repo, "init", "--upgrade");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/upgraded +\.github\/workflows\/mission-worker\.yml\n/);
    expect(r.out).toContain(`--- a/${worker}`);
    expect(r.out).toContain("-    x-old:");
    expect(r.out).toMatch(/current +\.github\/workflows\/mission-pulse\.yml\n/);
    expect(r.out).toMatch(/current +\.github\/workflows\/mission-command\.yml\n/);
    expect(await read(worker)).toBe(current);
    expect(parse(await read(".github/workflows/mission-pulse.yml")).on.schedule).toEqual([{ cron: "*/30 * * * *" }]);
    expect(await read(".github/mission.yml")).toBe("max_parallel_workers: 5\n"); // settings are never upgraded
    expect(actionIn(current, template("workflows/mission-worker.yml"))).toBe("acme/mission-bot@v1");

    // --action with --upgrade moves every workflow to the new reference
    const moved = await cli(repo, "init", "--upgrade", "--action", "acme/mission-bot@v2");
    expect(moved.code).toBe(0);
    expect(await read(worker)).toContain("uses: acme/mission-bot@v2");
    expect(await read(worker)).not.toContain("acme/mission-bot@v1");
  });

  it("keeps files that exist, and overwrites them with --force", async () => {
    await mkdir(join(repo, ".github/workflows"), { recursive: true });
    await writeFile(join(repo, ".github/mission.yml"), "max_parallel_workers: 5\n");
    await writeFile(join(repo, ".github/workflows/mission-validate.yml"), "# mine\n");

    const first = await cli(repo, "init", "--action", "acme/mission-bot@v1");
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/exists, kept +\.github\/mission\.yml\n/);
    expect(first.out).toMatch(/exists, kept +\.github\/workflows\/mission-validate\.yml\n/);
    expect(first.out).toMatch(/wrote +\.github\/workflows\/mission-worker\.yml\n/);
    expect(await read(".github/mission.yml")).toBe("max_parallel_workers: 5\n");
    expect(await read(".github/workflows/mission-validate.yml")).toBe("# mine\n");

    const again = await cli(repo, "init", "--action", "acme/mission-bot@v1");
    for (const f of APP_SETUP) expect(again.out).toMatch(new RegExp(`exists, kept +${f.path.replaceAll(".", "\\.")}\\n`));

    const forced = await cli(repo, "init", "--force", "--action", "acme/mission-bot@v3");
    expect(forced.code).toBe(0);
    for (const f of APP_SETUP) expect(forced.out).toMatch(new RegExp(`overwrote +${f.path.replaceAll(".", "\\.")}\\n`));
    expect(await read(".github/mission.yml")).toBe(template("mission.yml"));
    expect(await read(".github/workflows/mission-validate.yml")).toContain("uses: acme/mission-bot@v3");
  });

  it("writes at the repository's root from a subdirectory, and refuses outside a git repository", async () => {
    await mkdir(join(repo, "src/deep"), { recursive: true });
    expect((await cli(join(repo, "src/deep"), "init", "--action", "acme/mission-bot@v1")).code).toBe(0);
    expect(existsSync(join(repo, ".github/workflows/mission-worker.yml"))).toBe(true);
    expect(existsSync(join(repo, "src/deep/.github"))).toBe(false);

    const outside = await mkdtemp(join(tmpdir(), "mission-bot-no-git-"));
    try {
      const r = await cli(outside, "init", "--action", "acme/mission-bot@v1");
      expect(r.code).toBe(1);
      expect(r.err).toContain("is not in a git repository");
      expect(existsSync(join(outside, ".github"))).toBe(false);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it("exits 2 on a wrong command line, and explains itself on --help", async () => {
    const bad = await cli(repo, "init", "--action", "not a reference");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--action must look like owner/repo@ref");
    expect(existsSync(join(repo, ".github"))).toBe(false);
    expect((await cli(repo, "init", "--frobnicate")).code).toBe(2);
    const help = await cli(repo, "init", "--help");
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: mission-bot init/);
    expect((await cli(repo, "--help")).out).toMatch(/init +write mission-bot's workflows/);
  });
});
