/**
 * Sign-in state of the web dashboard, all on the server.
 *
 * - Cookies are signed (HMAC-SHA-256 with the cookie secret); a cookie whose
 *   signature does not match is ignored, as if absent.
 * - A session is an opaque random id (the cookie) naming an entry kept in
 *   this process's memory: the viewer's login and their user access token.
 *   The token never leaves the server (not in a cookie, encrypted or not, nor
 *   in a page). Memory, not an encrypted cookie, because a session can then
 *   be ended for real (sign-out forgets the token) and nothing a browser
 *   holds can be replayed after that; the cost is that a restart or another
 *   replica asks the viewer to sign in again, which takes one click.
 * - The OAuth `state` is signed, expires after ten minutes, is bound to the
 *   browser that started the sign-in (its nonce is also in a signed cookie)
 *   and is good once.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const SESSION_COOKIE = "mb_session";
export const STATE_COOKIE = "mb_oauth_state";
export const STATE_TTL_MS = 10 * 60_000;
/** a GitHub App's user access token lasts eight hours; so does the session */
export const SESSION_TTL_MS = 8 * 3600_000;
const MAX_SESSIONS = 10_000;

export interface Session {
  login: string;
  token: string;
  expiresAt: number;
  /** repositories checked with the viewer's token: full name → readable, until when */
  readable: Map<string, { ok: boolean; until: number }>;
}

export class Signer {
  constructor(private readonly secret: string) {}

  sign(value: string): string {
    return `${value}.${this.mac(value)}`;
  }

  /** The value, if the signature is this server's; undefined otherwise. */
  unsign(signed: string | undefined): string | undefined {
    if (!signed) return undefined;
    const at = signed.lastIndexOf(".");
    if (at <= 0) return undefined;
    const value = signed.slice(0, at);
    const given = Buffer.from(signed.slice(at + 1));
    const wanted = Buffer.from(this.mac(value));
    return given.length === wanted.length && timingSafeEqual(given, wanted) ? value : undefined;
  }

  private mac(value: string): string {
    return createHmac("sha256", this.secret).update(value).digest("base64url");
  }
}

export class Sessions {
  private readonly sessions = new Map<string, Session>();
  private readonly usedStates = new Map<string, number>();

  constructor(
    private readonly signer: Signer,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new session: the cookie value to set. */
  open(login: string, token: string): string {
    this.sweep();
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    const id = randomBytes(32).toString("base64url");
    this.sessions.set(id, { login, token, expiresAt: this.now() + SESSION_TTL_MS, readable: new Map() });
    return this.signer.sign(id);
  }

  /** The session a cookie names, if it is signed, known and not expired. */
  get(cookie: string | undefined): Session | undefined {
    const id = this.signer.unsign(cookie);
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (s.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return s;
  }

  close(cookie: string | undefined): void {
    const id = this.signer.unsign(cookie);
    if (id) this.sessions.delete(id);
  }

  /** A new sign-in: the `state` to send to GitHub and the cookie that binds it to this browser. */
  startSignIn(): { state: string; cookie: string } {
    const nonce = randomBytes(18).toString("base64url");
    const until = this.now() + STATE_TTL_MS;
    return { state: this.signer.sign(`${nonce}~${until}`), cookie: this.signer.sign(nonce) };
  }

  /** Whether `state` came back unchanged, in time, to the browser that asked, for the first time. */
  finishSignIn(state: string | undefined, cookie: string | undefined): boolean {
    const value = this.signer.unsign(state);
    const bound = this.signer.unsign(cookie);
    if (!value || !bound) return false;
    const [nonce, until] = value.split("~");
    if (!nonce || nonce !== bound || !(Number(until) > this.now())) return false;
    if (this.usedStates.has(nonce)) return false;
    this.usedStates.set(nonce, Number(until));
    return true;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
    for (const [nonce, until] of this.usedStates) if (until <= now) this.usedStates.delete(nonce);
  }
}

/** The cookies of a request, by name (the last of a name wins). */
export function cookiesOf(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at <= 0) continue;
    const name = part.slice(0, at).trim();
    try {
      out.set(name, decodeURIComponent(part.slice(at + 1).trim()));
    } catch {
      // a value that is not URI-encoded is not ours
    }
  }
  return out;
}

export function setCookie(name: string, value: string, options: { secure: boolean; maxAgeSeconds: number; path?: string }): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${options.path ?? "/dashboard"}`,
    `Max-Age=${options.maxAgeSeconds}`,
    "HttpOnly",
    "SameSite=Lax",
    ...(options.secure ? ["Secure"] : []),
  ].join("; ");
}
