/**
 * The dashboard: the bot-owned region of the tracking issue's body.
 *
 * The region sits between `<!-- mission-bot:<id>:dashboard:start -->` and
 * `<!-- mission-bot:<id>:dashboard:end -->`; everything outside it is the
 * user's text and is kept byte for byte. Status, notices, budget and commands
 * come first so a body that must be shortened (GitHub refuses bodies over
 * 65,536 characters) loses only the long tail: the feature lists. Pure.
 */
import { totals, type Spent } from "../budget/ledger.js";
import { formatHours, formatTokens, formatUsd, usdToMicros } from "../budget/money.js";
import { marker } from "../markers.js";
import { cellText } from "./escape.js";
import { constraintsSection } from "./constraints.js";
import { forecastSection } from "./forecast-section.js";
import type { History } from "../budget/forecast.js";
import type { Config } from "../model.js";
import { GITHUB_LIMITS, missionPath, type Budget, type Feature, type LedgerEntry, type Mission, type MissionStatus } from "../model.js";

export interface DashboardInput {
  mission: Mission;
  /** keys of closed milestone and feature issues, e.g. "1", "1.2" */
  closed: ReadonlySet<string>;
  /** problems to show at the top, e.g. "mission.md is invalid: …" */
  notices?: string[];
  /** open interview questions (from the interview); when absent they are read from the mission's unanswered fields */
  questions?: string[];
  /** characters the region's inner markdown may use; see dashboardRoom() */
  maxChars?: number;
  /** for the link to mission.md; default "https://github.com" */
  serverUrl?: string;
  /** branch holding mission.md; default the repository's default branch */
  stateBranch?: string;
  /** with `history`: the forecast section (forecast-section.ts) */
  config?: Config;
  /** the repository's finished features, for the forecast */
  history?: History;
}

/** Room for the region when the body holds nothing else. */
export const DEFAULT_DASHBOARD_CHARS = GITHUB_LIMITS.bodyChars - 200;

/**
 * Hidden line between the top (always kept) and the long tail (may be cut).
 * It matches no marker in markers.ts on purpose: it identifies nothing.
 */
export const TAIL_MARK = "<!-- mission-bot:dashboard-tail -->";

const TRUNCATION_RESERVE = 300;

export function dashboardMarkers(missionId: string): { start: string; end: string } {
  return {
    start: marker({ mission: missionId, kind: "dashboard", key: "start" }),
    end: marker({ mission: missionId, kind: "dashboard", key: "end" }),
  };
}

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

export function renderDashboard(input: DashboardInput): string {
  const maxChars = input.maxChars ?? DEFAULT_DASHBOARD_CHARS;
  const head = renderTop(input);
  const tail = renderTail(input.mission, input.closed);
  return fitTail(head, tail, maxChars);
}

function renderTop(input: DashboardInput): string {
  const { mission } = input;
  const lines: string[] = [];
  lines.push(`## 🚀 ${cellText(mission.title)}`, "", statusLine(input), "");
  for (const notice of input.notices ?? []) {
    lines.push("> [!WARNING]", `> ${cellText(notice)}`, "");
  }
  lines.push("### Budget", "", ...budgetTable(mission.budget, mission.ledger), "");
  if (input.config) lines.push(...forecastSection(mission, input.config, input.history ?? [], input.closed));
  lines.push(...constraintsSection(mission));
  lines.push("### Commands", "", "Comment on this issue:", "");
  for (const [command, what] of COMMANDS[mission.status]) lines.push(`- \`${command}\` — ${what}`);
  lines.push("");
  if (mission.status === "scoping" && !mission.plan) {
    const questions = input.questions ?? openQuestions(mission);
    lines.push("### Questions", "");
    if (questions.length === 0) {
      lines.push("Every question is answered; the plan is being prepared.");
    } else {
      lines.push("Before planning, the bot needs to know:", "");
      for (const q of questions) lines.push(`- ${cellText(q)}`);
      lines.push("", "Reply with `/mission answer` followed by one `name: value` line per answer.");
    }
    lines.push("");
  }
  return lines.join("\n");
}

function statusLine(input: DashboardInput): string {
  const { mission } = input;
  const path = missionPath(mission.id);
  const server = (input.serverUrl ?? "https://github.com").replace(/\/+$/, "");
  const ref = input.stateBranch ?? "HEAD";
  const state = `[\`${path}\`](${server}/${mission.repo}/blob/${encodeURI(ref)}/${path})`;
  return [
    `**Status:** ${STATUS_WORDS[mission.status]}`,
    `**Mode:** ${modeWords(mission.mode)}`,
    `**Mission:** \`${mission.id}\``,
    `**State:** ${state}`,
  ].join(" · ");
}

const STATUS_WORDS: Record<MissionStatus, string> = {
  scoping: "💬 scoping",
  planned: "📝 planned, waiting for approval",
  active: "▶️ active",
  paused: "⏸️ paused",
  validating: "🔍 validating",
  completed: "✅ completed",
  cancelled: "✖️ cancelled",
};

export function modeWords(mode: Mission["mode"]): string {
  if (mode === "poc") return "proof of concept";
  if (mode === "full") return "full";
  return "not set";
}

/** Commands that make sense in each status: [command, what it does]. */
export const COMMANDS: Record<MissionStatus, ReadonlyArray<readonly [string, string]>> = {
  scoping: [
    ["/mission answer <answers>", "answer the questions below"],
    ["/mission cancel", "stop this mission"],
    ["/mission help", "list every command"],
  ],
  planned: [
    ["/mission approve", "create the issues and start work"],
    ["/mission replan <change>", "ask for a different plan"],
    ["/mission budget +$100 +10h +2M tokens", "raise the budget"],
    ["/mission cancel", "stop this mission"],
    ["/mission help", "list every command"],
  ],
  active: [
    ["/mission status", "post a progress report"],
    ["/mission pause", "dispatch no new work"],
    ["/mission budget", "show or raise the budget"],
    ["/mission retry <feature>", "run a feature again"],
    ["/mission validate", "validate the current milestone now"],
    ["/mission cancel", "stop this mission"],
    ["/mission help", "list every command"],
  ],
  paused: [
    ["/mission resume", "dispatch work again"],
    ["/mission status", "post a progress report"],
    ["/mission budget", "show or raise the budget"],
    ["/mission cancel", "stop this mission"],
    ["/mission help", "list every command"],
  ],
  validating: [
    ["/mission status", "post a progress report"],
    ["/mission skip-validation <milestone>", "accept a milestone without validation"],
    ["/mission pause", "dispatch no new work"],
    ["/mission cancel", "stop this mission"],
    ["/mission help", "list every command"],
  ],
  completed: [
    ["/mission status", "post the final report"],
    ["/mission help", "list every command"],
  ],
  cancelled: [
    ["/mission <goal>", "start a new mission"],
    ["/mission help", "list every command"],
  ],
};

/** Fallback when the interview did not say: the fields the mission has not answered yet. */
function openQuestions(mission: Mission): string[] {
  const q: string[] = [];
  if (mission.mode === undefined) q.push("mode: `poc` (proof of concept, fastest) or `full` (pull requests, reviewed)");
  if (mission.budget.hours === undefined) q.push("hours: at most how many hours of work, like `40`, or `uncapped`");
  if (mission.budget.usd === undefined) q.push("usd: at most how many dollars, like `100`, or `uncapped`");
  if (mission.budget.tokens === undefined) q.push("tokens: at most how many model tokens, like `5M`, or `uncapped`");
  if (mission.constraints === undefined) q.push("constraints: what the work must respect, or `none`");
  if (mission.preferences === undefined) q.push("preferences: stack, deploy target, test framework, or `none`");
  return q;
}

/** The budget as a markdown table: limit, spent (from the ledger), remaining and share used. */
export function budgetTable(budget: Budget, ledger: readonly LedgerEntry[]): string[] {
  const spent: Spent = totals(ledger);
  const rows = [
    budgetRow("Time", budget.hours, spent.hours, (n) => formatHours(n), (n) => n),
    budgetRow("Money", budget.usd, spent.costMicros, formatUsd, usdToMicros),
    budgetRow("Tokens", budget.tokens, spent.tokens, formatTokens, (n) => n),
  ];
  return ["| | Limit | Spent | Remaining | Used |", "| --- | --: | --: | --: | --: |", ...rows];
}

function budgetRow(
  name: string,
  limit: number | null | undefined,
  spent: number,
  format: (n: number) => string,
  /** the limit in the unit `spent` is counted in */
  toSpentUnit: (limit: number) => number,
): string {
  if (limit === undefined) return `| ${name} | not set | ${format(spent)} | — | — |`;
  if (limit === null) return `| ${name} | uncapped | ${format(spent)} | — | — |`;
  const cap = toSpentUnit(limit);
  const left = cap - spent;
  const remaining = left >= 0 ? format(left) : `over by ${format(-left)}`;
  const used = Math.round((spent / cap) * 100);
  const flag = used >= 100 ? " ⛔" : used >= 80 ? " ⚠️" : "";
  return `| ${name} | ${format(cap)} | ${format(spent)} | ${remaining} | ${used}%${flag} |`;
}

interface TailUnit {
  text: string;
  /** features this unit shows, for the truncation note */
  features: number;
}

function renderTail(mission: Mission, closed: ReadonlySet<string>): TailUnit[] {
  const milestones = mission.plan?.milestones ?? [];
  if (milestones.length === 0) return [];
  const units: TailUnit[] = [];
  const current = milestones.find((m) => !closed.has(m.key))?.key;
  const header = ["### Milestones", "", "| # | Milestone | Issue | Features done | State |", "| --: | --- | --- | --: | --- |"];
  milestones.forEach((m, i) => {
    const done = m.features.filter((f) => closed.has(f.key)).length;
    const row = `| ${m.key} | ${cellText(m.title)} | ${issueRef(m.issue)} | ${done}/${m.features.length} | ${milestoneState(mission.status, closed.has(m.key) || !!m.validated, m.key === current)} |`;
    units.push({ text: i === 0 ? [...header, row].join("\n") : row, features: 0 });
  });
  units.push({ text: "\n### Features", features: 0 });
  for (const m of milestones) {
    const done = m.features.filter((f) => closed.has(f.key)).length;
    const heading = `\n#### ${m.key}. ${cellText(m.title)}${m.issue ? ` · #${m.issue.number}` : ""} · ${done}/${m.features.length}\n`;
    m.features.forEach((f, i) => {
      const line = `- ${closed.has(f.key) ? "✓" : "○"} \`${f.key}\` ${cellText(f.title)} · ${f.size} · ${issueRef(f.issue)}${workerNote(f, closed.has(f.key))}`;
      units.push({ text: i === 0 ? heading + "\n" + line : line, features: 1 });
    });
    if (m.features.length === 0) units.push({ text: heading + "\n_No features._", features: 0 });
  }
  return units;
}

/** What the feature's worker is doing, when it says more than done/not done. */
function workerNote(f: Feature, done: boolean): string {
  if (done) return "";
  if (f.needs_human) return " · 🙋 needs a person";
  const last = f.runs.at(-1);
  if (!last) return "";
  if (last.status !== "completed") return ` · 🔄 worker running (try ${last.try})`;
  if (last.conclusion === "success" && last.reported !== "failure" && last.reported !== "malformed") return " · ⏳ awaiting merge";
  return ` · ↻ retrying after try ${last.try}`;
}

function milestoneState(status: MissionStatus, isDone: boolean, isCurrent: boolean): string {
  if (isDone) return "✅ done";
  if (status === "scoping" || status === "planned") return "📝 planned";
  if (status === "cancelled") return "✖️ cancelled";
  if (!isCurrent) return "⏳ waiting";
  if (status === "validating") return "🔍 validating";
  if (status === "paused") return "⏸️ paused";
  return "▶️ in progress";
}

function issueRef(issue: { number: number } | undefined): string {
  return issue ? `#${issue.number}` : "—";
}

/** Top, then as much of the tail as fits, then a note saying what was left out. */
function fitTail(head: string, tail: TailUnit[], maxChars: number): string {
  const whole = [head, TAIL_MARK, ...tail.map((u) => u.text)].join("\n");
  if (whole.length <= maxChars) return whole;
  const room = maxChars - TRUNCATION_RESERVE;
  let text = `${head}\n${TAIL_MARK}`;
  let shown = 0;
  for (const unit of tail) {
    if (text.length + 1 + unit.text.length > room) break;
    text += `\n${unit.text}`;
    shown += 1;
  }
  const hidden = tail.slice(shown).reduce((n, u) => n + u.features, 0);
  return `${text}\n\n${shortenedNote(hidden)}`;
}

function shortenedNote(hiddenFeatures: number): string {
  const what = hiddenFeatures > 0 ? `${hiddenFeatures} feature${hiddenFeatures === 1 ? "" : "s"} not shown` : "Shortened";
  return `_… ${what}: an issue body holds at most ${GITHUB_LIMITS.bodyChars.toLocaleString("en-US")} characters. Each milestone issue lists its features._`;
}

// ---------------------------------------------------------------------------
// Merging into the tracking issue's body
// ---------------------------------------------------------------------------

interface BodyParts {
  /** the user's text before the region, or "" when the region is inserted at the top */
  before: string;
  /** the user's text after the region */
  after: string;
  /** whether the body already had a region for this mission */
  found: boolean;
}

/**
 * Split the body into the user's text around this mission's region.
 * Extra complete regions of the same mission are dropped (the bot owns what is
 * between its markers); a lone start or end marker is dropped so it cannot
 * pair with a new one and swallow the user's text. Nothing else changes.
 */
function splitBody(body: string, missionId: string): BodyParts {
  const { start, end } = dashboardMarkers(missionId);
  const s = body.indexOf(start);
  const e = s === -1 ? -1 : body.indexOf(end, s + start.length);
  if (s === -1 || e === -1) {
    return { before: "", after: dropLoneMarkers(body, start, end), found: false };
  }
  const before = dropLoneMarkers(body.slice(0, s), start, end);
  let after = body.slice(e + end.length);
  for (;;) {
    const s2 = after.indexOf(start);
    const e2 = s2 === -1 ? -1 : after.indexOf(end, s2 + start.length);
    if (e2 === -1) break;
    after = after.slice(0, s2) + after.slice(e2 + end.length);
  }
  return { before, after: dropLoneMarkers(after, start, end), found: true };
}

function dropLoneMarkers(text: string, start: string, end: string): string {
  return text.split(start).join("").split(end).join("");
}

function compose(parts: BodyParts, missionId: string, region: string): string {
  const { start, end } = dashboardMarkers(missionId);
  const block = `${start}\n${region}\n${end}`;
  if (parts.found) return parts.before + block + parts.after;
  return parts.after === "" ? block : `${block}\n\n${parts.after}`;
}

/**
 * Characters the region's inner markdown may use in this body: pass it to
 * renderDashboard as maxChars. Below a few thousand, the user's own text is
 * crowding the dashboard out; say so in a comment.
 */
export function dashboardRoom(body: string | null, missionId: string): number {
  return GITHUB_LIMITS.bodyChars - compose(splitBody(body ?? "", missionId), missionId, "").length;
}

/**
 * The body with this mission's region replaced, or inserted at the top
 * (then a blank line, then the user's text) when absent.
 *
 * The user's text is never cut. When body + region exceed 65,536 characters,
 * the region's tail (after TAIL_MARK) is cut at line boundaries with a note;
 * if even the top does not fit, the body is returned unchanged (so
 * dashboardChanged is false and nothing is written) — the caller should check
 * dashboardRoom() and tell the user in a comment.
 */
export function mergeDashboard(body: string | null, missionId: string, region: string): string {
  const parts = splitBody(body ?? "", missionId);
  const inner = region.replace(/^\n+|\n+$/g, "");
  const merged = compose(parts, missionId, inner);
  if (merged.length <= GITHUB_LIMITS.bodyChars) return merged;
  const room = dashboardRoom(body, missionId);
  const shortened = shortenRegion(inner, room);
  return shortened === undefined ? (body ?? "") : compose(parts, missionId, shortened);
}

function shortenRegion(region: string, room: number): string | undefined {
  const cut = region.indexOf(TAIL_MARK);
  if (cut === -1) return undefined;
  const top = region.slice(0, cut + TAIL_MARK.length);
  const note = `\n\n${shortenedNote(0)}`;
  if (top.length + note.length > room) return undefined;
  const lines = region.slice(top.length).split("\n");
  let text = top;
  for (const line of lines.slice(1)) {
    if (text.length + 1 + line.length + note.length > room) break;
    text += `\n${line}`;
  }
  return text + note;
}

/** Whether writing newBody would change what GitHub shows (line endings and trailing space aside). */
export function dashboardChanged(oldBody: string | null, newBody: string): boolean {
  return normalize(oldBody ?? "") !== normalize(newBody);
}

function normalize(body: string): string {
  return body.replace(/\r\n?/g, "\n").replace(/\s+$/, "");
}
