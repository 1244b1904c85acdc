/**
 * The GitHub Action entry point (action.yml, `mode` input). Thin: each mode
 * lives in src/action/<mode>.ts and exports `run(ctx)`.
 */
import * as core from "@actions/core";
import { actionContextFromEnv, type ActionContext } from "./action/context.js";
import { explainError } from "./github/explain.js";

type Mode = (ctx: ActionContext) => Promise<void>;

const MODES: Record<string, () => Promise<Mode>> = {
  pulse: async () => (await import("./action/pulse.js")).run,
  "validate-report": async () => (await import("./action/validate-report.js")).run,
  prompt: async () => (await import("./action/prompt.js")).run,
  report: async () => (await import("./action/report.js")).run,
  command: async () => (await import("./action/command.js")).run,
  wake: async () => (await import("./action/wake.js")).run,
  proxy: async () => (await import("./action/proxy.js")).run,
  "proxy-stop": async () => (await import("./action/proxy-stop.js")).run,
  agent: async () => (await import("./action/agent.js")).run,
  "apply-patch": async () => (await import("./action/apply-patch.js")).run,
  "validate-plan": async () => (await import("./action/validate-plan.js")).run,
  "validate-run": async () => (await import("./action/validate-run.js")).run,
  "validate-browser": async () => (await import("./action/validate-browser.js")).run,
};

export async function main(): Promise<void> {
  const mode = core.getInput("mode", { required: true });
  const load = MODES[mode];
  if (!load) throw new Error(`unknown mode "${mode}"; the modes are: ${Object.keys(MODES).join(", ")}`);
  await (await load())(actionContextFromEnv());
}

/**
 * The Action's run, as `@github/local-action` and dist/index.js call it: the
 * mode, and a failed step that names GitHub's answer and its likely cause.
 */
export async function run(): Promise<void> {
  try {
    await main();
  } catch (error) {
    core.setFailed(explainError(error));
  }
}
