/**
 * One line per feature, grouped by milestone: its state and, when it is not
 * running, why; its issue, branch, pull request and last run, linked from
 * the bot's own records. Pure.
 */
import { cellText, shorten } from "../escape.js";
import type { Milestone } from "../../model.js";
import { branchLink, issueRef, lastRunLink, pullRequestLink, type DashboardContext } from "./context.js";
import { featureSituation } from "./why.js";

/** Characters of a feature's title on its line (its issue has the whole title). */
export const ROW_TITLE_CHARS = 100;

export interface FeatureLines {
  milestone: Milestone;
  /** the milestone's heading, then one line per feature */
  heading: string;
  lines: string[];
}

export function featuresSection(ctx: DashboardContext): FeatureLines[] {
  return (ctx.mission.plan?.milestones ?? []).map((ms) => {
    const done = ms.features.filter((f) => ctx.isDone(f, ms)).length;
    const heading = `#### ${ms.key}. ${cellText(shorten(ms.title, ROW_TITLE_CHARS))}${ms.issue ? ` · #${ms.issue.number}` : ""} · ${done}/${ms.features.length}`;
    const lines = ms.features.map((f) => {
      const s = featureSituation(ctx, ms, f);
      const links = [issueRef(f.issue), branchLink(ctx, f), pullRequestLink(f), lastRunLink(ctx, f)].filter(Boolean).join(" · ");
      return `- ${s.icon} \`${f.key}\` ${cellText(shorten(f.title, ROW_TITLE_CHARS))} · ${f.size} — **${cellText(s.words)}** · ${links}`;
    });
    return { milestone: ms, heading, lines };
  });
}
