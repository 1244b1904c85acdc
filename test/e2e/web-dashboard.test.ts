/**
 * The web dashboard in a real browser (Debian's chromium, driven by
 * playwright-core): mission-bot started as a user starts it, with the
 * dashboard's settings, against the GitHub twin's API and its OAuth web flow.
 *
 * Two repositories of one organisation, the App installed on both: acme/crm
 * is private (alice may write, bob has no access), acme/site is public.
 * Screenshots of the pages go to test-artifacts/ (README "Web dashboard"
 * shows copies from docs/).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { startTwinServer, type TwinServer } from "../../src/twin/server.js";
import type { GitHubTwin } from "../../src/twin/state.js";
import { renderMissionFile } from "../../src/mission/markdown/mission-file.js";
import { missionPath, type Mission } from "../../src/mission/model.js";
import { contractTwin } from "../support/twin.js";
import { testPrivateKey, testPublicKey } from "../support/keys.js";
import { TEST_EPOCH, testClock, testMissionId } from "../support/clock.js";
import { answered, plan, STATE_BRANCH, withIssues } from "../support/missions.js";
import { freePort, ROOT, startApp, type AppProcess } from "./support/app-process.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = join(ROOT, "test-artifacts");
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const PRIVATE_TITLE = "Secret payroll overhaul";
const PUBLIC_TITLE = "Public website refresh";

if (!existsSync(CHROMIUM) && process.env.CI) {
  throw new Error(`chromium is not at ${CHROMIUM}: install Debian's chromium (.ci/run does) or set CHROMIUM_PATH`);
}

// three hours into the mission's first day: the ledger below has a history to chart
const clock = testClock(TEST_EPOCH + 3 * 3600_000);
const at = (minutes: number) => new Date(TEST_EPOCH + minutes * 60_000).toISOString();

/** A mission under way: the first milestone done and validated, the second started, money spent. */
function missionIn(repo: string, slug: string, issue: number, title: string): Mission {
  const m = withIssues(answered({ id: testMissionId(slug, issue), title, repo, tracking_issue: issue, created: at(0), status: "active", plan: plan([2, 2]) }));
  const m1 = m.plan!.milestones[0]!;
  const m2 = m.plan!.milestones[1]!;
  const run = (n: number, minutes: number) => ({ try: 1, run_id: 7000 + n, dispatched_at: at(minutes), status: "completed" as const, conclusion: "success" as const });
  m1.features = m1.features.map((f, i) => ({ ...f, runs: [run(i, 10 + i)], done: { by: "mission-bot[bot]", at: at(60 + i * 30) } }));
  m1.validations = [{ ...run(90, 120), outcome: "fail", failures: ["login <script>alert(1)</script> test fails"] }, { ...run(91, 150), try: 2, outcome: "pass", failures: [] }];
  m1.validated = "passed";
  m2.features = m2.features.map((f, i) => (i === 0 ? { ...f, runs: [{ try: 1, run_id: 7010, dispatched_at: at(170), status: "in_progress" as const }] } : f));
  const entry = (n: number, minutes: number, feature: string | undefined, usd: number) => ({
    key: `run-${7000 + n}-1`,
    kind: feature ? ("worker" as const) : ("validation" as const),
    ...(feature ? { feature } : {}),
    model: "claude-sonnet-4-5",
    tokens_in: 400_000,
    tokens_out: 60_000,
    cost_micros: usd * 1_000_000,
    wall_seconds: 900,
    actions_minutes: 15,
    at: at(minutes),
  });
  return {
    ...m,
    ledger: [entry(0, 55, "1.1", 42), entry(1, 85, "1.2", 61), entry(90, 130, undefined, 9), entry(91, 160, undefined, 8)],
    decisions: [
      { at: at(0), by: "alice", what: "/mission approve" },
      { at: at(121), by: "mission-bot", what: "validation of milestone 1 failed: opened a fix task <img src=x onerror=alert(1)>" },
    ],
  };
}

function seed(twin: GitHubTwin): { privateMission: Mission; publicMission: Mission } {
  twin.addRepo({ owner: "acme", name: "crm", ownerType: "Organization", private: true, collaborators: { alice: "write" } });
  twin.addRepo({ owner: "acme", name: "site", ownerType: "Organization", private: false, collaborators: { alice: "write" } });
  const privateMission = missionIn("acme/crm", "payroll", 7, PRIVATE_TITLE);
  const publicMission = missionIn("acme/site", "website", 3, PUBLIC_TITLE);
  for (const [repo, m] of [["acme/crm", privateMission], ["acme/site", publicMission]] as const) {
    twin.createBranch(STATE_BRANCH, { repo, orphan: true });
    twin.writeFile(missionPath(m.id), renderMissionFile(m), { repo, branch: STATE_BRANCH });
  }
  return { privateMission, publicMission };
}

describe("web dashboard in a browser", () => {
  let twin: GitHubTwin;
  let server: TwinServer;
  let app: AppProcess;
  let browser: Browser;
  let missions: ReturnType<typeof seed>;
  let base: string;

  beforeAll(async () => {
    twin = contractTwin({ now: clock, appPublicKey: testPublicKey(), checkResponses: false });
    missions = seed(twin);
    server = await startTwinServer(twin);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    twin.oauth.callbackUrls = [`${base}/dashboard/callback`];
    app = await startApp({
      gheHost: server.host,
      privateKey: testPrivateKey(),
      webhookSecret: "web-dashboard-secret",
      clock: { start: clock.start, origin: clock.origin },
      port,
      settings: {
        GITHUB_CLIENT_ID: twin.app.client_id,
        GITHUB_CLIENT_SECRET: twin.oauth.clientSecret,
        DASHBOARD_COOKIE_SECRET: "a-cookie-secret-for-the-browser-tests-only-0123456789",
        DASHBOARD_URL: base,
        // an open page asks again every 5 s (the shortest allowed), so the refresh test is short
        DASHBOARD_REFRESH_SECONDS: "5",
      },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await server?.close();
  });

  /** A browser signed in to GitHub (the twin) as `login`, not yet to the dashboard. */
  async function contextOf(login: string): Promise<{ context: BrowserContext; page: Page; cspErrors: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    await context.addCookies([{ name: "twin_user", value: login, url: server.url }]);
    const page = await context.newPage();
    const cspErrors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(m.text());
    });
    return { context, page, cspErrors };
  }

  async function signIn(page: Page): Promise<void> {
    await page.goto(`${base}/dashboard/`);
    await page.getByRole("link", { name: "Sign in with GitHub" }).click();
    await page.waitForURL(`${base}/dashboard/`);
  }

  async function axeViolations(page: Page): Promise<Array<{ id: string; nodes: number }>> {
    // evaluated by the test's driver: the page's CSP (rightly) refuses an inline script tag
    await page.evaluate(AXE);
    const result = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run: () => Promise<{ violations: Array<{ id: string; nodes: unknown[] }> }> } }).axe;
      const r = await axe.run();
      return r.violations.map((v) => ({ id: v.id, nodes: v.nodes.length }));
    });
    return result;
  }

  it("signs alice in through GitHub's OAuth web flow and lists the missions of both repositories she can read", async () => {
    const { context, page, cspErrors } = await contextOf("alice");
    const first = await page.goto(`${base}/dashboard/`);
    expect(first!.headers()["content-security-policy"]).toContain("default-src 'none'");
    await expect(page.getByRole("link", { name: "Sign in with GitHub" }).count()).resolves.toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-sign-in.png") });
    await page.getByRole("link", { name: "Sign in with GitHub" }).click();
    await page.waitForURL(`${base}/dashboard/`);
    await expect(page.getByText("Signed in as alice").count()).resolves.toBe(1);
    await expect(page.getByRole("link", { name: PRIVATE_TITLE }).count()).resolves.toBe(1);
    await expect(page.getByRole("link", { name: PUBLIC_TITLE }).count()).resolves.toBe(1);
    // the session cookie: HttpOnly, SameSite=Lax, and no token in it or in the page
    const cookie = (await context.cookies(`${base}/dashboard/`)).find((c) => c.name === "mb_session")!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe("Lax");
    const tokens = [...twin.tokens.values()].filter((t) => t.viaApp).map((t) => t.token);
    expect(tokens.length).toBe(1);
    expect(cookie.value).not.toContain(tokens[0]!);
    expect(await page.content()).not.toContain(tokens[0]!);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-missions.png"), fullPage: true });
    expect(cspErrors).toEqual([]);
    await context.close();
  });

  it("shows bob, who cannot read the private repository, nothing of it: not its name, not its mission, not its data", async () => {
    const { context, page } = await contextOf("bob");
    await signIn(page);
    await expect(page.getByText("Signed in as bob").count()).resolves.toBe(1);
    await expect(page.getByRole("link", { name: PUBLIC_TITLE }).count()).resolves.toBe(1);
    const html = await page.content();
    expect(html).not.toContain(PRIVATE_TITLE);
    expect(html).not.toContain("acme/crm");
    expect(html).not.toContain(missions.privateMission.id);
    // straight to its mission page and its data: the answer of a mission that does not exist
    const missionUrl = `${base}/dashboard/m/acme/crm/${missions.privateMission.id}`;
    const page404 = await page.goto(missionUrl);
    expect(page404!.status()).toBe(404);
    const hidden = await page404!.text();
    const nowhere = await page.goto(`${base}/dashboard/m/acme/crm/${missions.privateMission.id.replace("payroll", "nothing")}`);
    expect(hidden).toBe(await nowhere!.text());
    expect(hidden).not.toContain(PRIVATE_TITLE);
    const data = await page.goto(`${base}/dashboard/data/m/acme/crm/${missions.privateMission.id}.json`);
    expect(data!.status()).toBe(404);
    expect(await data!.text()).not.toContain(PRIVATE_TITLE);
    await context.close();
  });

  it("renders a mission's page with its burn chart, timeline, features, validation and decisions, escaping their text; axe finds nothing", async () => {
    const { context, page, cspErrors } = await contextOf("alice");
    await signIn(page);
    await page.getByRole("link", { name: PRIVATE_TITLE }).click();
    await page.waitForSelector("#burn[data-drawn='true'] canvas");
    const size = await page.$eval("#burn canvas", (c) => ({ w: (c as unknown as { width: number }).width, h: (c as unknown as { height: number }).height }));
    expect(size.w).toBeGreaterThan(200);
    expect(size.h).toBeGreaterThan(100);
    // the chart says what it shows: $120 of $500 spent, a forecast from the two done features
    await expect(page.getByText("Spent $120.00 of a $500 budget").count()).resolves.toBe(1);
    await expect(page.locator("figcaption").innerText()).resolves.toContain("forecast $");
    await expect(page.getByRole("heading", { name: "Milestones" }).count()).resolves.toBe(1);
    await expect(page.locator(".timeline li").count()).resolves.toBe(2);
    await expect(page.getByRole("link", { name: "#12" }).getAttribute("href")).resolves.toBe(`${server.url}/acme/crm/issues/12`);
    // hostile text from the mission is text, not markup
    await expect(page.getByText("login <script>alert(1)</script> test fails").count()).resolves.toBe(1);
    await expect(page.getByText("opened a fix task <img src=x onerror=alert(1)>").count()).resolves.toBe(1);
    expect(await page.locator("main img, main script").count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-mission.png"), fullPage: true });
    expect(cspErrors).toEqual([]);
    await context.close();
  });

  it("refreshes an open mission page when the mission changes", async () => {
    const { context, page } = await contextOf("alice");
    await signIn(page);
    await page.getByRole("link", { name: PUBLIC_TITLE }).click();
    await page.waitForSelector("#burn[data-drawn='true'] canvas");
    const m = missions.publicMission;
    const changed: Mission = { ...m, status: "paused", paused_reason: "alice paused it to review the design", decisions: [...m.decisions, { at: at(175), by: "alice", what: "/mission pause" }] };
    twin.writeFile(missionPath(m.id), renderMissionFile(changed), { repo: "acme/site", branch: STATE_BRANCH });
    // nobody reloads: the page's own script notices the new version
    await page.getByText("alice paused it to review the design").waitFor({ timeout: 30_000 });
    await expect(page.getByText("/mission pause").count()).resolves.toBe(1);
    await context.close();
  });

  it("refuses a sign-in whose state was already used, and a session cookie that was tampered with", async () => {
    const { context, page } = await contextOf("alice");
    // the whole flow once, recording the callback
    let callback = "";
    page.on("request", (r) => {
      if (r.url().startsWith(`${base}/dashboard/callback`)) callback = r.url();
    });
    await page.goto(`${base}/dashboard/login`);
    await page.waitForURL(`${base}/dashboard/`);
    expect(callback).toContain("state=");
    const again = await page.goto(callback);
    expect(again!.status()).toBe(400);
    await expect(page.getByText("That sign-in link is not valid any more").count()).resolves.toBe(1);

    const good = (await context.cookies(`${base}/dashboard/`)).find((c) => c.name === "mb_session")!;
    // the session id kept, its signature changed: only the signature check can refuse it
    const i = good.value.lastIndexOf(".") + 5;
    const tampered = `${good.value.slice(0, i)}${good.value[i] === "A" ? "B" : "A"}${good.value.slice(i + 1)}`;
    const res = await fetch(`${base}/dashboard/`, { headers: { cookie: `mb_session=${encodeURIComponent(tampered)}` } });
    const body = await res.text();
    expect(body).toContain("Sign in with GitHub");
    expect(body).not.toContain(PUBLIC_TITLE);
    const honest = await fetch(`${base}/dashboard/`, { headers: { cookie: `mb_session=${encodeURIComponent(good.value)}` } });
    expect(await honest.text()).toContain(PUBLIC_TITLE);
    await context.close();
  });
});
