/**
 * The comment a worker posts on its feature issue: what happened and what
 * it cost, for people, followed by the hidden report block the bot reads.
 * Pure.
 *
 * The summary (the agent's own text), the branch and the model pass through
 * the one escaper (markdown/escape.ts): they can neither forge a report
 * block or marker, nor hide text, nor mention people. The report block is
 * written last, and the bot reads only the last block of a comment.
 */
import { formatTokens } from "../budget/money.js";
import { encodeReport, type WorkerReport } from "../workers/report.js";
import { formatDuration } from "./mission-file.js";
import { codeSpan as code, inlineText, quoteText } from "./escape.js";

/** "$0.0123" under a dollar, "$12.35" above. */
export function formatCost(usd: number): string {
  return usd < 1 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

export function renderReportComment(r: WorkerReport): string {
  const done = r.outcome === "success";
  const rows: [string, string][] = [["Outcome", done ? "success" : "failure"]];
  if (r.branch) rows.push(["Branch", code(r.branch)]);
  if (r.pull_request) rows.push(["Pull request", `#${r.pull_request}`]);
  if (r.commit) rows.push(["Commit", r.commit]);
  rows.push(["Model", r.model ? code(r.model) : "not reported"]);
  rows.push(["Tokens", `${formatTokens(r.tokens_in)} in / ${formatTokens(r.tokens_out)} out`]);
  if (r.metering === "unmetered") {
    const claimed = r.cost_usd !== undefined ? `; the agent says ${formatCost(r.cost_usd)}` : "";
    rows.push(["Cost", `not metered: booked at the run's ${r.cost_cap_usd !== undefined ? `cost cap of ${formatCost(r.cost_cap_usd)}` : "forecast"} at least${claimed}`]);
  } else {
    const how = r.metering === "proxy" ? " (metered)" : "";
    rows.push(["Cost", r.cost_usd !== undefined ? `${formatCost(r.cost_usd)}${how}` : "not reported (the bot prices the tokens)"]);
    if (r.cost_cap_usd !== undefined) rows.push(["Cost cap", `${formatCost(r.cost_cap_usd)}${r.cap_reached ? ", reached: later model requests were refused" : ""}`]);
  }
  rows.push(["Duration", formatDuration(r.duration_seconds)]);
  if (r.turns !== undefined) rows.push(["Turns", String(r.turns)]);
  // what the worker said it lacked: the bot drafts a mission agent from it (README "The mission folder")
  if (r.missing_context) rows.push(["Missing context", `${inlineText(r.missing_context.topic)}: ${inlineText(r.missing_context.what)}`]);
  rows.push(["Actions minutes", String(Math.round(r.actions_minutes * 100) / 100)]);

  const lines = [
    `### Worker report: feature ${r.feature} ${done ? "done" : "not done"}`,
    "",
    `Mission ${code(r.mission)} · run ${r.run_id} (attempt ${r.run_attempt})`,
    "",
    ...(r.summary.trim() ? [quoteText(r.summary), ""] : []),
    "| | |",
    "| --- | --- |",
    ...rows.map(([k, v]) => `| ${k} | ${v.replace(/\|/g, "\\|")} |`),
    "",
    encodeReport(r),
  ];
  return lines.join("\n");
}
