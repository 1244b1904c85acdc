#!/usr/bin/env node
/**
 * `npm run pictures`: the README's pictures of the plan comment, the
 * dashboard and the completion report, rendered from the bot's own markdown
 * in Debian's Chromium (scripts/pictures/render.ts) into docs/pictures/.
 * Bundled with esbuild like scripts/docs.mjs, so no build of lib/ is needed.
 */
import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const scratch = mkdtempSync(join(root, "node_modules", ".pictures-"));
try {
  const outfile = join(scratch, "render.mjs");
  await build({
    absWorkingDir: root,
    entryPoints: ["scripts/pictures/render.ts"],
    outfile,
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    packages: "external",
    logLevel: "warning",
  });
  const { takePictures } = await import(pathToFileURL(outfile).href);
  for (const file of await takePictures(join(root, "docs/pictures"))) console.log(`wrote ${file.slice(root.length + 1)}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
