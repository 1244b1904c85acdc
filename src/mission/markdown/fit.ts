/**
 * The last word on a comment's length: GitHub refuses a comment (or issue
 * body) over 65,536 characters with 422 "body is too long". Renderers keep
 * their text under it by design (the plan, the dashboard, issue bodies);
 * this cuts whatever would still be longer at a line, says so, and keeps the
 * hidden markers at its end whole, so a reply stays a reply. Pure.
 */
import { GITHUB_LIMITS } from "../model.js";

/** GitHub counts characters (code points); a JavaScript string's length is never fewer, so this is safe. */
export const COMMENT_MAX_CHARS = GITHUB_LIMITS.bodyChars;

export const CUT_NOTE = "_…cut here to fit GitHub's 65,536-character limit._";

const TRAILING_MARKERS = /(?:\s*<!-- mission-bot:[^>\n]{1,400} -->)+\s*$/;

export function fitComment(text: string, max = COMMENT_MAX_CHARS): string {
  if (text.length <= max) return text;
  const hidden = TRAILING_MARKERS.exec(text)?.[0] ?? "";
  const visible = text.slice(0, text.length - hidden.length);
  const tail = `\n\n${CUT_NOTE}${hidden ? `\n\n${hidden.trim()}` : ""}`;
  const room = Math.max(0, max - tail.length);
  let cut = visible.slice(0, room);
  const line = cut.lastIndexOf("\n");
  if (line > room / 2) cut = cut.slice(0, line);
  return `${cut.trimEnd()}${tail}`;
}
