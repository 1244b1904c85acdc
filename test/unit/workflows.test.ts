import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { lintWorkflow } from "../support/actionlint.js";

type Step = { id?: string; name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type Job = { permissions?: Record<string, string>; env?: Record<string, string>; steps: Step[]; needs?: string; if?: string; outputs?: Record<string, string> };
type Workflow = { on: Record<string, any>; "run-name"?: string; permissions?: Record<string, string>; concurrency?: any; jobs: Record<string, Job> };

const text = (name: string) => readFileSync(new URL(`../../templates/workflows/${name}`, import.meta.url), "utf8");
const WORKER = text("mission-worker.yml");
const PULSE = text("mission-pulse.yml");
const COMMAND = text("mission-command.yml");
const worker = parse(WORKER) as Workflow;
const pulse = parse(PULSE) as Workflow;
const ACTION = "<owner>/mission-bot@v1";

/** Every `run:` script that holds an expression: the runner pastes those into the script before the shell sees it. */
function expressionsInScripts(w: Workflow): string[] {
  return Object.entries(w.jobs).flatMap(([job, j]) =>
    j.steps.filter((s) => s.run?.includes("${{")).map((s) => `${job}: ${s.id ?? s.name}`),
  );
}

/** Where a workflow mentions a secret, as `job/step` or `job/(job env)`. */
function secretUses(w: Workflow): string[] {
  return Object.entries(w.jobs).flatMap(([job, j]) => [
    ...(JSON.stringify(j.env ?? {}).includes("secrets.") ? [`${job}/(job env): ${Object.keys(j.env!).join(",")}`] : []),
    ...j.steps.filter((s) => JSON.stringify(s).includes("secrets.")).map((s) => `${job}/${s.id ?? s.name}`),
  ]);
}

function writePermissions(w: Workflow): string[] {
  const scopes = (owner: string, p: Record<string, string> | undefined) =>
    Object.entries(p ?? {}).filter(([, level]) => level === "write").map(([scope]) => `${owner}: ${scope}`);
  return [...scopes("workflow", w.permissions), ...Object.entries(w.jobs).flatMap(([job, j]) => scopes(job, j.permissions))];
}

const step = (job: Job, id: string) => {
  const found = job.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id}`);
  return found;
};

describe("actionlint", () => {
  it.each([
    ["mission-worker.yml", WORKER],
    ["mission-pulse.yml", PULSE],
    ["mission-command.yml", COMMAND],
  ])("finds nothing in %s", async (name, yaml) => {
    expect(await lintWorkflow(yaml, name)).toEqual([]);
  });

  it("does find problems (so the two checks above mean something)", async () => {
    const broken = WORKER.replace('echo "base-sha=', 'echo "${{ github.event.issue.title }}" "base-sha=').replace("issues: read", "issuez: read");
    const findings = await lintWorkflow(broken, "mission-worker.yml");
    expect(findings.join("\n")).toMatch(/github\.event\.issue\.title" is potentially untrusted/);
    expect(findings.join("\n")).toMatch(/unknown permission scope "issuez"/);
  });
});

describe("the worker workflow", () => {
  it("takes exactly the inputs the bot sends, at most 25", () => {
    const inputs = worker.on.workflow_dispatch.inputs as Record<string, { required?: boolean; type: string; options?: string[] }>;
    expect(Object.keys(inputs)).toEqual([
      "mission", "feature", "issue", "mode", "branch", "base", "model",
      "max_turns", "timeout_minutes", "max_cost_usd", "nonce",
    ]);
    expect(inputs.mode).toMatchObject({ type: "choice", options: ["poc", "full"] });
    expect(Object.keys(worker.on)).toEqual(["workflow_dispatch"]);
  });

  it("names each run after its mission, feature and nonce, and runs one at a time per feature without cancelling", () => {
    expect(worker["run-name"]).toBe("mission ${{ inputs.mission }} / feature ${{ inputs.feature }} / ${{ inputs.nonce }}");
    expect(worker.concurrency).toEqual({ group: "mission-${{ inputs.mission }}-feature-${{ inputs.feature }}", "cancel-in-progress": false });
  });

  it("in POC mode starts each feature from the mission branch once it exists, so later features build on earlier ones", () => {
    const agent = parse(WORKER).jobs.agent as { steps: Array<{ id?: string; uses?: string; run?: string; with?: Record<string, string> }> };
    const checkout = agent.steps.find((s) => s.uses?.startsWith("actions/checkout"))!;
    expect(checkout.with?.ref).toBe("${{ steps.where.outputs.ref }}");
    const where = agent.steps.find((s) => s.id === "where")!;
    expect(where.run).toMatch(/MISSION_MODE" = poc \] && gh api "repos\/\$GITHUB_REPOSITORY\/git\/ref\/heads\/\$MISSION_BRANCH"/);
    expect(where.run).toMatch(/ref="\$MISSION_BRANCH"/);
  });

  it("gives the agent job a read-only token and no credentials in its checkout", () => {
    expect(worker.permissions).toEqual({});
    expect(worker.jobs.agent!.permissions).toEqual({ contents: "read", issues: "read" });
    const checkout = worker.jobs.agent!.steps.find((s) => s.uses?.startsWith("actions/checkout@"));
    expect(checkout?.with?.["persist-credentials"]).toBe(false);
  });

  it("lets only the apply job write, and write only what it needs", () => {
    expect(writePermissions(worker)).toEqual(["apply: contents", "apply: pull-requests", "apply: issues"]);
    expect(worker.jobs.apply!.needs).toBe("agent");
  });

  it("shows the agent's key to the agent step alone; the apply job sees only the optional App key", () => {
    expect(secretUses(worker)).toEqual(["agent/agent", "apply/(job env): HAS_APP_KEY", "apply/app-token"]);
    expect(step(worker.jobs.agent!, "agent").env).toHaveProperty("ANTHROPIC_API_KEY", "${{ secrets.ANTHROPIC_API_KEY }}");
    expect(JSON.stringify(worker.jobs.apply)).not.toContain("ANTHROPIC");
  });

  it("never pastes an expression into a script: inputs, issue text and step outputs reach the shell through env", () => {
    expect(expressionsInScripts(worker)).toEqual([]);
    expect(WORKER).not.toContain("github.event.issue");
    const agent = step(worker.jobs.agent!, "agent");
    expect(agent.env).toMatchObject({
      MISSION_WORKER_COMMAND: "${{ steps.prompt.outputs.command }}",
      MISSION_PROMPT_FILE: "${{ steps.prompt.outputs.prompt-file }}",
      MISSION_MODEL: "${{ inputs.model }}",
      MISSION_TIMEOUT_MINUTES: "${{ inputs.timeout_minutes }}",
    });
    expect(agent.run).toContain('timeout --kill-after=1m "${limit}m" bash -c "$MISSION_WORKER_COMMAND"');
  });

  it("would notice an expression pasted into a script", () => {
    const mutated = parse(WORKER.replace('git rev-parse HEAD)" >> "$GITHUB_OUTPUT"', 'git rev-parse ${{ inputs.base }})" >> "$GITHUB_OUTPUT"')) as Workflow;
    expect(expressionsInScripts(mutated)).toEqual(["agent: start"]);
  });

  it("builds the prompt through this project's Action from the issue, trusting only the dispatching bot by name", () => {
    const prompt = step(worker.jobs.agent!, "prompt");
    expect(prompt.uses).toBe(ACTION);
    expect(prompt.with).toMatchObject({ mode: "prompt", issue: "${{ inputs.issue }}", "trusted-bots": "${{ github.actor }}" });
    expect(step(worker.jobs.agent!, "agent").if ?? "").toBe("");
  });

  it("never stages or applies .github/", () => {
    const scripts = Object.values(worker.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ""));
    const adds = scripts.flatMap((s) => s.split("\n").filter((l) => /git add\b/.test(l)));
    expect(adds.length).toBeGreaterThan(0);
    for (const line of adds) expect(line).toContain("':(exclude).github'");
    const collect = step(worker.jobs.agent!, "patch").run!;
    expect(collect).toMatch(/diff --cached --binary .* -- \. ':\(exclude\)\.github'/);
    expect(collect).toContain("touches-github=true");

    const apply = step(worker.jobs.apply!, "apply").run!;
    const refuse = apply.indexOf('git apply --numstat -z "$patch"');
    expect(refuse).toBeGreaterThan(-1);
    expect(refuse).toBeLessThan(apply.indexOf("git apply --3way --index"));
    expect(apply).toContain("grep -Ei '^\\.github(/|$)'");
  });

  it("pushes POC work to the mission branch and Full work to the feature branch with a pull request that closes the issue", () => {
    const apply = step(worker.jobs.apply!, "apply").run!;
    expect(apply).toContain('poc) expected="mission/$MISSION_ID"');
    expect(apply).toContain('full) expected="mission/$MISSION_ID/$MISSION_FEATURE"');
    expect(apply).toContain("printf 'Closes #%s");
    expect(apply).toContain("gh pr create");
    expect(apply).toContain("gh pr edit");
  });

  it("always reports through this project's Action, unless the run was cancelled", () => {
    expect(worker.jobs.apply!.if).toBe("${{ !cancelled() }}");
    const report = worker.jobs.apply!.steps.at(-1)!;
    expect(report.if).toBe("always()");
    expect(report.uses).toBe(ACTION);
    expect(Object.keys(report.with!)).toEqual([
      "mode", "github-token", "mission", "feature", "issue", "worker-mode", "outcome", "summary",
      "branch", "pull-request", "commit", "usage-file", "model", "duration-seconds",
    ]);
    expect(report.with!.mode).toBe("report");
  });
});

describe("the command workflow (mission-bot through Actions alone)", () => {
  const command = parse(COMMAND) as { on: Record<string, unknown>; jobs: Record<string, { steps: Array<{ uses?: string; with?: Record<string, string> }> }> };
  it("handles commands, the issue form, and finished worker and validation runs", () => {
    expect(Object.keys(command.on).sort()).toEqual(["issue_comment", "issues", "workflow_run"]);
    const names = (command.on.workflow_run as { workflows: string[] }).workflows;
    expect(names).toEqual([parse(WORKER).name, parse(text("mission-validate.yml")).name]);
  });
  it("runs this project's Action in command mode", () => {
    const uses = Object.values(command.jobs).flatMap((j) => j.steps).find((s) => s.uses?.includes("mission-bot"));
    expect(uses?.with?.mode).toBe("command");
  });
});

describe("the pulse workflow", () => {
  it("runs every 15 minutes, by hand, and when the bot asks", () => {
    expect(pulse.on).toEqual({
      schedule: [{ cron: "*/15 * * * *" }],
      workflow_dispatch: null,
      repository_dispatch: { types: ["mission-pulse"] },
    });
  });

  it("runs one pulse at a time without cancelling one, with the permissions reconcile needs", () => {
    expect(pulse.concurrency).toEqual({ group: "mission-pulse", "cancel-in-progress": false });
    expect(pulse.permissions).toEqual({ contents: "write", issues: "write", actions: "write" }); // nothing more: the bot reads no pull request
    expect(expressionsInScripts(pulse)).toEqual([]);
  });

  it("runs this project's Action in pulse mode with the App's token when configured, else GITHUB_TOKEN", () => {
    const job = pulse.jobs.pulse!;
    expect(step(job, "app-token")).toMatchObject({ if: "env.HAS_APP_KEY == 'true'", uses: "actions/create-github-app-token@v2" });
    const last = job.steps.at(-1)!;
    expect(last.uses).toBe(ACTION);
    expect(last.with).toEqual({ mode: "pulse", "github-token": "${{ steps.app-token.outputs.token || github.token }}" });
  });
});

// ---------------------------------------------------------------------------
// The worker's scripts, run for real against local git repositories
// (bash -e, as GitHub runs a `run:` step by default).
// ---------------------------------------------------------------------------

function sh(cwd: string, script: string, env: Record<string, string> = {}): { status: number; out: string } {
  const r = spawnSync("bash", ["-e", "-c", script], {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com", ...env },
    encoding: "utf8",
  });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

function outputs(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

/** A repository with one commit on main and a workflow file; returns its path and that commit. */
function repository(root: string): { dir: string; base: string } {
  const dir = join(root, "work");
  sh(root, `git init -q -b main work && cd work && mkdir -p .github/workflows src && echo 'on: push' > .github/workflows/ci.yml && echo 'export {}' > src/app.ts && git add -A && git commit -qm base`);
  return { dir, base: sh(dir, "git rev-parse HEAD").out.trim() };
}

describe("the worker's scripts", () => {
  const agentJob = worker.jobs.agent!;
  const applyJob = worker.jobs.apply!;

  function temp(): { root: string; runnerTemp: string; output: string } {
    const root = mkdtempSync(join(tmpdir(), "mission-worker-"));
    const runnerTemp = join(root, "runner-temp");
    mkdirSync(join(runnerTemp, "mission-worker"), { recursive: true });
    return { root, runnerTemp, output: join(root, "github-output") };
  }

  function runAgent(t: ReturnType<typeof temp>, dir: string, command: string, key = "sk-ant-test-0123456789") {
    writeFileSync(t.output, "");
    return sh(dir, step(agentJob, "agent").run!, {
      RUNNER_TEMP: t.runnerTemp,
      GITHUB_OUTPUT: t.output,
      ANTHROPIC_API_KEY: key,
      MISSION_WORKER_COMMAND: command,
      MISSION_TIMEOUT_MINUTES: "5",
      MISSION_AGENT_OUTPUT: join(t.runnerTemp, "mission-worker", "agent-output.txt"),
    });
  }

  function collect(t: ReturnType<typeof temp>, dir: string, base: string) {
    writeFileSync(t.output, "");
    const r = sh(dir, step(agentJob, "patch").run!, { RUNNER_TEMP: t.runnerTemp, GITHUB_OUTPUT: t.output, BASE_SHA: base });
    return { ...r, outputs: outputs(t.output), patch: readFileSync(join(t.runnerTemp, "mission-worker", "feature.patch"), "utf8") };
  }

  it("runs the agent command from the environment, keeps its output and scrubs the agent's key from it", () => {
    const t = temp();
    const { dir } = repository(t.root);
    const r = runAgent(t, dir, `echo "work done, key $ANTHROPIC_API_KEY"; echo '{"type":"result"}'`);
    expect(r.status).toBe(0);
    expect(readFileSync(join(t.runnerTemp, "mission-worker", "agent-output.txt"), "utf8")).toBe('work done, key ***\n{"type":"result"}\n');
  });

  it("fails the agent step when the agent writes its key into the repository", () => {
    const t = temp();
    const { dir } = repository(t.root);
    const r = runAgent(t, dir, `echo "const k = '$ANTHROPIC_API_KEY'" > src/leak.ts`);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain("src/leak.ts holds a key of the agent's step");
    expect(existsSync(join(t.runnerTemp, "mission-key-leaked"))).toBe(true);
  });

  it("fails the agent step with the agent command's status", () => {
    const t = temp();
    const { dir } = repository(t.root);
    expect(runAgent(t, dir, "exit 7").status).toBe(7);
  });

  it("collects changes, commits and untracked files included, as a patch without .github/, and says .github/ was touched", () => {
    const t = temp();
    const { dir, base } = repository(t.root);
    sh(dir, `echo 'export const a = 1' > src/app.ts && git commit -qam 'agent commit' && echo new > src/new.ts && echo 'on: pull_request' > .github/workflows/ci.yml && echo x > .github/evil.yml`);
    const r = collect(t, dir, base);
    expect(r.status).toBe(0);
    expect(r.outputs).toEqual({ "touches-github": "true" });
    expect(r.patch).toContain("diff --git a/src/app.ts b/src/app.ts");
    expect(r.patch).toContain("diff --git a/src/new.ts b/src/new.ts");
    expect(r.patch).not.toContain(".github");
    expect(sh(dir, "git diff --cached --name-only").out).not.toContain(".github");
  });

  it("does not say .github/ was touched when it was not", () => {
    const t = temp();
    const { dir, base } = repository(t.root);
    sh(dir, "echo changed > src/app.ts");
    expect(collect(t, dir, base).outputs).toEqual({});
  });

  describe("apply", () => {
    /** An origin with main, a clone of it (the apply job's checkout), and a patch made against main. */
    function setup(change: string) {
      const t = temp();
      const { dir, base } = repository(t.root);
      sh(t.root, "git clone -q --bare work origin.git && git clone -q origin.git checkout");
      sh(dir, change);
      collectInto(t, dir, base);
      return { t, base, checkout: join(t.root, "checkout"), origin: join(t.root, "origin.git") };
    }

    function collectInto(t: ReturnType<typeof temp>, dir: string, base: string) {
      sh(dir, "git add -A && git diff --cached --binary \"$BASE\" > \"$OUT\"", { BASE: base, OUT: join(t.runnerTemp, "mission-worker", "feature.patch") });
    }

    function apply(s: ReturnType<typeof setup>, env: Record<string, string> = {}) {
      writeFileSync(s.t.output, "");
      const r = sh(s.checkout, step(applyJob, "apply").run!, {
        RUNNER_TEMP: s.t.runnerTemp,
        GITHUB_OUTPUT: s.t.output,
        MISSION_ID: "m-20261124-crm",
        MISSION_FEATURE: "2.3",
        MISSION_ISSUE: "31",
        MISSION_MODE: "poc",
        MISSION_BRANCH: "mission/m-20261124-crm",
        MISSION_BASE: "main",
        MISSION_BASE_SHA: s.base,
        RUN_URL: "https://github.com/acme/crm/actions/runs/4242",
        ...env,
      });
      return { ...r, outputs: outputs(s.t.output) };
    }

    it("POC: commits the patch on the mission branch and pushes it", () => {
      const s = setup("echo 'export const contacts = []' > src/contacts.ts");
      const r = apply(s);
      expect(r.status, r.out).toBe(0);
      const head = sh(s.origin, "git rev-parse refs/heads/mission/m-20261124-crm").out.trim();
      expect(r.outputs).toEqual({ branch: "mission/m-20261124-crm", commit: head });
      expect(sh(s.origin, "git log -1 --format=%s mission/m-20261124-crm").out.trim()).toBe("Mission m-20261124-crm: feature 2.3 (#31)");
      expect(sh(s.origin, "git show mission/m-20261124-crm:src/contacts.ts").out).toBe("export const contacts = []\n");
    });

    it("POC: adds to the mission branch when another worker got there first", () => {
      const s = setup("echo 'deals' > src/deals.ts");
      sh(s.t.root, "git clone -q origin.git other && cd other && git checkout -qb mission/m-20261124-crm && echo contacts > src/contacts.ts && git add -A && git commit -qm other && git push -q origin mission/m-20261124-crm");
      const r = apply(s);
      expect(r.status, r.out).toBe(0);
      expect(sh(s.origin, "git ls-tree --name-only mission/m-20261124-crm src/").out.split("\n")).toEqual(
        expect.arrayContaining(["src/contacts.ts", "src/deals.ts"]),
      );
    });

    it("refuses a patch that touches .github/ and pushes nothing", () => {
      const s = setup("echo 'on: workflow_dispatch' > .github/workflows/ci.yml && echo ok > src/ok.ts");
      const r = apply(s);
      expect(r.status).not.toBe(0);
      expect(r.out).toContain("the patch touches .github/");
      expect(sh(s.origin, "git branch --list 'mission/*'").out.trim()).toBe("");
      expect(sh(s.checkout, "git diff --cached --name-only").out).toBe("");
    });

    it.each([
      ["a branch other than the mission's", { MISSION_BRANCH: "main" }, "a poc worker pushes only to mission/m-20261124-crm"],
      ["a Full feature branch of another feature", { MISSION_MODE: "full", MISSION_BRANCH: "mission/m-20261124-crm/2.4" }, "a full worker pushes only to mission/m-20261124-crm/2.3"],
      ["an issue that is not a number", { MISSION_ISSUE: "31 $(id)" }, "issue is not an issue number"],
      ["a base that is not a commit", { MISSION_BASE_SHA: "main" }, "the agent job gave no base commit"],
    ])("refuses %s", (_, env, message) => {
      const s = setup("echo ok > src/ok.ts");
      const r = apply(s, env);
      expect(r.status).not.toBe(0);
      expect(r.out).toContain(message);
      expect(sh(s.origin, "git for-each-ref --format='%(refname)' refs/heads/").out.trim()).toBe("refs/heads/main");
    });
  });
});
