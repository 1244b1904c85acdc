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
 *     `Acceptance:` followed by a more-indented list (or `Acceptance: one line`),
 *     `- [ ] criterion` (a checklist item in the details is a criterion),
 *     anything else is the worker's description.
 * - Keys are positional: the n-th milestone is "n", its k-th feature "n.k".
 */
import { checkPlan, type Planner } from "./plan.js";
import { Feature, Milestone, type Plan, type Size } from "../model.js";

export const OUTLINE_HELP = `### Writing the plan yourself

No AI planner is configured for this repository, so mission-bot plans from an **outline** you write in this issue's body. Write each milestone as a \`##\` heading (3 to 7 of them, done in order) and each feature as a checklist item under it (2 to 5 per milestone, worked on in parallel). Indent details beneath a feature:

- free text: what the worker should build
- \`Size: S\`, \`M\` or \`L\` (default \`M\`), or a tag at the end of the title like \`(S)\`
- \`Depends on: 1.2\`: features are numbered by position, so the 2nd feature of milestone 1 is \`1.2\`
- \`Acceptance:\` followed by an indented list of criteria

\`\`\`markdown
## Milestone 1: Contacts
Store and list the people we talk to.

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
    return all.length ? { ok: false, problems: all } : { ok: true, plan };
  },
};

interface Draft {
  heading: string;
  title: string;
  numbered: boolean;
  description: string[];
  features: DraftFeature[];
}

interface DraftFeature {
  title: string;
  size?: Size;
  sizeLine?: Size;
  description: string[];
  acceptance: string[];
  depends: string[];
  /** indentation of the `Acceptance:` line while its list is being read */
  acceptanceIndent?: number;
}

const HEADING = /^##\s+(.*?)\s*#*\s*$/;
const CHECKLIST = /^([-*+])\s+\[([ xX])\]\s*(.*)$/;
const BULLET = /^[-*+]\s+(.*)$/;
const MILESTONE_PREFIX = /^(?:(?:milestone|phase|stage|step)\s*(\d{1,2})|(\d{1,2}))\s*(?:[:.)\-–—]\s*|$)/i;
const SIZE_TAG = /\s*[([]\s*(S|M|L|small|medium|large)\s*[)\]]\s*$/i;

export function parseOutline(markdown: string): OutlineResult {
  const drafts: Draft[] = [];
  const problems: string[] = [];
  let inFence = false;
  let current: Draft | undefined;
  let feature: DraftFeature | undefined;

  for (const raw of markdown.replace(/\r\n?/g, "\n").split("\n")) {
    const line = raw.replace(/\t/g, "    ");
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence || /^\s*(```|~~~)/.test(line)) {
      if (feature) feature.description.push(dedent(line));
      else current?.description.push(line);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      const text = heading[1] ?? "";
      const prefix = MILESTONE_PREFIX.exec(text);
      const rest = prefix ? text.slice(prefix[0].length).trim() : text.trim();
      current = { heading: text, title: rest || text.trim(), numbered: !!prefix, description: [], features: [] };
      drafts.push(current);
      feature = undefined;
      continue;
    }
    if (/^#\s/.test(line)) {
      // a top-level title ends the current milestone; what follows is context
      current = undefined;
      feature = undefined;
      continue;
    }
    if (!current) continue;
    const indent = line.length - line.trimStart().length;
    const text = line.trim();
    if (!text) {
      (feature ?? current).description.push("");
      continue;
    }
    if (indent < 2) {
      const item = CHECKLIST.exec(text);
      if (item) {
        feature = newFeature(item[3] ?? "");
        current.features.push(feature);
        continue;
      }
      feature = undefined;
      current.description.push(text);
      continue;
    }
    const milestoneNumber = drafts.filter((d) => d.features.length || d.numbered).length;
    if (feature) readDetail(feature, indent, text, problems, `${milestoneNumber}.${current.features.length}`);
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

  const plan: Plan = {
    source: "outline",
    milestones: milestones.map((d, i) => toMilestone(d, String(i + 1), problems)),
  };
  return { plan, problems, ignored };
}

function newFeature(titleText: string): DraftFeature {
  const tag = SIZE_TAG.exec(titleText);
  const title = tag ? titleText.slice(0, tag.index).trim() : titleText.trim();
  const size = tag ? toSize(tag[1] ?? "") : undefined;
  return { title, size, description: [], acceptance: [], depends: [] };
}

function readDetail(
  f: DraftFeature,
  indent: number,
  text: string,
  problems: string[],
  key: string,
): void {
  const where = `Feature ${key} ("${f.title}")`;
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
  const field = /^(size|depends on|depends|acceptance(?: criteria)?)\s*:\s*(.*)$/i.exec(body);
  if (!field) {
    f.description.push(text);
    return;
  }
  const name = (field[1] ?? "").toLowerCase();
  const value = (field[2] ?? "").trim();
  if (name === "size") {
    const size = toSize(value);
    if (size) f.sizeLine = size;
    else problems.push(`${where} has "Size: ${value}"; write Size: S, Size: M or Size: L.`);
  } else if (name.startsWith("depends")) {
    for (const key of value.split(/[,\s]+/).filter(Boolean)) {
      if (/^\d{1,2}\.\d{1,2}$/.test(key)) f.depends.push(key);
      else if (!/^(none|-|n\/a)$/i.test(key)) {
        problems.push(`${where} depends on "${key}", which is not a feature key; write keys like 1.2 (milestone 1, feature 2).`);
      }
    }
  } else if (value) {
    f.acceptance.push(value);
  } else {
    f.acceptanceIndent = indent;
  }
}

function toMilestone(d: Draft, key: string, problems: string[]): Milestone {
  if (!d.features.length) {
    problems.push(`Milestone ${key} ("${d.title}") has no features; add checklist items like \`- [ ] Feature\` beneath its heading.`);
  }
  const features: Feature[] = d.features.map((f, k) => {
    const featureKey = `${key}.${k + 1}`;
    if (!f.title) problems.push(`Feature ${featureKey} in milestone ${key} has an empty checklist item; give it a title or remove it.`);
    return Feature.parse({
      key: featureKey,
      title: f.title || "(untitled)",
      description: paragraph(f.description),
      acceptance: f.acceptance,
      size: f.sizeLine ?? f.size ?? "M",
      depends_on: [...new Set(f.depends)],
    });
  });
  return Milestone.parse({ key, title: d.title, description: paragraph(d.description), features });
}

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
