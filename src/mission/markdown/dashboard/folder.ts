/**
 * The dashboard's index of the mission folder (`todo/missions/<id>/`): the
 * mission agents (on the state branch, from mission.md's record of them)
 * and the research notes, scripts and assets workers contributed (from the
 * folder as the bot last read it). Shown only when the folder has content.
 * File names are outside text: escaped, and encoded in links. Pure.
 */
import { inlineText } from "../escape.js";
import { missionFolder } from "../../workspace/model.js";
import { scoreAgent } from "../../workspace/score.js";
import { replanOffer } from "../../workspace/research.js";
import type { DashboardContext } from "./context.js";

/** Most entries one line lists before "and N more". */
const PER_LINE = 12;

/** A file of the folder: the agents live at home (state branch), what workers add in the repository they build in. */
function link(ctx: DashboardContext, branch: string, path: string, text: string, repoUrl = ctx.repoUrl): string {
  const url = `${repoUrl}/blob/${encodeURI(branch)}/${path.split("/").map(encodeURIComponent).join("/")}`;
  return `[${inlineText(text)}](${url})`;
}

function list(items: string[], more = 0): string {
  const shown = items.slice(0, PER_LINE);
  const left = items.length - shown.length + more;
  return `${shown.join(" · ")}${left > 0 ? ` · and ${left} more` : ""}`;
}

export function folderSection(ctx: DashboardContext): string[] {
  const m = ctx.mission;
  const base = missionFolder(m.id);
  const stateBranch = ctx.input.stateBranch ?? "main";
  const lines: string[] = [];
  const agents = m.agents ?? [];
  if (agents.length) {
    const entries = agents.map((a) => {
      const name = a.written ? link(ctx, stateBranch, `${base}/agents/${a.name}.md`, a.name) : inlineText(a.name);
      const s = scoreAgent(m, a);
      const state = a.promotion?.pull_request ? `proposed in #${a.promotion.pull_request}` : a.written ? "draft" : "being written";
      return `${name} (${state}; ${s.used} feature${s.used === 1 ? "" : "s"})`;
    });
    lines.push(`- **Agents:** ${list(entries)}`);
  }
  const f = m.folder;
  if (f) {
    const kinds = [
      ["Research", "research", f.research],
      ["Scripts", "scripts", f.scripts],
      ["Assets", "assets", f.assets],
    ] as const;
    for (const [label, dir, files] of kinds) {
      if (files.length) lines.push(`- **${label}:** ${list(files.map((name) => link(ctx, f.branch, `${base}/${dir}/${name}`, name, ctx.buildUrl)))}`);
    }
    if (f.more) lines.push(`- and ${f.more} more files in the folder`);
  }
  const offer = replanOffer(m);
  if (offer) lines.push(`- ${offer}`);
  if (!lines.length) return [];
  return ["", "### Mission folder", "", ...lines];
}
