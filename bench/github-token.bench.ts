/**
 * `npm run bench`, GITHUB_TOKEN's budget: a repository with 10 active
 * missions in Actions-only mode (bench/actions-day.ts) for a day, requests
 * per hour against GITHUB_TOKEN's 1,000 per hour per repository; and how
 * large mission.md grows (bench/mission-size.ts) against the contents API's
 * 1 MB. Figures only; nothing is asserted.
 */
import { describe, it } from "vitest";
import { actionsDay } from "./actions-day.js";
import { SIZE_CASES, missionFileBytes } from "./mission-size.js";
import { section, table, writeResults } from "./support.js";

const LIMIT = 1_000;
const sections: string[] = [];

describe.sequential("GITHUB_TOKEN's budget", () => {
  it("10 active missions, Actions only, a day", async () => {
    const missions = 10;
    const day = await actionsDay({ missions, hours: 24 });
    const workflows = ["pulse", "command", "worker", "validation"];
    const pct = (n: number) => `${((n / LIMIT) * 100).toFixed(0)} %`;
    const rows = day.hours.map((h) => [
      `${String(h.hour).padStart(2, "0")}:00`,
      h.rest,
      pct(h.rest),
      ...workflows.map((w) => h.byWorkflow[w] ?? 0),
      h.graphqlPoints,
      pct(h.graphqlPoints),
      h.notModified,
    ]);
    const peak = Math.max(...day.hours.map((h) => h.rest));
    const peakPoints = Math.max(...day.hours.map((h) => h.graphqlPoints));
    const peakBoth = Math.max(...day.hours.map((h) => h.rest + h.graphqlPoints));
    const busy = day.hours.filter((h) => (h.byWorkflow.worker ?? 0) + (h.byWorkflow.validation ?? 0) > 0);
    const blank = ["", "", "", ""];
    rows.push(["peak hour", peak, pct(peak), ...blank, peakPoints, pct(peakPoints), ""]);
    rows.push(["mean, hours with work", Math.round(busy.reduce((a, h) => a + h.rest, 0) / Math.max(1, busy.length)), "", ...blank, Math.round(busy.reduce((a, h) => a + h.graphqlPoints, 0) / Math.max(1, busy.length)), "", ""]);
    rows.push([
      "day",
      day.hours.reduce((a, h) => a + h.rest, 0),
      "",
      ...workflows.map((w) => day.hours.reduce((a, h) => a + (h.byWorkflow[w] ?? 0), 0)),
      day.hours.reduce((a, h) => a + h.graphqlPoints, 0),
      "",
      day.hours.reduce((a, h) => a + h.notModified, 0),
    ]);
    sections.push(
      section(
        `GITHUB_TOKEN: ${missions} active missions, Actions only (limits per repository and hour: ${LIMIT.toLocaleString("en")} REST requests, ${LIMIT.toLocaleString("en")} GraphQL points)`,
        table(["hour", "REST requests", "of 1,000", ...workflows.map((w) => `${w} (REST)`), "GraphQL points", "of 1,000", "304 (not counted)"], rows),
        [
          `GITHUB_TOKEN has two budgets a repository and hour, counted apart by GitHub: 1,000 REST requests (REST docs, "Rate limits for the REST API", GITHUB_TOKEN) and 1,000 GraphQL points (GraphQL docs, "Rate limits and query limits for the GraphQL API", GITHUB_TOKEN in GitHub Actions workflows). Peak hour of REST: ${peak} (${pct(peak)}); of GraphQL points: ${peakPoints} (${pct(peakPoints)}); of the two added as if they were one budget (the stricter reading this table used before): ${peakBoth}.`,
          `${missions} missions of 3 milestones × 4 features, approved at 00:00 (their materialisation is part of the first hours); the pulse every 15 minutes, each a run of its workflow (the twin starts it by workflow_dispatch, GitHub by its schedule), so a pulse finds when the last one started; each command run the pulse or a finished worker starts, one per tracking issue at a time (its concurrency group); worker runs take 20–60 minutes, validation 10; each run of a workflow is a fresh process with its own token, as on GitHub.`,
          `Runs: ${day.pulses} pulses, ${day.commandRuns} command runs, ${day.workerRuns} worker runs, ${day.validationRuns} validation runs; ${day.completed} of ${missions} missions completed within the day.`,
          `pulse: ${day.pulseLoads ?? 0} missions loaded in full and ${day.pulseSkips ?? 0} skipped over the day — a mission is loaded when something of it changed since the last pulse and no command run saw it since, and in any case once an hour in its own slot (src/action/shared/pulse-changes.ts). Here every worker and validation run ends on a 15-minute tick, seconds before a pulse: their changes are left to the next pulse ("changed in the last minute"), which then finds a command run saw them.`,
          "REST requests: every REST request a GITHUB_TOKEN made that counts against its hourly limit (the twin's GITHUB_TOKEN profile); 304 answers to conditional requests do not count. GraphQL points: each query's cost as GitHub computes it (src/twin/graphql.ts `graphqlCost`: 1 for a query or mutation without large connections). Octokit's retries and throttling are off, so these are the code's own requests.",
          "worker: the requests of mission-bot's modes in a worker run (prompt, report, wake); the agent's and git's own are not REST requests of this token.",
        ],
      ),
    );
  }, 1_800_000);

  it("10 active missions with 20 completed before: the forecast history every command run reads", async () => {
    const rows: (string | number)[][] = [];
    const notes: string[] = [];
    for (const [label, historyByRest] of [
      ["history files in one GraphQL query", false],
      ["before: one REST read a file", true],
    ] as const) {
      const day = await actionsDay({ missions: 10, hours: 24, completed: 20, historyByRest });
      const peak = Math.max(...day.hours.map((h) => h.rest));
      const total = day.hours.reduce((a, h) => a + h.rest, 0);
      const points = day.hours.reduce((a, h) => a + h.graphqlPoints, 0);
      const peakPoints = Math.max(...day.hours.map((h) => h.graphqlPoints));
      rows.push([label, peak, `${((peak / LIMIT) * 100).toFixed(0)} %`, total, peakPoints, points, day.commandRuns]);
      notes.push(`${label}: ${day.commandRuns} command runs, ${day.workerRuns} worker runs, ${day.completed} of 10 missions completed within the day.`);
    }
    sections.push(
      section(
        "GITHUB_TOKEN: 10 active missions with 20 completed before, Actions only",
        table(["history read", "peak hour, REST", "of 1,000", "day, REST", "peak hour, GraphQL points", "day, GraphQL points", "command runs"], rows),
        [
          "The day above, in a repository where 20 missions completed earlier (3 hours before the day: their mission.md completed on the state branch, their tracking issues labelled `mission`, `mission:<id>` and `mission:completed`). Every command run reads the forecast history afresh (a fresh process, no cache): the tracking issues labelled `mission:completed` (in the load's one GraphQL query with mission.yml and mission.md, src/github/load-query.ts), then their 20 files.",
          "history files in one GraphQL query: src/github/history.ts reads the 20 files in one GraphQL query (`Repository.object`), not counted against GITHUB_TOKEN's REST 1,000 an hour (GraphQL has its own budget, 1 point a query here). before: the same code with the queries that read files refused before they are sent (the history's and the load's, src/github/load-query.ts), so each file, and the list of completed missions, is one REST read, as before these changes.",
          "REST: requests counted against GITHUB_TOKEN's 1,000 an hour (304s not); GraphQL points: the cost of its queries and mutations (the files' queries, the materialisation's createIssue), which GitHub counts in a budget of its own, 1,000 points an hour.",
          ...notes,
        ],
      ),
    );
  }, 1_800_000);

  it("mission.md's size", () => {
    const rows = SIZE_CASES.map((c) => {
      const s = missionFileBytes(c);
      return [c.name, `${(s.bytes / 1024).toFixed(0)} KB`, `${((s.bytes / 1_048_576) * 100).toFixed(1)} %`, s.ledgerEntries, `${(s.ledgerBytes / 1024).toFixed(0)} KB`];
    });
    sections.push(
      section("mission.md at the end of a mission (the contents API returns files up to 1 MB; larger ones are read as blobs)", table(["mission", "mission.md", "of 1 MB", "ledger entries", "ledger"], rows), [
        "Rendered by the app's own writer from a completed mission of that shape: every feature worked that many times, each milestone validated three times.",
      ]),
    );
    writeResults("github-token", sections);
  });
});
