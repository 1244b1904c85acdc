/**
 * The burn chart of the web dashboard, from the ledger: money spent over
 * time against the budget, and a forecast to the end of the plan. Pure.
 *
 * Forecast: the mission's one forecast (forecast.ts `forecastMission`, as the
 * plan, the dispatch check, the pulse and the tracking-issue dashboard use it):
 * what is spent plus what the features not done yet will still cost. When it
 * ends: at the pace of the done features so far, or, before any is done, their
 * forecast hours over the parallel workers.
 */
import { forecastMission, isFeatureDone, type History } from "./forecast.js";
import { defaultConfig } from "../config.js";
import type { Config, Mission } from "../model.js";

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

export function burnChart(mission: Mission, now: string, config: Config = defaultConfig(), history: History = []): BurnChart {
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
  if (left > 0) {
    const ahead = forecastMission(mission, config, history).left;
    const seconds = done.length > 0 ? Math.round(left * ((end - start) / done.length)) : Math.round((ahead.hours.point / config.max_parallel_workers) * 3600);
    forecast = [end + seconds, micros + ahead.usd.point];
  } else if (features.length > 0) {
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

