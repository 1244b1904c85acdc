/**
 * GitHub's rate limits, as the twin enforces them: the primary limit per
 * identity and hour, and the secondary limits (content creation per minute
 * and hour, points per endpoint and minute, concurrent requests). Every
 * number cites where GitHub states it. Enforced by default on github.com and
 * Enterprise Cloud; off by default on Enterprise Server, as there.
 *
 * A test inspects the counters (`twin.limits`, `twin.counters`) or turns
 * enforcement off for a twin that plays something else
 * (`new GitHubTwin({ rateLimits: false })`).
 */
import type { Actor } from "./model.js";
import { errorBody, json, type TwinResponse } from "./respond.js";
import type { GitHubTwin } from "./state.js";

/**
 * Content creation: "In general, no more than 80 content-generating requests
 * per minute and no more than 500 content-generating requests per hour are
 * allowed." (REST docs "Rate limits for the REST API", "About secondary rate
 * limits").
 */
export const CONTENT_LIMITS = { perMinute: 80, perHour: 500 } as const;

/**
 * "No more than 900 points per minute are allowed for REST API endpoints"
 * (per endpoint: "Make too many requests to a single endpoint per minute");
 * "Most REST API GET, HEAD, and OPTIONS requests: 1 point; most REST API
 * POST, PATCH, PUT, or DELETE requests: 5 points" (same page, "Calculating
 * points for the secondary rate limit").
 */
export const POINTS_PER_MINUTE = 900;

/**
 * GraphQL's secondary limit: at most 2,000 points a minute for the GraphQL endpoint; a request without
 * mutations costs 1 point, one with mutations 5 (same page, "Calculating points for the secondary rate
 * limit"; the GraphQL docs "Rate limits and query limits for the GraphQL API" share that text, github/docs
 * `data/reusables/rest-api/secondary-rate-limit-rest-graphql.md`).
 */
export const GRAPHQL_POINTS_PER_MINUTE = 2000;
export function graphqlPoints(mutation: boolean): number {
  return mutation ? 5 : 1;
}

/** "No more than 100 concurrent requests are allowed." (same page) */
export const MAX_CONCURRENT = 100;

/**
 * Primary limits per hour (REST docs "Rate limits for the REST API"):
 * unauthenticated 60; a person 5,000; an installation 5,000 (more for large
 * organisations, up to 12,500: `TwinOptions.primaryLimit`); GITHUB_TOKEN
 * 1,000 per repository (15,000 on Enterprise Cloud: the profile).
 */
export const PRIMARY_LIMITS = { anonymous: 60, user: 5000, installation: 5000 } as const;

export function pointsOf(method: string): number {
  return method === "GET" || method === "HEAD" || method === "OPTIONS" ? 1 : 5;
}

/** The identity GitHub counts a request against. */
export function identity(actor: Actor): string {
  switch (actor.kind) {
    case "installation":
      return `installation:${actor.installationId}`;
    case "actions":
      // GITHUB_TOKEN's limit is per repository, shared by every run's token
      return `actions:${actor.repo.id}`;
    case "user":
      return `user:${actor.user.login.toLowerCase()}`;
    case "app":
      return "app";
    case "anonymous":
      return "anonymous";
  }
}

export interface PrimaryWindow {
  used: number;
  resetAt: number;
  limit: number;
}

/** What the twin counts for the secondary limits, per identity (a test may read it). */
export interface SecondaryState {
  /** times (twin clock, ms) of content-creating requests */
  content: number[];
  /** "METHOD /template" → [time, points] of requests to that endpoint */
  points: Map<string, Array<[number, number]>>;
}

export class TwinLimits {
  /** primary windows per identity ("installation:1", "actions:900000001", "user:alice", "anonymous") */
  readonly primary = new Map<string, PrimaryWindow>();
  readonly secondary = new Map<string, SecondaryState>();
  /** the GraphQL API's primary windows per identity (points, counted apart from REST's requests) */
  readonly graphqlPrimary = new Map<string, PrimaryWindow>();

  constructor(private readonly twin: GitHubTwin) {}

  /** Primary limits on (github.com, Enterprise Cloud; an Enterprise Server only if its administrator enabled them). */
  get primaryEnforced(): boolean {
    return this.twin.options.rateLimits ?? this.twin.profile.rateLimitsByDefault;
  }

  /** Secondary limits on (by default wherever primary limits are). */
  get secondaryEnforced(): boolean {
    return this.twin.options.secondaryLimits ?? this.twin.options.enforceContentLimits ?? this.primaryEnforced;
  }

  limitFor(actor: Actor): number {
    switch (actor.kind) {
      case "anonymous":
        return PRIMARY_LIMITS.anonymous;
      case "actions":
        return this.twin.options.actionsTokenLimit ?? this.twin.profile.actionsTokenLimit;
      case "installation":
        return this.twin.options.primaryLimit ?? PRIMARY_LIMITS.installation;
      default:
        return this.twin.options.primaryLimit ?? PRIMARY_LIMITS.user;
    }
  }

  /** The identity's primary window, a fresh one once the hour is over. */
  window(actor: Actor): PrimaryWindow {
    const id = identity(actor);
    const now = this.twin.now();
    let w = this.primary.get(id);
    if (!w || w.resetAt <= now) {
      w = { used: 0, resetAt: now + 3600_000, limit: this.limitFor(actor) };
      this.primary.set(id, w);
    }
    return w;
  }

  /**
   * The GraphQL API's own primary budget: points per hour (5,000 for a person or an installation, 1,000
   * for GITHUB_TOKEN: the same numbers as REST, counted apart), each query costing what `graphqlCost`
   * says. Exceeded, GitHub answers 200 with a `RATE_LIMITED` error (GraphQL docs "Rate limits and query
   * limits for the GraphQL API", "Exceeding the rate limit").
   */
  takeGraphqlPrimary(actor: Actor, cost: number): { refused?: TwinResponse; window: PrimaryWindow } {
    const id = identity(actor);
    const now = this.twin.now();
    let w = this.graphqlPrimary.get(id);
    if (!w || w.resetAt <= now) {
      w = { used: 0, resetAt: now + 3600_000, limit: this.limitFor(actor) };
      this.graphqlPrimary.set(id, w);
    }
    if (this.primaryEnforced && w.used + cost > w.limit) {
      const who = actor.kind === "installation" ? `installation ID ${actor.installationId}` : actor.kind === "user" ? `user ID ${actor.user.id}` : "your token";
      return { window: w, refused: json(200, { errors: [{ type: "RATE_LIMITED", code: "graphql_rate_limit", message: `API rate limit exceeded for ${who}.` }] }, graphqlRateHeaders(w)) };
    }
    w.used += cost;
    return { window: w };
  }

  /** Count one request against the primary limit; a refusal when the hour's requests are used up. */
  takePrimary(actor: Actor): TwinResponse | undefined {
    const w = this.window(actor);
    if (this.primaryEnforced && w.used >= w.limit) return primaryLimitResponse(this.twin, actor, 403, Math.ceil((w.resetAt - this.twin.now()) / 1000));
    w.used++;
    return undefined;
  }

  /**
   * A 304 does not count: "Making a conditional request does not count
   * against your primary rate limit if a 304 response is returned and the
   * request was made while correctly authorized with an Authorization header"
   * (REST docs "Best practices for using the REST API", "Use conditional requests").
   */
  refundPrimary(actor: Actor): void {
    const w = this.primary.get(identity(actor));
    if (w && w.used > 0) w.used--;
  }

  private state(actor: Actor): SecondaryState {
    const id = identity(actor);
    let s = this.secondary.get(id);
    if (!s) {
      s = { content: [], points: new Map() };
      this.secondary.set(id, s);
    }
    return s;
  }

  /**
   * Count the request's points against its endpoint; a secondary-rate-limit
   * refusal when the endpoint's minute is used up, when the identity has more
   * than 100 requests in flight, or (content-creating requests) when 80 in
   * the minute or 500 in the hour were made already.
   */
  takeSecondary(
    actor: Actor,
    routeKey: string,
    method: string,
    contentCreating: boolean,
    concurrent: number,
    /** GraphQL: its own points (1 a query, 5 with a mutation) and its own minute (2,000) */
    graphql?: { points: number },
  ): TwinResponse | undefined {
    const now = this.twin.now();
    const s = this.state(actor);
    const points = graphql?.points ?? pointsOf(method);
    const perMinute = graphql ? GRAPHQL_POINTS_PER_MINUTE : POINTS_PER_MINUTE;
    const list = s.points.get(routeKey) ?? [];
    while (list.length && list[0]![0] <= now - 60_000) list.shift();
    const used = list.reduce((n, [, p]) => n + p, 0);
    const enforce = this.secondaryEnforced && actor.kind !== "app";
    if (enforce && concurrent > MAX_CONCURRENT) return secondaryLimitResponse(60);
    if (enforce && used + points > perMinute) return secondaryLimitResponse(60);
    list.push([now, points]);
    s.points.set(routeKey, list);
    if (!contentCreating) return undefined;
    while (s.content.length && s.content[0]! <= now - 3600_000) s.content.shift();
    const inMinute = s.content.filter((t) => t > now - 60_000).length;
    if (enforce && (inMinute >= CONTENT_LIMITS.perMinute || s.content.length >= CONTENT_LIMITS.perHour)) return secondaryLimitResponse(60);
    s.content.push(now);
    return undefined;
  }

  /** Content-creating requests `actor`-less: all identities, in the window ending now (default a minute). */
  contentInWindow(ms = 60_000): number {
    const from = this.twin.now() - ms;
    let n = 0;
    for (const s of this.secondary.values()) n += s.content.filter((t) => t > from).length;
    return n;
  }
}

/**
 * "If you exceed a secondary rate limit, you will receive a 403 or 429
 * response and an error message that indicates that you exceeded a secondary
 * rate limit. If the retry-after response header is present, you should not
 * retry your request until after that many seconds has elapsed." (REST docs
 * "Rate limits for the REST API", "Exceeding the rate limit"). The message is
 * GitHub's.
 */
export function secondaryLimitResponse(seconds: number, status: 403 | 429 = 403): TwinResponse {
  return json(
    status,
    errorBody(
      status,
      "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.",
    ),
    { "retry-after": String(seconds) },
  );
}

/**
 * "If you exceed your primary rate limit, you will receive a 403 or 429
 * response, and the x-ratelimit-remaining header will be 0." (same page)
 */
export function primaryLimitResponse(twin: GitHubTwin, actor: Actor, status: 403 | 429, seconds: number): TwinResponse {
  const reset = Math.floor(twin.now() / 1000) + Math.max(0, seconds);
  const who =
    actor.kind === "installation"
      ? `installation ID ${actor.installationId}`
      : actor.kind === "user"
        ? `user ID ${actor.user.id}`
        : actor.kind === "actions"
          ? `repository ID ${actor.repo.id}`
          : "your IP";
  const limit = twin.limits.limitFor(actor);
  return json(status, errorBody(status, `API rate limit exceeded for ${who}.`), {
    "x-ratelimit-limit": String(limit),
    "x-ratelimit-remaining": "0",
    "x-ratelimit-used": String(limit),
    "x-ratelimit-reset": String(reset),
    "x-ratelimit-resource": "core",
  });
}

/** The GraphQL budget's headers ("x-ratelimit-resource: graphql"). */
export function graphqlRateHeaders(w: PrimaryWindow): Record<string, string> {
  return {
    "x-ratelimit-limit": String(w.limit),
    "x-ratelimit-remaining": String(Math.max(0, w.limit - w.used)),
    "x-ratelimit-used": String(w.used),
    "x-ratelimit-reset": String(Math.floor(w.resetAt / 1000)),
    "x-ratelimit-resource": "graphql",
  };
}
