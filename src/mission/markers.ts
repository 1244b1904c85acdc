/**
 * Hidden markers identify what the bot owns. Every issue, comment and body
 * region it writes carries one, so apply can look before it creates and a
 * retry never creates anything twice. Pure.
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

/** All markers in a text, in order. */
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

/** Marks the bot's answer to one command comment, so a redelivered command is answered once. */
export function replyMarker(commentId: number): string {
  return `<!-- mission-bot:reply:${commentId} -->`;
}

export function hasReplyMarker(text: string | null | undefined, commentId: number): boolean {
  return !!text && text.includes(replyMarker(commentId));
}
