/** The milestones as a table: issue, features done, and their state. Pure. */
import { cellText } from "../escape.js";
import type { Milestone } from "../../model.js";
import { issueRef, type DashboardContext } from "./context.js";

/** The table's lines, header first: one tail unit each, so a shortened dashboard keeps whole rows. */
export function milestonesSection(ctx: DashboardContext): string[] {
  const milestones = ctx.mission.plan?.milestones ?? [];
  if (milestones.length === 0) return [];
  const rows = milestones.map((ms) => {
    const done = ms.features.filter((f) => ctx.isDone(f, ms)).length;
    return `| ${ms.key} | ${cellText(ms.title)} | ${issueRef(ms.issue)} | ${done}/${ms.features.length} | ${milestoneState(ctx, ms)} |`;
  });
  return ["### Milestones\n\n| # | Milestone | Issue | Features done | State |\n| --: | --- | --- | --: | --- |\n" + rows[0], ...rows.slice(1)];
}

export function milestoneState(ctx: DashboardContext, ms: Milestone): string {
  const { status } = ctx.mission;
  if (ctx.input.closed.has(ms.key) || ms.validated) return "✅ done";
  if (status === "scoping" || status === "planned") return "📝 planned";
  if (status === "cancelled") return "✖️ cancelled";
  if (ms.key !== ctx.active?.key) return "⏳ waiting";
  if (status === "validating") return "🔍 validating";
  if (status === "paused") return "⏸️ paused";
  if (ctx.mission.waiting_for_budget) return "⏸ waiting for budget";
  if (ms.validations.at(-1)?.outcome === "fail") return "🛠 fixing after a failed validation";
  return "▶️ in progress";
}
