/**
 * A new user's way in, as the README tells it: the package installed from a
 * packed tarball into an empty directory (what `npm install <git url>` and a
 * release both give), then `mission-bot --help`, `init` and `doctor` in a
 * fresh repository. The installed package has only its own dependencies.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const exec = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
let work: string;
let bin: string;

/** Run a command; its exit code and output, never a throw. */
async function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await exec(cmd, args, { cwd, encoding: "utf8", timeout: 240_000, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, GITHUB_TOKEN: "", GH_TOKEN: "" } });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 1, out: e.stdout ?? "", err: e.stderr ?? "" };
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "mission-bot-install-"));
  // lib/ was built by the e2e setup, as `prepare` builds it for a git install and `prepack` for a release
  const packed = await run("npm", ["pack", "--ignore-scripts", "--pack-destination", work], root);
  expect(packed.code, packed.err).toBe(0);
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
  expect(tarball).toBeDefined();
  const app = join(work, "app");
  await run("mkdir", ["-p", app], work);
  expect((await run("npm", ["init", "-y"], app)).code).toBe(0);
  const installed = await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", join(work, tarball!)], app);
  expect(installed.code, installed.err).toBe(0);
  bin = join(app, "node_modules/.bin/mission-bot");
}, 300_000);
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("installing mission-bot from its package", () => {
  it("answers --help, sets up a repository with init, and doctor names what is left to do until it is healthy", async () => {
    expect(existsSync(bin)).toBe(true);
    const help = await run(bin, ["--help"], work);
    expect(help.code, help.err).toBe(0);
    expect(help.out).toMatch(/init +write mission-bot's workflows/);

    const repo = join(work, "demo");
    expect((await run("git", ["init", "-q", "-b", "main", repo], work)).code).toBe(0);
    const refused = await run(bin, ["init"], repo);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("--action owner/repo@ref");

    const init = await run(bin, ["init", "--action", "me/mission-bot@v1"], repo);
    expect(init.code, init.err).toBe(0);
    expect(init.out).toContain("The workflows use the Action me/mission-bot@v1 (from --action).");

    const first = await run(bin, ["doctor"], repo);
    expect(first.code).toBe(1);
    expect(first.out).toMatch(/^FIX +\.github\/workflows\/mission-worker\.yml: not committed on main: .*Commit it and push$/m);

    expect((await run("git", ["-C", repo, "add", "-A"], repo)).code).toBe(0);
    expect((await run("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "mission-bot"], repo)).code).toBe(0);
    const healthy = await run(bin, ["doctor"], repo);
    expect(healthy.out).not.toMatch(/^FIX/m);
    expect(healthy.code, healthy.out).toBe(0);
    expect(healthy.out).toContain("Healthy");
  });
});
