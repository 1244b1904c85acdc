/**
 * The twin's REST front door: one request in, one response out, as GitHub
 * would answer it.
 *
 * Order of work for each request (as GitHub's edge does it, plus the test's
 * own contract check):
 *   1. `/repositories/{id}/…` (the form GitHub writes into `Link` headers) is
 *      read as `/repos/{owner}/{repo}/…`;
 *   2. with a contract (`TwinOptions.contract`: in tests, GitHub's REST
 *      description, test/support/contract.ts), the request is checked against
 *      it; a problem is recorded in `twin.contractFailures` and answered 404
 *      (no such route) or 422. Without one, routes resolve from the twin's own
 *      table (route-table.ts) and requests are not checked;
 *   3. authentication (installation token, user token, app JWT), then the
 *      repository's visibility and the token's permissions;
 *   4. accounting: request log, counters, primary rate-limit window,
 *      secondary points, content-creating requests;
 *   5. an armed fault, if one matches (a lost response runs the handler
 *      first, then answers 502);
 *   6. the route's handler against the twin's state.
 */
import { verify } from "node:crypto";
import { resolveOwnRoute } from "./route-table.js";
import { roleAtLeast, type Actor, type IssueState, type RepoState, type Role, type TwinUser } from "./model.js";
import {
  appJson,
  collaboratorJson,
  commentJson,
  contentEntryJson,
  contentFileJson,
  fileCommitJson,
  installationJson,
  issueJson,
  labelJson,
  legacyPermission,
  reactionJson,
  repoJson,
  type Json,
} from "./serialize.js";
import { CONTENT_LIMITS, type Fault, type GitHubTwin } from "./state.js";
import {
  fail,
  json,
  notFound,
  page,
  validationFailed,
  errorBody,
  type Ctx,
  type Route,
  type TwinRequest,
  type TwinResponse,
} from "./respond.js";
import { ACTIONS_ROUTES } from "./actions-routes.js";
import { GIT_ROUTES } from "./git-routes.js";
import { DATE_QUERY } from "./actions.js";

export { errorBody, type TwinRequest, type TwinResponse } from "./respond.js";

/** Requests GitHub counts against its content-creation limits (80/min, 500/h). */
export const CONTENT_CREATING = new Set([
  "POST /repos/{owner}/{repo}/issues",
  "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
  "POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
  "DELETE /repos/{owner}/{repo}/issues/{issue_number}/sub_issue",
  "POST /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by",
  "DELETE /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by/{issue_id}",
  // not marked so in the REST description, but they create content; counted conservatively
  "POST /repos/{owner}/{repo}/labels",
  "PUT /repos/{owner}/{repo}/contents/{path}",
  // Deliberately absent: workflow dispatches, cancels and re-runs. GitHub's content-creation
  // limit names issues, comments, pull requests, reviews, discussions — things that notify
  // people; a dispatch creates a run, not content. Dispatches cost 5 points like every write
  // and have Actions' own limit (500 runs queued per 10 s per repository), not modelled.
]);

// ---------------------------------------------------------------------------
// Helpers for handlers

function actorUser(c: Ctx): TwinUser {
  if (c.actor.kind === "installation" || c.actor.kind === "user") return c.actor.user;
  throw new Error(`twin: ${c.actor.kind} cannot act on a repository`);
}

function viaApp(c: Ctx): boolean {
  return c.actor.kind === "installation";
}

function repoOf(c: Ctx): RepoState {
  if (!c.repo) throw new Error("twin: route without a repository");
  return c.repo;
}

function issueParam(c: Ctx): IssueState | undefined {
  const n = Number(c.params.issue_number);
  return repoOf(c).issues.get(n);
}

function issueOut(c: Ctx, issue: IssueState, detail = false): Json {
  return issueJson(issue, { urls: c.twin.urls, app: c.twin.app, issuesById: c.twin.issuesById, detail });
}

function labelsOut(c: Ctx, issue: IssueState): Json[] {
  return issue.labels.map((k) => issue.repo.labels.get(k)!).map((l) => labelJson(issue.repo, l, c.twin.urls));
}

/** Label names from a labels body: ["a"], {labels:["a"]}, {labels:[{name:"a"}]}. */
function labelNames(body: unknown): string[] {
  const raw = Array.isArray(body) ? body : body && typeof body === "object" ? (body as Json).labels : undefined;
  if (!Array.isArray(raw)) return [];
  return raw.map((l) => (typeof l === "string" ? l : String((l as Json).name)));
}

function mayUser(c: Ctx, needed: Role): boolean {
  if (c.actor.kind !== "user") return true;
  return roleAtLeast(c.twin.roleOf(c.actor.user.login, repoOf(c)), needed);
}

// ---------------------------------------------------------------------------
// Handlers

function listIssues(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const state = c.query.get("state") ?? "open";
  const wanted = (c.query.get("labels") ?? "")
    .split(",")
    .map((l) => l.trim().toLowerCase())
    .filter(Boolean);
  const since = c.query.get("since");
  const creator = c.query.get("creator")?.toLowerCase();
  const sort = c.query.get("sort") ?? "created";
  const direction = c.query.get("direction") ?? "desc";
  let issues = [...repo.issues.values()].filter(
    (i) =>
      (state === "all" || i.state === state) &&
      wanted.every((l) => i.labels.includes(l)) &&
      (!since || i.updated_at >= since) &&
      (!creator || i.user.login.toLowerCase() === creator),
  );
  const key = (i: IssueState): string | number => (sort === "updated" ? i.updated_at : sort === "comments" ? i.comments : i.number);
  issues = issues.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const cmp = ka < kb ? -1 : ka > kb ? 1 : a.number - b.number;
    return direction === "asc" ? cmp : -cmp;
  });
  return page(c, issues.map((i) => issueOut(c, i)));
}

function createIssue(c: Ctx): TwinResponse {
  const b = c.body;
  if (typeof b.title !== "string" && typeof b.title !== "number") return validationFailed([{ resource: "Issue", code: "missing_field", field: "title" }]);
  if (String(b.title).trim() === "") return validationFailed([{ resource: "Issue", code: "missing_field", field: "title" }]);
  if (typeof b.body === "string" && b.body.length > 65536) return validationFailed([{ resource: "Issue", code: "custom", field: "body", message: "body is too long (maximum is 65536 characters)" }]);
  const issue = c.twin.createIssue(
    repoOf(c),
    actorUser(c),
    {
      title: String(b.title),
      body: (b.body as string | null | undefined) ?? null,
      labels: labelNames({ labels: b.labels }),
      assignees: Array.isArray(b.assignees) ? (b.assignees as string[]) : typeof b.assignee === "string" ? [b.assignee] : [],
    },
    viaApp(c),
  );
  return json(201, issueOut(c, issue, true), { location: `${c.twin.urls.api}/repos/${issue.repo.full_name}/issues/${issue.number}` });
}

function getIssue(c: Ctx): TwinResponse {
  const issue = issueParam(c);
  return issue ? json(200, issueOut(c, issue, true)) : notFound();
}

function updateIssue(c: Ctx): TwinResponse {
  const issue = issueParam(c);
  if (!issue) return notFound();
  const user = actorUser(c);
  const own = issue.user === user;
  const b = c.body;
  const onlyOwnFields = Object.keys(b).every((k) => ["title", "body", "state", "state_reason"].includes(k));
  if (!mayUser(c, "triage") && !(own && onlyOwnFields)) return fail(403, "Must have admin rights to Repository.");
  if (b.title !== undefined && String(b.title).trim() === "") return validationFailed([{ resource: "Issue", code: "missing_field", field: "title" }]);
  if (typeof b.body === "string" && b.body.length > 65536) return validationFailed([{ resource: "Issue", code: "custom", field: "body", message: "body is too long (maximum is 65536 characters)" }]);
  c.twin.updateIssue(issue, user, {
    ...(b.title !== undefined ? { title: String(b.title) } : {}),
    ...(b.body !== undefined ? { body: b.body as string | null } : {}),
    ...(b.state !== undefined ? { state: b.state as "open" | "closed" } : {}),
    ...(b.state_reason !== undefined ? { state_reason: b.state_reason as "completed" } : {}),
    ...(b.labels !== undefined ? { labels: labelNames({ labels: b.labels }) } : {}),
    ...(b.assignees !== undefined ? { assignees: b.assignees as string[] } : {}),
  });
  return json(200, issueOut(c, issue, true));
}

function listComments(c: Ctx): TwinResponse {
  const issue = issueParam(c);
  if (!issue) return notFound();
  const since = c.query.get("since");
  const comments = c.twin.commentsOn(issue).filter((x) => !since || x.updated_at >= since);
  return page(c, comments.map((x) => commentJson(x, issue, c.twin.urls, c.twin.app)));
}

/**
 * The repository's comments on issues and pull requests: by id (ascending)
 * unless `sort` (created | updated) is given, then by that time in
 * `direction` (default desc, like the issues list; ignored without `sort`); `since`
 * keeps comments updated at or after it.
 */
function listRepoComments(c: Ctx): TwinResponse {
  const repo = c.repo;
  if (!repo) return notFound();
  const since = c.query.get("since");
  const sort = c.query.get("sort");
  let comments = [...c.twin.comments.values()].filter((x) => x.repo === repo && (!since || x.updated_at >= since)).sort((a, b) => a.id - b.id);
  if (sort === "created" || sort === "updated") {
    const at = (x: (typeof comments)[number]) => (sort === "created" ? x.created_at : x.updated_at);
    comments.sort((a, b) => (at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : a.id - b.id));
    if (c.query.get("direction") !== "asc") comments = comments.reverse();
  }
  return page(c, comments.map((x) => commentJson(x, c.twin.issuesById.get(x.issueId)!, c.twin.urls, c.twin.app)));
}

function createComment(c: Ctx): TwinResponse {
  const issue = issueParam(c);
  if (!issue) return notFound();
  const body = c.body.body;
  if (typeof body !== "string" || body.trim() === "") return validationFailed([{ resource: "IssueComment", code: "missing_field", field: "body" }]);
  if (body.length > 65536) return validationFailed([{ resource: "IssueComment", code: "custom", field: "body", message: "Body is too long (maximum is 65536 characters)" }]);
  if (issue.locked && !mayUser(c, "triage")) return fail(403, "Unable to create comment because issue is locked.");
  const comment = c.twin.createComment(issue, actorUser(c), body, viaApp(c));
  const out = commentJson(comment, issue, c.twin.urls, c.twin.app);
  return json(201, out, { location: out.url as string });
}

function commentParam(c: Ctx) {
  const comment = c.twin.comments.get(Number(c.params.comment_id));
  return comment && comment.repo === c.repo ? comment : undefined;
}

function getComment(c: Ctx): TwinResponse {
  const comment = commentParam(c);
  if (!comment) return notFound();
  return json(200, commentJson(comment, c.twin.issuesById.get(comment.issueId)!, c.twin.urls, c.twin.app));
}

function updateComment(c: Ctx): TwinResponse {
  const comment = commentParam(c);
  if (!comment) return notFound();
  const user = actorUser(c);
  if (comment.user !== user && !mayUser(c, "write")) return fail(403, "Must have admin rights to Repository.");
  const body = c.body.body;
  if (typeof body !== "string" || body.trim() === "") return validationFailed([{ resource: "IssueComment", code: "missing_field", field: "body" }]);
  if (body.length > 65536) return validationFailed([{ resource: "IssueComment", code: "custom", field: "body", message: "Body is too long (maximum is 65536 characters)" }]);
  c.twin.updateComment(comment, user, body);
  return json(200, commentJson(comment, c.twin.issuesById.get(comment.issueId)!, c.twin.urls, c.twin.app));
}

function createCommentReaction(c: Ctx): TwinResponse {
  const comment = commentParam(c);
  if (!comment) return notFound();
  const { reaction, created } = c.twin.addReaction(comment, actorUser(c), String(c.body.content));
  return json(created ? 201 : 200, reactionJson(reaction, c.twin.urls));
}

function listRepoLabels(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  return page(c, [...repo.labels.values()].sort((a, b) => a.id - b.id).map((l) => labelJson(repo, l, c.twin.urls)));
}

function getLabel(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const l = repo.labels.get(c.params.name!.toLowerCase());
  return l ? json(200, labelJson(repo, l, c.twin.urls)) : notFound();
}

function createLabel(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const name = String(c.body.name ?? "");
  if (!name.trim()) return validationFailed([{ resource: "Label", code: "missing_field", field: "name" }]);
  const color = c.body.color === undefined ? undefined : String(c.body.color).replace(/^#/, "");
  if (color !== undefined && !/^[0-9a-fA-F]{6}$/.test(color)) return validationFailed([{ resource: "Label", code: "invalid", field: "color" }]);
  if (repo.labels.has(name.toLowerCase())) return validationFailed([{ resource: "Label", code: "already_exists", field: "name" }]);
  const { label } = c.twin.ensureLabel(repo, name, color, (c.body.description as string | undefined) ?? null);
  const out = labelJson(repo, label, c.twin.urls);
  return json(201, out, { location: out.url as string });
}

function listIssueLabels(c: Ctx): TwinResponse {
  const issue = issueParam(c);
  return issue ? page(c, labelsOut(c, issue)) : notFound();
}

function addIssueLabels(c: Ctx): TwinResponse {
  const issue = issueParam(c);
  if (!issue) return notFound();
  const names = labelNames(c.body);
  if (!names.length) return validationFailed([{ resource: "Label", code: "missing_field", field: "labels" }], "Invalid request.\n\nNo labels were given.");
  c.twin.addLabels(issue, actorUser(c), names);
  return json(200, labelsOut(c, issue));
}

function setIssueLabels(c: Ctx): TwinResponse {
  const issue = issueParam(c);
  if (!issue) return notFound();
  c.twin.setLabels(issue, actorUser(c), labelNames(c.body));
  return json(200, labelsOut(c, issue));
}

function removeIssueLabel(c: Ctx): TwinResponse {
  const issue = issueParam(c);
  if (!issue) return notFound();
  if (!c.twin.removeLabel(issue, actorUser(c), c.params.name!)) return fail(404, "Label does not exist");
  return json(200, labelsOut(c, issue));
}

function idParam(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) ? value : undefined;
}

function addSubIssue(c: Ctx): TwinResponse {
  const parent = issueParam(c);
  if (!parent) return notFound();
  const childId = idParam(c.body.sub_issue_id);
  const child = childId === undefined ? undefined : c.twin.issuesById.get(childId);
  // The child is named by its database id; a number (or any unknown id) names nothing.
  if (!child) return notFound();
  if (child.pull_request || parent.pull_request) return validationFailed([{ resource: "Issue", code: "custom", field: "sub_issue_id", message: "Pull requests cannot be sub-issues" }]);
  const err = c.twin.addSubIssue(parent, child, actorUser(c), c.body.replace_parent === true);
  if (err) return validationFailed([{ resource: "Issue", code: "custom", field: "sub_issue_id", message: err }], `An error occurred while adding the sub-issue to the parent issue. ${err}`);
  return json(201, issueOut(c, parent), { location: `${c.twin.urls.api}/repos/${parent.repo.full_name}/issues/${parent.number}/sub_issues` });
}

function removeSubIssue(c: Ctx): TwinResponse {
  const parent = issueParam(c);
  if (!parent) return notFound();
  const childId = idParam(c.body.sub_issue_id);
  const child = childId === undefined ? undefined : c.twin.issuesById.get(childId);
  if (!child || !c.twin.removeSubIssue(parent, child, actorUser(c))) return notFound();
  return json(200, issueOut(c, parent));
}

function listSubIssues(c: Ctx): TwinResponse {
  const parent = issueParam(c);
  if (!parent) return notFound();
  return page(c, parent.sub_issues.map((id) => issueOut(c, c.twin.issuesById.get(id)!)));
}

function getParent(c: Ctx): TwinResponse {
  const issue = issueParam(c);
  if (!issue || issue.parent === null) return notFound();
  return json(200, issueOut(c, c.twin.issuesById.get(issue.parent)!));
}

function addBlockedBy(c: Ctx): TwinResponse {
  const blocked = issueParam(c);
  if (!blocked) return notFound();
  const blockingId = idParam(c.body.issue_id);
  const blocking = blockingId === undefined ? undefined : c.twin.issuesById.get(blockingId);
  if (!blocking) return notFound();
  const err = c.twin.addBlockedBy(blocked, blocking, actorUser(c));
  if (err) return validationFailed([{ resource: "IssueDependency", code: "custom", field: "issue_id", message: err }]);
  return json(201, issueOut(c, blocking), {
    location: `${c.twin.urls.api}/repos/${blocked.repo.full_name}/issues/${blocked.number}/dependencies/blocked_by`,
  });
}

function removeBlockedBy(c: Ctx): TwinResponse {
  const blocked = issueParam(c);
  if (!blocked) return notFound();
  const blocking = c.twin.issuesById.get(Number(c.params.issue_id));
  if (!blocking || !c.twin.removeBlockedBy(blocked, blocking, actorUser(c))) return notFound();
  return json(200, issueOut(c, blocking));
}

function listBlockedBy(c: Ctx): TwinResponse {
  const blocked = issueParam(c);
  if (!blocked) return notFound();
  return page(c, blocked.blocked_by.map((id) => issueOut(c, c.twin.issuesById.get(id)!)));
}

function listBlocking(c: Ctx): TwinResponse {
  const blocking = issueParam(c);
  if (!blocking) return notFound();
  const issues = [...c.twin.issuesById.values()].filter((i) => i.blocked_by.includes(blocking.id));
  return page(c, issues.map((i) => issueOut(c, i)));
}

function getContent(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const ref = c.query.get("ref") ?? undefined;
  const commit = c.twin.resolveRef(repo, ref);
  if (!commit) return fail(404, `No commit found for the ref ${ref}`);
  const path = (c.params.path ?? "").replace(/^\/+|\/+$/g, "");
  const refName = ref ?? repo.default_branch;
  const blob = commit.files.get(path);
  if (blob) return json(200, contentFileJson(repo, path, blob, refName, c.twin.urls), { etag: `"${blob.sha}"` });
  // a directory: its direct entries
  const prefix = path ? `${path}/` : "";
  const entries = new Map<string, { path: string; type: "file" | "dir"; sha: string; size: number }>();
  for (const [p, b] of commit.files) {
    if (!p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length);
    const slash = rest.indexOf("/");
    if (slash < 0) entries.set(rest, { path: p, type: "file", sha: b.sha, size: b.bytes.length });
    else {
      const dir = prefix + rest.slice(0, slash);
      if (!entries.has(rest.slice(0, slash))) entries.set(rest.slice(0, slash), { path: dir, type: "dir", sha: gitTreeId(dir, commit.tree), size: 0 });
    }
  }
  if (!entries.size) return notFound();
  return json(
    200,
    [...entries.keys()].sort().map((k) => contentEntryJson(repo, entries.get(k)!, refName, c.twin.urls)),
  );
}

function gitTreeId(path: string, tree: string): string {
  let h = 0n;
  for (const ch of `${tree}:${path}`) h = (h * 131n + BigInt(ch.codePointAt(0)!)) % (1n << 160n);
  return h.toString(16).padStart(40, "0");
}

function putContent(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const b = c.body;
  const path = (c.params.path ?? "").replace(/^\/+|\/+$/g, "");
  const branch = typeof b.branch === "string" ? b.branch.replace(/^refs\/heads\//, "") : repo.default_branch;
  const head = c.twin.head(repo, branch);
  // the branch is checked first
  if (!head) return fail(404, `Branch ${branch} not found`);
  const content = String(b.content ?? "");
  if (!/^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/.test(content)) return fail(422, "content is not valid Base64");
  const existing = head.files.get(path);
  if (existing) {
    if (b.sha === undefined || b.sha === null || b.sha === "") return fail(422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
    if (b.sha !== existing.sha) return fail(409, `${path} does not match ${String(b.sha)}`);
  }
  const user = actorUser(c);
  const who = (b.committer as { name: string; email: string } | undefined) ?? {
    name: user.login,
    email: `${user.id}+${user.login}@users.noreply.github.com`,
  };
  const { commit, blob } = c.twin.commitFile(repo, branch, path, Buffer.from(content, "base64"), String(b.message), {
    name: who.name,
    email: who.email,
  });
  return json(existing ? 200 : 201, fileCommitJson(repo, path, blob, commit, branch, c.twin.urls));
}

function getCollaboratorPermission(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const login = c.params.username!;
  const user = c.twin.users.get(login.toLowerCase());
  if (!user) return notFound();
  const role = c.twin.roleOf(login, repo);
  return json(200, {
    permission: legacyPermission(role),
    role_name: role,
    user: collaboratorJson(user, role, c.twin.urls),
  });
}

function getRepo(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const role = c.actor.kind === "user" ? c.twin.roleOf(c.actor.user.login, repo) : undefined;
  return json(200, repoJson(repo, c.twin.urls, role));
}

function getRepoInstallation(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const inst = repo.installationId !== undefined ? c.twin.installations.get(repo.installationId) : undefined;
  return inst ? json(200, installationJson(inst, c.twin.app, c.twin.urls)) : notFound();
}

function getInstallation(c: Ctx): TwinResponse {
  const inst = c.twin.installations.get(Number(c.params.installation_id));
  return inst ? json(200, installationJson(inst, c.twin.app, c.twin.urls)) : notFound();
}

function listInstallations(c: Ctx): TwinResponse {
  return page(c, [...c.twin.installations.values()].map((i) => installationJson(i, c.twin.app, c.twin.urls)));
}

function createInstallationToken(c: Ctx): TwinResponse {
  const id = Number(c.params.installation_id);
  const inst = c.twin.installations.get(id);
  if (!inst) return notFound();
  const token = c.twin.installationToken(id);
  const state = c.twin.tokens.get(token)!;
  const names = Array.isArray(c.body.repositories) ? (c.body.repositories as string[]) : undefined;
  if (names) {
    const account = inst.account.login;
    const full = names.map((n) => `${account}/${n}`.toLowerCase());
    for (const f of full) if (inst.repositories !== "all" && !inst.repositories.has(f)) return validationFailed([], "There is at least one repository that does not exist or is not accessible to the parent installation.");
    state.repositories = new Set(full);
  }
  const perms = (c.body.permissions as Record<string, string> | undefined) ?? inst.permissions;
  state.permissions = { ...perms };
  const body: Json = {
    token,
    expires_at: new Date(state.expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
    permissions: { ...perms },
    repository_selection: inst.repositories === "all" ? "all" : "selected",
  };
  if (state.repositories) {
    body.repositories = [...state.repositories].map((f) => repoJson(c.twin.repo(f), c.twin.urls));
  }
  return json(201, body);
}

function getApp(c: Ctx): TwinResponse {
  return json(200, appJson(c.twin.app, c.twin.urls));
}

function getRateLimit(c: Ctx): TwinResponse {
  const w = c.twin.rateWindows.get(identity(c.actor));
  const limit = w?.limit ?? limitFor(c.twin, c.actor);
  const used = w && w.resetAt > c.twin.now() ? w.used : 0;
  const reset = Math.floor((w?.resetAt ?? c.twin.now() + 3600_000) / 1000);
  const core = { limit, used, remaining: Math.max(0, limit - used), reset };
  const other = (l: number) => ({ limit: l, used: 0, remaining: l, reset });
  return json(200, {
    resources: { core, search: other(30), graphql: other(limit), integration_manifest: other(5000), code_search: other(10) },
    rate: core,
  });
}

const R = "/repos/{owner}/{repo}";
const I = `${R}/issues/{issue_number}`;
const issuesRead: Pick<Route, "auth" | "perm"> = { auth: "token", perm: ["issues", "read"] };
const issuesWrite = (role: Role): Pick<Route, "auth" | "perm" | "role"> => ({ auth: "token", perm: ["issues", "write"], role });

export const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  [`GET ${R}`, { auth: "token", perm: ["metadata", "read"], handler: getRepo }],
  [`GET ${R}/issues`, { ...issuesRead, handler: listIssues }],
  [`POST ${R}/issues`, { ...issuesWrite("read"), handler: createIssue }],
  [`GET ${I}`, { ...issuesRead, handler: getIssue }],
  [`PATCH ${I}`, { ...issuesWrite("read"), handler: updateIssue }],
  [`GET ${I}/comments`, { ...issuesRead, handler: listComments }],
  [`POST ${I}/comments`, { ...issuesWrite("read"), handler: createComment }],
  [`GET ${R}/issues/comments`, { ...issuesRead, handler: listRepoComments }],
  [`GET ${R}/issues/comments/{comment_id}`, { ...issuesRead, handler: getComment }],
  [`PATCH ${R}/issues/comments/{comment_id}`, { ...issuesWrite("read"), handler: updateComment }],
  [`POST ${R}/issues/comments/{comment_id}/reactions`, { ...issuesWrite("read"), handler: createCommentReaction }],
  [`GET ${R}/labels`, { ...issuesRead, handler: listRepoLabels }],
  [`POST ${R}/labels`, { ...issuesWrite("write"), handler: createLabel }],
  [`GET ${R}/labels/{name}`, { ...issuesRead, handler: getLabel }],
  [`GET ${I}/labels`, { ...issuesRead, handler: listIssueLabels }],
  [`POST ${I}/labels`, { ...issuesWrite("triage"), handler: addIssueLabels }],
  [`PUT ${I}/labels`, { ...issuesWrite("triage"), handler: setIssueLabels }],
  [`DELETE ${I}/labels/{name}`, { ...issuesWrite("triage"), handler: removeIssueLabel }],
  [`POST ${I}/sub_issues`, { ...issuesWrite("triage"), handler: addSubIssue }],
  [`DELETE ${I}/sub_issue`, { ...issuesWrite("triage"), handler: removeSubIssue }],
  [`GET ${I}/sub_issues`, { ...issuesRead, handler: listSubIssues }],
  [`GET ${I}/parent`, { ...issuesRead, handler: getParent }],
  [`POST ${I}/dependencies/blocked_by`, { ...issuesWrite("triage"), handler: addBlockedBy }],
  [`DELETE ${I}/dependencies/blocked_by/{issue_id}`, { ...issuesWrite("triage"), handler: removeBlockedBy }],
  [`GET ${I}/dependencies/blocked_by`, { ...issuesRead, handler: listBlockedBy }],
  [`GET ${I}/dependencies/blocking`, { ...issuesRead, handler: listBlocking }],
  [`GET ${R}/contents/{path}`, { auth: "token", perm: ["contents", "read"], handler: getContent }],
  [`PUT ${R}/contents/{path}`, { auth: "token", perm: ["contents", "write"], role: "write", handler: putContent }],
  [`GET ${R}/collaborators/{username}/permission`, { auth: "token", perm: ["metadata", "read"], handler: getCollaboratorPermission }],
  [`GET ${R}/installation`, { auth: "jwt", handler: getRepoInstallation }],
  [`GET /app`, { auth: "jwt", handler: getApp }],
  [`GET /app/installations`, { auth: "jwt", handler: listInstallations }],
  [`GET /app/installations/{installation_id}`, { auth: "jwt", handler: getInstallation }],
  [`POST /app/installations/{installation_id}/access_tokens`, { auth: "jwt", handler: createInstallationToken }],
  [`GET /rate_limit`, { auth: "token", handler: getRateLimit }],
  ...ACTIONS_ROUTES,
  ...GIT_ROUTES,
]);

// ---------------------------------------------------------------------------
// Authentication and authorisation

function identity(actor: Actor): string {
  switch (actor.kind) {
    case "installation":
      return `installation:${actor.installationId}`;
    case "user":
      return `user:${actor.user.login.toLowerCase()}`;
    case "app":
      return "app";
    case "anonymous":
      return "anonymous";
  }
}

function limitFor(twin: GitHubTwin, actor: Actor): number {
  if (actor.kind === "anonymous") return 60;
  return twin.options.primaryLimit ?? 5000;
}

function headerValue(headers: TwinRequest["headers"], name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  return undefined;
}

function authenticate(twin: GitHubTwin, headers: TwinRequest["headers"]): Actor | TwinResponse {
  const auth = headerValue(headers, "authorization");
  if (!auth) return { kind: "anonymous" };
  const m = /^(token|bearer)\s+(\S+)$/i.exec(auth.trim());
  if (!m) return fail(401, "Bad credentials");
  const credential = m[2]!;
  if (/^[\w-]+\.[\w-]+\.[\w-]*$/.test(credential) && credential.startsWith("eyJ")) {
    const claims = decodeJwt(credential);
    if (!claims) return fail(401, "A JSON web token could not be decoded");
    if (twin.options.appPublicKey) {
      const [h, p, sig] = credential.split(".") as [string, string, string];
      const ok = verify("RSA-SHA256", Buffer.from(`${h}.${p}`), twin.options.appPublicKey, Buffer.from(sig, "base64url"));
      if (!ok) return fail(401, "A JSON web token could not be decoded");
    }
    const nowS = Math.floor(twin.now() / 1000);
    if (typeof claims.exp === "number" && claims.exp < nowS) return fail(401, `'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires`);
    if (String(claims.iss) !== String(twin.app.id) && String(claims.iss) !== twin.app.client_id) return fail(401, "Integration not found");
    return { kind: "app" };
  }
  const token = twin.tokens.get(credential);
  if (!token) {
    if (twin.options.unknownTokens === "bot") {
      const first = twin.installations.keys().next();
      if (!first.done) return { kind: "installation", installationId: first.value, user: twin.app.bot, token: credential };
    }
    return fail(401, "Bad credentials");
  }
  if (token.expiresAt <= twin.now()) return fail(401, "Bad credentials");
  if (token.kind === "installation") return { kind: "installation", installationId: token.installationId!, user: twin.app.bot, token: credential };
  return { kind: "user", user: twin.user(token.login!), token: credential };
}

function decodeJwt(jwt: string): Json | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString("utf8")) as unknown;
    return payload && typeof payload === "object" ? (payload as Json) : undefined;
  } catch {
    return undefined;
  }
}

function authorize(twin: GitHubTwin, route: Route, actor: Actor, method: string, repo: RepoState | undefined, repoParam: boolean): TwinResponse | undefined {
  if (route.auth === "jwt") {
    if (actor.kind !== "app") return fail(401, "A JSON web token could not be decoded");
    return undefined;
  }
  if (actor.kind === "app") return fail(403, "Resource not accessible by integration");
  if (!repoParam) return undefined;
  if (!repo) return notFound();
  const read = method === "GET" || method === "HEAD";
  switch (actor.kind) {
    case "anonymous":
      if (repo.private) return notFound();
      if (!read) return fail(401, "Requires authentication");
      return undefined;
    case "installation": {
      const inst = twin.installations.get(actor.installationId);
      const token = twin.tokens.get(actor.token);
      const covered =
        inst && (inst.repositories === "all" ? inst.account === repo.owner : inst.repositories.has(repo.full_name.toLowerCase()));
      if (!covered || (token?.repositories && !token.repositories.has(repo.full_name.toLowerCase()))) return notFound();
      if (route.perm) {
        const [scope, level] = route.perm;
        const granted = (token?.permissions ?? inst.permissions)[scope] ?? (scope === "metadata" ? "read" : undefined);
        const ok = granted === "admin" || granted === "write" || (level === "read" && granted === "read");
        if (!ok) return fail(403, "Resource not accessible by integration");
      }
      return undefined;
    }
    case "user": {
      const role = twin.roleOf(actor.user.login, repo);
      if (role === "none") return notFound();
      if (route.role && !roleAtLeast(role, route.role)) {
        return fail(403, route.role === "write" ? "Must have push access to repository" : "Must have triage access to repository");
      }
      return undefined;
    }
  }
}

// ---------------------------------------------------------------------------
// Faults

function faultResponse(twin: GitHubTwin, f: Fault, actor: Actor): TwinResponse {
  switch (f.kind) {
    case "bad-gateway":
    case "lost-response":
      return fail(502, "Server Error");
    case "hang":
      return { ...fail(504, "We couldn't respond to your request in time. Sorry about that."), hang: true };
    case "unavailable":
      return fail(503, "Service Unavailable");
    case "secondary-rate-limit":
      return json(
        403,
        errorBody(
          403,
          "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.",
        ),
        { "retry-after": String(f.seconds) },
      );
    case "primary-rate-limit": {
      const reset = Math.floor(twin.now() / 1000) + f.seconds;
      const who = actor.kind === "installation" ? `installation ID ${actor.installationId}` : actor.kind === "user" ? `user ID ${actor.user.id}` : "your IP";
      const limit = limitFor(twin, actor);
      return json(f.status, errorBody(f.status, `API rate limit exceeded for ${who}.`), {
        "x-ratelimit-limit": String(limit),
        "x-ratelimit-remaining": "0",
        "x-ratelimit-used": String(limit),
        "x-ratelimit-reset": String(reset),
        "x-ratelimit-resource": "core",
      });
    }
  }
}

// ---------------------------------------------------------------------------
// The front door

function splitPath(req: TwinRequest): { pathname: string; query: URLSearchParams } {
  const at = req.path.indexOf("?");
  const pathname = at < 0 ? req.path : req.path.slice(0, at);
  const query = new URLSearchParams(at < 0 ? "" : req.path.slice(at + 1));
  if (req.query instanceof URLSearchParams) for (const [k, v] of req.query) query.append(k, v);
  else if (req.query) {
    for (const [k, v] of Object.entries(req.query)) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) query.append(k, one);
    }
  }
  return { pathname: pathname.replace(/\/+$/, "") || "/", query };
}

function parseBody(body: unknown): { ok: true; value: unknown } | { ok: false } {
  if (body === undefined || body === null || body === "") return { ok: true, value: undefined };
  if (typeof body === "string") {
    try {
      return { ok: true, value: JSON.parse(body) as unknown };
    } catch {
      return { ok: false };
    }
  }
  if (Buffer.isBuffer(body)) return parseBody(body.toString("utf8"));
  return { ok: true, value: body };
}

/**
 * Where the REST description is stricter than GitHub: the runs lists document
 * `created` as `format: date-time`, while the same parameter's description
 * (and GitHub) take the search syntax (`>=2026-01-01T00:00:00Z`, `a..b`).
 * Only those values are let through.
 */
function descriptionErrata(problems: string[]): string[] {
  return problems.filter((p) => {
    const m = /\(actions\/list-workflow-runs(?:-for-repo)?\): query parameter created="(.*)" is invalid: must match format "date-time"$/.exec(p);
    return !(m && DATE_QUERY.test(m[1]!));
  });
}

/**
 * Statuses GitHub sends that the REST description leaves out: 404 from any
 * route naming a resource that does not exist (most Actions operations list
 * only their success), and the dispatch's 422 refusals (documented in the
 * Actions docs: no `workflow_dispatch` trigger, unknown ref, unexpected inputs).
 */
function responseErrata(problems: string[]): string[] {
  return problems.filter(
    (p) => !/\) → 404: status 404 is not documented/.test(p) && !/\(actions\/create-workflow-dispatch\) → 422: status 422 is not documented/.test(p),
  );
}

let requestSeq = 0;

export function handleRequest(twin: GitHubTwin, req: TwinRequest): TwinResponse {
  const method = req.method.toUpperCase();
  const baseUrl = (req.baseUrl ?? twin.urls.api).replace(/\/+$/, "");
  let { pathname, query } = splitPath(req);
  // GitHub's Link headers point at /repositories/{id}/…; it serves them as /repos/{owner}/{repo}/…
  const byId = /^\/repositories\/(\d+)(\/.*)?$/.exec(pathname);
  if (byId) {
    const r = twin.repoById(Number(byId[1]));
    if (r) pathname = `/repos/${r.full_name}${byId[2] ?? ""}`;
  }
  const parsed = parseBody(req.body);
  const body = parsed.ok ? parsed.value : req.body;
  const contract = twin.options.contract;
  const resolved = contract ? contract.resolveRoute(method, pathname) : resolveOwnRoute(ROUTES, method, pathname);
  const template = resolved?.template;
  const routeKey = `${method} ${template ?? pathname}`;

  const finish = (res: TwinResponse, actor: Actor | undefined, fault?: Fault): TwinResponse => {
    const headers: Record<string, string> = {
      "content-type": "application/json; charset=utf-8",
      "x-github-api-version-selected": "2022-11-28",
      "x-github-media-type": "github.v3; format=json",
      "x-github-request-id": `TWIN:${(++requestSeq).toString(16).toUpperCase().padStart(6, "0")}`,
      ...res.headers,
    };
    if (actor && actor.kind !== "app" && !("x-ratelimit-remaining" in headers)) {
      const w = twin.rateWindows.get(identity(actor));
      if (w) {
        Object.assign(headers, {
          "x-ratelimit-limit": String(w.limit),
          "x-ratelimit-remaining": String(Math.max(0, w.limit - w.used)),
          "x-ratelimit-used": String(w.used),
          "x-ratelimit-reset": String(Math.floor(w.resetAt / 1000)),
          "x-ratelimit-resource": "core",
        });
      }
    }
    if (res.body === undefined) delete headers["content-type"];
    if (contract && twin.options.checkResponses && template) {
      // GitHub adds "status" to every error body; the validation-error schema does not list it yet
      const options = res.status >= 400 ? { unknownBodyProperties: "ignore" as const } : {};
      twin.responseFailures.push(...responseErrata(contract.checkResponse(method, pathname, res.status, res.body, headers, options)));
    }
    twin.log.push({
      seq: twin.log.length + 1,
      at: twin.now(),
      method,
      path: pathname,
      route: template,
      status: res.status,
      actor: actor ? identity(actor) : "unknown",
      ...(fault ? { fault: fault.kind } : {}),
      ...(body !== undefined ? { body } : {}),
    });
    return { status: res.status, headers, body: res.body, ...(res.hang ? { hang: true } : {}) };
  };

  twin.counters.total++;
  twin.counters.byMethod[method] = (twin.counters.byMethod[method] ?? 0) + 1;
  twin.counters.byRoute[routeKey] = (twin.counters.byRoute[routeKey] ?? 0) + 1;

  if (!parsed.ok) return finish(fail(400, "Problems parsing JSON"), undefined);

  // 1. the contract
  const contentType = headerValue(req.headers, "content-type");
  if (pathname === "/graphql" || pathname === "/api/graphql") {
    // mission-bot uses REST only; a GraphQL call is a change the twin must learn first
    const query = body && typeof body === "object" ? String((body as { query?: unknown }).query ?? "").replace(/\s+/g, " ").slice(0, 200) : "";
    twin.contractFailures.push({ method, path: pathname, problems: [`the GitHub twin does not implement GraphQL (${query || "no query"})`] });
    twin.unimplemented.push({ method, route: "/graphql" });
    return finish(fail(404, "Not Found (the GitHub twin does not implement GraphQL)"), undefined);
  }
  const problems = contract
    ? descriptionErrata(
        contract.checkRequest({
          method,
          url: `${pathname}${query.size ? `?${query.toString()}` : ""}`,
          body,
          ...(contentType ? { headers: { "content-type": contentType } } : {}),
        }),
      )
    : [];
  if (problems.length) {
    twin.contractFailures.push({ method, path: pathname, problems });
    if (!resolved) return finish(notFound(), undefined);
    return finish(fail(422, `Invalid request.\n\n${problems.join("\n")}`), undefined);
  }
  const route = resolved ? ROUTES.get(`${method} ${resolved.template}`) : undefined;
  if (!resolved || !route) {
    twin.unimplemented.push({ method, route: template ?? pathname });
    return finish(fail(404, `Not Found (the GitHub twin does not implement ${routeKey})`), undefined);
  }

  // 2. who is asking, and may they
  const auth = authenticate(twin, req.headers);
  if (!("kind" in auth)) return finish(auth, undefined);
  const actor = auth;
  const params = resolved.params;
  const repoParam = params.owner !== undefined && params.repo !== undefined;
  const repo = repoParam ? twin.repos.get(`${params.owner}/${params.repo}`.toLowerCase()) : undefined;
  const denied = authorize(twin, route, actor, method, repo, repoParam);

  // 3. accounting (denied requests count too: GitHub received them)
  const now = twin.now();
  if (actor.kind !== "app" && routeKey !== "GET /rate_limit") {
    const id = identity(actor);
    let w = twin.rateWindows.get(id);
    if (!w || w.resetAt <= now) {
      w = { used: 0, resetAt: now + 3600_000, limit: limitFor(twin, actor) };
      twin.rateWindows.set(id, w);
    }
    w.used++;
    if (w.used > w.limit) {
      w.used = w.limit;
      return finish(
        json(403, errorBody(403, `API rate limit exceeded for ${actor.kind === "installation" ? `installation ID ${actor.installationId}` : identity(actor)}.`)),
        actor,
      );
    }
  }
  const points = method === "GET" || method === "HEAD" || method === "OPTIONS" ? 1 : 5;
  twin.counters.points += points;
  const minute = Math.floor(now / 60_000);
  twin.counters.pointsByMinute.set(minute, (twin.counters.pointsByMinute.get(minute) ?? 0) + points);
  if (denied) return finish(denied, actor);

  const contentCreating = CONTENT_CREATING.has(routeKey);
  if (contentCreating) {
    if (
      twin.options.enforceContentLimits &&
      (twin.contentInWindow(60_000) >= CONTENT_LIMITS.perMinute || twin.contentInWindow(3600_000) >= CONTENT_LIMITS.perHour)
    ) {
      return finish(faultResponse(twin, { kind: "secondary-rate-limit", seconds: 60 } as Fault, actor), actor);
    }
    const c = twin.counters.content;
    c.total++;
    c.times.push(now);
    c.byMinute.set(minute, (c.byMinute.get(minute) ?? 0) + 1);
    const hour = Math.floor(now / 3600_000);
    c.byHour.set(hour, (c.byHour.get(hour) ?? 0) + 1);
  }

  // 4. faults
  const fault = twin.takeFault(method, pathname, template);
  if (fault && fault.kind !== "lost-response") return finish(faultResponse(twin, fault, actor), actor, fault);

  // 5. the work
  const ctx: Ctx = {
    twin,
    method,
    pathname,
    params,
    query,
    body: body && typeof body === "object" && !Array.isArray(body) ? (body as Json) : Array.isArray(body) ? ({ labels: body } as Json) : {},
    actor,
    repo,
    baseUrl,
  };
  const res = route.handler(ctx);
  if (fault) return finish(faultResponse(twin, fault, actor), actor, fault); // the write happened; the answer is lost
  return finish(res, actor);
}
