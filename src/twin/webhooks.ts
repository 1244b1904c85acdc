/**
 * The webhook deliveries GitHub would send for the twin's mutations.
 *
 * Payloads start from GitHub's recorded examples (`@octokit/webhooks-examples`
 * via examples.ts) and overwrite what the twin knows —
 * repository, sender, installation, organization, issue, comment, label — with
 * the twin's own state, serialised as the REST API serialises it. Where the
 * examples package has no recording (issues.closed, workflow_run.in_progress,
 * sub_issues, issue_dependencies) the payload follows the event's schema in
 * `@octokit/openapi` (x-webhooks): closed is edited from the recorded
 * `reopened` (same shape), the others are assembled from the same parts.
 */
import { webhookExample } from "./examples.js";
import type { CommentState, IssueState, LabelState, RepoState, TwinUser } from "./model.js";
import { commentJson, issueJson, labelJson, legacyNodeId, repoJson, simpleUser, type Json } from "./serialize.js";
import type { GitHubTwin } from "./state.js";

export interface TwinEvent {
  /** X-GitHub-Delivery */
  id: string;
  /** X-GitHub-Event */
  name: string;
  action: string;
  payload: Json;
  /** sender login */
  sender: string;
  /** twin clock when it happened (ms) */
  at: number;
  /** the installation it is delivered to (undefined: the app is not installed on the repository) */
  installationId: number | undefined;
}

/** Recorded example to start from, with a same-shape fallback when GitHub's examples lack the action. */
const FALLBACK_ACTION: Record<string, string> = {
  "issues.closed": "reopened",
  // no recording of workflow_run.in_progress: edited from requested (same shape)
  "workflow_run.in_progress": "requested",
};

const exampleCache = new Map<string, Json>();

function example(event: string, action: string): Json {
  const key = `${event}.${action}`;
  let e = exampleCache.get(key);
  if (!e) {
    const use = FALLBACK_ACTION[key] ?? action;
    // the first recording that carries an installation, as App deliveries do
    for (let i = 0; ; i++) {
      let candidate: Json;
      try {
        candidate = webhookExample<Json>(event, use, i);
      } catch {
        break;
      }
      e ??= candidate;
      if (candidate.installation) {
        e = candidate;
        break;
      }
    }
    if (!e) throw new Error(`no recorded example for ${event}.${use}`);
    exampleCache.set(key, e);
  }
  return structuredClone(e);
}

/** Keys in the recorded object's order, values from the twin; fields only the recording has are kept. */
function overlay(recorded: Json | undefined, actual: Json): Json {
  if (!recorded) return actual;
  const out: Json = {};
  for (const k of Object.keys(recorded)) out[k] = k in actual ? actual[k] : recorded[k];
  for (const k of Object.keys(actual)) if (!(k in out)) out[k] = actual[k];
  return out;
}

function webhookRepo(twin: GitHubTwin, repo: RepoState): Json {
  const recorded = example("issues", "opened").repository as Json;
  const full = repoJson(repo, twin.urls);
  const out: Json = {};
  for (const k of Object.keys(recorded)) out[k] = k in full ? full[k] : k === "custom_properties" ? {} : recorded[k];
  return out;
}

function organization(twin: GitHubTwin, owner: TwinUser): Json {
  const api = `${twin.urls.api}/orgs/${owner.login}`;
  return {
    login: owner.login,
    id: owner.id,
    node_id: legacyNodeId("Organization", owner.id),
    url: api,
    repos_url: `${api}/repos`,
    events_url: `${api}/events`,
    hooks_url: `${api}/hooks`,
    issues_url: `${api}/issues`,
    members_url: `${api}/members{/member}`,
    public_members_url: `${api}/public_members{/member}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${owner.id}?v=4`,
    description: null,
  };
}

function webhookIssue(twin: GitHubTwin, issue: IssueState, recorded?: Json): Json {
  const actual = issueJson(issue, { urls: twin.urls, app: twin.app, issuesById: twin.issuesById });
  const out = overlay(recorded, actual);
  // The recording is an issue, not a pull request: drop what the twin's issue does not have.
  if (!issue.pull_request) {
    delete out.pull_request;
    delete out.draft;
  }
  if (issue.parent === null) delete out.parent_issue_url;
  return out;
}

function envelope(twin: GitHubTwin, name: string, action: string, repo: RepoState, sender: TwinUser, payload: Json): TwinEvent {
  const p: Json = { action, ...payload };
  p.action = action; // the recording may be of another action (issues.closed is edited from reopened)
  p.repository = webhookRepo(twin, repo);
  if (repo.owner.type === "Organization") p.organization = organization(twin, repo.owner);
  else delete p.organization;
  delete p.enterprise;
  if (repo.installationId !== undefined) p.installation = { id: repo.installationId, node_id: legacyNodeId("IntegrationInstallation", repo.installationId) };
  else delete p.installation;
  p.sender = simpleUser(sender, twin.urls);
  return { id: twin.deliveryId(), name, action, payload: p, sender: sender.login, at: twin.now(), installationId: repo.installationId };
}

/** issues.{opened,edited,closed,reopened,labeled,unlabeled}; undefined for pull requests (they send pull_request events). */
export function issuesEvent(
  twin: GitHubTwin,
  _name: "issues" | "pull_request",
  action: string,
  issue: IssueState,
  sender: TwinUser,
  extra: { changes?: Json; label?: LabelState } = {},
): TwinEvent | undefined {
  if (issue.pull_request) return undefined;
  const base = example("issues", action);
  const payload: Json = { ...base };
  delete payload.changes;
  delete payload.label;
  delete payload.assignee;
  delete payload.milestone;
  payload.issue = webhookIssue(twin, issue, base.issue as Json);
  if (extra.changes) payload.changes = extra.changes;
  if (extra.label) payload.label = labelJson(issue.repo, extra.label, twin.urls);
  return envelope(twin, "issues", action, issue.repo, sender, payload);
}

/** issue_comment.{created,edited}. */
export function commentEvent(
  twin: GitHubTwin,
  action: "created" | "edited",
  comment: CommentState,
  issue: IssueState,
  sender: TwinUser,
  extra: { changes?: Json } = {},
): TwinEvent {
  const base = example("issue_comment", action);
  const payload: Json = { ...base };
  delete payload.changes;
  payload.issue = webhookIssue(twin, issue, base.issue as Json);
  if (issue.pull_request) {
    // issue_comment on a pull request: the issue carries `pull_request`
    payload.issue = webhookIssue(twin, issue);
  }
  payload.comment = overlay(base.comment as Json, commentJson(comment, issue, twin.urls));
  if (extra.changes) payload.changes = extra.changes;
  return envelope(twin, "issue_comment", action, comment.repo, sender, payload);
}

/** sub_issues.sub_issue_{added,removed} (parent's repository) and parent_issue_{added,removed} (child's). */
export function subIssueEvents(twin: GitHubTwin, what: "added" | "removed", parent: IssueState, child: IssueState, sender: TwinUser): TwinEvent[] {
  const recorded = example("issues", "opened").issue as Json;
  const parentJson = webhookIssue(twin, parent, recorded);
  const childJson = webhookIssue(twin, child, recorded);
  const sameRepo = parent.repo === child.repo;
  const toParent: Json = {
    sub_issue_id: child.id,
    sub_issue: childJson,
    ...(sameRepo ? {} : { sub_issue_repo: webhookRepo(twin, child.repo) }),
    parent_issue_id: parent.id,
    parent_issue: parentJson,
  };
  const toChild: Json = {
    parent_issue_id: parent.id,
    parent_issue: parentJson,
    ...(sameRepo ? {} : { parent_issue_repo: webhookRepo(twin, parent.repo) }),
    sub_issue_id: child.id,
    sub_issue: childJson,
  };
  return [
    envelope(twin, "sub_issues", `sub_issue_${what}`, parent.repo, sender, toParent),
    envelope(twin, "sub_issues", `parent_issue_${what}`, child.repo, sender, toChild),
  ];
}

/** issue_dependencies.blocked_by_{added,removed} (blocked issue's repository) and blocking_{added,removed} (blocking issue's). */
export function blockedByEvents(twin: GitHubTwin, what: "added" | "removed", blocked: IssueState, blocking: IssueState, sender: TwinUser): TwinEvent[] {
  const recorded = example("issues", "opened").issue as Json;
  const blockedJson = webhookIssue(twin, blocked, recorded);
  const blockingJson = webhookIssue(twin, blocking, recorded);
  return [
    envelope(twin, "issue_dependencies", `blocked_by_${what}`, blocked.repo, sender, {
      blocked_issue_id: blocked.id,
      blocked_issue: blockedJson,
      blocking_issue_id: blocking.id,
      blocking_issue: blockingJson,
      blocking_issue_repo: webhookRepo(twin, blocking.repo),
    }),
    envelope(twin, "issue_dependencies", `blocking_${what}`, blocking.repo, sender, {
      blocked_issue_id: blocked.id,
      blocked_issue: blockedJson,
      blocked_issue_repo: webhookRepo(twin, blocked.repo),
      blocking_issue_id: blocking.id,
      blocking_issue: blockingJson,
    }),
  ];
}

/**
 * workflow_run.{requested,in_progress,completed}: the recorded delivery with
 * the twin's run (as GET …/actions/runs/{id} serialises it) and workflow
 * overlaid. Recordings older than `display_title`, `path`, `actor` and
 * `triggering_actor` lack them; the twin's values are added (the schema
 * requires them).
 */
export function workflowRunEvent(
  twin: GitHubTwin,
  action: "requested" | "in_progress" | "completed",
  run: { repo: RepoState; actor: TwinUser; triggeringActor?: TwinUser },
  runJson: Json,
  workflowJson: Json,
): TwinEvent {
  const base = example("workflow_run", action);
  const payload: Json = { ...base };
  const recorded = base.workflow_run as Json;
  const wr = overlay(recorded, runJson);
  for (const k of ["repository", "head_repository"] as const) wr[k] = overlay(recorded[k] as Json | undefined, runJson[k] as Json);
  wr.head_commit = overlay(recorded.head_commit as Json | undefined, runJson.head_commit as Json);
  payload.workflow = overlay(base.workflow as Json, workflowJson);
  payload.workflow_run = wr;
  // a re-run is sent by whoever re-ran it
  return envelope(twin, "workflow_run", action, run.repo, run.triggeringActor ?? run.actor, payload);
}

/** workflow_job.{queued,in_progress,completed}: the recorded delivery with the twin's job (as GET …/jobs serialises it). */
export function workflowJobEvent(
  twin: GitHubTwin,
  action: "queued" | "in_progress" | "completed",
  run: { repo: RepoState; actor: TwinUser },
  jobJson: Json,
): TwinEvent {
  const base = example("workflow_job", action);
  const payload: Json = { ...base };
  delete payload.deployment;
  payload.workflow_job = overlay(base.workflow_job as Json, jobJson);
  return envelope(twin, "workflow_job", action, run.repo, run.actor, payload);
}
