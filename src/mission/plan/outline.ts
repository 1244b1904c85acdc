/**
 * The outline planner: the user writes the plan in the tracking issue's body
 * as markdown, and this turns it into a Plan. No model, no network. Pure.
 *
 * Grammar (see OUTLINE_HELP for the user-facing version):
 * - `## Heading` starts a section. "Milestone 2: Foo", "Phase 2 - Foo",
 *   "2. Foo" and "2) Foo" are shortened to "Foo".
 * - A section is a milestone when it holds at least one checklist item, or
 *   when its heading is numbered like a milestone ("Milestone 2", "2. Foo").
 *   Any other section without checklist items ("## Notes", "## Background")
 *   is not a milestone and is skipped (listed in `ignored`). A numbered
 *   heading without checklist items is reported, not skipped.
 * - Text before the first `##` (the goal, context) is ignored.
 * - Unindented text in a milestone section that is not a checklist item is
 *   the milestone's description.
 * - `- [ ] Title` (or `- [x]`, `*`, `+`) at the left margin is a feature.
 *   A trailing `(S)`, `[L]` … sets its size. Lines indented beneath it are
 *   its details:
 *     `Size: S|M|L` (also small/medium/large; wins over a title tag),
 *     `Depends on: 1.2, 2.1`,
 *     `Knowledge: stripe-api` (tags; features sharing one get a mission agent),
 *     `Acceptance:` followed by a more-indented list (or `Acceptance: one line`),
 *     `- [ ] criterion` (a checklist item in the details is a criterion),
 *     anything else is the worker's description.
 * - `Validation:` at the left margin of a milestone section, followed by a
 *   more-indented list, gives the milestone's validation criteria:
 *   `- run: npm run e2e` (a command), `- load: /contacts` (a page for the
 *   browser checks), `- check: a contact can be created` (a statement,
 *   reported as not checked). At most CRITERIA_LIMITS.perMilestone.
 * - `Resources:` at the left margin (or a `## Resources` heading), followed by
 *   a list, names what the mission needs (outline-resources.ts):
 *   `- secret: STRIPE_KEY — purpose (features 1.2, 2.1)`.
 * - `- [ ] Research: <question>` in the first milestone is a research
 *   feature: its worker writes notes only (workspace/research.ts).
 * - Keys are positional: the n-th milestone is "n", its k-th feature "n.k".
 */
import { diffPlans, hasChanges } from "./replan.js";
import { checkPlan, PLAN_LIMITS, type Planner } from "./plan.js";
import { shorten } from "../markdown/escape.js";
import { readResourceItem, RESOURCES_HEADING, RESOURCES_LINE } from "./outline-resources.js";
import type { Resource } from "./resources.js";
import { KnowledgeTag } from "../workspace/model.js";
import { CRITERIA_LIMITS, Feature, Milestone, type MilestoneCriterion, type Plan, type Size } from "../model.js";

export const OUTLINE_HELP = `### Writing the plan yourself

No AI planner is configured for this repository, so mission-bot plans from an **outline** you write in this issue's body. Write each milestone as a \`##\` heading (3 to 7 of them, done in order) and each feature as a checklist item under it (2 to 5 per milestone, worked on in parallel). Indent details beneath a feature:

- free text: what the worker should build
- \`Size: S\`, \`M\` or \`L\` (default \`M\`), or a tag at the end of the title like \`(S)\`
- \`Depends on: 1.2\`: features are numbered by position, so the 2nd feature of milestone 1 is \`1.2\`
- \`Knowledge: stripe-api\`: what the feature needs to know; features sharing a tag get a mission agent every later worker reads
- \`Acceptance:\` followed by an indented list of criteria

Under a milestone heading, \`Validation:\` followed by an indented list says what its validation run must find true: \`- run: npm run e2e\` (a command that must pass), \`- load: /contacts\` (a page to load in the browser checks), \`- check: a contact can be created\` (a statement for people, reported as not checked).

\`\`\`markdown
## Milestone 1: Contacts
Store and list the people we talk to.
Validation:
  - run: npm run e2e
  - load: /contacts

- [ ] Contact model and storage (S)
  Contacts have a name, email and company.
- [ ] Contact list page
  Size: M
  Depends on: 1.1
  Acceptance:
    - shows 50 contacts per page
    - can be searched by name

## Milestone 2: Deals
- [ ] Deal pipeline (L)
- [ ] Link deals to contacts
  Depends on: 2.1, 1.1

## Milestone 3: Email
- [ ] Send email from a contact page
- [ ] Log replies on the deal [S]
  Depends on: 3.1
\`\`\`

If the domain is new to you, start with research: in the first milestone, a feature titled \`- [ ] Research: which payment APIs fit?\` has a worker write notes with their sources (no code) in the mission folder's \`research/\`; once they are in, \`/mission replan\` plans the rest from them.

If the mission needs credentials, infrastructure or accounts, list them under \`Resources:\` (or a \`## Resources\` heading), one per line, with the features that need them: \`- secret: STRIPE_KEY — Stripe's test-mode key (features 2.1)\`, \`- database: postgres — stores contacts (feature 1.1)\`, \`- account: stripe — a Stripe account\`. Name a secret, never paste its value: a feature waits until its secret exists in the repository's Actions secrets (or a person confirms a database or account with \`/mission resource ready <name>\`).

Sections without checklist items, like \`## Notes\`, are skipped. Then edit the body and comment \`/mission replan\`.
Or set an API key: add a repository secret named as \`planner.api_key_env\` in \`.github/mission.yml\` (default \`ANTHROPIC_API_KEY\`).`;

export interface OutlineResult {
  plan?: Plan;
  problems: string[];
  /** `##` headings skipped because they are not milestones (e.g. "Notes") */
  ignored: string[];
}

/** Plans from the outline in the issue body, or from `change` when a replan carries a whole new outline. */
export const outlinePlanner: Planner = {
  name: "outline",
  async plan(request) {
    const source = request.change && /^##\s/m.test(request.change) ? request.change : request.issueBody;
    const { plan, problems } = parseOutline(source);
    if (!plan) return { ok: false, problems };
    const all = [...problems, ...checkPlan(plan)];
    if (all.length) return { ok: false, problems: all };
    if (request.previous && request.change !== undefined && source !== request.change && !hasChanges(diffPlans(request.previous, plan))) {
      // a change in words, and the outline says what it said before: re-posting the same plan would pretend to have replanned
      return {
        ok: false,
        problems: [],
        cannot:
          "The outline planner cannot replan from a request in words: it plans from the outline in the issue body, and that outline has not changed, so the plan stays as it is.\n\n" +
          "To change the plan, edit the outline in the issue body (or write the whole new outline, `##` milestones and `- [ ]` features, after `/mission replan`), then reply `/mission replan outline edited`. " +
          "To have a model replan from your words, configure the Anthropic planner (`planner.provider: anthropic` and its API key).",
      };
    }
    return { ok: true, plan };
  },
};

interface Draft {
  heading: string;
  title: string;
  numbered: boolean;
  description: string[];
  features: DraftFeature[];
  criteria: MilestoneCriterion[];
  /** indentation of the `Validation:` line while its list is being read */
  criteriaIndent?: number;
}

interface DraftFeature {
  title: string;
  size?: Size;
  sizeLine?: Size;
  description: string[];
  acceptance: string[];
  depends: string[];
  /** `Knowledge: stripe-api`: tags of knowledge it needs (features sharing one get a mission agent) */
  knowledge?: string[];
  /** indentation of the `Acceptance:` line while its list is being read */
  acceptanceIndent?: number;
}

/** `## Heading` → "Heading" (closing #s dropped); undefined for any other line. Trimmed by hand: a pattern would backtrack over a run of spaces or #. */
function headingOf(line: string): string | undefined {
  if (!/^##\s/.test(line)) return undefined;
  const text = line.slice(2).trim();
  let end = text.length;
  while (end > 0 && text[end - 1] === "#") end--;
  return text.slice(0, end).trimEnd();
}
const CHECKLIST = /^([-*+])\s+\[([ xX])\]\s*(.*)$/;
const BULLET = /^[-*+]\s+(.*)$/;
/** `Validation:` (also `Validation criteria:`) alone on its line: the milestone's criteria follow, indented. */
const VALIDATION_LINE = /^validation(?: criteria)?\s*:$/i;
/** `run: …`, `load: …`, `check: …` (and the model's words `command`, `url`) */
const CRITERION = /^(run|command|load|url|open|check)\s*:\s*(.*)$/i;
const MILESTONE_PREFIX = /^(?:(?:milestone|phase|stage|step)\s*(\d{1,2})|(\d{1,2}))\s*(?:[:.)\-–—]\s*|$)/i;
/** A size tag's inside: `S` in `(S)`, `large` in `[ large ]`. */
const SIZE_WORD = /^(S|M|L|small|medium|large)$/i;

/** Milestone keys have at most two digits: an outline with more milestones is refused before any is built. */
const MAX_KEYED_MILESTONES = 99;

export function parseOutline(markdown: string): OutlineResult {
  const drafts: Draft[] = [];
  const problems: string[] = [];
  let inFence = false;
  let current: Draft | undefined;
  let feature: DraftFeature | undefined;
  /** drafts that are milestones so far (a checklist item or a numbered heading): the number of the current one */
  let milestonesSoFar = 0;
  /** the mission's resources: under a `## Resources` heading, or a `Resources:` line (its indentation) */
  const resources: Resource[] = [];
  let resourceSection = false;
  let resourceIndent: number | undefined;

  for (const raw of markdown.replace(/\r\n?/g, "\n").split("\n")) {
    const line = raw.replace(/\t/g, "    ");
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence || /^\s*(```|~~~)/.test(line)) {
      if (feature) feature.description.push(dedent(line));
      else current?.description.push(line);
      continue;
    }
    const heading = headingOf(line);
    if (heading !== undefined) resourceIndent = undefined;
    if (heading !== undefined && RESOURCES_HEADING.test(heading)) {
      resourceSection = true;
      current = undefined;
      feature = undefined;
      continue;
    }
    if (heading !== undefined || /^#\s/.test(line)) resourceSection = false;
    if (heading !== undefined) {
      const text = heading;
      const prefix = MILESTONE_PREFIX.exec(text);
      const rest = prefix ? text.slice(prefix[0].length).trim() : text.trim();
      current = { heading: text, title: rest || text.trim(), numbered: !!prefix, description: [], features: [], criteria: [] };
      drafts.push(current);
      if (current.numbered) milestonesSoFar++;
      feature = undefined;
      continue;
    }
    if (/^#\s/.test(line)) {
      // a top-level title ends the current milestone; what follows is context
      current = undefined;
      feature = undefined;
      continue;
    }
    const indent = line.length - line.trimStart().length;
    const text = line.trim();
    if (resourceSection || resourceIndent !== undefined) {
      const bullet = BULLET.exec(text);
      if (bullet && (resourceSection || indent > resourceIndent!)) {
        readResourceItem(bullet[1] ?? "", resources, problems);
        continue;
      }
      if (!text || resourceSection) continue;
      resourceIndent = undefined;
    }
    if (indent < 2 && RESOURCES_LINE.test(text)) {
      resourceIndent = indent;
      feature = undefined;
      continue;
    }
    if (!current) continue;
    if (!text) {
      (feature ?? current).description.push("");
      continue;
    }
    if (current.criteriaIndent !== undefined) {
      const bullet = BULLET.exec(text);
      if (indent > current.criteriaIndent && bullet) {
        readCriterion(current, bullet[1] ?? "", problems, milestonesSoFar + (current.numbered || current.features.length ? 0 : 1));
        continue;
      }
      current.criteriaIndent = undefined;
    }
    if (indent < 2 && VALIDATION_LINE.test(text)) {
      current.criteriaIndent = indent;
      feature = undefined;
      continue;
    }
    if (indent < 2) {
      const item = CHECKLIST.exec(text);
      if (item) {
        feature = newFeature(item[3] ?? "");
        if (!current.features.length && !current.numbered) milestonesSoFar++;
        current.features.push(feature);
        continue;
      }
      feature = undefined;
      current.description.push(text);
      continue;
    }
    if (feature) readDetail(feature, indent, text, problems, `${milestonesSoFar}.${current.features.length}`);
    else current.description.push(text);
  }

  const ignored = drafts.filter((d) => !d.features.length && !d.numbered).map((d) => d.heading);
  const milestones = drafts.filter((d) => d.features.length || d.numbered);
  if (!milestones.length) {
    return {
      problems: [
        "The issue body has no outline to plan from: write each milestone as a `## Milestone 1: Name` heading with its features as `- [ ] Feature` checklist items beneath it.",
      ],
      ignored,
    };
  }
  if (milestones.length > MAX_KEYED_MILESTONES) {
    return {
      problems: [
        `The outline has ${n(milestones.length)} milestones; a mission needs ${PLAN_LIMITS.minMilestones} to ${PLAN_LIMITS.maxMilestones}. Merge milestones or move some to a later mission.`,
      ],
      ignored,
    };
  }

  const plan: Plan = {
    source: "outline",
    milestones: milestones.map((d, i) => toMilestone(d, String(i + 1), problems)),
    ...(resources.length ? { resources } : {}),
  };
  return { plan, problems, ignored };
}

/** One `- run: …` / `- load: …` / `- check: …` item under a milestone's `Validation:` line. */
function readCriterion(d: Draft, item: string, problems: string[], number: number): void {
  const where = `Milestone ${number} ("${shorten(d.title, 60)}")`;
  const m = CRITERION.exec(stripCheckbox(item));
  const value = (m?.[2] ?? "").trim();
  if (!m || !value) {
    problems.push(`${where} has the validation criterion "${shorten(item.trim(), 60)}"; write \`- run: a command\`, \`- load: /a/page\` or \`- check: a statement\`.`);
    return;
  }
  if (value.length > CRITERIA_LIMITS.chars) {
    problems.push(`A validation criterion of ${where.toLowerCase()} is longer than ${n(CRITERIA_LIMITS.chars)} characters; shorten it.`);
    return;
  }
  const kind = (m[1] ?? "").toLowerCase();
  if (kind === "run" || kind === "command") d.criteria.push({ command: value });
  else if (kind === "check") d.criteria.push({ check: value });
  else if (/^\/(?!\/)/.test(value) || /^https?:\/\//i.test(value)) d.criteria.push({ url: value });
  else problems.push(`${where} loads "${shorten(value, 60)}"; write a path like \`/contacts\` or a URL of the app like \`http://localhost:3000/contacts\`.`);
}

/** A title and its trailing size tag, `(S)` or `[large]`, found from the end of the title without a pattern that backtracks. */
function newFeature(titleText: string): DraftFeature {
  const t = titleText.trimEnd();
  const open = Math.max(t.lastIndexOf("("), t.lastIndexOf("["));
  const tagged = open >= 0 && (t.endsWith(")") || t.endsWith("]")) && SIZE_WORD.test(t.slice(open + 1, -1).trim());
  const title = tagged ? t.slice(0, open).trim() : t.trim();
  const size = tagged ? toSize(t.slice(open + 1, -1)) : undefined;
  return { title, size, description: [], acceptance: [], depends: [] };
}

function readDetail(
  f: DraftFeature,
  indent: number,
  text: string,
  problems: string[],
  key: string,
): void {
  const where = `Feature ${key} ("${shorten(f.title, 60)}")`;
  if (f.acceptanceIndent !== undefined) {
    const bullet = BULLET.exec(text);
    if (indent > f.acceptanceIndent && bullet) {
      const criterion = stripCheckbox(bullet[1] ?? "");
      if (criterion) f.acceptance.push(criterion);
      return;
    }
    if (text) f.acceptanceIndent = undefined;
  }
  const body = (BULLET.exec(text)?.[1] ?? text).trim();
  const checked = CHECKLIST.exec(text);
  if (checked) {
    if (checked[3]?.trim()) f.acceptance.push(checked[3].trim());
    return;
  }
  const field = /^(size|depends on|depends|knowledge|acceptance(?: criteria)?)\s*:\s*(.*)$/i.exec(body);
  if (!field) {
    f.description.push(text);
    return;
  }
  const name = (field[1] ?? "").toLowerCase();
  const value = (field[2] ?? "").trim();
  if (name === "size") {
    const size = toSize(value);
    if (size) f.sizeLine = size;
    else problems.push(`${where} has "Size: ${shorten(value, 40)}"; write Size: S, Size: M or Size: L.`);
  } else if (name.startsWith("depends")) {
    for (const key of value.split(/[,\s]+/).filter(Boolean)) {
      if (/^\d{1,2}\.\d{1,2}$/.test(key)) f.depends.push(key);
      else if (!/^(none|-|n\/a)$/i.test(key)) {
        problems.push(`${where} depends on "${shorten(key, 40)}", which is not a feature key; write keys like 1.2 (milestone 1, feature 2).`);
      }
    }
  } else if (name === "knowledge") {
    for (const tag of value.split(/[,\s]+/).filter(Boolean).map((t) => t.toLowerCase())) {
      if (KnowledgeTag.safeParse(tag).success) f.knowledge = [...new Set([...(f.knowledge ?? []), tag])].slice(0, 5);
      else problems.push(`${where} needs knowledge "${shorten(tag, 40)}", which is not a tag; write tags like stripe-api (lowercase letters, digits and dashes).`);
    }
  } else if (value) {
    f.acceptance.push(value);
  } else {
    f.acceptanceIndent = indent;
  }
}

/**
 * Text over a plan's limit is reported, and cut to the limit so the plan
 * can still be shown with its problems (the mission model refuses longer).
 */
function within(text: string, max: number, problem: string, problems: string[]): string {
  if (text.length <= max) return text;
  problems.push(problem);
  return text.slice(0, max);
}

const n = (count: number) => count.toLocaleString("en-US");

function toMilestone(d: Draft, key: string, problems: string[]): Milestone {
  const L = PLAN_LIMITS;
  if (!d.features.length) {
    problems.push(`Milestone ${key} ("${shorten(d.title, 60)}") has no features; add checklist items like \`- [ ] Feature\` beneath its heading.`);
  }
  const title = within(d.title, L.titleChars, `The title of milestone ${key} is longer than ${n(L.titleChars)} characters; shorten it.`, problems);
  const description = within(paragraph(d.description), L.milestoneDescriptionChars, `The description of milestone ${key} is longer than ${n(L.milestoneDescriptionChars)} characters; shorten it.`, problems);
  const features: Feature[] = d.features.map((f, k) => {
    const featureKey = `${key}.${k + 1}`;
    if (!f.title) problems.push(`Feature ${featureKey} in milestone ${key} has an empty checklist item; give it a title or remove it.`);
    const longCriterion = `A criterion of feature ${featureKey} is longer than ${n(CRITERION_CHARS)} characters; shorten it.`;
    return Feature.parse({
      key: featureKey,
      title: within(f.title || "(untitled)", L.titleChars, `The title of feature ${featureKey} is longer than ${n(L.titleChars)} characters; shorten it and put the detail beneath it.`, problems),
      description: within(paragraph(f.description), L.featureDescriptionChars, `The description of feature ${featureKey} is longer than ${n(L.featureDescriptionChars)} characters; shorten it.`, problems),
      acceptance: f.acceptance.map((c) => within(c, CRITERION_CHARS, longCriterion, problems)),
      size: f.sizeLine ?? f.size ?? "M",
      depends_on: [...new Set(f.depends)],
      ...(f.knowledge?.length ? { knowledge: f.knowledge } : {}),
      ...(researchFeature(f.title, key, featureKey, problems) ? { kind: "research" } : {}),
    });
  });
  const criteria = d.criteria.slice(0, CRITERIA_LIMITS.perMilestone);
  if (d.criteria.length > CRITERIA_LIMITS.perMilestone) {
    problems.push(`Milestone ${key} ("${shorten(d.title, 60)}") has ${n(d.criteria.length)} validation criteria; at most ${CRITERIA_LIMITS.perMilestone} are allowed.`);
  }
  return Milestone.parse({ key, title, description, features, ...(criteria.length ? { criteria } : {}) });
}

/** `Research: <question>`: a research feature, in the first milestone only (research comes before the work it informs). */
function researchFeature(title: string, milestone: string, key: string, problems: string[]): boolean {
  if (!RESEARCH_TITLE.test(title)) return false;
  if (milestone === "1") return true;
  problems.push(`Feature ${key} ("${shorten(title, 60)}") is research, which comes first: move it to the first milestone (or drop the \`Research:\` prefix).`);
  return false;
}
const RESEARCH_TITLE = /^research\s*:\s*\S/i;

/** The longest acceptance criterion a feature holds (the mission model's limit). */
const CRITERION_CHARS = 1000;

function toSize(text: string): Size | undefined {
  const t = text.trim().toLowerCase();
  if (t === "s" || t === "small") return "S";
  if (t === "m" || t === "medium") return "M";
  if (t === "l" || t === "large") return "L";
  return undefined;
}

function stripCheckbox(text: string): string {
  return text.replace(/^\[[ xX]\]\s*/, "").trim();
}

function dedent(line: string): string {
  return line.replace(/^ {1,4}/, "");
}

/** Lines joined, blank lines at either end dropped, paragraph breaks kept. */
function paragraph(lines: string[]): string {
  return lines.join("\n").replace(/\n{3,}/g, "\n\n").trim();
}
