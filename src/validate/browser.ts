/**
 * The browser checks of a validation: start the app (`validation.browser.start`),
 * wait until its URL answers (2 minutes at most), load each page in
 * Chromium through playwright-core, screenshot it, and fail a page that
 * answers an HTTP error or throws in the browser. The browser comes from
 * Debian's chromium package (CHROMIUM_PATH); Playwright never downloads one.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserResult } from "../mission/validation/validation.js";
import { commandEnvironment } from "./commands.js";
import type { BrowserPlan } from "./plan.js";

interface Page {
  on(event: "pageerror", listener: (error: Error) => void): void;
  goto(url: string, options: { waitUntil: "load"; timeout: number }): Promise<{ status(): number } | null>;
  screenshot(options: { path: string; fullPage: boolean }): Promise<unknown>;
  close(): Promise<void>;
}
interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface PlaywrightCore {
  chromium: { launch(options: { executablePath?: string; args: string[] }): Promise<Browser> };
}

export interface BrowserOptions {
  /** playwright-core's index.mjs */
  playwright: string;
  chromium?: string;
  /** where screenshots go (a `screenshots` directory is made in it) */
  out: string;
  cwd: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

function screenshotName(i: number, path: string): string {
  return `${i + 1}-${path.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "home"}.png`;
}

export async function browserChecks(plan: BrowserPlan, o: BrowserOptions): Promise<BrowserResult> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const shots = join(o.out, "screenshots");
  mkdirSync(shots, { recursive: true });
  const result: BrowserResult = { url: plan.url, passed: false, pages: [] };
  let server: ChildProcess | undefined;
  try {
    if (plan.start) server = spawn("bash", ["-c", plan.start], { cwd: o.cwd, detached: true, stdio: "inherit", env: { ...commandEnvironment(process.env), CI: "true" } });
    const until = now() + 120_000;
    for (;;) {
      try {
        await fetch(plan.url);
        break;
      } catch {
        if (now() > until) throw new Error(`${plan.url} did not answer within 2 minutes`);
        await sleep(1000);
      }
    }
    const { chromium } = (await import(pathToFileURL(o.playwright).href)) as PlaywrightCore;
    const browser = await chromium.launch({ ...(o.chromium ? { executablePath: o.chromium } : {}), args: ["--no-sandbox"] });
    for (const [i, path] of plan.paths.entries()) {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e.message || e)));
      const screenshot = screenshotName(i, path);
      try {
        const response = await page.goto(new URL(path, plan.url).href, { waitUntil: "load", timeout: 60_000 });
        const status = response ? response.status() : null;
        await page.screenshot({ path: join(shots, screenshot), fullPage: true });
        const ok = status !== null && status < 400 && errors.length === 0;
        const error = (status !== null && status >= 400 ? `HTTP ${status}. ` : "") + errors.join("\n").slice(0, 900);
        result.pages.push({ path, passed: ok, status, screenshot, ...(ok ? {} : { error: error.slice(0, 1000) }) });
      } catch (e) {
        result.pages.push({ path, passed: false, status: null, error: String((e as Error).message || e).slice(0, 1000) });
      }
      await page.close();
    }
    await browser.close();
    result.passed = result.pages.length > 0 && result.pages.every((p) => p.passed);
  } catch (e) {
    result.error = String((e as Error).message || e).slice(0, 1000);
  } finally {
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
