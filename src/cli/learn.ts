/**
 * `mission-bot learn [dir]`: what recurs across the missions of a checkout.
 * Reads every `todo/missions/<id>/` folder (local files, no GitHub): each
 * mission.md (validated), its agents/ (front matter validated) and scripts/,
 * and prints the agents and scripts seen in two or more missions, with the
 * agents' reuse scores, as an aligned table: what to standardise.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { CliCommand, CliIo } from "../cli.js";
import { parseMissionFile } from "../mission/markdown/mission-file.js";
import { MissionId } from "../mission/model.js";
import { readAgentFile } from "../mission/workspace/files.js";
import { learnRows, learnTable, type FolderRead } from "../mission/workspace/learn.js";

const USAGE = `Usage: mission-bot learn [--all] [dir]

Lists the mission agents and scripts that recur across missions (two or
more), with how often the agents helped: features that used them and how
many of those were done first time. Reads todo/missions/*/ under dir (default:
the current directory; check out the state branch for the agents' records).
  --all   list what appears in one mission too
`;

export const learnCommand: CliCommand = {
  summary: "list mission agents and scripts that recur across missions, with their scores",
  usage: USAGE,
  run,
};

async function names(dir: string, pattern: RegExp): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && pattern.test(e.name)).map((e) => e.name);
  } catch {
    return [];
  }
}

async function readFolder(dir: string, id: string, io: CliIo): Promise<FolderRead> {
  const read: FolderRead = { id, agentFiles: [], scripts: await names(join(dir, "scripts"), /./) };
  try {
    const parsed = parseMissionFile(await readFile(join(dir, "mission.md"), "utf8"));
    if (parsed.ok) read.mission = parsed.mission;
    else io.stderr(`mission-bot learn: ${id}/mission.md is invalid (${parsed.problems.slice(0, 2).join("; ")}); its agents are counted without scores\n`);
  } catch {
    // no mission.md in this checkout (a code branch): the folder's files still count
  }
  for (const name of await names(join(dir, "agents"), /\.md$/i)) {
    const agent = readAgentFile(await readFile(join(dir, "agents", name), "utf8"));
    if (agent.ok) read.agentFiles.push(agent.front.name);
    else io.stderr(`mission-bot learn: ${id}/agents/${name} left out: ${agent.problems.join("; ")}\n`);
  }
  return read;
}

async function run(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { help: { type: "boolean", short: "h" }, all: { type: "boolean" } }, allowPositionals: true, strict: true });
  } catch (error) {
    io.stderr(`mission-bot learn: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (parsed.positionals.length > 1) {
    io.stderr(`mission-bot learn: give at most one directory.\n\n${USAGE}`);
    return 2;
  }
  const root = resolve(io.cwd, parsed.positionals[0] ?? ".");
  const missions = join(root, "todo", "missions");
  let ids: string[];
  try {
    ids = (await readdir(missions, { withFileTypes: true })).filter((e) => e.isDirectory() && MissionId.safeParse(e.name).success).map((e) => e.name).sort();
  } catch {
    io.stderr(`mission-bot learn: no todo/missions/ under ${root}.\n`);
    return 1;
  }
  const folders = await Promise.all(ids.map((id) => readFolder(join(missions, id), id, io)));
  const rows = learnRows(folders, { all: !!parsed.values.all });
  if (!rows.length) {
    io.stdout(`Nothing recurs across the ${ids.length} mission${ids.length === 1 ? "" : "s"} under ${root}${parsed.values.all ? "" : " (--all lists what appears once)"}.\n`);
    return 0;
  }
  io.stdout(`${learnTable(rows)}\n`);
  return 0;
}
