/**
 * The worker, pulse and command workflow templates: what each job may do,
 * which step sees which secret, and that every piece of logic is a mode of
 * this project's Action (tested on its own) rather than a script.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { lintWorkflow } from "../support/actionlint.js";

type Step = { id?: string; name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type Job = { permissions?: Record<string, string>; env?: Record<string, string>; steps: Step[]; needs?: string | string[]; if?: string; outputs?: Record<string, string> };
type Workflow = { on: Record<string, any>; "run-name"?: string; permissions?: Record<string, string>; concurrency?: any; jobs: Record<string, Job> };

const text = (name: string) => readFileSync(new URL(`../../templates/workflows/${name}`, import.meta.url), "utf8");
const WORKER = text("mission-worker.yml");
const PULSE = text("mission-pulse.yml");
const COMMAND = text("mission-command.yml");
const worker = parse(WORKER) as Workflow;
const pulse = parse(PULSE) as Workflow;
const ACTION = "<owner>/mission-bot@v1";
const APP_TOKEN = "actions/create-github-app-token@1b10c78c7865c340bc4f6099eb2f838309f1e8c3";

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
  const found = job.steps.find((s) => s.id === id || s.name === id);
  if (!found) throw new Error(`no step ${id}`);
  return found;
};
const modeStep = (job: Job, mode: string) => {
  const found = job.steps.find((s) => s.uses === ACTION && s.with?.mode === mode);
  if (!found) throw new Error(`no step in mode ${mode}`);
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

  it("does find problems (so the checks above mean something)", async () => {
    const broken = WORKER.replace(
      "      - name: Stop the metering proxy\n",
      '      - run: echo "${{ github.event.issue.title }}"\n      - name: Stop the metering proxy\n',
    ).replace("issues: read", "issuez: read");
    const findings = (await lintWorkflow(broken, "mission-worker.yml")).join("\n");
    expect(findings).toMatch(/github\.event\.issue\.title" is potentially untrusted/);
    expect(findings).toMatch(/unknown permission scope "issuez"/);
  });
});

describe("the worker workflow", () => {
  const agent = worker.jobs.agent!;
  const apply = worker.jobs.apply!;
  const report = worker.jobs.report!;

  it("takes exactly the inputs the bot sends, at most 10 (GitHub Enterprise Server 3.19 and older; github.com takes 25)", () => {
    const inputs = worker.on.workflow_dispatch.inputs as Record<string, { required?: boolean; type: string; options?: string[] }>;
    expect(Object.keys(inputs)).toEqual([
      "mission", "feature", "issue", "mode", "branch", "model",
      "max_turns", "timeout_minutes", "max_cost_usd", "nonce",
    ]);
    expect(inputs.mode).toMatchObject({ type: "choice", options: ["poc", "full"] });
    expect(Object.keys(worker.on)).toEqual(["workflow_dispatch"]);
  });

  it("names each run after its mission, feature and nonce, and runs one at a time per feature without cancelling", () => {
    expect(worker["run-name"]).toBe("mission ${{ inputs.mission }} / feature ${{ inputs.feature }} / ${{ inputs.nonce }}");
    expect(worker.concurrency).toEqual({ group: "mission-${{ inputs.mission }}-feature-${{ inputs.feature }}", "cancel-in-progress": false });
  });

  it("has no script: every step is a pinned action or a mode of this project's Action", () => {
    for (const job of Object.values(worker.jobs)) for (const s of job.steps) expect(s.run, s.name).toBeUndefined();
    expect(expressionsInScripts(worker)).toEqual([]);
    expect(WORKER).not.toMatch(/npx --yes|npx -y\b/);
    expect(agent.steps.map((s) => (s.uses === ACTION ? `mission-bot ${String(s.with?.mode)}` : s.uses!.split("@")[0]))).toEqual([
      "mission-bot prompt",
      "actions/checkout",
      "mission-bot proxy",
      "mission-bot agent",
      "mission-bot proxy-stop",
      "actions/upload-artifact",
    ]);
  });

  it("starts from where the prompt step says: the mission branch once it exists (POC), else the base", () => {
    const prompt = modeStep(agent, "prompt");
    expect(prompt.with).toEqual({
      mode: "prompt",
      mission: "${{ inputs.mission }}",
      feature: "${{ inputs.feature }}",
      issue: "${{ inputs.issue }}",
      "worker-mode": "${{ inputs.mode }}",
      base: "${{ github.event.repository.default_branch }}",
    });
    const checkout = agent.steps.find((s) => s.uses?.startsWith("actions/checkout@"))!;
    expect(checkout.with).toEqual({ ref: "${{ steps.prompt.outputs.ref }}", "persist-credentials": false });
  });

  it("trusts feature issues by the configured bot logins, never by who dispatched the run", () => {
    expect(WORKER).not.toContain("github.actor");
    expect(WORKER).not.toContain("trusted-bots");
  });

  it("gives the agent job a read-only token; the model key reaches only the step that starts the proxy", () => {
    expect(worker.permissions).toEqual({});
    expect(agent.permissions).toEqual({ contents: "read", issues: "read" });
    // the App's key: the apply job (push), and the report job for a mission that lives in another repository
    expect(secretUses(worker)).toEqual(["agent/Start the metering proxy", "apply/(job env): HAS_APP_KEY", "apply/app-token", "report/(job env): HAS_APP_KEY", "report/app-token"]);
    expect(modeStep(agent, "proxy").env).toEqual({ ANTHROPIC_API_KEY: "${{ secrets.ANTHROPIC_API_KEY }}" });
    const run = modeStep(agent, "agent");
    // the agent gets only what the bot handed over to this feature's run (README "Spending and email"), never a key
    expect(run.env).toEqual(Object.fromEntries(["CODE", "LINK", "KEY"].map((k) => [`MISSION_HANDOVER_${k}`, `\${{ secrets[format('MISSION_HANDOVER_{0}_${k}', inputs.issue)] }}`])));
    expect(JSON.stringify(run)).not.toContain("secrets.");
    expect(JSON.stringify(apply) + JSON.stringify(report)).not.toContain("ANTHROPIC");
  });

  it("runs the agent on the proxy's network with the limits the bot dispatched, even when the prompt failed (to say why)", () => {
    const proxy = modeStep(agent, "proxy");
    const run = modeStep(agent, "agent");
    const stop = modeStep(agent, "proxy-stop");
    expect(proxy.with).toMatchObject({ "max-cost-usd": "${{ inputs.max_cost_usd }}", "docker-network": "mission-agent", "usage-record": "${{ runner.temp }}/mission-worker/usage.json" });
    expect(run.if).toBe("${{ !cancelled() }}");
    expect(run.with).toMatchObject({
      "prompt-outcome": "${{ steps.prompt.outcome }}",
      "prompt-refusal": "${{ steps.prompt.outputs.refusal }}",
      command: "${{ steps.prompt.outputs.command }}",
      image: "${{ steps.prompt.outputs.image }}",
      "docker-network": "mission-agent",
      model: "${{ inputs.model }}",
      "max-turns": "${{ inputs.max_turns }}",
      "max-cost-usd": "${{ inputs.max_cost_usd }}",
      "timeout-minutes": "${{ inputs.timeout_minutes }}",
    });
    expect(stop).toMatchObject({ if: "always()", with: { "docker-network": "mission-agent", "usage-record": "${{ runner.temp }}/mission-worker/usage.json" } });
    expect(agent.outputs).toEqual({
      outcome: "${{ steps.agent.outputs.outcome }}",
      reason: "${{ steps.agent.outputs.reason }}",
      "base-sha": "${{ steps.agent.outputs.base-sha }}",
      "duration-seconds": "${{ steps.agent.outputs.duration-seconds }}",
    });
  });

  it("lets only the apply job push, and the report job write issues and start the mission's command run", () => {
    expect(writePermissions(worker)).toEqual(["apply: contents", "apply: pull-requests", "report: issues", "report: actions"]);
    expect(apply.needs).toBe("agent");
    expect(apply.if).toBe("${{ !cancelled() && needs.agent.outputs.outcome == 'success' }}");
  });

  it("pushes with the App's token when configured, asking it for pull requests only in Full mode, else with GITHUB_TOKEN", () => {
    expect(step(apply, "app-token")).toMatchObject({
      if: "env.HAS_APP_KEY == 'true'",
      uses: APP_TOKEN,
      with: {
        "client-id": "${{ secrets.MISSION_BOT_CLIENT_ID }}",
        "private-key": "${{ secrets.MISSION_BOT_PRIVATE_KEY }}",
        "permission-contents": "write",
        "permission-pull-requests": "${{ inputs.mode == 'full' && 'write' || '' }}",
      },
    });
    expect(WORKER).not.toContain("app-id:");
    const applyStep = modeStep(apply, "apply-patch");
    expect(applyStep.with).toMatchObject({ "github-token": "${{ steps.app-token.outputs.token || github.token }}", "base-sha": "${{ needs.agent.outputs.base-sha }}", branch: "${{ inputs.branch }}" });
  });

  it("always reports through this project's Action unless the run was cancelled, booking from the proxy's usage record", () => {
    expect(report.needs).toEqual(["agent", "apply"]);
    expect(report.if).toBe("${{ !cancelled() }}");
    expect(report.permissions).toEqual({ issues: "write", actions: "write" });
    // the last step wakes the mission's command run (Actions-only mode), whatever happened
    expect(report.steps.at(-1)).toMatchObject({ if: "always()", uses: ACTION, with: { mode: "wake", mission: "${{ inputs.mission }}" } });
    const last = report.steps.at(-2)!;
    expect(last.uses).toBe(ACTION);
    expect(last.with).toEqual({
      mode: "report",
      // the App's token when the feature issue is in the mission's home repository ("owner/missions#12")
      "github-token": "${{ steps.app-token.outputs.token || github.token }}",
      mission: "${{ inputs.mission }}",
      feature: "${{ inputs.feature }}",
      issue: "${{ inputs.issue }}",
      outcome: "${{ needs.agent.outputs.outcome }}",
      "apply-result": "${{ needs.apply.result }}",
      summary: "${{ needs.agent.outputs.reason }}",
      branch: "${{ needs.apply.outputs.branch }}",
      "pull-request": "${{ needs.apply.outputs.pull-request }}",
      commit: "${{ needs.apply.outputs.commit }}",
      "mission-folder": "${{ needs.apply.outputs.mission-folder }}",
      "usage-file": "${{ runner.temp }}/mission-worker/agent-output.txt",
      // the agent step took mission-requests.json out of the patch into the artifact
      "requests-file": "${{ runner.temp }}/mission-worker/mission-requests.json",
      "usage-record": "${{ runner.temp }}/mission-worker/usage.json",
      "max-cost-usd": "${{ inputs.max_cost_usd }}",
      model: "${{ inputs.model }}",
      "duration-seconds": "${{ needs.agent.outputs.duration-seconds }}",
    });
  });
});

describe("the command workflow (mission-bot through Actions alone)", () => {
  const command = parse(COMMAND) as Workflow;
  it("handles commands, the issue form, and the runs the worker, validation and pulse start for one mission", () => {
    expect(Object.keys(command.on).sort()).toEqual(["issue_comment", "issues", "workflow_dispatch"]);
    const inputs = (command.on.workflow_dispatch as { inputs: Record<string, { required?: boolean }> }).inputs;
    expect(Object.keys(inputs)).toEqual(["issue", "reason"]);
    expect(inputs.issue!.required).toBe(true);
  });
  it("runs one mission at a time: one concurrency group per tracking issue, a pending run replaced, never cancelled mid-way", () => {
    expect(command.concurrency).toEqual({ group: "mission-${{ github.repository }}-${{ inputs.issue || github.event.issue.number }}", "cancel-in-progress": false });
  });
  it("starts no job for bots' events, pull requests or comments that do not speak to the bot", () => {
    const condition = command.jobs.command!.if as string;
    expect(condition).toContain("github.event_name == 'workflow_dispatch'");
    expect(condition).toContain("github.event.sender.type != 'Bot'");
    expect(condition).toContain("!github.event.issue.pull_request");
    expect(condition).toContain("contains(github.event.comment.body, '/mission')");
  });
  it("runs this project's Action in command mode, with the App's token limited to what the job's token may do", () => {
    const job = command.jobs.command!;
    expect(modeStep(job, "command")).toBeDefined();
    expect(job.permissions).toEqual({ contents: "write", issues: "write", actions: "write" });
    expect(step(job, "app-token").with).toMatchObject({ "permission-contents": "write", "permission-issues": "write", "permission-actions": "write" });
  });
});

describe("the pulse workflow", () => {
  it("runs every 15 minutes, and by hand", () => {
    expect(pulse.on).toEqual({ schedule: [{ cron: "*/15 * * * *" }], workflow_dispatch: null });
  });

  it("runs one pulse at a time without cancelling one; it only reads, and starts command runs", () => {
    expect(pulse.concurrency).toEqual({ group: "mission-pulse", "cancel-in-progress": false });
    expect(pulse.permissions).toEqual({});
    expect(pulse.jobs.pulse!.permissions).toEqual({ contents: "read", issues: "read", actions: "write" });
    expect(expressionsInScripts(pulse)).toEqual([]);
  });

  it("runs this project's Action in pulse mode with the App's token when configured, else GITHUB_TOKEN", () => {
    const job = pulse.jobs.pulse!;
    expect(step(job, "app-token")).toMatchObject({
      if: "env.HAS_APP_KEY == 'true'",
      uses: APP_TOKEN,
      with: { "permission-contents": "read", "permission-issues": "read", "permission-actions": "write" },
    });
    const last = job.steps.at(-1)!;
    expect(last.uses).toBe(ACTION);
    expect(last.with).toMatchObject({ mode: "pulse", "github-token": "${{ steps.app-token.outputs.token || github.token }}" });
  });
});
