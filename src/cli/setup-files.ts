/**
 * What a repository's mission-bot setup consists of: the files `mission-bot
 * init` writes from templates/ and `mission-bot doctor` checks, the Action
 * placeholder the workflow templates carry, and the Action reference that
 * replaces it.
 */
import { readFile } from "node:fs/promises";
import { CONFIG_PATH } from "../mission/config.js";

/** The package's root: src/cli/ and lib/cli/ are both two levels down. */
const PACKAGE_ROOT = new URL("../../", import.meta.url);

/** How the workflow templates name mission-bot's Action until `init` replaces it. */
export const ACTION_PLACEHOLDER = "<owner>/mission-bot@v1";

/** References people copy from documentation: never a real Action. */
const DOCUMENTATION_ACTIONS = new Set(["owner/repo@ref", "owner/mission-bot@v1", "your-org/mission-bot@v1", "org/repo@ref"]);

export interface SetupFile {
  /** where it goes in the user's repository */
  path: string;
  /** its template, relative to templates/ */
  template: string;
  kind: "workflow" | "issue form" | "settings";
  /** without it mission-bot cannot work (the issue form and the settings have defaults or alternatives) */
  required: boolean;
  /** only for mission-bot through Actions alone (`init --actions-only`): with the App it would answer every command twice, and the App pulses by itself */
  actionsOnly?: boolean;
}

export const WORKER_WORKFLOW = ".github/workflows/mission-worker.yml";
export const VALIDATE_WORKFLOW = ".github/workflows/mission-validate.yml";
export const PULSE_WORKFLOW = ".github/workflows/mission-pulse.yml";
export const COMMAND_WORKFLOW = ".github/workflows/mission-command.yml";

export const SETUP_FILES: readonly SetupFile[] = [
  { path: WORKER_WORKFLOW, template: "workflows/mission-worker.yml", kind: "workflow", required: true },
  { path: PULSE_WORKFLOW, template: "workflows/mission-pulse.yml", kind: "workflow", required: false, actionsOnly: true },
  { path: VALIDATE_WORKFLOW, template: "workflows/mission-validate.yml", kind: "workflow", required: true },
  { path: ".github/ISSUE_TEMPLATE/mission.yml", template: "ISSUE_TEMPLATE/mission.yml", kind: "issue form", required: false },
  { path: CONFIG_PATH, template: "mission.yml", kind: "settings", required: false },
  { path: COMMAND_WORKFLOW, template: "workflows/mission-command.yml", kind: "workflow", required: false, actionsOnly: true },
];

export async function readTemplate(template: string): Promise<string> {
  return readFile(new URL(`templates/${template}`, PACKAGE_ROOT), "utf8");
}

export async function readPackageFile(path: string): Promise<string> {
  return readFile(new URL(path, PACKAGE_ROOT), "utf8");
}

/**
 * A template with the placeholder replaced by the Action's reference; the
 * comment lines that tell a person to replace it go with it.
 */
export function withAction(template: string, action: string): string {
  return template
    .split("\n")
    .filter((line) => !/^\s*# PLACEHOLDER:/.test(line))
    .join("\n")
    .replaceAll(ACTION_PLACEHOLDER, action);
}

/** `owner/repo@ref` or `owner/repo/path@ref`, as a workflow's `uses:` takes it. */
export function isActionReference(text: string): boolean {
  return /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._/-]+)?@[A-Za-z0-9._/-]+$/.test(text);
}

/** Why a reference cannot be the Action the workflows call, or null when it can be. */
export function actionReferenceProblem(text: string): string | null {
  if (!isActionReference(text)) return `must look like owner/repo@ref (e.g. acme/mission-bot@v1), not ${JSON.stringify(text)}`;
  if (DOCUMENTATION_ACTIONS.has(text.toLowerCase())) return `${text} is the documentation's placeholder: name the repository that holds mission-bot's Action (your fork, or the release you use)`;
  return null;
}

/**
 * The Action's reference from package.json's `repository` field when it names
 * a GitHub repository (`<owner>/<repo>@v1`), else null: there is no default
 * Action, and a made-up one would give workflows that fail on their first run.
 */
export function defaultAction(packageJson: { repository?: string | { url?: string } }): { action: string; from: string } | null {
  const repository = typeof packageJson.repository === "string" ? packageJson.repository : packageJson.repository?.url;
  const match = repository && /^(?:github:|git\+https:\/\/github\.com\/|https:\/\/github\.com\/|git@github\.com:)?([\w-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(repository);
  if (match) return { action: `${match[1]}/${match[2]}@v1`, from: "package.json's repository field" };
  return null;
}

/**
 * The mission-bot Action a workflow written from `template` calls: the one
 * `uses:` reference the template does not carry itself (its other steps use
 * pinned third-party actions). Null when there is none or several.
 */
export function actionIn(workflow: string, template: string): string | null {
  const uses = (text: string) => new Set([...text.matchAll(/^\s*(?:-\s+)?uses:\s*([^\s#]+)/gm)].map((m) => m[1]!));
  const theirs = uses(template);
  const found = [...uses(workflow)].filter((ref) => !theirs.has(ref) || ref === ACTION_PLACEHOLDER);
  return found.length === 1 ? found[0]! : null;
}
