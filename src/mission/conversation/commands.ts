/**
 * The `/mission …` grammar. Contract (types) fixed here; parser below.
 */
import type { Mode } from "../model.js";
import { parseLevel, type OutcomeLevel } from "../budget/levels.js";
import { FeatureKey, MilestoneKey } from "../model.js";
import { parseHours, parseIncrements, parseMode, parseMoney, parseTokens, type Parsed } from "./quantities.js";
import { codeSpan, inlineText, quotedText, shorten } from "../markdown/escape.js";
import { looksLikeSecretValue, RESOURCE_NAME, SECRET_VALUE_REFUSAL } from "../plan/resources.js";
import { ATTACH_DESCRIPTION, ATTACH_USAGE, parseAttach, type AttachCommand } from "../target/attach-command.js";
import { AgentName } from "../workspace/model.js";
import { parseSpend, SPEND_USAGE, type SpendCommand } from "../spending/command.js";

/** Limits a user can give on the command line or in the interview; null = uncapped. */
export interface BudgetFlags {
  mode?: Mode;
  usd?: number | null;
  hours?: number | null;
  tokens?: number | null;
  /** `--yes`: start with defaults for whatever the flags leave open, asking nothing */
  yes?: boolean;
}

export type Command =
  | { name: "start"; goal: string; flags: BudgetFlags }
  | { name: "help" }
  /** the raw text after `/mission answer` (key: value lines or a YAML block) */
  | { name: "answer"; text: string }
  /** `level`: the outcome level chosen; absent: the best level the budget fits */
  | { name: "approve"; level?: OutcomeLevel }
  | { name: "replan"; change: string }
  | { name: "status" }
  | { name: "pause" }
  | { name: "resume" }
  | { name: "cancel" }
  | { name: "retry"; feature: string }
  | { name: "validate" }
  | { name: "skip-validation"; milestone: string }
  /** make a Project board for the mission (README "Project board") */
  | { name: "project" }
  /** a person confirms a resource of the plan is there (README "Resources") */
  | { name: "resource"; ready: string }
  /** set (or create and set) the repository the mission builds in (README "Missions without a repository") */
  | AttachCommand
  /** propose a mission agent for every mission: a pull request adding it to `worker.agents_folder` (README "The mission folder") */
  | { name: "promote"; agent: string }
  /** `/mission budget` (show) or `/mission budget +$100 +10h +2M tokens` (increase) */
  | { name: "budget"; add?: { usd?: number; hours?: number; tokens?: number } }
  /** approve or deny a worker's request to spend money or send email (spending/command.ts) */
  | SpendCommand;

export type CommandName = Command["name"];

export type ParseResult =
  /** the comment does not address the bot */
  | { ok: "none" }
  | { ok: true; command: Command }
  /** addressed the bot but malformed: `error` says what was wrong, `usage` the correct form */
  | { ok: false; error: string; usage: string };

// ---------------------------------------------------------------------------
// Parser
//
// Who is addressed: a comment speaks to the bot when its first non-empty line
// starts with `/mission` (any case) followed by whitespace or the end of the
// line, indented at most 3 spaces (4 would be a markdown code block). So a
// quoted `> /mission …` or a `/mission` inside a code fence never addresses
// the bot: neither is the first line's start.
//
// Subcommand or goal: the first word after `/mission`, on the same line.
//  - Written exactly as a subcommand (lowercase: `status`, `retry`, …) it IS
//    that subcommand, and what follows must fit its grammar; if not, the
//    reply explains, and for a word-like rest also says how to start a
//    mission whose goal begins with that word (capitalise it).
//  - Written in another case (`Status`, `APPROVE`) it is the subcommand only
//    when the rest fits the subcommand's grammar exactly (`/mission Status`,
//    `/mission Retry 2.3`); otherwise it is the first word of a goal, so
//    `/mission Status page for our services` starts a mission. `answer` and
//    `replan` take free text, which always fits, so they count in lowercase
//    only.
//  - `Approve-flow` is not the word `approve`: it starts a goal.
//
// Lines after the first: `answer`, `replan` and a goal take them as part of
// their text; for every other subcommand they are a remark and are ignored
// (`/mission approve` + "Looks great!" approves).
//
// Flags of the start command may stand anywhere in the goal text, on any
// line outside code fences and inline code, as `--budget $200` or
// `--budget=$200`. A value may be more than one word when the words form one
// amount (`--hours 2 weeks`, `--tokens 1.5M tokens`). `--usd`, `--money` and
// `--cost` are accepted for `--budget`, `--time` for `--hours`.
// ---------------------------------------------------------------------------

/** The correct form of each command, shown with every error. */
export const USAGE: Record<CommandName, string> = {
  start: "/mission <goal> [--mode poc|full] [--budget $200] [--hours 40] [--tokens 5M] [--yes]",
  help: "/mission help",
  answer: "/mission answer <key: value pairs, on one line or one per line, e.g. mode: poc hours: 40>",
  approve: "/mission approve [mvp|production|polished]",
  replan: "/mission replan <what to change>",
  status: "/mission status",
  pause: "/mission pause",
  resume: "/mission resume",
  cancel: "/mission cancel",
  retry: "/mission retry <feature, e.g. 2.3>",
  validate: "/mission validate",
  "skip-validation": "/mission skip-validation <milestone number, e.g. 2>",
  budget: "/mission budget [+$100] [+10h] [+2M tokens]",
  project: "/mission project",
  resource: "/mission resource ready <name, e.g. STRIPE_KEY or postgres>",
  attach: ATTACH_USAGE,
  promote: "/mission promote <agent, e.g. stripe-api>",
  spend: SPEND_USAGE,
};

const DESCRIPTIONS: Record<CommandName, string> = {
  start: "Start a mission on this issue. I ask for whatever the flags leave open (`--yes`: take defaults instead), then propose a plan.",
  answer: "Answer the scoping questions: `mode`, `hours`, `usd`, `tokens`, `constraints`, `preferences`, and the probes I ask (`journey`, `musts`, `failure`, …).",
  approve: "Approve the plan at an outcome level (default: the best the budget fits): I create the milestone and feature issues and start the workers.",
  replan: "Plan again with the model, taking your change into account; an approved mission keeps its finished work.",
  status: "Post a progress report: each milestone, spend against budget and forecast, what runs and what waits.",
  pause: "Dispatch no new work until `/mission resume`.",
  resume: "Continue a paused mission.",
  cancel: "Stop the mission for good.",
  retry: "Run a feature again.",
  validate: "Validate the current milestone now.",
  "skip-validation": "Accept a milestone without validating it.",
  budget: "Show the budget, or raise its limits by the amounts given.",
  attach: ATTACH_DESCRIPTION,
  project: "Make a Project board for this mission in the organisation, with its fields and views, and keep it up to date.",
  resource: "Confirm that a resource the plan lists is there (a database, domain or account, or a secret the bot cannot list): the features waiting for it start. Name it, never paste a secret's value.",
  promote: "Propose one of the mission's agents for every mission: a pull request adding it to the repository's standing worker instructions.",
  help: "Show this list.",
  spend: "Approve or deny a worker's request to buy something or send an email (approvers only, checked live).",
};

type Subcommand = Exclude<CommandName, "start">;

const SUBCOMMANDS = new Set<string>(Object.keys(USAGE).filter((n) => n !== "start"));
const NO_ARGUMENTS = new Set<Subcommand>(["help", "status", "pause", "resume", "cancel", "validate", "project"]);
const FREE_TEXT = new Set<Subcommand>(["answer", "replan"]);

/** Longest goal a mission accepts (the mission model's limit). */
export const MAX_GOAL_CHARS = 10_000;

const ADDRESS = /^ {0,3}\/mission(?=\s|$)/i;

/** Does this comment speak to the bot? (Its first non-empty line starts with `/mission`.) */
export function addressesBot(body: string): boolean {
  const first = body.split(/\r\n?|\n/).find((l) => l.trim() !== "");
  return first !== undefined && ADDRESS.test(first);
}

export function parseCommand(body: string): ParseResult {
  const lines = body.replace(/\r\n?/g, "\n").split("\n");
  const index = lines.findIndex((l) => l.trim() !== "");
  if (index < 0) return { ok: "none" };
  const address = ADDRESS.exec(lines[index]!);
  if (!address) return { ok: "none" };

  const head = lines[index]!.slice(address[0].length).trim();
  const tail = lines.slice(index + 1).join("\n");
  if (head === "" && tail.trim() === "") {
    return fail("start", "`/mission` needs a goal or a command; `/mission help` lists the commands.");
  }
  const word = head.split(/\s+/, 1)[0]!;
  const rest = head.slice(word.length).trim();

  if (SUBCOMMANDS.has(word)) {
    const result = parseSubcommand(word as Subcommand, rest, tail);
    // (never for a rest holding a secret's value: it is not repeated)
    if (result.ok === false && /^\p{L}/u.test(rest) && !FREE_TEXT.has(word as Subcommand) && !rest.split(/\s+/).some(looksLikeSecretValue)) {
      const capitalised = word[0]!.toUpperCase() + word.slice(1);
      return {
        ...result,
        error: `${result.error} To start a mission whose goal begins with "${word}", capitalise it: /mission ${capitalised} ${inlineText(shorten(rest, 200))}`,
      };
    }
    return result;
  }
  const lower = word.toLowerCase();
  if (SUBCOMMANDS.has(lower) && !FREE_TEXT.has(lower as Subcommand)) {
    const result = parseSubcommand(lower as Subcommand, rest, tail);
    if (result.ok === true) return result;
  }
  const typo = misspelt(word, rest, tail);
  if (typo) return typo;
  return parseStart(`${head}\n${tail}`);
}

/**
 * A lowercase first word one typo away from a subcommand (two for longer
 * words) that is followed by nothing, or by what that subcommand takes, is a
 * misspelt command, not a one-word goal: `/mission aprove` is answered "did
 * you mean `/mission approve`?" instead of starting a mission called
 * "aprove". A capitalised word (`/mission Aprove`) still starts a mission.
 */
function misspelt(word: string, rest: string, tail: string): ParseResult | undefined {
  if (word !== word.toLowerCase() || !/^[a-z-]+$/.test(word) || word.length > 20) return undefined;
  const [closest] = [...SUBCOMMANDS]
    .map((known) => ({ known: known as Subcommand, d: distance(word, known) }))
    .filter((c) => c.d > 0 && c.d <= (c.known.length <= 5 ? 1 : 2))
    .sort((x, y) => x.d - y.d);
  if (!closest) return undefined;
  const { known } = closest;
  const fits =
    rest === "" ||
    (known === "answer" && /^[A-Za-z][\w -]*[:=]/.test(`${rest}\n${tail}`.trim())) ||
    (!FREE_TEXT.has(known) && parseSubcommand(known, rest, tail).ok === true);
  if (!fits) return undefined;
  const suggestion = rest ? `/mission ${known} ${shorten(rest, 60)}` : `/mission ${known}`;
  const capitalised = word[0]!.toUpperCase() + word.slice(1);
  return fail(
    known,
    `did you mean ${codeSpan(suggestion)}? "${word}" is not a command, so nothing was done. ` +
      `To start a mission whose goal is "${word}", capitalise it: /mission ${capitalised}${rest ? " …" : ""}`,
  );
}

function fail(name: CommandName, error: string): ParseResult {
  return { ok: false, error, usage: USAGE[name] };
}

function ok(command: Command): ParseResult {
  return { ok: true, command };
}

/** The person's words quoted back (through the one escaper). */
function quoted(text: string): string {
  return quotedText(text, 60);
}

function parseSubcommand(name: Subcommand, rest: string, tail: string): ParseResult {
  if (NO_ARGUMENTS.has(name)) {
    if (rest) return fail(name, `\`/mission ${name}\` takes nothing after it, but got ${quoted(rest)}.`);
    return ok({ name } as Command);
  }
  switch (name) {
    case "approve": {
      if (!rest) return ok({ name });
      const level = parseLevel(rest);
      if (!level) return fail(name, `${quoted(rest)} is not an outcome level: the levels are \`mvp\`, \`production\` and \`polished\`.`);
      return ok({ name, level });
    }
    case "answer": {
      const text = `${rest}\n${tail}`.trim();
      if (!text) return fail(name, "`/mission answer` needs your answers after it, one `key: value` per line.");
      return ok({ name, text });
    }
    case "replan": {
      const change = `${rest}\n${tail}`.trim();
      if (!change) return fail(name, "`/mission replan` needs the change you want, e.g. `/mission replan split milestone 2`.");
      return ok({ name, change });
    }
    case "retry": {
      const [arg, ...extra] = rest.split(/\s+/).filter(Boolean);
      if (!arg) return fail(name, "`/mission retry` needs the feature to run again, e.g. `/mission retry 2.3`.");
      if (extra.length) return fail(name, `\`/mission retry\` takes one feature, but got ${quoted(rest)}.`);
      const feature = arg.toLowerCase();
      if (!FeatureKey.safeParse(feature).success) {
        return fail(name, `${quoted(arg)} is not a feature: a feature is named by its key, like 2.3.`);
      }
      return ok({ name, feature });
    }
    case "skip-validation": {
      const [arg, ...extra] = rest.split(/\s+/).filter(Boolean);
      if (!arg) {
        return fail(name, "`/mission skip-validation` needs the milestone number, e.g. `/mission skip-validation 2`.");
      }
      if (extra.length) return fail(name, `\`/mission skip-validation\` takes one milestone, but got ${quoted(rest)}.`);
      if (!MilestoneKey.safeParse(arg).success) {
        return fail(name, `${quoted(arg)} is not a milestone: a milestone is named by its number, like 2.`);
      }
      return ok({ name, milestone: String(Number(arg)) });
    }
    case "resource": {
      const [verb, arg, ...extra] = rest.split(/\s+/).filter(Boolean);
      // a secret's value pasted here is neither stored nor repeated
      if ([verb, arg, ...extra].some((w) => w !== undefined && looksLikeSecretValue(w))) return fail(name, `What follows \`/mission resource\` ${SECRET_VALUE_REFUSAL}`);
      if (verb !== "ready") return fail(name, "`/mission resource` takes `ready` and the resource's name, e.g. `/mission resource ready STRIPE_KEY`.");
      if (!arg) return fail(name, "`/mission resource ready` needs the resource's name, as the plan lists it, e.g. `/mission resource ready postgres`.");
      if (extra.length || !RESOURCE_NAME.test(arg) || arg.length > 60) return fail(name, "`/mission resource ready` takes one name as the plan lists it (letters, digits, `.`, `-`, `_`), e.g. `/mission resource ready STRIPE_KEY`.");
      return ok({ name, ready: arg });
    }
    case "attach": {
      const parsed = parseAttach(rest);
      return parsed.ok ? ok(parsed.command) : fail(name, parsed.error);
    }
    case "promote":
      return parsePromote(rest);
    case "spend": {
      const spend = parseSpend(rest, tail);
      return spend.ok ? ok(spend.command) : fail(name, spend.error);
    }
    case "budget": {
      if (!rest) return ok({ name });
      const add = parseIncrements(rest);
      if (!add.ok) return fail(name, add.error);
      return ok({ name, add: add.value });
    }
  }
  // Every subcommand is handled above; this line is unreachable.
  return fail(name, `unknown command ${name}`);
}

// --- the start command and its flags ---------------------------------------

type Flag = "mode" | "budget" | "hours" | "tokens" | "yes";

const FLAG_NAMES: Record<string, Flag> = {
  mode: "mode",
  budget: "budget",
  usd: "budget",
  money: "budget",
  cost: "budget",
  hours: "hours",
  time: "hours",
  tokens: "tokens",
  yes: "yes",
};

const FLAG_EXAMPLES: Record<Flag, string> = {
  mode: "--mode poc",
  budget: "--budget $200",
  hours: "--hours 40",
  tokens: "--tokens 5M",
  yes: "--yes",
};

const FLAG_PARSERS: Record<Flag, (text: string) => Parsed<unknown>> = {
  mode: parseMode,
  budget: parseMoney,
  hours: parseHours,
  tokens: parseTokens,
  yes: () => ({ ok: true, value: true }),
};

/**
 * Unit words a value must not silently drop: `--hours 1 month` is refused,
 * not read as 1 hour with "month" left in the goal.
 */
const FOREIGN_UNITS: Record<Flag, RegExp> = {
  mode: /(?!)/,
  budget: /^(eur|euros?|gbp|pounds?|cents?|cad|aud|chf|jpy|inr|€|£|¥)$/i,
  hours: /^(months?|mo|years?|yrs?|seconds?|secs?|quarters?|sprints?|working|business|man|person)$/i,
  tokens: /^(words?|chars?|characters?|requests?|calls?)$/i,
  yes: /(?!)/,
};

/** The most words one flag value may take: "2+ weeks", "1.5M tokens", "200 USD". */
const MAX_VALUE_WORDS = 3;

function setFlag(flags: BudgetFlags, flag: Flag, value: unknown): void {
  if (flag === "mode") flags.mode = value as BudgetFlags["mode"];
  else if (flag === "budget") flags.usd = value as number | null;
  else if (flag === "hours") flags.hours = value as number | null;
  else if (flag === "yes") flags.yes = true;
  else flags.tokens = value as number | null;
}

/** Optimal string alignment distance: a typo such as a swap costs 1. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** A name longer than this is no typo of a flag (the longest is 6 letters, and a guess is at most 2 edits away): no guess is computed. */
const GUESS_MAX_CHARS = 8;

function unknownFlag(written: string, name: string): ParseResult {
  const [closest] = (name.length > GUESS_MAX_CHARS ? [] : Object.keys(FLAG_NAMES))
    .map((known) => ({ known, d: distance(name, known) }))
    .filter((c) => c.d <= 2 && c.d < c.known.length)
    .sort((x, y) => x.d - y.d);
  const hint = closest ? ` (did you mean --${closest.known}?)` : "";
  return fail(
    "start",
    `unknown flag ${written}${hint}. The flags are --mode, --budget, --hours, --tokens and --yes. ` +
      "If it is part of the goal, put it in backticks.",
  );
}

interface Word {
  text: string;
  start: number;
}

/** Words of one line, each marked when it starts inside inline code. Linear: words and code spans are walked together, in order. */
function flagCandidates(line: string): Array<Word & { inCode: boolean }> {
  const spans = [...line.matchAll(/`[^`]*`/g)].map((m) => [m.index, m.index + m[0].length] as const);
  let span = 0;
  return [...line.matchAll(/\S+/g)].map((m) => {
    while (span < spans.length && spans[span]![1] <= m.index) span++;
    const inCode = span < spans.length && spans[span]![0] <= m.index;
    return { text: m[0], start: m.index, inCode };
  });
}

const FLAG = /^--([A-Za-z][\w-]*)(?:=(.*))?$/;

/** Removes the flags from one line into `flags`; returns the line left, or an error. */
function takeFlags(
  line: string,
  flags: BudgetFlags,
  seen: Map<Flag, string>,
): { ok: true; line: string; hadFlags: boolean } | { ok: false; result: ParseResult } {
  const words = flagCandidates(line);
  const kept: string[] = [];
  let hadFlags = false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const match = word.inCode ? null : FLAG.exec(word.text);
    if (!match) {
      kept.push(word.text);
      continue;
    }
    hadFlags = true;
    const written = `--${shorten(match[1]!, 40)}`;
    const flag = FLAG_NAMES[match[1]!.toLowerCase()];
    if (!flag) return { ok: false, result: unknownFlag(written, match[1]!.toLowerCase()) };
    const before = seen.get(flag);
    if (before !== undefined) {
      const same = before === written ? `${written} is given twice` : `${before} and ${written} both set the same limit`;
      return { ok: false, result: fail("start", `${same}; give each flag once.`) };
    }
    seen.set(flag, written);
    if (flag === "yes") {
      // takes no value: `--yes` (or `--yes=true`)
      if (match[2] !== undefined && !/^(true|yes|)$/i.test(match[2])) return { ok: false, result: fail("start", `${written} takes no value.`) };
      flags.yes = true;
      continue;
    }

    // The value: after "=", or the next word(s) on the same line.
    const values: string[] = [];
    if (match[2] !== undefined) values.push(match[2]);
    for (let j = i + 1; j < words.length && values.length < MAX_VALUE_WORDS; j++) {
      const next = words[j]!;
      if (next.inCode || next.text.startsWith("--")) break;
      values.push(next.text);
    }
    if (!values.length || values[0] === "") {
      return {
        ok: false,
        result: fail("start", `${written} needs a value, e.g. ${FLAG_EXAMPLES[flag]}.`),
      };
    }
    // The longest run of words that reads as one value wins ("2 weeks", not "2").
    let taken = 0;
    for (let k = values.length; k >= 1 && !taken; k--) {
      const parsed = FLAG_PARSERS[flag](values.slice(0, k).join(" "));
      if (parsed.ok) {
        setFlag(flags, flag, parsed.value);
        taken = k;
      }
    }
    // Nothing reads as a value, or the value runs on into a unit it cannot take:
    // refuse, quoting what was written.
    let refused = 0;
    if (!taken) refused = 1;
    else if (taken < values.length && FOREIGN_UNITS[flag].test(values[taken]!)) refused = taken + 1;
    if (refused) {
      const parsed = FLAG_PARSERS[flag](values.slice(0, refused).join(" "));
      const error = parsed.ok ? "" : parsed.error;
      return { ok: false, result: fail("start", `${written}: ${error}`) };
    }
    i += match[2] !== undefined ? taken - 1 : taken;
  }
  return { ok: true, line: hadFlags ? kept.join(" ") : line, hadFlags };
}

function parseStart(text: string): ParseResult {
  const flags: BudgetFlags = {};
  const seen = new Map<Flag, string>();
  const goalLines: string[] = [];
  let fenced = false;
  for (const line of text.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced || /^\s*(```|~~~)/.test(line)) {
      goalLines.push(line);
      continue;
    }
    const taken = takeFlags(line, flags, seen);
    if (!taken.ok) return taken.result;
    if (taken.hadFlags && taken.line.trim() === "") continue;
    goalLines.push(taken.line);
  }
  const goal = goalLines.join("\n").trim();
  if (!goal) return fail("start", "missing goal: say what the mission should achieve, e.g. `/mission Build a CRM --budget $200`.");
  if (goal.length > MAX_GOAL_CHARS) {
    return fail(
      "start",
      `the goal is ${goal.length.toLocaleString("en-US")} characters; the limit is ${MAX_GOAL_CHARS.toLocaleString("en-US")}. Put the details in the issue body and keep the goal short.`,
    );
  }
  return ok({ name: "start", goal, flags });
}

// --- help ---------------------------------------------------------------------

const HELP_ORDER: CommandName[] = [
  "start",
  "answer",
  "approve",
  "replan",
  "status",
  "budget",
  "pause",
  "resume",
  "cancel",
  "retry",
  "validate",
  "skip-validation",
  "project",
  "resource",
  "attach",
  "promote",
  "spend",
  "help",
];

/** The reply to `/mission help`: one table row per command, the amounts it reads, an example. */
export function helpText(): string {
  const rows = HELP_ORDER.map((n) => `| \`${USAGE[n].replaceAll("|", "\\|")}\` | ${DESCRIPTIONS[n]} |`);
  return [
    "### mission-bot commands",
    "",
    "| Command | What it does |",
    "| --- | --- |",
    ...rows,
    "",
    "Amounts: money `$200`, `200 USD` or `uncapped`; time `40h`, `1 day`, `1 week`, `2+ weeks` or `uncapped`; " +
      "tokens `5M`, `500k` or `uncapped`. Modes: `poc` (commits to one mission branch, no reviews) or " +
      "`full` (a pull request per feature, reviewed).",
    "",
    "Example:",
    "",
    "```",
    "/mission Build a CRM with contacts, deals and email --mode poc --budget $200 --hours 40 --tokens 5M",
    "```",
  ].join("\n");
}

/** `/mission promote <agent>`: one agent name, as the mission folder spells it. */
function parsePromote(rest: string): ParseResult {
  const [arg, ...extra] = rest.split(/\s+/).filter(Boolean);
  if (!arg) return fail("promote", "`/mission promote` needs the agent to promote, e.g. `/mission promote stripe-api`.");
  if (extra.length) return fail("promote", `\`/mission promote\` takes one agent, but got ${quoted(rest)}.`);
  const agent = arg.toLowerCase().replace(/\.md$/, "");
  const parsed = AgentName.safeParse(agent);
  if (!parsed.success) return fail("promote", `${quoted(arg)} is not an agent name: ${parsed.error.issues[0]?.message ?? "see the mission folder"}.`);
  return ok({ name: "promote", agent });
}
