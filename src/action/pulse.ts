/**
 * Mode `pulse` (Actions-only mode, on a schedule): find the missions with
 * work due — open tracking issues, and issues with a recent `/mission`
 * comment, since GitHub does not redeliver a lost webhook — and start the
 * command workflow for each, so the work happens inside that mission's
 * concurrency group, never beside a run that already holds it. The pulse
 * itself only reads. With the App installed the App pulses its missions
 * itself, and this mode finds no command workflow to start.
 *
 * On GITHUB_TOKEN's 1,000 requests an hour a mission is loaded in full only
 * when something of it changed since the last pulse, or in its hourly look
 * (shared/pulse-changes.ts): time-based steps may come up to an hour late.
 */
import type { ActionContext } from "./context.js";
import { LABELS, missionOfLabel } from "../mission/model.js";
import { addressesBot } from "../mission/conversation/commands.js";
import { reconcile, reconcileWithBadConfig } from "../mission/reconcile.js";
import { loadSnapshot } from "../github/load.js";
import { readFile } from "../github/repo-files.js";
import { CONFIG_PATH } from "../mission/config.js";
import { hasWork } from "../loop/due.js";
import { FRESH, hourlySlot, lookSinceLastPulse, SEEN, type PulseLook } from "./shared/pulse-changes.js";
import { parseConfig, defaultConfig } from "../mission/config.js";
import { COMPLETED } from "../mission/advance.js";
import { actionDeps, botLoginOf, defaultBranchOf, dispatchCommandRun, ACTIONS_BOT } from "./shared/loop-deps.js";

export interface PulseRow {
  issue: number;
  mission: string;
  status: string;
  due: boolean;
  /** why it was loaded in full this pulse, or why not: "changed: …", "hourly look", "every mission: …", "skipped: nothing changed" */
  look: string;
  note?: string;
}

export interface PulseOptions {
  /** the command workflow to start (default mission-command.yml) */
  workflow?: string;
  clock?: () => number;
  /** how far back a `/mission` comment is looked at (default 2 hours) */
  commandWindowMs?: number;
}

const FAILED_NOTE = "failed; see the log";

export async function pulse(ctx: ActionContext, defaultBranch: string, options: PulseOptions = {}): Promise<PulseRow[]> {
  const clock = options.clock ?? Date.now;
  const { octokit, repo } = ctx;
  const deps = actionDeps(ctx, clock);
  const botLogin = botLoginOf(ctx);
  const candidates = new Set<number>();
  const now = clock();
  const since = new Date(now - (options.commandWindowMs ?? 2 * 3_600_000)).toISOString();
  const open = await octokit.paginate(octokit.rest.issues.listForRepo, { ...repo, labels: LABELS.mission, state: "open", per_page: 100 });
  // A completed mission has nothing left to do but answer commands (the recent commands below find those); one
  // changed within the window is still looked at, so a last step that failed after its label is tried again.
  const labelled = (issue: (typeof open)[number], name: string) => issue.labels.some((l) => (typeof l === "string" ? l : l.name) === name);
  const missionIds = new Map<number, string>();
  for (const issue of open) {
    if (issue.pull_request || (labelled(issue, COMPLETED) && issue.updated_at < since)) continue;
    candidates.add(issue.number);
    for (const l of issue.labels) {
      const id = missionOfLabel(typeof l === "string" ? l : (l.name ?? ""));
      if (id) missionIds.set(issue.number, id);
    }
  }
  // Recent commands, newest first, bounded by time (not by pages): their issues are looked at too.
  const recent = await octokit.paginate(octokit.rest.issues.listCommentsForRepo, { ...repo, since, sort: "created", direction: "desc", per_page: 100 });
  const commands = new Map<number, string>(); // issue → when its latest command was last updated
  for (const c of recent) {
    if (c.user?.type === "Bot" || !addressesBot(c.body ?? "")) continue;
    const n = Number(/\/issues\/(\d+)$/.exec(c.issue_url)?.[1]);
    if (!n) continue;
    candidates.add(n);
    if ((commands.get(n) ?? "") < c.updated_at) commands.set(n, c.updated_at);
  }

  const rows: PulseRow[] = [];
  if (!candidates.size) return rows;
  // the settings are the repository's, not a mission's: read once for every mission of this pulse
  const configFile = await readFile(octokit, repo, CONFIG_PATH, defaultBranch);
  const parsed = parseConfig(configFile?.text ?? null);
  const workflow = options.workflow ?? "mission-command.yml";
  const look: PulseLook = await lookSinceLastPulse(ctx, {
    now,
    defaultBranch,
    stateBranch: (parsed.ok ? parsed.config : defaultConfig()).state_branch,
    commandWorkflow: workflow,
    tracking: candidates,
    commands,
  });
  const why = (issue: number): { load: boolean; look: string } => {
    if (look.all !== undefined || look.previous === undefined) return { load: true, look: `every mission: ${look.all ?? "no earlier pulse"}` };
    const changed = look.changed.get(issue);
    if (changed && changed !== SEEN && changed !== FRESH) return { load: true, look: `changed: ${changed}` };
    if (hourlySlot(issue, look.previous, now)) return { load: true, look: "hourly look" };
    return { load: false, look: changed === SEEN ? `skipped: changed, and ${SEEN}` : changed === FRESH ? `skipped: ${FRESH}` : "skipped: nothing changed" };
  };
  for (const issue of [...candidates].sort((a, b) => a - b)) {
    const { load, look: reason } = why(issue);
    if (!load) {
      rows.push({ issue, mission: missionIds.get(issue) ?? "—", status: "—", due: false, look: reason });
      continue;
    }
    try {
      const loaded = await loadSnapshot({
        octokit,
        repo,
        issue,
        botLogin,
        reportLogins: [...new Set([botLogin, ACTIONS_BOT])],
        serverUrl: deps.serverUrl,
        defaultBranch,
        configFile,
        now: new Date(clock()).toISOString(),
        history: (_config, where, completed) => deps.history(octokit, { ...repo, issue }, where, completed),
        // as a command run: mission.md and the completed missions' list in one GraphQL query (load-query.ts)
        ...(deps.reads ? { reads: deps.reads } : {}),
        ...(look.runs ? { knownRuns: look.runs } : {}),
      });
      const s = loaded.snapshot;
      const decision = loaded.kind === "config-invalid" ? reconcileWithBadConfig(s, loaded.problems, loaded.sha) : reconcile(s);
      const due = hasWork(decision, s);
      const m = s.mission.kind === "found" ? s.mission.mission : undefined;
      const row: PulseRow = { issue, mission: m?.id ?? (s.mission.kind === "invalid" ? s.mission.id : "—"), status: m?.status ?? s.mission.kind, due, look: reason };
      if (due && !(await dispatchCommandRun(ctx, workflow, defaultBranch, issue, "pulse"))) {
        row.note = `no ${workflow} to start: with the App installed, the App pulses its missions itself`;
      }
      rows.push(row);
    } catch (error) {
      ctx.log.error(`#${issue}: ${error instanceof Error ? error.message : String(error)}`);
      rows.push({ issue, mission: "?", status: "?", due: false, look: reason, note: FAILED_NOTE });
    }
  }
  return rows;
}

export async function run(ctx: ActionContext): Promise<void> {
  const rows = await pulse(ctx, await defaultBranchOf(ctx), { workflow: ctx.input("command-workflow") || "mission-command.yml" });
  await ctx.summary
    .addHeading("mission-bot pulse", 2)
    .addTable([
      [
        { data: "Issue", header: true },
        { data: "Mission", header: true },
        { data: "Status", header: true },
        { data: "Looked at", header: true },
        { data: "Work due", header: true },
        { data: "Note", header: true },
      ],
      ...rows.map((r) => [`#${r.issue}`, r.mission, r.status, r.look, r.due ? "yes: a command run was started" : "no", r.note ?? ""]),
    ])
    .write();
  ctx.setOutput("missions", String(rows.length));
  // The next pulse looks only at what changed since this one started: a mission this one failed to look at must
  // not count as looked at, so the run fails (and the next pulse goes back to the last one that succeeded).
  const failed = rows.filter((r) => r.note === FAILED_NOTE);
  if (failed.length) throw new Error(`the pulse could not look at ${failed.map((r) => `#${r.issue}`).join(", ")}; see the log`);
}
