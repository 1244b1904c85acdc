/**
 * The results directory of a validation job, emptied before the job writes
 * to it: it lies in the checkout of the branch under validation, which
 * agents wrote, and a results.json or browser.json committed there would
 * otherwise be uploaded as if the job had written it.
 */
import { mkdirSync, rmSync } from "node:fs";
import { relative } from "node:path";

export function freshResultsDir(workspace: string, out: string): void {
  const rel = relative(workspace, out);
  if (!rel || rel.startsWith("..") || rel.startsWith("/")) throw new Error(`results-dir must be a directory inside the checkout, not ${out}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
}
