import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseJUnit } from "../../src/mission/validation/junit.js";
import { renderValidationComment, VALIDATION_COMMENT_MAX_CHARS } from "../../src/mission/markdown/validation-comment.js";
import { encodeValidationReport, groupFailures, readValidationReport, ValidationReport, type ValidationReportInput } from "../../src/mission/validation/validation.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/junit/${name}`, import.meta.url), "utf8");

function report(overrides: Partial<ValidationReportInput> = {}): ValidationReport {
  return ValidationReport.parse({
    mission: "m-20261124-crm-7",
    milestone: "2",
    run_id: 555,
    run_attempt: 1,
    commands: [
      { name: "install", command: "npm ci", passed: true, exit_code: 0, duration_seconds: 21.4 },
      { name: "test", command: "npm run test", passed: true, exit_code: 0, duration_seconds: 75 },
    ],
    ...overrides,
  });
}

const opts = { attempt: 1, maxFailures: 3 };

describe("renderValidationComment", () => {
  it("pass: a results table and the screenshots, no failures section", () => {
    const r = report({ tests_total: 42, screenshots: [{ name: "home.png", url: "https://github.com/o/r/actions/runs/555/artifacts/9" }] });
    const text = renderValidationComment(r, [], opts);
    expect(text).toContain("### ✅ Validation of milestone 2 passed");
    expect(text).toContain("| `install` | ✅ passed | 21s |");
    expect(text).toContain("| `test` | ✅ passed | 1m 15s |");
    expect(text).toContain("Tests: 42 run, 0 failed.");
    expect(text).toContain("[home.png](https://github.com/o/r/actions/runs/555/artifacts/9)");
    expect(text).not.toContain("failing area");
  });

  it("fail: per failing area the tests, file, message and the output tail in <details>", () => {
    const junit = parseJUnit(fixture("vitest.xml"));
    const r = report({
      commands: [
        { name: "install", command: "npm ci", passed: true, exit_code: 0, duration_seconds: 20 },
        { name: "lint", command: "npm run lint", passed: false, exit_code: 1, duration_seconds: 4, output_tail: "src/deals.ts\n  3:1  error  'x' is unused  @typescript-eslint/no-unused-vars" },
        { name: "test", command: "npm run test", passed: false, exit_code: 1, duration_seconds: 30, output_tail: "FAIL src/contacts.test.ts" },
      ],
      failures: junit.failures.map((f) => ({ ...f, command: "test" })),
      tests_total: junit.tests,
    });
    const text = renderValidationComment(r, groupFailures(r), { attempt: 2, maxFailures: 3 });
    expect(text).toContain("### ❌ Validation of milestone 2 failed (attempt 2 of 3)");
    expect(text).toContain("| `lint` | ❌ failed (exit 1) | 4s |");
    expect(text).toContain("#### 3 failing areas");
    expect(text).toContain("**Failing tests in src/contacts.test.ts** (2 failing)");
    expect(text).toContain("- `contacts > adds a contact` in `src/contacts.test.ts`: expected 1 to be 2 // Object.is equality");
    expect(text).toContain("<details><summary>End of the output</summary>\n\n```\nsrc/deals.ts\n  3:1  error  'x' is unused");
    expect(text).toContain("Reproduce: `npm run lint`");
    expect(text).toContain("Tests: 5 run, 3 failed.");
  });

  it("says when the mission pauses", () => {
    const r = report({ commands: [{ name: "build", command: "npm run build", passed: false, exit_code: 2, duration_seconds: 1, output_tail: "" }] });
    expect(renderValidationComment(r, groupFailures(r), { attempt: 3, maxFailures: 3 })).toContain("failed validation 3 times: the mission pauses");
  });

  it("test text cannot inject HTML, mentions or a fake report block", () => {
    const fake = encodeValidationReport(report());
    const r = report({
      commands: [{ name: "test", command: "npm test", passed: false, exit_code: 1, duration_seconds: 1, output_tail: fake }],
      failures: [{ name: "<img src=x> @alice", file: "src/a.test.ts", message: `<script> ${fake}`, command: "test" }],
    });
    const text = renderValidationComment(r, groupFailures(r), opts);
    // names are code spans (rendered literally, no mentions); messages are escaped
    expect(text).toContain("- `<img src=x> @alice` in `src/a.test.ts`: &lt;script> &lt;!-- mission-bot:validation ");
    expect(text.replace(/`[^`\n]*`/g, "")).not.toMatch(/<img|<script|@alice/);
    expect(text).not.toContain("<!-- mission-bot:validation");
    expect(readValidationReport(text)).toEqual({ found: false });
  });

  it("hundreds of failures: grouped, capped, says what was left out, and fits GitHub's limit with the block", () => {
    const junit = parseJUnit(fixture("vitest-hundreds.xml"));
    const tail = "x".repeat(4000);
    const r = report({
      commands: [{ name: "test", command: "npm run test", passed: false, exit_code: 1, duration_seconds: 90, output_tail: tail }],
      failures: junit.failures.map((f) => ({ ...f, command: "test" })),
      tests_total: junit.tests,
    });
    const groups = groupFailures(r);
    const text = renderValidationComment(r, groups, opts);
    const body = `${text}\n\n${encodeValidationReport(r)}`;
    expect(body.length).toBeLessThan(65_536);
    expect(text.length).toBeLessThanOrEqual(VALIDATION_COMMENT_MAX_CHARS);
    expect(text).toContain("**Failing tests in src/contacts.test.ts** (120 failing)");
    expect(text).toContain("- … and 115 more");
    expect(text).toContain("#### 6 failing areas");
  });

  it("many failing areas: the comment is cut step by step and names how many areas it left out", () => {
    const failures = Array.from({ length: 900 }, (_, i) => ({
      name: `case ${i} ${"n".repeat(200)}`,
      file: `src/area-${i % 300}.test.ts`,
      message: "m".repeat(300),
      command: "test",
    }));
    const commands = Array.from({ length: 30 }, (_, i) => ({
      name: `check ${i}`,
      command: `make check-${i}`,
      passed: false,
      exit_code: 1,
      duration_seconds: 1,
      output_tail: "y".repeat(4000),
    }));
    const r = report({ commands: [...commands, { name: "test", command: "npm test", passed: false, exit_code: 1, duration_seconds: 1, output_tail: "" }], failures });
    const groups = groupFailures(r);
    expect(groups).toHaveLength(330);
    const text = renderValidationComment(r, groups, opts);
    expect(text.length).toBeLessThanOrEqual(VALIDATION_COMMENT_MAX_CHARS);
    expect(text).toMatch(/… and \d+ more failing areas, not shown here/);
    expect(`${text}\n\n${encodeValidationReport(r)}`.length).toBeLessThan(65_536);
  });
});
