/**
 * The web flow of a GitHub App's user authorization, on the twin's web host
 * (github.com's `/login/oauth/…`, not the REST API), as GitHub's docs
 * "Generating a user access token for a GitHub App" and "Authorizing OAuth
 * apps" describe it (test/twin/RULES.md, rule 20):
 *
 * - GET /login/oauth/authorize?client_id&redirect_uri&state: the person
 *   signed in to GitHub is sent back to `redirect_uri` with `code` and the
 *   same `state`. `redirect_uri` "must exactly match" one of the app's
 *   callback URLs; one that does not is sent to the first callback URL with
 *   `error=redirect_uri_mismatch` ("Troubleshooting authorization request
 *   errors"). An unknown client id: 404. The twin's stand-in for the GitHub
 *   session is the cookie `twin_user=<login>`; without one, 401 (GitHub shows
 *   its sign-in page). The person's approval is given (GitHub asks once).
 * - POST /login/oauth/access_token (client_id, client_secret, code,
 *   redirect_uri; form or JSON): a user access token (`ghu_…`, expires in
 *   8 hours: "expires_in": 28800) with a refresh token. The code "expires
 *   after 10 minutes" and is good once. Errors come back with status 200 and
 *   `error`: `incorrect_client_credentials`, `redirect_uri_mismatch`,
 *   `bad_verification_code` ("Troubleshooting OAuth app access token request
 *   errors"). GitHub answers form-encoded unless asked for JSON with
 *   `Accept: application/json`; the twin answers JSON only and refuses
 *   (406) a client that does not ask for it, so a client that would have to
 *   parse the form-encoded answer is caught.
 *
 * The token acts as the person, and only where the app is installed too:
 * "a user access token can only access resources that both the user and app
 * can access" (routes.ts, `authorise`).
 */
import { randomBytes } from "node:crypto";
import type { GitHubTwin } from "./state.js";
import type { TwinResponse } from "./respond.js";

export const OAUTH_CODE_TTL_MS = 10 * 60_000;
export const USER_TOKEN_TTL_S = 8 * 3600;

interface PendingCode {
  login: string;
  clientId: string;
  redirectUri: string;
  expiresAt: number;
  used: boolean;
}

/** The app's OAuth registration and the codes handed out. */
export class TwinOAuth {
  /** the app's client secret (GitHub shows it once, when generated) */
  clientSecret = `twin_secret_${randomBytes(12).toString("hex")}`;
  /** the app's callback URLs ("Callback URL" in the app's settings) */
  callbackUrls: string[] = [];
  readonly codes = new Map<string, PendingCode>();
}

export interface OAuthRequest {
  method: string;
  pathname: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined> | undefined;
  body: unknown;
}

function header(headers: OAuthRequest["headers"], name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return Array.isArray(v) ? v.join(", ") : v;
  return undefined;
}

function cookie(headers: OAuthRequest["headers"], name: string): string | undefined {
  for (const part of (header(headers, "cookie") ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

function redirect(location: string): TwinResponse {
  return { status: 302, headers: { location, "cache-control": "no-store" }, body: undefined };
}

function withParams(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

/** Whether the twin answers this path as GitHub's web flow. */
export function isOAuthPath(pathname: string): boolean {
  return pathname === "/login/oauth/authorize" || pathname === "/login/oauth/access_token";
}

export function handleOAuth(twin: GitHubTwin, req: OAuthRequest): TwinResponse {
  if (req.pathname === "/login/oauth/authorize" && req.method === "GET") return authorize(twin, req);
  if (req.pathname === "/login/oauth/access_token" && req.method === "POST") return accessToken(twin, req);
  return { status: 404, headers: { "content-type": "application/json; charset=utf-8" }, body: { message: "Not Found" } };
}

function authorize(twin: GitHubTwin, req: OAuthRequest): TwinResponse {
  const oauth = twin.oauth;
  const clientId = req.query.get("client_id") ?? "";
  if (clientId !== twin.app.client_id) return { status: 404, headers: { "content-type": "application/json; charset=utf-8" }, body: { message: "Not Found" } };
  const state = req.query.get("state") ?? "";
  const first = oauth.callbackUrls[0];
  if (!first) return { status: 400, headers: { "content-type": "application/json; charset=utf-8" }, body: { message: "the app has no callback URL" } };
  const asked = req.query.get("redirect_uri");
  const redirectUri = asked ?? first;
  if (!oauth.callbackUrls.includes(redirectUri)) {
    return redirect(
      withParams(first, {
        error: "redirect_uri_mismatch",
        error_description: "The redirect_uri MUST match the registered callback URL for this application.",
        ...(state ? { state } : {}),
      }),
    );
  }
  const login = cookie(req.headers, "twin_user");
  if (!login) return { status: 401, headers: { "content-type": "application/json; charset=utf-8" }, body: { message: "Sign in to GitHub to continue" } };
  twin.user(login);
  const code = randomBytes(10).toString("hex");
  oauth.codes.set(code, { login, clientId, redirectUri, expiresAt: twin.now() + OAUTH_CODE_TTL_MS, used: false });
  return redirect(withParams(redirectUri, { code, ...(state ? { state } : {}) }));
}

function formOrJson(body: unknown): Record<string, string> {
  if (body && typeof body === "object" && !Buffer.isBuffer(body)) return Object.fromEntries(Object.entries(body as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  const text = Buffer.isBuffer(body) ? body.toString("utf8") : typeof body === "string" ? body : "";
  if (text.trim().startsWith("{")) {
    try {
      return formOrJson(JSON.parse(text) as unknown);
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function oauthError(error: string, description: string): TwinResponse {
  return { status: 200, headers: { "content-type": "application/json; charset=utf-8" }, body: { error, error_description: description, error_uri: "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors" } };
}

function accessToken(twin: GitHubTwin, req: OAuthRequest): TwinResponse {
  if (!/application\/json/i.test(header(req.headers, "accept") ?? "")) {
    return { status: 406, headers: { "content-type": "application/json; charset=utf-8" }, body: { message: "the twin answers the token exchange in JSON only: send Accept: application/json" } };
  }
  const p = { ...Object.fromEntries(req.query), ...formOrJson(req.body) };
  if (p.client_id !== twin.app.client_id || p.client_secret !== twin.oauth.clientSecret) {
    return oauthError("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.");
  }
  const pending = twin.oauth.codes.get(p.code ?? "");
  if (!pending || pending.used || pending.expiresAt <= twin.now() || pending.clientId !== p.client_id) {
    return oauthError("bad_verification_code", "The code passed is incorrect or expired.");
  }
  if (p.redirect_uri !== undefined && p.redirect_uri !== pending.redirectUri) {
    return oauthError("redirect_uri_mismatch", "The redirect_uri MUST match the registered callback URL for this application.");
  }
  pending.used = true;
  const token = `ghu_${randomBytes(18).toString("base64url").replace(/[-_]/g, "x").slice(0, 36)}`;
  twin.tokens.set(token, { token, kind: "user", login: pending.login, viaApp: true, expiresAt: twin.now() + USER_TOKEN_TTL_S * 1000 });
  return {
    status: 200,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
    body: {
      access_token: token,
      expires_in: USER_TOKEN_TTL_S,
      refresh_token: `ghr_${randomBytes(30).toString("base64url").replace(/[-_]/g, "x").slice(0, 76)}`,
      refresh_token_expires_in: 15_897_600,
      scope: "",
      token_type: "bearer",
    },
  };
}
