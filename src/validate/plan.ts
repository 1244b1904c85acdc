/**
 * What a validation run runs: `validation.commands` from .github/mission.yml
 * on the default branch, or without them the defaults from the checked-out
 * package.json (defaultValidationCommands); the time they may take, how
 * many failures pause the mission, and the browser checks. Pure.
 */
import { resolve } from "node:path";
import { z } from "zod";
import type { ValidationConfig } from "../mission/model.js";
import { configuredCommands, defaultValidationCommands, type NamedCommand, type PackageJson } from "../mission/validation/validation.js";

export const LOCKFILES = ["package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock", "bun.lockb", "bun.lock"];

export const BrowserPlan = z.strictObject({
  url: z.string().max(2000),
  paths: z.array(z.string().max(500)).max(20),
  start: z.string().max(2000),
  /** the install command of the plan, run before the app starts */
  install: z.string().max(2000),
});
export type BrowserPlan = z.infer<typeof BrowserPlan>;

export const ValidationPlan = z.strictObject({
  commands: z.array(z.strictObject({ name: z.string(), command: z.string(), rerun: z.string().optional() })).max(50),
  timeout_minutes: z.number().positive(),
  max_failures: z.number().int().min(1),
  browser: BrowserPlan.optional(),
});
export type ValidationPlan = z.infer<typeof ValidationPlan>;

export function validationPlan(settings: ValidationConfig, pkg: PackageJson | undefined, lockfiles: string[]): ValidationPlan {
  const commands: NamedCommand[] = settings.commands ? configuredCommands(settings.commands) : defaultValidationCommands(pkg, lockfiles);
  const install = commands.find((c) => c.name === "install")?.command ?? "";
  return {
    commands,
    timeout_minutes: settings.timeout_minutes,
    max_failures: settings.max_failures,
    ...(settings.browser
      ? { browser: { url: settings.browser.url, paths: settings.browser.paths, start: settings.browser.start ?? "", install } }
      : {}),
  };
}

/** The checkout (input `workspace`, else GITHUB_WORKSPACE) and the results directory in it (input `results-dir`, else mission-validation). */
export function validationDirs(workspaceInput: string, resultsInput: string, env: Record<string, string | undefined>): { workspace: string; out: string } {
  const workspace = resolve(workspaceInput.trim() || env.GITHUB_WORKSPACE || process.cwd());
  return { workspace, out: resolve(workspace, resultsInput.trim() || "mission-validation") };
}
