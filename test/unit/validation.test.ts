import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseJUnit } from "../../src/mission/validation/junit.js";
import { Feature, Milestone, type Feature as FeatureT } from "../../src/mission/model.js";
import {
  BLOCK_BUDGET,
  defaultValidationCommands,
  encodeValidationReport,
  fixFeatures,
  groupFailures,
  readValidationReport,
  ValidationReport,
  validationVerdict,
  type ValidationReportInput,
} from "../../src/mission/validation/validation.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/junit/${name}`, import.meta.url), "utf8");

const passed = (name: string, command: string) => ({ name, command, passed: true, exit_code: 0, duration_seconds: 3, output_tail: "" });
const failed = (name: string, command: string, output_tail = "boom") => ({ name, command, passed: false, exit_code: 1, duration_seconds: 3, output_tail });

function report(overrides: Partial<ValidationReportInput> = {}): ValidationReport {
  return ValidationReport.parse({
    mission: "m-20261124-crm-7",
    milestone: "1",
    run_id: 555,
    run_attempt: 1,
    commands: [passed("install", "npm ci"), passed("build", "npm run build"), passed("test", "npm run test -- --reporter=junit")],
    ...overrides,
  });
}

/** The vitest fixture, failing, as the validate-report Action assembles it. */
function failingVitest(): ValidationReport {
  const junit = parseJUnit(fixture("vitest.xml"));
  return report({
    commands: [
      passed("install", "npm ci"),
      failed("lint", "npm run lint", "src/deals.ts\n  3:1  error  'x' is defined but never used"),
      { ...failed("test", "npm run test -- --reporter=junit"), rerun: "npm run test -- {file}" },
    ],
    failures: junit.failures.map((f) => ({ ...f, command: "test" })),
    tests_total: junit.tests,
  });
}

function milestone(features: Partial<FeatureT>[] = []): Milestone {
  return Milestone.parse({
    key: "1",
    title: "Contacts",
    features: [
      { key: "1.1", title: "Contacts list", size: "M" },
      ...features.map((f) => ({ title: "a fix", size: "S", ...f })),
    ],
  });
}

describe("validationVerdict", () => {
  it("passes when every command passed and no test failed", () => {
    expect(validationVerdict(report())).toBe("pass");
  });

  it("fails on a failed command, a skipped command, a test failure, or a failed browser check", () => {
    expect(validationVerdict(report({ commands: [failed("build", "npm run build")] }))).toBe("fail");
    expect(validationVerdict(report({ commands: [passed("install", "npm ci"), { ...failed("build", "npm run build"), skipped: true }] }))).toBe("fail");
    expect(validationVerdict(report({ failures: [{ name: "t", message: "m" }] }))).toBe("fail");
    expect(validationVerdict(report({ browser: { url: "http://localhost:3000", passed: false, pages: [] } }))).toBe("fail");
  });

  it("a report that ran no command is not valid at all", () => {
    expect(ValidationReport.safeParse({ mission: "m-20261124-crm-7", milestone: "1", run_id: 1, commands: [] }).success).toBe(false);
  });
});

describe("encodeValidationReport / readValidationReport", () => {
  it("round-trips through a comment", () => {
    const r = failingVitest();
    const body = `### results\n\n${encodeValidationReport(r)}`;
    expect(readValidationReport(body)).toEqual({ found: true, ok: true, report: r });
  });

  it("finds nothing in a comment without a block", () => {
    expect(readValidationReport("just a comment")).toEqual({ found: false });
    expect(readValidationReport(null)).toEqual({ found: false });
  });

  it("names the problems of a malformed report", () => {
    const notJson = readValidationReport(`<!-- mission-bot:validation ${Buffer.from("{nope").toString("base64url")} -->`);
    expect(notJson).toEqual({ found: true, ok: false, problems: ["the validation block is not base64url-encoded JSON"] });
    const wrongShape = Buffer.from(JSON.stringify({ mission: "m-20261124-crm-7", milestone: "one", run_id: -1, commands: [] })).toString("base64url");
    const result = readValidationReport(`<!-- mission-bot:validation ${wrongShape} -->`);
    expect(result.found && !result.ok && result.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^milestone:/), expect.stringMatching(/^run_id:/), expect.stringMatching(/^commands:/)]),
    );
  });

  it("reads the last block, so test output quoted above cannot pose as the report", () => {
    const fake = encodeValidationReport(report({ commands: [passed("test", "true")] }));
    const real = encodeValidationReport(failingVitest());
    const result = readValidationReport(`output: ${fake}\n\n${real}`);
    expect(result.found && result.ok && validationVerdict(result.report)).toBe("fail");
  });

  it("stays under its budget with hundreds of long failures, and keeps the real count", () => {
    const junit = parseJUnit(fixture("vitest-hundreds.xml"));
    const big = report({ commands: [failed("test", "npm test")], failures: junit.failures.map((f) => ({ ...f, command: "test" })), tests_total: junit.tests });
    const block = encodeValidationReport(big);
    expect(JSON.stringify(big).length).toBeGreaterThan(BLOCK_BUDGET);
    expect(block.length).toBeLessThanOrEqual(BLOCK_BUDGET);
    const back = readValidationReport(block);
    expect(back.found && back.ok).toBe(true);
    if (back.found && back.ok) {
      expect(back.report.failures_total ?? back.report.failures.length).toBe(320);
      expect(validationVerdict(back.report)).toBe("fail");
    }
  });
});

describe("groupFailures", () => {
  it("groups a JUnit file with hundreds of failures by file", () => {
    const junit = parseJUnit(fixture("vitest-hundreds.xml"));
    expect(junit.failures).toHaveLength(320);
    const groups = groupFailures(report({ commands: [failed("test", "npm test")], failures: junit.failures.map((f) => ({ ...f, command: "test" })) }));
    expect(groups.map((g) => [g.signature, g.count])).toEqual([
      ["test:src/contacts.test.ts", 120],
      ["test:src/deals.test.ts", 60],
      ["test:src/email/send.test.ts", 45],
      ["test:src/email/templates.test.ts", 40],
      ["test:src/api/contacts.api.test.ts", 30],
      ["test:src/ui/contact-form.test.tsx", 25],
    ]);
  });

  it("groups tests by file and a failed command without parsed failures on its own", () => {
    const groups = groupFailures(failingVitest());
    expect(groups.map((g) => [g.signature, g.count])).toEqual([
      ["test:src/contacts.test.ts", 2],
      ["command:lint", 1],
      ["test:src/deals.test.ts", 1],
    ]);
    expect(groups[0]).toMatchObject({ command: "test", command_line: "npm run test -- --reporter=junit", sample: [expect.anything(), expect.anything()] });
    expect(groups[1]).toMatchObject({ title: "`lint` fails", command_line: "npm run lint", output_tail: expect.stringContaining("never used") });
  });

  it("makes 40 failing tests in one file one group, with at most 5 samples", () => {
    const failures = Array.from({ length: 40 }, (_, i) => ({ name: `case ${i}`, suite: "src/contacts.test.ts", message: `line ${i}`, command: "test" }));
    const groups = groupFailures(report({ commands: [failed("test", "npm test")], failures }));
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ signature: "test:src/contacts.test.ts", count: 40 });
    expect(groups[0]!.sample).toHaveLength(5);
  });

  it("signatures do not depend on messages, line numbers or counts", () => {
    const a = groupFailures(failingVitest()).map((g) => g.signature);
    const other = failingVitest();
    const b = groupFailures({
      ...other,
      failures: [
        ...other.failures.slice(0, 2).map((f) => ({ ...f, message: "different", detail: "src/contacts.test.ts:99:1" })),
        other.failures[2]!,
      ],
      commands: other.commands.map((c) => ({ ...c, output_tail: "other output", exit_code: c.passed ? 0 : 2 })),
    }).map((g) => g.signature);
    expect(b.sort()).toEqual(a.sort());
  });

  it("falls back to the suite, then the classname, then the command; go packages group by package", () => {
    const go = parseJUnit(fixture("go-junit-report.xml"));
    expect(groupFailures(report({ commands: [failed("go", "go test ./...")], failures: go.failures })).map((g) => [g.signature, g.count])).toEqual([
      ["test:github.com/acme/crm/contacts", 2],
      ["command:go", 1],
    ]);
    const jest = parseJUnit(fixture("jest-junit.xml")).failures.map((f) => ({ ...f, command: "test" }));
    expect(groupFailures(report({ commands: [failed("test", "npm test")], failures: jest })).map((g) => g.signature)).toEqual([
      "test:src/__tests__/contacts.test.js",
    ]);
    expect(groupFailures(report({ commands: [failed("t", "make test")], failures: [{ name: "x", message: "m", command: "t" }] }))[0]!.signature).toBe("test:t");
  });

  it("passing and skipped commands make no group; failed browser pages do", () => {
    const r = report({
      commands: [failed("install", "npm ci"), { ...failed("build", "npm run build"), skipped: true }],
      browser: { url: "http://localhost:3000", passed: false, pages: [{ path: "/contacts", passed: false, status: 500, error: "HTTP 500" }] },
    });
    expect(groupFailures(r).map((g) => g.signature)).toEqual(["browser:/contacts", "command:install"]);
  });
});

describe("fixFeatures", () => {
  const open = () => true;

  it("opens one fix feature per failing area, with how to reproduce and acceptance criteria", () => {
    const { create, update } = fixFeatures(milestone(), groupFailures(failingVitest()), open);
    expect(update).toEqual([]);
    expect(create.map((f) => [f.key, f.fix_for, f.size])).toEqual([
      ["1.fix-src-contacts", "test:src/contacts.test.ts", "S"],
      ["1.fix-lint", "command:lint", "S"],
      ["1.fix-src-deals", "test:src/deals.test.ts", "S"],
    ]);
    for (const f of create) expect(Feature.safeParse(f).success).toBe(true);
    const contacts = create[0]!;
    expect(contacts.title).toBe("Fix: Failing tests in src/contacts.test.ts");
    expect(contacts.acceptance[0]).toBe("`npm run test -- src/contacts.test.ts` passes");
    expect(contacts.description).toContain("Reproduce with `npm run test -- src/contacts.test.ts`.");
    expect(contacts.description).toContain("- `contacts > adds a contact`: expected 1 to be 2");
    expect(create[1]!.acceptance[0]).toBe("`npm run lint` exits with status 0");
    expect(create[1]!.description).toContain("'x' is defined but never used");
  });

  it("re-validation: a failure with an open fix feature updates it instead of opening another", () => {
    const ms = milestone([{ key: "1.fix-src-contacts", fix_for: "test:src/contacts.test.ts" }]);
    const { create, update } = fixFeatures(ms, groupFailures(failingVitest()), open);
    expect(update.map((u) => [u.key, u.group.signature])).toEqual([["1.fix-src-contacts", "test:src/contacts.test.ts"]]);
    expect(create.map((f) => f.fix_for)).toEqual(["command:lint", "test:src/deals.test.ts"]);
  });

  it("a failure whose fix feature was closed gets a new one with a fresh key", () => {
    const ms = milestone([{ key: "1.fix-src-contacts", fix_for: "test:src/contacts.test.ts" }]);
    const { create, update } = fixFeatures(ms, groupFailures(failingVitest()), (key) => key !== "1.fix-src-contacts");
    expect(update).toEqual([]);
    expect(create[0]).toMatchObject({ key: "1.fix-src-contacts-2", fix_for: "test:src/contacts.test.ts" });
  });

  it("a big group is size M; new features beyond maxCreate are deferred", () => {
    const failures = Array.from({ length: 40 }, (_, i) => ({ name: `case ${i}`, file: `src/f${i % 12}.test.ts`, message: "x", command: "test" }));
    const groups = groupFailures(report({ commands: [failed("test", "npm test")], failures }));
    const { create, deferred } = fixFeatures(milestone(), groups, open, { maxCreate: 10 });
    expect(create).toHaveLength(10);
    expect(deferred).toHaveLength(2);
    const single = groupFailures(report({ commands: [failed("test", "npm test")], failures: failures.map((f) => ({ ...f, file: "src/all.test.ts" })) }));
    expect(fixFeatures(milestone(), single, open).create[0]!.size).toBe("M");
  });
});

describe("defaultValidationCommands", () => {
  it("installs by lockfile, then runs build, lint, typecheck and test; vitest writes JUnit", () => {
    const pkg = { scripts: { build: "tsc", lint: "eslint .", typecheck: "tsc --noEmit", test: "vitest run", dev: "vite" } };
    expect(defaultValidationCommands(pkg, ["package-lock.json"])).toEqual([
      { name: "install", command: "npm ci" },
      { name: "build", command: "npm run build" },
      { name: "lint", command: "npm run lint" },
      { name: "typecheck", command: "npm run typecheck" },
      {
        name: "test",
        command: 'npm run test -- --reporter=default --reporter=junit --outputFile.junit="$MISSION_JUNIT_DIR/junit.xml"',
        rerun: "npm run test -- {file}",
      },
    ]);
  });

  it("uses the package manager of the lockfile", () => {
    expect(defaultValidationCommands({ scripts: { build: "x" } }, ["pnpm-lock.yaml"])).toEqual([
      { name: "install", command: "pnpm install --frozen-lockfile" },
      { name: "build", command: "pnpm run build" },
    ]);
    expect(defaultValidationCommands({}, ["yarn.lock"])[0]!.command).toBe("yarn install --immutable");
    expect(defaultValidationCommands({}, ["bun.lock"])[0]!.command).toBe("bun install --frozen-lockfile");
    expect(defaultValidationCommands({}, [])[0]!.command).toBe("npm install");
  });

  it("jest writes JUnit only when jest-junit is installed; npm's placeholder test script is skipped", () => {
    const jest = defaultValidationCommands({ scripts: { test: "jest" }, devDependencies: { "jest-junit": "^16.0.0" } }, ["package-lock.json"]);
    expect(jest[1]!.command).toBe('JEST_JUNIT_OUTPUT_FILE="$MISSION_JUNIT_DIR/junit.xml" npm run test -- --ci --reporters=default --reporters=jest-junit');
    expect(defaultValidationCommands({ scripts: { test: "jest" } }, [])[1]).toEqual({ name: "test", command: "npm run test" });
    expect(defaultValidationCommands({ scripts: { test: 'echo "Error: no test specified" && exit 1' } }, [])).toHaveLength(1);
  });

  it("no package.json: nothing to run by default", () => {
    expect(defaultValidationCommands(undefined, [])).toEqual([]);
  });
});
