import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { normalisePath, parseJUnit, pytestFile, TestFailure } from "../../src/mission/validation/junit.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/junit/${name}`, import.meta.url), "utf8");

describe("parseJUnit", () => {
  it("reads vitest: suites per file, the failure message attribute, skipped tests counted", () => {
    const r = parseJUnit(fixture("vitest.xml"));
    expect(r.problems).toEqual([]);
    expect(r.tests).toBe(5);
    expect(r.failures.map((f) => [f.suite, f.name, f.message])).toEqual([
      ["src/contacts.test.ts", "contacts > adds a contact", "expected 1 to be 2 // Object.is equality"],
      ["src/contacts.test.ts", "contacts > rejects an empty name", "expected [Function] to throw an error"],
      ["src/deals.test.ts", "deals > moves a deal to won", "Cannot read properties of undefined (reading 'stage')"],
    ]);
    expect(r.failures.map((f) => f.file)).toEqual(["src/contacts.test.ts", "src/contacts.test.ts", "src/deals.test.ts"]);
    expect(r.failures[0]!.detail).toMatch(/^AssertionError: expected 1 to be 2[\s\S]*src\/contacts\.test\.ts:14:27$/);
  });

  it("reads jest-junit: no message attribute (first line of the text), the file attribute", () => {
    const r = parseJUnit(fixture("jest-junit.xml"));
    expect(r.tests).toBe(4);
    expect(r.failures).toHaveLength(2);
    expect(r.failures[0]).toMatchObject({
      name: "Contacts adds a contact",
      file: "src/__tests__/contacts.test.js",
      suite: "Contacts",
      message: "Error: expect(received).toBe(expected) // Object.is equality",
    });
    expect(r.failures[1]!.message).toBe("TypeError: Cannot read properties of null (reading 'email')");
  });

  it("reads pytest xunit2 (no file attribute: the file comes from the classname) and counts <error> as failing", () => {
    const r = parseJUnit(fixture("pytest.xml"));
    expect(r.tests).toBe(6);
    expect(r.failures.map((f) => [f.file, f.classname, f.name])).toEqual([
      ["tests/test_contacts.py", "tests.test_contacts", "test_add_contact"],
      ["tests/test_contacts.py", "tests.test_contacts.TestSearch", "test_by_email"],
      ["tests/test_deals.py", "tests.test_deals", "test_close_deal"],
    ]);
    expect(r.failures[0]!.message).toBe("assert 1 == 2\n +  where 1 = len([Contact(name='Ada')])");
    expect(r.failures[2]!.message).toBe(`failed on setup with "fixture 'db' not found"`);
  });

  it("prefers pytest's own file attribute (xunit1)", () => {
    const r = parseJUnit(fixture("pytest-xunit1.xml"));
    expect(r.failures).toEqual([expect.objectContaining({ file: "tests/api/test_contacts.py", name: "test_create", message: "assert 404 == 201" })]);
  });

  it("reads go-junit-report and gotestsum: package as classname, the useless 'Failed' message replaced by the output", () => {
    const gjr = parseJUnit(fixture("go-junit-report.xml"));
    expect(gjr.tests).toBe(4);
    expect(gjr.failures.map((f) => [f.classname, f.name, f.message])).toEqual([
      ["github.com/acme/crm/contacts", "TestAdd", "contacts_test.go:12: got 1 contacts, want 2"],
      ["github.com/acme/crm/contacts", "TestFind/by_email", 'contacts_test.go:31: find("ada@example.com") = nil, want Ada'],
    ]);
    const gts = parseJUnit(fixture("gotestsum.xml"));
    expect(gts.failures[0]!.message).toBe("contacts_test.go:12: got 1 contacts, want 2");
    expect(gts.failures[0]!.detail).toContain("=== RUN   TestAdd\n");
    expect(gts.failures[1]!.detail).toContain("undefined: CloseDeal\nFAIL\tgithub.com/acme/crm/deals [build failed]");
  });

  it("reads a bare <testsuite> root and a file attribute on the suite", () => {
    const r = parseJUnit(
      `<testsuite name="contacts" file="./test/contacts.spec.js"><testcase name="adds"><failure message="nope"/></testcase></testsuite>`,
    );
    expect(r.failures).toEqual([{ name: "adds", file: "test/contacts.spec.js", suite: "contacts", message: "nope" }]);
  });

  it("every failure it returns fits the TestFailure schema, however long the runner's text", () => {
    const long = "x".repeat(20_000);
    const r = parseJUnit(`<testsuite name="s"><testcase name="${long}" classname="c"><failure message="${long}">${long}</failure></testcase></testsuite>`);
    expect(r.failures).toHaveLength(1);
    expect(TestFailure.safeParse(r.failures[0]).success).toBe(true);
  });

  it("never throws on garbage: it names the problem", () => {
    for (const garbage of [fixture("garbage.xml"), "", "<html><body>502 Bad Gateway</body></html>", "\u0000\u0001", "<a><b></a>"]) {
      const r = parseJUnit(garbage);
      expect(r.failures).toEqual([]);
      expect(r.problems.length).toBeGreaterThan(0);
    }
  });

  it("keeps what a truncated file holds and says it was truncated", () => {
    const r = parseJUnit(fixture("truncated.xml"));
    expect(r.problems[0]).toMatch(/not well-formed XML/);
    expect(r.failures.map((f) => f.name)).toEqual(["a > b"]);
  });
});

describe("paths", () => {
  it("pytest classnames become module paths up to the first class", () => {
    expect(pytestFile("tests.api.test_contacts.TestCreate")).toBe("tests/api/test_contacts.py");
    expect(pytestFile("TestOnly")).toBeUndefined();
  });

  it("runner workspace prefixes and ./ are dropped", () => {
    expect(normalisePath("/home/runner/work/crm/crm/src/a.test.ts")).toBe("src/a.test.ts");
    expect(normalisePath("/__w/crm/crm/src/a.test.ts")).toBe("src/a.test.ts");
    expect(normalisePath(".\\src\\a.test.ts")).toBe("src/a.test.ts");
  });
});
