/**
 * A milestone's validation criteria in its validation run: the commands and
 * pages the run adds, each criterion's result, the comment listing them, and
 * the verdict (a failing criterion fails the milestone).
 */
import { describe, expect, it } from "vitest";
import { renderValidationComment } from "../../src/mission/markdown/validation-comment.js";
import { ValidationConfig, type MilestoneCriterion } from "../../src/mission/model.js";
import { criteriaPlanParts, judgeCriteria, readCriteriaInput } from "../../src/mission/validation/criteria.js";
import { groupFailures, ValidationReport, validationVerdict, type BrowserResult, type CommandResult } from "../../src/mission/validation/validation.js";
import { browserTargets, validationPlan } from "../../src/validate/plan.js";
import { validationInputs } from "../../src/mission/workers/dispatch.js";
import { answered, plan as planOf, withIssues } from "../support/missions.js";
import { testMissionId } from "../support/clock.js";

const criteria: MilestoneCriterion[] = [{ command: "npm run e2e" }, { url: "/contacts" }, { check: "a contact can be created" }];

const ran = (name: string, command: string, exit: number): CommandResult => ({
  name, command, passed: exit === 0, skipped: false, exit_code: exit, timed_out: false, duration_seconds: 3, output_tail: exit ? "1 failed" : "",
});

const browser = (status: number, passed: boolean): BrowserResult => ({
  url: "http://localhost:3000",
  passed,
  pages: [{ path: "/contacts", passed, status, ...(passed ? {} : { error: "2 console errors" }) }],
});

function reportFor(e2eExit: number, page: BrowserResult | undefined) {
  const commands = [ran("install", "npm ci", 0), ran("criterion 1: npm run e2e", "npm run e2e", e2eExit)];
  return ValidationReport.parse({
    mission: testMissionId("crm", 7),
    milestone: "1",
    run_id: 555,
    commands,
    ...(page ? { browser: page } : {}),
    criteria: judgeCriteria(criteria, commands, page),
  });
}

describe("a milestone's validation criteria", () => {
  it("validationPlan runs the command criteria after the configured commands and loads the URL criteria", () => {
    const settings = ValidationConfig.parse({ commands: ["npm test"], browser: { url: "http://localhost:3000", paths: ["/"] } });
    const parts = criteriaPlanParts(criteria);
    const plan = validationPlan(settings, undefined, [], parts.urls, parts.commands);
    expect(plan.commands).toEqual([
      { name: "npm test", command: "npm test" },
      { name: "criterion 1: npm run e2e", command: "npm run e2e" },
    ]);
    expect(browserTargets(plan.browser!).pages.map((p) => p.url)).toEqual(["http://localhost:3000/", "http://localhost:3000/contacts"]);
  });

  it("travel to the run as one JSON input, sent only for a milestone that has criteria (an older workflow still takes the others)", () => {
    const m = withIssues(answered({ status: "active", plan: planOf([2, 2, 2]) }));
    expect(validationInputs(m, "1", "n", "main")).not.toHaveProperty("criteria");
    const withCriteria = { ...m, plan: { ...m.plan!, milestones: m.plan!.milestones.map((ms) => (ms.key === "1" ? { ...ms, criteria } : ms)) } };
    const inputs = validationInputs(withCriteria, "1", "n", "main");
    expect(Object.keys(inputs).length).toBeLessThanOrEqual(10); // GitHub Enterprise Server's limit (test/twin/RULES.md)
    expect(readCriteriaInput(inputs.criteria)).toEqual({ ok: true, criteria });
  });

  it("reads the criteria input as hostile: empty is none, anything else must be a bounded list", () => {
    expect(readCriteriaInput("")).toEqual({ ok: true, criteria: [] });
    expect(readCriteriaInput(JSON.stringify(criteria))).toEqual({ ok: true, criteria });
    expect(readCriteriaInput("{not json")).toEqual({ ok: false, problem: "the criteria input is not JSON" });
    expect(readCriteriaInput(JSON.stringify([{ command: "a", url: "/b" }]))).toMatchObject({ ok: false });
    expect(readCriteriaInput(JSON.stringify(Array.from({ length: 11 }, () => ({ check: "x" }))))).toMatchObject({ ok: false });
  });

  it("passes when every command and URL criterion passed, and the comment lists each with its result", () => {
    const report = reportFor(0, browser(200, true));
    expect(validationVerdict(report)).toBe("pass");
    const text = renderValidationComment(report, groupFailures(report), { attempt: 1, maxFailures: 3 });
    expect(text).toContain("#### The milestone's criteria: 2 of 2 passed");
    expect(text).toContain("- ✅ run `npm run e2e`: passed (exit 0)");
    expect(text).toContain("- ✅ load `/contacts`: page loaded and passed the browser checks (HTTP 200)");
    expect(text).toContain("- ➖ check: a contact can be created: not checked (no command checks it: a person does)");
  });

  it("fails the milestone when a criterion's command fails, naming its exit code", () => {
    const report = reportFor(1, browser(200, true));
    expect(validationVerdict(report)).toBe("fail");
    const text = renderValidationComment(report, groupFailures(report), { attempt: 1, maxFailures: 3 });
    expect(text).toContain("### ❌ Validation of milestone 1 failed");
    expect(text).toContain("#### The milestone's criteria: 1 of 2 passed");
    expect(text).toContain("- ❌ run `npm run e2e`: failed (exit 1)");
  });

  it("fails the milestone when a criterion's page was not loaded: no browser checks, the failure becomes a fix area", () => {
    const report = reportFor(0, undefined);
    expect(report.criteria?.[1]).toMatchObject({ result: "failed", detail: expect.stringContaining("set validation.browser") });
    // the commands all passed: only the criterion fails the milestone
    expect(report.commands.every((c) => c.passed)).toBe(true);
    expect(validationVerdict(report)).toBe("fail");
    expect(groupFailures(report).map((g) => g.signature)).toEqual(["criterion:/contacts"]);
    const text = renderValidationComment(report, groupFailures(report), { attempt: 1, maxFailures: 3 });
    expect(text).toContain("- ❌ load `/contacts`: failed: not loaded: the run had no browser checks");
  });

  it("reports a failed page with its status and error", () => {
    const report = reportFor(0, browser(500, false));
    expect(report.criteria?.[1]).toEqual({ criterion: { url: "/contacts" }, result: "failed", status: 500, detail: "2 console errors" });
    expect(renderValidationComment(report, groupFailures(report), { attempt: 1, maxFailures: 3 })).toContain("- ❌ load `/contacts`: failed (HTTP 500): 2 console errors");
  });
});
