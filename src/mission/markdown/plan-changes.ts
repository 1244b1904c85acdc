/**
 * "What changed" in a replan, shown above the new plan: added, dropped
 * (with what happens to their issues), changed, finished work kept. All
 * plan text passes through the one escaper. Pure.
 */
import type { PlanChanges } from "../plan/replan.js";
import { hasChanges } from "../plan/replan.js";
import { inlineText, quotedText } from "./escape.js";

const item = (x: { key: string; title: string; milestone?: true }) =>
  `${x.milestone ? "milestone" : "feature"} ${x.key} ${quotedText(x.title, 100)}`;

export function renderPlanChanges(c: PlanChanges, options: { running: boolean; change?: string }): string {
  const lines = ["### What changed", ""];
  if (options.change) lines.push(`You asked: ${quotedText(options.change, 300)}`, "");
  if (!hasChanges(c)) {
    lines.push("Nothing: the new plan is the same as the one before.");
    return lines.join("\n");
  }
  for (const x of c.added) lines.push(`- ➕ Added ${item(x)}${options.running ? ": its issue is created now" : ""}.`);
  for (const x of c.dropped) lines.push(`- ➖ Dropped ${item(x)}${options.running ? ": its issue is closed as not planned, with the reason" : ""}.`);
  for (const x of c.changed) {
    // a milestone key has no dot: only its validation criteria can have changed (its features are listed on their own)
    if (!x.key.includes(".")) lines.push(`- ✏️ Changed the validation criteria of milestone ${x.key} ${quotedText(x.title, 100)}.`);
    else lines.push(`- ✏️ Changed feature ${x.key} ${quotedText(x.title, 100)}${x.was !== x.title ? ` (was ${quotedText(x.was, 100)})` : ""}.`);
  }
  for (const x of c.kept) lines.push(`- ✅ Kept feature ${x.key} ${quotedText(x.title, 100)}: it is finished, so the replan does not undo it.`);
  for (const x of c.refused) lines.push(`- ⛔ Not added: feature ${x.key} ${quotedText(x.title, 100)}, because its milestone is already validated.`);
  for (const r of c.renumbered) lines.push(`- 🔢 New feature ${inlineText(r.from)} is numbered ${inlineText(r.to)}: ${inlineText(r.from)} belonged to a dropped feature.`);
  return lines.join("\n");
}
