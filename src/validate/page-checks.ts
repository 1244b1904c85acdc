/**
 * One page of the browser checks: load it, then record what a user (or a
 * screen reader) would run into — console errors and uncaught exceptions,
 * requests that failed or answered 400 or more, same-origin links that are
 * broken, accessibility violations (axe-core, WCAG 2.0/2.1 A and AA rules)
 * — and take a full-page screenshot. Everything the page says is the code
 * under validation's: cut to size here, validated by the BrowserPage schema,
 * escaped where it is rendered.
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { z } from "zod";
import {
  A11Y_IMPACTS,
  BROWSER_SAMPLE,
  BrowserPage,
  judgeBrowserPage,
  type A11yViolation,
  type BrowserChecks,
  type FailedRequest,
} from "../mission/validation/validation.js";
import type { LinkChecker } from "./links.js";
import { sameOriginLinks } from "./links.js";

export const PAGE_TIMEOUT_MS = 30_000;
/** after `load`, how long to wait for the network to go quiet (late requests and errors) */
export const SETTLE_MS = 5_000;
/** the axe-core rules run: WCAG 2.0 and 2.1, levels A and AA (not the best-practice rules) */
export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

export interface PageTarget {
  /** as the plan names it (a path, or a URL of the milestone) */
  path: string;
  url: string;
  screenshot: string;
}

export interface PageCheckOptions {
  /** axe.min.js, evaluated in the page */
  axeSource: string;
  links: LinkChecker;
  /** the screenshots directory */
  shots: string;
}

/** Chromium's own console line for a failed resource, already a failed request. */
const RESOURCE_ERROR = /^Failed to load resource:/;

const AxeViolations = z
  .array(z.object({ id: z.string(), impact: z.string().nullish(), help: z.string(), nodes: z.number() }))
  .max(1000);

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The axe scan, in the page: the source defines `window.axe`, then `axe.run` reports the violations. */
async function scan(page: Page, axeSource: string): Promise<NonNullable<BrowserChecks["accessibility"]>> {
  await page.evaluate(axeSource);
  const raw: unknown = await page.evaluate(
    `axe.run(document, { runOnly: { type: "tag", values: ${JSON.stringify(AXE_TAGS)} }, resultTypes: ["violations"] })` +
      `.then((r) => r.violations.map((v) => ({ id: String(v.id), impact: v.impact ?? null, help: String(v.help), nodes: v.nodes.length })))`,
  );
  const violations: A11yViolation[] = AxeViolations.parse(raw).map((v) => ({
    id: cut(v.id, 100),
    impact: (A11Y_IMPACTS as readonly string[]).includes(v.impact ?? "") ? (v.impact as A11yViolation["impact"]) : null,
    help: cut(v.help, 300),
    nodes: Math.max(0, Math.floor(v.nodes)),
  }));
  const order = (v: A11yViolation) => (v.impact ? A11Y_IMPACTS.indexOf(v.impact) : A11Y_IMPACTS.length);
  violations.sort((a, b) => order(a) - order(b));
  const by = (impact: string) => violations.filter((v) => v.impact === impact).length;
  return {
    count: violations.length,
    by_impact: { critical: by("critical"), serious: by("serious"), moderate: by("moderate"), minor: by("minor") },
    sample: violations.slice(0, BROWSER_SAMPLE),
  };
}

export async function checkPage(page: Page, target: PageTarget, o: PageCheckOptions): Promise<BrowserPage> {
  // a page can log without end: every finding is counted, the first few kept
  const consoleErrors = { count: 0, sample: [] as string[] };
  const failed = { count: 0, sample: [] as FailedRequest[] };
  const keep = <T>(list: { count: number; sample: T[] }, item: () => T) => {
    list.count += 1;
    if (list.sample.length < BROWSER_SAMPLE) list.sample.push(item());
  };
  page.on("console", (message) => {
    if (message.type() === "error" && !RESOURCE_ERROR.test(message.text())) keep(consoleErrors, () => cut(message.text(), 300));
  });
  page.on("pageerror", (error) => keep(consoleErrors, () => cut(`Uncaught ${error.name || "Error"}: ${error.message}`, 300)));
  page.on("requestfailed", (request) => {
    const reason = request.failure()?.errorText ?? "failed";
    // a request the page itself gave up on (navigation, an aborted fetch) is not a failure of the app
    if (reason === "net::ERR_ABORTED") return;
    keep(failed, () => ({ url: cut(request.url(), 300), status: null, reason: cut(reason, 200) }));
  });
  page.on("response", (response) => {
    const request = response.request();
    // the page's own status is reported as the page's status
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) return;
    if (response.status() >= 400) keep(failed, () => ({ url: cut(response.url(), 300), status: response.status(), reason: cut(response.statusText(), 200) }));
  });

  const base = { path: target.path.slice(0, 500), status: null as number | null };
  const problems: string[] = [];
  let title: string | undefined;
  let screenshot: string | undefined;
  let accessibility: BrowserChecks["accessibility"] = null;
  let links = { checked: 0, broken: [] as BrowserChecks["broken_links"]["sample"] };
  try {
    const response = await page.goto(target.url, { waitUntil: "load", timeout: PAGE_TIMEOUT_MS });
    base.status = response ? response.status() : null;
    await page.waitForLoadState("networkidle", { timeout: SETTLE_MS }).catch(() => undefined);
    title = cut(await page.title(), 200);
    await page.screenshot({ path: join(o.shots, target.screenshot), fullPage: true, timeout: PAGE_TIMEOUT_MS });
    screenshot = target.screenshot;
    try {
      accessibility = await scan(page, o.axeSource);
    } catch (error) {
      problems.push(`The accessibility scan did not run: ${(error as Error).message}`);
    }
    const hrefs: unknown[] = await page.$$eval("a[href]", (anchors) => anchors.map((a) => (a as unknown as { href: unknown }).href));
    links = await o.links.check(sameOriginLinks(hrefs, page.url()));
  } catch (error) {
    problems.push((error as Error).message);
  }

  const checks: BrowserChecks = {
    console_errors: { count: consoleErrors.count, sample: [...consoleErrors.sample] },
    failed_requests: { count: failed.count, sample: [...failed.sample] },
    broken_links: { checked: links.checked, count: links.broken.length, sample: links.broken.slice(0, BROWSER_SAMPLE) },
    accessibility,
  };
  const judged = judgeBrowserPage(base.status, checks);
  const error = [...problems.map((p) => cut(p.split("\n")[0] ?? "", 300)), ...(judged.error ? [judged.error] : [])].join("\n");
  return BrowserPage.parse({
    ...base,
    passed: judged.passed && problems.length === 0,
    ...(title ? { title } : {}),
    ...(error ? { error: cut(error, 1000) } : {}),
    ...(screenshot ? { screenshot } : {}),
    checks,
  });
}
