import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "node",
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Vitest's default is one worker less than the cores: one on CI's two. Most of a test's time is spent waiting
    // (the twin over HTTP, an app process, git, Redis), so three files at once keep two cores busy.
    maxWorkers: 3,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["test/**/*.test.ts"], exclude: ["test/e2e/**", "**/node_modules/**"] },
      },
      {
        // the app in its own process over HTTP against the GitHub twin: built once, before
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/e2e/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
