/**
 * The dashboard's one script, served as /dashboard/assets/dashboard.js (the
 * CSP allows scripts from this server only, none inline). It draws the burn
 * chart with uPlot from the page's JSON endpoint, and keeps the page fresh:
 * every `data-refresh` seconds it asks the endpoint again, redraws the chart,
 * and reloads the page when the missions changed (their version differs).
 */
export const CLIENT_SCRIPT = `"use strict";
(function () {
  var root = document.querySelector("[data-poll]");
  if (!root) return;
  var src = root.getAttribute("data-poll");
  var version = root.getAttribute("data-version");
  var every = Math.max(5, Number(root.getAttribute("data-refresh")) || 30) * 1000;
  var box = document.getElementById("burn");
  var plot = null;
  function columns(c) { return [c.x, c.spent, c.budget, c.forecast]; }
  function draw(c) {
    if (!box || !window.uPlot) return;
    if (plot) { plot.setData(columns(c)); return; }
    var width = Math.max(300, Math.min(900, box.clientWidth || 700));
    plot = new window.uPlot({
      width: width,
      height: 280,
      legend: { show: false },
      scales: { x: { time: true } },
      axes: [{ stroke: "#222" }, { stroke: "#222", values: function (u, v) { return v.map(function (n) { return "$" + n; }); } }],
      series: [
        {},
        { label: "Spent", stroke: "#0b5cad", width: 2, fill: "rgba(11,92,173,0.08)" },
        { label: "Budget", stroke: "#b3261e", width: 2, dash: [6, 4] },
        { label: "Forecast", stroke: "#6b4e00", width: 2, dash: [2, 4], spanGaps: true }
      ]
    }, columns(c), box);
    box.setAttribute("data-drawn", "true");
  }
  function refresh(first) {
    fetch(src, { credentials: "same-origin", headers: { accept: "application/json" } })
      .then(function (r) { if (r.status === 401) { location.reload(); return null; } return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) return;
        if (!first && d.version !== version) { location.reload(); return; }
        if (d.chart) draw(d.chart);
      })
      .catch(function () {})
      .then(function () { setTimeout(function () { refresh(false); }, every); });
  }
  refresh(true);
})();
`;

export const STYLESHEET = `
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #fff; }
header { display: flex; justify-content: space-between; align-items: center; padding: .6rem 1.2rem; border-bottom: 1px solid #ccc; background: #f6f8fa; }
header a { color: #0b4f8a; }
main { padding: 1rem 1.2rem 2rem; max-width: 1100px; }
h1 { font-size: 1.5rem; margin: .4rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #f6f8fa; }
a { color: #0b4f8a; }
.status { display: inline-block; padding: 0 .45rem; border-radius: .6rem; background: #e8eef5; color: #13324f; font-size: .85rem; }
.done { background: #dff3e4; color: #14532d; }
.failed, .needs-human { background: #fde2e1; color: #7f1d1d; }
.muted { color: #555; }
.timeline { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .5rem; }
.timeline li { border: 1px solid #ccc; border-radius: .4rem; padding: .4rem .6rem; min-width: 12rem; }
#burn { min-height: 290px; }
button { font: inherit; padding: .35rem .8rem; }
.signin { display: inline-block; padding: .5rem 1rem; background: #1f2328; color: #fff; border-radius: .4rem; text-decoration: none; }
`;
