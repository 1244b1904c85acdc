/**
 * Action mode `agent`, end to end but for docker: a stand-in `docker` on
 * PATH records its command line and runs the container's command with bash
 * in the mounted checkout, with the environment it was handed by name. The
 * patch, the outcome and the reasons are the real ones.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { run } from "../../src/action/agent.js";
import { fakeActionContext } from "../support/action-context.js";

const TOKEN = "run-token-0123456789abcdefghijklmnopqrstuv";
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A `docker` that runs `bash -c <command>` in the checkout it was to mount at /workspace. */
const FAKE_DOCKER = `
const { appendFileSync, readFileSync } = require("node:fs");
const { spawnSync } = require("node:child_process");
const args = process.argv.slice(2);
appendFileSync(__dirname + "/../docker.log", JSON.stringify(args) + "\\n");
if (args[0] !== "run") process.exit(0);
const mounts = args.flatMap((a, i) => (args[i - 1] === "--mount" ? [Object.fromEntries(a.split(",").map((kv) => kv.split("=")))] : []));
const source = (target) => mounts.find((m) => m.target === target).source;
const env = { PATH: process.env.PATH };
for (const [i, a] of args.entries()) if (args[i - 1] === "--env") env[a] = process.env[a];
env.MISSION_PROMPT_FILE = source("/run/mission/prompt.md");
env.SEEN_ENV = JSON.stringify(env);
const r = spawnSync("bash", ["-c", args.at(-1)], { cwd: source("/workspace"), env, stdio: "inherit" });
process.exit(r.status ?? 1);
`;

function setup() {
  const root = mkdtempSync(join(tmpdir(), "mission-agent-test-"));
  dirs.push(root);
  const bin = join(root, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "docker"), `#!${process.execPath}\n${FAKE_DOCKER}`);
  chmodSync(join(bin, "docker"), 0o755);
  const temp = join(root, "temp");
  mkdirSync(join(temp, "mission-proxy"), { recursive: true });
  writeFileSync(
    join(temp, "mission-proxy", "state.json"),
    JSON.stringify({ pid: 999_999, host: "172.18.0.1", model_port: 40001, egress_port: 40002, token: TOKEN, record_path: join(temp, "mission-worker", "usage.json") }),
  );
  const workspace = join(root, "work");
  const git = (script: string) =>
    spawnSync("bash", ["-e", "-c", script], {
      cwd: workspace,
      env: { PATH: process.env.PATH, HOME: root, GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" },
      encoding: "utf8",
    });
  mkdirSync(workspace);
  git("git init -q -b main && mkdir -p .github/workflows src && echo 'on: push' > .github/workflows/ci.yml && echo 'export {}' > src/app.ts && git add -A && git commit -qm base");
  const prompt = join(temp, "mission-prompt", "prompt.md");
  mkdirSync(join(temp, "mission-prompt"));
  writeFileSync(prompt, "# Mission m-20261124-crm, feature 2.3\n");
  const base = git("git rev-parse HEAD").stdout.trim();
  const log = join(root, "docker.log");
  return { root, temp, workspace, prompt, base, log, env: { PATH: `${bin}:${process.env.PATH}` } };
}

type Setup = ReturnType<typeof setup>;

async function agent(s: Setup, command: string, inputs: Record<string, string> = {}) {
  const f = fakeActionContext(
    {
      "prompt-outcome": "success",
      "prompt-file": s.prompt,
      command,
      image: "node:24-bookworm",
      "docker-network": "mission-agent",
      mission: "m-20261124-crm",
      feature: "2.3",
      "worker-mode": "poc",
      model: "claude-sonnet-5-5",
      "max-turns": "120",
      "max-cost-usd": "2.50",
      "timeout-minutes": "30",
      workspace: s.workspace,
      ...inputs,
    },
    { RUNNER_TEMP: s.temp, GITHUB_RUN_ID: "4242", GITHUB_RUN_ATTEMPT: "1", MISSION_AGENT_USER: "1001:1001" },
  );
  const path = process.env.PATH;
  process.env.PATH = s.env.PATH;
  let error: unknown;
  try {
    await run(f.ctx);
  } catch (e) {
    error = e;
  } finally {
    process.env.PATH = path;
  }
  const calls = existsSync(s.log) ? readFileSync(s.log, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as string[]) : [];
  const out = join(s.temp, "mission-worker");
  const read = (name: string) => (existsSync(join(out, name)) ? readFileSync(join(out, name), "utf8") : undefined);
  return { outputs: f.outputs, error, calls, patch: read("feature.patch"), output: read("agent-output.txt") };
}

describe("mode agent", () => {
  it("runs the command in the container with the proxy's address and token, and hands on its work as a patch", async () => {
    const s = setup();
    const r = await agent(s, 'echo "export const contacts = []" > src/contacts.ts && echo "{\\"type\\":\\"result\\"}" && cat "$MISSION_PROMPT_FILE" >&2');
    expect(r.error).toBeUndefined();
    expect(r.outputs).toMatchObject({ outcome: "success", reason: "", "base-sha": s.base });
    expect(Number(r.outputs["duration-seconds"])).toBeGreaterThanOrEqual(0);
    expect(r.patch).toContain("diff --git a/src/contacts.ts b/src/contacts.ts");
    expect(r.output).toBe('{"type":"result"}\n');
    const [docker] = r.calls;
    expect(docker!.slice(0, 4)).toEqual(["run", "--rm", "--name", "mission-agent-4242-1"]);
    expect(docker).toContain("1001:1001");
    expect(docker!.join(" ")).not.toContain(TOKEN);
  });

  it("gives the agent the metering proxy as its model API, the run token as its key, and the run's limits", async () => {
    const s = setup();
    const r = await agent(s, 'printf %s "$SEEN_ENV" > seen.json');
    expect(r.outputs.outcome).toBe("success"); // seen.json is its change
    const seen = JSON.parse(readFileSync(join(s.workspace, "seen.json"), "utf8")) as Record<string, string>;
    expect(seen).toMatchObject({
      ANTHROPIC_BASE_URL: "http://172.18.0.1:40001",
      ANTHROPIC_API_KEY: TOKEN,
      HTTPS_PROXY: `http://mission:${TOKEN}@172.18.0.1:40002`,
      MISSION_MODEL: "claude-sonnet-5-5",
      MISSION_MAX_TURNS: "120",
      MISSION_MAX_COST_USD: "2.5",
    });
  });

  it("fails the run with the command's exit code", async () => {
    const s = setup();
    const r = await agent(s, "echo partial > src/partial.ts; exit 7");
    expect(r.outputs).toMatchObject({ outcome: "failure", reason: "The agent command failed (exit 7)." });
  });

  it("refuses the agent's work when it touched .github/, naming the path", async () => {
    const s = setup();
    const r = await agent(s, "echo 'on: workflow_dispatch' > .github/workflows/ci.yml && echo ok > src/ok.ts");
    expect(r.outputs.outcome).toBe("failure");
    expect(r.outputs.reason).toBe(
      "The worker's changes are refused, so none of its work was applied:\n- .github/workflows/ci.yml: a worker never changes .github/ (workflows, actions and the bot's settings)",
    );
  });

  it("says so when the agent changed nothing", async () => {
    const s = setup();
    expect((await agent(s, "true")).outputs).toMatchObject({ outcome: "failure", reason: "The worker changed nothing." });
  });

  it("does not run the agent when the prompt step refused the issue, and hands its reason on to the report", async () => {
    const s = setup();
    const r = await agent(s, "touch src/x.ts", { "prompt-outcome": "failure", "prompt-refusal": "refusing to give the agent #31: it was written by mallory, who does not have write access to this repository" });
    expect(r.error).toBeUndefined();
    expect(r.calls).toEqual([]);
    expect(r.outputs).toEqual({
      outcome: "failure",
      reason: "The feature issue was not given to the agent: refusing to give the agent #31: it was written by mallory, who does not have write access to this repository",
    });
    const quiet = await agent(setup(), "touch src/x.ts", { "prompt-outcome": "skipped" });
    expect(quiet.outputs.reason).toMatch(/^The feature issue was not given to the agent: see the log of the step that writes the prompt/);
  });

  it("does not run the agent without the metering proxy, and fails the step saying why", async () => {
    const s = setup();
    rmSync(join(s.temp, "mission-proxy"), { recursive: true });
    const r = await agent(s, "touch src/x.ts");
    expect(r.calls).toEqual([]);
    expect(r.outputs).toMatchObject({ outcome: "failure", reason: "The metering proxy did not start, so the agent was not run: see the log of the step that starts it." });
    expect(String(r.error)).toContain("The metering proxy did not start");
  });

  it("refuses limits that are not numbers before running anything", async () => {
    const s = setup();
    const r = await agent(s, "touch src/x.ts", { "max-turns": "lots" });
    expect(r.calls).toEqual([]);
    expect(r.outputs).toMatchObject({ outcome: "failure", reason: 'max-turns is not a whole number: "lots"' });
  });
});
