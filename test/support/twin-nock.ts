/**
 * Serve a GitHubTwin to fetch (Octokit, Probot) through nock: every method,
 * every path under `base`, answered by `twin.handle`. Real network is
 * disabled; loopback stays allowed (Probot's own server, a local twin server).
 */
import nock from "nock";
import type { GitHubTwin } from "../../src/twin/state.js";

const METHODS = ["get", "post", "put", "patch", "delete", "head", "options"] as const;

/** `base` defaults to where the twin says its API is (https://api.github.com; an Enterprise Server profile's https://ghes.example.com/api/v3). */
export function serveWithNock(twin: GitHubTwin, base = twin.urls.api): () => void {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\]|::1)(:\d+)?$/);
  const url = new URL(base);
  const origin = url.origin;
  const prefix = url.pathname.replace(/\/+$/, "");
  const scope = nock(origin).persist();
  const interceptors: nock.Interceptor[] = [];
  for (const method of METHODS) {
    const interceptor = scope.intercept((p: string) => p.startsWith(prefix), method.toUpperCase());
    // nock 15 calls a one-argument reply function with the fetch Request (two arguments would mean a callback).
    interceptor.reply(async (request: Request) => {
      const u = new URL(request.url);
      const text = method === "get" || method === "head" ? "" : await request.text();
      const headers: Record<string, string> = {};
      request.headers.forEach((v, k) => {
        headers[k.toLowerCase()] = v;
      });
      const req = {
        method: method.toUpperCase(),
        path: (u.pathname.slice(prefix.length) || "/") + u.search,
        headers,
        body: text === "" ? undefined : text,
        baseUrl: `${origin}${prefix}`,
      };
      // in flight from here: a `twin.hold(…)` keeps it so until released (overlapping requests)
      const { ticket, ready } = twin.admit(req);
      if (ready) await ready;
      const res = twin.handle(req, ticket);
      if (res.hang) {
        // no answer ever comes; through nock the client's timeout is played at once
        throw Object.assign(new Error("twin: request timed out (hang fault)"), { code: "ETIMEDOUT" });
      }
      return [res.status, res.body === undefined ? "" : JSON.stringify(res.body), res.headers] as const;
    });
    interceptors.push(interceptor);
  }
  return () => {
    scope.persist(false);
    for (const i of interceptors) nock.removeInterceptor(i);
    nock.enableNetConnect();
  };
}
