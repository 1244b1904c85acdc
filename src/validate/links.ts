/**
 * Following a page's links: only same-origin http(s) links are followed
 * (the app under validation, never the wide web), each once per run, and at
 * most MAX_LINKS in all. HEAD first; a server that does not answer HEAD
 * (405, 501) gets a GET. A link answering 400 or more, or not at all, is
 * broken.
 */
import type { BrokenLink } from "../mission/validation/validation.js";

export const MAX_LINKS = 50;
export const LINK_TIMEOUT_MS = 10_000;

/** The same-origin http(s) links among `hrefs`, without their fragment, each once. */
export function sameOriginLinks(hrefs: readonly unknown[], page: string): string[] {
  const origin = new URL(page).origin;
  const out = new Set<string>();
  for (const href of hrefs) {
    if (typeof href !== "string" || href.length > 2000) continue;
    let url: URL;
    try {
      url = new URL(href, page);
    } catch {
      continue;
    }
    if ((url.protocol !== "http:" && url.protocol !== "https:") || url.origin !== origin) continue;
    url.hash = "";
    out.add(url.href);
  }
  return [...out];
}

export type LinkCheck = { ok: true } | { ok: false; status: number | null; reason: string };

/** Checks links for a whole run: remembers each answer, stops following after MAX_LINKS. */
export class LinkChecker {
  private readonly seen = new Map<string, Promise<LinkCheck>>();
  constructor(private readonly fetcher: typeof fetch = fetch) {}

  /** The broken ones among `links`, and how many were checked (cached answers included). */
  async check(links: string[]): Promise<{ checked: number; broken: BrokenLink[] }> {
    const results: { url: string; result: LinkCheck }[] = [];
    for (const url of links) {
      let pending = this.seen.get(url);
      if (!pending) {
        if (this.seen.size >= MAX_LINKS) break;
        pending = this.follow(url);
        this.seen.set(url, pending);
      }
      results.push({ url, result: await pending });
    }
    const broken = results.flatMap(({ url, result }) => (result.ok ? [] : [{ url: url.slice(0, 300), status: result.status, reason: result.reason.slice(0, 200) }]));
    return { checked: results.length, broken };
  }

  private async follow(url: string): Promise<LinkCheck> {
    try {
      let res = await this.fetcher(url, { method: "HEAD", redirect: "follow", signal: AbortSignal.timeout(LINK_TIMEOUT_MS) });
      if (res.status === 405 || res.status === 501) res = await this.fetcher(url, { method: "GET", redirect: "follow", signal: AbortSignal.timeout(LINK_TIMEOUT_MS) });
      await res.body?.cancel().catch(() => undefined);
      return res.status >= 400 ? { ok: false, status: res.status, reason: res.statusText } : { ok: true };
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      return { ok: false, status: null, reason: e.cause?.code ?? e.name ?? "no answer" };
    }
  }
}
