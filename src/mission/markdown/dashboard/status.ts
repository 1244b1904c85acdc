/** The dashboard's first lines: the mission's title, a status line that is true, and notices. Pure. */
import { cellText } from "../escape.js";
import { missionPath, type Mission, type MissionStatus } from "../../model.js";
import type { DashboardContext } from "./context.js";
import { buildsElsewhere, isHomeless, whereWords } from "../../target/target.js";

export function headerSection(ctx: DashboardContext): string[] {
  const homeless = isHomeless(ctx.mission, ctx.config);
  // where it lives and builds: said when they differ (or there is nowhere to build yet)
  const where = homeless || buildsElsewhere(ctx.mission) ? [`**Repository:** ${whereWords(ctx.mission, homeless)}`, ""] : [];
  return [`## 🚀 ${cellText(ctx.mission.title)}`, "", statusLine(ctx), "", ...where];
}

export function noticesSection(ctx: DashboardContext): string[] {
  return (ctx.input.notices ?? []).flatMap((notice) => ["> [!WARNING]", `> ${cellText(notice)}`, ""]);
}

function statusLine(ctx: DashboardContext): string {
  const { mission } = ctx;
  const path = missionPath(mission.id);
  const ref = ctx.input.stateBranch ?? "HEAD";
  const state = `[\`${path}\`](${ctx.repoUrl}/blob/${encodeURI(ref)}/${path})`;
  return [`**Status:** ${statusWords(mission)}`, `**Mode:** ${modeWords(mission.mode)}`, `**Mission:** \`${mission.id}\``, `**State:** ${state}`].join(" · ");
}

/** The status as people should read it: an active mission whose next dispatch the budget refused is waiting, not active. */
export function statusWords(m: Mission): string {
  if (m.status === "active" && m.waiting_for_budget) {
    return `⏸ waiting for budget (feature ${m.waiting_for_budget.feature} does not fit what remains)`;
  }
  if (m.status === "paused" && m.paused_reason) return `${STATUS_WORDS.paused} (${cellText(m.paused_reason)})`;
  return STATUS_WORDS[m.status];
}

const STATUS_WORDS: Record<MissionStatus, string> = {
  scoping: "💬 scoping",
  planned: "📝 planned, waiting for approval",
  active: "▶️ active",
  paused: "⏸️ paused",
  validating: "🔍 validating",
  completed: "✅ completed",
  cancelled: "✖️ cancelled",
};

export function modeWords(mode: Mission["mode"]): string {
  if (mode === "poc") return "proof of concept";
  if (mode === "full") return "full";
  return "not set";
}
