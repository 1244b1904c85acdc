/**
 * GitHubTwin: a stateful, in-memory stand-in for GitHub, faithful on the
 * points mission-bot relies on. State lives here; `handle` (routes.ts)
 * answers REST requests against it; every mutation — through the API or
 * through the `as(user)` helpers — records the webhook events GitHub would
 * send (webhooks.ts).
 *
 * Transport-independent: `handle({ method, path, query, headers, body })`
 * returns `{ status, headers, body }`; nock.ts plugs it into fetch, a later
 * HTTP server can plug it into a socket.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import {
  roleAtLeast,
  type AppState,
  type BranchRule,
  type BlobState,
  type CommentState,
  type CommitState,
  type InstallationState,
  type IssueState,
  type LabelState,
  type RepoState,
  type Role,
  type TokenState,
  type TwinUser,
  type UserType,
} from "./model.js";
import { GITHUB_URLS, iso, nextNodeId, type Json, type Urls } from "./serialize.js";
import { handleRequest, resolveTemplate, type TwinRequest, type TwinResponse } from "./routes.js";
import { mintInstallationToken } from "./tokens.js";
import { TwinOAuth } from "./oauth.js";
import { TwinProjects } from "./projects.js";
import { TwinActions, type RunHook } from "./actions.js";
import { serverProfile, type ServerProfile, type ServerProfileName } from "./profile.js";
import { TwinLimits } from "./limits.js";
import { secretNames, secretValue, seedSecret } from "./secret-routes.js";
import {
  commentEvent,
  issuesEvent,
  subIssueEvents,
  blockedByEvents,
  type TwinEvent,
} from "./webhooks.js";

export type { TwinRequest, TwinResponse } from "./routes.js";
export { CONTENT_LIMITS } from "./limits.js";
export type { TwinEvent } from "./webhooks.js";

// ---------------------------------------------------------------------------
// Options, log, counters, faults

export interface TwinOptions {
  /** wall clock (ms); default Date.now. `advance(ms)` adds to it. */
  now?: () => number;
  /**
   * Which GitHub this is (profile.ts): "github.com" (default), "ghec"
   * (Enterprise Cloud), "ghes-3.17" … "ghes-3.20" (Enterprise Server: API
   * under /api/v3 on its own host, no sub-issue endpoints, dispatch without
   * `return_run_details`, at most 10 dispatch inputs, rate limits off unless
   * `rateLimits: true`). test/support/twin.ts checks requests against the
   * profile's own REST description.
   */
  server?: ServerProfileName;
  /**
   * The GitHub App (as its registration, or manifest, has it): `permissions`
   * is what it was granted (default metadata read; issues, contents, actions
   * write); installations get it unless `install(repo, id, permissions)` says less.
   */
  app?: { id?: number; slug?: string; name?: string; owner?: string; permissions?: Record<string, "read" | "write" | "admin">; events?: string[] };
  /** URLs written into resources (default the profile's: api.github.com / github.com) */
  urls?: Urls;
  /**
   * A token the twin did not issue: "reject" (401 Bad credentials, as GitHub),
   * or "bot" to treat it as the app's installation token (for tests that
   * build an Octokit with a made-up token). Default "reject".
   */
  unknownTokens?: "reject" | "bot";
  /**
   * Rate limits enforced (limits.ts): primary and secondary. Default: on, as
   * on github.com and Enterprise Cloud; off on Enterprise Server profiles,
   * where "rate limits are disabled by default". Counting always happens
   * (`twin.limits`, `twin.counters`).
   */
  rateLimits?: boolean;
  /** Secondary limits alone (content creation 80/min and 500/h, 900 points per endpoint and minute, 100 concurrent). Default: as `rateLimits`. */
  secondaryLimits?: boolean;
  /** @deprecated the old name of `secondaryLimits` */
  enforceContentLimits?: boolean;
  /** Primary limit per hour for installation tokens and people (default 5000; GitHub gives large organisations up to 12,500). */
  primaryLimit?: number;
  /** Primary limit per hour per repository for GITHUB_TOKEN (default the profile's: 1,000; Enterprise Cloud 15,000). */
  actionsTokenLimit?: number;
  /**
   * How long (ms, twin clock) a dispatched run takes to show in the runs
   * lists (`GET …/runs`); `GET …/runs/{id}` finds it at once. Default 5000.
   * Observed: "The actions dispatch is an asynchronous job and it at times
   * can take a few seconds to start" (convictional/trigger-workflow-and-wait#5);
   * lookups by name need retries (lasith-kg/dispatch-workflow#162, #164).
   */
  dispatchVisibilityMs?: number;
  /**
   * The repository setting "Allow GitHub Actions to create and approve pull requests" (off by default in new
   * repositories and organisations since May 2022): without it, GITHUB_TOKEN's pull request creation is 403
   * "GitHub Actions is not permitted to create or approve pull requests." (pull-routes.ts)
   */
  actionsMayCreatePullRequests?: boolean;
  /** PEM public key of the app: app JWTs must be signed with its private key (default: any well-formed JWT with iss = app id) */
  appPublicKey?: string;
  /**
   * GitHub's published REST description, to check every request against
   * (test/support/twin.ts injects one built from `@octokit/openapi`, a
   * development dependency). A request it rejects is recorded in
   * `contractFailures` and answered 404 or 422. Without it the twin serves
   * its own routes unchecked (the sandbox).
   */
  contract?: TwinContract;
  /** Check every response against GitHub's documented response schema (needs `contract`); problems go to `responseFailures`. Default false. */
  checkResponses?: boolean;
}

/** What the twin asks of a REST description (the shape of test/support/contract.ts). */
export interface TwinContract {
  /** the documented route a request resolves to, with its path parameters (decoded) */
  resolveRoute(method: string, url: string): { template: string; params: Record<string, string> } | undefined;
  /** problems GitHub would have with the request; empty when it would accept it */
  checkRequest(req: { method: string; url: string; body?: unknown; headers?: Record<string, string | string[] | undefined> }): string[];
  /** problems with a response GitHub would not have sent */
  checkResponse(
    method: string,
    url: string,
    status: number,
    body: unknown,
    headers: Record<string, string>,
    options?: { unknownBodyProperties?: "error" | "ignore" },
  ): string[];
}

export interface LogEntry {
  seq: number;
  at: number;
  method: string;
  /** concrete path, no query */
  path: string;
  /** the documented route template, e.g. /repos/{owner}/{repo}/issues; undefined when no route matched */
  route: string | undefined;
  status: number;
  actor: string;
  fault?: FaultKind;
  /** the request body as parsed */
  body?: unknown;
  /** on the twin's logical clock (`nextTick`): when it arrived and when it was answered; a request that arrived before another was answered was in flight with it */
  arrived?: number;
  answered?: number;
}

/**
 * bad-gateway 502, unavailable 503, the rate limits (403/429 with their headers),
 * lost-response (the write happens, the client gets a 502), hang (nothing
 * happens and no answer comes: the HTTP server holds the request until the
 * client gives up; through nock the client sees a timeout error at once).
 */
export type FaultKind = "bad-gateway" | "unavailable" | "secondary-rate-limit" | "primary-rate-limit" | "lost-response" | "hang";

export interface FaultSpec {
  kind: FaultKind;
  /** HTTP method, default any */
  method?: string;
  /**
   * Which requests: a route template ("/repos/{owner}/{repo}/issues", matched
   * against the resolved template), a concrete path with `*` wildcards
   * ("/repos/acme/rocket/issues/*"), or a RegExp tested against the concrete path.
   */
  route: string | RegExp;
  /** how many matching requests it hits (default 1); Infinity for always */
  times?: number;
  /** primary-rate-limit: 403 (default) or 429 */
  status?: 403 | 429;
  /** secondary-rate-limit: retry-after seconds (default 60); primary: seconds until x-ratelimit-reset (default 60) */
  seconds?: number;
}

export interface Fault extends Required<Omit<FaultSpec, "method" | "status" | "seconds">> {
  method: string | undefined;
  status: 403 | 429;
  seconds: number;
  /** requests it has answered so far */
  hits: number;
}

export interface Counters {
  total: number;
  /** requests answered 304 Not Modified (they do not count against the primary limit) */
  notModified: number;
  /** "POST /repos/{owner}/{repo}/issues" → count */
  byRoute: Record<string, number>;
  /** "POST" → count */
  byMethod: Record<string, number>;
  /** secondary-rate-limit points: GET/HEAD/OPTIONS 1, others 5 */
  points: number;
  /** epoch minute → points */
  pointsByMinute: Map<number, number>;
  /** content-creating requests (routes.ts CONTENT_CREATING), every identity together */
  content: { total: number; byMinute: Map<number, number>; byHour: Map<number, number>; times: number[] };
}


export interface RepoSeed {
  owner: string;
  name: string;
  ownerType?: "User" | "Organization";
  private?: boolean;
  defaultBranch?: string;
  description?: string | null;
  /** a template repository (`is_template`) */
  isTemplate?: boolean;
  /** install the app on it (default installation id 1; false: not installed) */
  installationId?: number | false;
  /** the installation's permissions, when it is created here (default the app's) */
  installationPermissions?: Record<string, "read" | "write" | "admin">;
  /** path → text, committed on the default branch */
  files?: Record<string, string>;
  /** login → role */
  collaborators?: Record<string, Role>;
  labels?: Array<string | { name: string; color?: string; description?: string | null }>;
}

export type RepoKey = string | RepoState | undefined;

/** mission-bot's App as app.yml registers it (a test checks the two agree). */
const DEFAULT_APP_PERMISSIONS: Record<string, "read" | "write" | "admin"> = { metadata: "read", issues: "write", contents: "write", actions: "write", pull_requests: "write", organization_projects: "write", secrets: "write" };

/**
 * The GitHub Actions app: what GITHUB_TOKEN's writes are performed via, and
 * its bot `github-actions[bot]` (ids as github.com shows them).
 */
const ACTIONS_APP_ID = 15368;
const ACTIONS_BOT_ID = 41898282;

/**
 * GITHUB_TOKEN's permissions when a workflow declares none and the
 * repository keeps GitHub's default for new repositories and organisations
 * ("Read repository contents and packages permissions": contents and
 * packages read, metadata read) — Actions docs "Controlling permissions for
 * GITHUB_TOKEN", "Permissions for the GITHUB_TOKEN".
 */
export const ACTIONS_TOKEN_DEFAULT_PERMISSIONS: Readonly<Record<string, "read" | "write">> = { contents: "read", metadata: "read", packages: "read" };
const DEFAULT_APP_EVENTS = ["issue_comment", "issues", "workflow_run"];

/** git's blob id: sha1("blob <size>\0<bytes>"). */
export function gitBlobSha(bytes: Buffer | string): string {
  const b = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
  return createHash("sha1").update(`blob ${b.length}\0`).update(b).digest("hex");
}

function sha1(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

function stableUserId(login: string): number {
  let h = 2166136261;
  for (const ch of `user${login.toLowerCase()}`) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 16777619);
  }
  return 1_000_000 + ((h >>> 0) % 200_000_000);
}

// ---------------------------------------------------------------------------

export class GitHubTwin {
  readonly options: TwinOptions;
  /** URLs written into resources; startTwinServer can point them at itself */
  urls: Urls;
  readonly app: AppState;

  readonly users = new Map<string, TwinUser>();
  readonly repos = new Map<string, RepoState>();
  readonly installations = new Map<number, InstallationState>();
  readonly tokens = new Map<string, TokenState>();
  /** the app's OAuth registration and the web flow's codes (oauth.ts) */
  readonly oauth = new TwinOAuth();
  readonly issuesById = new Map<number, IssueState>();
  readonly comments = new Map<number, CommentState>();
  /** git objects: "<repo id>:<tree sha>" → the files of that tree; "<repo id>:<blob sha>" → blob */
  readonly gitTrees = new Map<string, Map<string, BlobState>>();
  readonly gitBlobs = new Map<string, BlobState>();

  /** webhook events GitHub would have delivered, in order */
  readonly events: TwinEvent[] = [];
  /** requests GitHub would have rejected (checked against the `contract`: @octokit/openapi in tests) */
  readonly contractFailures: Array<{ method: string; path: string; problems: string[] }> = [];
  /** responses that do not match GitHub's documented schema (with `checkResponses`) */
  readonly responseFailures: string[] = [];
  /** documented routes the twin does not implement (answered 404) */
  readonly unimplemented: Array<{ method: string; route: string }> = [];
  readonly log: LogEntry[] = [];
  readonly counters: Counters = {
    total: 0,
    notModified: 0,
    byRoute: {},
    byMethod: {},
    points: 0,
    pointsByMinute: new Map(),
    content: { total: 0, byMinute: new Map(), byHour: new Map(), times: [] },
  };
  readonly faults: Fault[] = [];
  /** the server profile (profile.ts) */
  readonly profile: ServerProfile;
  /** rate limits: primary windows and secondary counters per identity (limits.ts) */
  readonly limits: TwinLimits;
  /** the GitHub Actions app (GITHUB_TOKEN's writes are performed via it) */
  readonly actionsApp: AppState;
  /** requests a transport admitted and has not answered yet (ticket → arrival) */
  readonly inflight = new Map<number, { tick: number; auth: string; method: string; path: string }>();
  /** held requests (`hold`) */
  private readonly holds: Hold[] = [];
  /** a logical clock ordering arrivals and commits (admit, sub-issue adds) */
  private tick = 0;
  private ticketSeq = 0;
  private readonly admitted = new WeakMap<TwinRequest, number>();
  /** parent issue id → tick of its last committed sub-issue add */
  readonly subIssueCommits = new Map<number, number>();
  /** GitHub Actions: workflows, runs, the test's runner (actions.ts) */
  readonly actions: TwinActions = new TwinActions(this);
  /** Projects (v2) of organisations and users (projects.ts) */
  readonly projects: TwinProjects = new TwinProjects(this);
  /** primary rate-limit windows per identity ("installation:1", "actions:<repo id>", "user:alice", "anonymous") */
  get rateWindows(): Map<string, { used: number; resetAt: number; limit: number }> {
    return this.limits.primary;
  }

  private offset = 0;
  private ids = { issue: 4_000_000_000, comment: 3_100_000_000, label: 9_100_000_000, repo: 900_000_000, reaction: 300_000_000 };
  private listeners: Array<(e: TwinEvent) => void> = [];

  constructor(options: TwinOptions = {}) {
    if (options.checkResponses && !options.contract) throw new Error("twin: checkResponses needs a contract (GitHub's REST description) to check against");
    this.options = options;
    this.profile = serverProfile(options.server);
    this.urls = options.urls ?? this.profile.urls ?? GITHUB_URLS;
    this.limits = new TwinLimits(this);
    const slug = options.app?.slug ?? "mission-bot";
    const created = this.timestamp();
    this.app = {
      id: options.app?.id ?? 1,
      slug,
      name: options.app?.name ?? slug,
      client_id: `Iv23li${randomBytes(7).toString("hex")}`,
      owner: this.user(options.app?.owner ?? "mission-bot-dev"),
      bot: this.user(`${slug}[bot]`, "Bot"),
      permissions: { metadata: "read", ...(options.app?.permissions ?? DEFAULT_APP_PERMISSIONS) },
      events: [...(options.app?.events ?? DEFAULT_APP_EVENTS)],
      created_at: created,
    };
    const actionsBot = this.user("github-actions[bot]", "Bot");
    actionsBot.id = ACTIONS_BOT_ID;
    this.actionsApp = {
      id: ACTIONS_APP_ID,
      slug: "github-actions",
      name: "GitHub Actions",
      client_id: "Iv1.05c79e9ad1f6bdfa",
      owner: this.user("github", "Organization"),
      bot: actionsBot,
      permissions: { actions: "write", contents: "write", issues: "write", metadata: "read", pull_requests: "write" },
      events: [],
      created_at: "2018-07-30T09:30:17Z",
    };
  }

  /** The app a bot acts for (mission-bot[bot] → the app, github-actions[bot] → GitHub Actions), else null. */
  appOf(user: TwinUser): AppState | null {
    if (user === this.app.bot) return this.app;
    if (user === this.actionsApp.bot) return this.actionsApp;
    return null;
  }

  // -------------------------------------------------------------------------
  // Time

  now(): number {
    return (this.options.now ?? Date.now)() + this.offset;
  }

  timestamp(): string {
    return iso(this.now());
  }

  /**
   * Move the twin's clock forward (token expiry, rate-limit windows, timestamps).
   * `tokens: "keep"` moves the expiry of every token issued so far by as much,
   * for a test in which time passes for the mission but the app holds its
   * tokens only as long as it would in real time.
   */
  advance(ms: number, options: { tokens?: "expire" | "keep" } = {}): void {
    this.offset += ms;
    if (options.tokens === "keep") for (const t of this.tokens.values()) if (t.expiresAt < Number.MAX_SAFE_INTEGER) t.expiresAt += ms;
  }

  // -------------------------------------------------------------------------
  // Seeding

  /** The user with this login, created on first mention. */
  user(login: string, type?: UserType): TwinUser {
    const key = login.toLowerCase();
    let u = this.users.get(key);
    if (!u) {
      u = { login, id: stableUserId(login), type: type ?? (login.endsWith("[bot]") ? "Bot" : "User") };
      this.users.set(key, u);
    } else if (type && u.type !== type) {
      u.type = type;
    }
    return u;
  }

  addRepo(seed: RepoSeed): RepoState {
    const full = `${seed.owner}/${seed.name}`;
    if (this.repos.has(full.toLowerCase())) throw new Error(`twin: ${full} exists already`);
    const owner = this.user(seed.owner, seed.ownerType ?? "User");
    const id = ++this.ids.repo;
    const at = this.timestamp();
    const branch = seed.defaultBranch ?? "main";
    const repo: RepoState = {
      id,
      node_id: nextNodeId("R", id),
      owner,
      name: seed.name,
      full_name: full,
      private: seed.private ?? false,
      description: seed.description ?? null,
      default_branch: branch,
      created_at: at,
      updated_at: at,
      pushed_at: at,
      collaborators: new Map(),
      issues: new Map(),
      lastNumber: 0,
      labels: new Map(),
      branches: new Map(),
      commits: new Map(),
      installationId: undefined,
      rules: [],
      ...(seed.isTemplate ? { isTemplate: true } : {}),
    };
    this.repos.set(full.toLowerCase(), repo);
    // an initial commit, as a repository created with a README has
    const root = this.makeCommit(repo, new Map(), [], "Initial commit", { name: owner.login, email: `${owner.login}@users.noreply.github.com` });
    repo.branches.set(branch, root.sha);
    for (const [path, text] of Object.entries(seed.files ?? {})) this.writeFile(path, text, { repo });
    if (owner.type === "User") repo.collaborators.set(owner.login.toLowerCase(), "admin");
    for (const [login, role] of Object.entries(seed.collaborators ?? {})) this.setPermission(login, role, repo);
    for (const l of seed.labels ?? []) {
      const spec = typeof l === "string" ? { name: l } : l;
      this.ensureLabel(repo, spec.name, spec.color, spec.description ?? null);
    }
    if (seed.installationId !== false) this.install(repo, seed.installationId ?? 1, seed.installationPermissions);
    return repo;
  }

  /** The repository by "owner/name" (case-insensitive), or the only/first one when omitted. */
  repo(key?: RepoKey): RepoState {
    if (key && typeof key !== "string") return key;
    if (key === undefined) {
      const first = this.repos.values().next();
      if (first.done) throw new Error("twin: no repository; call addRepo first");
      return first.value;
    }
    const r = this.repos.get(key.toLowerCase());
    if (!r) throw new Error(`twin: no repository ${key}`);
    return r;
  }

  repoById(id: number): RepoState | undefined {
    for (const r of this.repos.values()) if (r.id === id) return r;
    return undefined;
  }

  /** Give `login` a role on the repository (none removes it). */
  setPermission(login: string, role: Role, repo?: RepoKey): void {
    const r = this.repo(repo);
    this.user(login);
    if (role === "none") r.collaborators.delete(login.toLowerCase());
    else r.collaborators.set(login.toLowerCase(), role);
  }

  /** The role GitHub computes for `login` (owner admin; collaborators; others read on public repos). */
  roleOf(login: string, repo?: RepoKey): Role {
    const r = this.repo(repo);
    const role = r.collaborators.get(login.toLowerCase());
    if (role) return role;
    if (r.owner.login.toLowerCase() === login.toLowerCase()) return "admin";
    return r.private ? "none" : "read";
  }

  /**
   * Install the app on a repository (creating or extending installation `id`
   * for the owner). The installation is granted the app's permissions, or the
   * `permissions` given (which may not exceed the app's: an owner accepts what
   * the app asks for, or less).
   */
  install(repo: RepoKey, id = 1, permissions?: Record<string, "read" | "write" | "admin">): InstallationState {
    const r = this.repo(repo);
    let inst = this.installations.get(id);
    if (!inst) {
      inst = {
        id,
        account: r.owner,
        repositories: new Set(),
        permissions: { metadata: "read", ...(permissions ?? this.app.permissions) },
        events: [...this.app.events],
        created_at: this.timestamp(),
      };
      this.installations.set(id, inst);
    } else if (inst.account !== r.owner) {
      throw new Error(`twin: installation ${id} belongs to ${inst.account.login}, not ${r.owner.login}`);
    }
    if (inst.repositories !== "all") inst.repositories.add(r.full_name.toLowerCase());
    r.installationId = id;
    return inst;
  }

  /**
   * An installation token as POST /app/installations/{id}/access_tokens
   * issues it (expires in 1 h): all the installation's permissions and
   * repositories, or the `permissions` / `repositories` asked for — which
   * GitHub refuses (thrown here with GitHub's 422 message) when they exceed
   * the installation's (tokens.ts).
   */
  installationToken(installationId = 1, request: { permissions?: Record<string, string>; repositories?: string[]; repository_ids?: number[] } = {}): string {
    const minted = mintInstallationToken(this, installationId, request);
    if ("error" in minted) throw new Error(`twin: ${minted.status} ${minted.error}`);
    return minted.token.token;
  }

  /**
   * A workflow run's GITHUB_TOKEN for `repo` (REST calls as
   * github-actions[bot], on that repository only). Its permissions: the
   * run's workflow `permissions:` (with `runId`), else `permissions`, else
   * GitHub's default for new repositories (contents and packages read,
   * metadata read). Commits and other events it makes start no workflow
   * runs, except workflow_dispatch and repository_dispatch (Actions docs
   * "Triggering a workflow from a workflow"). Its primary limit is 1,000
   * requests per hour per repository (15,000 on Enterprise Cloud).
   */
  actionsToken(repo?: RepoKey, options: { permissions?: Record<string, "read" | "write" | "none">; runId?: number } = {}): string {
    const r = this.repo(repo);
    const declared = options.runId !== undefined ? this.actions.tokenPermissions(options.runId) : undefined;
    const perms = declared ?? options.permissions ?? ACTIONS_TOKEN_DEFAULT_PERMISSIONS;
    const permissions: Record<string, string> = { metadata: "read" };
    for (const [k, v] of Object.entries(perms)) if (v !== "none") permissions[k] = v;
    const token = `ghs_${randomBytes(18).toString("base64url").replace(/[-_]/g, "a").slice(0, 36)}`;
    // GITHUB_TOKEN "expires when a job finishes or after a maximum of 24 hours" (Actions docs "Automatic token authentication")
    this.tokens.set(token, {
      token,
      kind: "actions",
      repoId: r.id,
      ...(options.runId !== undefined ? { runId: options.runId } : {}),
      expiresAt: this.now() + 24 * 3600_000,
      permissions,
    });
    return token;
  }

  /** A personal access token acting as `login`. */
  userToken(login: string): string {
    this.user(login);
    const token = `ghp_${randomBytes(18).toString("base64url").replace(/[-_]/g, "x").slice(0, 36)}`;
    this.tokens.set(token, { token, kind: "user", login, expiresAt: Number.MAX_SAFE_INTEGER });
    return token;
  }

  // -------------------------------------------------------------------------
  // Git: commits and files

  /** A commit of these files with these parents, not on any branch yet (the git data API's "create a commit"). */
  createCommit(repo: RepoState, files: Map<string, BlobState>, parents: string[], message: string, who: { name: string; email: string }): CommitState {
    return this.makeCommit(repo, files, parents, message, who);
  }

  private makeCommit(
    repo: RepoState,
    files: Map<string, BlobState>,
    parents: string[],
    message: string,
    who: { name: string; email: string },
  ): CommitState {
    const date = this.timestamp();
    const treeSha = this.storeTree(repo, files);
    const sha = sha1(`commit ${treeSha} ${parents.join(",")} ${message} ${date} ${repo.commits.size}`);
    const commit: CommitState = {
      sha,
      tree: treeSha,
      message,
      parents,
      author: { ...who, date },
      committer: { ...who, date },
      files,
    };
    repo.commits.set(sha, commit);
    return commit;
  }

  /** Store a tree (and its blobs) as git objects of `repo`; returns the tree's sha. */
  storeTree(repo: RepoState, files: Map<string, BlobState>): string {
    const treeSha = sha1(`tree ${[...files].map(([p, b]) => `${p}:${b.sha}`).sort().join(",")}`);
    this.gitTrees.set(`${repo.id}:${treeSha}`, files);
    for (const b of files.values()) this.gitBlobs.set(`${repo.id}:${b.sha}`, b);
    return treeSha;
  }

  /** A commit made through the git data API (POST …/git/commits): it exists, no branch points at it yet. */
  createGitCommit(repo: RepoState, treeSha: string, parents: string[], message: string, author: { name: string; email: string; date?: string }, committer?: { name: string; email: string; date?: string }): CommitState | undefined {
    const files = this.gitTrees.get(`${repo.id}:${treeSha}`);
    if (!files) return undefined;
    const commit = this.makeCommit(repo, new Map(files), parents, message, { name: author.name, email: author.email });
    if (author.date) commit.author.date = author.date;
    if (committer) commit.committer = { name: committer.name, email: committer.email, date: committer.date ?? commit.committer.date };
    return commit;
  }

  /** Whether `ancestor` is `sha` or one of its ancestors. */
  isAncestor(repo: RepoState, ancestor: string, sha: string): boolean {
    const seen = new Set<string>();
    const todo = [sha];
    while (todo.length) {
      const s = todo.pop()!;
      if (s === ancestor) return true;
      if (seen.has(s)) continue;
      seen.add(s);
      todo.push(...(repo.commits.get(s)?.parents ?? []));
    }
    return false;
  }

  /** Head commit of a branch, or undefined. */
  head(repo: RepoState, branch: string): CommitState | undefined {
    const sha = repo.branches.get(branch);
    return sha ? repo.commits.get(sha) : undefined;
  }

  /** A ref (branch name or commit sha) → commit. */
  resolveRef(repo: RepoState, ref: string | undefined): CommitState | undefined {
    const name = (ref ?? repo.default_branch).replace(/^refs\/heads\//, "");
    return this.head(repo, name) ?? repo.commits.get(name);
  }

  /**
   * Commit one file on a branch; returns the new commit. With `push`, it is a
   * push GitHub reacts to: `on: push` workflows whose filters match start
   * (unless the pusher used GITHUB_TOKEN, or the message asks to skip CI —
   * actions.ts `pushed`). Without it, it is seeding (no events).
   */
  commitFile(
    repo: RepoState,
    branch: string,
    path: string,
    bytes: Buffer,
    message: string,
    who: { name: string; email: string },
    push?: { pusher: TwinUser; viaActionsToken: boolean },
  ): { commit: CommitState; blob: BlobState } {
    const parent = this.head(repo, branch);
    if (!parent) throw new Error(`twin: no branch ${branch} in ${repo.full_name}`);
    const files = new Map(parent.files);
    const blob: BlobState = { sha: gitBlobSha(bytes), bytes };
    files.set(path, blob);
    const commit = this.makeCommit(repo, files, [parent.sha], message, who);
    repo.branches.set(branch, commit.sha);
    repo.pushed_at = commit.committer.date;
    if (push) this.actions.pushed(repo, branch, parent.sha, commit, push.pusher, push.viaActionsToken);
    return { commit, blob };
  }

  /** A new branch: from the default branch's head, or (orphan) a commit of its own with no files. */
  createBranch(name: string, opts: { repo?: RepoKey; orphan?: boolean } = {}): void {
    const repo = this.repo(opts.repo);
    if (repo.branches.has(name)) throw new Error(`twin: branch ${name} exists in ${repo.full_name}`);
    if (!opts.orphan) {
      repo.branches.set(name, repo.branches.get(repo.default_branch)!);
      return;
    }
    const root = this.makeCommit(repo, new Map(), [], `Start ${name}`, { name: repo.owner.login, email: `${repo.owner.login}@users.noreply.github.com` });
    repo.branches.set(name, root.sha);
  }

  /** Record commits made elsewhere (git data API): move a branch to `sha`, as a push. */
  moveBranch(repo: RepoState, branch: string, sha: string, push?: { pusher: TwinUser; viaActionsToken: boolean }): void {
    const before = repo.branches.get(branch);
    const commit = repo.commits.get(sha);
    if (!commit) throw new Error(`twin: no commit ${sha} in ${repo.full_name}`);
    repo.branches.set(branch, sha);
    repo.pushed_at = this.timestamp();
    if (push) this.actions.pushed(repo, branch, before ?? "0".repeat(40), commit, push.pusher, push.viaActionsToken);
  }

  /** Set an Actions secret as a person would in the settings page (RULES 23); `environment` for an environment secret. */
  setSecret(name: string, value: string, opts: { repo?: RepoKey; environment?: string; organization?: boolean } = {}): void {
    seedSecret(this.repo(opts.repo), name, value, this.timestamp(), opts.environment, opts.organization);
  }

  /** What `secrets.NAME` gives a job of this repository (in `environment`, when the job names one); undefined when unset. */
  secretValue(name: string, opts: { repo?: RepoKey; environment?: string } = {}): string | undefined {
    return secretValue(this.repo(opts.repo), name, opts.environment);
  }

  /** The names of the repository's (or an environment's) Actions secrets. */
  secretNames(opts: { repo?: RepoKey; environment?: string } = {}): string[] {
    return secretNames(this.repo(opts.repo), opts.environment);
  }

  /** Seed or overwrite a file (no events, no branch rules: the repository as the test finds it); returns its blob sha. */
  writeFile(path: string, text: string, opts: { repo?: RepoKey; branch?: string; message?: string; author?: string } = {}): string {
    const repo = this.repo(opts.repo);
    const who = opts.author ?? repo.owner.login;
    return this.commitFile(repo, opts.branch ?? repo.default_branch, path, Buffer.from(text, "utf8"), opts.message ?? `Update ${path}`, {
      name: who,
      email: `${who}@users.noreply.github.com`,
    }).blob.sha;
  }

  /**
   * `login` pushes a commit changing one file (git push over HTTPS or SSH).
   * Branch protection and rulesets apply (GitHub refuses with GH006 / GH013,
   * thrown here); `on: push` workflows start.
   */
  push(login: string, path: string, text: string, opts: { repo?: RepoKey; branch?: string; message?: string } = {}): string {
    const repo = this.repo(opts.repo);
    const branch = opts.branch ?? repo.default_branch;
    const pusher = this.user(login);
    const violation = this.ruleViolation(repo, branch, pusher);
    if (violation) {
      const code = violation.kind === "ruleset" ? "GH013: Repository rule violations found" : "GH006: Protected branch update failed";
      throw new Error(`remote: error: ${code} for refs/heads/${branch}.\nremote: - ${violation.reasons.join("\nremote: - ")}\n ! [remote rejected] ${branch} -> ${branch} (${violation.kind === "ruleset" ? "push declined due to repository rule violations" : "protected branch hook declined"})`);
    }
    return this.commitFile(repo, branch, path, Buffer.from(text, "utf8"), opts.message ?? `Update ${path}`, { name: login, email: `${pusher.id}+${login}@users.noreply.github.com` }, { pusher, viaActionsToken: false }).blob.sha;
  }

  /** Change a file underneath the bot (someone else pushed): its sha changes, push workflows start. Returns the new sha. */
  tamperFile(path: string, newText: string, opts: { repo?: RepoKey; branch?: string; author?: string } = {}): string {
    const repo = this.repo(opts.repo);
    const branch = opts.branch ?? repo.default_branch;
    if (!this.head(repo, branch)?.files.has(path)) throw new Error(`twin: tamperFile: ${path} does not exist on ${branch}`);
    const who = opts.author ?? "someone-else";
    return this.commitFile(repo, branch, path, Buffer.from(newText, "utf8"), `Edit ${path}`, { name: who, email: `${who}@users.noreply.github.com` }, { pusher: this.user(who), viaActionsToken: false }).blob.sha;
  }

  // -------------------------------------------------------------------------
  // Branch protection and rulesets

  /**
   * Classic branch protection on branches matching `pattern`. A direct write
   * (contents API, ref update, push) to such a branch is refused: "Changes
   * must be made through a pull request." / `Required status check "ci" is
   * expected.` — people with admin rights pass unless `enforceAdmins`.
   */
  protectBranch(
    pattern: string,
    rule: { requirePullRequest?: boolean; requiredStatusChecks?: string[]; enforceAdmins?: boolean; bypass?: string[] } = {},
    repo?: RepoKey,
  ): BranchRule {
    const r: BranchRule = {
      kind: "protection",
      name: pattern,
      pattern,
      requirePullRequest: rule.requirePullRequest ?? true,
      requiredStatusChecks: rule.requiredStatusChecks ?? [],
      bypass: rule.bypass ?? [],
      enforceAdmins: rule.enforceAdmins ?? false,
    };
    this.repo(repo).rules.push(r);
    return r;
  }

  /**
   * An active repository ruleset targeting branches (`include`:
   * "~DEFAULT_BRANCH", "~ALL" or fnmatch patterns). Nobody bypasses it unless
   * listed in `bypass` (logins, e.g. "mission-bot[bot]").
   */
  addRuleset(
    rule: { name?: string; include?: string; requirePullRequest?: boolean; requiredStatusChecks?: string[]; bypass?: string[] } = {},
    repo?: RepoKey,
  ): BranchRule {
    const r: BranchRule = {
      kind: "ruleset",
      name: rule.name ?? "Protect main",
      pattern: rule.include ?? "~DEFAULT_BRANCH",
      requirePullRequest: rule.requirePullRequest ?? true,
      requiredStatusChecks: rule.requiredStatusChecks ?? [],
      bypass: rule.bypass ?? [],
      enforceAdmins: true,
    };
    this.repo(repo).rules.push(r);
    return r;
  }

  /** Why a direct write by `actor` to `branch` is refused, or undefined. A ruleset's refusal wins over classic protection's. */
  ruleViolation(repo: RepoState, branch: string, actor: TwinUser): { kind: "ruleset" | "protection"; reasons: string[] } | undefined {
    const found: Array<{ kind: "ruleset" | "protection"; reasons: string[] }> = [];
    for (const rule of repo.rules) {
      if (!branchMatches(rule.pattern, branch, repo.default_branch)) continue;
      if (rule.bypass.some((b) => b.toLowerCase() === actor.login.toLowerCase())) continue;
      if (rule.kind === "protection" && !rule.enforceAdmins && actor.type !== "Bot" && this.roleOf(actor.login, repo) === "admin") continue;
      const reasons: string[] = [];
      if (rule.requirePullRequest) reasons.push("Changes must be made through a pull request.");
      if (rule.requiredStatusChecks.length === 1) reasons.push(`Required status check "${rule.requiredStatusChecks[0]}" is expected.`);
      else if (rule.requiredStatusChecks.length > 1) reasons.push(`${rule.requiredStatusChecks.length} of ${rule.requiredStatusChecks.length} required status checks are expected.`);
      if (reasons.length) found.push({ kind: rule.kind, reasons });
    }
    if (!found.length) return undefined;
    const rulesets = found.filter((f) => f.kind === "ruleset");
    const pick = rulesets.length ? rulesets : found;
    return { kind: pick[0]!.kind, reasons: [...new Set(pick.flatMap((f) => f.reasons))] };
  }

  /** The file's text and blob sha on a branch (default branch by default). */
  readFile(path: string, opts: { repo?: RepoKey; ref?: string } = {}): { text: string; sha: string } | undefined {
    const repo = this.repo(opts.repo);
    const blob = this.resolveRef(repo, opts.ref)?.files.get(path);
    return blob ? { text: blob.bytes.toString("utf8"), sha: blob.sha } : undefined;
  }

  // -------------------------------------------------------------------------
  // Issues, labels, comments: the mutations (shared by the API and the `as` helpers)

  issue(number: number, repo?: RepoKey): IssueState {
    const r = this.repo(repo);
    const i = r.issues.get(number);
    if (!i) throw new Error(`twin: no issue #${number} in ${r.full_name}`);
    return i;
  }

  /** All issues (and pull requests) of a repository, by number. */
  issuesOf(repo?: RepoKey): IssueState[] {
    return [...this.repo(repo).issues.values()].sort((a, b) => a.number - b.number);
  }

  /** Lower-cased names of an issue's labels → their display names. */
  labelNames(issue: IssueState): string[] {
    return issue.labels.map((k) => issue.repo.labels.get(k)?.name ?? k);
  }

  commentsOn(issue: IssueState): CommentState[] {
    return [...this.comments.values()].filter((c) => c.issueId === issue.id).sort((a, b) => a.id - b.id);
  }

  /**
   * Why GitHub would refuse to create these labels (422 "Validation Failed"
   * with this error), or undefined. "name is too long (maximum is 50
   * characters)" (github/docs#32156: POST …/labels); a label created
   * implicitly (an issue created, labelled or updated with a name the
   * repository lacks) is refused too, with `code: "invalid"` and the `value`
   * (semantic-release/github#518). Descriptions: at most 100 characters
   * (REST docs "Create a label": "A short description of the label. Must be
   * 100 characters or fewer."). Characters are code points, as Ruby counts them.
   */
  labelProblem(repo: RepoState, labels: ReadonlyArray<{ name: string; description?: string | null }>, implicit: boolean): Json | undefined {
    for (const l of labels) {
      if (repo.labels.has(l.name.toLowerCase())) continue;
      if ([...l.name].length > 50) {
        return implicit
          ? { value: l.name, resource: "Label", field: "name", code: "invalid" }
          : { resource: "Label", code: "custom", field: "name", message: "name is too long (maximum is 50 characters)" };
      }
      if (l.description && [...l.description].length > 100) {
        return { resource: "Label", code: "custom", field: "description", message: "description is too long (maximum is 100 characters)" };
      }
    }
    return undefined;
  }

  ensureLabel(repo: RepoState, name: string, color?: string, description?: string | null): { label: LabelState; created: boolean } {
    const key = name.toLowerCase();
    const existing = repo.labels.get(key);
    if (existing) return { label: existing, created: false };
    const label: LabelState = { id: ++this.ids.label, name, color: (color ?? "ededed").replace(/^#/, "").toLowerCase(), description: description ?? null, default: false };
    repo.labels.set(key, label);
    return { label, created: true };
  }

  private touch(issue: IssueState): void {
    issue.updated_at = this.timestamp();
  }

  /**
   * Create an issue. Labels (only people with push access may set them;
   * dropped silently otherwise) are on it from the start, and GitHub sends
   * `issues.opened` and then one `issues.labeled` per label (observed:
   * preloop/preloop#667) — workflows `on: issues: types: [labeled]` and the
   * app see them. Throws on labels GitHub refuses (see `labelProblem`).
   */
  createIssue(
    repo: RepoState,
    actor: TwinUser,
    input: { title: string; body?: string | null; labels?: string[]; assignees?: string[]; pullRequest?: boolean },
    via: AppState | null = null,
  ): IssueState {
    const mayLabel = !!input.labels?.length && this.mayPush(repo, actor);
    if (mayLabel) {
      const problem = this.labelProblem(repo, input.labels!.map((name) => ({ name })), true);
      if (problem) throw new Error(`twin: 422 Validation Failed ${JSON.stringify(problem)}`);
    }
    const number = ++repo.lastNumber;
    this.ids.issue += 1 + (number % 3); // ids are not contiguous on GitHub
    const id = this.ids.issue;
    const at = this.timestamp();
    const issue: IssueState = {
      id,
      node_id: nextNodeId(input.pullRequest ? "PR" : "I", repo.id, number),
      number,
      repo,
      title: input.title,
      body: input.body ?? null,
      state: "open",
      state_reason: null,
      labels: [],
      user: actor,
      assignees: (input.assignees ?? []).map((a) => this.user(a)),
      locked: false,
      created_at: at,
      updated_at: at,
      closed_at: null,
      closed_by: null,
      comments: 0,
      performed_via: via,
      pull_request: input.pullRequest ?? false,
      parent: null,
      sub_issues: [],
      blocked_by: [],
    };
    // Labels on create: only people with push access may set them (silently dropped otherwise); unknown names are created.
    const labelled: LabelState[] = [];
    if (mayLabel) {
      for (const name of input.labels!) {
        const { label } = this.ensureLabel(repo, name);
        if (issue.labels.includes(label.name.toLowerCase())) continue;
        issue.labels.push(label.name.toLowerCase());
        labelled.push(label);
      }
    }
    repo.issues.set(number, issue);
    this.issuesById.set(id, issue);
    this.emit(issuesEvent(this, issue.pull_request ? "pull_request" : "issues", "opened", issue, actor));
    for (const label of labelled) this.emit(issuesEvent(this, issue.pull_request ? "pull_request" : "issues", "labeled", issue, actor, { label }));
    return issue;
  }

  private mayPush(repo: RepoState, actor: TwinUser): boolean {
    if (actor.type === "Bot") return true;
    return roleAtLeast(this.roleOf(actor.login, repo), "triage");
  }

  /** PATCH an issue: title/body/state/labels/assignees, with the events GitHub emits. */
  updateIssue(
    issue: IssueState,
    actor: TwinUser,
    patch: {
      title?: string;
      body?: string | null;
      state?: "open" | "closed";
      state_reason?: "completed" | "not_planned" | "duplicate" | "reopened" | null;
      labels?: string[];
      assignees?: string[];
    },
  ): void {
    const changes: Json = {};
    if (patch.title !== undefined && patch.title !== issue.title) {
      changes.title = { from: issue.title };
      issue.title = patch.title;
    }
    if (patch.body !== undefined && patch.body !== issue.body) {
      changes.body = { from: issue.body ?? "" };
      issue.body = patch.body;
    }
    if (Object.keys(changes).length) {
      this.touch(issue);
      this.emit(issuesEvent(this, "issues", "edited", issue, actor, { changes }));
    }
    if (patch.assignees) issue.assignees = patch.assignees.map((a) => this.user(a));
    if (patch.labels) this.setLabels(issue, actor, patch.labels);
    if (patch.state === "closed" && issue.state === "open") this.closeIssue(issue, actor, patch.state_reason ?? "completed");
    else if (patch.state === "open" && issue.state === "closed") this.reopenIssue(issue, actor);
    else if (patch.state_reason && issue.state === "closed" && patch.state_reason !== issue.state_reason) {
      issue.state_reason = patch.state_reason;
      this.touch(issue);
    }
  }

  closeIssue(issue: IssueState, actor: TwinUser, reason: "completed" | "not_planned" | "duplicate" | "reopened" | null = "completed"): void {
    if (issue.state === "closed") return;
    issue.state = "closed";
    issue.state_reason = reason === "reopened" || reason === null ? "completed" : reason;
    issue.closed_at = this.timestamp();
    issue.closed_by = actor;
    this.touch(issue);
    this.emit(issuesEvent(this, "issues", "closed", issue, actor));
  }

  reopenIssue(issue: IssueState, actor: TwinUser): void {
    if (issue.state === "open") return;
    issue.state = "open";
    issue.state_reason = "reopened";
    issue.closed_at = null;
    issue.closed_by = null;
    this.touch(issue);
    this.emit(issuesEvent(this, "issues", "reopened", issue, actor));
  }

  /** Add labels (creating unknown ones, as GitHub does); returns the labels newly on the issue. */
  addLabels(issue: IssueState, actor: TwinUser, names: readonly string[]): LabelState[] {
    const added: LabelState[] = [];
    for (const name of names) {
      const { label } = this.ensureLabel(issue.repo, name);
      const key = label.name.toLowerCase();
      if (issue.labels.includes(key)) continue;
      issue.labels.push(key);
      added.push(label);
    }
    if (added.length) this.touch(issue);
    for (const label of added) this.emit(issuesEvent(this, "issues", "labeled", issue, actor, { label }));
    return added;
  }

  removeLabel(issue: IssueState, actor: TwinUser, name: string): boolean {
    const key = name.toLowerCase();
    const at = issue.labels.indexOf(key);
    if (at < 0) return false;
    issue.labels.splice(at, 1);
    this.touch(issue);
    const label = issue.repo.labels.get(key);
    if (label) this.emit(issuesEvent(this, "issues", "unlabeled", issue, actor, { label }));
    return true;
  }

  setLabels(issue: IssueState, actor: TwinUser, names: readonly string[]): void {
    const wanted = new Set(names.map((n) => n.toLowerCase()));
    for (const key of [...issue.labels]) if (!wanted.has(key)) this.removeLabel(issue, actor, key);
    this.addLabels(issue, actor, names);
  }

  createComment(issue: IssueState, actor: TwinUser, body: string, via: AppState | null = null): CommentState {
    this.ids.comment += 1 + (issue.number % 5);
    const id = this.ids.comment;
    const at = this.timestamp();
    const comment: CommentState = {
      id,
      node_id: nextNodeId("IC", issue.repo.id, id),
      issueId: issue.id,
      repo: issue.repo,
      body,
      user: actor,
      created_at: at,
      updated_at: at,
      performed_via: via,
      reactions: [],
    };
    this.comments.set(id, comment);
    issue.comments++;
    this.touch(issue);
    this.emit(commentEvent(this, "created", comment, issue, actor));
    return comment;
  }

  updateComment(comment: CommentState, actor: TwinUser, body: string): void {
    if (body === comment.body) return;
    const from = comment.body;
    comment.body = body;
    comment.updated_at = this.timestamp();
    const issue = this.issuesById.get(comment.issueId)!;
    this.emit(commentEvent(this, "edited", comment, issue, actor, { changes: { body: { from } } }));
  }

  addReaction(comment: CommentState, actor: TwinUser, content: string): { reaction: CommentState["reactions"][number]; created: boolean } {
    const existing = comment.reactions.find((r) => r.user === actor && r.content === content);
    if (existing) return { reaction: existing, created: false };
    const id = ++this.ids.reaction;
    const reaction = { id, node_id: nextNodeId("REA", id), user: actor, content, created_at: this.timestamp() };
    comment.reactions.push(reaction);
    return { reaction, created: true };
  }

  /**
   * Link `child` under `parent`. Returns an error message (GitHub's 422) or
   * undefined when linked.
   */
  addSubIssue(parent: IssueState, child: IssueState, actor: TwinUser, replaceParent = false): string | undefined {
    if (parent.id === child.id) return "An issue cannot be a sub-issue of itself";
    if (parent.repo.owner !== child.repo.owner) return "The sub-issue must belong to the same repository owner as the parent issue";
    if (child.parent === parent.id) return "Issue may not contain duplicate sub-issues";
    if (child.parent !== null && !replaceParent) return "Sub issue may only have one parent";
    if (parent.sub_issues.length >= 100) return "Parent issue cannot have more than 100 sub-issues";
    for (let p: IssueState | undefined = parent; p; p = p.parent !== null ? this.issuesById.get(p.parent) : undefined) {
      if (p.id === child.id) return "Sub issue cannot be an ancestor of its parent";
    }
    let depth = 1;
    for (let p: IssueState | undefined = parent; p && p.parent !== null; p = this.issuesById.get(p.parent)) depth++;
    const childDepth = (i: IssueState): number => 1 + Math.max(0, ...i.sub_issues.map((s) => childDepth(this.issuesById.get(s)!)));
    if (depth + childDepth(child) > 8) return "Sub-issues can only be nested eight levels deep";
    if (child.parent !== null) {
      const old = this.issuesById.get(child.parent)!;
      this.removeSubIssue(old, child, actor);
    }
    parent.sub_issues.push(child.id);
    child.parent = parent.id;
    this.touch(parent);
    this.touch(child);
    for (const e of subIssueEvents(this, "added", parent, child, actor)) this.emit(e);
    return undefined;
  }

  removeSubIssue(parent: IssueState, child: IssueState, actor: TwinUser): boolean {
    const at = parent.sub_issues.indexOf(child.id);
    if (at < 0) return false;
    parent.sub_issues.splice(at, 1);
    child.parent = null;
    this.touch(parent);
    this.touch(child);
    for (const e of subIssueEvents(this, "removed", parent, child, actor)) this.emit(e);
    return true;
  }

  /** Record "blocked is blocked by blocking". Returns GitHub's 422 message, or undefined. */
  addBlockedBy(blocked: IssueState, blocking: IssueState, actor: TwinUser): string | undefined {
    if (blocked.id === blocking.id) return "An issue cannot be blocked by itself";
    // "Target issue has already been taken" (probed against a real duplicate registration; quoted in public tooling that matches on it)
    if (blocked.blocked_by.includes(blocking.id)) return "Target issue has already been taken";
    if (blocked.blocked_by.length >= 50) return "Issue cannot be blocked by more than 50 issues";
    const blockingCount = [...this.issuesById.values()].filter((i) => i.blocked_by.includes(blocking.id)).length;
    if (blockingCount >= 50) return "Issue cannot block more than 50 issues";
    blocked.blocked_by.push(blocking.id);
    this.touch(blocked);
    for (const e of blockedByEvents(this, "added", blocked, blocking, actor)) this.emit(e);
    return undefined;
  }

  removeBlockedBy(blocked: IssueState, blocking: IssueState, actor: TwinUser): boolean {
    const at = blocked.blocked_by.indexOf(blocking.id);
    if (at < 0) return false;
    blocked.blocked_by.splice(at, 1);
    this.touch(blocked);
    for (const e of blockedByEvents(this, "removed", blocked, blocking, actor)) this.emit(e);
    return true;
  }

  // -------------------------------------------------------------------------
  // Acting as a person (or as the bot) outside the API

  /** Helpers that act as `login` on a repository, mutating state and recording events as the API would. */
  as(login: string, repo?: RepoKey): UserActions {
    return new UserActions(this, this.user(login), repo);
  }

  // -------------------------------------------------------------------------
  // Events

  emit(event: TwinEvent | undefined): void {
    if (!event) return;
    this.events.push(event);
    for (const l of this.listeners) l(event);
    // the workflows an issue or comment event starts (after the event itself, as GitHub records them)
    this.actions.eventTriggered(event);
  }

  /** Call `listener` for every event recorded from now on; returns an unsubscribe function. */
  onEvent(listener: (e: TwinEvent) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Events named "issues" or "issues.opened". */
  eventsNamed(name: string): TwinEvent[] {
    return this.events.filter((e) => e.name === name || `${e.name}.${e.action}` === name);
  }

  /** Remove and return every recorded event. */
  takeEvents(): TwinEvent[] {
    return this.events.splice(0, this.events.length);
  }

  // -------------------------------------------------------------------------
  // Faults

  /** Make matching requests fail; returns the fault (see `hits`). */
  fault(spec: FaultSpec): Fault {
    const f: Fault = {
      kind: spec.kind,
      method: spec.method?.toUpperCase(),
      route: spec.route,
      times: spec.times ?? 1,
      status: spec.status ?? 403,
      seconds: spec.seconds ?? 60,
      hits: 0,
    };
    this.faults.push(f);
    return f;
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** The first armed fault matching this request, consumed. */
  takeFault(method: string, path: string, template: string | undefined): Fault | undefined {
    for (const f of this.faults) {
      if (f.hits >= f.times) continue;
      if (f.method && f.method !== method) continue;
      if (!faultMatches(f.route, path, template)) continue;
      f.hits++;
      return f;
    }
    return undefined;
  }

  // -------------------------------------------------------------------------
  // Requests

  /**
   * Answer one REST request as GitHub would. A transport that lets requests
   * overlap (the HTTP server, nock) first `admit`s the request when it
   * arrives and passes its ticket; a request without one arrives now.
   */
  handle(req: TwinRequest, ticket?: number): TwinResponse {
    // a wrapper that drops the ticket still hands over the request the transport admitted
    const t = ticket ?? this.admitted.get(req) ?? this.admit(req).ticket;
    try {
      return handleRequest(this, req, this.inflight.get(t));
    } finally {
      this.inflight.delete(t);
    }
  }

  /**
   * A request has arrived (it is in flight until `handle(req, ticket)`
   * answers it). `ready` is set when a `hold` holds it: the transport awaits
   * it before handling. Requests in flight together are concurrent: GitHub
   * allows 100 per identity, and two sub-issue adds to one parent conflict.
   */
  admit(req: TwinRequest): { ticket: number; ready: Promise<void> | undefined } {
    const ticket = ++this.ticketSeq;
    this.admitted.set(req, ticket);
    const method = req.method.toUpperCase();
    const path = req.path.split("?")[0]!;
    const auth = String(headerOf(req.headers, "authorization") ?? "");
    this.inflight.set(ticket, { tick: this.nextTick(), auth, method, path });
    let ready: Promise<void> | undefined;
    for (const h of this.holds) {
      if (h.count >= h.times) continue;
      if (h.method && h.method !== method) continue;
      if (!faultMatches(h.route, path, resolveTemplate(this, method, path))) continue;
      h.count++;
      ready = new Promise<void>((resolve) => h.waiting.push(resolve));
      h.signal();
      break;
    }
    return { ticket, ready };
  }

  /**
   * Hold the next matching request(s) on arrival until `release()`: a test
   * overlaps it with others (through nock or the HTTP server). `arrived`
   * resolves when one is held.
   *
   *   const h = twin.hold({ method: "POST", route: "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues" });
   *   const first = octokit.rest.issues.addSubIssue(…);   // held
   *   await h.arrived;
   *   await octokit.rest.issues.addSubIssue(…);           // overlaps the first, and lands first
   *   h.release();
   *   await first;                                         // 422 Priority has already been taken
   */
  hold(spec: { method?: string; route: string | RegExp; times?: number }): HoldHandle {
    let signal: () => void = () => {};
    const arrived = new Promise<void>((resolve) => (signal = resolve));
    const h: Hold = { method: spec.method?.toUpperCase(), route: spec.route, times: spec.times ?? 1, count: 0, waiting: [], signal: () => signal() };
    this.holds.push(h);
    return {
      arrived,
      get held() {
        return h.waiting.length;
      },
      release: () => {
        for (const w of h.waiting.splice(0)) w();
        h.times = h.count; // no more
      },
    };
  }

  /** The next tick of the twin's logical clock (orders arrivals and commits). */
  nextTick(): number {
    return ++this.tick;
  }

  /** Requests in flight now with this Authorization header (concurrency). */
  concurrentWith(auth: string): number {
    let n = 0;
    for (const r of this.inflight.values()) if (r.auth === auth) n++;
    return n;
  }

  /** Log entries, optionally only those matching method and/or route template. */
  requests(filter: { method?: string; route?: string } = {}): LogEntry[] {
    return this.log.filter((e) => (!filter.method || e.method === filter.method.toUpperCase()) && (!filter.route || e.route === filter.route));
  }

  /** Content-creating requests (every identity) in the sliding window ending now (default one minute). */
  contentInWindow(ms = 60_000): number {
    const from = this.now() - ms;
    return this.counters.content.times.filter((t) => t > from).length;
  }

  /** The largest number of content-creating requests in any sliding window of `ms` (default one minute). */
  peakContent(ms = 60_000): number {
    const t = this.counters.content.times;
    let peak = 0;
    let start = 0;
    for (let end = 0; end < t.length; end++) {
      while (t[end]! - t[start]! >= ms) start++;
      peak = Math.max(peak, end - start + 1);
    }
    return peak;
  }

  // -------------------------------------------------------------------------
  // Actions (shortcuts; see `actions`)

  /** Call `hook` after every workflow dispatch (after GitHub has answered); returns an unsubscribe function. */
  onDispatch(hook: RunHook): () => void {
    return this.actions.onDispatch(hook);
  }

  /** Call `hook` whenever a run is queued for a runner (at dispatch, or when its concurrency group frees). */
  onQueued(hook: RunHook): () => void {
    return this.actions.onQueued(hook);
  }

  /** The inputs a run was dispatched with (GitHub keeps them out of run objects and webhooks). */
  runInputs(runId: number): Readonly<Record<string, string>> {
    return this.actions.inputs(runId);
  }

  /** Mint a delivery GUID (as X-GitHub-Delivery). */
  deliveryId(): string {
    return randomUUID();
  }
}

/** A branch name against a rule's pattern: fnmatch (`*` within a segment, `**` across), `~DEFAULT_BRANCH`, `~ALL`. */
export function branchMatches(pattern: string, branch: string, defaultBranch: string): boolean {
  const p = pattern.replace(/^refs\/heads\//, "");
  if (p === "~ALL") return true;
  if (p === "~DEFAULT_BRANCH") return branch === defaultBranch;
  const re = new RegExp(
    `^${p
      .split(/(\*\*|\*|\?)/)
      .map((part) => (part === "**" ? ".*" : part === "*" ? "[^/]*" : part === "?" ? "[^/]" : part.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
      .join("")}$`,
  );
  return re.test(branch);
}

interface Hold {
  method: string | undefined;
  route: string | RegExp;
  times: number;
  count: number;
  waiting: Array<() => void>;
  signal: () => void;
}

export interface HoldHandle {
  /** resolves when a matching request arrived and is held */
  readonly arrived: Promise<void>;
  /** requests held now */
  readonly held: number;
  /** let the held requests through (and hold no more) */
  release(): void;
}

function headerOf(headers: TwinRequest["headers"], name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  return undefined;
}

function faultMatches(route: string | RegExp, path: string, template: string | undefined): boolean {
  if (route instanceof RegExp) return route.test(path) || (template !== undefined && route.test(template));
  if (route.includes("{")) return route === template;
  if (!route.includes("*")) return route === path;
  const re = new RegExp(`^${route.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*")}$`);
  return re.test(path);
}

/** `twin.as("alice")`: act as a person, exactly as if through the API. */
export class UserActions {
  constructor(
    private readonly twin: GitHubTwin,
    readonly user: TwinUser,
    private readonly repoKey: RepoKey,
  ) {}

  private get repo(): RepoState {
    return this.twin.repo(this.repoKey);
  }

  createIssue(input: { title: string; body?: string | null; labels?: string[]; assignees?: string[] }): IssueState {
    return this.twin.createIssue(this.repo, this.user, input, this.twin.appOf(this.user));
  }

  /** An issue-numbered pull request (only its issue face; with `head` and `base`, from that branch, as the pulls API opens it). */
  openPullRequest(input: { title: string; body?: string | null; head?: string; base?: string }): IssueState {
    const { head, base, ...rest } = input;
    const issue = this.twin.createIssue(this.repo, this.user, { ...rest, pullRequest: true }, this.twin.appOf(this.user));
    if (head) {
      const to = base ?? this.repo.default_branch;
      const h = this.twin.head(this.repo, head);
      const b = this.twin.head(this.repo, to);
      if (!h || !b) throw new Error(`twin: 422 no branch ${h ? to : head}`);
      issue.pull = { head, head_sha: h.sha, base: to, base_sha: b.sha };
    }
    return issue;
  }

  comment(issueNumber: number, body: string): CommentState {
    return this.twin.createComment(this.twin.issue(issueNumber, this.repo), this.user, body, this.twin.appOf(this.user));
  }

  editComment(commentId: number, body: string): void {
    const c = this.twin.comments.get(commentId);
    if (!c) throw new Error(`twin: no comment ${commentId}`);
    this.twin.updateComment(c, this.user, body);
  }

  editIssue(issueNumber: number, patch: { title?: string; body?: string | null }): IssueState {
    const issue = this.twin.issue(issueNumber, this.repo);
    this.twin.updateIssue(issue, this.user, patch);
    return issue;
  }

  closeIssue(issueNumber: number, reason: "completed" | "not_planned" | "duplicate" = "completed"): IssueState {
    const issue = this.twin.issue(issueNumber, this.repo);
    this.twin.closeIssue(issue, this.user, reason);
    return issue;
  }

  reopenIssue(issueNumber: number): IssueState {
    const issue = this.twin.issue(issueNumber, this.repo);
    this.twin.reopenIssue(issue, this.user);
    return issue;
  }

  addLabels(issueNumber: number, labels: string[]): IssueState {
    const issue = this.twin.issue(issueNumber, this.repo);
    const problem = this.twin.labelProblem(issue.repo, labels.map((name) => ({ name })), true);
    if (problem) throw new Error(`twin: 422 Validation Failed ${JSON.stringify(problem)}`);
    this.twin.addLabels(issue, this.user, labels);
    return issue;
  }

  removeLabel(issueNumber: number, label: string): IssueState {
    const issue = this.twin.issue(issueNumber, this.repo);
    this.twin.removeLabel(issue, this.user, label);
    return issue;
  }

  /** Link issue `child` (by number) under `parent` (by number); throws GitHub's 422 message. */
  addSubIssue(parentNumber: number, childNumber: number, replaceParent = false): void {
    const err = this.twin.addSubIssue(this.twin.issue(parentNumber, this.repo), this.twin.issue(childNumber, this.repo), this.user, replaceParent);
    if (err) throw new Error(err);
  }

  /** A push by this person: branch rules apply (thrown as GitHub's GH006 / GH013), `on: push` workflows start. */
  writeFile(path: string, text: string, branch?: string): string {
    return this.twin.push(this.user.login, path, text, { repo: this.repo, ...(branch ? { branch } : {}) });
  }

  /** Re-run a completed workflow run, as a person does from the run's page (same run id, run_attempt + 1). */
  rerun(runId: number): void {
    const err = this.twin.actions.rerun(runId, this.user);
    if (err) throw new Error(`twin: ${err.status} ${err.message}`);
  }
}
