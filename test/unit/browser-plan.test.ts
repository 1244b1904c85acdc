/**
 * The browser checks' plan and limits, without a browser: which pages are
 * loaded (only the app's own origin), which Chromium is driven and how, the
 * results directory the branch under validation cannot pre-fill, and the
 * report block staying within its budget whatever the pages say.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AXE_CORE, PLAYWRIGHT_CORE } from "../../src/action/validate-browser.js";
import { renderValidationComment, VALIDATION_COMMENT_MAX_CHARS } from "../../src/mission/markdown/validation-comment.js";
import { BLOCK_BUDGET, groupFailures, ValidationReport, encodeValidationReport, readValidationReport, type BrowserPage } from "../../src/mission/validation/validation.js";
import { chromiumArgs, findChromium } from "../../src/validate/chromium.js";
import { LinkChecker, MAX_LINKS, sameOriginLinks } from "../../src/validate/links.js";
import { ValidationConfig } from "../../src/mission/model.js";
import { browserTargets, MAX_PAGES, validationPlan } from "../../src/validate/plan.js";
import { freshResultsDir } from "../../src/validate/results-dir.js";
import { testMissionId } from "../support/clock.js";

const plan = (paths: string[], urls?: string[]) => ({ url: "http://localhost:3000", paths, start: "", install: "", ...(urls ? { urls } : {}) });

describe("browserTargets", () => {
  it("loads the configured paths, then the milestone's URLs on the app's origin only, each once", () => {
    const { pages, skipped } = browserTargets(plan(["/", "/deals"], ["http://localhost:3000/deals", "http://localhost:3000/contacts?q=1", "/reports", "https://evil.example/steal", "http://localhost:3001/"]));
    expect(pages).toEqual([
      { path: "/", url: "http://localhost:3000/" },
      { path: "/deals", url: "http://localhost:3000/deals" },
      { path: "/contacts?q=1", url: "http://localhost:3000/contacts?q=1" },
      { path: "/reports", url: "http://localhost:3000/reports" },
    ]);
    expect(skipped).toEqual(["https://evil.example/steal: not on http://localhost:3000", "http://localhost:3001/: not on http://localhost:3000"]);
  });

  it("the plan carries the milestone's URLs after the configured paths", () => {
    const settings = ValidationConfig.parse({ commands: ["npm test"], browser: { url: "http://localhost:3000", paths: ["/"] } });
    const planned = validationPlan(settings, undefined, [], ["/deals", "https://evil.example/"]);
    expect(planned.browser).toEqual({ url: "http://localhost:3000", paths: ["/"], start: "", install: "", urls: ["/deals", "https://evil.example/"] });
    expect(browserTargets(planned.browser!).pages.map((p) => p.url)).toEqual(["http://localhost:3000/", "http://localhost:3000/deals"]);
    expect(validationPlan(settings, undefined, []).browser).not.toHaveProperty("urls");
  });

  it("checks at most MAX_PAGES pages and says which were left", () => {
    const { pages, skipped } = browserTargets(plan(["/"], Array.from({ length: 25 }, (_, i) => `/p${i}`)));
    expect(pages).toHaveLength(MAX_PAGES);
    expect(skipped).toHaveLength(26 - MAX_PAGES);
  });
});

describe("links", () => {
  it("follows same-origin http(s) links only, without fragments", () => {
    expect(sameOriginLinks(["/a#x", "http://localhost:3000/a", "mailto:x@y.z", "javascript:alert(1)", "https://other.example/", { baseVal: "/svg" }, "b"], "http://localhost:3000/dir/page")).toEqual([
      "http://localhost:3000/a",
      "http://localhost:3000/dir/b",
    ]);
  });

  it("asks each link once per run, at most MAX_LINKS in all; GET when HEAD is refused", async () => {
    const asked: string[] = [];
    const fetcher = (async (url: string, init: { method: string }) => {
      asked.push(`${init.method} ${url}`);
      if (url.endsWith("/head-refused") && init.method === "HEAD") return new Response(null, { status: 405 });
      return new Response(null, { status: url.endsWith("/gone") ? 404 : 200, statusText: url.endsWith("/gone") ? "Not Found" : "OK" });
    }) as unknown as typeof fetch;
    const checker = new LinkChecker(fetcher);
    const first = await checker.check(["http://h/ok", "http://h/gone", "http://h/head-refused"]);
    expect(first).toEqual({ checked: 3, broken: [{ url: "http://h/gone", status: 404, reason: "Not Found" }] });
    await checker.check(["http://h/ok", "http://h/gone"]);
    expect(asked).toEqual(["HEAD http://h/ok", "HEAD http://h/gone", "HEAD http://h/head-refused", "GET http://h/head-refused"]);
    const many = await checker.check(Array.from({ length: MAX_LINKS + 10 }, (_, i) => `http://h/${i}`));
    expect(many.checked).toBe(MAX_LINKS - 3);
  });
});

describe("the Chromium driven", () => {
  const exists = (paths: string[]) => (p: string) => paths.includes(p);

  it("CHROMIUM_PATH first, then the runner's CHROME_BIN, then Google Chrome before a bare Chromium", () => {
    expect(findChromium({ CHROMIUM_PATH: "/opt/c", CHROME_BIN: "/usr/bin/google-chrome" }, exists(["/opt/c", "/usr/bin/google-chrome"]))).toEqual({ path: "/opt/c", from: "CHROMIUM_PATH" });
    expect(findChromium({ CHROME_BIN: "/usr/bin/google-chrome" }, exists(["/usr/bin/chromium", "/usr/bin/google-chrome"]))).toEqual({ path: "/usr/bin/google-chrome", from: "CHROME_BIN" });
    expect(findChromium({}, exists(["/usr/bin/chromium", "/usr/bin/google-chrome"])).path).toBe("/usr/bin/google-chrome");
    expect(findChromium({}, exists(["/usr/bin/chromium"])).path).toBe("/usr/bin/chromium");
  });

  it("says what is missing: a CHROMIUM_PATH that does not exist, or no browser at all", () => {
    expect(() => findChromium({ CHROMIUM_PATH: "/nope" }, exists(["/usr/bin/chromium"]))).toThrow("CHROMIUM_PATH is /nope, which does not exist");
    expect(() => findChromium({}, exists([]))).toThrow(/no Chromium or Chrome found .*apt-get install chromium/);
  });

  it("disables Chromium's sandbox only as root", () => {
    expect(chromiumArgs(0)).toEqual(["--no-sandbox"]);
    expect(chromiumArgs(1001)).toEqual([]);
    expect(chromiumArgs(undefined)).toEqual([]);
  });
});

describe("the results directory", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("starts empty: a browser.json committed on the branch under validation is gone before the job writes", () => {
    const workspace = mkdtempSync(join(tmpdir(), "mission-results-"));
    dirs.push(workspace);
    const out = join(workspace, "mission-validation");
    mkdirSync(join(out, "screenshots"), { recursive: true });
    writeFileSync(join(out, "browser.json"), JSON.stringify({ url: "http://localhost:3000", passed: true, pages: [] }));
    writeFileSync(join(workspace, "package.json"), "{}");
    freshResultsDir(workspace, out);
    expect(existsSync(join(out, "browser.json"))).toBe(false);
    expect(existsSync(out)).toBe(true);
    expect(existsSync(join(workspace, "package.json"))).toBe(true);
    expect(() => freshResultsDir(workspace, workspace)).toThrow("inside the checkout");
    expect(() => freshResultsDir(workspace, join(workspace, ".."))).toThrow("inside the checkout");
  });
});

describe("the report block with browser checks", () => {
  it("twenty pages full of long findings: the block stays within its budget and the comment under GitHub's limit, with every count", () => {
    const long = (s: string) => s.repeat(300).slice(0, 300);
    const page = (i: number): BrowserPage => ({
      path: `/p${i}`,
      passed: false,
      status: 200,
      title: long("T").slice(0, 200),
      error: long("E"),
      screenshot: `${i}-p.png`,
      checks: {
        console_errors: { count: 40, sample: Array.from({ length: 5 }, () => long("c")) },
        failed_requests: { count: 40, sample: Array.from({ length: 5 }, () => ({ url: long("u"), status: 500, reason: long("r").slice(0, 200) })) },
        broken_links: { checked: 50, count: 40, sample: Array.from({ length: 5 }, () => ({ url: long("l"), status: 404, reason: long("r").slice(0, 200) })) },
        accessibility: { count: 40, by_impact: { critical: 10, serious: 10, moderate: 10, minor: 10 }, sample: Array.from({ length: 5 }, () => ({ id: "image-alt", impact: "critical" as const, help: long("h"), nodes: 3 })) },
      },
    });
    const full = ValidationReport.parse({
      mission: testMissionId("crm", 7),
      milestone: "2",
      run_id: 1,
      commands: [{ name: "test", command: "npm test", passed: true, exit_code: 0, duration_seconds: 1 }],
      browser: { url: "http://localhost:3000", passed: false, pages: Array.from({ length: 20 }, (_, i) => page(i)) },
    });
    const block = encodeValidationReport(full);
    expect(block.length).toBeLessThanOrEqual(BLOCK_BUDGET);
    // and the comment above it: every page's row, under GitHub's limit with the block
    const text = renderValidationComment(full, groupFailures(full), { attempt: 1, maxFailures: 3 });
    expect(text.length).toBeLessThanOrEqual(VALIDATION_COMMENT_MAX_CHARS);
    for (let i = 0; i < 20; i++) expect(text).toContain(`| \`/p${i}\` | ❌ failed | **40** | **40** | **40** of 50 | **20** serious or critical (40 in all) |`);
    expect(text).not.toContain("cut to fit");
    const read = readValidationReport(block);
    expect(read.found && read.ok && read.report.browser?.pages.map((p) => p.checks?.console_errors.count)).toEqual(Array(20).fill(40));
  });
});

describe("the versions the Action installs", () => {
  it("are the versions the tests drive (the development dependencies)", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { devDependencies: Record<string, string> };
    expect(PLAYWRIGHT_CORE).toBe(`playwright-core@${pkg.devDependencies["playwright-core"]}`);
    expect(AXE_CORE).toBe(`axe-core@${pkg.devDependencies["axe-core"]}`);
  });
});
