/**
 * A milestone's validation criteria as a markdown list, for the plan comment
 * and the milestone issue: the plan's words (a person's or the model's),
 * escaped by the one escaper. Pure.
 */
import type { MilestoneCriterion } from "../model.js";
import { codeSpan, inlineText } from "./escape.js";

/** One criterion in words: "run `npm run e2e`", "load `/contacts`", "check: a contact can be created". */
export function criterionText(c: MilestoneCriterion): string {
  if ("command" in c) return `run ${codeSpan(c.command)}`;
  if ("url" in c) return `load ${codeSpan(c.url)}`;
  return `check: ${inlineText(c.check)}`;
}

/** The heading and list, or nothing for a milestone without criteria. */
export function criteriaSection(criteria: readonly MilestoneCriterion[] | undefined, heading: string): string[] {
  if (!criteria?.length) return [];
  return [heading, "", ...criteria.map((c) => `- ${criterionText(c)}`)];
}
