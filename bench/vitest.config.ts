/** `npm run bench`: the benchmarks print tables (and write bench/RESULTS.md); nothing is asserted about time. */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["bench/**/*.bench.ts"],
    environment: "node",
    globalSetup: ["test/e2e/global-setup.ts"],
    testTimeout: 600_000,
    // one bench file at a time: files running side by side would skew each other's figures
    fileParallelism: false,
    hookTimeout: 60_000,
    // the tables are the output
    silent: false,
  },
});
