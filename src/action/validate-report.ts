/**
 * Action mode `validate-report`: the last job of a validation run. Reads the
 * results the check job wrote (each command's exit code, output tail and
 * JUnit files; the browser checks), builds the validation report, and posts
 * it on the milestone issue: the readable results and the hidden block the
 * bot reads. Re-running the job edits the same comment instead of adding one.
 *
 * When the check job left no usable results, a comment says so and no report
 * block is posted: the bot counts a run without a report as invalid, never
 * as a pass.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parseJUnit } from "../mission/validation/junit.js";
import { marker } from "../mission/markers.js";
import { renderValidationComment } from "../mission/markdown/validation-comment.js";
import { describeZodError, MilestoneKey, MissionId } from "../mission/model.js";
import {
  BrowserResult,
  encodeValidationReport,
  groupFailures,
  MAX_FAILURES,
  readValidationReport,
  RunnerResults,
  ValidationReport,
  validationVerdict,
  type ReportedFailure,
} from "../mission/validation/validation.js";
import { judgeCriteria, readCriteriaInput } from "../mission/validation/criteria.js";
import { BrowserPlan } from "../validate/plan.js";
import type { ActionContext } from "./context.js";
import { parseIssueAddress } from "../mission/target/target.js";
import { refOf } from "../github/target.js";
import type { RepoRef } from "../github/client.js";

interface Address {
  mission: string;
  milestone: string;
  issue: number;
  home: RepoRef;
  runId: number;
  runAttempt: number;
}

function address(ctx: ActionContext): Address {
  const mission = MissionId.safeParse(ctx.input("mission", { required: true }).trim());
  const milestone = MilestoneKey.safeParse(ctx.input("milestone", { required: true }).trim());
  const issue = ctx.input("issue", { required: true }).trim();
  const runId = Number(ctx.env.GITHUB_RUN_ID ?? "");
  const runAttempt = Number(ctx.env.GITHUB_RUN_ATTEMPT || "1");
  const problems = [
    ...(mission.success ? [] : [`mission: ${describeZodError(mission.error).join("; ")}`]),
    ...(milestone.success ? [] : [`milestone: ${describeZodError(milestone.error).join("; ")}`]),
    ...(parseIssueAddress(issue) ? [] : [`issue is not an issue number (or owner/name#number): ${JSON.stringify(issue.slice(0, 40))}`]),
    ...(Number.isInteger(runId) && runId > 0 ? [] : ["GITHUB_RUN_ID is not set: run this inside GitHub Actions"]),
    ...(Number.isInteger(runAttempt) && runAttempt >= 1 ? [] : ["GITHUB_RUN_ATTEMPT is not a number"]),
  ];
  if (!mission.success || !milestone.success || problems.length) throw new Error(`cannot address a validation report: ${problems.join("; ")}`);
  const at = parseIssueAddress(issue)!;
  // the milestone issue is in the mission's home repository ("acme/missions#3" when it builds elsewhere)
  return { mission: mission.data, milestone: milestone.data, issue: at.number, home: at.repo ? refOf(at.repo) : ctx.repo, runId, runAttempt };
}

function readJson(path: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  if (!existsSync(path)) return { ok: false, problem: `${path} does not exist` };
  try {
    return { ok: true, value: JSON.parse(readFileSync(path, "utf8")) };
  } catch (error) {
    return { ok: false, problem: `${path} is not JSON (${(error as Error).message.slice(0, 200)})` };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A path the results name, only inside the results directory. */
function inside(root: string, path: string): string | undefined {
  const full = resolve(root, path);
  const rel = relative(root, full);
  return rel && !rel.startsWith("..") && !rel.startsWith("/") ? full : undefined;
}

interface Collected {
  failures: ReportedFailure[];
  tests: number;
  junitFiles: number;
  problems: string[];
}

function collectJUnit(root: string, results: RunnerResults): Collected {
  const collected: Collected = { failures: [], tests: 0, junitFiles: 0, problems: [] };
  for (const command of results.commands) {
    for (const file of command.junit) {
      const path = inside(root, file);
      if (!path || !existsSync(path)) {
        collected.problems.push(`${file}: no such JUnit file`);
        continue;
      }
      const junit = parseJUnit(readFileSync(path, "utf8"));
      collected.junitFiles += 1;
      collected.tests += junit.tests;
      collected.failures.push(...junit.failures.map((f) => ({ ...f, command: command.name })));
      collected.problems.push(...junit.problems.map((p) => `${file}: ${p}`));
    }
  }
  return collected;
}

function intInput(ctx: ActionContext, name: string, fallback: number): number {
  const text = ctx.input(name).trim();
  return /^[1-9]\d{0,2}$/.test(text) ? Number(text) : fallback;
}

type Comment = { id: number; body?: string | null; html_url: string; user: { type?: string } | null };

/** Failed validations of this milestone already reported on its issue, by other runs. */
function earlierFailures(comments: Comment[], a: Address): number {
  const runs = new Set<number>();
  for (const c of comments) {
    if (c.user?.type !== "Bot") continue;
    const read = readValidationReport(c.body);
    if (read.found && read.ok && read.report.milestone === a.milestone && read.report.run_id !== a.runId && validationVerdict(read.report) === "fail") {
      runs.add(read.report.run_id);
    }
  }
  return runs.size;
}

export async function run(ctx: ActionContext): Promise<void> {
  const a = address(ctx);
  const resultsPath = ctx.input("results").trim() || "mission-validation/results.json";
  const root = dirname(resolve(resultsPath));
  const browserPath = ctx.input("browser-results").trim() || join(root, "browser.json");
  const screenshotsUrl = ctx.input("screenshots-url").trim();
  const maxFailures = intInput(ctx, "max-failures", 3);
  const commit = ctx.input("commit").trim().toLowerCase();

  const tag = marker({ mission: a.mission, kind: "comment", key: `validation-${a.runId}-${a.runAttempt}` });
  const comments = (await ctx.octokit.paginate(ctx.octokit.rest.issues.listComments, {
    ...a.home,
    issue_number: a.issue,
    per_page: 100,
  })) as Comment[];
  const mine = comments.find((c) => c.body?.includes(tag));

  const post = async (body: string): Promise<Comment> => {
    if (mine) return (await ctx.octokit.rest.issues.updateComment({ ...a.home, comment_id: mine.id, body })).data as Comment;
    return (await ctx.octokit.rest.issues.createComment({ ...a.home, issue_number: a.issue, body })).data as Comment;
  };

  const results = readJson(resultsPath);
  const parsed = results.ok ? RunnerResults.safeParse(results.value) : undefined;
  const unusable = !results.ok
    ? [results.problem]
    : !parsed?.success
      ? describeZodError(parsed!.error).map((p) => `${resultsPath}: ${p}`)
      : parsed.data.commands.length === 0
        ? ["the check job ran no command"]
        : [];
  if (unusable.length > 0 || !parsed?.success) {
    const comment = await post(
      [
        `### ⚠️ Validation of milestone ${a.milestone} could not run`,
        "",
        `Run ${a.runId} (attempt ${a.runAttempt}) left no results to report, so it is not a pass:`,
        "",
        ...unusable.map((p) => `- ${p.replace(/[<>@]/g, "")}`),
        "",
        "See the run's log: the checkout, the settings in `.github/mission.yml` or the runner failed before the commands ran.",
        "",
        tag,
      ].join("\n"),
    );
    ctx.log.error(`validation of milestone ${a.milestone} could not run: ${unusable.join("; ")}`);
    ctx.setOutput("verdict", "invalid");
    ctx.setOutput("failures", "0");
    ctx.setOutput("comment-url", comment.html_url);
    return;
  }

  const junit = collectJUnit(root, parsed.data);
  const problems = [...junit.problems];
  let browser: BrowserResult | undefined = parsed.data.browser;
  if (!browser && existsSync(browserPath)) {
    const read = readJson(browserPath);
    const checked = read.ok ? BrowserResult.safeParse(read.value) : undefined;
    if (checked?.success) browser = checked.data;
    else problems.push(read.ok ? `${browserPath}: ${describeZodError(checked!.error).join("; ")}` : read.problem);
  }
  // the plan had browser checks but they left no usable result: not a pass
  const planned = ctx.input("browser").trim();
  if (!browser && planned) {
    const url = BrowserPlan.safeParse(safeJson(planned));
    browser = { url: url.success ? url.data.url.slice(0, 500) : "", passed: false, pages: [], error: "The browser checks left no results: see the browser job's log." };
  }
  const screenshots = screenshotsUrl
    ? (browser?.pages ?? []).flatMap((p) => (p.screenshot ? [{ name: p.screenshot, url: screenshotsUrl }] : []))
    : [];

  const criteriaRead = readCriteriaInput(ctx.env.MISSION_CRITERIA);
  if (!criteriaRead.ok) problems.push(criteriaRead.problem);
  const commandResults = parsed.data.commands.map(({ junit: _junit, ...c }) => c);
  const criteria = criteriaRead.ok && criteriaRead.criteria.length ? judgeCriteria(criteriaRead.criteria, commandResults, browser) : undefined;
  const report = ValidationReport.parse({
    mission: a.mission,
    milestone: a.milestone,
    run_id: a.runId,
    run_attempt: a.runAttempt,
    ...(/^[0-9a-f]{7,40}$/.test(commit) ? { commit } : {}),
    commands: commandResults,
    failures: junit.failures.slice(0, MAX_FAILURES),
    ...(junit.failures.length > MAX_FAILURES ? { failures_total: junit.failures.length } : {}),
    ...(junit.junitFiles > 0 ? { tests_total: junit.tests } : {}),
    problems: problems.slice(0, 20).map((p) => p.slice(0, 500)),
    screenshots: screenshots.slice(0, 100),
    ...(browser ? { browser } : {}),
    ...(criteria ? { criteria } : {}),
  });
  const groups = groupFailures(report);
  const verdict = validationVerdict(report);
  const attempt = verdict === "fail" ? earlierFailures(comments, a) + 1 : 1;
  const text = renderValidationComment(report, groups, { attempt, maxFailures });
  const comment = await post(`${text}\n\n${tag}\n${encodeValidationReport(report)}`);
  ctx.log.info(`validation of milestone ${a.milestone}: ${verdict}; posted on #${a.issue}: ${comment.html_url}`);

  ctx.setOutput("verdict", verdict);
  ctx.setOutput("failures", String(report.failures_total ?? report.failures.length));
  ctx.setOutput("groups", String(groups.length));
  ctx.setOutput("comment-url", comment.html_url);
  if (ctx.env.GITHUB_STEP_SUMMARY) await ctx.summary.addRaw(text).write();
}
