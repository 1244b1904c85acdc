/**
 * `mission-bot budget <mission-id | path to mission.md>`: the budget summary
 * of a mission, read from the working tree — the same text `/mission budget`
 * posts. The forecast learns from every readable mission.md in the
 * repository's todo/missions/.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { CliCommand, CliIo } from "../cli.js";
import { CONFIG_PATH, parseConfig } from "../mission/config.js";
import { historyFrom } from "../mission/budget/forecast.js";
import { renderBudgetSummary } from "../mission/markdown/budget-summary.js";
import { parseMissionFile } from "../mission/markdown/mission-file.js";
import { MissionId, missionPath, type Mission } from "../mission/model.js";

const USAGE = `Usage: mission-bot budget <mission-id | path to mission.md>

Prints a mission's budget: limits, spending, burn rate, forecast at completion
and the last ledger entries. A mission id (m-20261124-crm-7) is looked up in
todo/missions/<id>/mission.md under the current directory; settings come from
${CONFIG_PATH} in the repository holding the mission.
`;

export const budgetCommand: CliCommand = {
  summary: "print a mission's budget, burn rate and forecast",
  usage: USAGE,
  run,
};

async function run(args: string[], io: CliIo): Promise<number> {
  let positionals: string[];
  let help: boolean | undefined;
  try {
    const parsed = parseArgs({ args, options: { help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
    positionals = parsed.positionals;
    help = parsed.values.help;
  } catch (error) {
    io.stderr(`mission-bot budget: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (help) {
    io.stdout(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    io.stderr(`mission-bot budget: give one mission id or path to a mission.md.\n\n${USAGE}`);
    return 2;
  }

  const target = positionals[0]!;
  const file = await missionFile(target, io.cwd);
  const shown = relative(io.cwd, file) || file;
  const text = await readText(file);
  if (text === null) {
    io.stderr(`mission-bot budget: no mission file at ${shown}${MissionId.safeParse(target).success ? ` (looked for mission ${target} under ${io.cwd})` : ""}.\n`);
    return 1;
  }
  const parsed = parseMissionFile(text);
  if (!parsed.ok) {
    io.stderr(`mission-bot budget: ${shown} is not a valid mission file:\n${parsed.problems.map((p) => `  - ${p}`).join("\n")}\n`);
    return 1;
  }

  const root = repositoryRoot(file) ?? io.cwd;
  const config = parseConfig(await readText(join(root, CONFIG_PATH)));
  if (!config.ok) {
    io.stderr(`mission-bot budget: the settings are invalid:\n${config.problems.map((p) => `  - ${p}`).join("\n")}\n`);
    return 1;
  }

  const others = await otherMissions(root, parsed.mission.id);
  const history = historyFrom([...others, parsed.mission]);
  const now = io.now?.() ?? new Date().toISOString();
  io.stdout(renderBudgetSummary(parsed.mission, config.config, now, history));
  return 0;
}

/** A mission id → todo/missions/<id>/mission.md; a directory → its mission.md; anything else is a path. */
async function missionFile(target: string, cwd: string): Promise<string> {
  if (MissionId.safeParse(target).success) return join(cwd, missionPath(target));
  const path = resolve(cwd, target);
  const info = await stat(path).catch(() => null);
  return info?.isDirectory() ? join(path, "mission.md") : path;
}

/** The repository holding …/todo/missions/<id>/mission.md, when the path has that shape. */
function repositoryRoot(file: string): string | null {
  const missions = dirname(dirname(file));
  if (basename(file) !== "mission.md" || basename(missions) !== "missions" || basename(dirname(missions)) !== "todo") return null;
  return dirname(dirname(missions));
}

/** Every other readable mission in the repository; unreadable ones are left out of the forecast. */
async function otherMissions(root: string, except: string): Promise<Mission[]> {
  const dir = join(root, "todo", "missions");
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: Mission[] = [];
  for (const name of names.sort()) {
    if (name === except) continue;
    const text = await readText(join(dir, name, "mission.md"));
    const parsed = text === null ? null : parseMissionFile(text);
    if (parsed?.ok) out.push(parsed.mission);
  }
  return out;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return null;
    throw error;
  }
}
