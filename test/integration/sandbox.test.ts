/**
 * `mission-bot sandbox` plays a whole small mission non-interactively: the
 * real app against the twin, commanded from a script, simulated workers and
 * validation, the pulse between inputs — and prints the plan, the dashboard,
 * the workers and the ledger as plain text. With a worker command and a
 * local repository, workers run the command in git worktrees of it.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.js";
import { Sandbox } from "../../src/sandbox/sandbox.js";
import { lineSource, runSession } from "../../src/sandbox/session.js";
import { readReport } from "../../src/mission/workers/report.js";
import { githubContract } from "../support/twin.js";
import { CRM_OUTLINE } from "../support/outline.js";

const OUTLINE = CRM_OUTLINE;

const SCRIPT = [
  "# a whole small mission",
  "/mission Build a CRM with contacts, deals and email --mode poc --budget $50 --hours 10 --tokens 5M",
  "/mission answer",
  "constraints: no new dependencies",
  "preferences: none",
  "",
  "/mission approve",
];

const scratch = mkdtempSync(join(tmpdir(), "mission-bot-sandbox-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function count(text: string, what: string): number {
  return text.split(what).length - 1;
}

describe("mission-bot sandbox", () => {
  it("plays a whole mission from a script: plan, approval, simulated workers and validation, budget, completion", async () => {
    let out = "";
    const warnings: string[] = [];
    const sandbox = await Sandbox.start({
      env: {},
      title: "CRM",
      outline: OUTLINE,
      contract: githubContract, // every request the app and the pulse make is checked against GitHub's description
      print: (s) => {
        out += s;
      },
      warn: (s) => warnings.push(s),
    });
    try {
      await runSession(sandbox, lineSource(SCRIPT), { interactive: false, print: (s) => (out += s) });

      // what the terminal showed, in order
      const plan = out.indexOf("MISSION PLAN: BUILD A CRM WITH CONTACTS, DEALS AND EMAIL");
      const approved = out.indexOf("Plan approved by @you");
      const firstWorker = out.indexOf("[simulated worker] feature 1.1 “Contact model”");
      expect(out).toContain("you> /mission Build a CRM");
      expect(out).toContain("...  constraints: no new dependencies");
      expect(plan).toBeGreaterThan(0);
      expect(out).toContain("3 milestones, done in order; 6 features");
      expect(approved).toBeGreaterThan(plan);
      expect(firstWorker).toBeGreaterThan(approved);
      expect(count(out, "[simulated worker] feature ")).toBe(6);
      expect(count(out, "[simulated validation] milestone ")).toBe(3);
      expect(out).toMatch(/── dashboard · tracking issue #1 ─+\n {2}🚀 BUILD A CRM WITH CONTACTS, DEALS AND EMAIL\n\n {2}Status: 📝 planned, waiting for approval/);
      expect(out).toMatch(/Status: ✅ completed/);
      expect(out.search(/Mission m-\d{8}-crm-[a-z0-9-]+ is complete\. Every milestone passed validation\./)).toBeGreaterThan(firstWorker);
      expect(out).not.toContain("<!--"); // no hidden markers or state blocks in the terminal
      const ledger = out.slice(out.lastIndexOf("── ledger"));
      expect(ledger).toMatch(/Mission m-\d{8}-crm-[a-z0-9-]+: completed/);
      expect(ledger).toMatch(/Ledger \(9 entries\)/);
      expect(ledger).toMatch(/^ *Money +\$50\.00 +\$\d+\.\d\d /m); // the table, aligned as columns

      // the final state on GitHub
      const m = sandbox.mission()!;
      expect(m.status).toBe("completed");
      expect(m.mode).toBe("poc");
      expect(m.budget).toMatchObject({ usd: 50, hours: 10, tokens: 5_000_000 });
      expect(m.constraints).toEqual(["no new dependencies"]);
      expect(m.plan!.milestones.map((ms) => [ms.key, ms.validated !== undefined && ms.validated !== null, ms.features.length])).toEqual([
        ["1", true, 2],
        ["2", true, 2],
        ["3", true, 2],
      ]);
      const workers = m.ledger.filter((e) => e.kind === "worker");
      expect(workers.map((e) => e.feature).sort()).toEqual(["1.1", "1.2", "2.1", "2.2", "3.1", "3.2"]);
      expect(m.ledger.filter((e) => e.kind === "validation")).toHaveLength(3);
      const spentUsd = m.ledger.reduce((s, e) => s + e.cost_micros, 0) / 1e6;
      expect(spentUsd).toBeGreaterThan(1);
      expect(spentUsd).toBeLessThan(50);
      const issues = sandbox.twin.issuesOf(sandbox.repo).filter((i) => i.title.startsWith(`[${m.id}]`));
      expect(issues).toHaveLength(9);
      expect(issues.every((i) => i.state === "closed")).toBe(true);
      // every worker report on GitHub says it was simulated
      const reports = [...sandbox.twin.comments.values()].map((c) => readReport(c.body)).filter((r) => r.found);
      expect(reports).toHaveLength(6);
      for (const r of reports) expect(r.found && r.ok && r.report.summary.startsWith("[simulated worker]")).toBe(true);

      // GitHub would have accepted every request; the twin had every route the app needed; no delivery failed
      expect(sandbox.twin.contractFailures).toEqual([]);
      expect(sandbox.twin.unimplemented).toEqual([]);
      expect(sandbox.deliveryErrors).toEqual([]);
      expect(warnings).toEqual([]);
    } finally {
      await sandbox.stop();
    }
  }, 120_000);

  it("runs from the command line with the script on stdin, and workers run a local command in worktrees of a local repository", async () => {
    const repo = join(scratch, "repo");
    execFileSync("git", ["init", "-q", "-b", "main", repo]);
    writeFileSync(join(repo, "README.md"), "crm\n");
    execFileSync("git", ["-C", repo, "add", "."]);
    execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "init"]);
    // an "agent": writes a file from its prompt and prints Claude Code's JSON result
    const agent = join(scratch, "agent.sh");
    writeFileSync(
      agent,
      `#!/bin/bash
set -e
grep -q "^# Mission $MISSION_ID, feature $MISSION_FEATURE" "$MISSION_PROMPT_FILE"
echo "feature $MISSION_FEATURE ($MISSION_MODEL)" >> FEATURES.md
echo '{"type":"result","subtype":"success","is_error":false,"num_turns":4,"result":"Wrote FEATURES.md","total_cost_usd":0.25,"usage":{"input_tokens":20000,"output_tokens":3000}}'
`,
    );
    chmodSync(agent, 0o755);
    writeFileSync(join(scratch, "outline.md"), OUTLINE);

    const stdin = new PassThrough();
    stdin.end(`${SCRIPT.join("\n")}\n/quit\n`);
    let out = "";
    let err = "";
    const code = await runCli(["sandbox", "--outline", "outline.md", "--repo", repo, "--worker-command", agent], {
      cwd: scratch,
      env: {},
      stdin,
      stdout: (s) => (out += s),
      stderr: (s) => (err += s),
    });
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain(`workers:    local: \`${agent}\` in git worktrees of`);
    expect(out).not.toContain("[simulated worker] feature");
    // /quit before time passed: the approval dispatched feature 1.1 and it ran in the same input
    expect(out).toMatch(/\[local worker\] feature 1\.1: done — 23k tokens, committed [0-9a-f]{7} on mission\/m-\d{8}-crm-/);
    expect(out).toContain("── ledger");

    const branch = execFileSync("git", ["-C", repo, "branch", "--list", "mission/*", "--format=%(refname:short)"], { encoding: "utf8" }).trim();
    expect(branch).toMatch(/^mission\/m-\d{8}-crm-/);
    expect(execFileSync("git", ["-C", repo, "show", `${branch}:FEATURES.md`], { encoding: "utf8" })).toBe("feature 1.1 (claude-haiku-4-5)\n"); // the model of the level the approval chose (the best the budget fits: MVP)
    expect(execFileSync("git", ["-C", repo, "worktree", "list"], { encoding: "utf8" }).trim().split("\n")).toHaveLength(1); // cleaned up
    expect(execFileSync("git", ["-C", repo, "status", "--porcelain"], { encoding: "utf8" })).toBe(""); // the user's checkout untouched
  });

  it("refuses a --repo that is not a git repository, and unknown options", async () => {
    let err = "";
    const io = { cwd: scratch, env: {}, stdout: () => {}, stderr: (s: string) => (err += s) };
    expect(await runCli(["sandbox", "--repo", scratch + "/nowhere"], io)).toBe(1);
    expect(err).toMatch(/is not a git repository/);
    expect(await runCli(["sandbox", "--bogus"], io)).toBe(2);
  });

  it("rehearses what goes wrong: each --simulate fault shows, and the mission still ends as a clean one does, on a clock that follows the runs", async () => {
    let out = "";
    const warnings: string[] = [];
    const sandbox = await Sandbox.start({
      env: {},
      title: "Bookmarks", // the sample outline: 3 milestones of 2 features
      contract: githubContract,
      print: (s) => void (out += s),
      warn: (s) => warnings.push(s),
    });
    try {
      const started = sandbox.twin.now();
      for (const fault of ["failing-worker", "over-forecast", "failed-validation", "refused-dispatch"] as const) sandbox.simulate(fault);
      await runSession(
        sandbox,
        lineSource([
          "/mission Build bookmarks --mode poc --budget $50 --hours 20 --tokens 20M",
          "/mission answer",
          "constraints: none",
          "preferences: none",
          "",
          "/aprove",
          "/issue 1",
          "/simulate lost-webhook",
          "/mission approve",
        ]),
        { interactive: false, print: (s) => (out += s) },
      );

      // a typo of a command is answered here and never posted
      expect(out).toContain("/aprove is not a sandbox command (and was not posted)");
      expect([...sandbox.twin.comments.values()].some((c) => c.body.includes("/aprove"))).toBe(false);
      expect(out).toMatch(/── #1 Bookmarks · open/);
      // each fault showed, and the bot reacted
      expect(out).toContain("[sandbox] GitHub lost 1 event (issue_comment): --simulate lost-webhook");
      expect(out.indexOf("Plan approved by @you")).toBeGreaterThan(out.indexOf("GitHub lost 1 event"));
      expect(out).toMatch(/\[simulated worker\] feature 1\.1 \(#\d+, run \d+\): FAILED without a report/);
      expect(out).toContain("three times the forecast: --simulate over-forecast");
      expect(out).toMatch(/\[simulated validation\] milestone 1 \(#\d+, run \d+\): FAILED/);
      const refused = sandbox.twin.log.filter((e) => e.method === "POST" && /\/dispatches$/.test(e.path) && e.status === 403);
      expect(refused).toHaveLength(1);

      const m = sandbox.mission()!;
      expect(m.status).toBe("completed");
      const features = m.plan!.milestones.flatMap((ms) => ms.features);
      expect(features.find((f) => f.key === "1.1")!.runs.length).toBeGreaterThanOrEqual(2); // the failed run, then the retry
      expect(m.plan!.milestones[0]!.features.length).toBeGreaterThan(2); // the failed validation's fix feature, added to milestone 1
      const workers = m.ledger.filter((e) => e.kind === "worker").map((e) => e.tokens_in + e.tokens_out);
      expect(Math.max(...workers)).toBeGreaterThan(2 * Math.min(...workers.filter((t) => t > 0)));

      // the clock followed the simulated runs: hours passed, so the burn rate is a rate
      expect(sandbox.twin.now() - started).toBeGreaterThan(3 * 3600_000);
      expect(sandbox.ledgerSummary()).not.toMatch(/\d{3,}(?:\.\d+)?h\/h/);
      expect(sandbox.twin.contractFailures).toEqual([]);
    } finally {
      await sandbox.stop();
    }
  }, 180_000);

  it("/edit changes the tracking issue's outline (the dashboard stays), and a replan plans from it", async () => {
    let out = "";
    const sandbox = await Sandbox.start({ env: {}, title: "Notes", outline: "Notes.\n\n## Only one\n- [ ] Write notes\n", contract: githubContract, print: (s) => void (out += s), warn: () => {} });
    try {
      await runSession(
        sandbox,
        lineSource([
          "/mission Build notes --mode poc --budget $20 --hours 5 --tokens 2M --yes",
          "/edit",
          "## Storage",
          "- [ ] Note model",
          "- [ ] Tags",
          "",
          "## Pages",
          "- [ ] List",
          "- [ ] Edit",
          "",
          "## Sharing",
          "- [ ] Links",
          "- [ ] Export",
          "/end",
          "/mission replan the outline is written",
          "/quit",
        ]),
        { interactive: false, print: (s) => (out += s) },
      );
      expect(out).toContain("a mission needs 3 to 7"); // the first outline could not be planned
      expect(out).toContain("(the tracking issue's outline now has 11 lines: /mission replan plans from it)");
      expect(out).toContain("3 milestones, done in order; 6 features");
      const body = sandbox.twin.issue(sandbox.tracking, sandbox.repo).body ?? "";
      expect(body).toContain("## Sharing");
      expect(body).not.toContain("## Only one");
      expect(body).toContain("mission-bot:"); // the dashboard region stayed
      expect(sandbox.twin.contractFailures).toEqual([]);
    } finally {
      await sandbox.stop();
    }
  }, 120_000);

  it("on a terminal, prompts go through the line editor (which redraws them as a line is edited), never printed beside it", async () => {
    const printed: string[] = [];
    const prompted: string[] = [];
    const sandbox = await Sandbox.start({ env: {}, print: () => {}, warn: () => {} });
    try {
      const lines = ["/help", "/quit"];
      await runSession(sandbox, { next: async () => lines.shift(), prompt: (p) => void prompted.push(p) }, { interactive: true, print: (s) => void printed.push(s) });
      expect(prompted).toEqual(["you> ", "you> "]);
      expect(printed.some((s) => s.includes("you> "))).toBe(false);
    } finally {
      await sandbox.stop();
    }
  });
});
