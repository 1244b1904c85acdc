/**
 * Rules 19 and 20 (test/twin/RULES.md): the twin's web flow of a GitHub App's user
 * authorization, and what the user access token reaches.
 */
import { describe, expect, it } from "vitest";
import { contractTwin } from "../support/twin.js";
import { testClock } from "../support/clock.js";
import type { GitHubTwin } from "../../src/twin/state.js";

const CALLBACK = "http://127.0.0.1:9/dashboard/callback";

function world(): GitHubTwin {
  const twin = contractTwin({ now: testClock() });
  twin.addRepo({ owner: "acme", name: "crm", ownerType: "Organization", private: true, collaborators: { alice: "write" } });
  twin.addRepo({ owner: "acme", name: "elsewhere", ownerType: "Organization", private: true, collaborators: { alice: "write" }, installationId: false });
  twin.oauth.callbackUrls = [CALLBACK];
  return twin;
}

function authorize(twin: GitHubTwin, login: string | undefined, params: Record<string, string> = {}) {
  const q = new URLSearchParams({ client_id: twin.app.client_id, redirect_uri: CALLBACK, state: "s1", ...params });
  return twin.handle({ method: "GET", path: `/login/oauth/authorize?${q}`, headers: login ? { cookie: `twin_user=${login}` } : {} });
}

function exchange(twin: GitHubTwin, code: string, over: Record<string, string> = {}) {
  const body = new URLSearchParams({ client_id: twin.app.client_id, client_secret: twin.oauth.clientSecret, code, redirect_uri: CALLBACK, ...over }).toString();
  return twin.handle({ method: "POST", path: "/login/oauth/access_token", headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" }, body });
}

function codeOf(location: string | undefined): string {
  return new URL(location!).searchParams.get("code")!;
}

describe("19. OAuth web flow of a GitHub App", () => {
  it("sends the signed-in person back to the callback with a code and the same state; nobody signed in: 401", () => {
    const twin = world();
    const res = authorize(twin, "alice");
    expect(res.status).toBe(302);
    const back = new URL(res.headers.location!);
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    expect(back.searchParams.get("state")).toBe("s1");
    expect(back.searchParams.get("code")).toMatch(/^\w{20}$/);
    expect(authorize(twin, undefined).status).toBe(401);
  });

  it("sends a redirect_uri that is not a callback URL to the first callback URL with redirect_uri_mismatch", () => {
    const twin = world();
    const res = authorize(twin, "alice", { redirect_uri: "https://evil.example/steal" });
    const back = new URL(res.headers.location!);
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    expect(back.searchParams.get("error")).toBe("redirect_uri_mismatch");
    expect(back.searchParams.get("code")).toBeNull();
  });

  it("exchanges a code once, with the client secret, for a ghu_ token that expires in eight hours", () => {
    const twin = world();
    const code = codeOf(authorize(twin, "alice").headers.location);
    expect((exchange(twin, code, { client_secret: "wrong" }).body as { error: string }).error).toBe("incorrect_client_credentials");
    const ok = exchange(twin, code).body as { access_token: string; expires_in: number; token_type: string };
    expect(ok.access_token).toMatch(/^ghu_/);
    expect(ok.expires_in).toBe(28_800);
    expect(ok.token_type).toBe("bearer");
    expect((exchange(twin, code).body as { error: string }).error).toBe("bad_verification_code");
  });

  it("refuses a code older than ten minutes", () => {
    const twin = world();
    const code = codeOf(authorize(twin, "alice").headers.location);
    twin.advance(10 * 60_000 + 1);
    expect((exchange(twin, code).body as { error: string }).error).toBe("bad_verification_code");
  });

  it("answers the exchange only to a client that asks for JSON (GitHub's default answer is form-encoded)", () => {
    const twin = world();
    const code = codeOf(authorize(twin, "alice").headers.location);
    const res = twin.handle({ method: "POST", path: "/login/oauth/access_token", headers: {}, body: `client_id=${twin.app.client_id}&client_secret=${twin.oauth.clientSecret}&code=${code}` });
    expect(res.status).toBe(406);
  });

  it("gives a token that reaches only repositories both the person and the App can: not one the App is not installed on, not one the person cannot read", () => {
    const twin = world();
    const token = (exchange(twin, codeOf(authorize(twin, "alice").headers.location)).body as { access_token: string }).access_token;
    const get = (path: string) => twin.handle({ method: "GET", path, headers: { authorization: `token ${token}` } });
    expect(get("/repos/acme/crm").status).toBe(200);
    expect(get("/repos/acme/elsewhere").status).toBe(404);
    expect((get("/user").body as { login: string }).login).toBe("alice");
    const bobs = (exchange(twin, codeOf(authorize(twin, "bob").headers.location)).body as { access_token: string }).access_token;
    expect(twin.handle({ method: "GET", path: "/repos/acme/crm", headers: { authorization: `token ${bobs}` } }).status).toBe(404);
    // a personal access token of alice's reaches the repository the App is not on
    expect(twin.handle({ method: "GET", path: "/repos/acme/elsewhere", headers: { authorization: `token ${twin.userToken("alice")}` } }).status).toBe(200);
  });
});

describe("20. the repositories of an installation", () => {
  it("lists an installation's repositories to its installation token only", () => {
    const twin = world();
    const res = twin.handle({ method: "GET", path: "/installation/repositories", headers: { authorization: `token ${twin.installationToken(1)}` } });
    expect((res.body as { repositories: Array<{ full_name: string }> }).repositories.map((r) => r.full_name)).toEqual(["acme/crm"]);
    expect(twin.handle({ method: "GET", path: "/installation/repositories", headers: { authorization: `token ${twin.userToken("alice")}` } }).status).toBe(403);
  });
});
