/**
 * Bodies and titles of the issues the bot creates for an approved plan.
 * Each carries hidden markers naming the mission, the item and the tracking
 * issue, so the bot finds its own issues again. Pure.
 *
 * Titles, descriptions and criteria come from the plan (an outline's author
 * or a model wrote them): they pass through the one escaper
 * (markdown/escape.ts), so no marker in them can make an issue stand for
 * another item, and the bot's own markers come last.
 */
import { marker } from "../markers.js";
import { escapeText, inlineText, titleText } from "./escape.js";
import type { Feature, Milestone, Mission } from "../model.js";

const SIZE_WORDS = { S: "small", M: "medium", L: "large" } as const;

export function milestoneTitle(m: Mission, milestone: Milestone): string {
  return clip(`[${m.id}] Milestone ${milestone.key}: ${titleText(milestone.title)}`, 256);
}

export function featureTitle(m: Mission, feature: Feature): string {
  return clip(`[${m.id}] ${feature.key} ${titleText(feature.title)}`, 256);
}

export function milestoneBody(m: Mission, milestone: Milestone): string {
  const lines = [
    `Milestone ${milestone.key} of mission **${m.id}** (tracking issue #${m.tracking_issue}).`,
    "",
  ];
  if (milestone.description) lines.push(escapeText(milestone.description), "");
  lines.push(
    "### Features",
    "",
    ...milestone.features.map((f) => `- ${f.key} ${inlineText(f.title)} (${f.size})`),
    "",
    "This milestone is done when all its features are done and the repository passes its checks.",
    "",
    marker({ mission: m.id, kind: "milestone", key: milestone.key }),
    marker({ mission: m.id, kind: "tracking", key: String(m.tracking_issue) }),
  );
  return lines.join("\n");
}

/** The feature issue is what the worker receives: description and acceptance criteria first. */
export function featureBody(m: Mission, milestone: Milestone, feature: Feature): string {
  const lines = [escapeText(feature.description || feature.title), ""];
  if (feature.acceptance.length) {
    lines.push("### Acceptance criteria", "", ...feature.acceptance.map((a) => `- [ ] ${inlineText(a)}`), "");
  }
  lines.push(
    "### Context",
    "",
    `- Mission: **${m.id}**, tracking issue #${m.tracking_issue}`,
    `- Milestone ${milestone.key}: ${inlineText(milestone.title)}`,
    `- Size: ${feature.size} (${SIZE_WORDS[feature.size]})`,
  );
  if (feature.depends_on.length) lines.push(`- Depends on: ${feature.depends_on.join(", ")}`);
  lines.push(
    "",
    marker({ mission: m.id, kind: "feature", key: feature.key }),
    marker({ mission: m.id, kind: "tracking", key: String(m.tracking_issue) }),
  );
  return lines.join("\n");
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
