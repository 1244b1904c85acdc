/**
 * The results comment a validation run posts on its milestone issue: a
 * table of the commands, then, when it failed, each failing area with its
 * tests and the end of the command's output. Pure.
 *
 * GitHub rejects comments over 65,536 characters and the hidden report block
 * (up to BLOCK_BUDGET) goes below this text, so the text is kept under
 * VALIDATION_COMMENT_MAX_CHARS: tests per group, groups shown and output
 * tails are cut step by step, and the comment says how many were left out.
 * Test names, messages and output come from the code under test: they pass
 * through the one escaper (markdown/escape.ts): messages as escaped text,
 * names and commands as code spans, output as fenced blocks.
 */
import { BLOCK_BUDGET, type BrowserPage, type FailureGroup, type ValidationReport } from "../validation/validation.js";
import type { CriterionResult } from "../validation/criteria.js";
import { criterionText } from "./criteria.js";
import { codeSpan, fencedBlock, inlineText as escape } from "./escape.js";
import { formatDuration } from "./mission-file.js";

export const VALIDATION_COMMENT_MAX_CHARS = 65_536 - BLOCK_BUDGET - 1_536;

export interface ValidationCommentOptions {
  /** which validation of this milestone this is (1 for the first) */
  attempt: number;
  /** failed validations before the mission pauses (validation.max_failures) */
  maxFailures: number;
}

interface Detail {
  groups: number;
  tests: number;
  tail: number;
}

const DETAILS: Detail[] = [
  { groups: 20, tests: 10, tail: 3000 },
  { groups: 20, tests: 5, tail: 1500 },
  { groups: 15, tests: 3, tail: 600 },
  { groups: 10, tests: 2, tail: 0 },
  { groups: 5, tests: 1, tail: 0 },
];

export function renderValidationComment(report: ValidationReport, groups: FailureGroup[], opts: ValidationCommentOptions): string {
  for (const detail of DETAILS) {
    const text = render(report, groups, opts, detail);
    if (text.length <= VALIDATION_COMMENT_MAX_CHARS) return text;
  }
  const text = render(report, groups, opts, { groups: 0, tests: 0, tail: 0 });
  return text.length <= VALIDATION_COMMENT_MAX_CHARS ? text : `${text.slice(0, VALIDATION_COMMENT_MAX_CHARS - 40)}\n\n… (cut to fit GitHub's limit)`;
}

function render(report: ValidationReport, groups: FailureGroup[], opts: ValidationCommentOptions, detail: Detail): string {
  const failed =
    groups.length > 0 || report.commands.some((c) => !c.passed || c.skipped) || report.browser?.passed === false || !!report.criteria?.some((c) => c.result === "failed");
  const lines = [
    failed
      ? `### ❌ Validation of milestone ${report.milestone} failed (attempt ${opts.attempt} of ${opts.maxFailures})`
      : `### ✅ Validation of milestone ${report.milestone} passed`,
    "",
    `Mission \`${report.mission}\` · run ${report.run_id} (attempt ${report.run_attempt})${report.commit ? ` · commit ${report.commit}` : ""}`,
    "",
    "| command | result | duration |",
    "| --- | --- | --- |",
    ...report.commands.map((c) => `| ${cell(c.name)} | ${result(c)} | ${formatDuration(c.duration_seconds)} |`),
    "",
  ];
  if (report.criteria?.length) lines.push(...renderCriteria(report.criteria));
  const total = report.failures_total ?? report.failures.length;
  if (report.tests_total !== undefined) lines.push(`Tests: ${report.tests_total} run, ${total} failed.`, "");
  if (report.browser) lines.push(...renderBrowser(report, detail));
  const shown = new Set(report.browser?.pages.map((p) => p.screenshot) ?? []);
  const others = report.screenshots.filter((s) => !shown.has(s.name));
  if (others.length > 0) {
    lines.push(`Screenshots: ${others.slice(0, 30).map((s) => screenshot(s)).join(" · ")}`, "");
  }
  if (report.problems.length > 0) {
    lines.push("Could not be read:", ...report.problems.slice(0, 10).map((p) => `- ${escape(p)}`), "");
  }
  if (!failed) return lines.join("\n");

  lines.push(`#### ${groups.length} failing ${groups.length === 1 ? "area" : "areas"}`, "");
  for (const group of groups.slice(0, detail.groups)) lines.push(...renderGroup(group, detail));
  const hidden = groups.length - Math.min(groups.length, detail.groups);
  if (hidden > 0) lines.push(`… and ${hidden} more failing ${hidden === 1 ? "area" : "areas"}, not shown here to fit GitHub's comment limit.`, "");
  if (total > report.failures.length) {
    lines.push(`The report holds ${report.failures.length} of ${total} failing tests.`, "");
  }
  lines.push(
    opts.attempt >= opts.maxFailures
      ? `This milestone has now failed validation ${opts.attempt} times: the mission pauses for a person.`
      : "Each failing area becomes a fix feature of this milestone; validation runs again when they are done.",
  );
  return lines.join("\n");
}

/** Each of the milestone's criteria with its result: passed, failed (exit code, page status), or not checked. */
function renderCriteria(criteria: CriterionResult[]): string[] {
  const checked = criteria.filter((c) => c.result !== "not-checked");
  const passed = checked.filter((c) => c.result === "passed").length;
  const lines = [`#### The milestone's criteria: ${passed} of ${checked.length} passed`, ""];
  for (const c of criteria) lines.push(`- ${criterionLine(c)}`);
  lines.push("");
  return lines;
}

function criterionLine(c: CriterionResult): string {
  const what = criterionText(c.criterion);
  if (c.result === "not-checked") return `➖ ${what}: not checked (no command checks it: a person does)`;
  const detail = c.detail ? `: ${escape(c.detail)}` : "";
  if ("command" in c.criterion) {
    const exit = c.exit_code === undefined ? "" : ` (exit ${c.exit_code ?? "none"})`;
    return c.result === "passed" ? `✅ ${what}: passed${exit}` : `❌ ${what}: failed${exit}${detail}`;
  }
  const status = c.status === undefined ? "" : ` (HTTP ${c.status ?? "none"})`;
  return c.result === "passed" ? `✅ ${what}: page loaded and passed the browser checks${status}` : `❌ ${what}: failed${status}${detail}`;
}

function renderGroup(group: FailureGroup, detail: Detail): string[] {
  const lines = [`**${escape(group.title)}**${group.count > 1 ? ` (${group.count} failing)` : ""}`, ""];
  // a page's findings are listed under the browser checks above
  if (group.signature.startsWith("browser:")) return [...lines.slice(0, -1), "", "Its findings are listed under the browser checks above.", ""];
  if (group.rerun ?? group.command_line) lines.push(`Reproduce: ${code(group.rerun ?? group.command_line ?? "")}`, "");
  const shown = group.sample.slice(0, detail.tests);
  for (const failure of shown) {
    const where = failure.file ? ` in ${code(failure.file)}` : "";
    lines.push(`- ${code(failure.name)}${where}: ${escape(firstLine(failure.message))}`);
  }
  const left = group.count - shown.length;
  if (shown.length > 0 && left > 0) lines.push(`- … and ${left} more`);
  if (shown.length > 0) lines.push("");
  const tail = group.output_tail?.trim();
  if (tail && detail.tail > 0) {
    lines.push(
      "<details><summary>End of the output</summary>",
      "",
      fencedBlock(tail.length > detail.tail ? `…${tail.slice(-detail.tail)}` : tail),
      "",
      "</details>",
      "",
    );
  }
  return lines;
}

/**
 * The browser checks: per page a row with each check's count and its
 * screenshot's link, then what each failing page ran into. Page titles,
 * console text and URLs come from the code under validation: escaped text
 * and code spans.
 */
function renderBrowser(report: ValidationReport, detail: Detail): string[] {
  const browser = report.browser!;
  const pages = browser.pages;
  const good = pages.filter((p) => p.passed).length;
  const lines = [
    `#### Browser checks: ${browser.passed ? "passed" : "failed"}${pages.length ? ` (${good} of ${pages.length} ${pages.length === 1 ? "page" : "pages"} passed)` : ""}`,
    "",
    `Against ${code(browser.url)}.${browser.error ? ` ${escape(firstLine(browser.error))}` : ""}`,
    "",
  ];
  if (pages.length === 0) return lines;
  const links = new Map(report.screenshots.map((s) => [s.name, s]));
  lines.push("| page | result | console errors | failed requests | broken links | accessibility | screenshot |", "| --- | --- | --- | --- | --- | --- | --- |");
  for (const page of pages) {
    const c = page.checks;
    const shot = page.screenshot ? screenshot(links.get(page.screenshot) ?? { name: page.screenshot, url: "" }) : "none";
    const a11y = !c ? "–" : !c.accessibility ? "not scanned" : accessibilityCount(c.accessibility);
    lines.push(
      `| ${cell(page.path)} | ${page.passed ? "✅ passed" : "❌ failed"} | ${c ? mark(c.console_errors.count) : "–"} | ${c ? mark(c.failed_requests.count) : "–"} | ${c ? `${mark(c.broken_links.count)} of ${c.broken_links.checked}` : "–"} | ${a11y} | ${shot} |`,
    );
  }
  lines.push("");
  const shots = report.screenshots.find((s) => /^https?:/.test(s.url));
  if (shots) lines.push(`The screenshots are in this run's artifact (${screenshot({ name: "download", url: shots.url })}): GitHub's API cannot attach images to a comment.`, "");
  const failing = pages.filter((p) => !p.passed);
  if (detail.tests > 0) for (const page of failing) lines.push(...renderPage(page, detail.tests));
  else if (failing.length > 0) lines.push("What the failing pages ran into is left out to fit GitHub's comment limit: see `browser.json` in the artifact.", "");
  return lines;
}

function mark(n: number): string {
  return n === 0 ? "0" : `**${n}**`;
}

function accessibilityCount(a: NonNullable<NonNullable<BrowserPage["checks"]>["accessibility"]>): string {
  const failing = a.by_impact.critical + a.by_impact.serious;
  if (a.count === 0) return "0";
  return failing > 0 ? `**${failing}** serious or critical${a.count > failing ? ` (${a.count} in all)` : ""}` : `${a.count} moderate or minor`;
}

function renderPage(page: BrowserPage, items: number): string[] {
  const lines = [`**Page ${code(page.path)}**${page.title ? ` (${escape(page.title)})` : ""}${page.status !== null ? `, HTTP ${page.status}` : ""}`, ""];
  const c = page.checks;
  const more = (total: number, shown: number) => (total > shown ? [`- … and ${total - shown} more`] : []);
  if (c) {
    const logs = c.console_errors.sample.slice(0, items);
    lines.push(...logs.map((t) => `- Console error: ${escape(firstLine(t))}`), ...more(c.console_errors.count, logs.length));
    const requests = c.failed_requests.sample.slice(0, items);
    lines.push(...requests.map((r) => `- Failed request: ${r.status ?? escape(r.reason)} ${code(r.url)}`), ...more(c.failed_requests.count, requests.length));
    const links = c.broken_links.sample.slice(0, items);
    lines.push(...links.map((l) => `- Broken link: ${l.status ?? escape(l.reason)} ${code(l.url)}`), ...more(c.broken_links.count, links.length));
    const violations = (c.accessibility?.sample ?? []).slice(0, items);
    lines.push(
      ...violations.map((v) => `- Accessibility: ${code(v.id)} (${v.impact ?? "no impact"}, ${v.nodes} ${v.nodes === 1 ? "element" : "elements"}): ${escape(firstLine(v.help))}`),
      ...more(c.accessibility?.count ?? 0, violations.length),
    );
  }
  // nothing listed (the page did not load, the scan did not run): what went wrong instead
  if (lines.length === 2 && page.error) lines.push(...page.error.split("\n").slice(0, 3).map((line) => `- ${escape(firstLine(line))}`));
  lines.push("");
  return lines;
}

/** A screenshot's link; a URL that is not plain http(s) is not linked. */
function screenshot(s: ValidationReport["screenshots"][number]): string {
  const name = escape(s.name).replace(/[[\]]/g, "\\$&");
  return /^https?:\/\/[^\s()<>]+$/.test(s.url) ? `[${name}](${s.url})` : name;
}

function result(c: ValidationReport["commands"][number]): string {
  if (c.skipped) return "⏭️ skipped";
  if (c.passed) return "✅ passed";
  if (c.timed_out) return "⏱️ timed out";
  return `❌ failed (exit ${c.exit_code ?? "none"})`;
}

function firstLine(text: string): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** A code span of at most 300 characters. */
function code(text: string): string {
  return codeSpan(text.slice(0, 300));
}

function cell(text: string): string {
  return code(text).replace(/\|/g, "\\|");
}
