/**
 * The dashboard's pages, server-rendered. Everything from a mission (titles,
 * goals, decisions, failures) and from GitHub (names) is outside text: it
 * enters the page only through `html` (escaped) and links only through
 * `href` (http(s) or this site).
 */
import { html, href, type Html } from "./html.js";
import { burnChart } from "../mission/budget/burn.js";
import { formatUsd } from "../mission/budget/money.js";
import { workerBranch } from "../mission/workers/dispatch.js";
import type { Feature, Milestone, Mission } from "../mission/model.js";
import type { DashboardRepo } from "../github/dashboard-read.js";

export interface PageContext {
  /** "/dashboard" */
  base: string;
  /** https://github.com or the Enterprise Server's address, for links */
  serverUrl: string;
  /** signed-in viewer (none: the local dashboard) */
  viewer?: string;
  refreshSeconds: number;
}

function layout(ctx: PageContext, title: string, body: Html, poll?: { src: string; version: string }): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · mission-bot</title>
<link rel="stylesheet" href="${ctx.base}/assets/uPlot.min.css">
<link rel="stylesheet" href="${ctx.base}/assets/dashboard.css">
<script src="${ctx.base}/assets/uPlot.iife.min.js" defer></script>
<script src="${ctx.base}/assets/dashboard.js" defer></script>
</head>
<body>
<header><a href="${ctx.base}/">mission-bot · missions</a>${
    ctx.viewer
      ? html`<form method="post" action="${ctx.base}/logout"><span>Signed in as ${ctx.viewer}</span> <button type="submit">Sign out</button></form>`
      : html`<span class="muted">local dashboard</span>`
  }</header>
<main${poll ? html` data-poll="${poll.src}" data-version="${poll.version}" data-refresh="${ctx.refreshSeconds}"` : ""}>
${body}
</main>
</body>
</html>
`.text;
}

export function signInPage(ctx: PageContext, problem?: string): string {
  return layout(
    ctx,
    "Sign in",
    html`<h1>mission-bot dashboard</h1>
${problem ? html`<p role="alert">${problem}</p>` : ""}
<p>Sign in with GitHub to see the missions in the repositories you can read.</p>
<p><a class="signin" href="${ctx.base}/login">Sign in with GitHub</a></p>`,
  );
}

export function errorPage(ctx: PageContext, title: string, text: string): string {
  return layout(ctx, title, html`<h1>${title}</h1><p>${text}</p><p><a href="${ctx.base}/">All missions</a></p>`);
}

function missionLink(ctx: PageContext, repo: DashboardRepo, id: string): string {
  return `${ctx.base}/m/${encodeURIComponent(repo.repo.owner)}/${encodeURIComponent(repo.repo.repo)}/${encodeURIComponent(id)}`;
}

export function listPage(ctx: PageContext, repos: readonly DashboardRepo[], version: string): string {
  const rows = repos.flatMap((r) =>
    r.missions.map((m) =>
      m.kind === "found"
        ? html`<tr><td><a href="${missionLink(ctx, r, m.mission.id)}">${m.mission.title}</a></td><td>${r.fullName}</td><td><span class="status">${m.mission.status}</span></td><td>${spentOf(m.mission)}</td><td>${featureCount(m.mission)}</td></tr>`
        : html`<tr><td>${m.id}</td><td>${r.fullName}</td><td><span class="status failed">unreadable</span></td><td colspan="2">${m.problems[0] ?? ""}</td></tr>`,
    ),
  );
  const body = rows.length
    ? html`<h1>Missions</h1>
<table>
<caption class="muted">Missions in the repositories you can read</caption>
<thead><tr><th scope="col">Mission</th><th scope="col">Repository</th><th scope="col">Status</th><th scope="col">Spent / budget</th><th scope="col">Features done</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
    : html`<h1>Missions</h1><p>No missions in the repositories you can read.</p>`;
  return layout(ctx, "Missions", body, { src: `${ctx.base}/data/index.json`, version });
}

function spentOf(m: Mission): string {
  const spent = m.ledger.reduce((n, e) => n + e.cost_micros, 0);
  return m.budget.usd ? `${formatUsd(spent)} of $${m.budget.usd}` : formatUsd(spent);
}

function featureCount(m: Mission): string {
  const all = (m.plan?.milestones ?? []).flatMap((x) => x.features);
  return all.length ? `${all.filter((f) => f.done).length} of ${all.length}` : "no plan yet";
}

function issueUrl(ctx: PageContext, repo: DashboardRepo, n: number): string {
  return `${ctx.serverUrl}/${repo.fullName}/issues/${n}`;
}

function featureState(f: Feature): { word: string; cls: string } {
  if (f.done) return { word: "done", cls: "done" };
  if (f.needs_human) return { word: "needs a person", cls: "needs-human" };
  const last = f.runs.at(-1);
  if (!last) return { word: "waiting", cls: "" };
  if (last.status !== "completed") return { word: "worker running", cls: "" };
  return last.conclusion === "success" ? { word: "reported", cls: "" } : { word: `worker ${last.conclusion ?? "ended"}`, cls: "failed" };
}

function milestoneState(m: Milestone): string {
  if (m.validated === "passed") return "validated";
  if (m.validated === "skipped") return "validation skipped";
  if (m.features.length && m.features.every((f) => f.done)) return "validating";
  if (m.features.some((f) => f.done || f.runs.length)) return "in progress";
  return "not started";
}

export function missionPage(ctx: PageContext, repo: DashboardRepo, mission: Mission, version: string, now: string): string {
  const chart = burnChart(mission, now, repo.config, repo.history);
  const t = chart.totals;
  const milestones = mission.plan?.milestones ?? [];
  const runUrl = (r: { url?: string | undefined; run_id?: number | undefined }) => r.url ?? (r.run_id ? `${ctx.serverUrl}/${repo.fullName}/actions/runs/${r.run_id}` : undefined);
  const work = (f: Feature) => {
    const branch = workerBranch(mission, f.key);
    return mission.mode === "full"
      ? html`<a href="${href(`${ctx.serverUrl}/${repo.fullName}/pulls?q=${encodeURIComponent(`is:pr head:${branch}`)}`)}">pull request</a>`
      : f.runs.length
        ? html`<a href="${href(`${ctx.serverUrl}/${repo.fullName}/tree/${branch}`)}">branch</a>`
        : "";
  };
  const summary = `Spent $${t.spent.toFixed(2)}${t.budget !== null ? ` of a $${t.budget} budget` : " (no dollar budget)"}${t.forecast !== null ? `; forecast $${t.forecast.toFixed(2)} at the end of the plan` : "; no forecast until a feature is done"}.`;
  const body = html`<h1>${mission.title}</h1>
<p><span class="status">${mission.status}</span> · ${repo.fullName} · <a href="${href(issueUrl(ctx, repo, mission.tracking_issue))}">tracking issue #${mission.tracking_issue}</a> · mission <code>${mission.id}</code></p>
${mission.paused_reason ? html`<p><strong>Paused:</strong> ${mission.paused_reason}</p>` : ""}
<h2 id="burn-heading">Budget burn</h2>
<figure>
<div id="burn" role="img" aria-label="${summary}"></div>
<figcaption>${summary} <span class="muted">Blue: spent; red dashes: budget; brown dots: forecast.</span></figcaption>
</figure>
<h2>Milestones</h2>
${
  milestones.length
    ? html`<ol class="timeline">${milestones.map(
        (m) =>
          html`<li><strong>${m.key}. ${m.title}</strong><br><span class="status${m.validated === "passed" ? " done" : ""}">${milestoneState(m)}</span>${m.issue ? html` · <a href="${href(issueUrl(ctx, repo, m.issue.number))}">#${m.issue.number}</a>` : ""}</li>`,
      )}</ol>`
    : html`<p>No plan yet.</p>`
}
<h2>Features</h2>
${
  milestones.some((m) => m.features.length)
    ? html`<table><thead><tr><th scope="col">Feature</th><th scope="col">State</th><th scope="col">Issue</th><th scope="col">Worker runs</th><th scope="col">Work</th></tr></thead><tbody>${milestones.flatMap((m) =>
        m.features.map((f) => {
          const s = featureState(f);
          return html`<tr><td><code>${f.key}</code> ${f.title}</td><td><span class="status ${s.cls}">${s.word}</span></td><td>${f.issue ? html`<a href="${href(issueUrl(ctx, repo, f.issue.number))}">#${f.issue.number}</a>` : "—"}</td><td>${
            f.runs.length ? f.runs.map((r, i) => html`${i ? ", " : ""}${runUrl(r) ? html`<a href="${href(runUrl(r))}">try ${r.try}</a>` : html`try ${r.try}`}`) : "—"
          }</td><td>${work(f)}</td></tr>`;
        }),
      )}</tbody></table>`
    : html`<p>No features yet.</p>`
}
<h2>Validation</h2>
${
  milestones.some((m) => m.validations.length)
    ? html`<table><thead><tr><th scope="col">Milestone</th><th scope="col">Try</th><th scope="col">Result</th><th scope="col">Failures</th></tr></thead><tbody>${milestones.flatMap((m) =>
        m.validations.map(
          (v) =>
            html`<tr><td>${m.key}. ${m.title}</td><td>${runUrl(v) ? html`<a href="${href(runUrl(v))}">try ${v.try}</a>` : html`try ${v.try}`}</td><td><span class="status ${v.outcome === "pass" ? "done" : v.outcome ? "failed" : ""}">${v.outcome ?? v.status}</span></td><td>${v.failures.length ? v.failures.join("; ") : "—"}</td></tr>`,
        ),
      )}</tbody></table>`
    : html`<p>No validation runs yet.</p>`
}
<h2>Decision log</h2>
${
  mission.decisions.length
    ? html`<table><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th></tr></thead><tbody>${[...mission.decisions]
        .reverse()
        .map((d) => html`<tr><td>${d.at.slice(0, 16).replace("T", " ")} UTC</td><td>${d.by}</td><td>${d.what}</td></tr>`)}</tbody></table>`
    : html`<p>No decisions yet.</p>`
}`;
  return layout(ctx, mission.title, body, { src: `${missionLink(ctx, repo, mission.id).replace(`${ctx.base}/m/`, `${ctx.base}/data/m/`)}.json`, version });
}
