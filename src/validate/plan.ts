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
  /** more pages to check: URLs the milestone's validation criteria name (only those on `url`'s origin are loaded) */
  urls: z.array(z.string().max(2000)).max(20).optional(),
});
export type BrowserPlan = z.infer<typeof BrowserPlan>;

export const MAX_PAGES = 20;

/**
 * The pages to check, in order: `paths` on `url`, then the milestone's URLs
 * on the same origin (a path is taken as on `url` too), each once, at most
 * MAX_PAGES. `skipped` names what was not loaded and why: the checks stay
 * on the app's own origin.
 */
export function browserTargets(plan: BrowserPlan): { pages: { path: string; url: string }[]; skipped: string[] } {
  const base = new URL(plan.url);
  const pages: { path: string; url: string }[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  const add = (label: string, raw: string) => {
    let url: URL;
    try {
      url = new URL(raw, base);
    } catch {
      skipped.push(`${label.slice(0, 200)}: not a URL`);
      return;
    }
    if (url.origin !== base.origin) return void skipped.push(`${url.href.slice(0, 200)}: not on ${base.origin}`);
    if (seen.has(url.href)) return;
    if (pages.length >= MAX_PAGES) return void skipped.push(`${url.href.slice(0, 200)}: more than ${MAX_PAGES} pages`);
    seen.add(url.href);
    pages.push({ path: label === raw && /^https?:/i.test(raw) ? `${url.pathname}${url.search}` : label, url: url.href });
  };
  for (const path of plan.paths) add(path, path);
  for (const url of plan.urls ?? []) add(url, url);
  return { pages, skipped };
}

export const ValidationPlan = z.strictObject({
  commands: z.array(z.strictObject({ name: z.string(), command: z.string(), rerun: z.string().optional() })).max(50),
  timeout_minutes: z.number().positive(),
  max_failures: z.number().int().min(1),
  browser: BrowserPlan.optional(),
});
export type ValidationPlan = z.infer<typeof ValidationPlan>;

/**
 * `urls`: the pages the milestone's validation criteria name, checked after `validation.browser.paths` (browserTargets keeps those on the app's origin);
 * `criterionCommands`: the milestone's command criteria (criteriaPlanParts), run after the configured or default commands.
 */
export function validationPlan(
  settings: ValidationConfig,
  pkg: PackageJson | undefined,
  lockfiles: string[],
  urls: string[] = [],
  criterionCommands: readonly NamedCommand[] = [],
): ValidationPlan {
  const base: NamedCommand[] = settings.commands ? configuredCommands(settings.commands) : defaultValidationCommands(pkg, lockfiles);
  const commands = [...base, ...criterionCommands].slice(0, 50);
  const install = commands.find((c) => c.name === "install")?.command ?? "";
  return {
    commands,
    timeout_minutes: settings.timeout_minutes,
    max_failures: settings.max_failures,
    ...(settings.browser
      ? { browser: { url: settings.browser.url, paths: settings.browser.paths, start: settings.browser.start ?? "", install, ...(urls.length ? { urls: urls.slice(0, MAX_PAGES).map((u) => u.slice(0, 2000)) } : {}) } }
      : {}),
  };
}

/** The checkout (input `workspace`, else GITHUB_WORKSPACE) and the results directory in it (input `results-dir`, else mission-validation). */
export function validationDirs(workspaceInput: string, resultsInput: string, env: Record<string, string | undefined>): { workspace: string; out: string } {
  const workspace = resolve(workspaceInput.trim() || env.GITHUB_WORKSPACE || process.cwd());
  return { workspace, out: resolve(workspace, resultsInput.trim() || "mission-validation") };
}
