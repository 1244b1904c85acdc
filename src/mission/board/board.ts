/**
 * The Project board: which fields and views the bot keeps on it, what each
 * milestone's and feature's card should show, and which cards to write now.
 * Pure: the mission in, one `board-sync` action (or none) out; apply
 * (src/github/board.ts) re-reads each card before writing it.
 *
 * A card is written when the mission moved since the bot last wrote it (the
 * values it wrote are recorded in mission.md): a person who moves a card is
 * not overwritten by the same, stale data; once the mission itself moves,
 * the card follows it.
 */
import type { Config, Feature, Milestone, Mission } from "../model.js";
import type { Action, Ref } from "../decision.js";
import type { History } from "../budget/forecast.js";
import { calibrationHistory, forecastAt, forecastFeature } from "../budget/forecast.js";
import { totalsByFeature } from "../budget/ledger.js";
import { activeMilestone, featureState } from "../workers/workers.js";
import { PROJECT_URL, type BoardRecord, type FieldValue, type ProjectRef } from "./model.js";

/** The Status field's options: the states the dashboard shows for features and milestones. */
export const BOARD_STATUSES = ["Waiting", "Ready", "Running", "Awaiting merge", "Needs a person", "In progress", "Validating", "Paused", "Done", "Cancelled"] as const;
export type BoardStatus = (typeof BOARD_STATUSES)[number];

const STATUS_COLORS: Record<BoardStatus, string> = {
  Waiting: "GRAY",
  Ready: "BLUE",
  Running: "YELLOW",
  "Awaiting merge": "ORANGE",
  "Needs a person": "RED",
  "In progress": "YELLOW",
  Validating: "PURPLE",
  Paused: "PINK",
  Done: "GREEN",
  Cancelled: "GRAY",
};

/**
 * The bot's fields. GitHub gives every project built-in fields named Status
 * and Milestone (the repository's milestones), and a name is taken once per
 * project; the REST API cannot add options to the built-in Status. So the
 * mission's status and milestone are "Mission status" and "Mission milestone".
 */
export const FIELD = {
  mission: "Mission",
  milestone: "Mission milestone",
  kind: "Kind",
  status: "Mission status",
  size: "Size",
  forecast: "Forecast $",
  spent: "Spent $",
  attempts: "Attempts",
  run: "Worker run",
} as const;

export interface BoardFieldSpec {
  name: string;
  type: "text" | "number" | "single_select";
  options?: ReadonlyArray<{ name: string; color: string }>;
}

export const BOARD_FIELDS: readonly BoardFieldSpec[] = [
  { name: FIELD.mission, type: "text" },
  { name: FIELD.milestone, type: "text" },
  { name: FIELD.kind, type: "single_select", options: [{ name: "Milestone", color: "PURPLE" }, { name: "Feature", color: "BLUE" }, { name: "Fix", color: "RED" }] },
  { name: FIELD.status, type: "single_select", options: BOARD_STATUSES.map((name) => ({ name, color: STATUS_COLORS[name] })) },
  { name: FIELD.size, type: "single_select", options: [{ name: "S", color: "GREEN" }, { name: "M", color: "YELLOW" }, { name: "L", color: "ORANGE" }] },
  { name: FIELD.forecast, type: "number" },
  { name: FIELD.spent, type: "number" },
  { name: FIELD.attempts, type: "number" },
  { name: FIELD.run, type: "text" },
];

/** The views people expect, made once on a board whose fields the bot created (the REST API cannot list views). */
export const BOARD_VIEWS = [
  { name: "Mission board", layout: "board", by: FIELD.status },
  { name: "By milestone", layout: "table", by: FIELD.milestone },
  { name: "Mission roadmap", layout: "roadmap" },
] as const;

/** Cards written per reconcile at most (each: add, re-read, update); the rest follow on the next. */
export const BOARD_ITEMS_PER_RECONCILE = 8;
/** A board GitHub would not let the bot reach is tried again after this long. */
export const BOARD_RETRY_MS = 3_600_000;

/** The project the mission is tracked on: the one `/mission project` made for it, else `.github/mission.yml`'s. */
export function projectOf(config: Config, board: BoardRecord | undefined): ProjectRef | undefined {
  if (board?.node_id) return board.project;
  const p = config.project;
  if (!p) return undefined;
  if (p.url) {
    const m = PROJECT_URL.exec(p.url);
    if (!m) return undefined;
    return { owner: m[2]!, owner_type: m[1] === "orgs" ? "organization" : "user", number: Number(m[3]) };
  }
  return p.owner && p.number ? { owner: p.owner, owner_type: p.owner_type ?? "organization", number: p.number } : undefined;
}

export function sameProject(a: ProjectRef, b: ProjectRef): boolean {
  return a.owner.toLowerCase() === b.owner.toLowerCase() && a.owner_type === b.owner_type && a.number === b.number;
}

/** The project's web address (what people open). */
export function projectUrl(serverUrl: string, p: ProjectRef): string {
  return `${serverUrl.replace(/\/+$/, "")}/${p.owner_type === "organization" ? "orgs" : "users"}/${p.owner}/projects/${p.number}`;
}

export interface BoardInput {
  mission: Mission;
  config: Config;
  history: History;
  /** milestone and feature keys whose issues are closed */
  closed: ReadonlySet<string>;
  now: string;
}

/** The one board action this reconcile needs, if any. */
export function decideBoard(input: BoardInput): Action[] {
  const { mission: m, config, now } = input;
  const project = projectOf(config, m.board);
  if (!project || !m.plan) return [];
  const board = m.board && sameProject(m.board.project, project) ? m.board : undefined;
  if (board?.unreachable && Date.parse(now) - Date.parse(board.unreachable.at) < BOARD_RETRY_MS) return [];
  // an unreachable board is looked at again from the start (the project itself), not assumed to be back
  const setup = !board || !!board.unreachable || BOARD_FIELDS.some((f) => !board.fields[f.name]);
  const items: Array<{ ref: Ref; values: Record<string, FieldValue> }> = [];
  for (const card of cards(input)) {
    const recorded = board?.items[card.ref];
    const changed = Object.fromEntries(Object.entries(card.values).filter(([name, v]) => !recorded || !Object.is(recorded.values[name] ?? null, v)));
    if (recorded && !Object.keys(changed).length) continue;
    items.push({ ref: card.ref, values: changed });
    if (items.length >= BOARD_ITEMS_PER_RECONCILE) break;
  }
  if (!setup && !items.length && !board?.unreachable) return [];
  return [{ kind: "board-sync", project, setup, items }];
}

/** Every milestone and feature that has its issue, with what its card should show. */
export function cards(input: BoardInput): Array<{ ref: Ref; values: Record<string, FieldValue> }> {
  const { mission: m, config, history, closed } = input;
  const spent = totalsByFeature(m.ledger);
  const usd = (micros: number) => Math.round(micros / 10_000) / 100;
  // A forecast is shown in whole dollars: it is recalibrated as features finish, and a card is rewritten only when
  // its value moves, so cents would rewrite every card left at each feature's end (GitHub's write budget).
  const wholeUsd = (micros: number) => Math.round(micros / 1_000_000);
  // the one forecast (budget/forecast.ts): calibrated as every other path does, at the mission's level and worker model
  const calibrated = calibrationHistory(m, history, closed);
  const forecast = (f: Feature) => forecastFeature(f, config, calibrated, forecastAt(m)).costMicros.point;
  const out: Array<{ ref: Ref; values: Record<string, FieldValue> }> = [];
  const active = activeMilestone(m);
  for (const ms of m.plan?.milestones ?? []) {
    const msName = `${ms.key}. ${ms.title}`.slice(0, 100);
    if (ms.issue) {
      out.push({
        ref: `milestone:${ms.key}`,
        values: {
          [FIELD.mission]: m.id,
          [FIELD.milestone]: msName,
          [FIELD.kind]: "Milestone",
          [FIELD.status]: milestoneStatus(m, ms, closed, ms === active),
          [FIELD.size]: null,
          [FIELD.forecast]: wholeUsd(ms.features.reduce((s, f) => s + forecast(f), 0)),
          [FIELD.spent]: usd(ms.features.reduce((s, f) => s + (spent.get(f.key)?.costMicros ?? 0), 0)),
          [FIELD.attempts]: ms.validations.length,
          [FIELD.run]: ms.validations.at(-1)?.url ?? null,
        },
      });
    }
    for (const f of ms.features) {
      if (!f.issue) continue;
      out.push({
        ref: `feature:${f.key}`,
        values: {
          [FIELD.mission]: m.id,
          [FIELD.milestone]: msName,
          [FIELD.kind]: f.fix_for ? "Fix" : "Feature",
          [FIELD.status]: featureStatus(m, ms, f, closed, config, ms === active),
          [FIELD.size]: f.size,
          [FIELD.forecast]: wholeUsd(forecast(f)),
          [FIELD.spent]: usd(spent.get(f.key)?.costMicros ?? 0),
          [FIELD.attempts]: f.runs.length,
          [FIELD.run]: f.runs.at(-1)?.url ?? null,
        },
      });
    }
  }
  return out;
}

function featureStatus(m: Mission, ms: Milestone, f: Feature, closed: ReadonlySet<string>, config: Config, isActive: boolean): BoardStatus {
  if (closed.has(f.key) || f.done) return "Done";
  if (m.status === "cancelled") return "Cancelled";
  const state = featureState(f, (key) => closed.has(key), config);
  switch (state.kind) {
    case "done":
      return "Done";
    case "running":
      return "Running";
    case "awaiting":
      return "Awaiting merge";
    case "needs-human":
      return "Needs a person";
    case "blocked":
      return "Waiting";
    case "ready":
      if (ms.validated) return "Done";
      if (!isActive) return "Waiting";
      return m.status === "paused" ? "Paused" : "Ready";
  }
}

function milestoneStatus(m: Mission, ms: Milestone, closed: ReadonlySet<string>, isActive: boolean): BoardStatus {
  if (closed.has(ms.key) || ms.validated) return "Done";
  if (m.status === "cancelled") return "Cancelled";
  if (!isActive) return "Waiting";
  if (m.status === "validating") return "Validating";
  if (m.status === "paused") return "Paused";
  return "In progress";
}
