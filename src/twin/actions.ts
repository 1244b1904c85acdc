/**
 * GitHub Actions in the twin: workflows are the files under
 * `.github/workflows/` of a repository (parsed with `yaml`), a
 * `workflow_dispatch` creates a run, and the test plays the runner:
 *
 *   twin.onQueued((run, inputs) => { … })          // a runner picks the run up
 *   twin.actions.start(run.id);                     // workflow_run.in_progress, workflow_job.in_progress
 *   twin.actions.complete(run.id, "success", { durationMs: 90_000 });
 *
 * What it models, as GitHub documents it (reference §2):
 *   - dispatch: the workflow must be on the default branch and declare
 *     `workflow_dispatch`; `ref` must be a branch (or `refs/heads/…`); inputs
 *     must be declared, required ones present, defaults filled in, values
 *     passed as strings; the run executes the workflow file at `ref`;
 *   - a run: id, run_number per workflow, run_attempt 1, `name` (the
 *     workflow's name, else its path), `display_title` (`run-name` with
 *     `${{ inputs.x }}`, `${{ github.event.inputs.x }}`, `${{ github.actor }}`
 *     … interpolated, else the workflow's name), status queued → in_progress
 *     → completed, one job;
 *   - `concurrency.group` (workflow level) with GitHub's default semantics: at
 *     most one running and one pending run per group (group names are
 *     case-insensitive); a newer pending run cancels the older pending one;
 *     `cancel-in-progress: true` cancels the running one as well;
 *   - events: workflow_run requested / in_progress / completed and
 *     workflow_job queued / in_progress / completed.
 *
 *   - triggers besides workflow_dispatch: `push` (branch and path filters;
 *     GITHUB_TOKEN's pushes and `[skip ci]` commits start nothing),
 *     `repository_dispatch` (types), `workflow_run` (workflows, types,
 *     branches; at most three levels of chaining), `issues` and
 *     `issue_comment` (types; the default branch's workflows; nothing for
 *     events GITHUB_TOKEN caused), the run's `github.event` being the
 *     webhook's payload (`eventPayload(runId)`);
 *   - re-runs: same run id, run_attempt + 1, queued → in_progress →
 *     completed again with its events;
 *   - a dispatched run shows in the runs lists only seconds later
 *     (`TwinOptions.dispatchVisibilityMs`);
 *   - GITHUB_TOKEN's permissions from the workflow's `permissions:`.
 *
 * Not modelled: tags (no tag refs in the twin), job-level concurrency,
 * `queue: max`, several jobs, matrices, `schedule`, a job's `if:` (the
 * test's runner runs the job), and triggers by pull requests (those runs
 * are not created).
 */
import { parse as parseYaml } from "yaml";
import type { CommitState, RepoState, TwinUser } from "./model.js";
import { iso, nextNodeId, repoJson, simpleUser, type Json } from "./serialize.js";
import type { GitHubTwin, RepoKey } from "./state.js";
import { workflowJobEvent, workflowRunEvent, type TwinEvent } from "./webhooks.js";

// ---------------------------------------------------------------------------
// Types

export type InputType = "string" | "boolean" | "choice" | "number" | "environment";

export interface WorkflowInput {
  type: InputType;
  required: boolean;
  default: string | undefined;
  options: string[] | undefined;
}

/** A workflow file as GitHub reads it at one commit. */
export interface WorkflowDefinition {
  path: string;
  /** `name:`, else the path */
  name: string;
  runName: string | undefined;
  dispatchable: boolean;
  /** declared `on.workflow_dispatch.inputs`, in order */
  inputs: Map<string, WorkflowInput>;
  concurrency: { group: string; cancelInProgress: boolean | string } | undefined;
  /** the first job's `name` (else its key) */
  jobName: string;
  /** the first job's `runs-on`, when a plain label */
  runsOn: string[];
  /** the YAML did not parse (GitHub lists the workflow, but will not run it) */
  parseError: string | undefined;
  /** `on: push` filters (branches; tags are not modelled) */
  push: RefFilter | undefined;
  /** `on: repository_dispatch` (`types`: the event types it takes; undefined: all) */
  repositoryDispatch: { types: string[] | undefined } | undefined;
  /** `on: workflow_run` */
  workflowRun: (RefFilter & { workflows: string[]; types: string[] | undefined }) | undefined;
  /** `on: issues` and `on: issue_comment` (`types`: the activity types it takes; undefined: all) */
  issues: { types: string[] | undefined } | undefined;
  issueComment: { types: string[] | undefined } | undefined;
  /** `permissions:` for GITHUB_TOKEN ("read-all", "write-all", {} or a map) — the (first) job's, else the workflow's; undefined: the repository's default */
  permissions: Record<string, "read" | "write" | "none"> | undefined;
}

/** A trigger's ref and path filters (Actions docs "Workflow syntax", `on.<push>.<branches|paths>`). */
export interface RefFilter {
  branches: string[] | undefined;
  branchesIgnore: string[] | undefined;
  /** only tags or tags-ignore given: branch pushes do not run it */
  tagsOnly: boolean;
  paths: string[] | undefined;
  pathsIgnore: string[] | undefined;
}

export interface WorkflowState {
  id: number;
  node_id: string;
  repo: RepoState;
  path: string;
  created_at: string;
}

export type RunStatus = "queued" | "pending" | "in_progress" | "completed";
export type RunConclusion =
  | "success"
  | "failure"
  | "neutral"
  | "cancelled"
  | "skipped"
  | "timed_out"
  | "action_required"
  | "stale"
  | "startup_failure";

export interface JobState {
  id: number;
  node_id: string;
  name: string;
  labels: string[];
  status: "queued" | "in_progress" | "completed";
  conclusion: RunConclusion | null;
  createdMs: number;
  startedMs: number;
  completedMs: number | null;
  runner: { id: number; name: string } | null;
}

export interface RunState {
  id: number;
  node_id: string;
  repo: RepoState;
  workflow: WorkflowState;
  /** workflow name (at the dispatched ref) */
  name: string;
  display_title: string;
  run_number: number;
  run_attempt: number;
  event: RunEvent;
  /** who started this attempt (a re-run's re-runner) */
  triggeringActor: TwinUser;
  /** how deep in a workflow_run chain: 0 for a run started by anything else */
  depth: number;
  /** when (twin clock) the run shows in the runs lists */
  visibleAt: number;
  status: RunStatus;
  conclusion: RunConclusion | null;
  head_branch: string;
  head_sha: string;
  head_commit: CommitState;
  actor: TwinUser;
  check_suite_id: number;
  createdMs: number;
  updatedMs: number;
  startedMs: number;
  /** lower-cased concurrency group, if the workflow has one */
  concurrency: string | undefined;
  cancelInProgress: boolean;
  /** created when the run is queued (a run pending on its concurrency group has none yet) */
  job: JobState | undefined;
}

export interface DispatchOptions {
  ref: string;
  inputs?: Record<string, unknown>;
  /** who dispatches (default the app's bot) */
  actor?: TwinUser | string;
}

export type DispatchResult = { ok: true; run: RunState } | { ok: false; status: 404 | 422; message: string };

export type RunHook = (run: RunState, inputs: Readonly<Record<string, string>>) => void | Promise<void>;

export type RunEvent = "workflow_dispatch" | "push" | "repository_dispatch" | "workflow_run" | "issues" | "issue_comment";

export interface RunFilter {
  repo?: RepoKey;
  /** workflow id, file name ("worker.yml") or path */
  workflow?: string | number;
  event?: string;
  /** a status or a conclusion, as GitHub's `status` filter */
  status?: string;
  branch?: string;
  actor?: string;
  head_sha?: string;
  /** GitHub's date search syntax: `>=ISO`, `<=ISO`, `>ISO`, `<ISO`, `a..b`, `a..*`, a date */
  created?: string;
}

export const WORKFLOWS_DIR = ".github/workflows/";
const MAX_INPUTS_CHARS = 65_535;

/**
 * "You can't use `workflow_run` to chain together more than three levels of
 * workflows. For example, if you attempt to trigger five workflows (named B
 * to F) to run sequentially after an initial workflow A has run (that is:
 * A → B → C → D → E → F), workflows E and F will not be run." (Actions docs
 * "Events that trigger workflows", `workflow_run`).
 */
export const MAX_WORKFLOW_RUN_DEPTH = 3;

/**
 * "Workflows that would otherwise be triggered using `on: push` or
 * `on: pull_request` won't be triggered if you add any of the following
 * strings to the commit message in a push, or the HEAD commit of a pull
 * request: [skip ci], [ci skip], [no ci], [skip actions], [actions skip]";
 * "Alternatively, you can end the commit message with two empty lines
 * followed by either `skip-checks:true` or `skip-checks: true`" (Actions
 * docs "Skipping workflow runs").
 */
export function skipsCi(message: string): boolean {
  if (/\[(skip ci|ci skip|no ci|skip actions|actions skip)\]/i.test(message)) return true;
  return /\n\n\s*skip-checks:\s?true\s*$/i.test(message);
}

/**
 * A branch or path against a workflow filter pattern (Actions docs "Filter
 * pattern cheat sheet"): `*` matches anything but `/`, `**` anything, `?` one
 * character, `+` one or more of the preceding character, `[…]` a class.
 */
export function filterMatches(pattern: string, value: string): boolean {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "*" && pattern[i + 1] === "*") {
      re += ".*";
      i++;
    } else if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += ".";
    else if (ch === "+") re += "+";
    else if (ch === "[") {
      const end = pattern.indexOf("]", i);
      if (end < 0) re += "\\[";
      else {
        re += pattern.slice(i, end + 1);
        i = end;
      }
    } else re += ch.replace(/[.^${}()|\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`).test(value);
}

/** Patterns in order, `!` negating: the last one that matches decides (Actions docs "Using filters"). */
function matchesList(patterns: readonly string[], value: string): boolean {
  let hit = false;
  for (const p of patterns) {
    if (p.startsWith("!")) {
      if (filterMatches(p.slice(1), value)) hit = false;
    } else if (filterMatches(p, value)) hit = true;
  }
  return hit;
}

/** Whether a branch (and the files changed) pass a trigger's filters. */
export function passesFilter(f: RefFilter, branch: string, changed: readonly string[] | undefined): boolean {
  if (f.tagsOnly) return false;
  if (f.branches && !matchesList(f.branches, branch)) return false;
  if (f.branchesIgnore && matchesList(f.branchesIgnore, branch)) return false;
  if (changed) {
    if (f.paths && !changed.some((p) => matchesList(f.paths!, p))) return false;
    if (f.pathsIgnore && changed.every((p) => matchesList(f.pathsIgnore!, p))) return false;
  }
  return true;
}
const JOB_CONCLUSIONS = new Set(["success", "failure", "neutral", "cancelled", "skipped", "timed_out", "action_required"]);

// ---------------------------------------------------------------------------
// Parsing workflow files

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function scalar(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

export function parseWorkflow(path: string, text: string): WorkflowDefinition {
  const def: WorkflowDefinition = {
    path,
    name: path,
    runName: undefined,
    dispatchable: false,
    inputs: new Map(),
    concurrency: undefined,
    jobName: "build",
    runsOn: ["ubuntu-latest"],
    parseError: undefined,
    push: undefined,
    repositoryDispatch: undefined,
    workflowRun: undefined,
    issues: undefined,
    issueComment: undefined,
    permissions: undefined,
  };
  let doc: Record<string, unknown> | undefined;
  try {
    doc = asRecord(parseYaml(text));
  } catch (e) {
    def.parseError = (e as Error).message;
    return def;
  }
  if (!doc) {
    def.parseError = "a workflow must be a mapping";
    return def;
  }
  if (typeof doc.name === "string" && doc.name.trim()) def.name = doc.name;
  if (typeof doc["run-name"] === "string") def.runName = doc["run-name"];
  // YAML 1.2 reads `on` as a string; a YAML 1.1 reader would make it `true`
  const on = doc.on ?? doc.true;
  const events: Record<string, unknown> =
    typeof on === "string" ? { [on]: null } : Array.isArray(on) ? Object.fromEntries(on.map((e) => [String(e), null])) : (asRecord(on) ?? {});
  const list = (v: unknown): string[] | undefined => (v === undefined || v === null ? undefined : (Array.isArray(v) ? v : [v]).map(String));
  const refFilter = (raw: unknown): RefFilter => {
    const r = asRecord(raw) ?? {};
    const branches = list(r.branches);
    const branchesIgnore = list(r["branches-ignore"]);
    return {
      branches,
      branchesIgnore,
      // "If you define only tags/tags-ignore or only branches/branches-ignore, the workflow won't run for events affecting the undefined Git ref."
      tagsOnly: (r.tags !== undefined || r["tags-ignore"] !== undefined) && branches === undefined && branchesIgnore === undefined,
      paths: list(r.paths),
      pathsIgnore: list(r["paths-ignore"]),
    };
  };
  if ("push" in events) def.push = refFilter(events.push);
  if ("repository_dispatch" in events) def.repositoryDispatch = { types: list(asRecord(events.repository_dispatch)?.types) };
  if ("issues" in events) def.issues = { types: list(asRecord(events.issues)?.types) };
  if ("issue_comment" in events) def.issueComment = { types: list(asRecord(events.issue_comment)?.types) };
  if ("workflow_run" in events) {
    const wr = asRecord(events.workflow_run) ?? {};
    def.workflowRun = { ...refFilter(wr), paths: undefined, pathsIgnore: undefined, workflows: list(wr.workflows) ?? [], types: list(wr.types) };
  }
  const permissionsOf = (perms: unknown): Record<string, "read" | "write" | "none"> | undefined => {
    if (perms === "read-all" || perms === "write-all") {
      const level = perms === "read-all" ? "read" : "write";
      return Object.fromEntries(["actions", "checks", "contents", "deployments", "issues", "packages", "pages", "pull_requests", "statuses"].map((k) => [k, level]));
    }
    // `pull-requests` in workflow syntax is `pull_requests` in the token's permissions
    if (asRecord(perms)) return Object.fromEntries(Object.entries(asRecord(perms)!).map(([k, v]) => [k.replace(/-/g, "_"), String(v) as "read" | "write" | "none"]));
    return perms !== undefined && perms !== null ? {} : undefined;
  };
  def.permissions = permissionsOf(doc.permissions);
  if (typeof on === "string") def.dispatchable = on === "workflow_dispatch";
  else if (Array.isArray(on)) def.dispatchable = on.includes("workflow_dispatch");
  else if (asRecord(on) && "workflow_dispatch" in asRecord(on)!) {
    def.dispatchable = true;
    const inputs = asRecord(asRecord(asRecord(on)!.workflow_dispatch)?.inputs) ?? {};
    for (const [name, raw] of Object.entries(inputs)) {
      const spec = asRecord(raw) ?? {};
      const type = (typeof spec.type === "string" ? spec.type : "string") as InputType;
      def.inputs.set(name, {
        type,
        required: spec.required === true || spec.required === "true",
        default: scalar(spec.default),
        options: Array.isArray(spec.options) ? spec.options.map((o) => String(o)) : undefined,
      });
    }
  }
  const conc = doc.concurrency;
  if (typeof conc === "string") def.concurrency = { group: conc, cancelInProgress: false };
  else if (asRecord(conc) && typeof asRecord(conc)!.group === "string") {
    const c = asRecord(conc)!;
    const cip = c["cancel-in-progress"];
    def.concurrency = { group: c.group as string, cancelInProgress: typeof cip === "string" ? cip : cip === true };
  }
  const jobs = asRecord(doc.jobs);
  const first = jobs ? Object.entries(jobs)[0] : undefined;
  if (first) {
    const job = asRecord(first[1]) ?? {};
    def.jobName = typeof job.name === "string" ? job.name : first[0];
    // "You can use permissions … for each job": a job's own `permissions:` replace the workflow's for its GITHUB_TOKEN
    // (Actions docs "Workflow syntax", `jobs.<job_id>.permissions`)
    if (job.permissions !== undefined) def.permissions = permissionsOf(job.permissions);
    const runsOn = job["runs-on"];
    if (typeof runsOn === "string") def.runsOn = [runsOn];
    else if (Array.isArray(runsOn)) def.runsOn = runsOn.map(String);
  }
  return def;
}

// ---------------------------------------------------------------------------
// Expressions: the small part of GitHub's expression language run-names and groups use

export interface ExpressionContext {
  inputs: Record<string, string | boolean>;
  github: Record<string, unknown>;
}

/**
 * `${{ … }}` in a string, evaluated: property paths into `inputs` and
 * `github` (`github.event.inputs.x`), string/number/boolean literals, `||`
 * and `&&`. A missing property is '' (as GitHub evaluates it). Anything else
 * is reported through `unsupported` and renders as ''.
 */
export function interpolate(template: string, ctx: ExpressionContext, unsupported: (expr: string) => void = () => {}): string {
  return template.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => {
    const v = evaluate(expr.trim(), ctx, unsupported);
    return v === undefined || v === null ? "" : String(v);
  });
}

function evaluate(expr: string, ctx: ExpressionContext, unsupported: (expr: string) => void): unknown {
  const or = splitTop(expr, "||");
  if (or.length > 1) {
    for (const part of or) {
      const v = evaluate(part, ctx, unsupported);
      if (truthy(v)) return v;
    }
    return evaluate(or[or.length - 1]!, ctx, unsupported);
  }
  const and = splitTop(expr, "&&");
  if (and.length > 1) {
    let v: unknown;
    for (const part of and) {
      v = evaluate(part, ctx, unsupported);
      if (!truthy(v)) return v;
    }
    return v;
  }
  const e = expr.trim();
  const str = /^'((?:[^']|'')*)'$/.exec(e);
  if (str) return str[1]!.replace(/''/g, "'");
  if (/^-?\d+(\.\d+)?$/.test(e)) return Number(e);
  if (e === "true" || e === "false") return e === "true";
  if (e === "null") return null;
  if (/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*|\[['"][^'"]+['"]\])*$/.test(e)) {
    const parts = e.split(/\.|\[['"]|['"]\]/).filter(Boolean);
    let v: unknown = ctx as unknown;
    for (const p of parts) {
      const r = asRecord(v);
      if (!r) return "";
      // GitHub's property names are case-insensitive
      const key = Object.keys(r).find((k) => k.toLowerCase() === p.toLowerCase());
      v = key === undefined ? undefined : r[key];
    }
    return v ?? "";
  }
  unsupported(e);
  return "";
}

function truthy(v: unknown): boolean {
  return !(v === undefined || v === null || v === false || v === "" || v === 0);
}

function splitTop(expr: string, op: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = false;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i]!;
    if (ch === "'") quote = !quote;
    else if (!quote && ch === "(") depth++;
    else if (!quote && ch === ")") depth--;
    else if (!quote && depth === 0 && expr.startsWith(op, i)) {
      parts.push(expr.slice(start, i));
      start = i + op.length;
      i += op.length - 1;
    }
  }
  parts.push(expr.slice(start));
  return parts.map((p) => p.trim());
}

// ---------------------------------------------------------------------------
// GitHub's date search syntax (`created` filter)

const DATE = String.raw`\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?`;
export const DATE_QUERY = new RegExp(`^(?:(?:>=|<=|>|<)?${DATE}|(?:${DATE}|\\*)\\.\\.(?:${DATE}|\\*))$`);

function bounds(date: string): [number, number] {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(date);
  const start = Date.parse(dateOnly ? `${date}T00:00:00Z` : /T\d{2}:\d{2}$/.test(date) ? `${date}:00Z` : /(Z|[+-]\d{2}:?\d{2})$/.test(date) ? date : `${date}Z`);
  return [start, dateOnly ? start + 86_400_000 - 1 : start];
}

/** A predicate on epoch ms for GitHub's date query, or undefined if it does not parse. */
export function dateQuery(q: string): ((ms: number) => boolean) | undefined {
  const s = q.trim();
  if (!DATE_QUERY.test(s)) return undefined;
  const range = /^(.+)\.\.(.+)$/.exec(s);
  if (range) {
    const lo = range[1] === "*" ? -Infinity : bounds(range[1]!)[0];
    const hi = range[2] === "*" ? Infinity : bounds(range[2]!)[1];
    return (ms) => ms >= lo && ms <= hi;
  }
  const m = /^(>=|<=|>|<)?(.+)$/.exec(s)!;
  const [lo, hi] = bounds(m[2]!);
  switch (m[1]) {
    case ">=":
      return (ms) => ms >= lo;
    case ">":
      return (ms) => ms > hi;
    case "<=":
      return (ms) => ms <= hi;
    case "<":
      return (ms) => ms < lo;
    default:
      return (ms) => ms >= lo && ms <= hi;
  }
}

// ---------------------------------------------------------------------------

/** Seconds, as GitHub shows them (created_at is stored and filtered at that precision). */
function secondsOf(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

export class TwinActions {
  readonly runsById = new Map<number, RunState>();
  /** errors thrown by onDispatch/onQueued hooks; `settled()` rethrows them */
  readonly hookErrors: unknown[] = [];
  /** expressions the twin could not evaluate (rendered as '') */
  readonly unsupported: string[] = [];

  private readonly workflowsByKey = new Map<string, WorkflowState>();
  private readonly runNumbers = new Map<number, number>();
  private readonly inputsByRun = new Map<number, Readonly<Record<string, string>>>();
  private readonly payloadByRun = new Map<number, Json>();
  private readonly dispatchHooks: RunHook[] = [];
  private readonly queuedHooks: RunHook[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private ids = { workflow: 160_340_000, run: 15_890_000_000, job: 44_120_000_000, suite: 46_830_000_000 };

  constructor(private readonly twin: GitHubTwin) {}

  // -------------------------------------------------------------------------
  // Workflows

  /** The workflows of a repository: files `.github/workflows/*.yml|yaml` on its default branch. */
  workflows(repoKey?: RepoKey): WorkflowState[] {
    const repo = this.twin.repo(repoKey);
    const head = this.twin.head(repo, repo.default_branch);
    if (!head) return [];
    const paths = [...head.files.keys()].filter((p) => p.startsWith(WORKFLOWS_DIR) && /^[^/]+\.ya?ml$/.test(p.slice(WORKFLOWS_DIR.length))).sort();
    return paths.map((p) => this.workflowState(repo, p)).sort((a, b) => a.id - b.id);
  }

  /** A workflow by id or file name ("worker.yml"; a path works too), on the default branch. */
  workflow(repoKey: RepoKey, idOrFile: string | number): WorkflowState | undefined {
    const all = this.workflows(repoKey);
    const key = String(idOrFile);
    if (/^\d+$/.test(key)) return all.find((w) => w.id === Number(key));
    return all.find((w) => w.path === key || w.path === `${WORKFLOWS_DIR}${key}`);
  }

  /** The workflow file as it is at `ref` (default branch by default), parsed; undefined if absent there. */
  definition(wf: WorkflowState, ref?: string): WorkflowDefinition | undefined {
    const file = this.twin.readFile(wf.path, { repo: wf.repo, ...(ref ? { ref } : {}) });
    return file ? parseWorkflow(wf.path, file.text) : undefined;
  }

  private workflowState(repo: RepoState, path: string): WorkflowState {
    const key = `${repo.id}:${path}`;
    let wf = this.workflowsByKey.get(key);
    if (!wf) {
      let created: string | undefined;
      for (const c of repo.commits.values()) {
        if (c.files.has(path)) {
          created = c.committer.date;
          break;
        }
      }
      this.ids.workflow += 1 + (this.workflowsByKey.size % 7);
      wf = { id: this.ids.workflow, node_id: nextNodeId("W", repo.id, this.ids.workflow), repo, path, created_at: created ?? this.twin.timestamp() };
      this.workflowsByKey.set(key, wf);
    }
    return wf;
  }

  /** When the workflow file last changed on the default branch. */
  private workflowUpdatedAt(wf: WorkflowState): string {
    const repo = wf.repo;
    let c = this.twin.head(repo, repo.default_branch);
    const blob = c?.files.get(wf.path);
    let at = wf.created_at;
    while (c && c.files.get(wf.path)?.sha === blob?.sha) {
      at = c.committer.date;
      c = c.parents[0] ? repo.commits.get(c.parents[0]) : undefined;
    }
    return at;
  }

  // -------------------------------------------------------------------------
  // Dispatch

  /** POST …/dispatches, as GitHub answers it; on success the run exists and its events are recorded. */
  dispatch(repoKey: RepoKey, workflowId: string | number, options: DispatchOptions): DispatchResult {
    const repo = this.twin.repo(repoKey);
    const wf = this.workflow(repo, workflowId);
    if (!wf) return { ok: false, status: 404, message: "Not Found" };
    const onDefault = this.definition(wf);
    if (!onDefault?.dispatchable) return { ok: false, status: 422, message: "Workflow does not have 'workflow_dispatch' trigger" };
    const branch = this.branchOf(repo, options.ref);
    if (!branch) return { ok: false, status: 422, message: `No ref found for: ${options.ref}` };
    const def = this.definition(wf, branch);
    if (!def?.dispatchable) return { ok: false, status: 422, message: "Workflow does not have 'workflow_dispatch' trigger" };

    const given = options.inputs ?? {};
    const names = Object.keys(given);
    // 25 inputs on github.com, 10 on older Enterprise Server (profile.ts)
    const maxInputs = this.twin.profile.maxDispatchInputs;
    if (names.length > maxInputs) return { ok: false, status: 422, message: `You can only provide up to ${maxInputs} inputs` };
    const unexpected = names.filter((n) => !def.inputs.has(n));
    if (unexpected.length) return { ok: false, status: 422, message: `Unexpected inputs provided: ${JSON.stringify(unexpected)}` };
    const inputs: Record<string, string> = {};
    for (const [name, spec] of def.inputs) {
      const raw = given[name];
      if (raw === undefined || raw === null) {
        if (spec.default !== undefined) inputs[name] = spec.default;
        else if (spec.required) return { ok: false, status: 422, message: `Required input '${name}' not provided` };
        continue;
      }
      if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "boolean") {
        return { ok: false, status: 422, message: `Provided value for input '${name}' is not a string` };
      }
      const value = String(raw);
      if (spec.type === "choice" && spec.options && !spec.options.includes(value)) {
        return { ok: false, status: 422, message: `Provided value '${value}' for input '${name}' not in the list of allowed values` };
      }
      if (spec.type === "boolean" && value !== "true" && value !== "false") {
        return { ok: false, status: 422, message: `Provided value '${value}' for input '${name}' is not a valid boolean` };
      }
      if (spec.type === "number" && (value.trim() === "" || !Number.isFinite(Number(value)))) {
        return { ok: false, status: 422, message: `Provided value '${value}' for input '${name}' is not a valid number` };
      }
      if (spec.required && value === "") return { ok: false, status: 422, message: `Required input '${name}' not provided` };
      inputs[name] = value;
    }
    if (JSON.stringify(inputs).length > MAX_INPUTS_CHARS) return { ok: false, status: 422, message: `inputs are too large (maximum is ${MAX_INPUTS_CHARS} characters)` };

    const actor = typeof options.actor === "string" ? this.twin.user(options.actor) : (options.actor ?? this.twin.app.bot);
    const head = this.twin.head(repo, branch)!;
    const run = this.createRun(repo, wf, def, branch, head, actor, {
      event: "workflow_dispatch",
      inputs,
      // the workflow_dispatch webhook's payload: inputs, ref, repository, sender, workflow
      // (https://docs.github.com/en/webhooks/webhook-events-and-payloads#workflow_dispatch)
      payload: { inputs: { ...inputs }, ref: `refs/heads/${branch}`, repository: repoJson(repo, this.twin.urls), sender: simpleUser(actor, this.twin.urls), workflow: wf.path },
      visibleAfterMs: this.twin.options.dispatchVisibilityMs ?? 5000,
    });
    this.schedule(this.dispatchHooks, run);
    return { ok: true, run };
  }

  // -------------------------------------------------------------------------
  // Other triggers

  /**
   * A push to `branch` (before → commit): the workflows in the pushed commit
   * with `on: push` whose branch and path filters match start, as `pusher`.
   * Nothing starts when GITHUB_TOKEN pushed: "events triggered by the
   * GITHUB_TOKEN, with the exception of workflow_dispatch and
   * repository_dispatch, will not create a new workflow run" (Actions docs
   * "Triggering a workflow from a workflow"), or when the head commit's
   * message asks to skip CI (`skipsCi`). Commits made with an installation
   * token do start them ("If you do want to trigger a workflow from within a
   * workflow run, you can use a GitHub App installation access token").
   */
  pushed(repo: RepoState, branch: string, before: string, commit: CommitState, pusher: TwinUser, viaActionsToken: boolean): RunState[] {
    if (viaActionsToken || skipsCi(commit.message)) return [];
    const previous = repo.commits.get(before);
    const changed = [...new Set([...commit.files.keys(), ...(previous?.files.keys() ?? [])])].filter((p) => commit.files.get(p)?.sha !== previous?.files.get(p)?.sha);
    const started: RunState[] = [];
    for (const path of this.workflowPathsAt(commit)) {
      const def = parseWorkflow(path, commit.files.get(path)!.bytes.toString("utf8"));
      if (def.parseError || !def.push || !passesFilter(def.push, branch, changed)) continue;
      const wf = this.workflowState(repo, path);
      started.push(
        this.createRun(repo, wf, def, branch, commit, pusher, {
          event: "push",
          inputs: {},
          payload: { ref: `refs/heads/${branch}`, before, after: commit.sha, head_commit: { id: commit.sha, message: commit.message } },
        }),
      );
    }
    return started;
  }

  /**
   * POST …/dispatches (repository_dispatch): the default branch's workflows
   * with `on: repository_dispatch` (and `types` including the event type, if
   * given) start — also when GITHUB_TOKEN sent it (the exception the Actions
   * docs name). "This event will only trigger a workflow run if the workflow
   * file exists on the default branch."
   */
  repositoryDispatch(repoKey: RepoKey, eventType: string, clientPayload: Json, actor: TwinUser): RunState[] {
    const repo = this.twin.repo(repoKey);
    const head = this.twin.head(repo, repo.default_branch)!;
    const started: RunState[] = [];
    for (const wf of this.workflows(repo)) {
      const def = this.definition(wf);
      if (!def || def.parseError || !def.repositoryDispatch) continue;
      if (def.repositoryDispatch.types && !def.repositoryDispatch.types.includes(eventType)) continue;
      started.push(
        this.createRun(repo, wf, def, repo.default_branch, head, actor, {
          event: "repository_dispatch",
          inputs: {},
          payload: { action: eventType, client_payload: clientPayload, branch: repo.default_branch },
        }),
      );
    }
    return started;
  }

  /**
   * A run's `workflow_run` event: the default branch's workflows that name its
   * workflow in `on.workflow_run.workflows` (and the activity in `types`, and
   * its branch in `branches`) start — at most three levels deep
   * (MAX_WORKFLOW_RUN_DEPTH). "This event will only trigger a workflow run if
   * the workflow file exists on the default branch."
   */
  private workflowRunTriggers(action: "requested" | "in_progress" | "completed", run: RunState): void {
    if (run.depth + 1 > MAX_WORKFLOW_RUN_DEPTH) return;
    const repo = run.repo;
    const head = this.twin.head(repo, repo.default_branch);
    if (!head) return;
    for (const wf of this.workflows(repo)) {
      const def = this.definition(wf);
      const on = def?.workflowRun;
      if (!def || def.parseError || !on || !on.workflows.includes(run.name)) continue;
      if (on.types && !on.types.includes(action)) continue;
      if (!passesFilter(on, run.head_branch, undefined)) continue;
      this.createRun(repo, wf, def, repo.default_branch, head, run.actor, {
        event: "workflow_run",
        inputs: {},
        payload: { action, workflow_run: { id: run.id, name: run.name, conclusion: run.conclusion, head_branch: run.head_branch } },
        depth: run.depth + 1,
      });
    }
  }

  /**
   * An `issues` or `issue_comment` event: the default branch's workflows with
   * that trigger (and its activity in `types`, when given) start, the event's
   * payload as their `github.event`. "This event will only trigger a workflow
   * run if the workflow file exists on the default branch" (Actions docs
   * "Events that trigger workflows", `issues`, `issue_comment`). Nothing
   * starts for an event GITHUB_TOKEN caused — its writes are the only ones
   * made as github-actions[bot] — "events triggered by the GITHUB_TOKEN, with
   * the exception of workflow_dispatch and repository_dispatch, will not
   * create a new workflow run" (Actions docs "Triggering a workflow from a
   * workflow"); an App's token, or a person's, does start them.
   */
  eventTriggered(e: TwinEvent): RunState[] {
    if (e.name !== "issues" && e.name !== "issue_comment") return [];
    if (e.sender === this.twin.actionsApp.bot.login) return [];
    const full = (e.payload as { repository?: { full_name?: string } }).repository?.full_name;
    const repo = full ? this.twin.repos.get(full.toLowerCase()) : undefined;
    if (!repo) return [];
    const head = this.twin.head(repo, repo.default_branch);
    if (!head) return [];
    const started: RunState[] = [];
    for (const wf of this.workflows(repo)) {
      const def = this.definition(wf);
      const on = e.name === "issues" ? def?.issues : def?.issueComment;
      if (!def || def.parseError || !on || (on.types && !on.types.includes(e.action))) continue;
      started.push(
        this.createRun(repo, wf, def, repo.default_branch, head, this.twin.user(e.sender), {
          event: e.name,
          inputs: {},
          payload: e.payload,
        }),
      );
    }
    return started;
  }

  /** Workflow files (`.github/workflows/*.yml|yaml`) in a commit. */
  private workflowPathsAt(commit: CommitState): string[] {
    return [...commit.files.keys()].filter((p) => p.startsWith(WORKFLOWS_DIR) && /^[^/]+\.ya?ml$/.test(p.slice(WORKFLOWS_DIR.length))).sort();
  }

  /**
   * Re-run a completed run (POST …/runs/{id}/rerun, or a person on the run's
   * page): "Re-runs your workflow run using its id" — the same run, its
   * `run_attempt` one higher, queued again with the same workflow file,
   * commit and inputs, its workflow_run events sent again. A run not yet
   * completed cannot be re-run: 403 "This workflow is already running"
   * (cli/cli#9221).
   */
  rerun(runId: number, actor: TwinUser): { status: 403 | 404; message: string } | undefined {
    const run = this.runsById.get(runId);
    if (!run) return { status: 404, message: "Not Found" };
    if (run.status !== "completed") return { status: 403, message: "This workflow is already running" };
    const now = this.twin.now();
    run.run_attempt++;
    run.triggeringActor = actor;
    run.conclusion = null;
    run.status = "queued";
    run.startedMs = now;
    run.updatedMs = now;
    run.job = undefined;
    const group = run.concurrency;
    const holder = group ? this.activeIn(run.repo, group).find((r) => r !== run && (r.status === "queued" || r.status === "in_progress")) : undefined;
    if (holder) run.status = "pending";
    this.emitRun("requested", run);
    if (run.status === "queued") this.queue(run);
    return undefined;
  }

  /** GITHUB_TOKEN's permissions for a run: its workflow's `permissions:` (at the run's commit), else undefined (the repository default). */
  tokenPermissions(runId: number): Record<string, "read" | "write" | "none"> | undefined {
    const run = this.mustRun(runId);
    return this.definition(run.workflow, run.head_sha)?.permissions;
  }

  /** A branch name for a dispatch ref (`main`, `refs/heads/main`); tags are not modelled. */
  private branchOf(repo: RepoState, ref: string): string | undefined {
    const name = ref.replace(/^refs\/heads\//, "");
    return repo.branches.has(name) ? name : undefined;
  }

  private createRun(
    repo: RepoState,
    wf: WorkflowState,
    def: WorkflowDefinition,
    branch: string,
    head: CommitState,
    actor: TwinUser,
    trigger: { event: RunEvent; inputs: Record<string, string>; payload: Json; depth?: number; visibleAfterMs?: number },
  ): RunState {
    const now = this.twin.now();
    const inputs = trigger.inputs;
    const typed: Record<string, string | boolean> = {};
    for (const [k, v] of Object.entries(inputs)) typed[k] = def.inputs.get(k)?.type === "boolean" ? v === "true" : v;
    const ctx: ExpressionContext = {
      inputs: typed,
      github: {
        actor: actor.login,
        triggering_actor: actor.login,
        event_name: trigger.event,
        event: trigger.payload,
        ref: `refs/heads/${branch}`,
        ref_name: branch,
        ref_type: "branch",
        sha: head.sha,
        repository: repo.full_name,
        repository_owner: repo.owner.login,
        workflow: def.name,
        workflow_ref: `${repo.full_name}/${wf.path}@refs/heads/${branch}`,
      },
    };
    const unsupported = (e: string) => this.unsupported.push(`${wf.path}: \${{ ${e} }}`);
    this.ids.run += 3 + (this.runsById.size % 11);
    const id = this.ids.run;
    this.ids.suite += 2 + (id % 5);
    const run: RunState = {
      id,
      node_id: nextNodeId("WFR", repo.id, id),
      repo,
      workflow: wf,
      name: def.name,
      display_title: def.runName !== undefined ? interpolate(def.runName, ctx, unsupported) : def.name,
      run_number: (this.runNumbers.get(wf.id) ?? 0) + 1,
      run_attempt: 1,
      event: trigger.event,
      triggeringActor: actor,
      depth: trigger.depth ?? 0,
      visibleAt: now + (trigger.visibleAfterMs ?? 0),
      status: "queued",
      conclusion: null,
      head_branch: branch,
      head_sha: head.sha,
      head_commit: head,
      actor,
      check_suite_id: this.ids.suite,
      createdMs: now,
      updatedMs: now,
      startedMs: now,
      concurrency: def.concurrency ? interpolate(def.concurrency.group, ctx, unsupported).toLowerCase() : undefined,
      cancelInProgress:
        typeof def.concurrency?.cancelInProgress === "string"
          ? interpolate(def.concurrency.cancelInProgress, ctx, unsupported) === "true"
          : def.concurrency?.cancelInProgress === true,
      job: undefined,
    };
    this.runNumbers.set(wf.id, run.run_number);
    this.runsById.set(id, run);
    this.inputsByRun.set(id, Object.freeze({ ...inputs }));
    this.payloadByRun.set(id, trigger.payload);

    // Concurrency: one running (queued or in progress) and one pending per group.
    const group = run.concurrency;
    const others = group ? this.activeIn(repo, group).filter((r) => r !== run) : [];
    const holder = others.find((r) => r.status === "queued" || r.status === "in_progress");
    const pending = others.filter((r) => r.status === "pending");
    if (holder && !run.cancelInProgress) run.status = "pending";
    this.emitRun("requested", run);
    for (const p of pending) this.finish(p, "cancelled");
    if (holder && run.cancelInProgress) this.finish(holder, "cancelled");
    if (run.status === "queued") this.queue(run, def);
    return run;
  }

  private activeIn(repo: RepoState, group: string): RunState[] {
    return [...this.runsById.values()].filter((r) => r.repo === repo && r.concurrency === group && r.status !== "completed");
  }

  /** The run gets its job and waits for a runner. */
  private queue(run: RunState, def?: WorkflowDefinition): void {
    const d = def ?? this.definition(run.workflow, run.head_sha) ?? parseWorkflow(run.workflow.path, "");
    const now = this.twin.now();
    this.ids.job += 5 + (run.id % 13);
    run.status = "queued";
    run.updatedMs = Math.max(run.updatedMs, now);
    run.job = {
      id: this.ids.job,
      node_id: nextNodeId("CR", run.repo.id, this.ids.job),
      name: d.jobName,
      labels: d.runsOn,
      status: "queued",
      conclusion: null,
      createdMs: now,
      startedMs: now,
      completedMs: null,
      runner: null,
    };
    this.emitJob("queued", run);
    this.schedule(this.queuedHooks, run);
  }

  // -------------------------------------------------------------------------
  // The runner (driven by the test)

  /** A runner picks the queued run up: workflow_run.in_progress, workflow_job.in_progress. */
  start(runId: number): RunState {
    const run = this.mustRun(runId);
    if (run.status === "pending") throw new Error(`twin: run ${runId} is pending on concurrency group '${run.concurrency}'; it cannot start before the group frees`);
    if (run.status !== "queued") throw new Error(`twin: run ${runId} is ${run.status}, not queued`);
    const now = this.twin.now();
    run.status = "in_progress";
    run.updatedMs = now;
    const job = run.job!;
    job.status = "in_progress";
    job.startedMs = now;
    const n = 1 + (job.id % 40);
    job.runner = { id: n, name: `GitHub Actions ${n}` };
    this.emitRun("in_progress", run);
    this.emitJob("in_progress", run);
    return run;
  }

  /**
   * The run ends with `conclusion` (a queued run is started first). With
   * `durationMs` its job ends that long after it started; when that lies in
   * the future the twin's clock moves forward to it (time passes while the
   * worker works).
   */
  complete(runId: number, conclusion: RunConclusion = "success", options: { durationMs?: number } = {}): RunState {
    const run = this.mustRun(runId);
    if (run.status === "completed") throw new Error(`twin: run ${runId} has completed already (${run.conclusion})`);
    if (run.status === "pending") {
      if (conclusion === "cancelled") return this.finish(run, "cancelled");
      throw new Error(`twin: run ${runId} is pending on concurrency group '${run.concurrency}'; it cannot complete before it starts`);
    }
    if (run.status === "queued" && conclusion !== "cancelled") this.start(runId);
    let end = this.twin.now();
    if (options.durationMs !== undefined) {
      end = (run.job?.startedMs ?? run.startedMs) + options.durationMs;
      if (end > this.twin.now()) this.twin.advance(end - this.twin.now());
    }
    return this.finish(run, conclusion, end);
  }

  /** POST …/cancel: false when the run had completed already (GitHub's 409). */
  cancel(runId: number): boolean {
    const run = this.mustRun(runId);
    if (run.status === "completed") return false;
    this.finish(run, "cancelled");
    return true;
  }

  private finish(run: RunState, conclusion: RunConclusion, endMs = this.twin.now()): RunState {
    const job = run.job;
    if (job && job.status !== "completed") {
      job.status = "completed";
      job.conclusion = (JOB_CONCLUSIONS.has(conclusion) ? conclusion : "failure") as RunConclusion;
      job.completedMs = Math.max(endMs, job.startedMs);
      this.emitJob("completed", run);
    }
    run.status = "completed";
    run.conclusion = conclusion;
    run.updatedMs = Math.max(endMs, run.createdMs);
    this.emitRun("completed", run);
    // the group frees: its pending run is queued
    if (run.concurrency) {
      const active = this.activeIn(run.repo, run.concurrency);
      const next = active.find((r) => r.status === "pending");
      if (next && !active.some((r) => r.status === "queued" || r.status === "in_progress")) this.queue(next);
    }
    return run;
  }

  // -------------------------------------------------------------------------
  // Reading

  run(runId: number): RunState | undefined {
    return this.runsById.get(runId);
  }

  private mustRun(runId: number): RunState {
    const run = this.runsById.get(runId);
    if (!run) throw new Error(`twin: no workflow run ${runId}`);
    return run;
  }

  /** Runs, oldest first, optionally filtered as GitHub's list filters them. */
  runs(filter: RunFilter = {}): RunState[] {
    const repo = filter.repo !== undefined ? this.twin.repo(filter.repo) : undefined;
    const wf = filter.workflow !== undefined ? String(filter.workflow) : undefined;
    const created = filter.created !== undefined ? dateQuery(filter.created) : undefined;
    if (filter.created !== undefined && !created) throw new Error(`twin: cannot read the created filter '${filter.created}'`);
    return [...this.runsById.values()]
      .filter(
        (r) =>
          (!repo || r.repo === repo) &&
          (!wf || String(r.workflow.id) === wf || r.workflow.path === wf || r.workflow.path === `${WORKFLOWS_DIR}${wf}`) &&
          (!filter.event || r.event === filter.event) &&
          (!filter.status || r.status === filter.status || r.conclusion === filter.status) &&
          (!filter.branch || r.head_branch === filter.branch) &&
          (!filter.actor || r.actor.login.toLowerCase() === filter.actor.toLowerCase()) &&
          (!filter.head_sha || r.head_sha === filter.head_sha) &&
          (!created || created(secondsOf(r.createdMs))),
      )
      .sort((a, b) => a.createdMs - b.createdMs || a.id - b.id);
  }

  /** Runs of one workflow file ("worker.yml"), oldest first. */
  runsOf(workflowFile: string, repo?: RepoKey): RunState[] {
    return this.runs({ workflow: workflowFile, ...(repo !== undefined ? { repo } : {}) });
  }

  /** The event that started a run, as its `github.event` (GITHUB_EVENT_PATH) holds it. */
  eventPayload(runId: number): Json {
    const p = this.payloadByRun.get(runId);
    if (!p) throw new Error(`twin: no workflow run ${runId}`);
    return p;
  }

  /** The inputs a run was dispatched with (after defaults; strings) — GitHub does not show them, tests may. */
  inputs(runId: number): Readonly<Record<string, string>> {
    const i = this.inputsByRun.get(runId);
    if (!i) throw new Error(`twin: no workflow run ${runId}`);
    return i;
  }

  // -------------------------------------------------------------------------
  // Hooks (the test's simulated runners)

  /** Called after every dispatch (on a later turn of the event loop, after GitHub has answered). */
  onDispatch(hook: RunHook): () => void {
    return this.addHook(this.dispatchHooks, hook);
  }

  /** Called whenever a run is queued for a runner: at dispatch, or when its concurrency group frees. */
  onQueued(hook: RunHook): () => void {
    return this.addHook(this.queuedHooks, hook);
  }

  private addHook(list: RunHook[], hook: RunHook): () => void {
    list.push(hook);
    return () => {
      const at = list.indexOf(hook);
      if (at >= 0) list.splice(at, 1);
    };
  }

  private schedule(hooks: readonly RunHook[], run: RunState): void {
    if (!hooks.length) return;
    const inputs = this.inputs(run.id);
    for (const hook of [...hooks]) {
      const p: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => hook(run, inputs))
        .catch((e: unknown) => {
          this.hookErrors.push(e);
        })
        .finally(() => {
          this.inflight.delete(p);
        });
      this.inflight.add(p);
    }
  }

  /** Wait until every hook (and the hooks their work set off) has finished; rethrows their errors. */
  async settled(): Promise<void> {
    while (this.inflight.size) await Promise.all([...this.inflight]);
    if (this.hookErrors.length) {
      const errors = this.hookErrors.splice(0);
      throw errors.length === 1 ? errors[0] : new AggregateError(errors, `${errors.length} workflow hooks failed`);
    }
  }

  // -------------------------------------------------------------------------
  // JSON, as GitHub sends it

  workflowJson(wf: WorkflowState): Json {
    const urls = this.twin.urls;
    const def = this.definition(wf);
    const name = def?.name ?? wf.path;
    const repo = wf.repo;
    return {
      id: wf.id,
      node_id: wf.node_id,
      name,
      path: wf.path,
      state: "active",
      created_at: wf.created_at,
      updated_at: this.workflowUpdatedAt(wf),
      url: `${urls.api}/repos/${repo.full_name}/actions/workflows/${wf.id}`,
      html_url: `${urls.web}/${repo.full_name}/blob/${repo.default_branch}/${wf.path}`,
      badge_url: `${urls.web}/${repo.full_name}/workflows/${encodeURIComponent(name)}/badge.svg`,
    };
  }

  runJson(run: RunState): Json {
    const urls = this.twin.urls;
    const repo = run.repo;
    const api = `${urls.api}/repos/${repo.full_name}`;
    const runApi = `${api}/actions/runs/${run.id}`;
    const c = run.head_commit;
    return {
      id: run.id,
      name: run.name,
      node_id: run.node_id,
      head_branch: run.head_branch,
      head_sha: run.head_sha,
      path: run.workflow.path,
      display_title: run.display_title,
      run_number: run.run_number,
      event: run.event,
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: run.workflow.id,
      check_suite_id: run.check_suite_id,
      check_suite_node_id: nextNodeId("CS", repo.id, run.check_suite_id),
      url: runApi,
      html_url: `${urls.web}/${repo.full_name}/actions/runs/${run.id}`,
      pull_requests: [],
      created_at: iso(run.createdMs),
      updated_at: iso(run.updatedMs),
      actor: simpleUser(run.actor, urls),
      run_attempt: run.run_attempt,
      referenced_workflows: [],
      run_started_at: iso(run.startedMs),
      triggering_actor: simpleUser(run.triggeringActor, urls),
      jobs_url: `${runApi}/jobs`,
      logs_url: `${runApi}/logs`,
      check_suite_url: `${api}/check-suites/${run.check_suite_id}`,
      artifacts_url: `${runApi}/artifacts`,
      cancel_url: `${runApi}/cancel`,
      rerun_url: `${runApi}/rerun`,
      previous_attempt_url: run.run_attempt > 1 ? `${runApi}/attempts/${run.run_attempt - 1}` : null,
      workflow_url: `${api}/actions/workflows/${run.workflow.id}`,
      head_commit: {
        id: c.sha,
        tree_id: c.tree,
        message: c.message,
        timestamp: c.committer.date,
        author: { name: c.author.name, email: c.author.email },
        committer: { name: c.committer.name, email: c.committer.email },
      },
      repository: minimalRepo(repo, urls),
      head_repository: minimalRepo(repo, urls),
    };
  }

  jobJson(run: RunState): Json | undefined {
    const job = run.job;
    if (!job) return undefined;
    const urls = this.twin.urls;
    const api = `${urls.api}/repos/${run.repo.full_name}`;
    return {
      id: job.id,
      run_id: run.id,
      workflow_name: run.name,
      head_branch: run.head_branch,
      run_url: `${api}/actions/runs/${run.id}`,
      run_attempt: run.run_attempt,
      node_id: job.node_id,
      head_sha: run.head_sha,
      url: `${api}/actions/jobs/${job.id}`,
      html_url: `${urls.web}/${run.repo.full_name}/actions/runs/${run.id}/job/${job.id}`,
      status: job.status,
      conclusion: job.conclusion,
      created_at: iso(job.createdMs),
      started_at: iso(job.startedMs),
      completed_at: job.completedMs === null ? null : iso(job.completedMs),
      name: job.name,
      steps: [],
      check_run_url: `${api}/check-runs/${job.id}`,
      labels: [...job.labels],
      runner_id: job.runner?.id ?? null,
      runner_name: job.runner?.name ?? null,
      runner_group_id: job.runner ? 2 : null,
      runner_group_name: job.runner ? "GitHub Actions" : null,
    };
  }

  private emitRun(action: "requested" | "in_progress" | "completed", run: RunState): void {
    this.twin.emit(workflowRunEvent(this.twin, action, run, this.runJson(run), this.workflowJson(run.workflow)));
    this.workflowRunTriggers(action, run);
  }

  private emitJob(action: "queued" | "in_progress" | "completed", run: RunState): void {
    this.twin.emit(workflowJobEvent(this.twin, action, run, this.jobJson(run)!));
  }
}

/** `minimal-repository`, as runs carry it (the fields of `repository` in GitHub's workflow_run recordings). */
const MINIMAL_REPO_KEYS = [
  "id", "node_id", "name", "full_name", "private", "owner", "html_url", "description", "fork", "url",
  "forks_url", "keys_url", "collaborators_url", "teams_url", "hooks_url", "issue_events_url", "events_url",
  "assignees_url", "branches_url", "tags_url", "blobs_url", "git_tags_url", "git_refs_url", "trees_url",
  "statuses_url", "languages_url", "stargazers_url", "contributors_url", "subscribers_url", "subscription_url",
  "commits_url", "git_commits_url", "comments_url", "issue_comment_url", "contents_url", "compare_url",
  "merges_url", "archive_url", "downloads_url", "issues_url", "pulls_url", "milestones_url",
  "notifications_url", "labels_url", "releases_url", "deployments_url",
];

export function minimalRepo(repo: RepoState, urls: GitHubTwin["urls"]): Json {
  const full = repoJson(repo, urls);
  const out: Json = {};
  for (const k of MINIMAL_REPO_KEYS) out[k] = full[k];
  return out;
}
