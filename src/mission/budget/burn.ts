/**
 * The burn chart of the web dashboard, from the ledger: money spent over
 * time against the budget, and a forecast to the end of the plan. Pure.
 *
 * Forecast: the features still to do cost what the done ones cost on average
 * (their ledger entries), and take as long as the done ones took on average
 * since the mission began; none done yet, no forecast (nothing to go on).
 */
import { isFeatureDone } from "./forecast.js";
import type { Mission } from "../model.js";

export interface BurnChart {
  /** unix seconds, ascending */
  x: number[];
  /** dollars spent by then (null after now) */
  spent: (number | null)[];
  /** the dollar budget (null: none) */
  budget: (number | null)[];
  /** the forecast from now to the plan's end (null elsewhere) */
  forecast: (number | null)[];
  /** dollars: spent so far, the forecast total (null: none yet), the budget (null: none) */
  totals: { spent: number; forecast: number | null; budget: number | null };
}

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const usd = (micros: number) => Math.round(micros / 10_000) / 100;

export function burnChart(mission: Mission, now: string): BurnChart {
  const start = seconds(mission.created);
  const end = Math.max(start, seconds(now));
  const entries = [...mission.ledger].sort((a, b) => a.at.localeCompare(b.at));
  const points: Array<[number, number]> = [[start, 0]];
  let micros = 0;
  for (const e of entries) {
    micros += e.cost_micros;
    const t = Math.min(Math.max(seconds(e.at), start), end);
    if (points.at(-1)![0] === t) points.at(-1)![1] = micros;
    else points.push([t, micros]);
  }
  if (points.at(-1)![0] !== end) points.push([end, micros]);

  const features = (mission.plan?.milestones ?? []).flatMap((m) => m.features.map((f) => ({ f, done: f.done !== undefined || isFeatureDone(f, m) })));
  const done = features.filter((x) => x.done);
  const left = features.length - done.length;
  let forecast: [number, number] | undefined;
  if (done.length > 0 && left > 0) {
    const doneKeys = new Set(done.map((x) => x.f.key));
    const doneMicros = entries.filter((e) => e.feature && doneKeys.has(e.feature)).reduce((n, e) => n + e.cost_micros, 0);
    const perFeature = doneMicros / done.length;
    const perFeatureSeconds = (end - start) / done.length;
    forecast = [end + Math.round(left * perFeatureSeconds), micros + Math.round(left * perFeature)];
  } else if (left === 0 && features.length > 0) {
    forecast = [end, micros];
  }

  const budgetUsd = mission.budget.usd ?? null;
  const x = points.map((p) => p[0]);
  const spent: (number | null)[] = points.map((p) => usd(p[1]));
  const fc: (number | null)[] = points.map((p, i) => (forecast && i === points.length - 1 ? usd(p[1]) : null));
  if (forecast && forecast[0] > end) {
    x.push(forecast[0]);
    spent.push(null);
    fc.push(usd(forecast[1]));
  }
  return {
    x,
    spent,
    budget: x.map(() => budgetUsd),
    forecast: fc,
    totals: { spent: usd(micros), forecast: forecast ? usd(forecast[1]) : null, budget: budgetUsd },
  };
}

