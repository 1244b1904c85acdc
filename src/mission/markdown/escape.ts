/**
 * The one escaper: every piece of text that did not come from the bot itself
 * (issue bodies, comments, outlines, model output, worker reports, command
 * output) passes through `escapeText` before the bot renders it into a
 * comment, an issue body or mission.md. Pure.
 *
 * What survives it cannot be mistaken for the bot's own hidden text: it holds
 * no HTML comment (so no marker, state or report block, and nothing hidden
 * from readers), no invisible or bidirectional control characters, and no
 * @mention (the bot never pings people on someone else's behalf). Everything
 * else — markdown, code, links — is kept, so the text reads as it was written.
 *
 * The formatters below (`inlineText`, `cellText`, `quoteText`, `codeSpan`,
 * `shorten`) shape text for a place in a document; they all escape through
 * `escapeText` first, so none can let a marker through.
 */

/** Zero-width, invisible formatting and bidi controls; the Unicode tag block and variation selectors supplement (used to smuggle text). */
const INVISIBLE =
  /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFEFF\uFFA0\uFFF9-\uFFFB\u{E0000}-\u{E007F}\u{E0100}-\u{E01EF}]/gu;
/** C0/C1 controls except tab and newline. */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/** Outside text made inert for GitHub markdown. Linear in the text's length. */
export function escapeText(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(INVISIBLE, "")
    .replace(CONTROL, "")
    .replace(/<!--/g, "&lt;!--")
    .replace(/--!?>/g, (end) => end.replace(">", "&gt;"))
    .replace(/@(?=[A-Za-z0-9_])/g, "@&#8203;");
}

/** What a reader does not see, removed (not escaped): for text an agent reads, where escapes would be noise. */
export function stripHidden(text: string): string {
  let out = text.replace(/\r\n?/g, "\n").replace(INVISIBLE, "").replace(CONTROL, "");
  // after the invisible characters are gone, so `<!\u200B--` cannot hide a comment from this step
  out = out.replace(/<!--[\s\S]*?(?:-->|$)/g, "");
  out = out.replace(/!\[[^\]]*\]\(/g, "![](");
  out = out.replace(/<img\b[^>]*>/gi, "[image]");
  return out;
}

/** At most `max` characters, cut with an ellipsis. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/** One line of escaped text (line breaks become spaces). */
export function inlineText(text: string): string {
  return escapeText(text).replace(/\s*\n\s*/g, " ").trim();
}

/** Escaped text for a markdown table cell: one line, pipes escaped. */
export function cellText(text: string): string {
  return inlineText(text).replace(/\|/g, "\\|");
}

/** Escaped text as a markdown block quote. */
export function quoteText(text: string): string {
  return escapeText(text.trim())
    .split("\n")
    .map((line) => (line.trim() ? `> ${line}` : ">"))
    .join("\n");
}

/** `text` as one code span, whatever backticks it holds (escaped first: a code span does not hide a comment from a scanner). */
export function codeSpan(text: string): string {
  const one = escapeText(text).replace(/\n/g, " ");
  let longest = 0;
  for (const run of one.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = "`".repeat(longest + 1);
  const pad = one.startsWith("`") || one.endsWith("`") ? " " : "";
  return `${fence}${pad}${one}${pad}${fence}`;
}
