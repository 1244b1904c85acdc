#!/usr/bin/env node
/**
 * `npm run docs`: regenerates the README's configuration reference (between
 * `<!-- config-reference:start -->` and `<!-- config-reference:end -->`)
 * from the Config schema, and the cost table (between `<!-- costs:start -->`
 * and `<!-- costs:end -->`) from the budget code, through
 * src/mission/config-docs.ts. That module
 * is bundled with esbuild into a temporary file and imported, so no build of
 * lib/ is needed. test/unit/config-docs.test.ts fails when the README is out
 * of date.
 */
import { build } from "esbuild";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

// bundled to a temporary file (its CommonJS dependencies get a `require`), imported, removed
const scratch = mkdtempSync(join(tmpdir(), "mission-bot-docs-"));
let withConfigReference;
let withCostTable;
try {
  const outfile = join(scratch, "config-docs.mjs");
  await build({
    absWorkingDir: root,
    entryPoints: ["src/mission/config-docs.ts"],
    outfile,
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    banner: { js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' },
    logLevel: "warning",
  });
  ({ withConfigReference, withCostTable } = await import(pathToFileURL(outfile).href));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const readmePath = join(root, "README.md");
const before = readFileSync(readmePath, "utf8");
const after = withCostTable(withConfigReference(before));
if (after === before) {
  console.log("README.md: the configuration reference and the cost table are up to date");
} else {
  writeFileSync(readmePath, after);
  console.log("README.md: regenerated the configuration reference and the cost table");
}
