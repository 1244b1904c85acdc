/**
 * The mission's constraints and preferences as people see them: on the
 * plan, the dashboard and each feature issue (the worker's prompt says them
 * too, from mission.md: workers/worker-prompt.ts). Their words pass through
 * the one escaper. Pure.
 */
import type { Mission, Preferences } from "../model.js";
import { inlineText } from "./escape.js";

export const PREFERENCE_WORDS: Record<keyof Preferences, string> = {
  stack: "Stack",
  deploy: "Deploy",
  test_framework: "Test framework",
  notes: "Notes",
};

/** "Stack: Next.js" lines of the preferences given, in a fixed order (unescaped: the caller escapes for its medium). */
export function preferenceLines(p: Preferences | undefined): string[] {
  if (!p) return [];
  return (Object.keys(PREFERENCE_WORDS) as (keyof Preferences)[])
    .filter((k) => p[k]?.trim())
    .map((k) => `${PREFERENCE_WORDS[k]}: ${p[k]!.trim()}`);
}

/** A markdown list of the constraints and preferences; [] when there are none. */
export function constraintItems(m: Pick<Mission, "constraints" | "preferences">): string[] {
  const constraints = (m.constraints ?? []).map((c) => `- ${inlineText(c)}`);
  const preferences = preferenceLines(m.preferences).map((p) => `- ${inlineText(p)}`);
  return [...constraints, ...preferences];
}

/** The section "### Constraints and preferences" with its list, or [] when there are none. */
export function constraintsSection(m: Pick<Mission, "constraints" | "preferences">, heading = "###"): string[] {
  const items = constraintItems(m);
  if (!items.length) return [];
  return [`${heading} Constraints and preferences`, "", "Every worker is told these:", "", ...items, ""];
}
