/**
 * The whole grammar of the bot's hidden markers, in one place. Every issue,
 * comment and body region the bot writes carries one, so apply can look
 * before it creates (a retry never creates anything twice) and the loop can
 * tell what it already did. Pure.
 *
 * A marker is only evidence when the bot itself wrote the text it sits in:
 * callers read markers from issue bodies and comments authored by the bot's
 * own login, never from a person's or another bot's text. And no outside
 * text can carry one into the bot's own writing: the one escaper
 * (markdown/escape.ts) breaks every `<!--` and `-->` in it.
 *
 *   <!-- mission-bot:<mission>:<kind>:<key> -->   an issue or region the bot owns
 *   <!-- mission-bot:reply:<comment id> -->       the bot's answer to that command comment
 *   <!-- mission-bot:once:<key> -->               a notice posted once per key
 *   <!-- mission-bot:refused:<login> -->          a refusal to that person (refusals are rate-limited)
 *   <!-- mission-bot:report <base64url> -->       a worker's report (report.ts)
 *   <!-- mission-bot:validation <base64url> -->   a validation report (validation.ts)
 *   <!-- mission-bot:dashboard-tail -->           where the dashboard may be cut
 */

export type MarkerKind = "tracking" | "milestone" | "feature" | "comment" | "dashboard";

export interface Marker {
  mission: string;
  kind: MarkerKind;
  /** "1" for a milestone, "1.2" for a feature, a free key for comments */
  key: string;
}

const MARKER = /<!-- mission-bot:(m-[a-z0-9-]+):(tracking|milestone|feature|comment|dashboard):([A-Za-z0-9._:-]*) -->/g;

export function marker(m: Marker): string {
  return `<!-- mission-bot:${m.mission}:${m.kind}:${m.key} -->`;
}

/** All issue markers in a text the bot wrote, in order. */
export function findMarkers(text: string | null | undefined): Marker[] {
  if (!text) return [];
  const found: Marker[] = [];
  for (const match of text.matchAll(MARKER)) {
    found.push({ mission: match[1]!, kind: match[2] as MarkerKind, key: match[3]! });
  }
  return found;
}

export function firstMarker(text: string | null | undefined, kind?: MarkerKind): Marker | undefined {
  return findMarkers(text).find((m) => kind === undefined || m.kind === kind);
}

/** Marks the bot's answer to one command comment, so a command is answered once. */
export function replyMarker(commentId: number): string {
  return `<!-- mission-bot:reply:${commentId} -->`;
}

/** The command comments a text of the bot's answers. */
export function repliedTo(text: string | null | undefined): number[] {
  if (!text) return [];
  return [...text.matchAll(/<!-- mission-bot:reply:(\d{1,20}) -->/g)].map((m) => Number(m[1]));
}

/** Marks a notice the bot posts once per key (alerts, pauses, needs-human, …). */
export function noticeMarker(key: string): string {
  return `<!-- mission-bot:once:${key} -->`;
}

/** The notice keys in a text of the bot's. */
export function noticesIn(text: string | null | undefined): string[] {
  if (!text) return [];
  return [...text.matchAll(/<!-- mission-bot:once:([^\s>]{1,300}) -->/g)].map((m) => m[1]!);
}

/** Marks a refusal to `login` (people without write access are answered at most once an hour per issue). */
export function refusalMarker(login: string): string {
  return `<!-- mission-bot:refused:${login.toLowerCase()} -->`;
}

/** The logins a text of the bot's refused. */
export function refusedIn(text: string | null | undefined): string[] {
  if (!text) return [];
  return [...text.matchAll(/<!-- mission-bot:refused:([a-z0-9][a-z0-9-]{0,38}(?:\[bot\])?) -->/g)].map((m) => m[1]!);
}

/** A worker's report block: `<!-- mission-bot:report <base64url JSON> -->`. */
export const REPORT_BLOCK = /<!-- mission-bot:report ([A-Za-z0-9_-]+) -->/g;
export function reportBlock(base64url: string): string {
  return `<!-- mission-bot:report ${base64url} -->`;
}

/** A validation report block: `<!-- mission-bot:validation <base64url JSON> -->`. */
export const VALIDATION_BLOCK = /<!-- mission-bot:validation ([A-Za-z0-9_-]+) -->/g;
export function validationBlock(base64url: string): string {
  return `<!-- mission-bot:validation ${base64url} -->`;
}

/**
 * The payload of the last block of a kind (REPORT_BLOCK, VALIDATION_BLOCK) in
 * a comment, if any. The last one counts: the report's own block is written
 * last, so nothing quoted above it can pose as the report.
 */
export function lastBlock(text: string | null | undefined, block: RegExp): string | undefined {
  if (!text) return undefined;
  return [...text.matchAll(new RegExp(block.source, "g"))].at(-1)?.[1];
}

/** Does a comment carry a worker's or validation report? */
export function carriesReport(text: string | null | undefined): boolean {
  return lastBlock(text, REPORT_BLOCK) !== undefined || lastBlock(text, VALIDATION_BLOCK) !== undefined;
}

/**
 * Hidden line between the dashboard's top (always kept) and its long tail
 * (may be cut). It matches no other marker on purpose: it identifies nothing.
 */
export const DASHBOARD_TAIL = "<!-- mission-bot:dashboard-tail -->";
