/**
 * The browser checks of a validation in a real Chromium (the system's,
 * /usr/bin/chromium here) against a small site on loopback, through the
 * Action's modes as the workflow runs them: validate-browser writes
 * browser.json and the screenshots, validate-report posts the comment. A
 * clean page passes; a page with a console error, a missing image, a broken
 * link and an image without alt text fails with each of them reported; the
 * comment lists them, escaped, with the screenshots' links. One browser
 * launch for the whole file.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run as validateBrowser } from "../../src/action/validate-browser.js";
import { run as validateReport } from "../../src/action/validate-report.js";
import { BrowserResult, readValidationReport } from "../../src/mission/validation/validation.js";
import { findChromium } from "../../src/validate/chromium.js";
import { fakeActionContext } from "../support/action-context.js";
import { testMissionId } from "../support/clock.js";
import { githubNock } from "../support/github-nock.js";

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
  let work: string;
  let out: string;
  let url: string;
  let result: BrowserResult;
  let stepError: string;

  beforeAll(async () => {
    elsewhere = createServer((_req, res) => {
      elsewhereHits += 1;
      res.writeHead(404).end();
    });
    app = site(await listen(elsewhere));
    url = await listen(app);
    work = mkdtempSync(join(tmpdir(), "mission-browser-"));
    const checkout = join(work, "checkout");
    out = join(checkout, "mission-validation");
    // playwright-core and axe-core at the pinned versions, as a re-run on the runner finds them (no npm install)
    const temp = join(work, "runner-temp");
    mkdirSync(join(temp, "mission-browser", "node_modules"), { recursive: true });
    for (const name of ["playwright-core", "axe-core"]) symlinkSync(join(modules, name), join(temp, "mission-browser", "node_modules", name));
    // what the branch under validation could have committed: gone before the checks write
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "browser.json"), JSON.stringify({ url, passed: true, pages: [] }));
    const { ctx } = fakeActionContext(
      { browser: JSON.stringify({ url, paths: ["/", "/defects"], start: "", install: "" }), workspace: checkout },
      { RUNNER_TEMP: temp, CHROMIUM_PATH: chromium! },
    );
    stepError = await validateBrowser(ctx).then(
      () => "",
      (e: Error) => e.message,
    );
    result = BrowserResult.parse(JSON.parse(readFileSync(join(out, "browser.json"), "utf8")));
  }, 90_000);

  afterAll(() => {
    app?.close();
    elsewhere?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("a clean page passes every check, with its screenshot", () => {
    expect(result.error).toBeUndefined();
    expect(result.url).toBe(url);
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
    expect(stepError).toBe("the browser checks failed");
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

  it("the validation comment lists each page's checks with its screenshot link, escaped", async () => {
    const artifact = "https://github.com/acme/crm/actions/runs/555/artifacts/9";
    // the check job's results, beside browser.json as the report job downloads them
    writeFileSync(join(out, "results.json"), JSON.stringify({ commands: [{ name: "test", command: "npm test", passed: true, exit_code: 0, duration_seconds: 3 }] }));
    const gh = githubNock();
    let text = "";
    gh.api.get("/repos/acme/crm/issues/12/comments").query({ per_page: "100" }).reply(200, []);
    gh.api
      .post("/repos/acme/crm/issues/12/comments", (body: { body: string }) => {
        text = body.body;
        return true;
      })
      .reply(201, { id: 77, html_url: "https://github.com/acme/crm/issues/12#issuecomment-77", body: "" });
    const { ctx, outputs } = fakeActionContext(
      { mission: testMissionId("crm", 7), milestone: "2", issue: "12", results: join(out, "results.json"), "screenshots-url": artifact, browser: JSON.stringify({ url, paths: ["/", "/defects"], start: "", install: "" }) },
      { GITHUB_RUN_ID: "555", GITHUB_RUN_ATTEMPT: "1" },
    );
    try {
      await validateReport(ctx);
      gh.done();
    } finally {
      gh.restore();
    }
    expect(outputs.verdict).toBe("fail");
    expect(text).toContain("#### Browser checks: failed (1 of 2 pages passed)");
    expect(text).toContain(`| \`/\` | ✅ passed | 0 | 0 | 0 of 2 | 0 | [1-home.png](${artifact}) |`);
    expect(text).toContain(`| \`/defects\` | ❌ failed | **1** | **1** | **1** of 2 | **1** serious or critical | [2-defects.png](${artifact}) |`);
    expect(text).toContain("- Console error: boom &lt;img src=x onerror=alert(1)> @&#8203;someone");
    expect(text).toContain(`- Failed request: 404 \`${url}/missing.png\``);
    expect(text).toContain(`- Broken link: 404 \`${url}/nowhere\``);
    expect(text).toContain("- Accessibility: `image-alt` (critical, 1 element): Images must have alternative text");
    expect(text).toContain("**Page `/defects`** (Defects &lt;!-- mission-bot --&gt; @&#8203;octocat), HTTP 200");
    expect(text).not.toContain("<!-- mission-bot -->");
    expect(text).toContain("**Page /defects fails its browser check**\n\nIts findings are listed under the browser checks above.");
    // what the bot reads back: the same findings, in the hidden block
    const read = readValidationReport(text);
    expect(read.found && read.ok && read.report.browser?.pages[1]?.checks?.broken_links.count).toBe(1);
  });
});
