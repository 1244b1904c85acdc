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

/** Used when neither --action nor package.json's repository field says where the Action lives. */
export const FALLBACK_ACTION = "mission-bot/mission-bot@v1";

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

/**
 * The Action's default reference: `<owner>/<repo>@v1` from package.json's
 * `repository` field when it names a GitHub repository, else FALLBACK_ACTION.
 */
export function defaultAction(packageJson: { repository?: string | { url?: string } }): { action: string; from: string } {
  const repository = typeof packageJson.repository === "string" ? packageJson.repository : packageJson.repository?.url;
  const match = repository && /^(?:github:|git\+https:\/\/github\.com\/|https:\/\/github\.com\/|git@github\.com:)?([\w-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(repository);
  if (match) return { action: `${match[1]}/${match[2]}@v1`, from: "package.json's repository field" };
  return { action: FALLBACK_ACTION, from: "the default" };
}
