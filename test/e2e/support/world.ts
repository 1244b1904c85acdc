/**
 * One end-to-end world: the GitHub twin on loopback HTTP, mission-bot in its
 * own process pointed at it (GHE_HOST), a WebhookSender delivering what the
 * twin records, the test's simulated Actions runners (workers and
 * validation), and the scheduled pulse run from the test loop.
 *
 * Several replicas (`replicas: 3`): as many server processes, sharing one
 * Redis (a redis-server of the world's own, REDIS_URL) and the one twin at
 * one address (the same GHE_HOST, as one deployment's replicas have);
 * `replicaOf` tells which replica sent a request by who holds its
 * connection. Deliveries go to a live replica at random, as a load balancer
 * sends them; a pulse is asked of one live replica; the world is quiet when
 * no live replica says its queue is busy.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GitHubTwin } from "../../../src/twin/state.js";
import { startTwinServer, type TwinServer } from "../../../src/twin/server.js";
import { WebhookSender, type DeliveryFaults, type DeliveryRecord } from "../../../src/twin/webhook-sender.js";
import type { RunState } from "../../../src/twin/actions.js";
import type { TwinEvent } from "../../../src/twin/webhooks.js";
import { testPrivateKey, testPublicKey } from "../../support/keys.js";
import { renderReportComment } from "../../../src/mission/markdown/report-comment.js";
import { WorkerReport, type WorkerReportInput } from "../../../src/mission/workers/report.js";
import { parseMissionFile } from "../../../src/mission/markdown/mission-file.js";
import { ValidationReport, encodeValidationReport, groupFailures, type ValidationReportInput } from "../../../src/mission/validation/validation.js";
import { renderValidationComment } from "../../../src/mission/markdown/validation-comment.js";
import { ROOT, startApp, type AppProcess } from "./app-process.js";
import { startRedisServer, type RedisServer } from "../../support/redis.js";
import type { TwinRequest } from "../../../src/twin/state.js";
import { connectionOwner } from "./connection-owner.js";
import { contractTwin } from "../../support/twin.js";
import { STATE_BRANCH } from "../../support/missions.js";
import { testClock } from "../../support/clock.js";
import { runActionStep } from "./action-step.js";

export const OWNER = "acme";
export const REPO = "crm";
export const SECRET = "e2e-webhook-secret";
export const ACTIONS_BOT = "github-actions[bot]";
export const APP_BOT = "mission-bot[bot]";

/**
 * The workflow templates and the example settings, as `npx mission-bot init` would commit them: with the App,
 * without the command workflow (it would answer every command a second time); `actionsOnly`, with it
 * (`init --actions-only`).
 */
export function repoFiles(extra: Record<string, string> = {}, options: { actionsOnly?: boolean } = {}): Record<string, string> {
  const files: Record<string, string> = {};
  const dir = join(ROOT, "templates/workflows");
  for (const f of readdirSync(dir)) {
    if (!/\.ya?ml$/.test(f) || (f === "mission-command.yml" && !options.actionsOnly)) continue;
    files[`.github/workflows/${f}`] = readFileSync(join(dir, f), "utf8");
  }
  files[".github/mission.yml"] = readFileSync(join(ROOT, "templates/mission.yml"), "utf8");
  return { ...files, ...extra };
}

export interface WorkerPlay {
  /** USD the run reports (exact cost, as Claude Code gives it) */
  cost: (feature: string, attempt: number) => number;
  /**
   * Run the worker workflow's first step as it is written: the Action's mode `prompt` (the bundle) with the
   * step's inputs and the agent job's read-only GITHUB_TOKEN; its prompt is kept in `World.prompts`
   */
  prompt?: boolean | ((feature: string) => boolean);
  tokensIn?: number;
  tokensOut?: number;
  /** a run of this feature starts and keeps running until `releaseHeld()` (a worker still busy when something happens) */
  hold?: (feature: string, attempt: number) => boolean;
  /** the worker commits its feature to the branch it was given (as the report Action pushes its patch); default: no commit */
  commits?: boolean;
  /**
   * Report as the worker workflow's report job does: the Action's mode `report` (the bundle), with the job's
   * GITHUB_TOKEN, or — for a feature issue in another repository ("owner/missions#12") — the App's installation
   * token, as the job's create-github-app-token step gets it
   */
  reportStep?: boolean | ((feature: string, attempt: number) => boolean);
  /** files the worker's patch adds (pushed to the run's branch in the repository it runs in), e.g. a research note */
  files?: (feature: string, attempt: number) => Record<string, string> | undefined;
  /** what this run's report says besides the defaults (a failure, missing_context); default: success */
  report?: (feature: string, attempt: number) => Partial<WorkerReportInput>;
}

export interface ValidationPlay {
  /** per milestone, per validation try: pass, or the failing tests (all in one file) */
  outcome: (milestone: string, attempt: number) => "pass" | { file: string; tests: string[] };
}

export interface WorldOptions {
  /** divide the app's Octokit throttle/retry waits by this (default 25; 1 = production) */
  timeScale?: number;
  latencyMs?: number;
  deliveryFaults?: DeliveryFaults;
  collaborators?: Record<string, "admin" | "maintain" | "write" | "triage" | "read" | "none">;
  worker?: WorkerPlay;
  validation?: ValidationPlay;
  /** files of the default branch besides (or instead of) the workflows and templates/mission.yml */
  files?: Record<string, string>;
  /** quiet period that means the app has finished (default 500 ms) */
  quietMs?: number;
  /** how long a webhook delivery may take before it counts as failed (GitHub: 10 s) */
  deliveryTimeoutMs?: number;
  /** server processes (default 1); more than one share a Redis the world starts */
  replicas?: number;
  /** a Redis (REDIS_URL) even for one replica */
  redis?: boolean;
  /** MISSION_BOT_QUEUE_LOCK_MS of every replica (with Redis; default 3000, so a killed replica's work is taken over in seconds) */
  queueLockMs?: number;
  /** deliveries in flight at once (default 1) */
  deliveryConcurrency?: number;
  /** other documented settings for every replica (README), e.g. ANTHROPIC_BASE_URL */
  settings?: Record<string, string>;
  /** the twin's primary limit per hour for the installation (default GitHub's 5,000) */
  primaryLimit?: number;
  /** an organisation project (number 1) that `.github/mission.yml` names as the missions' board */
  project?: { title: string };
}

export class World {
  readonly twin: GitHubTwin;
  readonly server: TwinServer;
  /** the server processes (the first: `app`) */
  readonly apps: AppProcess[];
  readonly sender: WebhookSender;
  readonly options: WorldOptions;
  readonly redis: RedisServer | undefined;
  /** errors a pulse threw (a failed Action run) */
  readonly pulseErrors: unknown[] = [];
  /** the prompts the worker runs' prompt step wrote (WorkerPlay.prompt), with the inputs of their runs */
  readonly prompts: { feature: string; inputs: Readonly<Record<string, string>>; text: string | undefined; log: string }[] = [];
  private clock: { start: number; origin: number | bigint } | undefined;
  pulses = 0;
  /** events the test made GitHub lose on purpose (never delivered) */
  readonly dropped: TwinEvent[] = [];
  private dropWhere: ((e: TwinEvent) => boolean) | undefined;
  private readonly tries = new Map<string, number>();

  private skipped = 0;

  private constructor(
    twin: GitHubTwin,
    server: TwinServer,
    apps: AppProcess[],
    sender: WebhookSender,
    options: WorldOptions,
    redis: RedisServer | undefined,
    private readonly offsetFile: string,
  ) {
    this.twin = twin;
    this.server = server;
    this.apps = apps;
    this.sender = sender;
    this.options = options;
    this.redis = redis;
  }

  /** The first replica (the only one, unless `replicas` says more). */
  get app(): AppProcess {
    return this.apps[0]!;
  }

  static async start(options: WorldOptions = {}): Promise<World> {
    const clock = testClock();
    const twin = contractTwin({ now: clock, appPublicKey: testPublicKey(), checkResponses: false, ...(options.primaryLimit ? { primaryLimit: options.primaryLimit } : {}) });
    const offsetFile = join(mkdtempSync(join(tmpdir(), "mission-clock-")), "offset");
    twin.addRepo({
      owner: OWNER,
      name: REPO,
      ownerType: "Organization",
      collaborators: options.collaborators ?? { alice: "write", bob: "read" },
      files: repoFiles({
        ...options.files,
        ...(options.project
          ? { ".github/mission.yml": `${options.files?.[".github/mission.yml"] ?? repoFiles()[".github/mission.yml"]}\nproject:\n  url: https://github.com/orgs/${OWNER}/projects/1\n` }
          : {}),
      }),
    });
    if (options.project) twin.projects.create(twin.user(OWNER, "Organization"), options.project.title);
    const replicas = Math.max(1, options.replicas ?? 1);
    const redis = replicas > 1 || options.redis ? await startRedisServer() : undefined;
    const server = await startTwinServer(twin, { ...(options.latencyMs ? { latencyMs: options.latencyMs } : {}) });
    const apps: AppProcess[] = [];
    try {
      const settings: Record<string, string> = { ...options.settings };
      if (redis) settings.MISSION_BOT_QUEUE_LOCK_MS = String(options.queueLockMs ?? 3000);
      apps.push(
        ...(await Promise.all(
          Array.from({ length: replicas }, () =>
            startApp({
              gheHost: server.host,
              privateKey: testPrivateKey(),
              webhookSecret: SECRET,
              timeScale: options.timeScale ?? 25,
              clock: { ...clock, start: clock.start, origin: clock.origin, offsetFile },
              ...(redis ? { redisUrl: redis.url } : {}),
              settings,
            }),
          ),
        )),
      );
    } catch (error) {
      await Promise.all(apps.map((a) => a.stop()));
      await server.close();
      await redis?.stop();
      throw error;
    }
    const live = () => apps.filter((a) => a.alive).map((a) => a.webhookUrl);
    const sender = new WebhookSender({
      twin,
      url: apps[0]!.webhookUrl,
      ...(replicas > 1 ? { urls: live } : {}),
      ...(options.deliveryConcurrency ? { concurrency: options.deliveryConcurrency } : {}),
      secret: SECRET,
      timeoutMs: options.deliveryTimeoutMs ?? 10_000,
      ...(options.deliveryFaults ? { faults: options.deliveryFaults } : {}),
    });
    const world = new World(twin, server, apps, sender, options, redis, offsetFile);
    world.clock = clock;
    twin.onQueued((run, inputs) => world.runner(run, inputs));
    twin.onEvent((e) => world.lose(e));
    return world;
  }

  async stop(): Promise<void> {
    this.sender.stop();
    await Promise.all(this.apps.map((a) => a.stop()));
    await this.server.close();
    await this.redis?.stop();
  }

  /** Which replica sent a request the twin received over HTTP (the process holding its connection); -1 if none. */
  replicaOf(req: TwinRequest): number {
    if (!req.remote) return -1;
    const pid = connectionOwner(req.remote.port, this.server.port, this.apps.map((a) => a.pid));
    return this.apps.findIndex((a) => a.pid === pid);
  }

  /** Kill a replica at once (SIGKILL: no clean-up, its work in the middle). */
  kill(replica: number): void {
    this.apps[replica]!.signal("SIGKILL");
  }

  // ---------------------------------------------------------------------------
  // People

  get alice() {
    return this.twin.as("alice");
  }

  // ---------------------------------------------------------------------------
  // The runners: a worker does its feature and reports; validation reports

  private async runner(run: RunState, inputs: Readonly<Record<string, string>>): Promise<void> {
    if (run.workflow.path.endsWith("mission-worker.yml")) return this.worker(run, inputs);
    if (run.workflow.path.endsWith("mission-validate.yml")) return this.validate(run, inputs);
  }

  private attempt(key: string): number {
    const n = (this.tries.get(key) ?? 0) + 1;
    this.tries.set(key, n);
    return n;
  }

  /** worker runs started and held (see WorkerPlay.hold) */
  private readonly held: Array<() => void> = [];

  /** Let the held worker runs finish (a run cancelled meanwhile stays cancelled); then settle. */
  async releaseHeld(): Promise<void> {
    for (const finish of this.held.splice(0)) finish();
    await this.settle();
  }

  /** The agent job's first step, as templates/workflows/mission-worker.yml writes it. */
  private async promptStep(run: RunState, inputs: Readonly<Record<string, string>>): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), "mission-worker-"));
    const file = join(dir, "prompt.md");
    const token = this.twin.actionsToken(`${OWNER}/${REPO}`, { permissions: { contents: "read", issues: "read" } });
    const step = await runActionStep(
      { twin: this.twin, server: this.server, clock: this.clock!, owner: OWNER, repo: REPO, dir, job: "agent" },
      run,
      { mode: "prompt", "github-token": token, mission: inputs.mission!, feature: inputs.feature!, issue: inputs.issue!, "worker-mode": inputs.mode!, base: "main", "prompt-file": file },
    );
    let text: string | undefined;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      text = undefined;
    }
    this.prompts.push({ feature: inputs.feature!, inputs, text, log: step.log });
  }

  private async worker(run: RunState, inputs: Readonly<Record<string, string>>): Promise<void> {
    const play = this.options.worker ?? { cost: () => 2 };
    if (play.prompt === true || (typeof play.prompt === "function" && play.prompt(inputs.feature!))) await this.promptStep(run, inputs);
    const attempt = this.attempt(`feature ${inputs.feature}`);
    this.twin.actions.start(run.id);
    if (play.hold?.(inputs.feature!, attempt)) {
      this.held.push(() => {
        if (this.twin.actions.run(run.id)?.status !== "completed") this.finishWorker(run, inputs, attempt);
      });
      return;
    }
    const files = play.files?.(inputs.feature!, attempt);
    if (files) {
      const repo = run.repo.full_name;
      if (!this.twin.repo(repo).branches.has(inputs.branch!)) this.twin.createBranch(inputs.branch!, { repo });
      for (const [path, text] of Object.entries(files)) this.twin.writeFile(path, text, { repo, branch: inputs.branch!, message: `feature ${inputs.feature}` });
    }
    if (play.reportStep === true || (typeof play.reportStep === "function" && play.reportStep(inputs.feature!, attempt))) return this.reportStep(run, inputs);
    this.finishWorker(run, inputs, attempt);
  }

  /** The report job's report step, as templates/workflows/mission-worker.yml writes it; then the run completes. */
  private async reportStep(run: RunState, inputs: Readonly<Record<string, string>>): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), "mission-report-"));
    const elsewhere = inputs.issue!.includes("#");
    const token = elsewhere ? this.twin.installationToken(1, { permissions: { issues: "write", actions: "read" } }) : this.twin.actionsToken(run.repo, { permissions: { issues: "write", actions: "write" } });
    const step = await runActionStep(
      { twin: this.twin, server: this.server, clock: this.clock!, owner: run.repo.owner.login, repo: run.repo.name, dir, job: "report" },
      run,
      {
        mode: "report",
        "github-token": token,
        mission: inputs.mission!,
        feature: inputs.feature!,
        issue: inputs.issue!,
        "worker-mode": inputs.mode!,
        outcome: "success",
        "apply-result": "success",
        summary: `Implemented feature ${inputs.feature}.`,
        branch: inputs.branch!,
        model: inputs.model!,
        "max-cost-usd": inputs.max_cost_usd ?? "",
        "duration-seconds": "600",
      },
    );
    this.reportLogs.push(step.log);
    this.twin.actions.complete(run.id, step.exitCode === 0 ? "success" : "failure");
  }

  /** the logs of the report steps run (WorkerPlay.reportStep) */
  readonly reportLogs: string[] = [];

  private finishWorker(run: RunState, inputs: Readonly<Record<string, string>>, attempt: number): void {
    const play = this.options.worker ?? { cost: () => 2 };
    const report = WorkerReport.parse({
      mission: inputs.mission,
      feature: inputs.feature,
      run_id: run.id,
      run_attempt: run.run_attempt,
      outcome: "success",
      summary: `Implemented feature ${inputs.feature}: code, tests and docs.`,
      branch: inputs.branch,
      commit: (play.commits ? this.commitFeature(inputs.branch!, inputs.feature!) : undefined) ?? fakeSha(`${inputs.feature}/${attempt}`),
      model: inputs.model,
      tokens_in: play.tokensIn ?? 1_250_000,
      tokens_out: play.tokensOut ?? 180_000,
      cost_usd: play.cost(inputs.feature!, attempt),
      duration_seconds: 1260,
      actions_minutes: 22,
      turns: 48,
      ...play.report?.(inputs.feature!, attempt),
    });
    // "12", or "acme/missions#12" for a mission that lives in another repository (reported there with the App's token)
    const [home, number] = inputs.issue!.includes("#") ? (inputs.issue!.split("#") as [string, string]) : [undefined, inputs.issue!];
    const issue = Number(number);
    const by = this.twin.as(home ? APP_BOT : ACTIONS_BOT, home);
    by.comment(issue, renderReportComment(report));
    // the report Action closes nothing: in POC the bot closes the feature issue once it has read the report;
    // in Full the merged pull request does (here at once, as it would be merged)
    if (report.outcome === "success" && inputs.mode === "full") by.closeIssue(issue, "completed");
    this.twin.actions.complete(run.id, report.outcome === "success" ? "success" : "failure");
  }

  /** The feature's work on its branch (created from the default branch on first use); the commit's sha. */
  private commitFeature(branch: string, feature: string): string | undefined {
    const repo = this.twin.repo();
    if (!repo.branches.has(branch)) this.twin.createBranch(branch);
    this.twin.writeFile(`src/features/${feature}.ts`, `export const feature = ${JSON.stringify(feature)};\n`, { branch, message: `feature ${feature}` });
    return repo.branches.get(branch);
  }

  private validate(run: RunState, inputs: Readonly<Record<string, string>>): void {
    const play = this.options.validation ?? { outcome: () => "pass" as const };
    const attempt = this.attempt(`validate ${inputs.milestone}`);
    const outcome = play.outcome(inputs.milestone!, attempt);
    this.twin.actions.start(run.id);
    const failing = outcome === "pass" ? [] : outcome.tests;
    const input: ValidationReportInput = {
      mission: inputs.mission!,
      milestone: inputs.milestone!,
      run_id: run.id,
      run_attempt: run.run_attempt,
      ref: inputs.ref,
      commit: run.head_sha,
      commands: [
        { name: "install", command: "npm ci", passed: true, exit_code: 0, duration_seconds: 21 },
        { name: "build", command: "npm run build", passed: true, exit_code: 0, duration_seconds: 14 },
        {
          name: "test",
          command: "npm test",
          passed: failing.length === 0,
          exit_code: failing.length === 0 ? 0 : 1,
          duration_seconds: 37,
          output_tail: failing.length === 0 ? "Tests 42 passed" : `Tests ${failing.length} failed | ${42 - failing.length} passed`,
          rerun: "npx vitest run {file}",
        },
      ],
      failures:
        outcome === "pass"
          ? []
          : outcome.tests.map((name) => ({ name, file: outcome.file, suite: outcome.file, message: `expected 200 to be 404`, command: "test" })),
      tests_total: 42,
    };
    const report = ValidationReport.parse(input);
    const text = renderValidationComment(report, groupFailures(report), { attempt, maxFailures: 3 });
    // "3", or "acme/missions#3" for a mission that lives in another repository (reported there with the App's token)
    const [home, number] = inputs.issue!.includes("#") ? (inputs.issue!.split("#") as [string, string]) : [undefined, inputs.issue!];
    this.twin.as(home ? APP_BOT : ACTIONS_BOT, home).comment(Number(number), `${text}\n\n${encodeValidationReport(report)}`);
    this.twin.actions.complete(run.id, outcome === "pass" ? "success" : "failure");
  }

  // ---------------------------------------------------------------------------
  // The loop

  /**
   * Wait until the app's queue has no work (its health answer says so) and it has made no request for
   * `quietMs` (a hung request is not work: the twin logged it when it arrived).
   */
  async quiet(quietMs = this.options.quietMs ?? 500): Promise<void> {
    let seen = this.twin.log.length;
    let since = performance.now();
    const started = performance.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      if (this.twin.log.length !== seen) {
        seen = this.twin.log.length;
        since = performance.now();
      } else if (performance.now() - since >= quietMs && !(await this.busy())) return;
      if (performance.now() - started > 60_000) throw new Error("the app did not go quiet within 60 s");
    }
  }

  /** Time passes for GitHub (the twin) and for the app process (its clock reads the offset file). */
  passTime(ms: number): void {
    this.skipped += ms;
    this.twin.advance(ms, { tokens: "keep" });
    writeFileSync(this.offsetFile, String(this.skipped));
  }

  /** Whether any live replica says the queue has work (GET /mission-bot/health); a dead replica has none. */
  private async busy(): Promise<boolean> {
    const answers = await Promise.all(
      this.apps
        .filter((a) => a.alive)
        .map(async (app) => {
          try {
            const res = await fetch(`${app.url}/mission-bot/health`, { signal: AbortSignal.timeout(2000) });
            return ((await res.json()) as { busy?: boolean }).busy === true;
          } catch {
            return false;
          }
        }),
    );
    return answers.some(Boolean);
  }

  /** From now on GitHub never delivers events matching `where` (undefined: deliver everything again). */
  loseEvents(where: ((e: TwinEvent) => boolean) | undefined): void {
    this.dropWhere = where;
  }

  /** Called for every event the twin records, after the sender queued it. */
  private lose(e: TwinEvent): void {
    if (!this.dropWhere?.(e)) return;
    const queue = this.sender.pending as TwinEvent[];
    const at = queue.indexOf(e);
    if (at >= 0) this.dropped.push(...queue.splice(at, 1));
  }

  /** Deliver everything GitHub would, until GitHub and the app are quiet. */
  async settle(): Promise<DeliveryRecord[]> {
    const made: DeliveryRecord[] = [];
    for (let round = 0; round < 200; round++) {
      made.push(...(await this.sender.pump()));
      await this.quiet();
      await this.twin.actions.settled();
      if (!this.sender.pending.some((e) => this.sender.deliverable(e))) return made;
    }
    throw new Error("GitHub and the app did not go quiet within 200 rounds");
  }

  /**
   * A quarter of an hour passes for GitHub and the app alike (tokens stay as fresh as the app keeps them);
   * then one scheduled pulse of the App, asked for as an operator can (SIGUSR2) — of one live replica, in turn
   * (with Redis the schedule ticks in one replica per period; the signal pulses the one it is sent to).
   * The app logs a pulse that failed.
   */
  async pulse(): Promise<void> {
    this.pulses++;
    this.passTime(15 * 60_000);
    const live = this.apps.filter((a) => a.alive);
    const app = live[this.pulses % live.length] ?? this.app;
    const before = app.output.length;
    app.signal("SIGUSR2");
    await this.quiet();
    const failed = /the pulse failed: .*/.exec(app.output.slice(before));
    if (failed) this.pulseErrors.push(failed[0]);
  }

  /**
   * Settle, then pulse, round after round, until `done()` holds (then one
   * last settle). The pulse is what finishes work whose webhooks were lost.
   */
  async runUntil(done: () => boolean, options: { pulse?: boolean; maxRounds?: number } = {}): Promise<void> {
    const max = options.maxRounds ?? 40;
    for (let round = 0; round < max; round++) {
      await this.settle();
      if (done()) return;
      if (options.pulse === false) break;
      await this.pulse();
    }
    await this.settle();
    if (!done()) throw new Error(`the mission did not get there within ${max} rounds (${this.pulses} pulses)\n${this.whereItStands()}`);
  }

  // ---------------------------------------------------------------------------
  // Reading the twin

  comments(issue: number) {
    const id = this.twin.issue(issue).id;
    return [...this.twin.comments.values()].filter((c) => c.issueId === id).map((c) => ({ id: c.id, user: c.user.login, body: c.body }));
  }

  botComments(issue: number) {
    return this.comments(issue).filter((c) => c.user === APP_BOT);
  }

  /** Where the mission stands (from mission.md) and the last pulse errors, for a failure message. */
  whereItStands(): string {
    const id = this.twin.issuesOf().flatMap((i) => i.labels).find((l) => l.startsWith("mission:m-"))?.slice("mission:".length);
    const file = id ? this.twin.readFile(`todo/missions/${id}/mission.md`, { ref: STATE_BRANCH }) : undefined;
    const parsed = file ? parseMissionFile(file.text) : undefined;
    const lines: string[] = [];
    if (!parsed) lines.push("(no mission.md)");
    else if (!parsed.ok) lines.push(`mission.md invalid: ${parsed.problems.join("; ")}`);
    else {
      const m = parsed.mission;
      lines.push(`status: ${m.status}${m.paused_reason ? ` (${m.paused_reason})` : ""}`);
      for (const ms of m.plan?.milestones ?? []) {
        lines.push(`milestone ${ms.key}: ${ms.validated ?? "open"}; validations ${ms.validations.map((v) => `${v.try}:${v.status}/${v.outcome ?? "-"}`).join(" ")}`);
        for (const f of ms.features) {
          const issue = f.issue ? this.twin.issue(f.issue.number) : undefined;
          lines.push(`  ${f.key} #${f.issue?.number ?? "?"} ${issue?.state ?? "no issue"} runs ${f.runs.map((r) => `${r.try}:${r.status}/${r.conclusion ?? "-"}/${r.reported ?? "-"}`).join(" ")}${f.needs_human ? ` NEEDS HUMAN ${f.needs_human}` : ""}`);
        }
      }
    }
    return [...lines, ...this.pulseErrors.slice(-3).map((e) => `pulse error: ${String(e)}`)].join("\n");
  }

  missionIssues() {
    return this.twin.issuesOf().filter((i) => i.title.startsWith("[m-"));
  }
}

function fakeSha(seed: string): string {
  let h = 0x811c9dc5;
  let out = "";
  for (let i = 0; out.length < 40; i++) {
    for (const ch of `${seed}:${i}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
    out += (h >>> 0).toString(16).padStart(8, "0");
  }
  return out.slice(0, 40);
}
