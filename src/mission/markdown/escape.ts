/**
 * The one escaper: every piece of text that did not come from the bot itself
 * (issue bodies, comments, outlines, model output, worker reports, command
 * output) passes through `escapeText` before the bot renders it into a
 * comment, an issue body or mission.md. Pure.
 *
 * What survives it cannot be mistaken for the bot's own hidden text: it holds
 * no HTML (every `<` is escaped, so no comment — no marker, state or report
 * block — and no tag that hides, shrinks or fetches anything), no invisible
 * or bidirectional control characters, and no @mention (the bot never pings
 * people on someone else's behalf). Everything else — markdown, code, links
 * — is kept, so the text reads as it was written. Escaping twice changes
 * nothing, so text escaped when it entered a mission is escaped again,
 * harmlessly, wherever it is rendered.
 *
 * The formatters below (`inlineText`, `cellText`, `quoteText`, `quotedText`,
 * `codeSpan`, `fencedBlock`, `titleText`) shape text for a place in a
 * document; they all escape through the same `neutralise` as `escapeText`,
 * so none can let a marker through. `shorten` cuts text to a length (cut first, then escape:
 * an escape is never cut in half). `stripHidden` is for text an agent reads,
 * not for anything the bot writes on GitHub.
 */

/** Zero-width, invisible formatting and bidi controls; the Unicode tag block and variation selectors supplement (used to smuggle text). */
const INVISIBLE =
  /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFEFF\uFFA0\uFFF9-\uFFFB\u{E0000}-\u{E007F}\u{E0100}-\u{E01EF}]/gu;
/** C0/C1 controls except tab and newline. */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/** Outside text made inert for GitHub markdown. Linear in the text's length. */
export function escapeText(text: string): string {
  return neutralise(text, "markdown");
}

/**
 * The escaper itself. In `markdown`, every `<` becomes `&lt;` and a mention gets a
 * zero-width space after its `@` (as an entity: GitHub links `@name` only when the
 * name follows `@` directly). In `code` (a code span or block, an issue
 * title), GitHub renders no HTML, decodes no entity and links no mention,
 * so only comment openers and closers are broken (a scanner reads the raw
 * text, code or not) and the rest is left as written.
 */
function neutralise(text: string, place: "markdown" | "code"): string {
  const out = text.replace(/\r\n?/g, "\n").replace(INVISIBLE, "").replace(CONTROL, "").replace(/--!?>/g, (end) => end.replace(">", "&gt;"));
  if (place === "code") return out.replace(/<!--/g, "&lt;!--");
  return out.replace(/</g, "&lt;").replace(/@(?=[A-Za-z0-9_])/g, "@&#8203;");
}

/**
 * For text an agent reads (a feature issue the bot wrote, a constraint):
 * what a reader does not see is removed — HTML comments (one left open hides
 * the rest), invisible, bidi and control characters, image alt text — and
 * then the escapes above are read back (`&lt;`, `&gt;`, `@&#8203;`), so the
 * agent reads what a person reading the issue sees: a comment escaped into
 * view is text, never a comment again.
 */
export function stripHidden(text: string): string {
  let out = text.replace(/\r\n?/g, "\n").replace(INVISIBLE, "").replace(CONTROL, "");
  // after the invisible characters are gone, so `<!\u200B--` cannot hide a comment from this step
  out = out.replace(/<!--[\s\S]*?(?:-->|$)/g, "");
  out = out.replace(/!\[[^\]]*\]\(/g, "![](");
  out = out.replace(/<img\b[^>]*>/gi, "[image]");
  return out.replace(/@&#8203;/g, "@").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
}

/** At most `max` characters, cut with an ellipsis. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/** Lines joined into one: a line break and the blanks around it become one space. Linear (no pattern backtracks over a run of blanks). */
function oneLine(text: string): string {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .join(" ");
}

/** One line of escaped text (line breaks become spaces). */
export function inlineText(text: string): string {
  return oneLine(escapeText(text));
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

/**
 * Someone's words quoted back in a sentence: `"…"`, one line, at most `max`
 * characters of theirs (an error message that says what it could not read).
 */
export function quotedText(text: string, max = 60): string {
  const t = text.trim();
  return `"${inlineText(shorten(t, max))}"`;
}

/** Escaped text for code (see `neutralise`): `@types/node` and `<Button>` stay as written. */
function codeText(text: string): string {
  return neutralise(text, "code");
}

/** `text` as one code span, whatever backticks it holds. */
export function codeSpan(text: string): string {
  const one = codeText(text).replace(/\n/g, " ");
  let longest = 0;
  for (const run of one.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = "`".repeat(longest + 1);
  const pad = one.startsWith("`") || one.endsWith("`") ? " " : "";
  return `${fence}${pad}${one}${pad}${fence}`;
}

/** `text` as a fenced code block, with a fence longer than any backtick run inside: it can neither close the fence nor open a comment. */
export function fencedBlock(text: string): string {
  const body = codeText(text);
  let longest = 2;
  for (const run of body.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = "`".repeat(longest + 1);
  return `${fence}\n${body}\n${fence}`;
}

/**
 * Text for a place GitHub shows as plain text, not markdown: an issue title.
 * One line, escaped as code is (no comment opener a scanner could read,
 * nothing invisible); a title renders no HTML and its mentions notify no one.
 */
export function titleText(text: string): string {
  return oneLine(neutralise(text, "code"));
}

/**
 * Outside text for an HTML page (the web dashboard): the invisible, bidi and
 * control characters go as in `neutralise`, then the five characters HTML
 * reads specially become entities, so the text is text in an element and in a
 * quoted attribute alike. Not idempotent, unlike the markdown escapes (a page
 * shows `&amp;` as `&`): pass raw text, once.
 */
export function htmlText(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(INVISIBLE, "")
    .replace(CONTROL, "")
    .replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

const HTML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
