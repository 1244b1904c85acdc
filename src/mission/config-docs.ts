/**
 * The configuration reference in the README, rendered from the Config
 * schema: every key of `.github/mission.yml` with its type, default and
 * description, so the documentation cannot drift from what is validated.
 * `npm run docs` writes it between the markers; a test compares. Pure.
 *
 * It walks zod's own JSON Schema of Config (input side: what a person may
 * write), which already resolves defaults, bounds and `.describe()` texts.
 */
import { z } from "zod";
import { CONFIG_PATH } from "./config.js";
import { Config } from "./model.js";

export const CONFIG_REFERENCE_START = "<!-- config-reference:start -->";
export const CONFIG_REFERENCE_END = "<!-- config-reference:end -->";

/** The part of JSON Schema that zod emits for Config. */
interface Schema {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  anyOf?: Schema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

interface Row {
  key: string;
  type: string;
  default: string;
  description: string;
}

const isObject = (s: Schema) => s.type === "object" && s.properties !== undefined;
const valueSchema = (s: Schema): Schema | undefined =>
  s.type === "object" && !s.properties && typeof s.additionalProperties === "object" ? s.additionalProperties : undefined;

/** `{ a: 1, b: ["/"] }`: defaults as a person would write them in YAML flow style. */
function formatValue(value: unknown, nested = false): string {
  if (Array.isArray(value)) return `[${value.map((v) => formatValue(v, true)).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${formatValue(v, true)}`).join(", ")} }`;
  }
  if (typeof value === "string" && nested && !/^[A-Za-z0-9][\w.-]*$/.test(value)) return JSON.stringify(value);
  return String(value);
}

function characters(s: Schema): string {
  const min = s.minLength ?? 0;
  if (min === 1 && s.maxLength === undefined) return "string, not empty";
  if (min > 0 && s.maxLength !== undefined) return `string of ${min}–${s.maxLength} characters`;
  if (min > 0) return `string of at least ${min} characters`;
  if (s.maxLength !== undefined) return `string of up to ${s.maxLength} characters`;
  return "string";
}

function items(s: Schema): string {
  const min = s.minItems ?? 0;
  if (min > 0 && s.maxItems !== undefined) return `, ${min}–${s.maxItems} items`;
  if (min > 0) return `, at least ${min}`;
  if (s.maxItems !== undefined) return `, up to ${s.maxItems} items`;
  return "";
}

function numberBounds(s: Schema): string {
  const parts: string[] = [];
  const lower = s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : s.minimum !== undefined && s.minimum > Number.MIN_SAFE_INTEGER ? `≥ ${s.minimum}` : undefined;
  const upper = s.exclusiveMaximum !== undefined ? `< ${s.exclusiveMaximum}` : s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER ? `≤ ${s.maximum}` : undefined;
  if (lower?.startsWith("≥") && upper?.startsWith("≤")) return ` ${s.minimum}–${s.maximum}`;
  if (lower) parts.push(lower);
  if (upper) parts.push(upper);
  return parts.length ? ` ${parts.join(", ")}` : "";
}

/** A type in words: `integer 1–20`, `list of number > 0, ≤ 2`, `` `finish` or `cancel` ``. */
export function typeName(s: Schema): string {
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(" or ");
  if (s.const !== undefined) return `\`${String(s.const)}\``;
  if (s.anyOf) return s.anyOf.map(typeName).join(" or ");
  switch (s.type) {
    case "string":
      return s.format === "uri" ? "URL" : characters(s);
    case "integer":
    case "number":
      return `${s.type}${numberBounds(s)}`;
    case "boolean":
      return "boolean";
    case "array": {
      const item = s.items ? typeName(s.items) : "anything";
      return `list of ${s.items?.anyOf ? `(${item})` : item}${items(s)}`;
    }
    case "object": {
      if (s.properties) return `{ ${Object.keys(s.properties).join(", ")} }`;
      const value = valueSchema(s);
      return `map of name → ${value ? typeName(value) : "anything"}`;
    }
    default:
      return s.type ?? "anything";
  }
}

function walk(s: Schema, key: string, inherited: unknown, rows: Row[]): void {
  const own = s.default !== undefined ? s.default : inherited;
  const object = isObject(s);
  rows.push({
    key,
    type: object ? "mapping" : typeName(s),
    // a mapping's default is the defaults of its keys, listed below it
    default: object || own === undefined ? "" : `\`${formatValue(own)}\``,
    description: s.description ?? "",
  });
  if (object) {
    for (const [name, child] of Object.entries(s.properties!)) {
      walk(child, `${key}.${name}`, (own as Record<string, unknown> | undefined)?.[name], rows);
    }
    return;
  }
  const value = valueSchema(s);
  if (value && isObject(value)) for (const [name, child] of Object.entries(value.properties!)) walk(child, `${key}.<name>.${name}`, undefined, rows);
  const items = s.type === "array" ? s.items : undefined;
  for (const variant of items?.anyOf ?? (items ? [items] : [])) {
    if (isObject(variant)) for (const [name, child] of Object.entries(variant.properties!)) walk(child, `${key}[].${name}`, undefined, rows);
  }
}

export function configReferenceRows(): Row[] {
  const schema = z.toJSONSchema(Config, { io: "input" }) as Schema;
  const rows: Row[] = [];
  for (const [name, child] of Object.entries(schema.properties ?? {})) walk(child, name, undefined, rows);
  return rows;
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The markdown between the markers (without them). */
export function renderConfigReference(): string {
  const lines = [
    `<!-- generated from the Config schema (src/mission/model.ts) by \`npm run docs\`: do not edit by hand -->`,
    "",
    `Every key of \`${CONFIG_PATH}\` is optional; a key left out takes its default. \`<name>\` stands for a key you choose (a model, a runner type); \`[]\` for each entry of a list.`,
    "",
    "| key | type | default | what |",
    "| --- | --- | --- | --- |",
    ...configReferenceRows().map((r) => `| \`${r.key}\` | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.description)} |`),
  ];
  return `${lines.join("\n")}\n`;
}

/** The section between the markers, or null when the markers are missing. */
export function configReferenceIn(readme: string): string | null {
  const start = readme.indexOf(CONFIG_REFERENCE_START);
  const end = readme.indexOf(CONFIG_REFERENCE_END);
  if (start < 0 || end < start) return null;
  return readme.slice(start + CONFIG_REFERENCE_START.length, end).replace(/^\n/, "");
}

/** The README with the section between the markers regenerated. */
export function withConfigReference(readme: string): string {
  const start = readme.indexOf(CONFIG_REFERENCE_START);
  const end = readme.indexOf(CONFIG_REFERENCE_END);
  if (start < 0 || end < start) throw new Error(`the README has no ${CONFIG_REFERENCE_START} … ${CONFIG_REFERENCE_END} section`);
  return `${readme.slice(0, start + CONFIG_REFERENCE_START.length)}\n${renderConfigReference()}${readme.slice(end)}`;
}

/** The README's cost table is generated beside the configuration reference (cost-docs.ts). */
export { withCostTable } from "./cost-docs.js";
