/**
 * How the twin answers: GitHub's response and error shapes, its pagination
 * (`Link` headers), and the context a route handler receives. Shared by the
 * REST front door (routes.ts) and the Actions routes (actions-routes.ts).
 */
import type { Actor, AppState, RepoState, Role, TwinUser } from "./model.js";
import type { Json } from "./serialize.js";
import type { GitHubTwin } from "./state.js";

export interface TwinRequest {
  method: string;
  /** path, optionally with a query string: /repos/o/r/issues?state=all */
  path: string;
  query?: Record<string, string | string[] | undefined> | URLSearchParams;
  headers?: Record<string, string | string[] | undefined>;
  /** parsed JSON, a JSON string, or undefined */
  body?: unknown;
  /** where the client reached the twin (for Link headers); default twin.urls.api */
  baseUrl?: string;
  /** the client's end of the connection, when it came over the network (the HTTP server) */
  remote?: { address: string; port: number };
}

export interface TwinResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON value, or undefined for no body */
  body: unknown;
  /** a `hang` fault: the transport must never answer (the client times out) */
  hang?: boolean;
}

const DOCS = "https://docs.github.com/rest";

export interface Ctx {
  twin: GitHubTwin;
  method: string;
  pathname: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Json;
  actor: Actor;
  repo: RepoState | undefined;
  baseUrl: string;
  /** when the request arrived, on the twin's logical clock (`twin.nextTick`) */
  arrived: number;
}

export type Handler = (c: Ctx) => TwinResponse;

export interface Route {
  /** "jwt": app routes (JWT only); "token": installation/user tokens, anonymous for reads */
  auth: "jwt" | "token";
  /** installation permission needed */
  perm?: [string, "read" | "write"];
  /** least role a user token needs on the repository (reads: visibility only) */
  role?: Role;
  handler: Handler;
}

// ---------------------------------------------------------------------------
// Responses

export function json(status: number, body: unknown, headers: Record<string, string> = {}): TwinResponse {
  return { status, headers, body };
}

export function errorBody(status: number, message: string, extra: Json = {}): Json {
  return { message, ...extra, documentation_url: DOCS, status: String(status) };
}

export function fail(status: number, message: string, extra: Json = {}): TwinResponse {
  return json(status, errorBody(status, message, extra));
}

export const notFound = () => fail(404, "Not Found");

export function validationFailed(errors: Json[], message = "Validation Failed"): TwinResponse {
  return fail(422, message, { errors });
}

// ---------------------------------------------------------------------------
// Pagination, as GitHub formats it

export function intParam(q: URLSearchParams, name: string, fallback: number): number {
  const v = q.get(name);
  const n = v === null ? NaN : Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : fallback;
}

/**
 * One page of `items` with GitHub's `Link` header:
 * `<…?per_page=2&page=2>; rel="next", <…?per_page=2&page=3>; rel="last"`
 * (prev, next, last, first — in that order). Repository lists link to
 * `/repositories/{id}/…`, as GitHub does.
 */
export function page(c: Ctx, items: readonly Json[]): TwinResponse {
  const { body, link } = pageOf(c, items);
  return json(200, body, link ? { link } : {});
}

/**
 * A page in GitHub's envelope form, as the Actions lists answer:
 * `{ total_count, <key>: [...] }` (total_count counts every match, not the page).
 */
export function envelopePage(c: Ctx, key: string, items: readonly Json[]): TwinResponse {
  const { body, link } = pageOf(c, items);
  return json(200, { total_count: items.length, [key]: body }, link ? { link } : {});
}

function pageOf(c: Ctx, items: readonly Json[]): { body: Json[]; link: string | undefined } {
  const perPage = Math.min(100, Math.max(1, intParam(c.query, "per_page", 30)));
  const current = Math.max(1, intParam(c.query, "page", 1));
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const body = items.slice((current - 1) * perPage, current * perPage);
  const path = c.repo ? c.pathname.replace(/^\/repos\/[^/]+\/[^/]+/, `/repositories/${c.repo.id}`) : c.pathname;
  const link = (n: number) => {
    const q = new URLSearchParams(c.query);
    q.delete("page");
    q.append("page", String(n));
    return `<${c.baseUrl}${path}?${q.toString()}>`;
  };
  const rels: string[] = [];
  if (current > 1) rels.push(`${link(Math.min(current - 1, last))}; rel="prev"`);
  if (current < last) rels.push(`${link(current + 1)}; rel="next"`, `${link(last)}; rel="last"`);
  if (current > 1) rels.push(`${link(1)}; rel="first"`);
  return { body, link: rels.length ? rels.join(", ") : undefined };
}


// ---------------------------------------------------------------------------
// Who is acting

export function repoOf(c: Ctx): RepoState {
  if (!c.repo) throw new Error("twin: route without a repository");
  return c.repo;
}

export function actorUser(c: Ctx): TwinUser {
  if (c.actor.kind === "installation" || c.actor.kind === "user" || c.actor.kind === "actions") return c.actor.user;
  throw new Error(`twin: ${c.actor.kind} cannot act on a repository`);
}

/** The app a write is performed via: the app (installation token), GitHub Actions (GITHUB_TOKEN), none (a person). */
export function via(c: Ctx): AppState | null {
  if (c.actor.kind === "installation") return c.twin.app;
  if (c.actor.kind === "actions") return c.twin.actionsApp;
  return null;
}

/** A push GitHub reacts to: who pushed, and whether with GITHUB_TOKEN (which starts no workflows). */
export function pushOf(c: Ctx): { pusher: TwinUser; viaActionsToken: boolean } {
  return { pusher: actorUser(c), viaActionsToken: c.actor.kind === "actions" };
}

/** The commit identity GitHub writes for the authenticated actor ("<id>+<login>@users.noreply.github.com"). */
export function committerOf(c: Ctx): { name: string; email: string } {
  const u = actorUser(c);
  return { name: u.login, email: `${u.id}+${u.login}@users.noreply.github.com` };
}

/** An HTTP date (Last-Modified) for an ISO timestamp. */
export function httpDate(iso: string | number): string {
  return new Date(iso).toUTCString();
}
