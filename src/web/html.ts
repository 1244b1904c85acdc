/**
 * HTML by tagged template: every value put into `html\`…\`` is outside text
 * and goes through the one escaper (`htmlText`), unless it is itself an
 * `Html` fragment made by this tag. There is no way to put a raw string in a
 * page: a fragment is made only by the tag, whose literal parts are the
 * program's own. URLs are checked separately (`href`).
 */
import { htmlText } from "../mission/markdown/escape.js";

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  return htmlText(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? "");
  return new Html(out);
}

/** A link target: http(s) URLs and paths of this site only (never `javascript:`); anything else is "#". */
export function href(url: string | undefined): string {
  if (!url) return "#";
  if (url.startsWith("/") && !url.startsWith("//")) return url;
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:" ? u.toString() : "#";
  } catch {
    return "#";
  }
}
