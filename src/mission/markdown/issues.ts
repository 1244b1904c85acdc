/**
 * Bodies and titles of the issues the bot creates for an approved plan.
 * Each carries hidden markers naming the mission, the item and the tracking
 * issue, so the bot finds its own issues again. Pure.
 *
 * Titles, descriptions and criteria come from the plan (an outline's author
 * or a model wrote them): they pass through the one escaper
 * (markdown/escape.ts), so no marker in them can make an issue stand for
 * another item, and the bot's own markers come last.
 *
 * GitHub refuses an issue body over 65,536 characters (422 "body is too
 * long"). A feature issue is what its worker receives, so its description
 * and acceptance criteria come first; when they cannot all fit, criteria
 * are left out from the end (then the description is cut), a note says so,
 * and the markers and context always stay.
 */
import { criteriaSection } from "./criteria.js";
import { marker } from "../markers.js";
import { escapeText, inlineText, titleText } from "./escape.js";
import { LEVELS } from "../budget/levels.js";
import { constraintsSection } from "./constraints.js";
import { GITHUB_LIMITS, missionPath, type Feature, type Milestone, type Mission } from "../model.js";

const SIZE_WORDS = { S: "small", M: "medium", L: "large" } as const;

/** Room for a body: GitHub counts characters, JavaScript UTF-16 units (never fewer), so this is safe. */
export const ISSUE_BODY_MAX_CHARS = GITHUB_LIMITS.bodyChars;

export function milestoneTitle(m: Mission, milestone: Milestone): string {
  return clip(`[${m.id}] Milestone ${milestone.key}: ${titleText(milestone.title)}`, 256);
}

export function featureTitle(m: Mission, feature: Feature): string {
  return clip(`[${m.id}] ${feature.key} ${titleText(feature.title)}`, 256);
}

/**
 * The milestone issue. `featureIssues` (feature key → issue number) turns
 * the list of features into a task list of their issues (`- [ ] #12`),
 * which GitHub renders with each issue's title and state, ticked once the
 * mission counts the feature done (its issue closed as completed): people
 * see the milestone's progress there, and it stands in for sub-issues on a
 * server without them (GitHub Enterprise Server 3.19 and older).
 */
export function milestoneBody(m: Mission, milestone: Milestone, featureIssues?: ReadonlyMap<string, number>): string {
  const head = [`Milestone ${milestone.key} of mission **${m.id}** (tracking issue #${m.tracking_issue}).`, ""];
  const list = milestone.features.map((f) => {
    const n = featureIssues?.get(f.key);
    const tick = f.done || milestone.validated ? "x" : " ";
    return n !== undefined ? `- [${tick}] #${n}` : `- ${f.key} ${inlineText(f.title)} (${f.size})`;
  });
  const criteria = criteriaSection(milestone.criteria, "### Validation checks");
  const tail = [
    ...(criteria.length ? [...criteria, ""] : []),
    "This milestone is done when all its features are done and the repository passes its checks" + (criteria.length ? ", these included." : "."),
    "",
    marker({ mission: m.id, kind: "milestone", key: milestone.key }),
    marker({ mission: m.id, kind: "tracking", key: String(m.tracking_issue) }),
  ];
  return fit({
    head: head.join("\n"),
    description: milestone.description ? escapeText(milestone.description) : "",
    items: { heading: "### Features", lines: list, noun: "features" },
    tail: tail.join("\n"),
    where: missionPath(m.id),
  });
}

/** How a feature issue's body says its acceptance criteria were checked (the heading, then the evidence). */
const ACCEPTANCE_MET = "### Acceptance criteria\n\nMet, checked by the bot: ";

/**
 * Whether a feature issue's body shows its acceptance criteria checked by the bot (the heading stays even when
 * the criteria are cut to fit). Outside text is escaped, but may repeat the words: at worst a lost check is not
 * written again.
 */
export function acceptanceTicked(body: string | null | undefined): boolean {
  const text = (body ?? "").replace(/\r\n?/g, "\n");
  return text.startsWith(ACCEPTANCE_MET) || text.includes(`\n${ACCEPTANCE_MET}`);
}

/** The feature issue is what the worker receives: description and acceptance criteria first. */
export function featureBody(m: Mission, milestone: Milestone, feature: Feature, met: string | undefined = feature.acceptance_met): string {
  const context = ["### Context", "", `- Mission: **${m.id}**, tracking issue #${m.tracking_issue}`, `- Milestone ${milestone.key}: ${inlineText(milestone.title)}`, `- Size: ${feature.size} (${SIZE_WORDS[feature.size]})`];
  if (feature.depends_on.length) context.push(`- Depends on: ${feature.depends_on.join(", ")}`);
  if (m.level) context.push(`- Outcome level: ${LEVELS[m.level].label}: ${LEVELS[m.level].scope}`);
  const constraints = constraintsSection(m);
  if (constraints.length) context.push("", ...constraints.slice(0, -1));
  context.push("", marker({ mission: m.id, kind: "feature", key: feature.key }), marker({ mission: m.id, kind: "tracking", key: String(m.tracking_issue) }));
  return fit({
    head: "",
    description: escapeText(feature.description || feature.title),
    items: feature.acceptance.length
      ? {
          heading: met ? `${ACCEPTANCE_MET}${inlineText(met)}.` : "### Acceptance criteria",
          lines: feature.acceptance.map((a) => `- [${met ? "x" : " "}] ${inlineText(a)}`),
          noun: "acceptance criteria",
        }
      : undefined,
    tail: context.join("\n"),
    where: missionPath(m.id),
  });
}

interface BodyParts {
  head: string;
  description: string;
  items: { heading: string; lines: string[]; noun: string } | undefined;
  /** always kept whole: context and markers */
  tail: string;
  /** where the whole text is kept (mission.md) */
  where: string;
}

/**
 * The body, whole when it fits; otherwise the list keeps as many lines as
 * fit (from the start) and then the description is cut, with a note saying
 * what was left out and where the whole text is.
 */
function fit(p: BodyParts, max = ISSUE_BODY_MAX_CHARS): string {
  const compose = (description: string, lines: string[] | undefined, note: string) =>
    [
      p.head,
      description ? `${description}\n` : "",
      p.items && lines ? [p.items.heading, "", ...lines, ""].join("\n") : "",
      note ? `${note}\n` : "",
      p.tail,
    ]
      .filter(Boolean)
      .join("\n");
  const whole = compose(p.description, p.items?.lines, "");
  if (whole.length <= max) return whole;

  const total = p.items?.lines.length ?? 0;
  const noteFor = (left: number, cut: boolean) => {
    const what = [cut ? "the description is shortened" : "", left ? `${left} of the ${total} ${p.items!.noun} are left out` : ""].filter(Boolean).join(" and ");
    return `> [!NOTE]\n> ${what.charAt(0).toUpperCase()}${what.slice(1)} to fit GitHub's 65,536-character limit; the whole text is in \`${p.where}\` on the state branch.`;
  };
  // Keep the description whole and as many list lines as fit.
  const lines = p.items?.lines ?? [];
  let kept = lines.length;
  const withLines = (n: number) => compose(p.description, p.items ? lines.slice(0, n) : undefined, noteFor(lines.length - n, false));
  while (kept > 0 && withLines(kept).length > max) kept--;
  if (withLines(kept).length <= max) return withLines(kept);
  // The description itself is too long: cut it, with no list.
  const bare = compose("", p.items ? [] : undefined, noteFor(lines.length, true));
  const room = Math.max(0, max - bare.length - 3);
  return compose(`${p.description.slice(0, room).trimEnd()}…`, p.items ? [] : undefined, noteFor(lines.length, true));
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The milestone's body with the issues its plan records for its features (what apply writes for `list-features`). */
export function milestoneBodyOfRecord(m: Mission, milestone: Milestone): string {
  const numbers = new Map<string, number>();
  for (const f of milestone.features) if (f.issue) numbers.set(f.key, f.issue.number);
  return milestoneBody(m, milestone, numbers);
}
