/**
 * The agent CLI a worker runs: Claude Code at the exact version in
 * agent-cli/package-lock.json of this Action (each package's integrity
 * checked by npm), installed with `npm ci --ignore-scripts` into a
 * directory the agent's container mounts read-only. Nothing is fetched at
 * a floating version, and no install script runs: Claude Code's launcher
 * (cli-wrapper.cjs) starts the platform's native binary itself.
 */
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** agent-cli/ beside dist/ (the bundled Action) or two levels up from src/worker/ (tests). */
export function agentCliSource(): string {
  for (const relative of ["../agent-cli/", "../../agent-cli/"]) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(join(dir, "package-lock.json"))) return dir;
  }
  throw new Error("this Action has no agent-cli/package-lock.json: it cannot install the agent CLI");
}

export async function installAgentCli(target: string, source = agentCliSource()): Promise<string> {
  mkdirSync(target, { recursive: true });
  for (const file of ["package.json", "package-lock.json"]) copyFileSync(join(source, file), join(target, file));
  await new Promise<void>((resolve, reject) => {
    execFile(
      "npm",
      ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--omit=dev", "--loglevel=error"],
      { cwd: target, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      (error, _stdout, stderr) => (error ? reject(new Error(`npm ci of the agent CLI failed: ${stderr.trim().split("\n").slice(-3).join(" ")}`)) : resolve()),
    );
  });
  return target;
}
