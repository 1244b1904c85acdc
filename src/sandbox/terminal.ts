/**
 * What the sandbox prints: GitHub markdown as plain text for a terminal.
 * Hidden content (HTML comments: markers, state blocks) is dropped, HTML
 * tags are unwrapped, links keep their text, and tables stay as they are
 * (they read well in a monospace font). Pure.
 */
import { dashboardMarkers } from "../mission/markdown/dashboard.js";

/** Markdown → plain text a person can read in a terminal. */
export function plainText(markdown: string): string {
  // fenced code blocks are shown as they are (a "# heading" inside one is code, not a heading); the rest is read as markdown
  const parts = markdown.replace(/\r\n?/g, "\n").split(/^(```[^\n]*\n[\s\S]*?^```[ \t]*$)/m);
  const text = parts.map((part, i) => (i % 2 === 1 ? part.replace(/^```[^\n]*\n/, "").replace(/\n```[ \t]*$/, "") : prose(part))).join("");
  return text.replace(/\n{3,}/g, "\n\n").trim();
}

function prose(markdown: string): string {
  let text = markdown;
  text = text.replace(/<!--[\s\S]*?(?:-->|$)/g, "");
  text = text.replace(/<summary>([\s\S]*?)<\/summary>/gi, "$1:");
  text = text.replace(/<br\s*\/?>/gi, "\n");
  text = text.replace(/<\/?(details|summary|sub|sup|b|i|strong|em|code|p|div|span)(\s[^>]*)?>/gi, "");
  text = text.replace(/!\[([^\]]*)\]\([^)]*\)/g, "[image: $1]");
  text = text.replace(/\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)/g, "$1");
  text = text.replace(/^> \[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*$/gm, (_, kind: string) => `> ${kind.toLowerCase()}:`);
  text = text.replace(/\*\*([^*\n]+)\*\*/g, "$1");
  text = text.replace(/^(#{1,6}) +(.*)$/gm, (_, hashes: string, title: string) => (hashes.length <= 2 ? title.toUpperCase() : title));
  text = text.replace(/[ \t]+$/gm, "");
  return alignTables(text);
}

/** Markdown tables as aligned columns: cells padded to their column's width, the `---` row dropped. */
function alignTables(text: string): string {
  const lines = text.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    if (!/^\|.*\|$/.test(lines[i]!)) {
      out.push(lines[i++]!);
      continue;
    }
    const block: string[] = [];
    while (i < lines.length && /^\|.*\|$/.test(lines[i]!)) block.push(lines[i++]!);
    const rows = block
      .filter((l) => !/^\|(\s*:?-+:?\s*\|)+$/.test(l))
      .map((l) => l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|")));
    const widths: number[] = [];
    for (const r of rows) r.forEach((c, k) => (widths[k] = Math.max(widths[k] ?? 0, [...c].length)));
    for (const r of rows) out.push(r.map((c, k) => c + " ".repeat(widths[k]! - [...c].length)).join("  ").trimEnd());
  }
  return out.join("\n");
}

/** The mission's dashboard region of the tracking issue's body (as markdown), or undefined. */
export function dashboardRegion(body: string | null | undefined, missionId: string): string | undefined {
  if (!body) return undefined;
  const { start, end } = dashboardMarkers(missionId);
  const from = body.indexOf(start);
  const to = body.indexOf(end, from + start.length);
  if (from < 0 || to < 0) return undefined;
  return body.slice(from + start.length, to);
}

/** `── title ──────` to the width of a usual terminal. */
export function rule(title: string, width = 72): string {
  const head = `── ${title} `;
  return head + "─".repeat(Math.max(3, width - head.length));
}

/** Each line of text indented by `by` spaces. */
export function indent(text: string, by = 2): string {
  const pad = " ".repeat(by);
  return text
    .split("\n")
    .map((l) => (l ? pad + l : l))
    .join("\n");
}
