/**
 * git as the worker's steps run it on a checkout the agent has worked in:
 * no hooks, no fsmonitor, no external diff or textconv programs, and no
 * configuration but the repository's own (no system or global config, so
 * no filter driver a runner happens to define, such as git-lfs's). The
 * agent could not change .git itself (it was mounted read-only in its
 * container), but nothing here runs a program the working tree names.
 */
import { execFile } from "node:child_process";

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

const SAFE = ["-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "-c", "core.quotePath=false", "-c", "diff.external=", "-c", "core.pager=cat"];

export function git(cwd: string, args: readonly string[], env: Record<string, string> = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      [...SAFE, ...args],
      {
        cwd,
        encoding: "buffer",
        maxBuffer: 512 * 1024 * 1024,
        env: {
          ...process.env,
          GIT_CONFIG_NOSYSTEM: "1",
          GIT_CONFIG_GLOBAL: "/dev/null",
          GIT_TERMINAL_PROMPT: "0",
          GIT_PAGER: "cat",
          ...env,
        },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof (error as { code?: unknown }).code === "number" ? ((error as { code: number }).code) : -1) : 0;
        if (error && code === -1) return reject(error);
        resolve({ code, stdout: stdout as Buffer, stderr: (stderr as Buffer).toString("utf8") });
      },
    );
    child.stdin?.end();
  });
}

/** git that must succeed: its stdout as text, or an error naming the command and git's message. */
export async function gitOk(cwd: string, args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  const r = await git(cwd, args, env);
  if (r.code !== 0) throw new Error(`git ${args[0]} failed: ${r.stderr.trim().split("\n").slice(-3).join(" ") || `exit ${r.code}`}`);
  return r.stdout.toString("utf8");
}
