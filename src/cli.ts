#!/usr/bin/env node
/**
 * The `mission-bot` command line. Thin: each command lives in
 * src/cli/<command>.ts, parses its own arguments (node:util parseArgs) and
 * returns an exit code; this file only picks the command.
 * Exit codes: 0 done, 1 the command failed (a missing or invalid file, …),
 * 2 the command line itself is wrong.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface CliIo {
  /** the directory paths and mission ids are read from: the repository's root */
  cwd: string;
  stdout(s: string): void;
  stderr(s: string): void;
  /** the current time as an ISO string; default: the clock */
  now?: () => string;
  /** the environment; default process.env */
  env?: Record<string, string | undefined>;
  /** where a command reads typed lines from; default process.stdin */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

export interface CliCommand {
  /** one line for `mission-bot --help` */
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** Loaded on demand, so one command's dependencies do not slow the others. */
const COMMANDS: Record<string, () => Promise<CliCommand>> = {
  init: async () => (await import("./cli/init.js")).initCommand,
  doctor: async () => (await import("./cli/doctor.js")).doctorCommand,
  budget: async () => (await import("./cli/budget.js")).budgetCommand,
  sandbox: async () => (await import("./cli/sandbox.js")).sandboxCommand,
  register: async () => (await import("./cli/register.js")).registerCommand,
  dashboard: async () => (await import("./cli/dashboard.js")).dashboardCommand,
  learn: async () => (await import("./cli/learn.js")).learnCommand,
};

async function usage(): Promise<string> {
  const lines = ["Usage: mission-bot <command> [options]", "", "Commands:"];
  for (const [name, load] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${(await load()).summary}`);
  lines.push("", "Run `mission-bot <command> --help` for a command's options.");
  return `${lines.join("\n")}\n`;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === "--help" || name === "-h" || name === "help") {
    io.stdout(await usage());
    return 0;
  }
  if (name === undefined) {
    io.stderr(await usage());
    return 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr(`mission-bot: "${name}" is not a command.\n\n${await usage()}`);
    return 2;
  }
  return (await load()).run(args, io);
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  runCli(process.argv.slice(2), {
    cwd: process.cwd(),
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`mission-bot: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
