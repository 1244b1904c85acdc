/**
 * `mission-bot init [--action owner/repo@ref] [--force]`: sets up the
 * repository in the current directory for mission-bot. Writes the worker,
 * pulse and validation workflows, the mission issue form and a commented
 * `.github/mission.yml` from the package's templates/, with the Action's
 * placeholder replaced; keeps every file that exists unless --force; then
 * prints what is still needed (secrets, the App's permissions).
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { CliCommand, CliIo } from "../cli.js";
import { appNeeds, appTokenRequests, LEVEL, secretsUsed, ungranted } from "./needs.js";
import {
  ACTION_PLACEHOLDER,
  defaultAction,
  FALLBACK_ACTION,
  isActionReference,
  readPackageFile,
  readTemplate,
  SETUP_FILES,
  withAction,
} from "./setup-files.js";

const USAGE = `Usage: mission-bot init [--action <owner/repo@ref>] [--actions-only] [--force]

Sets up the git repository in the current directory for mission-bot:
${SETUP_FILES.map((f) => `  ${f.path}${f.actionsOnly ? "  (with --actions-only)" : ""}`).join("\n")}
A file that exists is kept ("exists, kept") unless --force is given.

  --action <owner/repo@ref>  the mission-bot Action the workflows use, in
                             place of ${ACTION_PLACEHOLDER}; default: from
                             mission-bot's package.json repository field, or
                             ${FALLBACK_ACTION}
  --actions-only             run mission-bot through Actions alone, without
                             the App: also write the command workflow
  --force                    overwrite files that exist
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

async function run(args: string[], io: CliIo): Promise<number> {
  let values: { action?: string; force?: boolean; help?: boolean; "actions-only"?: boolean };
  try {
    const parsed = parseArgs({
      args,
      options: { action: { type: "string" }, force: { type: "boolean" }, "actions-only": { type: "boolean" }, help: { type: "boolean", short: "h" } },
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
  if (values.action !== undefined && !isActionReference(values.action)) {
    io.stderr(`mission-bot init: --action must look like owner/repo@ref (e.g. acme/mission-bot@v1), not ${JSON.stringify(values.action)}.\n`);
    return 2;
  }

  const root = repositoryRootOf(io.cwd);
  if (!root) {
    io.stderr(`mission-bot init: ${io.cwd} is not in a git repository: run it in the repository mission-bot should work on.\n`);
    return 1;
  }

  const { action, from } = values.action
    ? { action: values.action, from: "--action" }
    : defaultAction(JSON.parse(await readPackageFile("package.json")) as { repository?: string });
  io.stdout(`mission-bot init: setting up ${root}\nThe workflows use the Action ${action} (from ${from}).\n\n`);

  const workflows: { path: string; text: string }[] = [];
  const width = Math.max(...["wrote", "overwrote", "exists, kept"].map((s) => s.length));
  for (const file of SETUP_FILES.filter((f) => !f.actionsOnly || values["actions-only"])) {
    const target = join(root, file.path);
    const exists = existsSync(target);
    if (exists && !values.force) {
      io.stdout(`  ${"exists, kept".padEnd(width)}  ${file.path}\n`);
      if (file.kind === "workflow") workflows.push({ path: file.path, text: await readFile(target, "utf8") });
      continue;
    }
    const text = withAction(await readTemplate(file.template), action);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
    if (file.kind === "workflow") workflows.push({ path: file.path, text });
    io.stdout(`  ${(exists ? "overwrote" : "wrote").padEnd(width)}  ${file.path}\n`);
  }

  io.stdout(`\n${await nextSteps(workflows)}`);
  return 0;
}

async function nextSteps(workflows: { path: string; text: string }[]): Promise<string> {
  const secrets = secretsUsed(workflows.map((w) => w.text));
  const app = appNeeds(await readPackageFile("app.yml"));
  const requests = appTokenRequests(workflows);
  // each permission at the highest level any workflow asks for it
  const highest = new Map<string, string>();
  for (const r of requests) if ((LEVEL[r.access] ?? 0) > (LEVEL[highest.get(r.permission) ?? ""] ?? 0)) highest.set(r.permission, r.access);
  const asked = [...highest].map(([permission, access]) => `${permission}: ${access}`).sort();
  const missing = ungranted(requests, app);
  const nameWidth = Math.max(...secrets.map((s) => s.name.length));
  const lines = [
    "Still to do:",
    "",
    "1. Commit these files and push them to the default branch: GitHub runs dispatched and scheduled workflows from there.",
    "",
    "2. Add these repository secrets (Settings → Secrets and variables → Actions):",
    ...secrets.map((s) => `     ${s.name.padEnd(nameWidth)}  ${s.optional ? "(optional) " : ""}${s.what}`),
    "",
    "3. Install the mission-bot GitHub App on this repository. It needs these permissions:",
    ...app.permissions.map((p) => `     ${`${p.name}: ${p.access}`.padEnd(16)}  ${p.why}`),
    `   and these events: ${app.events.map((e) => e.name).join(", ")}.`,
    ...(asked.length ? [`   The workflows ask the App's token for ${asked.join(", ")}: with the App's key in the secrets, each must be granted.`] : []),
    ...missing.map((r) => `   WARNING: ${r.workflow} (job ${r.job}) asks for ${r.permission}: ${r.access}, which the App is not granted: GitHub will refuse its token.`),
    "   Or run mission-bot through Actions only, without the App (README: Deploy → Actions only).",
    "",
    "4. Full mode without the App's key: allow GitHub Actions to create pull requests",
    "   (Settings → Actions → General → Workflow permissions).",
    "",
    "5. Check the setup with `mission-bot doctor`.",
  ];
  return `${lines.join("\n")}\n`;
}
