/**
 * dist/index.js is what action.yml runs: it must be the bundle of the
 * current source, and it must start in a bare Action environment (no
 * node_modules, none of Probot's optional packages) and fail with the
 * mode's own message, not a module error.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const committed = join(root, "dist", "index.js");
const scratch = mkdtempSync(join(tmpdir(), "mission-bot-dist-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the committed bundle from a directory without node_modules, with only the given environment. */
function action(env: Record<string, string>): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [committed], {
    cwd: scratch,
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("dist/index.js", () => {
  it("is the bundle of the current source", () => {
    const outfile = join(scratch, "index.js");
    const build = spawnSync(process.execPath, [join(root, "scripts", "bundle.mjs"), "--outfile", outfile], { cwd: root, encoding: "utf8" });
    expect(build.status, build.stderr).toBe(0);
    const fresh = readFileSync(outfile, "utf8");
    const current = readFileSync(committed, "utf8");
    if (fresh !== current) expect.fail("dist/ is out of date: run npm run package");
  });

  it("fails with the Action's own message outside GitHub Actions", () => {
    const r = action({ INPUT_MODE: "pulse", "INPUT_GITHUB-TOKEN": "t0ken" });
    expect(r.status).toBe(1);
    expect(r.out).toContain("::error::GITHUB_REPOSITORY is not set: run this inside GitHub Actions");
    expect(r.out).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)|Dynamic require/);
  });

  it("loads every mode and reports each one's own error", () => {
    const base = { "INPUT_GITHUB-TOKEN": "t0ken", GITHUB_REPOSITORY: "octo/repo" };
    for (const mode of ["prompt", "report", "validate-report", "apply-patch"]) {
      const r = action({ ...base, INPUT_MODE: mode });
      expect(r.status, mode).toBe(1);
      expect(r.out, mode).toContain("::error::Input required and not supplied: mission");
    }
    const command = action({ ...base, INPUT_MODE: "command" });
    expect(command.out).toContain("::error::mode command runs on a workflow's event: GITHUB_EVENT_NAME is not set");
    const proxy = action({ ...base, INPUT_MODE: "proxy" });
    expect(proxy.out).toContain("::error::ANTHROPIC_API_KEY is not set in this step's environment");
    const unknown = action({ ...base, INPUT_MODE: "deploy" });
    expect(unknown.out).toContain('::error::unknown mode "deploy"');
    // seven runs of an 8.7 MiB bundle, one after another: about 15 s on an idle machine, more beside the suite's other files
  }, 90_000);
});
