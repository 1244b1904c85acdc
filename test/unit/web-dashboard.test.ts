/** The web dashboard's parts a browser cannot see: cookies and state, the HTML escaper, the burn chart's numbers, the settings. */
import { describe, expect, it } from "vitest";
import { Sessions, Signer, STATE_TTL_MS } from "../../src/web/session.js";
import { html, href } from "../../src/web/html.js";
import { forecastMission } from "../../src/mission/budget/forecast.js";
import { defaultConfig } from "../../src/mission/config.js";
import { burnChart } from "../../src/mission/budget/burn.js";
import { readDashboardSettings } from "../../src/server/settings.js";
import { TEST_EPOCH } from "../support/clock.js";
import { answered, plan } from "../support/missions.js";

const SECRET = "0123456789abcdef0123456789abcdef";

describe("signed cookies and sign-in state", () => {
  it("reads back only what this server signed", () => {
    const signer = new Signer(SECRET);
    const signed = signer.sign("session-id");
    expect(signer.unsign(signed)).toBe("session-id");
    expect(signer.unsign(signed.replace("session-id", "session-ie"))).toBeUndefined();
    expect(new Signer(`${SECRET}x`).unsign(signed)).toBeUndefined();
    expect(signer.unsign("session-id")).toBeUndefined();
  });

  it("takes a state once, from the browser that started the sign-in, within ten minutes", () => {
    let now = TEST_EPOCH;
    const sessions = new Sessions(new Signer(SECRET), () => now);
    const a = sessions.startSignIn();
    const b = sessions.startSignIn();
    expect(sessions.finishSignIn(a.state, b.cookie)).toBe(false);
    expect(sessions.finishSignIn(a.state, a.cookie)).toBe(true);
    expect(sessions.finishSignIn(a.state, a.cookie)).toBe(false);
    now += STATE_TTL_MS;
    expect(sessions.finishSignIn(b.state, b.cookie)).toBe(false);
  });

  it("keeps the token on the server: the cookie is an opaque signed id, and sign-out forgets the session", () => {
    const sessions = new Sessions(new Signer(SECRET), () => TEST_EPOCH);
    const cookie = sessions.open("alice", "ghu_secret_token");
    expect(cookie).not.toContain("ghu_");
    expect(cookie).not.toContain("alice");
    expect(sessions.get(cookie)?.login).toBe("alice");
    sessions.close(cookie);
    expect(sessions.get(cookie)).toBeUndefined();
  });
});

describe("HTML from outside text", () => {
  it("escapes every value once, nested fragments not again, and drops invisible characters", () => {
    const hostile = `<img src=x onerror="alert('1')">&\u202E`;
    const page = html`<p title="${hostile}">${hostile} ${html`<b>${"a&b"}</b>`}</p>`.text;
    expect(page).toBe(`<p title="&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;">&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp; <b>a&amp;b</b></p>`);
  });

  it("links only http(s) addresses and this site's paths", () => {
    expect(href("javascript:alert(1)")).toBe("#");
    expect(href("//evil.example/x")).toBe("#");
    expect(href("https://github.com/acme/crm/issues/3")).toBe("https://github.com/acme/crm/issues/3");
    expect(href("/dashboard/")).toBe("/dashboard/");
  });
});

describe("burn chart", () => {
  const at = (minutes: number) => new Date(TEST_EPOCH + minutes * 60_000).toISOString();
  const entry = (key: string, minutes: number, feature: string | undefined, usd: number) => ({
    key,
    kind: "worker" as const,
    ...(feature ? { feature } : {}),
    tokens_in: 1,
    tokens_out: 1,
    cost_micros: usd * 1_000_000,
    wall_seconds: 60,
    actions_minutes: 1,
    at: at(minutes),
  });

  it("adds up the ledger over time, draws the budget, and forecasts with the mission's one forecast, at the done features' pace", () => {
    const p = plan([3]);
    p.milestones[0]!.features[0]!.done = { by: "mission-bot[bot]", at: at(60) };
    const m = answered({ created: at(0), plan: p, ledger: [entry("a", 30, "1.1", 40), entry("b", 90, "1.2", 25)] });
    const chart = burnChart(m, at(120));
    expect(chart.x.slice(0, 4)).toEqual([0, 30, 90, 120].map((n) => (TEST_EPOCH + n * 60_000) / 1000));
    expect(chart.spent.slice(0, 4)).toEqual([0, 40, 65, 65]);
    expect(chart.budget.every((b) => b === 500)).toBe(true);
    // the same forecast the plan, the dispatch check, the pulse and the tracking issue's dashboard make
    const left = forecastMission(m, defaultConfig(), []).left.usd.point;
    expect(left).toBeGreaterThan(0);
    expect(chart.totals).toEqual({ spent: 65, forecast: Math.round((65_000_000 + left) / 10_000) / 100, budget: 500 });
    // two features left, at the pace of the one done (two hours)
    expect(chart.x.at(-1)).toBe((TEST_EPOCH + 120 * 60_000 + 2 * 120 * 60_000) / 1000);
    expect(chart.forecast.at(-1)).toBe(chart.totals.forecast);
  });

  it("before any feature is done, still forecasts: the features' forecast hours over the parallel workers", () => {
    const m = answered({ created: at(0), plan: plan([2]), ledger: [entry("a", 30, "1.1", 40)] });
    const chart = burnChart(m, at(60));
    const ahead = forecastMission(m, defaultConfig(), []).left;
    expect(chart.totals.forecast).toBe(Math.round((40_000_000 + ahead.usd.point) / 10_000) / 100);
    expect(chart.x.at(-1)).toBe((TEST_EPOCH + 60 * 60_000) / 1000 + Math.round((ahead.hours.point / defaultConfig().max_parallel_workers) * 3600));
  });
});

describe("dashboard settings", () => {
  const all = { GITHUB_CLIENT_ID: "Iv23abc", GITHUB_CLIENT_SECRET: "s", DASHBOARD_COOKIE_SECRET: SECRET, DASHBOARD_URL: "https://bot.example.com/" };

  it("is off without a word of complaint when none is set, and off with the reason when one is wrong", () => {
    expect(readDashboardSettings({})).toMatchObject({ on: false, problem: false });
    const short = readDashboardSettings({ ...all, DASHBOARD_COOKIE_SECRET: "short" });
    expect(short).toMatchObject({ on: false, problem: true });
    expect(short.on === false && short.why).toMatch(/DASHBOARD_COOKIE_SECRET must be at least 32 characters/);
    expect(readDashboardSettings({ ...all, DASHBOARD_URL: "javascript:alert(1)" })).toMatchObject({ on: false, problem: true });
  });

  it("is on with all four, with Secure cookies behind https", () => {
    expect(readDashboardSettings(all)).toEqual({
      on: true,
      settings: { clientId: "Iv23abc", clientSecret: "s", cookieSecret: SECRET, publicUrl: "https://bot.example.com", secure: true, refreshSeconds: 30 },
    });
    const local = readDashboardSettings({ ...all, DASHBOARD_URL: "http://127.0.0.1:3000" });
    expect(local.on && local.settings.secure).toBe(false);
  });
});
