/**
 * `mission-bot init --action owner/repo@ref [--actions-only] [--pulse-every N]
 * [--force | --upgrade]`: sets up the repository in the current directory for
 * mission-bot. Writes the worker, pulse and validation workflows, the mission
 * issue form and a commented `.github/mission.yml` from the package's
 * templates/, with the Action's placeholder replaced; keeps every file that
 * exists unless --force; --upgrade brings the workflows to this version's
 * templates and shows the diff; then prints what is still needed.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { createTwoFilesPatch } from "diff";
import type { CliCommand, CliIo } from "../cli.js";
import { appNeeds, appTokenRequests, LEVEL, secretsUsed, ungranted } from "./needs.js";
import { pulseCost, pulseCron, PULSE_MINUTES } from "../mission/pulse-interval.js";
import {
  ACTION_PLACEHOLDER,
  actionIn,
  actionReferenceProblem,
  defaultAction,
  PULSE_WORKFLOW,
  readPackageFile,
  readTemplate,
  SETUP_FILES,
  withAction,
  type SetupFile,
} from "./setup-files.js";

const USAGE = `Usage: mission-bot init --action <owner/repo@ref> [--actions-only] [--pulse-every <minutes>] [--force | --upgrade]

Sets up the git repository in the current directory for mission-bot:
${SETUP_FILES.map((f) => `  ${f.path}${f.actionsOnly ? "  (with --actions-only)" : ""}`).join("\n")}
A file that exists is kept ("exists, kept") unless --force is given.

  --action <owner/repo@ref>  the mission-bot Action the workflows call, in
                             place of ${ACTION_PLACEHOLDER}: your fork of
                             mission-bot or a release of it (README: Install).
                             Asked for on a terminal; required otherwise
  --actions-only             run mission-bot through Actions alone, without
                             the App: also write the command and pulse workflows
  --pulse-every <minutes>    how often the pulse runs (${PULSE_MINUTES.join(", ")}; default 15);
                             each run is a billed Actions minute on a private repository
  --force                    overwrite files that exist
  --upgrade                  rewrite the workflows that differ from this
                             version's templates, keeping their Action
                             reference, and print each change as a diff
`;

export const initCommand: CliCommand = {
  summary: "write mission-bot's workflows, issue form and settings into this repository",
  usage: USAGE,
  run,
};

/** The repository holding `dir`: the nearest directory upwards with a .git. */
export function repositoryRootOf(dir: string): string | null {
  for (let at = resolve(dir); ; at = dirname(at)) {
    if (existsSync(join(at, ".git"))) return at;
    if (dirname(at) === at) return null;
  }
}

interface Options {
  action?: string;
  force?: boolean;
  upgrade?: boolean;
  help?: boolean;
  "actions-only"?: boolean;
  "pulse-every"?: string;
}

async function run(args: string[], io: CliIo): Promise<number> {
  let values: Options;
  try {
    const parsed = parseArgs({
      args,
      options: {
        action: { type: "string" },
        force: { type: "boolean" },
        upgrade: { type: "boolean" },
        "actions-only": { type: "boolean" },
        "pulse-every": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    });
    values = parsed.values;
  } catch (error) {
    io.stderr(`mission-bot init: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (values.force && values.upgrade) {
    io.stderr("mission-bot init: --force overwrites every file and --upgrade only the workflows that changed: give one of them.\n");
    return 2;
  }
  const minutes = values["pulse-every"] === undefined ? 15 : Number(values["pulse-every"]);
  if (!PULSE_MINUTES.includes(minutes)) {
    io.stderr(`mission-bot init: --pulse-every takes ${PULSE_MINUTES.join(", ")} (minutes), not ${JSON.stringify(values["pulse-every"])}.\n`);
    return 2;
  }
  if (values.action !== undefined) {
    const problem = actionReferenceProblem(values.action);
    if (problem) {
      io.stderr(`mission-bot init: --action ${problem}.\n`);
      return 2;
    }
  }

  const root = repositoryRootOf(io.cwd);
  if (!root) {
    io.stderr(`mission-bot init: ${io.cwd} is not in a git repository: run it in the repository mission-bot should work on.\n`);
    return 1;
  }
  const files = SETUP_FILES.filter((f) => !f.actionsOnly || values["actions-only"] || (values.upgrade && existsSync(join(root, f.path))));
  const write = (file: SetupFile, template: string, action: string) => {
    const text = withAction(template, action);
    return file.path === PULSE_WORKFLOW ? text.replace(/cron: "[^"]*"/, `cron: "${pulseCron(minutes)}"`) : text;
  };

  if (values.upgrade) return upgrade(root, files, values.action, write, io);

  const chosen = values.action
    ? { action: values.action, from: "--action" }
    : (defaultAction(JSON.parse(await readPackageFile("package.json")) as { repository?: string }) ?? (await askForAction(io)));
  if (!chosen) {
    io.stderr(
      "mission-bot init: which mission-bot Action should the workflows call? Give it with --action owner/repo@ref:\n" +
        "your fork of mission-bot (e.g. --action acme/mission-bot@main), or a release of it (e.g. --action acme/mission-bot@v1).\n" +
        "README → Install says how to make one. Nothing was written.\n",
    );
    return 2;
  }
  const { action, from } = chosen;
  io.stdout(`mission-bot init: setting up ${root}\nThe workflows use the Action ${action} (from ${from}).\n\n`);

  const workflows: { path: string; text: string }[] = [];
  const width = Math.max(...["wrote", "overwrote", "exists, kept"].map((s) => s.length));
  for (const file of files) {
    const target = join(root, file.path);
    const exists = existsSync(target);
    if (exists && !values.force) {
      io.stdout(`  ${"exists, kept".padEnd(width)}  ${file.path}\n`);
      if (file.kind === "workflow") workflows.push({ path: file.path, text: await readFile(target, "utf8") });
      continue;
    }
    const text = write(file, await readTemplate(file.template), action);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
    if (file.kind === "workflow") workflows.push({ path: file.path, text });
    io.stdout(`  ${(exists ? "overwrote" : "wrote").padEnd(width)}  ${file.path}\n`);
  }

  io.stdout(`\n${await nextSteps(workflows, Boolean(values["actions-only"]), minutes)}`);
  return 0;
}

/** On a terminal: ask for the Action's reference until it is one (empty: give up). */
async function askForAction(io: CliIo): Promise<{ action: string; from: string } | null> {
  const stdin = io.stdin ?? process.stdin;
  if (!stdin.isTTY) return null;
  const rl = createInterface({ input: stdin, output: process.stdout, terminal: true });
  try {
    for (;;) {
      const answer = (await rl.question("The mission-bot Action the workflows call (owner/repo@ref, e.g. acme/mission-bot@v1): ")).trim();
      if (!answer) return null;
      const problem = actionReferenceProblem(answer);
      if (!problem) return { action: answer, from: "your answer" };
      io.stderr(`It ${problem}.\n`);
    }
  } finally {
    rl.close();
  }
}

/**
 * `init --upgrade`: each workflow that exists and differs from this version's
 * template is rewritten from it, with the Action reference the file already
 * calls (or --action's), and the change printed as a unified diff. Workflows
 * that are current are left alone; nothing else is touched.
 */
async function upgrade(
  root: string,
  files: readonly SetupFile[],
  newAction: string | undefined,
  write: (file: SetupFile, template: string, action: string) => string,
  io: CliIo,
): Promise<number> {
  io.stdout(`mission-bot init --upgrade: ${root}\n\n`);
  let changed = 0;
  let refused = 0;
  for (const file of files.filter((f) => f.kind === "workflow")) {
    const target = join(root, file.path);
    if (!existsSync(target)) {
      io.stdout(`  missing    ${file.path} (\`mission-bot init\` writes it)\n`);
      continue;
    }
    const before = await readFile(target, "utf8");
    const template = await readTemplate(file.template);
    const action = newAction ?? actionIn(before, template);
    if (!action || actionReferenceProblem(action)) {
      io.stderr(`  ${file.path}: could not tell which mission-bot Action it calls: give it with --action owner/repo@ref.\n`);
      refused++;
      continue;
    }
    let after = write(file, template, action);
    if (file.path === PULSE_WORKFLOW) {
      // the schedule is the repository's choice: keep the one it has
      const cron = /cron: "([^"]*)"/.exec(before)?.[1];
      if (cron) after = after.replace(/cron: "[^"]*"/, `cron: "${cron}"`);
    }
    if (after === before) {
      io.stdout(`  current    ${file.path}\n`);
      continue;
    }
    await writeFile(target, after);
    changed++;
    io.stdout(`  upgraded   ${file.path}\n${createTwoFilesPatch(`a/${file.path}`, `b/${file.path}`, before, after, "", "", { context: 2 })}\n`);
  }
  io.stdout(changed ? `\n${changed} workflow${changed === 1 ? "" : "s"} upgraded: review the diff, commit and push them to the default branch.\n` : "\nEvery workflow is current.\n");
  return refused ? 1 : 0;
}

async function nextSteps(workflows: { path: string; text: string }[], actionsOnly: boolean, pulseMinutes: number): Promise<string> {
  const secrets = secretsUsed(workflows.map((w) => w.text));
  const app = appNeeds(await readPackageFile("app.yml"));
  const requests = appTokenRequests(workflows);
  // each permission at the highest level any workflow asks for it
  const highest = new Map<string, string>();
  for (const r of requests) if ((LEVEL[r.access] ?? 0) > (LEVEL[highest.get(r.permission) ?? ""] ?? 0)) highest.set(r.permission, r.access);
  const asked = [...highest].map(([permission, access]) => `${permission}: ${access}`).sort();
  const missing = ungranted(requests, app);
  const nameWidth = Math.max(...secrets.map((s) => s.name.length));
  const commit = ["1. Commit these files and push them to the default branch: GitHub runs dispatched and scheduled workflows from there.", ""];
  const secretLines = [
    "2. Add these repository secrets (Settings → Secrets and variables → Actions):",
    ...secrets.map((s) => `     ${s.name.padEnd(nameWidth)}  ${s.optional ? "(optional) " : ""}${s.what}`),
    "",
  ];
  const tokenWarnings = missing.map((r) => `   WARNING: ${r.workflow} (job ${r.job}) asks for ${r.permission}: ${r.access}, which the App is not granted: GitHub will refuse its token.`);
  if (actionsOnly) {
    const cost = pulseCost(pulseMinutes);
    const lines = [
      "Still to do (mission-bot through Actions alone: do not also install the mission-bot App, or every command is answered twice):",
      "",
      ...commit,
      ...secretLines,
      "3. Allow GitHub Actions to create pull requests if missions run in Full mode",
      "   (Settings → Actions → General → Workflow permissions → Allow GitHub Actions to create and approve pull requests).",
      ...tokenWarnings,
      "",
      `4. The pulse runs every ${pulseMinutes} minutes: ${cost.runsPerDay} runs a day, about ${cost.billedMinutesPerMonth.toLocaleString("en-US")} billed minutes a month on a private repository`,
      "   (public repositories are not billed). `mission-bot init --upgrade --pulse-every <minutes>` changes it.",
      "",
      "5. Check the setup with `mission-bot doctor`, then comment `/mission <goal>` on an issue.",
    ];
    return `${lines.join("\n")}\n`;
  }
  const lines = [
    "Still to do:",
    "",
    ...commit,
    ...secretLines,
    "3. Install the mission-bot GitHub App on this repository. It needs these permissions:",
    ...app.permissions.map((p) => `     ${`${p.name}: ${p.access}`.padEnd(16)}  ${p.why}`),
    `   and these events: ${app.events.map((e) => e.name).join(", ")}.`,
    ...(asked.length ? [`   The workflows ask the App's token for ${asked.join(", ")}: with the App's key in the secrets, each must be granted.`] : []),
    ...tokenWarnings,
    "   Or run mission-bot through Actions only, without the App: `mission-bot init --actions-only` (README: Deploy → Actions only).",
    "",
    "4. Full mode without the App's key: allow GitHub Actions to create pull requests",
    "   (Settings → Actions → General → Workflow permissions).",
    "",
    "5. Check the setup with `mission-bot doctor`.",
  ];
  return `${lines.join("\n")}\n`;
}
