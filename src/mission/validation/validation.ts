/**
 * A milestone's validation: the report the validation workflow sends back
 * (one schema for the Action that writes it and the bot that reads it), its
 * verdict, its failures grouped by failing area, and the fix features those
 * groups become. Pure.
 */
import { z } from "zod";
import { TestFailure } from "./junit.js";
import { CriterionResult } from "./criteria.js";
import {
  CRITERIA_LIMITS,
  Feature,
  MilestoneKey,
  MissionId,
  describeZodError,
  type Milestone,
  type ValidationCommand,
} from "../model.js";
import { lastBlock, VALIDATION_BLOCK, validationBlock } from "../markers.js";
import { codeSpan, fencedBlock, inlineText, shorten, titleText } from "../markdown/escape.js";

export const OUTPUT_TAIL_CHARS = 4000;
export const MAX_FAILURES = 2000;
/** the encoded block stays well under GitHub's 65,536-character comment limit, leaving room for the readable part */
export const BLOCK_BUDGET = 30_000;

/** One command the validation ran. */
export const CommandResult = z.strictObject({
  name: z.string().min(1).max(100),
  command: z.string().min(1).max(2000),
  passed: z.boolean(),
  /** not run because an earlier command (the install) failed */
  skipped: z.boolean().default(false),
  /** null when the command was killed (timeout, signal) */
  exit_code: z.number().int().nullable(),
  timed_out: z.boolean().default(false),
  duration_seconds: z.number().nonnegative(),
  output_tail: z.string().max(OUTPUT_TAIL_CHARS).default(""),
  /** the command for one test file, `{file}` replaced by it */
  rerun: z.string().max(2000).optional(),
});
export type CommandResult = z.infer<typeof CommandResult>;

/** A test failure, with the command whose JUnit output named it. */
export const ReportedFailure = TestFailure.extend({ command: z.string().max(100).optional() });
export type ReportedFailure = z.infer<typeof ReportedFailure>;

/** Per list of findings on a page, at most this many are kept (the count keeps the real number). */
export const BROWSER_SAMPLE = 5;
const count = z.number().int().nonnegative();
/** A request of the page that failed: the browser could not make it (`status` null) or it answered 400 or more. */
export const FailedRequest = z.strictObject({ url: z.string().max(300), status: z.number().int().nullable(), reason: z.string().max(200).default("") });
export type FailedRequest = z.infer<typeof FailedRequest>;
/** A same-origin link of the page that answers 400 or more, or not at all. */
export const BrokenLink = z.strictObject({ url: z.string().max(300), status: z.number().int().nullable(), reason: z.string().max(200).default("") });
export type BrokenLink = z.infer<typeof BrokenLink>;
export const A11Y_IMPACTS = ["critical", "serious", "moderate", "minor"] as const;
/** An axe-core rule the page violates, with how many elements do. */
export const A11yViolation = z.strictObject({ id: z.string().max(100), impact: z.enum(A11Y_IMPACTS).nullable(), help: z.string().max(300), nodes: count });
export type A11yViolation = z.infer<typeof A11yViolation>;

/**
 * What was found on one page. A page fails on any console error, failed
 * request or broken link, and on accessibility violations of impact serious
 * or critical (moderate and minor ones are listed, not failed).
 */
export const BrowserChecks = z.strictObject({
  console_errors: z.strictObject({ count, sample: z.array(z.string().max(300)).max(BROWSER_SAMPLE) }),
  failed_requests: z.strictObject({ count, sample: z.array(FailedRequest).max(BROWSER_SAMPLE) }),
  /** `checked`: same-origin links followed (a bounded number per run) */
  broken_links: z.strictObject({ checked: count, count, sample: z.array(BrokenLink).max(BROWSER_SAMPLE) }),
  /** null when the scan could not run (its error is in the page's `error`) */
  accessibility: z
    .strictObject({
      count,
      by_impact: z.strictObject({ critical: count, serious: count, moderate: count, minor: count }),
      sample: z.array(A11yViolation).max(BROWSER_SAMPLE),
    })
    .nullable(),
});
export type BrowserChecks = z.infer<typeof BrowserChecks>;

export const BrowserPage = z.strictObject({
  path: z.string().max(500),
  passed: z.boolean(),
  /** HTTP status of the page, null when it did not load */
  status: z.number().int().nullable(),
  /** the page's <title>, written by the code under validation */
  title: z.string().max(200).optional(),
  error: z.string().max(1000).optional(),
  screenshot: z.string().max(200).optional(),
  checks: BrowserChecks.optional(),
});
export type BrowserPage = z.infer<typeof BrowserPage>;

export const BrowserResult = z.strictObject({
  url: z.string().max(500),
  passed: z.boolean(),
  pages: z.array(BrowserPage).max(50).default([]),
  error: z.string().max(1000).optional(),
});
export type BrowserResult = z.infer<typeof BrowserResult>;

export const Screenshot = z.strictObject({
  name: z.string().min(1).max(200),
  url: z.string().max(2000),
});

export const ValidationReport = z.strictObject({
  mission: MissionId,
  milestone: MilestoneKey,
  /** the Actions run and attempt that validated */
  run_id: z.number().int().positive(),
  run_attempt: z.number().int().min(1).default(1),
  /** the ref and commit validated */
  ref: z.string().max(255).optional(),
  commit: z.string().regex(/^[0-9a-f]{7,40}$/).optional(),
  /** a validation that ran nothing is not a pass: at least one command */
  commands: z.array(CommandResult).min(1).max(50),
  failures: z.array(ReportedFailure).max(MAX_FAILURES).default([]),
  /** failing tests before `failures` was capped */
  failures_total: z.number().int().nonnegative().optional(),
  tests_total: z.number().int().nonnegative().optional(),
  /** what could not be read (a JUnit file that is not XML, …); informational, the exit codes decide */
  problems: z.array(z.string().max(500)).max(20).default([]),
  screenshots: z.array(Screenshot).max(100).default([]),
  browser: BrowserResult.optional(),
  /** the milestone's validation criteria from its plan, each with its result */
  criteria: z.array(CriterionResult).max(CRITERIA_LIMITS.perMilestone).optional(),
});
export type ValidationReport = z.infer<typeof ValidationReport>;
export type ValidationReportInput = z.input<typeof ValidationReport>;

/**
 * What the workflow's runner writes (`mission-validation/results.json`) for
 * the Action to read: the commands, each with the JUnit files it wrote
 * (relative to the results file).
 */
export const RunnerResults = z.object({
  commands: z.array(CommandResult.extend({ junit: z.array(z.string().max(500)).max(100).default([]) })).max(50),
  browser: BrowserResult.optional(),
});
export type RunnerResults = z.infer<typeof RunnerResults>;

// ── the hidden block ────────────────────────────────────────────────────────

function block(report: ValidationReport): string {
  return validationBlock(Buffer.from(JSON.stringify(report), "utf8").toString("base64url"));
}

/**
 * The report as a hidden block, at most BLOCK_BUDGET characters: when too
 * big, failure details, then output tails, then failures themselves are cut
 * (`failures_total` keeps the real count).
 */
export function encodeValidationReport(input: ValidationReportInput): string {
  const report = ValidationReport.parse(input);
  const total = report.failures_total ?? report.failures.length;
  const steps: ((r: ValidationReport) => ValidationReport)[] = [
    (r) => ({ ...r, failures: r.failures.map((f) => ({ ...f, detail: f.detail?.slice(0, 500) })) }),
    (r) => browserSamples(r, 1),
    (r) => browserSamples(r, 0),
    (r) => ({ ...r, commands: r.commands.map((c) => ({ ...c, output_tail: c.output_tail.slice(-1000) })) }),
    (r) => ({ ...r, failures: r.failures.map(({ detail: _detail, ...f }) => f) }),
  ];
  let current = report;
  let encoded = block(current);
  for (const step of steps) {
    if (encoded.length <= BLOCK_BUDGET) return encoded;
    current = step(current);
    encoded = block(current);
  }
  while (encoded.length > BLOCK_BUDGET && current.failures.length > 0) {
    current = { ...current, failures: current.failures.slice(0, Math.floor(current.failures.length / 2)), failures_total: total };
    encoded = block(current);
  }
  if (encoded.length > BLOCK_BUDGET) {
    current = { ...current, commands: current.commands.map((c) => ({ ...c, output_tail: c.output_tail.slice(-200) })) };
    encoded = block(current);
  }
  return encoded;
}

/** The browser checks with at most `keep` findings per list (the counts stay). */
function browserSamples(r: ValidationReport, keep: number): ValidationReport {
  if (!r.browser) return r;
  const pages = r.browser.pages.map((p) => {
    if (!p.checks) return p;
    const c = p.checks;
    const checks: BrowserChecks = {
      console_errors: { ...c.console_errors, sample: c.console_errors.sample.slice(0, keep) },
      failed_requests: { ...c.failed_requests, sample: c.failed_requests.sample.slice(0, keep) },
      broken_links: { ...c.broken_links, sample: c.broken_links.sample.slice(0, keep) },
      accessibility: c.accessibility && { ...c.accessibility, sample: c.accessibility.sample.slice(0, keep) },
    };
    return { ...p, checks };
  });
  return { ...r, browser: { ...r.browser, pages } };
}

/** Impacts that fail a page; moderate and minor violations are listed only. */
export const FAILING_IMPACTS: ReadonlySet<string> = new Set(["critical", "serious"]);

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Whether a page passes its browser checks, and when not, what is wrong in a
 * few lines (the text a fix feature quotes): the HTTP status, then each kind
 * of finding with its count and its first example.
 */
export function judgeBrowserPage(status: number | null, checks: BrowserChecks): { passed: boolean; error?: string } {
  const lines: string[] = [];
  if (status === null) lines.push("The page did not load.");
  else if (status >= 400) lines.push(`The page answered HTTP ${status}.`);
  const { console_errors: logs, failed_requests: requests, broken_links: links, accessibility: a11y } = checks;
  if (logs.count > 0) lines.push(`${plural(logs.count, "console error")}, first: ${logs.sample[0] ?? ""}`);
  const request = requests.sample[0];
  if (requests.count > 0) lines.push(`${plural(requests.count, "failed request")}, first: ${request ? `${request.status ?? request.reason} ${request.url}` : ""}`);
  const link = links.sample[0];
  if (links.count > 0) lines.push(`${plural(links.count, "broken link")}, first: ${link ? `${link.status ?? link.reason} ${link.url}` : ""}`);
  const failing = a11y ? a11y.by_impact.critical + a11y.by_impact.serious : 0;
  if (a11y && failing > 0) {
    const first = a11y.sample.find((v) => v.impact && FAILING_IMPACTS.has(v.impact));
    lines.push(
      `${plural(failing, "serious or critical accessibility violation")}, first: ${first ? `${first.id} (${first.impact}): ${first.help}, ${plural(first.nodes, "element")}` : ""}`,
    );
  }
  return lines.length === 0 ? { passed: true } : { passed: false, error: lines.join("\n").slice(0, 1000) };
}

export type ReadValidationReport =
  | { found: false }
  | { found: true; ok: true; report: ValidationReport }
  | { found: true; ok: false; problems: string[] };

/** The validation block in a comment, validated. The last block counts (test output quoted above it cannot pose as one). */
export function readValidationReport(body: string | null | undefined): ReadValidationReport {
  const payload = lastBlock(body, VALIDATION_BLOCK);
  if (payload === undefined) return { found: false };
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return { found: true, ok: false, problems: ["the validation block is not base64url-encoded JSON"] };
  }
  const parsed = ValidationReport.safeParse(value);
  if (!parsed.success) return { found: true, ok: false, problems: describeZodError(parsed.error) };
  return { found: true, ok: true, report: parsed.data };
}

// ── verdict ─────────────────────────────────────────────────────────────────

/** Pass only when every command passed (none skipped), no test failed, the browser checks (if any) passed and no criterion of the milestone failed. */
export function validationVerdict(report: ValidationReport): "pass" | "fail" {
  if (report.commands.length === 0) return "fail";
  if (report.commands.some((c) => !c.passed || c.skipped)) return "fail";
  if (report.failures.length > 0 || (report.failures_total ?? 0) > 0) return "fail";
  if (report.browser && !report.browser.passed) return "fail";
  if (report.criteria?.some((c) => c.result === "failed")) return "fail";
  return "pass";
}

// ── failure groups ──────────────────────────────────────────────────────────

export interface FailureGroup {
  /** stable across runs: "test:<file|suite|classname>", "command:<name>" or "browser:<path>" */
  signature: string;
  title: string;
  /** failing tests (or 1 for a command or a page) */
  count: number;
  sample: ReportedFailure[];
  /** name of the command that failed */
  command?: string;
  /** the command line, to reproduce */
  command_line?: string;
  /** the file the failing tests are in, when known */
  file?: string;
  /** the command for just this file, when the runner is known */
  rerun?: string;
  output_tail?: string;
}

const SAMPLE = 5;

/** One group per failing area: tests by file (else suite, else classname, else command); a failed command without parsed failures on its own; a failed page. */
export function groupFailures(report: ValidationReport): FailureGroup[] {
  const byName = new Map(report.commands.map((c) => [c.name, c]));
  const groups = new Map<string, FailureGroup>();
  for (const failure of report.failures) {
    const area = failure.file ?? failure.suite ?? failure.classname ?? failure.command ?? "tests";
    const signature = `test:${area.slice(0, 290)}`;
    let group = groups.get(signature);
    if (!group) {
      const command = failure.command ? byName.get(failure.command) : undefined;
      group = {
        signature,
        title: `Failing tests in ${area}`,
        count: 0,
        sample: [],
        ...(failure.file ? { file: failure.file } : {}),
        ...(command ? { command: command.name, command_line: command.command, output_tail: command.output_tail } : {}),
      };
      if (command?.rerun && failure.file) group.rerun = command.rerun.replaceAll("{file}", failure.file);
      groups.set(signature, group);
    }
    group.count += 1;
    if (group.sample.length < SAMPLE) group.sample.push(failure);
  }
  const reported = new Set(report.failures.map((f) => f.command));
  for (const command of report.commands) {
    if (command.passed || command.skipped || reported.has(command.name)) continue;
    const signature = `command:${command.name}`;
    groups.set(signature, {
      signature,
      title: command.timed_out ? `\`${command.name}\` timed out` : `\`${command.name}\` fails`,
      count: 1,
      sample: [],
      command: command.name,
      command_line: command.command,
      output_tail: command.output_tail,
    });
  }
  for (const page of report.browser?.pages ?? []) {
    if (page.passed) continue;
    const signature = `browser:${page.path}`;
    groups.set(signature, {
      signature,
      title: `Page ${page.path} fails its browser check`,
      count: 1,
      sample: [],
      ...(page.error ? { output_tail: page.error } : {}),
    });
  }
  // a failed criterion no command or page above stands for: a page not loaded, a command that did not run
  for (const c of report.criteria ?? []) {
    if (c.result !== "failed" || c.exit_code !== undefined || c.status !== undefined) continue;
    const what = "command" in c.criterion ? c.criterion.command : "url" in c.criterion ? c.criterion.url : c.criterion.check;
    const signature = `criterion:${what.slice(0, 280)}`;
    groups.set(signature, {
      signature,
      title: "url" in c.criterion ? `Page ${shorten(what, 100)} of the milestone's criteria was not loaded` : `Criterion \`${shorten(what, 100)}\` did not run`,
      count: 1,
      sample: [],
      ...(c.detail ? { output_tail: c.detail } : {}),
    });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.signature.localeCompare(b.signature));
}

// ── fix features ────────────────────────────────────────────────────────────

export interface FixFeatures {
  create: Feature[];
  /** an open fix feature already covers the group: tell it about the new failures */
  update: { key: string; group: FailureGroup }[];
  /** groups left for the next validation (more than `maxCreate` new ones) */
  deferred: FailureGroup[];
}

/**
 * A fix feature per group without an open fix feature for its signature.
 * `isOpen(key)` says whether a feature's issue is still open (a feature whose
 * issue is not created yet counts as open). At most `maxCreate` are created
 * per validation; the rest come back in `deferred`.
 */
export function fixFeatures(
  milestone: Milestone,
  groups: FailureGroup[],
  isOpen: (featureKey: string) => boolean,
  options: { maxCreate?: number } = {},
): FixFeatures {
  const maxCreate = options.maxCreate ?? 10;
  const taken = new Set(milestone.features.map((f) => f.key));
  const result: FixFeatures = { create: [], update: [], deferred: [] };
  for (const group of groups) {
    const open = milestone.features.find((f) => f.fix_for === group.signature && isOpen(f.key));
    if (open) {
      result.update.push({ key: open.key, group });
      continue;
    }
    if (result.create.length >= maxCreate) {
      result.deferred.push(group);
      continue;
    }
    const key = uniqueKey(`${milestone.key}.fix-${slug(group)}`, taken);
    taken.add(key);
    result.create.push(
      Feature.parse({
        key,
        title: shorten(titleText(`Fix: ${group.title}`), 200),
        description: fixDescription(milestone, group),
        acceptance: fixAcceptance(group),
        size: group.count > 10 ? "M" : "S",
        fix_for: group.signature,
      }),
    );
  }
  return result;
}

function slug(group: FailureGroup): string {
  const area = group.signature.slice(group.signature.indexOf(":") + 1);
  const base = area.split("/").filter(Boolean).slice(-2).join("-") || group.signature;
  const cleaned = base
    .toLowerCase()
    .replace(/\.(test|spec)\.[a-z]+$|\.[a-z]+$/, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return cleaned || "validation";
}

function uniqueKey(key: string, taken: Set<string>): string {
  if (!taken.has(key)) return key;
  for (let n = 2; ; n++) if (!taken.has(`${key}-${n}`)) return `${key}-${n}`;
}

function reproduce(group: FailureGroup): string | undefined {
  return group.rerun ?? group.command_line;
}

function fixAcceptance(group: FailureGroup): string[] {
  const command = reproduce(group);
  const criteria: string[] = [];
  if (group.rerun) criteria.push(`${codeSpan(group.rerun)} passes`);
  else if (group.file && command) criteria.push(`${codeSpan(command)} reports no failing test in ${codeSpan(group.file)}`);
  else if (command) criteria.push(`${codeSpan(command)} exits with status 0`);
  else criteria.push(inlineText(group.title.replace(/fails.*$/, "passes its browser check")));
  criteria.push("No other validation command starts failing");
  return criteria.map((c) => c.slice(0, 1000));
}

function fixDescription(milestone: Milestone, group: FailureGroup): string {
  const lines = [`Validation of milestone ${milestone.key} (${inlineText(milestone.title)}) failed: ${inlineText(group.title)}.`, ""];
  const command = reproduce(group);
  if (command) lines.push(`Reproduce with ${codeSpan(command)}.`, "");
  if (group.sample.length > 0) {
    const more = group.count - group.sample.length;
    lines.push(`Failing tests (${group.count}${more > 0 ? `, first ${group.sample.length} shown` : ""}):`, "");
    for (const failure of group.sample) {
      lines.push(`- ${codeSpan(failure.name)}: ${inlineText(failure.message.split("\n")[0]!.slice(0, 300))}`);
      if (failure.detail) lines.push("", fencedBlock(failure.detail.slice(0, 1500)), "");
    }
  } else if (group.output_tail) {
    lines.push("End of the output:", "", fencedBlock(group.output_tail.slice(-3000)));
  }
  return lines.join("\n").slice(0, 20_000);
}

// ── default commands ────────────────────────────────────────────────────────

export interface PackageJson {
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface NamedCommand {
  name: string;
  command: string;
  /** the command for one test file, `{file}` replaced by it */
  rerun?: string;
}

/** Where commands write JUnit XML: the workflow sets it to a directory per command. */
export const JUNIT_DIR_VAR = "MISSION_JUNIT_DIR";

const NPM_PLACEHOLDER = /no test specified/;

/**
 * Without `validation.commands`: install by lockfile (npm ci, pnpm install
 * --frozen-lockfile, yarn install --immutable, bun install --frozen-lockfile;
 * npm install without a lockfile), then the `build`, `lint`, `typecheck` and
 * `test` scripts that exist. A vitest test script gets the JUnit reporter
 * (`--reporter=default --reporter=junit --outputFile.junit=…`); a jest one
 * gets jest-junit when it is a dependency. Other runners: configure the
 * commands and write JUnit to `$MISSION_JUNIT_DIR`.
 * The validation workflow plans with this function (Action mode
 * validate-plan).
 */
export function defaultValidationCommands(pkg: PackageJson | undefined, lockfiles: string[]): NamedCommand[] {
  if (!pkg) return [];
  const has = (f: string) => lockfiles.some((l) => l === f || l.endsWith(`/${f}`));
  const manager = has("pnpm-lock.yaml") ? "pnpm" : has("yarn.lock") ? "yarn" : has("bun.lockb") || has("bun.lock") ? "bun" : "npm";
  const install =
    manager === "pnpm"
      ? "pnpm install --frozen-lockfile"
      : manager === "yarn"
        ? "yarn install --immutable"
        : manager === "bun"
          ? "bun install --frozen-lockfile"
          : has("package-lock.json") || has("npm-shrinkwrap.json")
            ? "npm ci"
            : "npm install";
  const commands: NamedCommand[] = [{ name: "install", command: install }];
  const scripts = pkg.scripts ?? {};
  const run = (script: string, args = "") => {
    const separator = manager === "npm" && args ? " --" : "";
    return `${manager} run ${script}${separator}${args ? ` ${args}` : ""}`;
  };
  for (const script of ["build", "lint", "typecheck"]) {
    if (scripts[script]) commands.push({ name: script, command: run(script) });
  }
  const test = scripts.test;
  if (test && !NPM_PLACEHOLDER.test(test)) {
    const deps = { ...pkg.dependencies, ...pkg.devDependencies };
    const junit = `"$${JUNIT_DIR_VAR}/junit.xml"`;
    if (/\bvitest\b/.test(test)) {
      commands.push({
        name: "test",
        command: run("test", `--reporter=default --reporter=junit --outputFile.junit=${junit}`),
        rerun: run("test", "{file}"),
      });
    } else if (/\bjest\b/.test(test) && deps["jest-junit"]) {
      commands.push({
        name: "test",
        command: `JEST_JUNIT_OUTPUT_FILE=${junit} ${run("test", "--ci --reporters=default --reporters=jest-junit")}`,
        rerun: run("test", "{file}"),
      });
    } else {
      commands.push({ name: "test", command: run("test") });
    }
  }
  return commands;
}

/** `validation.commands` as named commands: a string is named by itself. */
export function configuredCommands(commands: ValidationCommand[]): NamedCommand[] {
  return commands.map((c) => (typeof c === "string" ? { name: commandName(c), command: c } : { ...c }));
}

export function commandName(command: string): string {
  const flat = command.trim().replace(/\s+/g, " ");
  return flat.length <= 60 ? flat : `${flat.slice(0, 59)}…`;
}
