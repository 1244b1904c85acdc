/**
 * JUnit XML → the failing tests of a validation run. Reads the dialects the
 * common runners write: vitest (`--reporter=junit`), jest (jest-junit),
 * pytest (`--junitxml`, xunit1 and xunit2) and go test (go-junit-report,
 * gotestsum). Never throws: what cannot be read is named in `problems`. Pure.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { z } from "zod";

export const LIMITS = {
  name: 300,
  message: 1000,
  detail: 4000,
  path: 300,
} as const;

/** One failing (or erroring) test case. */
export const TestFailure = z.strictObject({
  name: z.string().min(1).max(LIMITS.name),
  classname: z.string().max(LIMITS.path).optional(),
  /** the test file, relative to the repository when the runner says so */
  file: z.string().max(LIMITS.path).optional(),
  /** the innermost <testsuite> name (a file for vitest, a describe block for jest, a package for go) */
  suite: z.string().max(LIMITS.path).optional(),
  message: z.string().max(LIMITS.message),
  detail: z.string().max(LIMITS.detail).optional(),
});
export type TestFailure = z.infer<typeof TestFailure>;

export interface JUnitResult {
  failures: TestFailure[];
  /** test cases seen, passing, failing and skipped */
  tests: number;
  problems: string[];
}

type Node = Record<string, unknown>;

const ARRAYS = new Set(["testsuites", "testsuite", "testcase", "failure", "error"]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  textNodeName: "#text",
  alwaysCreateTextNode: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // entities are decoded once, here, below: named and numeric alike (&#xA; is how go tools write newlines)
  processEntities: false,
  isArray: (name) => ARRAYS.has(name),
});

export function parseJUnit(xml: string): JUnitResult {
  const problems: string[] = [];
  if (typeof xml !== "string" || xml.trim() === "") {
    return { failures: [], tests: 0, problems: ["the JUnit file is empty"] };
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    problems.push(`the JUnit file is not well-formed XML (${valid.err.code} at line ${valid.err.line}); what could be read is kept`);
  }
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch (error) {
    if (problems.length === 0) problems.push(`the JUnit file could not be parsed: ${(error as Error).message}`);
    return { failures: [], tests: 0, problems };
  }
  const result: JUnitResult = { failures: [], tests: 0, problems };
  const roots = [...nodes(doc.testsuites).flatMap((s) => nodes(s.testsuite)), ...nodes(doc.testsuite)];
  // some writers put test cases straight under <testsuites>
  const looseCases = nodes(doc.testsuites).flatMap((s) => nodes(s.testcase));
  if (roots.length === 0 && looseCases.length === 0 && nodes(doc.testcase).length === 0) {
    if (valid === true) problems.push("no <testsuite> or <testcase> elements: this is not a JUnit report");
    return result;
  }
  for (const suite of roots) walkSuite(suite, {}, result);
  for (const testcase of [...looseCases, ...nodes(doc.testcase)]) readCase(testcase, {}, result);
  return result;
}

interface Inherited {
  suite?: string;
  file?: string;
  pytest?: boolean;
}

function walkSuite(suite: Node, outer: Inherited, result: JUnitResult): void {
  const name = attr(suite, "name");
  const here: Inherited = {
    suite: name ?? outer.suite,
    file: attr(suite, "file") ?? attr(suite, "filepath") ?? outer.file,
    pytest: outer.pytest || name === "pytest",
  };
  for (const testcase of nodes(suite.testcase)) readCase(testcase, here, result);
  for (const inner of nodes(suite.testsuite)) walkSuite(inner, here, result);
}

function readCase(testcase: Node, outer: Inherited, result: JUnitResult): void {
  result.tests += 1;
  const problems = [...nodes(testcase.failure), ...nodes(testcase.error)];
  if (problems.length === 0) return;
  const classname = attr(testcase, "classname") || undefined;
  const name = attr(testcase, "name") || classname || "(unnamed test)";
  const file =
    attr(testcase, "file") ??
    outer.file ??
    (outer.pytest && classname ? pytestFile(classname) : undefined) ??
    [classname, outer.suite].find(looksLikeFile);
  const first = problems[0]!;
  const texts = problems.map((p) => clean(text(p))).filter((t) => t !== "");
  const detail = texts.join("\n\n");
  const failure: TestFailure = {
    name: cap(clean(name), LIMITS.name),
    message: cap(messageOf(first, texts[0] ?? ""), LIMITS.message),
  };
  if (classname) failure.classname = cap(clean(classname), LIMITS.path);
  if (file) failure.file = cap(normalisePath(file), LIMITS.path);
  if (outer.suite) failure.suite = cap(clean(outer.suite), LIMITS.path);
  if (detail) failure.detail = cap(detail, LIMITS.detail);
  result.failures.push(failure);
}

/** Messages runners write that say nothing ("Failed" from go) give way to the first line of the text. */
const EMPTY_MESSAGES = new Set(["", "failed", "failure", "error"]);

function messageOf(node: Node, detail: string): string {
  const message = clean(attr(node, "message") ?? "");
  if (!EMPTY_MESSAGES.has(message.toLowerCase())) return message;
  const lines = detail.split("\n").map((l) => l.trim());
  const useful = lines.find((l) => l !== "" && !/^=== (RUN|PAUSE|CONT)\b/.test(l));
  return useful ?? (message || "failed");
}

/** `tests.test_contacts.TestSearch` → `tests/test_contacts.py`: module path up to the first CapWords (class) segment. */
export function pytestFile(classname: string): string | undefined {
  const parts = classname.split(".");
  const module: string[] = [];
  for (const part of parts) {
    if (/^[A-Z]/.test(part)) break;
    module.push(part);
  }
  if (module.length === 0 || module.some((p) => !/^[A-Za-z_][\w]*$/.test(p))) return undefined;
  return `${module.join("/")}.py`;
}

/** vitest names its suites (and classnames) after the test file: `src/contacts.test.ts`. */
function looksLikeFile(name: string | undefined): name is string {
  return !!name && /^[^\s]+\.(?:[cm]?[jt]sx?|py|go|rb|java|kt|rs|php|cs|exs?|vue|svelte)$/.test(name);
}

/** Repository-relative where we can tell: drop `./` and the GitHub-hosted workspace prefix. */
export function normalisePath(path: string): string {
  return path
    .trim()
    .replaceAll("\\", "/")
    .replace(/^(?:\/home\/runner\/work|\/__w)\/[^/]+\/[^/]+\//, "")
    .replace(/^(?:\.\/)+/, "");
}

function nodes(value: unknown): Node[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (typeof v === "object" && v !== null ? (v as Node) : { "#text": String(v) }));
}

function attr(node: Node, name: string): string | undefined {
  const value = node[`@_${name}`];
  return typeof value === "string" ? decodeEntities(value) : undefined;
}

function text(node: Node): string {
  const value = node["#text"];
  return typeof value === "string" ? decodeEntities(value) : "";
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, (whole, ref: string) => {
    if (ref.startsWith("#")) {
      const code = ref[1] === "x" ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref] ?? whole;
  });
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

function clean(value: string): string {
  return value.replace(ANSI, "").replace(/\r\n?/g, "\n").trim();
}

function cap(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}
