/**
 * Forecast error: how far the one forecast (src/mission/budget/forecast.ts)
 * is from what missions really cost, before and after it calibrates. A
 * repository's simulated missions have known true costs: each feature's
 * tokens and hours are its size's true effort (not the configured
 * baselines: this repository's features run larger or smaller) × its
 * mission's outcome level × log-normal noise, priced like the ledger books
 * a run (the level's model, output tokens apart, Actions minutes). The
 * missions run one after another; each is forecast
 *   - before calibration: the configured baselines alone;
 *   - after calibration: the data of the repository's missions finished before it;
 *   - mid-mission: those plus its own first half of features, finished (what it has spent + the rest's forecast).
 * Deterministic (seeded); nothing is asserted.
 */
import { describe, it } from "vitest";
import { forecastMission, pastForecastError, type CompletedFeature } from "../src/mission/budget/forecast.js";
import { LEVELS, levelModel, OUTCOME_LEVELS, type OutcomeLevel } from "../src/mission/budget/levels.js";
import { actionsCostMicros, priceOf } from "../src/mission/budget/ledger.js";
import { costMicros } from "../src/mission/budget/money.js";
import { Config, LedgerEntry, Plan, type Mission, type Size } from "../src/mission/model.js";
import { answered } from "../test/support/missions.js";
import { section, table, writeResults } from "./support.js";

const SEED = 20261124;
const MISSIONS = 40;
/** from this mission on, every forecast has at least this many finished missions before it */
const MEASURED_FROM = 5;
const config = Config.parse({});
/** this repository's real effort per size, against the configured S 200k/0.5h, M 600k/1.5h, L 1.5M/4h */
const TRUE: Record<Size, { tokens: number; hours: number }> = { S: { tokens: 150_000, hours: 0.4 }, M: { tokens: 1_000_000, hours: 2.2 }, L: { tokens: 2_100_000, hours: 5 } };
const NOISE = 0.35;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Simulated {
  mission: Mission;
  /** true cost of each feature, in plan order */
  truth: { key: string; size: Size; tokens: number; hours: number; micros: number }[];
  total: number;
}

function simulate(random: () => number, index: number): Simulated {
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const level: OutcomeLevel = OUTCOME_LEVELS[Math.floor(random() * 3)]!;
  const model = levelModel(level, config);
  const milestones = 2 + Math.floor(random() * 3);
  const truth: Simulated["truth"] = [];
  const plan = Plan.parse({
    source: "bench",
    milestones: Array.from({ length: milestones }, (_, i) => ({
      key: String(i + 1),
      title: `Milestone ${i + 1}`,
      features: Array.from({ length: 2 + Math.floor(random() * 3) }, (_, j) => {
        const r = random();
        const size: Size = r < 0.35 ? "S" : r < 0.8 ? "M" : "L";
        const key = `${i + 1}.${j + 1}`;
        const factor = Math.exp(NOISE * normal() - (NOISE * NOISE) / 2);
        const tokens = Math.round(TRUE[size].tokens * LEVELS[level].tokens * factor);
        const hours = Math.round(TRUE[size].hours * LEVELS[level].hours * factor * 100) / 100;
        const out = Math.round(tokens * config.output_share);
        const micros = costMicros(tokens - out, out, priceOf(model, config).price) + actionsCostMicros(hours * 60, config);
        truth.push({ key, size, tokens, hours, micros });
        return { key, title: `Feature ${key}`, size };
      }),
    })),
  });
  const id = `m-2026${String(1001 + index).padStart(4, "0")}-bench-${index + 1}`;
  const mission = answered({ id, status: "active", plan, level, models: { ...config.models, worker: model } });
  return { mission, truth, total: truth.reduce((s, t) => s + t.micros, 0) };
}

/** The mission with its first `n` features finished (their true cost in the ledger, their runs succeeded). */
function finished(s: Simulated, n: number): Mission {
  const done = new Set(s.truth.slice(0, n).map((t) => t.key));
  const ledger = s.truth.slice(0, n).map((t, i) =>
    LedgerEntry.parse({ key: `run-${i + 1}-1`, kind: "worker", feature: t.key, tokens_in: t.tokens - Math.round(t.tokens * 0.15), tokens_out: Math.round(t.tokens * 0.15), cost_micros: t.micros, wall_seconds: t.hours * 3600, at: "2026-11-24T12:00:00Z" }),
  );
  const run = { try: 1, run_id: 1, dispatched_at: "2026-11-24T10:00:00Z", status: "completed" as const, conclusion: "success" as const };
  const plan = { ...s.mission.plan!, milestones: s.mission.plan!.milestones.map((ms) => ({ ...ms, features: ms.features.map((f) => (done.has(f.key) ? { ...f, runs: [run] } : f)) })) };
  return { ...s.mission, plan, ledger };
}

/** 0.23 → "23%", −0.004 → "0%" */
function percent(x: number): string {
  const n = Math.round(x * 100);
  return `${n < 0 ? "−" : ""}${Math.abs(n)}%`;
}

interface Row {
  point: number;
  low: number;
  high: number;
  truth: number;
}

function stats(rows: Row[]): string[] {
  const errors = rows.map((r) => (r.point - r.truth) / r.truth);
  const abs = errors.map(Math.abs).sort((a, b) => a - b);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const pct = percent;
  const within = rows.filter((r) => r.truth >= r.low && r.truth <= r.high).length;
  return [pct(mean(abs)), pct(abs[Math.floor(abs.length / 2)]!), pct(abs.at(-1)!), pct(mean(errors)), `${within}/${rows.length}`];
}

describe("forecast", () => {
  it("forecast error over simulated missions with known true costs, before and after calibration", () => {
    const random = rng(SEED);
    const missions = Array.from({ length: MISSIONS }, (_, i) => simulate(random, i));
    const before: Row[] = [];
    const after: Row[] = [];
    const mid: Row[] = [];
    const history: CompletedFeature[] = [];
    missions.forEach((s, i) => {
      const whole = (fc: ReturnType<typeof forecastMission>, spent = 0): Row => ({ point: spent + fc.left.usd.point, low: spent + fc.left.usd.low, high: spent + fc.left.usd.high, truth: s.total });
      if (i >= MEASURED_FROM) {
        before.push(whole(forecastMission(s.mission, config, [])));
        after.push(whole(forecastMission(s.mission, config, history)));
        const half = Math.floor(s.truth.length / 2);
        const spent = s.truth.slice(0, half).reduce((a, t) => a + t.micros, 0);
        mid.push(whole(forecastMission(finished(s, half), config, history), spent));
      }
      for (const t of s.truth) history.push({ size: t.size, tokens: t.tokens, hours: t.hours, costMicros: t.micros, level: s.mission.level!, model: s.mission.models.worker, mission: s.mission.id, feature: t.key });
    });
    const rows = [
      ["before calibration (configured baselines)", ...stats(before)],
      ["after calibration (finished missions before it)", ...stats(after)],
      ["mid-mission (and its own first half, finished)", ...stats(mid)],
    ];
    const body = table(["forecast of a mission's cost", "mean abs. error", "median", "worst", "mean signed", "truth within low–high"], rows);
    const past = pastForecastError(config, history)!;
    const notes = [
      `${MISSIONS} simulated missions (seed ${SEED}), 2–4 milestones of 2–4 features (S 35%, M 45%, L 20%), each at a random outcome level on that level's model; measured on missions ${MEASURED_FROM + 1}–${MISSIONS}, each with at least ${MEASURED_FROM} finished missions before it.`,
      `True effort per size: S 150k tokens / 0.4 h, M 1M / 2.2 h, L 2.1M / 5 h (configured baselines: 200k / 0.5 h, 600k / 1.5 h, 1.5M / 4 h), × the level's factors, × log-normal noise (σ ${NOISE}) per feature, tokens and hours together.`,
      "Error = (forecast − truth) / truth of the mission's money; below 0 the forecast ran low. low–high is the forecast's range (0.7× to 1.5× its point).",
      `What the plan and the dashboard show as the past error (pastForecastError, each mission forecast from those before it, over all ${past.missions}): ${percent(past.meanAbsolute)} mean absolute, ${percent(past.meanSigned)} signed.`,
    ];
    const text = section("Forecast error (issue 18: one forecast, calibrated)", body, notes);
    console.log(`\n${text}`);
    writeResults("forecast", [text]);
  });
});
