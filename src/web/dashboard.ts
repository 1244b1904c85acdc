/**
 * The web dashboard: a request handler for Node's HTTP server, mounted under
 * /dashboard next to the App's webhook route (or alone, by `mission-bot
 * dashboard`).
 *
 * With `auth` (the App): every page needs a signed-in viewer; the viewer
 * sees a repository's missions only after GET /repos/{owner}/{repo} with
 * their own token answered 200 (checked again every minute). A repository
 * they cannot read leaves no trace: not in the list, and its mission pages
 * answer exactly as a mission that does not exist.
 * Without `auth` (the local command): no sign-in; the caller serves on
 * loopback only.
 *
 * Every answer carries a strict Content-Security-Policy (scripts and styles
 * from this server only, nothing inline, nothing external).
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { MissionOctokit } from "../github/octokit.js";
import type { Octokit } from "../github/client.js";
import { messageOf } from "../github/client.js";
import { readRepoMissions, type DashboardRepo, type ReadableRepo } from "../github/dashboard-read.js";
import { viewerCanRead, viewerLogin } from "../github/viewer.js";
import { MissionId } from "../mission/model.js";
import { burnChart } from "../mission/budget/burn.js";
import { loadAssets } from "./assets.js";
import { authorizeUrl, exchangeCode, type OAuthClient } from "./oauth.js";
import { errorPage, listPage, missionPage, signInPage, type PageContext } from "./pages.js";
import { cookiesOf, SESSION_COOKIE, SESSION_TTL_MS, Sessions, setCookie, Signer, STATE_COOKIE, STATE_TTL_MS, type Session } from "./session.js";

export const DASHBOARD_BASE = "/dashboard";

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export interface DashboardOptions {
  /** https://github.com or the Enterprise Server's address (links, sign-in) */
  serverUrl: string;
  /** the REST API's address, for the viewer's token */
  apiUrl: string;
  /** the repositories whose missions may be shown, each with a client that reads it */
  repositories: () => Promise<ReadableRepo[]>;
  /** sign-in with GitHub (the App); absent: no sign-in (the local command) */
  auth?: { client: OAuthClient; cookieSecret: string; secure: boolean };
  /** seconds a read of the missions is reused (default 30) */
  cacheSeconds?: number;
  /** seconds between a page's refreshes (default 30) */
  refreshSeconds?: number;
  now?: () => number;
  log?: (line: string) => void;
}

export interface Dashboard {
  /** true when the request was the dashboard's (answered) */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

const Name = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/);
const CallbackQuery = z.object({ code: z.string().min(1).max(200), state: z.string().min(1).max(300) });
/** how long a viewer's read access, checked with their token, is trusted */
const READABLE_FOR_MS = 60_000;

export function createDashboard(options: DashboardOptions): Dashboard {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const assets = loadAssets();
  const auth = options.auth;
  const signer = auth ? new Signer(auth.cookieSecret) : undefined;
  const sessions = signer ? new Sessions(signer, now) : undefined;
  const cacheMs = (options.cacheSeconds ?? 30) * 1000;
  let cached: { at: number; repos: Promise<DashboardRepo[]> } | undefined;

  const index = (): Promise<DashboardRepo[]> => {
    if (cached && now() - cached.at < cacheMs) return cached.repos;
    const repos = (async () => {
      const out: DashboardRepo[] = [];
      for (const r of await options.repositories()) {
        const read = await readRepoMissions(r.octokit, r.repo);
        if (read && read.missions.length) out.push(read);
      }
      return out;
    })();
    cached = { at: now(), repos };
    repos.catch(() => {
      if (cached?.repos === repos) cached = undefined;
    });
    return repos;
  };

  const userOctokit = (token: string): Octokit => new MissionOctokit({ auth: { token }, baseUrl: options.apiUrl, log: { debug() {}, info() {}, warn() {}, error() {} } }) as Octokit;

  const visible = async (session: Session | undefined): Promise<DashboardRepo[]> => {
    const all = await index();
    if (!auth) return all;
    if (!session) return [];
    const out: DashboardRepo[] = [];
    for (const r of all) {
      const known = session.readable.get(r.fullName.toLowerCase());
      let ok = known && known.until > now() ? known.ok : undefined;
      if (ok === undefined) {
        ok = await viewerCanRead(userOctokit(session.token), r.repo);
        session.readable.set(r.fullName.toLowerCase(), { ok, until: now() + READABLE_FOR_MS });
      }
      if (ok) out.push(r);
    }
    return out;
  };

  const versionOf = (repos: readonly DashboardRepo[]) =>
    createHash("sha256")
      .update(repos.flatMap((r) => r.missions.map((m) => `${r.fullName}:${m.kind === "found" ? m.sha : m.id}`)).join("\n"))
      .digest("base64url")
      .slice(0, 16);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? "/", "http://dashboard.invalid");
    const path = url.pathname;
    if (path !== DASHBOARD_BASE && !path.startsWith(`${DASHBOARD_BASE}/`)) return false;
    const rest = path.slice(DASHBOARD_BASE.length) || "/";
    const method = req.method ?? "GET";
    const cookies = cookiesOf(req.headers.cookie);
    const session = sessions?.get(cookies.get(SESSION_COOKIE));
    const ctx: PageContext = { base: DASHBOARD_BASE, serverUrl: options.serverUrl, refreshSeconds: options.refreshSeconds ?? 30, ...(session ? { viewer: session.login } : {}) };
    try {
      if (rest.startsWith("/assets/") && (method === "GET" || method === "HEAD")) {
        const a = assets.get(rest.slice("/assets/".length));
        if (!a) return send(res, 404, "text/plain; charset=utf-8", "Not found");
        if (req.headers["if-none-match"] === a.etag) return send(res, 304, a.type, "", { etag: a.etag });
        return send(res, 200, a.type, method === "HEAD" ? "" : a.body, { etag: a.etag, "cache-control": "public, max-age=300" });
      }
      if (auth && sessions && rest === "/login" && method === "GET") {
        const { state, cookie } = sessions.startSignIn();
        return redirect(res, authorizeUrl(auth.client, state), [setCookie(STATE_COOKIE, cookie, { secure: auth.secure, maxAgeSeconds: STATE_TTL_MS / 1000 })]);
      }
      if (auth && sessions && rest === "/callback" && method === "GET") {
        const clear = setCookie(STATE_COOKIE, "", { secure: auth.secure, maxAgeSeconds: 0 });
        const q = CallbackQuery.safeParse(Object.fromEntries(url.searchParams));
        if (!q.success || !sessions.finishSignIn(q.data.state, cookies.get(STATE_COOKIE))) {
          return send(res, 400, "text/html; charset=utf-8", signInPage(ctx, "That sign-in link is not valid any more (used, expired, or started in another browser). Sign in again."), { "set-cookie": [clear] });
        }
        const exchanged = await exchangeCode(auth.client, q.data.code);
        if (!exchanged.ok) {
          log(`mission-bot: dashboard sign-in failed: ${exchanged.problem}`);
          return send(res, 400, "text/html; charset=utf-8", signInPage(ctx, `${exchanged.problem}. Sign in again.`), { "set-cookie": [clear] });
        }
        const login = await viewerLogin(userOctokit(exchanged.token));
        const cookie = sessions.open(login, exchanged.token);
        return redirect(res, `${DASHBOARD_BASE}/`, [clear, setCookie(SESSION_COOKIE, cookie, { secure: auth.secure, maxAgeSeconds: SESSION_TTL_MS / 1000 })]);
      }
      if (auth && sessions && rest === "/logout" && method === "POST") {
        sessions.close(cookies.get(SESSION_COOKIE));
        return redirect(res, `${DASHBOARD_BASE}/`, [setCookie(SESSION_COOKIE, "", { secure: auth.secure, maxAgeSeconds: 0 })]);
      }
      if (method !== "GET" && method !== "HEAD") return send(res, 405, "text/plain; charset=utf-8", "Method not allowed", { allow: "GET, HEAD" });

      const json = rest.startsWith("/data/");
      if (auth && !session) {
        return json ? send(res, 401, "application/json", JSON.stringify({ message: "sign in first" })) : send(res, 200, "text/html; charset=utf-8", signInPage(ctx));
      }
      if (rest === "/" || rest === "/data/index.json") {
        const repos = await visible(session);
        const version = versionOf(repos);
        return json ? send(res, 200, "application/json", JSON.stringify({ version })) : send(res, 200, "text/html; charset=utf-8", listPage(ctx, repos, version));
      }
      const m = /^\/(data\/)?m\/([^/]+)\/([^/]+)\/([^/]+?)(\.json)?$/.exec(rest);
      if (m && Boolean(m[1]) === Boolean(m[5])) {
        const owner = Name.safeParse(safeDecode(m[2]!));
        const name = Name.safeParse(safeDecode(m[3]!));
        const id = MissionId.safeParse(safeDecode(m[4]!));
        const repos = owner.success && name.success && id.success ? await visible(session) : [];
        const repo = repos.find((r) => r.repo.owner.toLowerCase() === owner.data?.toLowerCase() && r.repo.repo.toLowerCase() === name.data?.toLowerCase());
        const found = repo?.missions.find((x) => x.kind === "found" && x.mission.id === id.data);
        if (repo && found?.kind === "found") {
          const version = versionOf([{ ...repo, missions: [found] }]);
          const nowIso = new Date(now()).toISOString();
          return json
            ? send(res, 200, "application/json", JSON.stringify({ version, chart: burnChart(found.mission, nowIso, repo.config, repo.history) }))
            : send(res, 200, "text/html; charset=utf-8", missionPage(ctx, repo, found.mission, version, nowIso));
        }
      }
      // the same answer for a mission that does not exist and one in a repository the viewer cannot read
      return json
        ? send(res, 404, "application/json", JSON.stringify({ message: "Not found" }))
        : send(res, 404, "text/html; charset=utf-8", errorPage(ctx, "Not found", "There is no such mission in the repositories you can read."));
    } catch (error) {
      log(`mission-bot: dashboard ${method} ${path}: ${messageOf(error).split("\n")[0]}`);
      return send(res, 502, "text/html; charset=utf-8", errorPage(ctx, "GitHub did not answer", "The missions could not be read from GitHub just now. This page tries again when reloaded."));
    }
  }

  return { handle };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return "";
  }
}

function securityHeaders(): Record<string, string> {
  return {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
  };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string | string[]> = {}): true {
  res.writeHead(status, { ...securityHeaders(), "content-type": type, "cache-control": "no-store", ...headers });
  res.end(body);
  return true;
}

function redirect(res: ServerResponse, location: string, cookies: string[]): true {
  res.writeHead(302, { ...securityHeaders(), location, "cache-control": "no-store", "set-cookie": cookies });
  res.end();
  return true;
}
