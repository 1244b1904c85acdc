/**
 * Action mode `validate-browser`: the browser checks of a validation run, on
 * the runner. Runs the plan's install command, installs playwright-core and
 * axe-core at the versions this Action pins (no browser download), finds
 * the system's Chromium (chromium.ts: on GitHub's ubuntu runners the
 * preinstalled Google Chrome that CHROME_BIN names), checks the pages and
 * writes `<results-dir>/browser.json` with the screenshots beside it, for
 * mode validate-report to read.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { browserChecks } from "../validate/browser.js";
import { findChromium } from "../validate/chromium.js";
import { commandEnvironment } from "../validate/commands.js";
import { BrowserPlan, validationDirs } from "../validate/plan.js";
import { freshResultsDir } from "../validate/results-dir.js";
import type { ActionContext } from "./context.js";

/** The playwright-core the browser checks load (no browser download: PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD). */
export const PLAYWRIGHT_CORE = "playwright-core@1.65.1";
/** The axe-core whose axe.min.js scans each page. */
export const AXE_CORE = "axe-core@4.14.1";

/** Both packages already in the runner's temporary directory at the pinned versions (a re-run on the same runner). */
function installed(modules: string): boolean {
  return [PLAYWRIGHT_CORE, AXE_CORE].every((spec) => {
    const at = spec.lastIndexOf("@");
    try {
      return (JSON.parse(readFileSync(join(modules, spec.slice(0, at), "package.json"), "utf8")) as { version?: unknown }).version === spec.slice(at + 1);
    } catch {
      return false;
    }
  });
}

export async function run(ctx: ActionContext): Promise<void> {
  const { workspace, out } = validationDirs(ctx.input("workspace"), ctx.input("results-dir"), ctx.env);
  let plan: BrowserPlan;
  try {
    plan = BrowserPlan.parse(JSON.parse(ctx.input("browser", { required: true })));
  } catch {
    throw new Error("browser is not the browser plan of mode validate-plan");
  }
  freshResultsDir(workspace, out);
  const chromium = findChromium(ctx.env, existsSync);
  ctx.log.info(`Chromium: ${chromium.path} (from ${chromium.from})`);
  if (plan.install) execFileSync("bash", ["-c", plan.install], { cwd: workspace, stdio: "inherit", env: { ...commandEnvironment(process.env), CI: "true" } });
  const prefix = join(ctx.env.RUNNER_TEMP ?? out, "mission-browser");
  const modules = join(prefix, "node_modules");
  if (!installed(modules)) {
    execFileSync("npm", ["install", "--no-save", "--no-package-lock", "--ignore-scripts", "--prefix", prefix, PLAYWRIGHT_CORE, AXE_CORE], {
      stdio: "inherit",
      env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" },
    });
  }
  const result = await browserChecks(plan, {
    playwright: join(modules, "playwright-core", "index.mjs"),
    axe: join(modules, "axe-core", "axe.min.js"),
    chromium: chromium.path,
    out,
    cwd: workspace,
    log: (line) => ctx.log.info(line),
  });
  writeFileSync(join(out, "browser.json"), JSON.stringify(result, null, 2));
  if (!result.passed) throw new Error(`the browser checks failed${result.error ? `: ${result.error}` : ""}`);
}
