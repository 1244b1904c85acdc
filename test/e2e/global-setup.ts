/**
 * Build the app once, as `npm start` does (`tsc -p tsconfig.build.json` →
 * lib/), before the end-to-end suites start it with `node
 * lib/server.js`. Type errors do not stop the build (tsc still emits; the
 * typecheck is `npm run typecheck`'s job); a missing lib/server.js does.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, encoding: "utf8" });
  if (!existsSync(join(root, "lib/server.js"))) {
    throw new Error(`the build wrote no lib/server.js:\n${result.stdout}\n${result.stderr}`);
  }
  if (result.status !== 0) console.warn(`[e2e] tsc reported errors; testing what it emitted:\n${result.stdout.slice(0, 2000)}`);
}
