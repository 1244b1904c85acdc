/**
 * The dashboard's forecast: the mission's outcome level, what its workers
 * run, and the forecast at completion, from the same forecast the plan, the
 * dispatch check, the alerts and the budget summary use (budget/forecast.ts),
 * with the data it was calibrated from and how far it was off for past
 * missions. Pure.
 */
import { DIMENSION_WORDS, DIMENSIONS, formatAmount, usage } from "../budget/enforce.js";
import { pastForecastError, type History } from "../budget/forecast.js";
import { LEVELS, levelOf } from "../budget/levels.js";
import { formatPercent } from "../budget/money.js";
import type { Config, Mission } from "../model.js";
import { cellText } from "./escape.js";

/** The section's lines, or [] before there is a plan. */
export function forecastSection(m: Mission, config: Config, history: History, closed?: ReadonlySet<string>): string[] {
  if (!m.plan) return [];
  const u = usage(m, config, m.created, { history, ...(closed ? { closed } : {}) });
  const level = LEVELS[levelOf(m)];
  const approved = m.level ? `**${level.label}**` : m.status === "planned" || m.status === "scoping" ? "not approved yet; shown at **Production-ready**" : `**${level.label}**`;
  const lines = [
    "### Forecast",
    "",
    `Outcome level: ${approved} · workers run \`${cellText(m.models.worker)}\` · ${u.featuresLeft} feature${u.featuresLeft === 1 ? "" : "s"} left`,
    "",
    "| | Forecast at completion | Range | Of the limit |",
    "| --- | --: | --: | --: |",
  ];
  for (const d of DIMENSIONS) {
    const du = u[d];
    const f = du.forecast;
    const of = typeof du.limit === "number" ? `${formatPercent(f.point / du.limit)}${f.point > du.limit ? " ⚠️" : ""}` : du.limit === null ? "uncapped" : "not set";
    lines.push(`| ${DIMENSION_WORDS[d].charAt(0).toUpperCase()}${DIMENSION_WORDS[d].slice(1)} | ${formatAmount(d, f.point)} | ${formatAmount(d, f.low)}–${formatAmount(d, f.high)} | ${of} |`);
  }
  const { S, M, L } = u.dataPoints;
  const points = S + M + L;
  const past = pastForecastError(config, history);
  lines.push(
    "",
    `${points ? `Calibrated from ${points} finished feature${points === 1 ? "" : "s"} (S: ${S}, M: ${M}, L: ${L})` : "From the configured per-size baselines (no finished feature yet)"}` +
      `${past ? `; on ${past.missions} past mission${past.missions === 1 ? "" : "s"} the forecast was off by ${formatPercent(past.meanAbsolute)} on average` : ""}.`,
    "",
  );
  return lines;
}
