/**
 * The dashboard's checklist of the mission's resources (README "Resources"):
 * each one there (✅: found among the Actions secrets, or confirmed by a
 * person) or not yet (⏳: what to add and where, or who confirms it). Pure.
 */
import type { Resource } from "../../plan/resources.js";
import { readyRecord, resourcesOf, whereToAdd } from "../../workers/resources.js";
import { inlineText } from "../escape.js";
import { RESOURCE_ICONS } from "../resources.js";
import type { DashboardContext } from "./context.js";

const FOUND_IN = { repository: "the repository's Actions secrets", organization: "the organisation's secrets shared with this repository", environment: "the environment's secrets" } as const;

export function resourcesSection(ctx: DashboardContext): string[] {
  const m = ctx.mission;
  const list = resourcesOf(m);
  if (!list.length) return [];
  const lines = list.map((r) => `- ${resourceRow(ctx, r)}`);
  const ready = list.filter((r) => readyRecord(m, r)).length;
  const note =
    m.resource_status?.can_list === false
      ? ["", "> [!NOTE]", "> mission-bot cannot list this repository's secrets with its token (a workflow's GITHUB_TOKEN never may), so it cannot see when one is added. Add the secret, then confirm it with `/mission resource ready <NAME>`; or give the App `secrets: read` (names only, never values)."]
      : [];
  return ["### Resources", "", `${ready} of ${list.length} there. A feature waits until every resource it needs is.`, "", ...lines, ...note, ""];
}

function resourceRow(ctx: DashboardContext, r: Resource): string {
  const m = ctx.mission;
  const head = `${RESOURCE_ICONS[r.kind]} ${r.kind} \`${r.name}\`${r.purpose.trim() ? ` (${inlineText(r.purpose)})` : ""}`;
  const features = r.features.length ? ` · for ${r.features.join(", ")}` : " · for every feature";
  const ready = readyRecord(m, r);
  if (ready) {
    const how = ready.found_in ? `found in ${FOUND_IN[ready.found_in]}` : `confirmed by @${inlineText(ready.by)}`;
    return `✅ ${head} — ${how}${features}`;
  }
  return `⏳ ${head} — missing: ${whereToAdd(r, m, ctx.config, ctx.buildUrl)}${features}`;
}
