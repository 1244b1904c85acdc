/**
 * `mission-bot sandbox`: rehearse a mission with no GitHub at all. The real
 * app runs against the GitHub twin on loopback; you command it from the
 * terminal and read its comments and the dashboard as plain text. See
 * src/sandbox/.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { parseArgs } from "node:util";
import type { CliCommand, CliIo } from "../cli.js";
import { Sandbox, NAME, OWNER, USER } from "../sandbox/sandbox.js";
import { LOCAL_WORKER, SIMULATED_VALIDATION, SIMULATED_WORKER } from "../sandbox/runners.js";
import { lineSource, runSession, SESSION_HELP, type LineSource } from "../sandbox/session.js";
import { FAULT_HELP, isFault } from "../sandbox/faults.js";
import { indent, plainText, rule } from "../sandbox/terminal.js";

const USAGE = `Usage: mission-bot sandbox [options]

Rehearses a mission on your machine, with no GitHub account and no
credentials: the real mission-bot app runs against an in-memory GitHub
stand-in on loopback, seeded with the repository ${OWNER}/${NAME} (the workflow
templates, a .github/mission.yml) and a tracking issue holding an outline.
You are "${USER}", with write access; type /mission commands and read the
bot's comments and the dashboard here.

Simulated: GitHub itself; the worker runs (${SIMULATED_WORKER}: no agent runs,
a plausible report is posted and the feature issue closed), unless a worker
command and --repo are given; every validation (${SIMULATED_VALIDATION}: it
passes, no command runs). Real: the app, its planning from the outline (or
Claude when ANTHROPIC_API_KEY is set), its reconcile, the budget and the pulse.

Options:
  --outline <file>         the tracking issue's body (default: a sample outline,
                           3 milestones of 2 features)
  --title <text>           the tracking issue's title (default: "Sandbox mission")
  --script <file>          read the lines from a file instead of the terminal
                           (also when stdin is not a terminal); at its end, time
                           passes until the mission is over or waits for you
  --repo <path>            a local git repository: with a worker command, each
                           worker runs the command in a git worktree of it
                           (${LOCAL_WORKER}) and commits there, never pushing
  --worker-command <cmd>   the agent command (worker.command in the sandbox's
                           .github/mission.yml); the prompt is in
                           $MISSION_PROMPT_FILE
  --simulate <fault>       make something go wrong the next time it can (repeat
                           for several; /simulate does it during a session):
${FAULT_HELP}
  --verbose                the app's own log (JSON) on stdout
  -h, --help               this help

${SESSION_HELP}`;

export const sandboxCommand: CliCommand = {
  summary: "rehearse a mission locally, against a GitHub stand-in (no GitHub needed)",
  usage: USAGE,
  run,
};

const git = promisify(execFile);

async function run(args: string[], io: CliIo): Promise<number> {
  let values: { outline?: string; title?: string; script?: string; repo?: string; "worker-command"?: string; simulate?: string[]; verbose?: boolean; help?: boolean };
  try {
    const parsed = parseArgs({
      args,
      options: {
        outline: { type: "string" },
        title: { type: "string" },
        script: { type: "string" },
        repo: { type: "string" },
        "worker-command": { type: "string" },
        simulate: { type: "string", multiple: true },
        verbose: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
      strict: true,
    });
    values = parsed.values;
  } catch (error) {
    io.stderr(`mission-bot sandbox: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }

  const unknown = (values.simulate ?? []).filter((f) => !isFault(f));
  if (unknown.length) {
    io.stderr(`mission-bot sandbox: --simulate ${unknown.join(", ")}: not a fault the sandbox can simulate. These are:\n${FAULT_HELP}\n`);
    return 2;
  }

  const read = async (what: string, path: string): Promise<string | undefined> => {
    try {
      return await readFile(resolve(io.cwd, path), "utf8");
    } catch (error) {
      io.stderr(`mission-bot sandbox: cannot read the ${what} ${path}: ${(error as Error).message}\n`);
      return undefined;
    }
  };
  const outline = values.outline !== undefined ? await read("outline", values.outline) : undefined;
  if (values.outline !== undefined && outline === undefined) return 1;
  const script = values.script !== undefined ? await read("script", values.script) : undefined;
  if (values.script !== undefined && script === undefined) return 1;
  let localRepo: string | undefined;
  if (values.repo !== undefined) {
    localRepo = resolve(io.cwd, values.repo);
    try {
      localRepo = (await git("git", ["rev-parse", "--show-toplevel"], { cwd: localRepo })).stdout.trim();
    } catch {
      io.stderr(`mission-bot sandbox: --repo ${values.repo} is not a git repository\n`);
      return 1;
    }
  }

  const env = io.env ?? process.env;
  const stdin = io.stdin ?? process.stdin;
  const interactive = script === undefined && Boolean((stdin as { isTTY?: boolean }).isTTY);
  const print = (s: string) => io.stdout(s);

  const sandbox = await Sandbox.start({
    env,
    ...(values.title !== undefined ? { title: values.title } : {}),
    ...(outline !== undefined ? { outline } : {}),
    ...(values["worker-command"] !== undefined ? { workerCommand: values["worker-command"] } : {}),
    ...(localRepo !== undefined ? { localRepo } : {}),
    ...(values.verbose ? { logLevel: "info" as const } : {}),
    print,
    warn: (s) => io.stderr(`${s}\n`),
  });
  let rl: ReturnType<typeof createInterface> | undefined;
  try {
    for (const fault of values.simulate ?? []) if (isFault(fault)) sandbox.simulate(fault);
    const config = sandbox.config();
    const command = config.worker.command;
    const workers =
      command && localRepo
        ? `local: \`${command}\` in git worktrees of ${localRepo} ${LOCAL_WORKER}`
        : `simulated ${SIMULATED_WORKER}: no agent runs; a plausible report is posted and the feature issue closed` +
          (command ? ` (worker.command is set, but no --repo to run it in)` : localRepo ? ` (--repo without a worker command: give --worker-command)` : "");
    const planner =
      config.planner.provider === "outline" || !env[config.planner.api_key_env]
        ? "from the outline in the tracking issue"
        : `Claude (${config.planner.api_key_env} is set: planning calls Anthropic's API)`;
    const issue = sandbox.twin.issue(sandbox.tracking, sandbox.repo);
    print(
      [
        rule("mission-bot sandbox"),
        `GitHub:     a stand-in at ${sandbox.server.url} (in memory; gone when the sandbox stops)`,
        `repository: ${sandbox.repo} · you are "${USER}" (write access) · the app is mission-bot[bot]`,
        `planner:    ${planner}`,
        `workers:    ${workers}`,
        `validation: simulated ${SIMULATED_VALIDATION}: every milestone passes, no command runs`,
        `pulse:      runs after every input; the clock moves by each round's longest run (at least 15 minutes)`,
        "",
        rule(`tracking issue #${issue.number} “${issue.title}”`),
        indent(plainText(issue.body ?? "")),
        "",
        interactive ? SESSION_HELP : "",
      ].join("\n"),
    );

    let source: LineSource;
    if (script !== undefined) {
      source = lineSource(script.replace(/\r\n?/g, "\n").replace(/\n$/, "").split("\n"));
    } else {
      // On a terminal, readline edits the line and keeps a history (up and down arrows); it draws the prompt itself,
      // so a line redrawn while being edited keeps it. From a pipe, plain lines.
      rl = interactive ? createInterface({ input: stdin, output: process.stdout, terminal: true, historySize: 200 }) : createInterface({ input: stdin, terminal: false });
      const reader = rl;
      source = { ...lineSource(reader), ...(interactive ? { prompt: (text: string) => (reader.setPrompt(text), reader.prompt()) } : {}) };
    }
    await runSession(sandbox, source, { interactive, print });
    return 0;
  } finally {
    rl?.close();
    await sandbox.stop();
  }
}
