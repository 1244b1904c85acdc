/**
 * The mission's resources as people read them (README "Resources"): on the
 * plan comment and in mission.md, each resource with its purpose and the
 * features that need it. Names passed the name rules (plan/resources.ts);
 * purposes pass the one escaper. Pure.
 */
import type { Resource } from "../plan/resources.js";
import { inlineText } from "./escape.js";

export const RESOURCE_ICONS: Record<Resource["kind"], string> = { secret: "🔑", infrastructure: "🗄️", account: "👤" };

const KIND_WORDS: Record<Resource["kind"], string> = { secret: "secret", infrastructure: "infrastructure", account: "account" };

/** "🔑 secret `STRIPE_KEY` — payments · for 2.1, 2.2" */
export function resourceLine(r: Resource): string {
  const purpose = r.purpose.trim() ? ` — ${inlineText(r.purpose)}` : "";
  const features = r.features.length ? `for ${r.features.join(", ")}` : "for every feature";
  return `${RESOURCE_ICONS[r.kind]} ${KIND_WORDS[r.kind]} \`${r.name}\`${purpose} · ${features}`;
}

/** The plan's list with what happens to each kind; [] without resources. */
export function resourcesPlanSection(resources: readonly Resource[] | undefined): string[] {
  if (!resources?.length) return [];
  return [
    "",
    "**Resources this mission needs** (a feature waits until its resources are there):",
    "",
    ...resources.map((r) => `- ${resourceLine(r)}`),
    "",
    "Secrets are named, never written here: add each in Settings → Secrets and variables → Actions, and the bot sees its name there (it never reads a value). " +
      "A database, domain or account the bot cannot check: once it exists, a person with write access comments `/mission resource ready <name>`.",
  ];
}
