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
import { githubNock, type GitHubNock } from "../support/github-nock.js";
import { testPrivateKey } from "../support/keys.js";
import { startTwinServer } from "../../src/twin/server.js";
import { contractTwin } from "../support/twin.js";

let repo: string;

/** The CLI with no token in its environment (the online checks have tests of their own). */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return cliWith({}, ...argv);
}
async function cliWith(env: Record<string, string>, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(argv, { cwd: repo, env, stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
  return { code, out, err };
}

/** Commit everything on the checked-out branch, as a person pushing their setup would. */
function commit(): void {
  for (const args of [["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "setup"]]) {
    const r = spawnSync("git", ["-C", repo, ...args], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
  }
}

const path = (p: string) => join(repo, p);
const WORKER = ".github/workflows/mission-worker.yml";
const VALIDATE = ".github/workflows/mission-validate.yml";
const PULSE = ".github/workflows/mission-pulse.yml";

beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), "mission-bot-doctor-"));
  expect(spawnSync("git", ["init", "-q", "-b", "main", repo]).status).toBe(0);
  expect((await cli("init", "--action", "acme/mission-bot@v1")).code).toBe(0);
  commit();
});
afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
});

/** The lines doctor flags for fixing. */
const fixes = (out: string) => out.split("\n").filter((l) => l.startsWith("FIX"));

describe("mission-bot doctor", () => {
  it("passes a repository set up by init", async () => {
    commit();
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

    commit();
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
    commit();
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
    commit();
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
    commit();
    const r = await cli("doctor");
    expect(r.code).toBe(1);
    expect(fixes(r.out)).toEqual([
      "FIX   .github/workflows/agent.yml: missing (named by worker.workflow in .github/mission.yml); `mission-bot init` writes it",
    ]);
    expect(r.out).toContain("note  .github/ISSUE_TEMPLATE/mission.yml: missing");

    await unlink(path(".github/mission.yml"));
    commit();
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

  it("flags a workflow that is not committed on the default branch, or differs from it, since GitHub runs that branch's", async () => {
    const validate = await readFile(path(VALIDATE), "utf8");
    await writeFile(path(VALIDATE), `${validate}# changed after the commit\n`);
    // the worker workflow is on disk but was never committed
    spawnSync("git", ["-C", repo, "rm", "-q", "--cached", WORKER]);
    expect(spawnSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "without the worker"]).status).toBe(0);
    const r = await cli("doctor");
    expect(r.code).toBe(1);
    expect(fixes(r.out)).toEqual(
      expect.arrayContaining([
        `FIX   ${WORKER}: not committed on main: GitHub starts dispatched and scheduled workflows from the default branch only. Commit it and push`,
        `FIX   ${VALIDATE}: differs from main: GitHub runs the default branch's version. Commit your change and push it`,
      ]),
    );
    expect(r.out).toContain('note  git: no remote "origin" with a default branch: checked against the local branch main');

    // with a remote, its default branch is what counts, not the local branch
    commit();
    expect(fixes((await cli("doctor")).out).filter((l) => l.includes("committed") || l.includes("differs from"))).toEqual([]);
    const remote = await mkdtemp(join(tmpdir(), "mission-bot-remote-"));
    try {
      expect(spawnSync("git", ["init", "-q", "--bare", "-b", "main", remote]).status).toBe(0);
      spawnSync("git", ["-C", repo, "remote", "add", "origin", remote]);
      expect(spawnSync("git", ["-C", repo, "push", "-q", "origin", "main"]).status).toBe(0);
      spawnSync("git", ["-C", repo, "remote", "set-head", "origin", "main"]);
      const pushed = await cli("doctor");
      expect(fixes(pushed.out).filter((l) => l.includes("committed") || l.includes("differs from"))).toEqual([]);
      await writeFile(path(WORKER), (await readFile(path(WORKER), "utf8")) + "# local change\n");
      commit(); // committed locally, never pushed
      expect(fixes((await cli("doctor")).out)).toContainEqual(`FIX   ${WORKER}: differs from origin/main: GitHub runs the default branch's version. Commit your change and push it`);
    } finally {
      await rm(remote, { recursive: true, force: true });
    }
  });

  it("notes a workflow that differs from this version's template, and says how to upgrade it", async () => {
    const worker = await readFile(path(WORKER), "utf8");
    await writeFile(path(WORKER), worker.replace("timeout-minutes:", "# tuned by hand\n    timeout-minutes:"));
    commit();
    const r = await cli("doctor");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`note  ${WORKER}: differs from this version's template (changed by hand, or written by an older mission-bot): \`mission-bot init --upgrade\``);
    expect(r.out).not.toContain(`note  ${VALIDATE}: differs`);
    expect(r.out).toContain("note  GitHub: not asked (no token");
  });
});

describe("mission-bot doctor, asking GitHub", () => {
  let gh: GitHubNock;
  beforeEach(async () => {
    repo = await mkdtemp(join(tmpdir(), "mission-bot-doctor-"));
    expect(spawnSync("git", ["init", "-q", "-b", "main", repo]).status).toBe(0);
    expect((await cli("init", "--action", "acme/mission-bot@v1")).code).toBe(0);
    commit();
    spawnSync("git", ["-C", repo, "remote", "add", "origin", "git@github.com:me/demo.git"]);
    gh = githubNock();
  });
  afterEach(async () => {
    gh.restore();
    await rm(repo, { recursive: true, force: true });
  });
  const token = { GITHUB_TOKEN: "ghp_test" };
  const actionYml = {
    type: "file",
    encoding: "base64",
    size: 10,
    name: "action.yml",
    path: "action.yml",
    content: "",
    sha: "b".repeat(40),
    url: "https://api.github.com/repos/acme/mission-bot/contents/action.yml?ref=v1",
    git_url: null,
    html_url: null,
    download_url: null,
    _links: { self: "https://api.github.com/repos/acme/mission-bot/contents/action.yml?ref=v1", git: null, html: null },
  };
  const commitBody = { sha: "a".repeat(40), url: "https://api.github.com/repos/acme/mission-bot/commits/" + "a".repeat(40) };

  it("names the request GitHub refused when the Action's tag does not exist, and the fix", async () => {
    gh.api.get("/repos/acme/mission-bot/commits/v1").reply(404, { message: "Not Found", documentation_url: "https://docs.github.com" });
    gh.api.get("/repos/me/demo/actions/secrets").query(true).reply(200, { total_count: 1, secrets: [{ name: "ANTHROPIC_API_KEY", created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z" }] });
    gh.api.get("/repos/me/demo/actions/organization-secrets").query(true).reply(200, { total_count: 0, secrets: [] });
    gh.api.get("/repos/me/demo/actions/permissions/workflow").reply(200, { default_workflow_permissions: "read", can_approve_pull_request_reviews: true });
    const r = await cliWith(token, "doctor");
    expect(r.code).toBe(1);
    expect(fixes(r.out)).toEqual([
      "FIX   acme/mission-bot@v1: GitHub answered 404 for repos/acme/mission-bot/commits/v1: the Action's v1 does not exist there. Push the tag (README → Releasing), or name a tag, branch or SHA that exists: `mission-bot init --upgrade --action acme/mission-bot@<ref>`",
    ]);
    expect(r.out).toContain("ok    secret ANTHROPIC_API_KEY\n");
    expect(r.out).toContain("note  secret MISSION_BOT_PRIVATE_KEY: not set (optional");
    gh.done();
  });

  it("flags a required secret that is not set and Actions that may not open pull requests; passes when both are fixed", async () => {
    gh.api.get("/repos/acme/mission-bot/commits/v1").twice().reply(200, commitBody);
    gh.api.get("/repos/acme/mission-bot/contents/action.yml").query({ ref: "v1" }).twice().reply(200, actionYml);
    gh.api.get("/repos/me/demo/actions/secrets").query(true).reply(200, { total_count: 0, secrets: [] });
    gh.api.get("/repos/me/demo/actions/organization-secrets").query(true).reply(200, { total_count: 0, secrets: [] });
    gh.api.get("/repos/me/demo/actions/permissions/workflow").reply(200, { default_workflow_permissions: "read", can_approve_pull_request_reviews: false });
    const r = await cliWith(token, "doctor");
    expect(r.code).toBe(1);
    expect(fixes(r.out)).toEqual([
      expect.stringMatching(/^FIX   secret ANTHROPIC_API_KEY: not set: .* Add it under Settings → Secrets and variables → Actions$/),
      expect.stringMatching(/^FIX   Actions settings: GitHub Actions may not create pull requests in this repository, and there is no App key/),
    ]);
    expect(r.out).toContain("ok    acme/mission-bot@v1: resolves, with an action.yml\n");

    const at = "2026-01-01T00:00:00Z";
    gh.api.get("/repos/me/demo/actions/secrets").query(true).reply(200, { total_count: 1, secrets: [{ name: "MISSION_BOT_PRIVATE_KEY", created_at: at, updated_at: at }] });
    gh.api.get("/repos/me/demo/actions/organization-secrets").query(true).reply(200, { total_count: 1, secrets: [{ name: "ANTHROPIC_API_KEY", created_at: at, updated_at: at, visibility: "all" }] });
    const fixed = await cliWith(token, "doctor");
    expect(fixes(fixed.out)).toEqual([]);
    expect(fixed.code).toBe(0);
    expect(fixed.out).toContain("ok    secret ANTHROPIC_API_KEY\n"); // an organisation secret shared with the repository counts
    gh.done();
  });

  it("says what to check by hand when the token may not list secrets", async () => {
    gh.api.get("/repos/acme/mission-bot/commits/v1").reply(200, commitBody);
    gh.api.get("/repos/acme/mission-bot/contents/action.yml").query({ ref: "v1" }).reply(200, actionYml);
    gh.api.get("/repos/me/demo/actions/secrets").query(true).reply(403, { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com" });
    const r = await cliWith(token, "doctor");
    expect(r.code).toBe(0);
    expect(r.out).toContain("note  secrets: GitHub answered 403 for repos/me/demo/actions/secrets");
    expect(r.out).toContain("check by hand that ANTHROPIC_API_KEY is set");
    gh.done();
  });

  it("with the App's key: flags what the registered App lacks against app.yml, and an App not installed on the repository", async () => {
    const appYml = parse(readFileSync(new URL("../../app.yml", import.meta.url), "utf8")) as { default_permissions: Record<string, string>; default_events: string[] };
    gh.api.get("/repos/acme/mission-bot/commits/v1").twice().reply(200, commitBody);
    gh.api.get("/repos/acme/mission-bot/contents/action.yml").query({ ref: "v1" }).twice().reply(200, actionYml);
    const at = "2026-01-01T00:00:00Z";
    const secrets = { total_count: 2, secrets: ["ANTHROPIC_API_KEY", "MISSION_BOT_PRIVATE_KEY"].map((name) => ({ name, created_at: at, updated_at: at })) };
    gh.api.get("/repos/me/demo/actions/secrets").query(true).twice().reply(200, secrets);
    gh.api.get("/repos/me/demo/actions/organization-secrets").query(true).twice().reply(200, { total_count: 0, secrets: [] });
    const app = (permissions: Record<string, string>, events: string[]) => ({
      id: 1, slug: "mission-bot-me", node_id: "A_1", name: "mission-bot-me", html_url: "https://github.com/apps/mission-bot-me",
      description: null, external_url: "https://example.com", created_at: at, updated_at: at, permissions, events,
    });
    const { actions: _dropped, ...fewer } = appYml.default_permissions;
    gh.api.get("/app").reply(200, app(fewer, appYml.default_events.filter((e) => e !== "workflow_run")));
    gh.api.get("/repos/me/demo/installation").reply(404, { message: "Not Found", documentation_url: "https://docs.github.com" });
    const env = { ...token, APP_ID: "1", PRIVATE_KEY: testPrivateKey() };
    const r = await cliWith(env, "doctor");
    expect(r.code).toBe(1);
    expect(fixes(r.out)).toEqual([
      expect.stringMatching(/^FIX   the App mission-bot-me: has actions: none, mission-bot needs actions: write \(Settings → Developer settings → GitHub Apps → mission-bot-me/),
      expect.stringMatching(/^FIX   the App mission-bot-me: is not subscribed to workflow_run events/),
      "FIX   me/demo: GitHub answered 404 for repos/me/demo/installation: the App mission-bot-me is not installed on it. Install it: https://github.com/apps/mission-bot-me/installations/new",
    ]);

    gh.api.get("/app").reply(200, app(appYml.default_permissions, appYml.default_events));
    gh.api.get("/repos/me/demo/installation").reply(200, {
      id: 2, app_id: 1, target_id: 3, target_type: "User", repository_selection: "all", access_tokens_url: "https://api.github.com/app/installations/2/access_tokens",
      repositories_url: "https://api.github.com/installation/repositories", html_url: "https://github.com/settings/installations/2", app_slug: "mission-bot-me",
      permissions: appYml.default_permissions, events: appYml.default_events, created_at: at, updated_at: at, single_file_name: null,
    });
    const healthy = await cliWith(env, "doctor");
    expect(fixes(healthy.out)).toEqual([]);
    expect(healthy.out).toContain("ok    the App mission-bot-me: installed on me/demo, with app.yml's permissions and events\n");
    gh.done();
  });
});
