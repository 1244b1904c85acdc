/**
 * `mission-bot learn`'s arithmetic: what recurs across the mission folders
 * of a checkout. Agents (by name: from each mission's record in mission.md,
 * or its agents/ file) with their reuse scores added up, and scripts (by
 * file name) with the missions that wrote them. Pure: the command reads the
 * files, this counts and lays out the table.
 */
import type { Mission } from "../model.js";
import { scoreAgent } from "./score.js";

export interface FolderRead {
  /** the folder's name: the mission id */
  id: string;
  /** its mission.md, when readable */
  mission?: Mission;
  /** names of valid agent files in agents/ */
  agentFiles: string[];
  /** file names in scripts/ */
  scripts: string[];
}

export interface LearnRow {
  kind: "agent" | "script";
  name: string;
  missions: string[];
  /** agents: features that used it, summed over missions */
  used?: number;
  /** agents: of those, done first time */
  firstTime?: number;
  /** agents: promoted (proposed by pull request) in some mission */
  promoted?: boolean;
}

export function learnRows(folders: readonly FolderRead[], opts: { all?: boolean } = {}): LearnRow[] {
  const agents = new Map<string, LearnRow>();
  const scripts = new Map<string, LearnRow>();
  for (const f of folders) {
    const records = f.mission?.agents ?? [];
    const names = new Set([...records.map((a) => a.name), ...f.agentFiles]);
    for (const name of names) {
      const row = agents.get(name) ?? { kind: "agent" as const, name, missions: [], used: 0, firstTime: 0 };
      row.missions.push(f.id);
      const record = records.find((a) => a.name === name);
      if (record && f.mission) {
        const s = scoreAgent(f.mission, record);
        row.used! += s.used;
        row.firstTime! += s.firstTime;
        if (record.promotion?.pull_request) row.promoted = true;
      }
      agents.set(name, row);
    }
    for (const name of new Set(f.scripts)) {
      const row = scripts.get(name) ?? { kind: "script" as const, name, missions: [] };
      row.missions.push(f.id);
      scripts.set(name, row);
    }
  }
  const keep = (r: LearnRow) => opts.all || r.missions.length >= 2;
  const order = (a: LearnRow, b: LearnRow) => b.missions.length - a.missions.length || (b.firstTime ?? 0) - (a.firstTime ?? 0) || a.name.localeCompare(b.name);
  return [...[...agents.values()].filter(keep).sort(order), ...[...scripts.values()].filter(keep).sort(order)];
}

/** The rows as an aligned table (columns padded to their widest cell), one line each. */
export function learnTable(rows: readonly LearnRow[]): string {
  const header = ["KIND", "NAME", "MISSIONS", "USED BY", "DONE FIRST TIME", "PROMOTED", "SEEN IN"];
  const cells = rows.map((r) => [
    r.kind,
    r.name,
    String(r.missions.length),
    r.kind === "agent" ? String(r.used ?? 0) : "-",
    r.kind === "agent" ? `${r.firstTime ?? 0}${r.used ? ` (${Math.round(((r.firstTime ?? 0) / r.used) * 100)}%)` : ""}` : "-",
    r.kind === "agent" ? (r.promoted ? "yes" : "no") : "-",
    r.missions.join(", "),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(header), ...cells.map(line)].join("\n");
}
