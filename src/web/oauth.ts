/**
 * Sign-in with GitHub: the App's OAuth client, web flow ("Generating a user
 * access token for a GitHub App"). The code is exchanged on the server; the
 * answer is validated before anything is read from it.
 */
import { z } from "zod";

export interface OAuthClient {
  /** https://github.com or the Enterprise Server's address */
  serverUrl: string;
  clientId: string;
  clientSecret: string;
  /** this server's callback, registered as the App's "Callback URL" */
  redirectUri: string;
}

export function authorizeUrl(client: OAuthClient, state: string): string {
  const u = new URL("/login/oauth/authorize", client.serverUrl);
  u.searchParams.set("client_id", client.clientId);
  u.searchParams.set("redirect_uri", client.redirectUri);
  u.searchParams.set("state", state);
  u.searchParams.set("allow_signup", "false");
  return u.toString();
}

const TokenAnswer = z.union([
  z.object({ access_token: z.string().min(1).max(1000), token_type: z.string().optional() }),
  z.object({ error: z.string().max(200), error_description: z.string().max(1000).optional() }),
]);

export type Exchange = { ok: true; token: string } | { ok: false; problem: string };

export async function exchangeCode(client: OAuthClient, code: string, fetchImpl: typeof fetch = fetch): Promise<Exchange> {
  const res = await fetchImpl(new URL("/login/oauth/access_token", client.serverUrl), {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: client.clientId, client_secret: client.clientSecret, code, redirect_uri: client.redirectUri }).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) return { ok: false, problem: `GitHub answered ${res.status} to the code exchange` };
  const parsed = TokenAnswer.safeParse(await res.json().catch(() => undefined));
  if (!parsed.success) return { ok: false, problem: "GitHub's answer to the code exchange could not be read" };
  if ("error" in parsed.data) return { ok: false, problem: `GitHub refused the sign-in (${parsed.data.error})` };
  return { ok: true, token: parsed.data.access_token };
}
