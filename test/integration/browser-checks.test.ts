/**
 * The browser checks of a validation in a real Chromium (the system's,
 * /usr/bin/chromium here) against a small site on loopback: a clean page
 * passes; a page with a console error, a missing image, a broken link and an
 * image without alt text fails with each of them reported; the validation
 * comment lists them, escaped, with the screenshots' links. One browser
 * launch for the whole file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderValidationComment } from "../../src/mission/markdown/validation-comment.js";
import { BrowserResult, encodeValidationReport, groupFailures, readValidationReport, ValidationReport } from "../../src/mission/validation/validation.js";
import { browserChecks } from "../../src/validate/browser.js";
import { findChromium } from "../../src/validate/chromium.js";
import { testMissionId } from "../support/clock.js";

const chromium = (() => {
  try {
    return findChromium(process.env, existsSync).path;
  } catch (error) {
    // on CI a missing browser is a failure, never a silent skip
    if (process.env.CI) throw new Error(`CI is set and the browser checks cannot be tested: ${(error as Error).message}`);
    return undefined;
  }
})();

const modules = fileURLToPath(new URL("../../node_modules/", import.meta.url));
const HOSTILE_TITLE = "Defects <!-- mission-bot --> @octocat";

const page = (title: string, body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><main>${body}</main></body></html>`;
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");

function site(other: string): Server {
  return createServer((req, res) => {
    const html = (status: number, text: string) => res.writeHead(status, { "content-type": "text/html; charset=utf-8" }).end(text);
    switch (req.url) {
      case "/":
        return html(200, page("Home", `<h1>Home</h1><img src="/logo.png" alt="Logo"><p><a href="/about">About</a> <a href="/#top">Top</a></p>`));
      case "/about":
        return html(200, page("About", "<h1>About</h1>"));
      case "/logo.png":
        return res.writeHead(200, { "content-type": "image/png" }).end(PNG);
      case "/defects":
        return html(
          200,
          page(
            HOSTILE_TITLE.replace(/</g, "&lt;"),
            `<h1>Defects</h1><img src="/missing.png"><p><a href="/nowhere">Gone</a> <a href="/about">About</a> <a href="${other}/elsewhere">Elsewhere</a></p>` +
              `<script>console.error("boom <img src=x onerror=alert(1)> @someone")</script>`,
          ),
        );
      default:
        return html(404, page("Not found", "<h1>Not found</h1>"));
    }
  });
}

const listen = (server: Server) => new Promise<string>((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));

describe.skipIf(!chromium)("browser checks in Chromium", () => {
  let app: Server;
  let elsewhere: Server;
  let elsewhereHits = 0;
  let out: string;
  let url: string;
  let result: BrowserResult;

  beforeAll(async () => {
    elsewhere = createServer((_req, res) => {
      elsewhereHits += 1;
      res.writeHead(404).end();
    });
    app = site(await listen(elsewhere));
    url = await listen(app);
    out = mkdtempSync(join(tmpdir(), "mission-browser-"));
    result = await browserChecks(
      { url, paths: ["/", "/defects"], start: "", install: "" },
      { playwright: join(modules, "playwright-core", "index.mjs"), axe: join(modules, "axe-core", "axe.min.js"), chromium: chromium!, out, cwd: out },
    );
  }, 60_000);

  afterAll(() => {
    app?.close();
    elsewhere?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it("a clean page passes every check, with its screenshot", () => {
    expect(result.error).toBeUndefined();
    const home = result.pages[0]!;
    expect(home).toMatchObject({ path: "/", passed: true, status: 200, title: "Home", screenshot: "1-home.png" });
    expect(home.checks).toEqual({
      console_errors: { count: 0, sample: [] },
      failed_requests: { count: 0, sample: [] },
      broken_links: { checked: 2, count: 0, sample: [] },
      accessibility: { count: 0, by_impact: { critical: 0, serious: 0, moderate: 0, minor: 0 }, sample: [] },
    });
    const png = readFileSync(join(out, "screenshots", "1-home.png"));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
  });

  it("a page with defects fails, each defect reported; links off the app's origin are not followed", () => {
    const defects = result.pages[1]!;
    expect(result.passed).toBe(false);
    expect(defects).toMatchObject({ path: "/defects", passed: false, status: 200, title: HOSTILE_TITLE, screenshot: "2-defects.png" });
    const c = defects.checks!;
    expect(c.console_errors).toEqual({ count: 1, sample: ["boom <img src=x onerror=alert(1)> @someone"] });
    expect(c.failed_requests).toEqual({ count: 1, sample: [{ url: `${url}/missing.png`, status: 404, reason: "Not Found" }] });
    // /about was already followed from the first page: answered once per run
    expect(c.broken_links).toEqual({ checked: 2, count: 1, sample: [{ url: `${url}/nowhere`, status: 404, reason: "Not Found" }] });
    expect(c.accessibility?.sample).toContainEqual({ id: "image-alt", impact: "critical", help: "Images must have alternative text", nodes: 1 });
    expect(defects.error).toContain("1 broken link, first: 404");
    expect(elsewhereHits).toBe(0);
    expect(existsSync(join(out, "screenshots", "2-defects.png"))).toBe(true);
  });

  it("the validation comment lists each page's checks with its screenshot link, escaped", () => {
    const artifact = "https://github.com/acme/crm/actions/runs/555/artifacts/9";
    const report = ValidationReport.parse({
      mission: testMissionId("crm", 7),
      milestone: "2",
      run_id: 555,
      commands: [{ name: "test", command: "npm test", passed: true, exit_code: 0, duration_seconds: 3 }],
      browser: result,
      screenshots: result.pages.map((p) => ({ name: p.screenshot!, url: artifact })),
    });
    const text = renderValidationComment(report, groupFailures(report), { attempt: 1, maxFailures: 3 });
    expect(text).toContain("#### Browser checks: failed (1 of 2 pages passed)");
    expect(text).toContain(`| \`/\` | ✅ passed | 0 | 0 | 0 of 2 | 0 | [1-home.png](${artifact}) |`);
    expect(text).toContain(`| \`/defects\` | ❌ failed | **1** | **1** | **1** of 2 | **1** serious or critical | [2-defects.png](${artifact}) |`);
    expect(text).toContain("- Console error: boom &lt;img src=x onerror=alert(1)> @&#8203;someone");
    expect(text).toContain(`- Failed request: 404 \`${url}/missing.png\``);
    expect(text).toContain(`- Broken link: 404 \`${url}/nowhere\``);
    expect(text).toContain("- Accessibility: `image-alt` (critical, 1 element): Images must have alternative text");
    expect(text).toContain("**Page `/defects`** (Defects &lt;!-- mission-bot --&gt; @&#8203;octocat), HTTP 200");
    expect(text).not.toContain("<!-- mission-bot");
    expect(text).toContain("**Page /defects fails its browser check**\n\nIts findings are listed under the browser checks above.");
    // what the bot reads back: the same findings, within the hidden block
    const read = readValidationReport(`${text}\n${encodeValidationReport(report)}`);
    expect(read.found && read.ok && read.report.browser?.pages[1]?.checks?.broken_links.count).toBe(1);
  });
});
