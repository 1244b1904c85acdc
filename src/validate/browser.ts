/**
 * The browser checks of a validation: start the app (`validation.browser.start`),
 * wait until its URL answers (2 minutes at most), then load each page
 * (browserTargets) in one Chromium through playwright-core, each in a fresh
 * context, and check it (page-checks.ts): console errors, failed requests,
 * broken links, an axe-core scan and a full-page screenshot. The browser is
 * the system's (chromium.ts); Playwright never downloads one.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import type { BrowserResult } from "../mission/validation/validation.js";
import { chromiumArgs } from "./chromium.js";
import { commandEnvironment } from "./commands.js";
import { LinkChecker } from "./links.js";
import { checkPage } from "./page-checks.js";
import { browserTargets, type BrowserPlan } from "./plan.js";

export interface BrowserOptions {
  /** playwright-core's index.mjs */
  playwright: string;
  /** axe-core's axe.min.js */
  axe: string;
  /** the Chromium executable (findChromium) */
  chromium: string;
  /** where screenshots go (a `screenshots` directory is made in it) */
  out: string;
  cwd: string;
  log?: (line: string) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface PlaywrightCore {
  chromium: { launch(options: { executablePath: string; args: string[]; timeout: number }): Promise<Browser> };
}

export function screenshotName(i: number, path: string): string {
  return `${i + 1}-${path.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60) || "home"}.png`;
}

async function waitFor(url: string, now: () => number, sleep: (ms: number) => Promise<void>): Promise<void> {
  const until = now() + 120_000;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      await res.body?.cancel().catch(() => undefined);
      return;
    } catch {
      if (now() > until) throw new Error(`${url} did not answer within 2 minutes`);
      await sleep(1000);
    }
  }
}

export async function browserChecks(plan: BrowserPlan, o: BrowserOptions): Promise<BrowserResult> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const log = o.log ?? (() => undefined);
  const shots = join(o.out, "screenshots");
  mkdirSync(shots, { recursive: true });
  const result: BrowserResult = { url: plan.url.slice(0, 500), passed: false, pages: [] };
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  try {
    const { pages, skipped } = browserTargets(plan);
    for (const s of skipped) log(`not checked: ${s}`);
    if (plan.start) server = spawn("bash", ["-c", plan.start], { cwd: o.cwd, detached: true, stdio: "inherit", env: { ...commandEnvironment(process.env), CI: "true" } });
    await waitFor(plan.url, now, sleep);
    const axeSource = readFileSync(o.axe, "utf8");
    const { chromium } = (await import(pathToFileURL(o.playwright).href)) as PlaywrightCore;
    browser = await chromium.launch({ executablePath: o.chromium, args: chromiumArgs(process.getuid?.()), timeout: 60_000 });
    const links = new LinkChecker();
    for (const [i, target] of pages.entries()) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const checked = await checkPage(page, { ...target, screenshot: screenshotName(i, target.path) }, { axeSource, links, shots });
      log(`${checked.passed ? "passed" : "failed"}: ${target.url}${checked.error ? `\n  ${checked.error.replace(/\n/g, "\n  ")}` : ""}`);
      result.pages.push(checked);
      await context.close();
    }
    result.passed = result.pages.length > 0 && result.pages.every((p) => p.passed);
    if (result.pages.length === 0) result.error = "no page to check";
  } catch (e) {
    result.error = String((e as Error).message || e).slice(0, 1000);
  } finally {
    await browser?.close().catch(() => undefined);
    if (server?.pid) {
      try {
        process.kill(-server.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  return result;
}
