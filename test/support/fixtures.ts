/**
 * Webhook payloads for tests, taken from GitHub's recorded examples
 * (`@octokit/webhooks-examples`, api.github.com/index.json) and EDITED, not
 * invented: every builder starts from a recorded delivery and changes only
 * the fields a test cares about, keeping the related fields consistent
 * (repository name/full_name/owner/URLs, issue number/id/URLs, comment
 * id/URLs/user, sender, installation).
 */
import { randomUUID } from "node:crypto";
import { webhookExample, webhookExamplesOf } from "../../src/twin/examples.js";
import type { Context, Probot } from "probot";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// The recorded examples are read by the twin (src/twin/examples.ts); tests use the same loader.
export { EXAMPLES_PATH, webhookExample, webhookExampleEvents } from "../../src/twin/examples.js";

/** The first example of event.action that carries an `installation` (as App deliveries do), else the first. */
function baseExample(event: string, action: string): Json {
  const pool = webhookExamplesOf(event).filter((e) => e.action === action);
  const index = Math.max(
    0,
    pool.findIndex((e) => e.installation),
  );
  return webhookExample<Json>(event, action, index);
}

// ---------------------------------------------------------------------------
// Editing helpers

/** GitHub's legacy node ids: base64("0<len>:<Type><id>"), e.g. User 21031067 → MDQ6VXNlcjIxMDMxMDY3. */
export function legacyNodeId(type: string, id: number): string {
  return Buffer.from(`0${type.length}:${type}${id}`).toString("base64");
}

/** A stable positive 31-bit id for a name, so the same login/label always gets the same id. */
export function stableId(name: string, salt = ""): number {
  let h = 2166136261;
  for (const ch of salt + name) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 16777619);
  }
  return 1_000_000 + ((h >>> 0) % 2_000_000_000);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Apply `edit` to every string in a JSON value, in place. */
function mapStrings(value: unknown, edit: (s: string) => string): unknown {
  if (typeof value === "string") return edit(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = mapStrings(value[i], edit);
    return value;
  }
  if (value && typeof value === "object") {
    const o = value as Json;
    for (const k of Object.keys(o)) o[k] = mapStrings(o[k], edit);
    return o;
  }
  return value;
}

export type UserType = "User" | "Bot" | "Organization";

export interface UserRef {
  login: string;
  type?: UserType;
  id?: number;
}

/** A user object edited from a recorded one (same fields), with login, id, type and URLs changed. */
function editUser(template: Json, user: UserRef): Json {
  const u = structuredClone(template);
  const oldLogin = String(u.login);
  const oldId = Number(u.id);
  const id = user.id ?? (user.login === oldLogin ? oldId : stableId(user.login, "user"));
  const type: UserType = user.type ?? "User";
  const loginRe = new RegExp(`(/users/|/orgs/|github\\.com/)${escapeRegExp(oldLogin)}(?=$|[/{?#])`, "g");
  mapStrings(u, (s) => s.replace(loginRe, `$1${user.login}`).replace(`/u/${oldId}?`, `/u/${id}?`));
  u.login = user.login;
  u.id = id;
  u.type = type;
  u.node_id = legacyNodeId(type === "Organization" ? "Organization" : type === "Bot" ? "Bot" : "User", id);
  if ("site_admin" in u) u.site_admin = false;
  return u;
}

export interface RepoRef {
  owner: string;
  name: string;
}

/** Rename the example's repository everywhere (full_name, URLs) and set its owner. */
function editRepository(payload: Json, repo: RepoRef, ownerType: "User" | "Organization"): void {
  const oldFull = String(payload.repository.full_name);
  const newFull = `${repo.owner}/${repo.name}`;
  if (oldFull !== newFull) {
    const re = new RegExp(`(?<=[/:])${escapeRegExp(oldFull)}(?=$|[/{?#.])`, "g");
    mapStrings(payload, (s) => (s === oldFull ? newFull : s.replace(re, newFull)));
  }
  const r = payload.repository;
  r.name = repo.name;
  r.full_name = newFull;
  r.owner = editUser(r.owner, { login: repo.owner, type: ownerType, id: repo.owner === r.owner.login ? r.owner.id : undefined });
  if (ownerType === "Organization") {
    // GitHub adds `organization` to deliveries for org-owned repositories.
    const org = payload.organization ?? webhookExample<Json>("issue_comment", "created", 1).organization;
    const oldLogin = String(org.login);
    const re = new RegExp(`/orgs/${escapeRegExp(oldLogin)}(?=$|[/{?#])`, "g");
    mapStrings(org, (s) => s.replace(re, `/orgs/${repo.owner}`));
    org.login = repo.owner;
    org.id = r.owner.id;
    org.node_id = legacyNodeId("Organization", org.id);
    payload.organization = org;
  } else {
    delete payload.organization;
  }
}

function editInstallation(payload: Json, installationId: number): void {
  const template = payload.installation ?? webhookExample<Json>("issue_comment", "created", 3).installation;
  payload.installation = { ...template, id: installationId, node_id: legacyNodeId("IntegrationInstallation", installationId) };
}

/** Label objects shaped like the recorded one (id, node_id, url, name, color, default, description). */
function editLabels(payload: Json, names: string[]): Json[] {
  const template =
    payload.issue?.labels?.[0] ?? payload.label ?? webhookExample<Json>("issues", "labeled").label;
  const repoApi = `https://api.github.com/repos/${payload.repository.full_name}`;
  return names.map((name) => {
    const id = stableId(name, `label:${payload.repository.full_name}`);
    return {
      ...structuredClone(template),
      id,
      node_id: legacyNodeId("Label", id),
      url: `${repoApi}/labels/${encodeURIComponent(name)}`,
      name,
      color: "ededed",
      default: false,
      description: null,
    };
  });
}

export interface IssueOptions {
  /** Repository; default the example's Codertocat/Hello-World. */
  repo?: RepoRef;
  /** Repository owner type; "Organization" also sets the `organization` field. Default "User". */
  ownerType?: "User" | "Organization";
  installationId?: number;
  issueNumber: number;
  /** The issue's database id (what sub-issue/dependency APIs take). Default: derived from repo and number. */
  issueId?: number;
  issueTitle?: string;
  issueBody?: string | null;
  labels?: string[];
  /** Who opened the issue; default the sender. */
  issueAuthor?: UserRef;
}

/** Default database id for an issue: stable per repo and number, distinct from the number. */
export function issueIdFor(repo: RepoRef, issueNumber: number): number {
  return stableId(`${repo.owner}/${repo.name}#${issueNumber}`, "issue");
}

export const DEFAULT_REPO: RepoRef = { owner: "Codertocat", name: "Hello-World" };
export const DEFAULT_INSTALLATION_ID = 1;

function editIssue(payload: Json, o: IssueOptions, author: UserRef): void {
  const issue = payload.issue;
  const full = payload.repository.full_name;
  const oldNumber = Number(issue.number);
  const oldId = Number(issue.id);
  const repo = o.repo ?? DEFAULT_REPO;
  const id = o.issueId ?? issueIdFor(repo, o.issueNumber);
  const numRe = new RegExp(`(/repos/|github\\.com/)(${escapeRegExp(full)})/issues/${oldNumber}(?=$|[/{?#])`, "g");
  mapStrings(issue, (s) => s.replace(numRe, `$1$2/issues/${o.issueNumber}`));
  if (payload.comment) {
    mapStrings(payload.comment, (s) => s.replace(numRe, `$1$2/issues/${o.issueNumber}`));
  }
  issue.number = o.issueNumber;
  issue.id = id;
  if (id !== oldId) issue.node_id = legacyNodeId("Issue", id);
  if (o.issueTitle !== undefined) issue.title = o.issueTitle;
  if (o.issueBody !== undefined) issue.body = o.issueBody;
  issue.labels = editLabels(payload, o.labels ?? []);
  issue.user = editUser(issue.user, author);
  issue.author_association = author.login === repo.owner ? "OWNER" : "NONE";
  // the recorded issue is assigned and milestoned; a fresh one is neither
  issue.assignee = null;
  issue.assignees = [];
  issue.milestone = null;
  issue.state = "open";
  issue.closed_at = null;
  delete issue.pull_request;
}

function prepare(event: string, action: string, o: IssueOptions): { payload: Json; repo: RepoRef } {
  const payload = baseExample(event, action);
  const repo = o.repo ?? DEFAULT_REPO;
  editRepository(payload, repo, o.ownerType ?? "User");
  editInstallation(payload, o.installationId ?? DEFAULT_INSTALLATION_ID);
  return { payload, repo };
}

// ---------------------------------------------------------------------------
// Builders

export type IssueCommentCreatedPayload = Context<"issue_comment.created">["payload"];
export type IssuesOpenedPayload = Context<"issues.opened">["payload"];
export type IssuesLabeledPayload = Context<"issues.labeled">["payload"];
export type IssuesClosedPayload = Context<"issues.closed">["payload"];

export interface IssueCommentOptions extends IssueOptions {
  /** Comment text. */
  body: string;
  /** The commenter (also the sender). Bots are conventionally named `name[bot]`. */
  login: string;
  userType?: UserType;
  userId?: number;
  commentId?: number;
  /** Default "OWNER" when the commenter owns the repository, else "NONE". */
  authorAssociation?: string;
}

/** `issue_comment.created`, edited from GitHub's recorded delivery. */
export function issueCommentCreated(o: IssueCommentOptions): IssueCommentCreatedPayload {
  const { payload, repo } = prepare("issue_comment", "created", o);
  const commenter: UserRef = { login: o.login, type: o.userType ?? "User", ...(o.userId !== undefined ? { id: o.userId } : {}) };
  editIssue(payload, o, o.issueAuthor ?? commenter);

  const c = payload.comment;
  const oldCommentId = Number(c.id);
  const commentId = o.commentId ?? stableId(`${repo.owner}/${repo.name}#${o.issueNumber}:${o.body}`, "comment");
  mapStrings(c, (s) =>
    s.replace(`/issues/comments/${oldCommentId}`, `/issues/comments/${commentId}`).replace(`#issuecomment-${oldCommentId}`, `#issuecomment-${commentId}`),
  );
  c.id = commentId;
  c.node_id = legacyNodeId("IssueComment", commentId);
  c.body = o.body;
  c.user = editUser(c.user, commenter);
  c.author_association = o.authorAssociation ?? (o.login === repo.owner ? "OWNER" : "NONE");
  payload.sender = structuredClone(c.user);
  return payload as IssueCommentCreatedPayload;
}

export interface IssuesEventOptions extends IssueOptions {
  /** Who did it (sender); also the issue author unless `issueAuthor` is given. */
  login: string;
  userType?: UserType;
  userId?: number;
}

function issuesEvent(action: string, baseAction: string, o: IssuesEventOptions): Json {
  const { payload } = prepare("issues", baseAction, o);
  const sender: UserRef = { login: o.login, type: o.userType ?? "User", ...(o.userId !== undefined ? { id: o.userId } : {}) };
  editIssue(payload, o, o.issueAuthor ?? sender);
  payload.action = action;
  payload.sender = editUser(payload.sender, sender);
  delete payload.changes;
  return payload;
}

/** `issues.opened`, edited from GitHub's recorded delivery. */
export function issuesOpened(o: IssuesEventOptions): IssuesOpenedPayload {
  return issuesEvent("opened", "opened", o) as IssuesOpenedPayload;
}

/** `issues.labeled`: `label` is the label just added; `labels` (the issue's labels) gets it too. */
export function issuesLabeled(o: IssuesEventOptions & { label: string }): IssuesLabeledPayload {
  const labels = [...(o.labels ?? []).filter((l) => l !== o.label), o.label];
  const payload = issuesEvent("labeled", "labeled", { ...o, labels });
  payload.label = structuredClone(payload.issue.labels.find((l: Json) => l.name === o.label));
  return payload as IssuesLabeledPayload;
}

/**
 * `issues.closed`. The examples package has no recorded `closed` delivery,
 * so this edits the recorded `reopened` one (same shape) and sets
 * action/state/closed_at/state_reason as GitHub does on close.
 */
export function issuesClosed(o: IssuesEventOptions & { stateReason?: "completed" | "not_planned" | "duplicate" }): IssuesClosedPayload {
  const payload = issuesEvent("closed", "reopened", o);
  const issue = payload.issue;
  issue.state = "closed";
  issue.closed_at = issue.updated_at;
  issue.state_reason = o.stateReason ?? "completed";
  return payload as IssuesClosedPayload;
}

// ---------------------------------------------------------------------------
// Delivering

export type WebhookDelivery = Parameters<Probot["receive"]>[0];

/** `{ id, name, payload }` for `probot.receive(...)`, with a fresh delivery GUID. */
export function delivery(name: WebhookDelivery["name"], payload: unknown, id: string = randomUUID()): WebhookDelivery {
  return { id, name, payload } as WebhookDelivery;
}
