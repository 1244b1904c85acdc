/**
 * Budget enforcement: what is spent against each limit, alerts posted once
 * per threshold, the check before every dispatch, per-run limits, raising
 * the budget and pausing for it. Pure; money in integer micro-dollars.
 *
 * Units: each dimension is counted in one unit everywhere here: hours,
 * micro-dollars ("usd") and tokens. A limit of `null` is uncapped; an unset
 * (`undefined`) limit is uncapped for enforcement too.
 */
import type { BudgetDimension, Range } from "./budget.js";
import { forecastMission, type FeatureForecast, type History, type MissionForecast } from "./forecast.js";
import { LEVEL_LABELS, levelModel, levelOf, OUTCOME_LEVELS, type OutcomeLevel } from "./levels.js";
import { CONFIG_PATH } from "../config.js";
import { totals, type Spent } from "./ledger.js";
import { formatHours, formatPercent, formatTokens, formatUsd, formatUsdShort, usdToMicros } from "./money.js";
import type { Config, Feature, Mission, Size } from "../model.js";

export type Dimension = BudgetDimension;
/** The order dimensions are shown and alerted in. */
export const DIMENSIONS: readonly Dimension[] = ["hours", "usd", "tokens"];
export const DIMENSION_WORDS: Record<Dimension, string> = { hours: "time", usd: "money", tokens: "tokens" };

export interface DimensionUsage {
  dimension: Dimension;
  /** null: uncapped; undefined: not set (uncapped for enforcement) */
  limit: number | null | undefined;
  spent: number;
  /** limit − spent, never below 0; null when not capped */
  remaining: number | null;
  /** spent / limit (1.2 = 120%); null when not capped */
  fraction: number | null;
  /** spent per hour of mission time; null before a minute has passed */
  burnPerHour: number | null;
  /** at completion: spent + the forecast of every feature not done yet (less what it already spent) */
  forecast: Range;
}

export interface Usage {
  hours: DimensionUsage;
  usd: DimensionUsage;
  tokens: DimensionUsage;
  /** when work started: the first worker dispatch, else the first ledger entry, else the mission's creation */
  since: string;
  elapsedHours: number;
  /** features not done yet, whose forecasts the forecast at completion adds */
  featuresLeft: number;
  /** calibration data points per size behind the forecast */
  dataPoints: Record<Size, number>;
  /** the mission's forecast the figures above come from */
  outlook: MissionForecast;
}

export interface UsageOptions {
  /** the repository's finished features (its completed missions); the mission's own finished features are always added */
  history?: History;
  /** keys of features whose issues are closed (from the snapshot); see isFeatureDone */
  closed?: ReadonlySet<string>;
}

export function formatAmount(dimension: Dimension, value: number): string {
  if (dimension === "hours") return formatHours(value);
  if (dimension === "usd") return formatUsd(value);
  return formatTokens(value);
}

/** The budget's limits in each dimension's unit. */
export function limitsOf(m: Mission): Record<Dimension, number | null | undefined> {
  const { hours, usd, tokens } = m.budget;
  return { hours, usd: usd == null ? usd : usdToMicros(usd), tokens };
}

function spentIn(spent: Spent, dimension: Dimension): number {
  return dimension === "hours" ? spent.hours : dimension === "usd" ? spent.costMicros : spent.tokens;
}

/** Spent reached `fraction` of limit (exact for integers; hours with a hair of tolerance for float noise). */
function reached(spent: number, limit: number, fraction: number): boolean {
  return spent / limit >= fraction - 1e-12;
}

export function usage(m: Mission, config: Config, now: string, opts: UsageOptions = {}): Usage {
  const outlook = forecastMission(m, config, opts.history ?? [], opts.closed ? { closed: opts.closed } : {});
  const spent = totals(m.ledger);
  const limits = limitsOf(m);
  const since = workStarted(m);
  const elapsedHours = Math.max(0, Date.parse(now) - Date.parse(since)) / 3_600_000;
  const left = outlook.left;

  const dimension = (d: Dimension): DimensionUsage => {
    const limit = limits[d];
    const s = spentIn(spent, d);
    const capped = typeof limit === "number";
    return {
      dimension: d,
      limit,
      spent: s,
      remaining: capped ? Math.max(0, limit - s) : null,
      fraction: capped ? s / limit : null,
      burnPerHour: elapsedHours >= 1 / 60 ? s / elapsedHours : null,
      forecast: { low: s + left[d].low, point: s + left[d].point, high: s + left[d].high },
    };
  };
  return {
    hours: dimension("hours"),
    usd: dimension("usd"),
    tokens: dimension("tokens"),
    since,
    elapsedHours,
    featuresLeft: outlook.featuresLeft,
    dataPoints: outlook.dataPoints,
    outlook,
  };
}

function workStarted(m: Mission): string {
  const dispatches = (m.plan?.milestones ?? []).flatMap((ms) => ms.features.flatMap((f) => f.runs.map((r) => r.dispatched_at)));
  const candidates = dispatches.length ? dispatches : m.ledger.map((e) => e.at);
  const first = candidates.reduce<string | undefined>(
    (min, at) => (min === undefined || Date.parse(at) < Date.parse(min) ? at : min),
    undefined,
  );
  return first ?? m.created;
}

/** Capped dimensions whose spending reached 100% of the limit. */
export function exhaustedDimensions(m: Mission, _config?: Config, _now?: string): Dimension[] {
  const spent = totals(m.ledger);
  const limits = limitsOf(m);
  return DIMENSIONS.filter((d) => {
    const limit = limits[d];
    return typeof limit === "number" && spentIn(spent, d) >= limit;
  });
}

// ---------------------------------------------------------------------------
// Alerts
// ---------------------------------------------------------------------------

export interface Alert {
  /** "usd:0.8": the threshold this alert names */
  key: string;
  dimension: Dimension;
  threshold: number;
  /** every key to add to alerts_sent: this one and any lower threshold crossed in the same jump */
  marks: string[];
  /** markdown for the tracking issue */
  text: string;
  /** the next cheaper level for the features left, proposed in the text (or applied: `budget.downgrade: apply`) */
  downgrade?: { level: OutcomeLevel; model: string };
}

/** The next cheaper outcome level and what the mission would cost with the features left on it; undefined at MVP. */
export function cheaperLevel(m: Mission, config: Config, opts: UsageOptions = {}): { level: OutcomeLevel; model: string; forecastMicros: number } | undefined {
  const index = OUTCOME_LEVELS.indexOf(levelOf(m));
  if (index <= 0) return undefined;
  const level = OUTCOME_LEVELS[index - 1]!;
  const model = levelModel(level, config);
  const fc = forecastMission(m, config, opts.history ?? [], { ...(opts.closed ? { closed: opts.closed } : {}), at: { level, model } });
  return { level, model, forecastMicros: totals(m.ledger).costMicros + fc.left.usd.point };
}

export function alertKey(dimension: Dimension, threshold: number): string {
  return `${dimension}:${threshold}`;
}

/**
 * Alerts to post now, one per dimension at most, in DIMENSIONS order. Each
 * threshold is posted once ever (m.alerts_sent). A jump across several
 * thresholds (0% → 120%) posts one alert naming the highest; its `marks`
 * include the lower ones so they are never posted late. A completed or
 * cancelled mission gets none.
 */
export function alertsDue(m: Mission, config: Config, now: string, opts: UsageOptions = {}): Alert[] {
  // no more work will be started: a late report needs no warning (the dashboard still shows the totals)
  if (m.status === "completed" || m.status === "cancelled") return [];
  const thresholds = [...new Set(m.budget.alerts)].sort((a, b) => a - b);
  const sent = new Set(m.alerts_sent);
  const limits = limitsOf(m);
  const spent = totals(m.ledger);
  let u: Usage | undefined;
  const alerts: Alert[] = [];
  for (const d of DIMENSIONS) {
    const limit = limits[d];
    if (typeof limit !== "number") continue;
    const s = spentIn(spent, d);
    const unsent = thresholds.filter((t) => reached(s, limit, t) && !sent.has(alertKey(d, t)));
    const threshold = unsent.at(-1);
    if (threshold === undefined) continue;
    u ??= usage(m, config, now, opts);
    let text = alertText(u, u[d], threshold, m.budget.hard_stop);
    const cheaper = (u[d].fraction ?? 0) < 1 && !alerts.some((a) => a.downgrade) ? cheaperLevel(m, config, opts) : undefined;
    if (cheaper && u.featuresLeft > 0) {
      const label = LEVEL_LABELS[cheaper.level];
      const effect = `- A cheaper level: the ${u.featuresLeft} feature${u.featuresLeft === 1 ? "" : "s"} left at **${label}** (workers on \`${cheaper.model}\`) would bring the money forecast at completion to ${formatUsd(cheaper.forecastMicros)}, from ${formatUsd(u.usd.forecast.point)}.`;
      const how =
        config.budget.downgrade === "apply"
          ? ` Applied, as \`budget.downgrade: apply\` in \`${CONFIG_PATH}\` says: the features left run at ${label}.`
          : ` To switch, comment \`/mission approve ${cheaper.level}\`.`;
      text += `\n${effect}${how}`;
    }
    alerts.push({
      key: alertKey(d, threshold),
      dimension: d,
      threshold,
      marks: unsent.map((t) => alertKey(d, t)),
      text,
      ...(cheaper && u.featuresLeft > 0 ? { downgrade: { level: cheaper.level, model: cheaper.model } } : {}),
    });
  }
  return alerts;
}

function alertText(u: Usage, d: DimensionUsage, threshold: number, hardStop: "finish" | "cancel"): string {
  // worded by what is spent, not by the threshold: alerts at [0.5, 0.8] still announce an exhausted budget
  const word = DIMENSION_WORDS[d.dimension];
  const limit = d.limit as number;
  const spentLine = `${formatAmount(d.dimension, d.spent)} of ${limitText(d.dimension, limit)} spent (${formatPercent(d.fraction ?? 0)})`;
  const lines: string[] = [];
  if ((d.fraction ?? 0) >= 1) {
    const running = hardStop === "finish" ? "running workers finish" : "running workers are cancelled";
    lines.push(
      `⛔ **Budget: the ${word} budget is exhausted.** ${spentLine}. No new worker starts and ${running}; the mission is paused.`,
      "",
      `To continue, someone with write access comments \`/mission budget ${suggestIncrease(d)}\` (${otherForms(d.dimension)} raise the other limits). The increase is recorded in the decision log.`,
    );
  } else {
    lines.push(`⚠️ **Budget: ${formatPercent(threshold)} of the ${word} budget reached.** ${spentLine}; ${formatAmount(d.dimension, d.remaining ?? 0)} remains.`);
  }
  lines.push("", ...facts(u, d));
  return lines.join("\n");
}

/** Burn rate and forecast at completion, as list items. */
function facts(u: Usage, d: DimensionUsage): string[] {
  const out: string[] = [];
  const since = `${formatHours(round2(u.elapsedHours))} since work started`;
  if (d.burnPerHour === null) out.push(`- Burn rate: not known yet (${since}).`);
  else {
    let line = `- Burn rate: ${formatAmount(d.dimension, d.burnPerHour)} an hour (${since}).`;
    if (d.remaining && d.burnPerHour > 0) line += ` At this rate the rest lasts about ${formatHours(round2(d.remaining / d.burnPerHour))}.`;
    out.push(line);
  }
  const f = d.forecast;
  let forecast = `- Forecast at completion: ${formatAmount(d.dimension, f.point)} (${formatAmount(d.dimension, f.low)}–${formatAmount(d.dimension, f.high)})`;
  if (typeof d.limit === "number") {
    forecast += `, ${formatPercent(f.point / d.limit)} of the budget`;
    if (f.point > d.limit) forecast += " — over budget at this rate";
  }
  out.push(`${forecast}; ${u.featuresLeft} feature${u.featuresLeft === 1 ? "" : "s"} left.`);
  return out;
}

const INCREASE_FORMS: Record<Dimension, string> = { hours: "`+10h`", usd: "`+$100`", tokens: "`+2M tokens`" };

function otherForms(d: Dimension): string {
  return DIMENSIONS.filter((x) => x !== d).map((x) => INCREASE_FORMS[x]).join(" and ");
}

function limitText(d: Dimension, limit: number): string {
  return d === "usd" ? formatUsdShort(limit) : formatAmount(d, limit);
}

/**
 * What to add to reach the forecast at completion (or 20% of the limit when
 * the forecast already fits), rounded up: "+$13", "+3h", "+1.3M tokens".
 */
export function suggestIncrease(d: DimensionUsage, atLeast = 0): string {
  const limit = typeof d.limit === "number" ? d.limit : 0;
  let need = Math.max(d.forecast.point - limit, d.spent - limit, atLeast);
  if (need <= 0) need = limit * 0.2;
  if (d.dimension === "usd") return `+${formatUsdShort(Math.max(1, Math.ceil(need / 1_000_000)) * 1_000_000)}`;
  if (d.dimension === "hours") return `+${Math.max(1, Math.ceil(need - 1e-9))}h`;
  return `+${formatTokens(Math.max(1, Math.ceil(need / 100_000)) * 100_000)} tokens`;
}

// ---------------------------------------------------------------------------
// Before a dispatch
// ---------------------------------------------------------------------------

/**
 * Whether a feature may be dispatched now. Refused when any capped
 * dimension is exhausted, or when the feature's HIGH forecast exceeds what
 * remains after the high forecasts of workers still running (runs not yet
 * completed) are set aside. Record a feature's "dispatching" run before
 * checking the next one, so parallel dispatches in one pass see each other.
 */
export function dispatchCheck(
  m: Mission,
  feature: Feature,
  config: Config,
  history: History,
): { ok: true; forecast: FeatureForecast } | { ok: false; reason: string; forecast: FeatureForecast } {
  const exhausted = exhaustedDimensions(m);
  // burn rates are not needed here, so "now" is the mission's creation
  const u = usage(m, config, m.created, { history });
  const fc = forecastIn(u.outlook, feature);
  if (exhausted.length) {
    const parts = exhausted.map((d) => `${formatAmount(d, u[d].spent)} of ${limitText(d, u[d].limit as number)}`);
    const words = exhausted.map((d) => DIMENSION_WORDS[d]).join(" and ");
    const adds = exhausted.map((d) => suggestIncrease(u[d])).join(" ");
    return {
      ok: false,
      forecast: fc,
      reason: `Feature ${feature.key} was not started: the ${words} budget is exhausted (${parts.join(", ")} spent). To continue, comment \`/mission budget ${adds}\`.`,
    };
  }

  const ranges: Record<Dimension, Range> = { hours: fc.hours, usd: fc.costMicros, tokens: fc.tokens };
  const reserved = reservedForRunning(m, feature, u.outlook);
  const over: string[] = [];
  const adds: string[] = [];
  for (const d of DIMENSIONS) {
    const du = u[d];
    if (typeof du.limit !== "number") continue;
    const available = du.limit - du.spent - reserved.amount[d];
    if (ranges[d].high <= available) continue;
    const cost = `${formatAmount(d, ranges[d].low)}–${formatAmount(d, ranges[d].high)}`;
    const aside = reserved.runs ? ` after ${formatAmount(d, reserved.amount[d])} set aside for ${reserved.runs} running worker${reserved.runs === 1 ? "" : "s"}` : "";
    over.push(`${cost} but ${formatAmount(d, Math.max(0, available))} remains of the ${limitText(d, du.limit)} ${DIMENSION_WORDS[d]} budget${aside}`);
    adds.push(suggestIncrease(du, ranges[d].high - available));
  }
  if (!over.length) return { ok: true, forecast: fc };
  return {
    ok: false,
    forecast: fc,
    reason: `Feature ${feature.key} is forecast to cost ${over.join("; and ")}. It was not started; to start it, comment \`/mission budget ${adds.join(" ")}\`.`,
  };
}

/** A feature's forecast within its mission's forecast (a feature not in the plan: forecast alone, with the same calibration). */
function forecastIn(outlook: MissionForecast, feature: Feature): FeatureForecast {
  const found = outlook.features.find((f) => f.key === feature.key);
  if (found) return found.forecast;
  throw new Error(`feature ${feature.key} is not in the mission's plan`);
}

/** High forecasts of the other features whose worker run has not completed yet. */
function reservedForRunning(m: Mission, except: Feature, outlook: MissionForecast): { runs: number; amount: Record<Dimension, number> } {
  const amount: Record<Dimension, number> = { hours: 0, usd: 0, tokens: 0 };
  let runs = 0;
  for (const ms of m.plan?.milestones ?? []) {
    for (const f of ms.features) {
      const last = f.runs.at(-1);
      if (f.key === except.key || !last || last.status === "completed") continue;
      runs++;
      const fc = forecastIn(outlook, f);
      amount.hours += fc.hours.high;
      amount.usd += fc.costMicros.high;
      amount.tokens += fc.tokens.high;
    }
  }
  return { runs, amount };
}

/** Lowest limits a run gets from its forecast (what remains still wins: see perRunLimits). */
export const PER_RUN_FLOOR = { max_turns: 10, timeout_minutes: 15, max_cost_usd: 0.5 } as const;

/**
 * Limits for one worker run. From the feature's HIGH forecast: turns =
 * tokens ÷ per_run.tokens_per_turn, timeout = hours × 60, cost = the cost
 * estimate; each raised to PER_RUN_FLOOR and held to the per_run ceilings,
 * then cut to what remains of a capped budget (that cut wins over the
 * floor, so a run never gets more than remains; 0 means nothing remains).
 * max_cost_usd is given only when money is capped.
 */
export function perRunLimits(
  m: Mission,
  feature: Feature,
  config: Config,
  history: History,
): { max_turns: number; timeout_minutes: number; max_cost_usd?: number } {
  const per = config.budget.per_run;
  const fc = forecastIn(forecastMission(m, config, history), feature);
  const spent = totals(m.ledger);
  const limits = limitsOf(m);
  const left = (d: Dimension): number | null => {
    const limit = limits[d];
    return typeof limit === "number" ? Math.max(0, limit - spentIn(spent, d)) : null;
  };
  const clamp = (value: number, floor: number, ceiling: number) => Math.min(Math.max(value, floor), ceiling);

  let maxTurns = clamp(Math.ceil(fc.tokens.high / per.tokens_per_turn), PER_RUN_FLOOR.max_turns, per.max_turns);
  const tokensLeft = left("tokens");
  if (tokensLeft !== null) maxTurns = Math.min(maxTurns, Math.floor(tokensLeft / per.tokens_per_turn));

  let timeout = clamp(Math.ceil(fc.hours.high * 60), PER_RUN_FLOOR.timeout_minutes, per.timeout_minutes);
  const hoursLeft = left("hours");
  if (hoursLeft !== null) timeout = Math.min(timeout, Math.floor(hoursLeft * 60 + 1e-9));

  const usdLeft = left("usd");
  if (usdLeft === null) return { max_turns: maxTurns, timeout_minutes: timeout };
  const costMicros = Math.min(Math.max(fc.costMicros.high, usdToMicros(PER_RUN_FLOOR.max_cost_usd)), usdLeft);
  // whole cents, rounded down so the cap never exceeds what remains
  return { max_turns: maxTurns, timeout_minutes: timeout, max_cost_usd: Math.floor(costMicros / 10_000) / 100 };
}

// ---------------------------------------------------------------------------
// Raising the budget, pausing for it
// ---------------------------------------------------------------------------

/**
 * Add to the limits: an uncapped limit stays uncapped, an unset one becomes
 * the increase. Records the decision; re-arms alerts whose thresholds are no
 * longer crossed; resumes a mission the budget paused once nothing is
 * exhausted. Non-positive amounts are ignored; nothing to add changes nothing.
 */
export function increaseBudget(
  m: Mission,
  add: { usd?: number; hours?: number; tokens?: number },
  by: string,
  at: string,
): Mission {
  const budget = { ...m.budget };
  const amounts: string[] = [];
  const changes: string[] = [];
  const who = `@${by.replace(/^@/, "")}`;
  for (const d of DIMENSIONS) {
    const amount = add[d];
    if (amount === undefined || !Number.isFinite(amount) || amount <= 0) continue;
    const before = budget[d];
    const after =
      before === null ? null
      : before === undefined ? amount
      : d === "usd" ? (usdToMicros(before) + usdToMicros(amount)) / 1_000_000
      : d === "tokens" ? before + Math.round(amount)
      : Math.round((before + amount) * 1_000_000) / 1_000_000;
    budget[d] = after;
    amounts.push(typedAmount(d, amount));
    const change =
      before === null ? "stays uncapped"
      : `${before === undefined ? "not set" : typedAmount(d, before)} → ${typedAmount(d, after as number)}`;
    changes.push(`${DIMENSION_WORDS[d]} ${change}`);
  }
  if (!amounts.length) return m;

  let next: Mission = { ...m, budget };
  const limits = limitsOf(next);
  const spent = totals(m.ledger);
  next.alerts_sent = m.alerts_sent.filter((key) => {
    const [d, t] = key.split(":") as [Dimension, string | undefined];
    const limit = limits[d];
    if (!DIMENSIONS.includes(d) || t === undefined || !Number.isFinite(Number(t))) return true;
    return typeof limit === "number" && reached(spentIn(spent, d), limit, Number(t));
  });
  const single = changes.length === 1 ? changes[0]!.replace(/^\w+ /, "") : changes.join("; ");
  let what = `Budget raised by ${amounts.join(", ")} by ${who}: ${single}`;
  if (m.status === "paused" && m.paused_reason?.startsWith("budget") && exhaustedDimensions(next).length === 0) {
    const { paused_reason: _, ...rest } = next;
    next = { ...rest, status: "active" };
    what += "; the mission resumes";
  }
  next.decisions = [...m.decisions, { at, by: by.replace(/^@/, ""), what }];
  return next;
}

/** "$50", "10h", "2M tokens": an amount as people write it. */
function typedAmount(d: Dimension, value: number): string {
  if (d === "usd") return formatUsdShort(usdToMicros(value));
  if (d === "hours") return formatHours(value);
  return `${formatTokens(value)} tokens`;
}

/**
 * Pause because the budget ran out: status "paused", paused_reason
 * "budget: <dims> exhausted", and a decision. Unchanged when there is
 * nothing exhausted, when it is already paused for the same reason, when
 * a person paused it (their reason stays), or when it is completed or cancelled.
 */
export function pauseForBudget(m: Mission, dims: readonly Dimension[], at: string): Mission {
  if (!dims.length || m.status === "completed" || m.status === "cancelled") return m;
  const words = DIMENSIONS.filter((d) => dims.includes(d)).map((d) => DIMENSION_WORDS[d]);
  const reason = `budget: ${words.join(", ")} exhausted`;
  if (m.status === "paused" && (m.paused_reason === reason || !m.paused_reason?.startsWith("budget"))) return m;
  return {
    ...m,
    status: "paused",
    paused_reason: reason,
    decisions: [...m.decisions, { at, by: "mission-bot", what: `Mission paused: the ${words.join(" and ")} budget is exhausted.` }],
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
