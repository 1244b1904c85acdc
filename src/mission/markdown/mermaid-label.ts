/**
 * Outside text (a milestone's or feature's title) as a Mermaid node label:
 * what goes between the quotes of `id["…"]` inside a ```mermaid block. Pure.
 *
 * The label must stay a label in two grammars at once. In Mermaid, a quote
 * ends the label, brackets and braces open shapes, `-->` draws an edge, a
 * backtick starts a markdown string, `%%` a comment, `#…;` an entity and a
 * line break a new statement. In the surrounding markdown, a run of
 * backticks closes the code fence, and a `<!--` a scanner reads would be a
 * marker. So: one line; nothing invisible or control (as the one escaper
 * does); every character that means something to either grammar written as
 * Mermaid's numeric entity code (`#34;` for `"`), which Mermaid draws as the
 * character itself; and `#` first, so no text can spell an entity of its own.
 * Letters, digits, spaces and the rest are kept, so the title reads as written.
 */
import { escapeText, shorten } from "./escape.js";

/** Characters written as `#<code>;`: Mermaid syntax, HTML, markdown fences, the escaper's entities. */
const SPECIAL = /[#"'`<>&[\](){}|%;:=\\-]/g;

/** At most `max` characters of the title (cut first, then escaped: an entity is never cut in half). */
export function mermaidLabel(text: string, max = 60): string {
  // the one escaper removes what is invisible and breaks comment openers; then read its entities back so they are coded once
  const plain = escapeText(text).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/@&#8203;/g, "@");
  const line = shorten(plain.split("\n").map((l) => l.trim()).filter(Boolean).join(" "), max);
  return line.replace(SPECIAL, (c) => `#${c.codePointAt(0)};`);
}
