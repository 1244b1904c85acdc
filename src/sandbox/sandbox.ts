/**
 * The sandbox: a mission rehearsed with no GitHub at all. The real app
 * (`createMissionApp()`, the same code `npm start` runs) is loaded into a Probot
 * pointed at the GitHub twin on loopback (an App id and key made up at start;
 * the twin checks the App's JWTs against that key); the twin's events are
 * handed to Probot as GitHub would deliver them; the pulse runs as the pulse
 * Action runs it; the sandbox's runners (runners.ts) play the worker and
 * validation workflows. Nothing in the product knows it is in a sandbox.
 */
import { generateKeyPairSync } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { Probot, ProbotOctokit } from "probot";
import { stringify as toYaml } from "yaml";
import { createMissionApp, type MissionApp } from "../app.js";
import { CONFIG_PATH, parseConfig } from "../mission/config.js";
import { renderBudgetSummary } from "../mission/markdown/budget-summary.js";
import { parseMissionFile } from "../mission/markdown/mission-file.js";
import { historyFrom } from "../mission/budget/forecast.js";
import { LABELS, missionPath, type Config, type Mission } from "../mission/model.js";
import { GitHubTwin, type TwinContract } from "../twin/state.js";
import { startTwinServer, type TwinServer } from "../twin/server.js";
import type { RunState } from "../twin/actions.js";
import { runQueued, type RunnerContext } from "./runners.js";
import { ArmedFaults, FAULTS, type Fault } from "./faults.js";

/**
 * The sandbox's clock follows simulated time: a round lasts as long as its
 * longest run, and at least one pulse interval, so burn rates, forecasts and
 * alerts read as they would on GitHub.
 */
export const ROUND_MINIMUM_MS = 15 * 60_000;
import { dashboardRegion, indent, plainText, rule } from "./terminal.js";
import { dashboardMarkers } from "../mission/markdown/dashboard.js";

export const OWNER = "sandbox";
export const NAME = "demo";
export const USER = "you";
export const APP_BOT = "mission-bot[bot]";

/** The tracking issue's body when no `--outline` is given: 3 milestones of 2 features. */
export const SAMPLE_OUTLINE = `A tiny bookmarks app, to rehearse a mission.

## Storage
- [ ] Bookmark model
  Store a URL, a title and tags.
  Size: S
- [ ] Import from a browser export
  Depends on: 1.1

## Web pages
- [ ] List and search bookmarks
- [ ] Add and edit a bookmark

## Sharing
- [ ] Public links
- [ ] Export as HTML
`;

export interface SandboxOptions {
  /** where the planner key is read from (ANTHROPIC_API_KEY, or the one `planner.api_key_env` names) */
  env: Record<string, string | undefined>;
  /** the tracking issue's title and body (default: a sample outline) */
  title?: string;
  outline?: string;
  /** the agent command local workers run (written into .github/mission.yml as worker.command) */
  workerCommand?: string;
  /** a local git repository: with a worker command, workers run in worktrees of it */
  localRepo?: string;
  /** a REST description to check every request against (tests inject GitHub's; the sandbox ships without one) */
  contract?: TwinContract;
  /** the app's log level (default fatal: only the sandbox speaks) */
  logLevel?: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  print(text: string): void;
  warn(text: string): void;
}

const PACKAGE_ROOT = new URL("../../", import.meta.url);

/** The workflow templates, as `mission-bot init` would commit them. */
async function workflowFiles(): Promise<Record<string, string>> {
  const dir = new URL("templates/workflows/", PACKAGE_ROOT);
  const files: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    if (!/\.ya?ml$/.test(name) || name === "mission-command.yml") continue; // the App answers commands; the command workflow would answer twice
    files[`.github/workflows/${name}`] = await readFile(new URL(name, dir), "utf8");
  }
  return files;
}

/** The sandbox repository's settings: plan from the outline unless a planner key is set; the worker command when given. */
export function sandboxSettings(env: Record<string, string | undefined>, workerCommand?: string): string {
  const settings: Record<string, unknown> = {};
  if (!env.ANTHROPIC_API_KEY) settings.planner = { provider: "outline" };
  if (workerCommand) settings.worker = { command: workerCommand };
  const head = "# mission-bot settings of the sandbox repository (see templates/mission.yml for every key)\n";
  return Object.keys(settings).length ? head + toYaml(settings) : `${head}{}\n`;
}

export class Sandbox {
  readonly twin: GitHubTwin;
  readonly server: TwinServer;
  readonly probot: Probot;
  readonly app: MissionApp;
  readonly tracking: number;
  readonly options: SandboxOptions;
  /** runs the runners have not picked up yet, oldest first */
  private readonly queued: RunState[] = [];
  private seenComment = 0;
  private seenIssue = 0;
  private shownDashboard = "";
  readonly deliveryErrors: unknown[] = [];
  readonly faults = new ArmedFaults();

  private constructor(twin: GitHubTwin, server: TwinServer, probot: Probot, app: MissionApp, tracking: number, options: SandboxOptions) {
    this.twin = twin;
    this.server = server;
    this.probot = probot;
    this.app = app;
    this.tracking = tracking;
    this.options = options;
    twin.onQueued((run) => {
      this.queued.push(run);
    });
  }

  static async start(options: SandboxOptions): Promise<Sandbox> {
    // an App of its own: a key made up now; the twin checks the App's JWTs against it
    const keys = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
    });
    const twin = new GitHubTwin({ appPublicKey: keys.publicKey, ...(options.contract ? { contract: options.contract } : {}) });
    twin.addRepo({
      owner: OWNER,
      name: NAME,
      ownerType: "Organization",
      description: "mission-bot sandbox",
      collaborators: { [USER]: "write" },
      files: { ...(await workflowFiles()), [CONFIG_PATH]: sandboxSettings(options.env, options.workerCommand) },
    });
    const server = await startTwinServer(twin);
    // The twin has no rate limits, so writes are not spaced out (Probot's throttling would wait ~1 s per write).
    const SandboxOctokit = ProbotOctokit.defaults((instanceOptions: Record<string, unknown>) => ({
      ...instanceOptions,
      throttle: { enabled: false },
    }));
    const probot = new Probot({
      appId: twin.app.id,
      privateKey: keys.privateKey,
      baseUrl: server.apiUrl,
      Octokit: SandboxOctokit,
      logLevel: options.logLevel ?? "fatal",
    });
    const app = createMissionApp({ env: options.env, clock: () => twin.now() });
    await probot.load(app.app);
    const tracking = twin.as(USER).createIssue({ title: options.title ?? "Sandbox mission", body: options.outline ?? SAMPLE_OUTLINE }).number;
    const sandbox = new Sandbox(twin, server, probot, app, tracking, options);
    await sandbox.pump();
    sandbox.seenIssue = tracking;
    return sandbox;
  }

  async stop(): Promise<void> {
    await this.server.close();
  }

  get repo(): string {
    return `${OWNER}/${NAME}`;
  }

  // ---------------------------------------------------------------------------
  // GitHub's side

  /** Hand every event GitHub would deliver to the app, until GitHub is quiet. */
  async pump(max = 500): Promise<number> {
    let delivered = 0;
    for (let round = 0; round < max; round++) {
      await this.twin.actions.settled();
      const batch = this.twin.takeEvents();
      if (!batch.length) return delivered;
      if (this.faults.take("lost-webhook")) {
        // GitHub's deliveries failed: nothing reaches the app; the pulse finds what the events said
        this.options.print(`[sandbox] GitHub lost ${batch.length} event${batch.length === 1 ? "" : "s"} (${[...new Set(batch.map((e) => e.name))].join(", ")}): --simulate lost-webhook\n`);
        continue;
      }
      for (const e of batch) {
        if (e.installationId === undefined) continue;
        delivered++;
        try {
          await this.probot.receive({ id: e.id, name: e.name as never, payload: e.payload as never });
        } catch (error) {
          // GitHub records a failed delivery and moves on; the pulse catches up
          this.deliveryErrors.push(error);
          this.options.warn(`[sandbox] the app failed on ${e.name}.${e.action}: ${message(error)}`);
        }
      }
      await this.app.queue.idle();
    }
    throw new Error(`GitHub did not go quiet after ${max} rounds of deliveries`);
  }

  /** One scheduled pulse, as the App runs it. */
  async pulse(): Promise<void> {
    try {
      await this.app.pulse();
      await this.app.queue.idle();
    } catch (error) {
      this.options.warn(`[sandbox] the pulse failed: ${message(error)}`);
    }
  }

  // ---------------------------------------------------------------------------
  // The person

  /**
   * `you` edit the tracking issue's outline (the part of its body above the
   * bot's dashboard, which stays): GitHub sends `issues.edited`; a
   * `/mission replan` then plans from the new outline.
   */
  async editOutline(outline: string): Promise<void> {
    const body = this.twin.issue(this.tracking, this.repo).body ?? "";
    const mine = outline.trim();
    const id = this.missionId();
    const { start, end } = id ? dashboardMarkers(id) : { start: "", end: "" };
    const from = id ? body.indexOf(start) : -1;
    const to = from >= 0 ? body.indexOf(end, from) : -1;
    let next = mine;
    if (from >= 0 && to >= 0) {
      // the dashboard is the bot's: it stays where it was, above or below the person's text
      const dashboard = body.slice(from, to + end.length);
      next = body.slice(0, from).trim() ? `${mine}\n\n${dashboard}` : `${dashboard}\n\n${mine}`;
    }
    if (next === body) return;
    this.twin.as(USER, this.repo).editIssue(this.tracking, { body: next });
    await this.pump();
  }

  /** `you` comment on the tracking issue; the app answers. */
  async say(text: string): Promise<void> {
    this.twin.as(USER, this.repo).comment(this.tracking, text);
    await this.pump();
  }

  /**
   * Time passes: the runners pick up every queued run, GitHub delivers what
   * follows, and a pulse runs. Says whether anything happened.
   */
  async round(): Promise<boolean> {
    const writesBefore = this.writes();
    const runs = this.queued.splice(0);
    let longest = 0;
    for (const run of runs) {
      try {
        longest = Math.max(longest, await runQueued(this.runnerContext(), run, this.twin.runInputs(run.id)));
      } catch (error) {
        this.options.warn(`[sandbox] run ${run.id} failed in its runner: ${message(error)}`);
        if (this.twin.actions.run(run.id)?.status !== "completed") this.twin.actions.complete(run.id, "failure");
      }
    }
    // the runs ran side by side: time moves by the longest (tokens the app holds stay valid: they are refreshed by their own clock)
    this.twin.advance(Math.max(longest * 1000, ROUND_MINIMUM_MS), { tokens: "keep" });
    await this.pump();
    await this.pulse();
    await this.pump();
    return runs.length > 0 || this.writes() > writesBefore || this.queued.length > 0;
  }

  /** Rounds until the mission is over or waits for a person (a round in which nothing happened). */
  async runUntilSettled(maxRounds = 100): Promise<"finished" | "waiting" | "rounds"> {
    for (let i = 0; i < maxRounds; i++) {
      if (this.finished()) return "finished";
      const moved = await this.round();
      this.show();
      if (this.finished()) return "finished";
      if (!moved) return "waiting";
    }
    return "rounds";
  }

  private writes(): number {
    return this.twin.log.filter((e) => e.method !== "GET" && e.method !== "HEAD").length;
  }

  /** Arm a fault for the next time it can happen (`--simulate`, `/simulate`). */
  simulate(fault: Fault): void {
    if (fault === "refused-dispatch") {
      // GitHub answers the next dispatch with its secondary rate limit (403, retry-after)
      this.twin.fault({ kind: "secondary-rate-limit", method: "POST", route: "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches" });
    } else {
      this.faults.arm(fault);
    }
    this.options.print(`[sandbox] armed: ${FAULTS[fault]}\n`);
  }

  private runnerContext(): RunnerContext {
    return {
      faults: this.faults,
      twin: this.twin,
      repo: this.repo,
      print: (s) => this.options.print(`${s}\n`),
      mission: (id) => this.missionById(id),
      config: () => this.config(),
      localRepo: this.options.localRepo,
    };
  }

  // ---------------------------------------------------------------------------
  // Reading GitHub

  config(): Config {
    const parsed = parseConfig(this.twin.readFile(CONFIG_PATH, { repo: this.repo })?.text ?? null);
    if (!parsed.ok) throw new Error(`the sandbox's ${CONFIG_PATH} is invalid: ${parsed.problems.join("; ")}`);
    return parsed.config;
  }

  /** The mission started on the tracking issue (its label names it), once there is one. */
  missionId(): string | undefined {
    const label = this.twin.labelNames(this.twin.issue(this.tracking, this.repo)).find((l) => l.startsWith(`${LABELS.mission}:`));
    return label?.slice(LABELS.mission.length + 1);
  }

  private missionById(id: string): Mission | undefined {
    const branch = this.config().state_branch;
    const file = this.twin.readFile(missionPath(id), { repo: this.repo, ...(branch ? { ref: branch } : {}) });
    if (!file) return undefined;
    const parsed = parseMissionFile(file.text);
    return parsed.ok ? parsed.mission : undefined;
  }

  /** The mission as mission.md says now (undefined before approval: the state lives in the tracking issue until then). */
  mission(): Mission | undefined {
    const id = this.missionId();
    return id ? this.missionById(id) : undefined;
  }

  finished(): boolean {
    const status = this.mission()?.status;
    return status === "completed" || status === "cancelled";
  }

  // ---------------------------------------------------------------------------
  // The terminal

  /** Print what is new on GitHub: issues the bot created, its comments, and (unless told not to) the dashboard when it changed. */
  show(options: { dashboard?: boolean } = {}): void {
    const out: string[] = [];
    const issues = this.twin.issuesOf(this.repo).filter((i) => i.number > this.seenIssue).sort((a, b) => a.number - b.number);
    if (issues.length) {
      out.push(rule(`issues created: ${issues.length}`));
      for (const i of issues) out.push(`  #${i.number} ${i.title}`);
      out.push("");
      this.seenIssue = issues[issues.length - 1]!.number;
    }
    const comments = [...this.twin.comments.values()].filter((c) => c.id > this.seenComment && c.repo.full_name === this.repo).sort((a, b) => a.id - b.id);
    for (const c of comments) {
      this.seenComment = c.id;
      if (c.user.login !== APP_BOT) continue; // yours you wrote; the runners' reports were printed as they ran
      const issue = this.twin.issuesById.get(c.issueId);
      out.push(rule(`mission-bot on #${issue?.number ?? "?"}${issue && issue.number !== this.tracking ? ` ${issue.title}` : ""}`), indent(plainText(c.body)), "");
    }
    const dashboard = options.dashboard === false ? undefined : this.dashboard();
    if (dashboard && dashboard !== this.shownDashboard) {
      this.shownDashboard = dashboard;
      out.push(rule(`dashboard · tracking issue #${this.tracking}`), indent(dashboard), "");
    }
    if (out.length) this.options.print(`${out.join("\n")}\n`);
  }

  /** The dashboard region of the tracking issue, as plain text. */
  dashboard(): string | undefined {
    const id = this.missionId();
    const body = this.twin.issue(this.tracking, this.repo).body;
    const region = id ? dashboardRegion(body, id) : undefined;
    return region === undefined ? undefined : plainText(region);
  }

  /** The mission's ledger summary (`/mission budget`'s text), as plain text. */
  ledgerSummary(): string {
    const m = this.mission();
    if (!m) return "No mission was approved in this sandbox, so there is no ledger.";
    const summary = renderBudgetSummary(m, this.config(), new Date(this.twin.now()).toISOString(), historyFrom([m]));
    return plainText(`Mission ${m.id}: ${m.status}\n\n${summary}`);
  }
}

function message(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(message).join("; ");
  return error instanceof Error ? error.message : String(error);
}
