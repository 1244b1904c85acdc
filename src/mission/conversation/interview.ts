/**
 * The scoping interview: which questions a mission still needs answered, how
 * to ask them, and how to read the answers (`key: value` lines or YAML).
 * Unanswered is `undefined`; "uncapped" is `null`, "none" is `[]` / `{}`. Pure.
 */
import { isMap, isNode, parseDocument } from "yaml";
import type { BudgetFlags } from "./commands.js";
import type { Mission, MissionKind, Mode, Preferences, Probes } from "../model.js";
import { FORMS, parseHours, parseMode, parseMoney, parseTokens, type Parsed } from "./quantities.js";
import { quotedText } from "../markdown/escape.js";
import { askProbe, KIND_KEYS, KIND_WORDS, KINDS, PROBE_EXAMPLES, PROBE_KEYS, PROBES, PROBES_BY_KIND, type Probe } from "./scope.js";

export type Question = "mode" | "hours" | "usd" | "tokens" | "constraints" | "preferences" | Probe;

/** The order questions are asked in: the probes that scope the mission first, then the budget. */
export const QUESTIONS: readonly Question[] = [...PROBES, "mode", "hours", "usd", "tokens", "constraints", "preferences"];

const isProbe = (q: Question): q is Probe => (PROBES as readonly string[]).includes(q);

/** What a `/mission answer` said; a key is present only when it was understood. */
export interface Answers {
  mode?: Mode;
  hours?: number | null;
  usd?: number | null;
  tokens?: number | null;
  constraints?: string[];
  preferences?: Preferences;
  /** `kind: feature`: the person corrects how the goal was classified */
  kind?: MissionKind;
  probes?: Probes;
}

/** The probes the mission's kind asks that have no answer yet ("" is an answer: asked and left). */
export function openProbes(m: Mission): Probe[] {
  if (!m.scope) return [];
  return PROBES_BY_KIND[m.scope.kind].filter((p) => m.scope!.probes[p] === undefined);
}

export function openQuestions(m: Mission): Question[] {
  const probes = new Set<Question>(openProbes(m));
  const unanswered: Record<Exclude<Question, Probe>, boolean> = {
    mode: m.mode === undefined,
    hours: m.budget.hours === undefined,
    usd: m.budget.usd === undefined,
    tokens: m.budget.tokens === undefined,
    constraints: m.constraints === undefined,
    preferences: m.preferences === undefined,
  };
  return QUESTIONS.filter((q) => (isProbe(q) ? probes.has(q) : unanswered[q]));
}

const ASK: Record<Exclude<Question, Probe>, string> = {
  mode: [
    "**Mode** — how the work lands:",
    "- `poc` (proof of concept): commits straight to a mission branch, no reviews — fastest.",
    "- `full`: a branch and pull request per feature, reviewed — production.",
  ].join("\n"),
  hours: "**Time** — at most how many hours of work: `8` (≈ 1 day), `40` (≈ 1 week), `80` (≈ 2+ weeks) or `uncapped`.",
  usd: "**Money** — at most how many dollars: `$20`, `$100`, `$500` or `uncapped`.",
  tokens: "**Tokens** — at most how many model tokens: `1M`, `5M`, `20M` or `uncapped`.",
  constraints: "**Constraints** — anything the work must respect, in your words (several as `- item` lines under `constraints:`), or `none`.",
  preferences:
    "**Preferences** — stack, deploy target, test framework (as `stack:`, `deploy:`, `test_framework:` lines), or `none`.",
};

const EXAMPLE: Record<Exclude<Question, Probe>, string> = {
  mode: "mode: poc",
  hours: "hours: 40",
  usd: "usd: 100",
  tokens: "tokens: 5M",
  constraints: "constraints: none",
  preferences: "preferences: none",
};

/**
 * Markdown asking exactly these questions, ending with a reply to copy and
 * edit. With probes, it says what kind of mission the goal reads as (and how
 * to correct it) and that a probe left out of the answer is not asked again.
 */
export function renderQuestions(questions: Question[], kind: MissionKind = "product"): string {
  if (!questions.length) return "";
  const asked = QUESTIONS.filter((q) => questions.includes(q));
  const probes = asked.filter(isProbe);
  const scoping = probes.length
    ? [
        `I read this as **${KIND_WORDS[kind]}**${kindHint(kind)}. For that, these matter most (answer what you can; what you leave out is not asked again):`,
        "",
      ]
    : [];
  return [
    asked.length === 1 ? "One question before I plan:" : "A few questions before I plan:",
    "",
    ...scoping,
    asked.map((q) => (isProbe(q) ? askProbe(q, kind) : ASK[q])).join("\n\n"),
    "",
    "Reply with a comment like this (edit the values; `/mission answer mode: poc hours: 40` on one line works too):",
    "",
    "```",
    "/mission answer",
    ...asked.map((q) => (isProbe(q) ? PROBE_EXAMPLES[q] : EXAMPLE[q])),
    "```",
  ].join("\n");
}

function kindHint(kind: MissionKind): string {
  const others = KINDS.filter((k) => k !== kind).map((k) => `\`${k}\``);
  return ` (if it is not, answer \`kind:\` with one of ${others.join(", ")})`;
}

// --- reading answers ------------------------------------------------------------

type Target =
  | { field: "mode" | "hours" | "usd" | "tokens" | "constraints" | "preferences" | "kind" }
  | { field: "preference"; key: keyof Preferences }
  | { field: "probe"; key: Probe };

const KEYS: Record<string, Target> = {
  mode: { field: "mode" },
  hours: { field: "hours" },
  time: { field: "hours" },
  usd: { field: "usd" },
  money: { field: "usd" },
  budget: { field: "usd" },
  cost: { field: "usd" },
  tokens: { field: "tokens" },
  constraints: { field: "constraints" },
  constraint: { field: "constraints" },
  preferences: { field: "preferences" },
  stack: { field: "preference", key: "stack" },
  deploy: { field: "preference", key: "deploy" },
  deploy_target: { field: "preference", key: "deploy" },
  test_framework: { field: "preference", key: "test_framework" },
  tests: { field: "preference", key: "test_framework" },
  test: { field: "preference", key: "test_framework" },
  notes: { field: "preference", key: "notes" },
  kind: { field: "kind" },
  ...Object.fromEntries(Object.entries(PROBE_KEYS).map(([k, probe]) => [k, { field: "probe", key: probe } as const])),
};

const KNOWN_KEYS =
  "mode, hours, usd, tokens, constraints, preferences (or directly stack, deploy, test_framework, notes), kind, and the probes journey, musts, failure, systems, question, environment";

const PROBE_LIMIT = 2000;

const PREFERENCE_LIMITS: Record<keyof Preferences, number> = {
  stack: 500,
  deploy: 500,
  test_framework: 500,
  notes: 2000,
};
const CONSTRAINT_LIMIT = 1000;

const NONE = new Set(["none", "no", "nothing", "n/a", "-"]);

interface Entry {
  /** the key as the person wrote it */
  key: string;
  value: unknown;
  /** a line that is not `key: value` (value holds the line) */
  unreadable?: true;
}

function normaliseKey(key: string): string {
  return key.trim().toLowerCase().replace(/[\s-]+/g, "_");
}

/** The person's words quoted back (through the one escaper). */
function show(value: unknown): string {
  return quotedText(typeof value === "string" ? value : (JSON.stringify(value) ?? String(value)), 40);
}

/** A line that opens or closes a fence: its marker (``` or ~~~), and whether it can close one (nothing after the marker). */
function fenceOf(line: string): { marker: string; closes: boolean } | undefined {
  const body = line.replace(/^[ \t]*/, "");
  const marker = body.startsWith("```") ? "```" : body.startsWith("~~~") ? "~~~" : undefined;
  if (!marker) return undefined;
  return { marker, closes: body.slice(3).trim() === "" };
}

/**
 * The inside of the first fenced block that closes, if the answer has one;
 * else the whole text. One pass over the lines: the next closing line of each
 * marker is known before the openers are tried, so unclosed fences cost
 * nothing more.
 */
function unfence(text: string): string {
  const lines = text.split("\n");
  const fences = lines.map(fenceOf);
  const nextClose: Record<string, number> = { "```": -1, "~~~": -1 };
  const closeAfter: Array<Record<string, number>> = new Array(lines.length);
  for (let i = lines.length - 1; i >= 0; i--) {
    closeAfter[i] = { ...nextClose };
    const f = fences[i];
    if (f?.closes) nextClose[f.marker] = i;
  }
  for (let i = 0; i < lines.length; i++) {
    const f = fences[i];
    const close = f ? closeAfter[i]![f.marker]! : -1;
    if (close > i) return lines.slice(i + 1, close).map((l) => `${l}\n`).join("");
  }
  return text;
}

/** Answers longer than this are read line by line only: the YAML reader's cost grows faster than the text on hostile input. */
const YAML_MAX_CHARS = 8_192;

/**
 * A YAML mapping, or undefined when the text is not one. Every value is
 * read as text (the failsafe schema: `hours: 9999…` stays the digits the
 * person wrote, never Infinity), and a key given twice stays twice, in order.
 */
function yamlEntries(text: string): Entry[] | undefined {
  if (text.length > YAML_MAX_CHARS) return undefined;
  try {
    const doc = parseDocument(text, { prettyErrors: false, schema: "failsafe", uniqueKeys: false });
    if (doc.errors.length || !isMap(doc.contents)) return undefined;
    return doc.contents.items.map((pair) => ({
      key: String(isNode(pair.key) ? pair.key.toJSON() : pair.key),
      value: isNode(pair.value) ? (pair.value.toJSON() as unknown) : null,
    }));
  } catch {
    return undefined;
  }
}

/** `key: value` (or `key = value`), the key a word or words; undefined for any other line. Linear: no pattern backtracks over a run. */
function pairOf(line: string): { key: string; value: string } | undefined {
  const rest = line.replace(/^[-*]\s+/, "");
  const colon = rest.search(/[:=]/);
  if (colon < 0) return undefined;
  const key = rest.slice(0, colon).trimEnd();
  if (!/^[A-Za-z][\w -]*$/.test(key)) return undefined;
  return { key, value: rest.slice(colon + 1).trim() };
}

/** Every key the interview knows, longest first, as one pattern: where a pair starts inside a line (after a blank, comma or semicolon). Linear: nothing before the key is matched, so no run is read twice. */
const PAIR_START = new RegExp(
  `(?<=^|[\\s,;])(?:${Object.keys(KEYS)
    .sort((a, b) => b.length - a.length)
    .map((k) => k.replace(/_/g, "[_ -]"))
    .join("|")})[ \\t]*[:=]`,
  "gi",
);

/**
 * The one-line form: `mode: poc hours: 40, usd: 100; tokens: 5M` is four
 * answers. A line is split only before a key the interview knows followed by
 * `:` or `=`, so free text with other colons stays whole; an indented line
 * (a preference under `preferences:`) is never split.
 */
function splitPairs(raw: string): string[] {
  if (/^[ \t]/.test(raw) || !pairOf(raw.trim())) return [raw];
  const starts = [...raw.matchAll(PAIR_START)].map((m) => m.index);
  if (starts.length < 2) return [raw];
  return starts.map((start, k) => trimSeparators(raw.slice(start, starts[k + 1] ?? raw.length)));
}

/** A segment without the blanks, commas and semicolons that ended it (a loop: a pattern anchored at the end would read each run again). */
function trimSeparators(text: string): string {
  let end = text.length;
  while (end > 0 && /[\s,;]/.test(text[end - 1]!)) end--;
  return text.slice(0, end);
}

/**
 * `key: value` lines; under an empty `key:`, `- item` lines are a list and
 * indented `sub: value` lines a mapping (`preferences:` then `  stack: Go`).
 */
function lineEntries(text: string): Entry[] {
  const entries: Array<Entry & { under?: { list?: unknown[]; map?: Record<string, unknown> } }> = [];
  let open: { list?: unknown[]; map?: Record<string, unknown> } | undefined;
  for (const raw of text.split(/\r?\n/).flatMap(splitPairs)) {
    const line = raw.trim();
    if (!line || line.startsWith("```") || line.startsWith("~~~") || line.startsWith("#")) continue;
    const item = /^[-*]\s+/.exec(line);
    if (item && open && !open.map) {
      (open.list ??= []).push(line.slice(item[0].length).trim());
      continue;
    }
    const pair = pairOf(line);
    if (pair && open && !open.list && pair.value !== "" && /^[ \t]/.test(raw)) {
      (open.map ??= {})[pair.key] = pair.value;
      continue;
    }
    if (!pair) {
      entries.push({ key: "", value: line, unreadable: true });
      open = undefined;
    } else if (pair.value === "") {
      open = {};
      entries.push({ key: pair.key, value: null, under: open });
    } else {
      open = undefined;
      entries.push({ key: pair.key, value: pair.value });
    }
  }
  // An empty `key:` takes what was under it; with nothing under it, it said nothing.
  return entries.map(({ under, ...e }) => (under ? { ...e, value: under.list ?? under.map ?? null } : e));
}

function scalar(value: unknown): string | undefined {
  // `poc` as the dashboard writes it: the backticks are not part of the answer
  if (typeof value === "string") return value.trim().replace(/^`([^`]*)`$/, "$1").trim();
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

function readQuantity<T>(
  key: string,
  value: unknown,
  parse: (text: string) => Parsed<T>,
  forms: string,
): Parsed<T> {
  const text = scalar(value);
  if (text === undefined || text === "") {
    return { ok: false, error: `${key}: no answer given. Write it like ${forms}.` };
  }
  const parsed = parse(text);
  return parsed.ok ? parsed : { ok: false, error: `${key}: ${parsed.error}` };
}

function readConstraints(key: string, value: unknown): Parsed<string[]> {
  const forms = "free text, a list of lines, or none";
  let items: string[];
  if (Array.isArray(value)) {
    const texts = value.map(scalar);
    if (texts.some((t) => t === undefined)) {
      return { ok: false, error: `${key}: each constraint must be text. Write ${forms}.` };
    }
    items = texts as string[];
  } else {
    const text = scalar(value);
    if (text === undefined) return { ok: false, error: `${key}: no answer given. Write ${forms}.` };
    items = text.split("\n").map((l) => l.replace(/^\s*[-*]\s+/, ""));
  }
  items = items.map((i) => i.trim()).filter(Boolean);
  if (!items.length) return { ok: false, error: `${key}: no answer given. Write ${forms}.` };
  if (items.length === 1 && NONE.has(items[0]!.toLowerCase())) return { ok: true, value: [] };
  const long = items.find((i) => i.length > CONSTRAINT_LIMIT);
  if (long) {
    return {
      ok: false,
      error: `${key}: the constraint ${show(long)} is longer than ${CONSTRAINT_LIMIT} characters; shorten it or split it into several.`,
    };
  }
  return { ok: true, value: items };
}

function readPreference(key: string, field: keyof Preferences, value: unknown): Parsed<string> {
  const text = scalar(value);
  if (text === undefined || text === "") return { ok: false, error: `${key}: no answer given. Write it as text.` };
  if (text.length > PREFERENCE_LIMITS[field]) {
    return { ok: false, error: `${key}: longer than ${PREFERENCE_LIMITS[field]} characters; shorten it.` };
  }
  return { ok: true, value: text };
}

/** `preferences: none`, free text (kept as notes), or a mapping of stack/deploy/test_framework/notes. */
function readPreferences(key: string, value: unknown, problems: string[]): Preferences | undefined {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const prefs: Preferences = {};
    for (const [sub, v] of Object.entries(value as Record<string, unknown>)) {
      const target = KEYS[normaliseKey(sub)];
      if (target?.field !== "preference") {
        problems.push(
          `${key}: unknown preference ${show(sub)}. Preferences are stack, deploy, test_framework and notes.`,
        );
        continue;
      }
      const read = readPreference(`${key}.${sub}`, target.key, v);
      if (read.ok) prefs[target.key] = read.value;
      else problems.push(read.error);
    }
    return prefs;
  }
  const text = scalar(value);
  if (text === undefined || text === "") {
    problems.push(`${key}: no answer given. Write none, or stack:, deploy:, test_framework: lines.`);
    return undefined;
  }
  if (NONE.has(text.toLowerCase())) return {};
  const notes = readPreference(key, "notes", text);
  if (!notes.ok) {
    problems.push(notes.error);
    return undefined;
  }
  return { notes: notes.value };
}

/**
 * Reads a `/mission answer`: `key: value` lines or a YAML mapping, fenced or
 * not. Keys are case-insensitive and have aliases (time = hours, budget =
 * usd, …). Everything understood is returned; each unknown key, unreadable
 * value or repeated answer adds one problem line naming it and the accepted form.
 */
export function parseAnswers(text: string): { answers: Answers; problems: string[] } {
  const problems: string[] = [];
  const body = unfence(text);
  const entries = yamlEntries(body) ?? lineEntries(body);
  const answers: Answers = {};
  const answeredBy: Partial<Record<string, string>> = {};

  const once = (slot: string, key: string): boolean => {
    const earlier = answeredBy[slot];
    if (earlier !== undefined) {
      problems.push(`${key}: answered twice (also as ${earlier}); I kept the first answer.`);
      return false;
    }
    answeredBy[slot] = key;
    return true;
  };

  for (const { key, value, unreadable } of entries) {
    if (unreadable) {
      problems.push(`I could not read ${show(value)}: write one answer per line as \`key: value\`, e.g. \`mode: poc\`.`);
      continue;
    }
    const target = KEYS[normaliseKey(key)];
    if (!target) {
      problems.push(`unknown key ${show(key)}. The keys are ${KNOWN_KEYS}.`);
      continue;
    }
    switch (target.field) {
      case "mode": {
        const r = readQuantity(key, value, parseMode, FORMS.mode);
        if (!r.ok) problems.push(r.error);
        else if (once("mode", key)) answers.mode = r.value;
        break;
      }
      case "hours":
      case "usd":
      case "tokens": {
        const [parse, forms] = {
          hours: [parseHours, FORMS.hours] as const,
          usd: [parseMoney, FORMS.money] as const,
          tokens: [parseTokens, FORMS.tokens] as const,
        }[target.field];
        const r = readQuantity(key, value, parse, forms);
        if (!r.ok) problems.push(r.error);
        else if (once(target.field, key)) answers[target.field] = r.value;
        break;
      }
      case "constraints": {
        const r = readConstraints(key, value);
        if (!r.ok) problems.push(r.error);
        else if (once("constraints", key)) answers.constraints = r.value;
        break;
      }
      case "preferences": {
        const prefs = readPreferences(key, value, problems);
        if (prefs && once("preferences", key)) answers.preferences = { ...prefs, ...answers.preferences };
        break;
      }
      case "kind": {
        const text = scalar(value)?.toLowerCase().replace(/[_-]+/g, " ");
        const kind = text ? KIND_KEYS[text] : undefined;
        if (!kind) problems.push(`${key}: ${show(value)} is not a kind of mission. The kinds are ${KINDS.join(", ")}.`);
        else if (once("kind", key)) answers.kind = kind;
        break;
      }
      case "probe": {
        const text = scalar(value);
        if (text === undefined || text === "") problems.push(`${key}: no answer given. Write it as text.`);
        else if (text.length > PROBE_LIMIT) problems.push(`${key}: longer than ${PROBE_LIMIT} characters; shorten it.`);
        else if (once(`probe.${target.key}`, key)) answers.probes = { ...answers.probes, [target.key]: NONE.has(text.toLowerCase()) ? "none" : text };
        break;
      }
      case "preference": {
        const r = readPreference(key, target.key, value);
        if (!r.ok) problems.push(r.error);
        else if (once(`preference.${target.key}`, key)) {
          answers.preferences = { ...answers.preferences, [target.key]: r.value };
        }
        break;
      }
    }
  }
  return { answers, problems };
}

/** The mission with these answers in: budget limits and mode set, constraints replaced, preferences and probes merged, the kind corrected. */
export function applyAnswers(m: Mission, a: Answers): Mission {
  const next = applyFlags(m, { mode: a.mode, hours: a.hours, usd: a.usd, tokens: a.tokens });
  const scope = a.kind !== undefined || a.probes !== undefined
    ? { kind: a.kind ?? m.scope?.kind ?? "product", probes: { ...m.scope?.probes, ...a.probes } }
    : undefined;
  return {
    ...next,
    ...(a.constraints !== undefined ? { constraints: [...a.constraints] } : {}),
    ...(a.preferences !== undefined ? { preferences: { ...m.preferences, ...a.preferences } } : {}),
    ...(scope ? { scope } : {}),
  };
}

/** Probes asked and not answered are left ("" ): the interview asks each probe once. */
export function leaveProbes(m: Mission, asked: readonly Probe[]): Mission {
  if (!m.scope || !asked.length) return m;
  const probes = { ...m.scope.probes };
  for (const p of asked) if (probes[p] === undefined) probes[p] = "";
  return { ...m, scope: { ...m.scope, probes } };
}

/** The mission with the start command's flags in; a flag not given leaves the field as it was. */
export function applyFlags(m: Mission, f: BudgetFlags): Mission {
  const budget = { ...m.budget };
  if (f.hours !== undefined) budget.hours = f.hours;
  if (f.usd !== undefined) budget.usd = f.usd;
  if (f.tokens !== undefined) budget.tokens = f.tokens;
  return { ...m, ...(f.mode !== undefined ? { mode: f.mode } : {}), budget };
}
