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
import { createHash, verify } from "node:crypto";
import { resolveOwnRoute } from "./route-table.js";
import { roleAtLeast, type Actor, type IssueState, type RepoState, type Role } from "./model.js";
import {
  appJson,
  collaboratorJson,
  commentJson,
  installationJson,
  issueJson,
  labelJson,
  legacyPermission,
  reactionJson,
  repoJson,
  simpleUser,
  type Json,
} from "./serialize.js";
import type { Fault, GitHubTwin } from "./state.js";
import { graphqlPoints, graphqlRateHeaders, identity, pointsOf, primaryLimitResponse, secondaryLimitResponse } from "./limits.js";
import { levelCovers, mintInstallationToken } from "./tokens.js";
import { handleOAuth, isOAuthPath } from "./oauth.js";
import {
  fail,
  json,
  notFound,
  page,
  validationFailed,
  actorUser,
  httpDate,
  envelopePage,
  repoOf,
  via,
  type Ctx,
  type Route,
  type TwinRequest,
  type TwinResponse,
} from "./respond.js";
import { ACTIONS_ROUTES } from "./actions-routes.js";
import { GIT_ROUTES } from "./git-routes.js";
import { SEARCH_ROUTES } from "./search-routes.js";
import { PULL_ROUTES } from "./pull-routes.js";
import { SECRET_ROUTES } from "./secret-routes.js";
import { PROJECT_ROUTES } from "./project-routes.js";
import { REPO_CREATE_ROUTES } from "./repo-create-routes.js";
import { graphqlCost, handleGraphql } from "./graphql.js";
import { DATE_QUERY } from "./actions.js";

export { errorBody, type TwinRequest, type TwinResponse } from "./respond.js";

/**
 * Requests GitHub counts against its content-creation limits (80 per minute,
 * 500 per hour: limits.ts). Exactly the routes the twin serves whose
 * description in GitHub's REST reference says "Creating content too quickly
 * using this endpoint may result in secondary rate limiting" (or "Removing
 * content too quickly…"): creating issues and comments, adding and removing
 * sub-issues and dependencies, opening pull requests. The same note marks reviews,
 * review comments, commit comments, releases and merges, which the twin does
 * not serve.
 *
 * Not content-creating (no such note; they still cost 5 points each against
 * their endpoint's 900 per minute): labels, reactions, issue edits, contents
 * writes, git data, workflow dispatches, re-runs and cancels (Actions has its
 * own limit, 500 runs queued per 10 s per repository, not modelled).
 */
export const CONTENT_CREATING = new Set([
  "POST /repos/{owner}/{repo}/issues",
  "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
  "POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
  "DELETE /repos/{owner}/{repo}/issues/{issue_number}/sub_issue",
  "POST /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by",
  "DELETE /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by/{issue_id}",
  "POST /repos/{owner}/{repo}/pulls",
]);

/**
 * GitHub's limit on issue and comment bodies: "body is too long (maximum is
 * 65536 characters)" (REST docs; the 422 quoted in danger/danger#424,
 * trstringer/manual-approval#89, googleapis/release-please#1034; comments:
 * reg-viz/reg-actions#123, dkhunt27/action-nx-code-coverage#360). Characters
 * are code points, as Ruby counts them (JavaScript's `length` counts UTF-16
 * units: an emoji is 2). Some 2025-2026 measurements saw the server take up
 * to 262,144 UTF-8 bytes (objectstack-ai/objectstack#18826); the twin holds
 * to the documented limit, which is never looser than that.
 */
export const MAX_BODY = 65_536;

export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The 422 for an issue body over the limit (errors as the recordings show them). */
function issueBodyTooLong(): TwinResponse {
  return validationFailed([{ resource: "Issue", code: "custom", field: "body", message: `body is too long (maximum is ${MAX_BODY} characters)` }]);
}

/** The 422 for a comment body over the limit, on create and on edit (reg-viz/reg-actions#123: `unprocessable`, field `data`). */
function commentBodyTooLong(): TwinResponse {
  return validationFailed([{ resource: "IssueComment", code: "unprocessable", field: "data", message: `Body is too long (maximum is ${MAX_BODY} characters)` }]);
}

// ---------------------------------------------------------------------------
// Helpers for handlers

/** A `since` query value as epoch ms (GitHub compares at whole seconds), or undefined. */
function sinceOf(c: Ctx): number | undefined {
  const since = c.query.get("since");
  if (!since) return undefined;
  const ms = Date.parse(since);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) * 1000 : undefined;
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
  const since = sinceOf(c);
  const creator = c.query.get("creator")?.toLowerCase();
  const sort = c.query.get("sort") ?? "created";
  const direction = c.query.get("direction") ?? "desc";
  let issues = [...repo.issues.values()].filter(
    (i) =>
      (state === "all" || i.state === state) &&
      wanted.every((l) => i.labels.includes(l)) &&
      (since === undefined || Date.parse(i.updated_at) >= since) &&
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
  if (typeof b.body === "string" && codePoints(b.body) > MAX_BODY) return issueBodyTooLong();
  const labels = labelNames({ labels: b.labels });
  // a label the repository lacks is created with the issue, and refused as a label would be (only when the labels are applied at all)
  const labelProblem = labels.length && mayUser(c, "triage") ? c.twin.labelProblem(repoOf(c), labels.map((name) => ({ name })), true) : undefined;
  if (labelProblem) return validationFailed([labelProblem]);
  const issue = c.twin.createIssue(
    repoOf(c),
    actorUser(c),
    {
      title: String(b.title),
      body: (b.body as string | null | undefined) ?? null,
      labels,
      assignees: Array.isArray(b.assignees) ? (b.assignees as string[]) : typeof b.assignee === "string" ? [b.assignee] : [],
    },
    via(c),
  );
  return json(201, issueOut(c, issue, true), { location: `${c.twin.urls.api}/repos/${issue.repo.full_name}/issues/${issue.number}` });
}

function getIssue(c: Ctx): TwinResponse {
  const issue = issueParam(c);
  return issue ? json(200, issueOut(c, issue, true), { "last-modified": httpDate(issue.updated_at) }) : notFound();
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
  if (typeof b.body === "string" && codePoints(b.body) > MAX_BODY) return issueBodyTooLong();
  if (b.labels !== undefined) {
    const problem = c.twin.labelProblem(issue.repo, labelNames({ labels: b.labels }).map((name) => ({ name })), true);
    if (problem) return validationFailed([problem]);
  }
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
  // "Issue comments are ordered by ascending ID"; `since`: "Only show results that were last updated after the given time" (REST docs "List issue comments")
  const since = sinceOf(c);
  const comments = c.twin.commentsOn(issue).filter((x) => since === undefined || Date.parse(x.updated_at) >= since);
  return page(c, comments.map((x) => commentJson(x, issue, c.twin.urls)));
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
  const since = sinceOf(c);
  const sort = c.query.get("sort");
  let comments = [...c.twin.comments.values()].filter((x) => x.repo === repo && (since === undefined || Date.parse(x.updated_at) >= since)).sort((a, b) => a.id - b.id);
  if (sort === "created" || sort === "updated") {
    const at = (x: (typeof comments)[number]) => (sort === "created" ? x.created_at : x.updated_at);
    comments.sort((a, b) => (at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : a.id - b.id));
    if (c.query.get("direction") !== "asc") comments = comments.reverse();
  }
  return page(c, comments.map((x) => commentJson(x, c.twin.issuesById.get(x.issueId)!, c.twin.urls)));
}

function createComment(c: Ctx): TwinResponse {
  const issue = issueParam(c);
  if (!issue) return notFound();
  const body = c.body.body;
  if (typeof body !== "string" || body.trim() === "") return validationFailed([{ resource: "IssueComment", code: "missing_field", field: "body" }]);
  if (codePoints(body) > MAX_BODY) return commentBodyTooLong();
  if (issue.locked && !mayUser(c, "triage")) return fail(403, "Unable to create comment because issue is locked.");
  const comment = c.twin.createComment(issue, actorUser(c), body, via(c));
  const out = commentJson(comment, issue, c.twin.urls);
  return json(201, out, { location: out.url as string });
}

function commentParam(c: Ctx) {
  const comment = c.twin.comments.get(Number(c.params.comment_id));
  return comment && comment.repo === c.repo ? comment : undefined;
}

function getComment(c: Ctx): TwinResponse {
  const comment = commentParam(c);
  if (!comment) return notFound();
  return json(200, commentJson(comment, c.twin.issuesById.get(comment.issueId)!, c.twin.urls), { "last-modified": httpDate(comment.updated_at) });
}

function updateComment(c: Ctx): TwinResponse {
  const comment = commentParam(c);
  if (!comment) return notFound();
  const user = actorUser(c);
  if (comment.user !== user && !mayUser(c, "write")) return fail(403, "Must have admin rights to Repository.");
  const body = c.body.body;
  if (typeof body !== "string" || body.trim() === "") return validationFailed([{ resource: "IssueComment", code: "missing_field", field: "body" }]);
  if (codePoints(body) > MAX_BODY) return commentBodyTooLong();
  c.twin.updateComment(comment, user, body);
  return json(200, commentJson(comment, c.twin.issuesById.get(comment.issueId)!, c.twin.urls));
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
  const description = (c.body.description as string | undefined) ?? null;
  const problem = c.twin.labelProblem(repo, [{ name, description }], false);
  if (problem) return validationFailed([problem]);
  const { label } = c.twin.ensureLabel(repo, name, color, description);
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
  const problem = c.twin.labelProblem(issue.repo, names.map((name) => ({ name })), true);
  if (problem) return validationFailed([problem]);
  c.twin.addLabels(issue, actorUser(c), names);
  return json(200, labelsOut(c, issue));
}

function setIssueLabels(c: Ctx): TwinResponse {
  const issue = issueParam(c);
  if (!issue) return notFound();
  const problem = c.twin.labelProblem(issue.repo, labelNames(c.body).map((name) => ({ name })), true);
  if (problem) return validationFailed([problem]);
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
  const subIssueFailed = (err: string) =>
    validationFailed([{ resource: "Issue", code: "custom", field: "sub_issue_id", message: err }], `An error occurred while adding the sub-issue to the parent issue. ${err}`);
  // Pull requests are in neither place: "Parent may only be an issue", "Sub issue may only be an issue"
  // (answers observed against the live API and quoted in public tooling notes, alongside dependencies'
  // "Source/Target issue may only be an issue"; no GitHub thread to link). The message's frame is
  // github/github-mcp-server#1842's.
  if (parent.pull_request) return subIssueFailed("Parent may only be an issue");
  if (child.pull_request) return subIssueFailed("Sub issue may only be an issue");
  // GitHub gives each sub-issue the next priority under its parent; two adds to one parent in flight
  // together race for it and the later one fails: "422 An error occurred while adding the sub-issue to
  // the parent issue. Priority has already been taken" (github/github-mcp-server#1842). Modelled
  // deterministically: an add fails if another add to the same parent committed after it arrived.
  const committed = c.twin.subIssueCommits.get(parent.id);
  if (committed !== undefined && committed > c.arrived) return subIssueFailed("Priority has already been taken");
  const err = c.twin.addSubIssue(parent, child, actorUser(c), c.body.replace_parent === true);
  if (err) return subIssueFailed(err);
  c.twin.subIssueCommits.set(parent.id, c.twin.nextTick());
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
  // Dependencies are between issues only: a pull request as the blocker is refused with "Target issue
  // may only be an issue" (422, cybersemics/em#5237), as the blocked issue with "Source issue may only
  // be an issue" (the same probe's other half, quoted in public tooling notes).
  if (blocked.pull_request) return validationFailed([{ resource: "IssueDependency", code: "custom", field: "issue_id", message: "Source issue may only be an issue" }], "Validation failed: Source issue may only be an issue");
  if (blocking.pull_request) return validationFailed([{ resource: "IssueDependency", code: "custom", field: "issue_id", message: "Target issue may only be an issue" }], "Validation failed: Target issue may only be an issue");
  const err = c.twin.addBlockedBy(blocked, blocking, actorUser(c));
  if (err) return validationFailed([{ resource: "IssueDependency", code: "custom", field: "issue_id", message: err }], `Validation failed: ${err}`);
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

/**
 * REST "List repositories accessible to the app installation": an
 * installation token's repositories (those it was narrowed to, else all its
 * installation covers); any other token: 403.
 */
function listInstallationRepos(c: Ctx): TwinResponse {
  if (c.actor.kind !== "installation") return fail(403, "This endpoint can only be accessed with an installation access token");
  const inst = c.twin.installations.get(c.actor.installationId);
  if (!inst) return notFound();
  const narrowed = c.twin.tokens.get(c.actor.token)?.repositories;
  const repos = [...c.twin.repos.values()].filter(
    (r) => (inst.repositories === "all" ? r.owner === inst.account : inst.repositories.has(r.full_name.toLowerCase())) && (!narrowed || narrowed.has(r.full_name.toLowerCase())),
  );
  return envelopePage(c, "repositories", repos.map((r) => repoJson(r, c.twin.urls, undefined)));
}

/** REST "Get the authenticated user": a person's token (a user access token too); an installation's: 403. */
function getAuthenticatedUser(c: Ctx): TwinResponse {
  if (c.actor.kind !== "user") return fail(403, "Resource not accessible by integration");
  return json(200, { ...simpleUser(c.actor.user, c.twin.urls), name: null, created_at: c.twin.timestamp(), updated_at: c.twin.timestamp() });
}

function listInstallations(c: Ctx): TwinResponse {
  return page(c, [...c.twin.installations.values()].map((i) => installationJson(i, c.twin.app, c.twin.urls)));
}

function createInstallationToken(c: Ctx): TwinResponse {
  const id = Number(c.params.installation_id);
  const b = c.body;
  const minted = mintInstallationToken(c.twin, id, {
    ...(b.permissions && typeof b.permissions === "object" ? { permissions: b.permissions as Record<string, string> } : {}),
    ...(Array.isArray(b.repositories) ? { repositories: (b.repositories as unknown[]).map(String) } : {}),
    ...(Array.isArray(b.repository_ids) ? { repository_ids: (b.repository_ids as unknown[]).map(Number) } : {}),
  });
  if ("error" in minted) return minted.status === 404 ? notFound() : fail(422, minted.error);
  const inst = c.twin.installations.get(id)!;
  const { token, repositories } = minted;
  const body: Json = {
    token: token.token,
    expires_at: new Date(token.expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
    permissions: { ...(token.permissions ?? inst.permissions) },
    repository_selection: inst.repositories === "all" ? "all" : "selected",
  };
  if (repositories) body.repositories = repositories.map((r) => repoJson(r, c.twin.urls));
  return json(201, body);
}

function getApp(c: Ctx): TwinResponse {
  return json(200, appJson(c.twin.app, c.twin.urls));
}

function getRateLimit(c: Ctx): TwinResponse {
  const w = c.twin.limits.primary.get(identity(c.actor));
  const limit = w?.limit ?? c.twin.limits.limitFor(c.actor);
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
  ...GIT_ROUTES,
  [`GET ${R}/collaborators/{username}/permission`, { auth: "token", perm: ["metadata", "read"], handler: getCollaboratorPermission }],
  [`GET ${R}/installation`, { auth: "jwt", handler: getRepoInstallation }],
  [`GET /app`, { auth: "jwt", handler: getApp }],
  [`GET /app/installations`, { auth: "jwt", handler: listInstallations }],
  [`GET /app/installations/{installation_id}`, { auth: "jwt", handler: getInstallation }],
  [`POST /app/installations/{installation_id}/access_tokens`, { auth: "jwt", handler: createInstallationToken }],
  [`GET /rate_limit`, { auth: "token", handler: getRateLimit }],
  [`GET /installation/repositories`, { auth: "token", handler: listInstallationRepos }],
  [`GET /user`, { auth: "token", handler: getAuthenticatedUser }],
  ...ACTIONS_ROUTES,
  ...SEARCH_ROUTES,
  ...PULL_ROUTES,
  ...PROJECT_ROUTES,
  ...SECRET_ROUTES,
  ...REPO_CREATE_ROUTES,
]);

// ---------------------------------------------------------------------------
// Authentication and authorisation

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
  if (token.kind === "actions") {
    const repo = twin.repoById(token.repoId!);
    if (!repo) return fail(401, "Bad credentials");
    return { kind: "actions", repo, user: twin.actionsApp.bot, token: credential };
  }
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

/** Whether the app's installation covers the repository. */
function installedOn(twin: GitHubTwin, repo: RepoState): boolean {
  const inst = repo.installationId !== undefined ? twin.installations.get(repo.installationId) : undefined;
  if (!inst) return false;
  return inst.repositories === "all" ? inst.account === repo.owner : inst.repositories.has(repo.full_name.toLowerCase());
}

/** May `actor` do to `repo` what a REST route needing `perm` (and, for a person, `role`) does? GraphQL asks this. */
export function authorizeRepo(twin: GitHubTwin, actor: Actor, repo: RepoState, method: string, perm: [string, "read" | "write"], role?: Role): TwinResponse | undefined {
  return authorize(twin, { auth: "token", perm, ...(role ? { role } : {}), handler: () => notFound() }, actor, method, repo, true);
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
        // a token narrowed to some permissions, within what the installation holds now
        const held = inst.permissions[scope] ?? (scope === "metadata" ? "read" : undefined);
        const granted = token?.permissions ? (token.permissions[scope] ?? (scope === "metadata" ? "read" : undefined)) : held;
        if (!levelCovers(granted, level) || !levelCovers(held, level)) return fail(403, "Resource not accessible by integration");
      }
      return undefined;
    }
    case "actions": {
      // GITHUB_TOKEN reaches its own repository only ("The token's permissions are limited to the
      // repository that contains your workflow": Actions docs "Automatic token authentication");
      // another repository is as to anyone outside it: public ones readable, others not found.
      if (repo !== actor.repo) {
        if (repo.private) return notFound();
        return read ? undefined : fail(403, "Resource not accessible by integration");
      }
      if (route.perm) {
        const [scope, level] = route.perm;
        const granted = twin.tokens.get(actor.token)?.permissions?.[scope] ?? (scope === "metadata" ? "read" : undefined);
        if (!levelCovers(granted, level)) return fail(403, "Resource not accessible by integration");
      }
      return undefined;
    }
    case "user": {
      const role = twin.roleOf(actor.user.login, repo);
      if (role === "none") return notFound();
      // A GitHub App's user access token "can only access resources that both the user and app can access"
      // (docs "Generating a user access token for a GitHub App"): where the app is not installed, not found.
      if (actor.token && twin.tokens.get(actor.token)?.viaApp && !installedOn(twin, repo)) return notFound();
      if (route.role && !roleAtLeast(role, route.role)) {
        return fail(403, route.role === "admin" ? "Must have admin rights to Repository." : route.role === "write" ? "Must have push access to repository" : "Must have triage access to repository");
      }
      return undefined;
    }
  }
}

function countContent(twin: GitHubTwin, now: number): void {
  const c = twin.counters.content;
  c.total++;
  c.times.push(now);
  const minute = Math.floor(now / 60_000);
  c.byMinute.set(minute, (c.byMinute.get(minute) ?? 0) + 1);
  const hour = Math.floor(now / 3600_000);
  c.byHour.set(hour, (c.byHour.get(hour) ?? 0) + 1);
}

/**
 * `POST /graphql`, counted as GitHub counts it (GraphQL docs "Rate limits and query limits for the
 * GraphQL API"): the primary budget in points, the query's cost (minimum 1), apart from REST's; the
 * secondary limit in points, 1 for a query and 5 with a mutation, 2,000 a minute; a mutation that
 * creates content (an issue, a comment, a sub-issue or dependency link) counts against the content
 * limits as the REST request doing the same does. Faults apply as to REST (`/graphql` is the route).
 */
function graphqlRequest(
  twin: GitHubTwin,
  actor: Actor,
  method: string,
  pathname: string,
  body: unknown,
  finish: (res: TwinResponse, actor: Actor | undefined, fault?: Fault, route?: string) => TwinResponse,
  concurrent: number,
): TwinResponse {
  const route = "/graphql";
  const now = twin.now();
  const cost = graphqlCost(body);
  let headers: Record<string, string> = {};
  if (actor.kind !== "app" && actor.kind !== "anonymous") {
    const taken = twin.limits.takeGraphqlPrimary(actor, cost.points);
    if (taken.refused) return finish(taken.refused, actor, undefined, route);
    headers = graphqlRateHeaders(taken.window);
  }
  const points = graphqlPoints(cost.mutation);
  twin.counters.points += points;
  const minute = Math.floor(now / 60_000);
  twin.counters.pointsByMinute.set(minute, (twin.counters.pointsByMinute.get(minute) ?? 0) + points);
  const limited = actor.kind === "app" ? undefined : twin.limits.takeSecondary(actor, `${method} ${route}`, method, cost.createsContent, concurrent, { points });
  if (limited) return finish(limited, actor, undefined, route);
  if (cost.createsContent) countContent(twin, now);
  const fault = twin.takeFault(method, pathname, route);
  if (fault && fault.kind !== "lost-response") return finish(faultResponse(twin, fault, actor), actor, fault, route);
  const answer = handleGraphql(twin, body, actor);
  if (answer.problems.length) {
    twin.contractFailures.push({ method, path: pathname, problems: answer.problems });
    twin.unimplemented.push({ method, route });
  }
  if (fault) return finish(faultResponse(twin, fault, actor), actor, fault, route); // performed; the answer is lost
  return finish({ status: answer.status, headers, body: answer.body }, actor, undefined, route);
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
      return secondaryLimitResponse(f.seconds);
    case "primary-rate-limit":
      return primaryLimitResponse(twin, actor, f.status, f.seconds);
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
    (p) =>
      !/\) → 404: status 404 is not documented/.test(p) &&
      !/\(actions\/create-workflow-dispatch\) → 422: status 422 is not documented/.test(p) &&
      // a conditional GET may answer 304 wherever GitHub sends an ETag (REST docs "Best practices", "Use conditional requests")
      !/\) → 304: status 304 is not documented/.test(p) &&
      // the profile's refusal of a body field its release does not know (cli/cli#12672)
      !/\(actions\/create-workflow-dispatch\) → 400: status 400 is not documented/.test(p) &&
      // GitHub refuses to re-run a run still in progress: 403 "This workflow is already running" (cli/cli#9221)
      !/\(actions\/re-run-workflow\) → 403: status 403 is not documented/.test(p) &&
      // an added item's `content` is oneOf [Issue, Pull Request Simple, Draft Issue]: an issue matches both Issue and
      // Draft Issue (whose required properties are a subset of Issue's), so no issue can pass a strict oneOf
      !/\(projects\/add-item-for-(?:org|user)\) → 201: response body\/content /.test(p) &&
      // a ref update a rule refuses (git/update-ref documents 409 and 422; create-ref 409 and 422)
      !/\(git\/get-ref\) → 409/.test(p),
  );
}

let requestSeq = 0;

/** The sub-issue operations: absent from Enterprise Server releases without sub-issues (profile.ts). */
const SUB_ISSUE_TEMPLATES = new Set([
  "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
  "/repos/{owner}/{repo}/issues/{issue_number}/sub_issue",
  "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues/priority",
  "/repos/{owner}/{repo}/issues/{issue_number}/parent",
]);

/** Normalise a request's path: no query, no trailing slash, `/repositories/{id}/…` read as `/repos/{owner}/{repo}/…`. */
function normalisePath(twin: GitHubTwin, path: string): string {
  let pathname = path.split("?")[0]!.replace(/\/+$/, "") || "/";
  // GitHub's Link headers point at /repositories/{id}/…; it serves them as /repos/{owner}/{repo}/…
  const byId = /^\/repositories\/(\d+)(\/.*)?$/.exec(pathname);
  if (byId) {
    const r = twin.repoById(Number(byId[1]));
    if (r) pathname = `/repos/${r.full_name}${byId[2] ?? ""}`;
  }
  return pathname;
}

/** The documented route template a request resolves to (the contract's, else the twin's own table). */
export function resolveTemplate(twin: GitHubTwin, method: string, path: string): string | undefined {
  const pathname = normalisePath(twin, path);
  const m = method.toUpperCase();
  const contract = twin.options.contract;
  return (contract ? contract.resolveRoute(m, pathname) : resolveOwnRoute(ROUTES, m, pathname))?.template;
}

/**
 * An entity tag for a JSON body: weak, changing exactly when the representation changes, and
 * bound to the token that asked: "It's currently expected for ETags to be auth token specific"
 * (GitHub Support, quoted in eclipse-csi/otterdog#201; github/docs#34689: "When a different access
 * token is used a different etag is returned"). `If-Modified-Since` does not depend on the token.
 */
function etagOf(body: unknown, authorization: string): string {
  return `W/"${createHash("sha256").update(authorization).update("\n").update(JSON.stringify(body)).digest("hex")}"`;
}

/** If-None-Match against an ETag, by the weak comparison (RFC 9110 §13.1.2): a list, or `*`. */
function noneMatch(header: string, etag: string): boolean {
  const opaque = (t: string) => t.trim().replace(/^W\//, "");
  return header.split(",").some((t) => t.trim() === "*" || opaque(t) === opaque(etag));
}

export function handleRequest(twin: GitHubTwin, req: TwinRequest, arrival?: { tick: number; auth: string }): TwinResponse {
  const method = req.method.toUpperCase();
  const baseUrl = (req.baseUrl ?? twin.urls.api).replace(/\/+$/, "");
  const split = splitPath(req);
  const query = split.query;
  const pathname = normalisePath(twin, split.pathname);
  const parsed = parseBody(req.body);
  const body = parsed.ok ? parsed.value : req.body;
  const contract = twin.options.contract;
  const resolved = contract ? contract.resolveRoute(method, pathname) : resolveOwnRoute(ROUTES, method, pathname);
  // an Enterprise Server release without sub-issues does not have their routes (its own description agrees)
  const absent = resolved !== undefined && !twin.profile.subIssues && SUB_ISSUE_TEMPLATES.has(resolved.template);
  const template = resolved?.template;
  const routeKey = `${method} ${template ?? pathname}`;

  const finish = (res: TwinResponse, actor: Actor | undefined, fault?: Fault, route = template): TwinResponse => {
    const headers: Record<string, string> = {
      "content-type": "application/json; charset=utf-8",
      "x-github-api-version-selected": "2022-11-28",
      "x-github-media-type": "github.v3; format=json",
      "x-github-request-id": `TWIN:${(++requestSeq).toString(16).toUpperCase().padStart(6, "0")}`,
      // an Enterprise Server names its release in every answer (profile.ts enterpriseVersion)
      ...(twin.profile.enterpriseVersion ? { "x-github-enterprise-version": `enterprise-server@${twin.profile.enterpriseVersion}` } : {}),
      ...res.headers,
    };
    if (actor && actor.kind !== "app" && !("x-ratelimit-remaining" in headers)) {
      const w = twin.limits.primary.get(identity(actor));
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
      route,
      status: res.status,
      actor: actor ? identity(actor) : "unknown",
      ...(fault ? { fault: fault.kind } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(arrival ? { arrived: arrival.tick, answered: twin.nextTick() } : {}),
    });
    return { status: res.status, headers, body: res.body, ...(res.hang ? { hang: true } : {}) };
  };

  twin.counters.total++;
  twin.counters.byMethod[method] = (twin.counters.byMethod[method] ?? 0) + 1;
  twin.counters.byRoute[routeKey] = (twin.counters.byRoute[routeKey] ?? 0) + 1;

  // github.com's web flow (oauth.ts): not the REST API, so not in its description; its bodies may be form-encoded
  if (isOAuthPath(pathname)) {
    const answer = handleOAuth(twin, { method, pathname, query, headers: req.headers as Record<string, string | string[] | undefined> | undefined, body: req.body });
    twin.log.push({ seq: twin.log.length + 1, at: twin.now(), method, path: pathname, route: pathname, status: answer.status, actor: "web" });
    return answer;
  }
  if (!parsed.ok) return finish(fail(400, "Problems parsing JSON"), undefined);

  // 1. the contract
  const contentType = headerValue(req.headers, "content-type");
  if (pathname === "/graphql" || pathname === "/api/graphql") {
    // GraphQL: checked against GitHub's published schema; only what graphql.ts implements is answered
    const who = authenticate(twin, req.headers);
    if (!("kind" in who)) return finish(who, undefined);
    return graphqlRequest(twin, who, method, pathname, body, finish, arrival ? twin.concurrentWith(arrival.auth) : 1);
  }
  // A body field this release does not know: Enterprise Server 3.20 and older refuse `return_run_details`
  // with 400 (cli/cli#12672; benc-uk/workflow-dispatch#86 quotes GHES 3.19's message). Before the
  // contract: the release's own description lacks the field, and GitHub answers 400, not 422.
  if (template === "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches" && method === "POST" && !twin.profile.returnRunDetails) {
    if (body && typeof body === "object" && "return_run_details" in body) return finish(fail(400, 'Invalid request.\n\n"return_run_details" is not a permitted key.'), undefined);
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
  if (absent) return finish(notFound(), undefined);
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

  // 3. accounting (denied requests count too: GitHub received them). "Accessing this endpoint
  //    [GET /rate_limit] does not count against your REST API rate limit." (REST docs "Rate limit")
  const now = twin.now();
  if (actor.kind !== "app" && routeKey !== "GET /rate_limit") {
    const refused = twin.limits.takePrimary(actor);
    if (refused) return finish(refused, actor);
  }
  const points = pointsOf(method);
  twin.counters.points += points;
  const minute = Math.floor(now / 60_000);
  twin.counters.pointsByMinute.set(minute, (twin.counters.pointsByMinute.get(minute) ?? 0) + points);
  const contentCreating = CONTENT_CREATING.has(routeKey) && !denied;
  const concurrent = arrival ? twin.concurrentWith(arrival.auth) : 1;
  const limited = actor.kind === "app" ? undefined : twin.limits.takeSecondary(actor, routeKey, method, contentCreating, concurrent);
  if (limited) return finish(limited, actor);
  if (denied) return finish(denied, actor);
  if (contentCreating) countContent(twin, now);

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
    arrived: arrival?.tick ?? twin.nextTick(),
  };
  const res = route.handler(ctx);
  if (fault) return finish(faultResponse(twin, fault, actor), actor, fault); // the write happened; the answer is lost

  // 6. conditional requests: "Most endpoints return an etag header, and many endpoints return a
  //    last-modified header. … If the resource has not changed, you will get a 304 Not Modified
  //    response." A 304 does not count against the primary rate limit (REST docs "Best practices for
  //    using the REST API", "Use conditional requests").
  if ((method === "GET" || method === "HEAD") && res.status === 200 && res.body !== undefined) {
    const etag = res.headers.etag ?? etagOf(res.body, headerValue(req.headers, "authorization") ?? "");
    const lastModified = res.headers["last-modified"];
    const withTags: TwinResponse = { ...res, headers: { ...res.headers, etag } };
    const inm = headerValue(req.headers, "if-none-match");
    const ims = headerValue(req.headers, "if-modified-since");
    const unchanged =
      inm !== undefined
        ? noneMatch(inm, etag)
        : ims !== undefined && lastModified !== undefined && Number.isFinite(Date.parse(ims)) && Date.parse(lastModified) <= Date.parse(ims);
    if (unchanged) {
      if (actor.kind !== "anonymous" && actor.kind !== "app") twin.limits.refundPrimary(actor);
      twin.counters.notModified++;
      return finish({ status: 304, headers: { etag, ...(lastModified ? { "last-modified": lastModified } : {}) }, body: undefined }, actor);
    }
    return finish(withTags, actor);
  }
  return finish(res, actor);
}
