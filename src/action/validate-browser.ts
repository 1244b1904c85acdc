/**
 * Action mode `validate-browser`: the browser checks of a validation run,
 * in a Debian container with its chromium package (CHROMIUM_PATH). Runs
 * the plan's install command, installs playwright-core at the version this
 * Action pins, visits the pages and writes `<results-dir>/browser.json`
 * with the screenshots beside it.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { browserChecks } from "../validate/browser.js";
import { commandEnvironment } from "../validate/commands.js";
import { BrowserPlan, validationDirs } from "../validate/plan.js";
import type { ActionContext } from "./context.js";

/** The playwright-core the browser checks load (no browser download: PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD). */
export const PLAYWRIGHT_CORE = "playwright-core@1.65.1";

export async function run(ctx: ActionContext): Promise<void> {
  const { workspace, out } = validationDirs(ctx.input("workspace"), ctx.input("results-dir"), ctx.env);
  let plan: BrowserPlan;
  try {
    plan = BrowserPlan.parse(JSON.parse(ctx.input("browser", { required: true })));
  } catch {
    throw new Error("browser is not the browser plan of mode validate-plan");
  }
  mkdirSync(out, { recursive: true });
  if (plan.install) execFileSync("bash", ["-c", plan.install], { cwd: workspace, stdio: "inherit", env: { ...commandEnvironment(process.env), CI: "true" } });
  const prefix = join(ctx.env.RUNNER_TEMP ?? out, "playwright");
  execFileSync("npm", ["install", "--no-save", "--no-package-lock", "--ignore-scripts", "--prefix", prefix, PLAYWRIGHT_CORE], {
    stdio: "inherit",
    env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" },
  });
  const result = await browserChecks(plan, {
    playwright: join(prefix, "node_modules", "playwright-core", "index.mjs"),
    ...(ctx.env.CHROMIUM_PATH ? { chromium: ctx.env.CHROMIUM_PATH } : {}),
    out,
    cwd: workspace,
  });
  writeFileSync(join(out, "browser.json"), JSON.stringify(result, null, 2));
  if (!result.passed) throw new Error(`the browser checks failed${result.error ? `: ${result.error}` : ""}`);
}
