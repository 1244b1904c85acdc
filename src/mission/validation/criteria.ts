/**
 * A milestone's validation criteria in its validation run: they travel as
 * one dispatch input (JSON, read back as hostile), the commands join the
 * run's commands under names that say which criterion they are, the URLs
 * join the browser checks, and each criterion's result is read from the
 * run's results. Pure.
 */
import { z } from "zod";
import { CRITERIA_LIMITS, describeZodError, MilestoneCriteria, MilestoneCriterion } from "../model.js";
import type { BrowserResult, CommandResult } from "./validation.js";

/** The longest `criteria` input read: ten criteria of the longest kind, as JSON, fit well under it. */
export const CRITERIA_INPUT_CHARS = 8_000;

/** One criterion and what the run found. */
export const CriterionResult = z.strictObject({
  criterion: MilestoneCriterion,
  /** "not-checked": a `check` statement, which no command checks */
  result: z.enum(["passed", "failed", "not-checked"]),
  /** a command criterion's exit code (null: killed; absent: not run) */
  exit_code: z.number().int().nullable().optional(),
  /** a URL criterion's HTTP status in the browser checks (null: the page did not load) */
  status: z.number().int().nullable().optional(),
  /** why it failed, in a few words */
  detail: z.string().max(300).optional(),
});
export type CriterionResult = z.infer<typeof CriterionResult>;

/** The `criteria` input (or MISSION_CRITERIA): empty for none; a problem for anything that is not a list of criteria. */
export function readCriteriaInput(text: string | undefined): { ok: true; criteria: MilestoneCriterion[] } | { ok: false; problem: string } {
  const t = (text ?? "").trim();
  if (!t) return { ok: true, criteria: [] };
  if (t.length > CRITERIA_INPUT_CHARS) return { ok: false, problem: `the criteria input is longer than ${CRITERIA_INPUT_CHARS} characters` };
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch {
    return { ok: false, problem: "the criteria input is not JSON" };
  }
  const parsed = MilestoneCriteria.safeParse(value);
  if (!parsed.success) return { ok: false, problem: `the criteria input is not a list of at most ${CRITERIA_LIMITS.perMilestone} criteria: ${describeZodError(parsed.error).slice(0, 3).join("; ")}` };
  return { ok: true, criteria: parsed.data };
}

/** The name a command criterion runs under in the report: "criterion 2: npm run e2e". */
export function criterionCommandName(index: number, command: string): string {
  const flat = command.trim().replace(/\s+/g, " ");
  return `criterion ${index + 1}: ${flat.length <= 60 ? flat : `${flat.slice(0, 59)}…`}`;
}

/** What the validation plan adds: the command criteria as named commands, the URL criteria as pages. */
export function criteriaPlanParts(criteria: readonly MilestoneCriterion[]): { commands: { name: string; command: string }[]; urls: string[] } {
  const commands: { name: string; command: string }[] = [];
  const urls: string[] = [];
  criteria.forEach((c, i) => {
    if ("command" in c) commands.push({ name: criterionCommandName(i, c.command), command: c.command });
    else if ("url" in c) urls.push(c.url);
  });
  return { commands, urls };
}

/** The path the browser checks report a URL criterion's page under (as browserTargets labels it). */
function pagePath(url: string): string {
  if (!/^https?:/i.test(url)) return url;
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}

/**
 * Each criterion's result: a command passed when its command passed; a URL
 * when its page loaded and passed the browser checks; a `check` is not
 * checked. A command that did not run or a page that was not loaded failed.
 */
export function judgeCriteria(criteria: readonly MilestoneCriterion[], commands: readonly CommandResult[], browser: BrowserResult | undefined): CriterionResult[] {
  return criteria.map((criterion, i): CriterionResult => {
    if ("check" in criterion) return { criterion, result: "not-checked" };
    if ("command" in criterion) {
      const ran = commands.find((c) => c.name === criterionCommandName(i, criterion.command));
      if (!ran) return { criterion, result: "failed", detail: "the command did not run" };
      if (ran.skipped) return { criterion, result: "failed", detail: "not run: an earlier command (the install) failed" };
      if (ran.passed) return { criterion, result: "passed", exit_code: ran.exit_code };
      return { criterion, result: "failed", exit_code: ran.exit_code, ...(ran.timed_out ? { detail: "timed out" } : {}) };
    }
    if (!browser) return { criterion, result: "failed", detail: "not loaded: the run had no browser checks (set validation.browser in .github/mission.yml)" };
    const path = pagePath(criterion.url);
    const page = browser.pages.find((p) => p.path === path);
    if (!page) return { criterion, result: "failed", detail: `not loaded${browser.error ? `: ${browser.error.slice(0, 200)}` : " (only pages on the app's own origin are loaded)"}` };
    return {
      criterion,
      result: page.passed ? "passed" : "failed",
      status: page.status,
      ...(page.passed ? {} : { detail: (page.error ?? "the page failed the browser checks").slice(0, 300) }),
    };
  });
}
