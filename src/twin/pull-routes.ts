/**
 * Pull requests for the twin's REST front door: open one from a branch and
 * list them, with GitHub's refusals. Only what the bot uses (the hand-over
 * of a mission branch); reviews, merges and `pull_request` events are not
 * modelled. https://docs.github.com/en/rest/pulls/pulls
 */
import type { IssueState, RepoState } from "./model.js";
import { issueJson, repoJson, simpleUser, type Json } from "./serialize.js";
import { actorUser, fail, json, page, repoOf, validationFailed, via, type Ctx, type Route, type TwinResponse } from "./respond.js";
import { codePoints, MAX_BODY } from "./routes.js";

/** `owner:branch` or `branch` → the branch, when it names this repository (forks are not modelled). */
function branchOf(repo: RepoState, head: string): string | undefined {
  const colon = head.indexOf(":");
  if (colon < 0) return head;
  return head.slice(0, colon).toLowerCase() === repo.owner.login.toLowerCase() ? head.slice(colon + 1) : undefined;
}

/**
 * POST /repos/{owner}/{repo}/pulls, refused as GitHub refuses it:
 * - GITHUB_TOKEN without the repository's "Allow GitHub Actions to create and approve pull requests": 403
 *   "GitHub Actions is not permitted to create or approve pull requests." (peter-evans/create-pull-request#1175,
 *   #3979; github.blog changelog 2022-05-03);
 * - a head or base branch that does not exist: 422 `{resource: "PullRequest", field: "head"|"base", code: "invalid"}`
 *   (shepherd-tools/shepherd#51; log2timeline/l2tdevtools#205);
 * - a head with no commits the base lacks: 422 custom "No commits between main and branch"
 *   (cyberark/dev-flow#42; tgymnich/fork-sync#112; peter-evans/create-pull-request#4088);
 * - an open pull request from that head to that base: 422 custom "A pull request already exists for owner:branch."
 *   (vsoch/pull-request-action#86; github/VisualStudio#453);
 * - a body over 65,536 characters, as for issues.
 */
function createPull(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const b = c.body;
  if (c.actor.kind === "actions" && !c.twin.options.actionsMayCreatePullRequests) {
    return fail(403, "GitHub Actions is not permitted to create or approve pull requests.");
  }
  for (const field of ["head", "base"] as const) {
    if (typeof b[field] !== "string" || !b[field]) return validationFailed([{ resource: "PullRequest", code: "missing_field", field }]);
  }
  if (typeof b.title !== "string" || !b.title.trim()) return validationFailed([{ resource: "PullRequest", code: "missing_field", field: "title" }]);
  if (typeof b.body === "string" && codePoints(b.body) > MAX_BODY) return validationFailed([{ resource: "PullRequest", code: "custom", field: "body", message: "body is too long (maximum is 65536 characters)" }]);
  const head = branchOf(repo, b.head as string);
  const base = b.base as string;
  const headCommit = head ? c.twin.head(repo, head) : undefined;
  const baseCommit = c.twin.head(repo, base);
  if (!headCommit || !head) return validationFailed([{ resource: "PullRequest", field: "head", code: "invalid" }]);
  if (!baseCommit) return validationFailed([{ resource: "PullRequest", field: "base", code: "invalid" }]);
  if (c.twin.isAncestor(repo, headCommit.sha, baseCommit.sha)) {
    return validationFailed([{ resource: "PullRequest", code: "custom", message: `No commits between ${base} and ${head}` }]);
  }
  if ([...repo.issues.values()].some((i) => i.pull?.head === head && i.pull.base === base && i.state === "open")) {
    return validationFailed([{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${repo.owner.login}:${head}.` }]);
  }
  const issue = c.twin.createIssue(repo, actorUser(c), { title: b.title, body: (b.body as string | null | undefined) ?? null, pullRequest: true }, via(c));
  issue.pull = { head, head_sha: headCommit.sha, base, base_sha: baseCommit.sha };
  return json(201, pullJson(c, issue, true), { location: `${c.twin.urls.api}/repos/${repo.full_name}/pulls/${issue.number}` });
}

/** GET /repos/{owner}/{repo}/pulls: `state` (open by default), `head` (`owner:branch`), `base`; newest first. */
function listPulls(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const state = c.query.get("state") ?? "open";
  const headParam = c.query.get("head");
  const head = headParam ? branchOf(repo, headParam) : undefined;
  const base = c.query.get("base");
  const pulls = [...repo.issues.values()]
    .filter((i) => i.pull && (state === "all" || i.state === state))
    .filter((i) => (headParam ? head !== undefined && i.pull!.head === head : true))
    .filter((i) => (base ? i.pull!.base === base : true))
    .sort((a, b) => b.number - a.number);
  return page(c, pulls.map((i) => pullJson(c, i, false)));
}

function pullJson(c: Ctx, issue: IssueState, detail: boolean): Json {
  const urls = c.twin.urls;
  const repo = issue.repo;
  const base = issueJson(issue, { urls, app: c.twin.app, issuesById: c.twin.issuesById });
  const api = `${urls.api}/repos/${repo.full_name}/pulls/${issue.number}`;
  const pull = issue.pull!;
  const side = (ref: string, sha: string): Json => ({ label: `${repo.owner.login}:${ref}`, ref, sha, user: simpleUser(repo.owner, urls), repo: repoJson(repo, urls) });
  const json: Json = {
    url: api,
    id: issue.id,
    node_id: issue.node_id,
    html_url: `${urls.web}/${repo.full_name}/pull/${issue.number}`,
    diff_url: `${urls.web}/${repo.full_name}/pull/${issue.number}.diff`,
    patch_url: `${urls.web}/${repo.full_name}/pull/${issue.number}.patch`,
    issue_url: base.url,
    commits_url: `${api}/commits`,
    review_comments_url: `${api}/comments`,
    review_comment_url: `${urls.api}/repos/${repo.full_name}/pulls/comments{/number}`,
    comments_url: base.comments_url,
    statuses_url: `${urls.api}/repos/${repo.full_name}/statuses/${pull.head_sha}`,
    number: issue.number,
    state: issue.state,
    locked: issue.locked,
    title: issue.title,
    user: base.user,
    body: issue.body,
    labels: base.labels,
    milestone: null,
    active_lock_reason: null,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.closed_at,
    merged_at: null,
    merge_commit_sha: null,
    assignee: base.assignee,
    assignees: base.assignees,
    requested_reviewers: [],
    requested_teams: [],
    head: side(pull.head, pull.head_sha),
    base: side(pull.base, pull.base_sha),
    _links: {
      self: { href: api },
      html: { href: `${urls.web}/${repo.full_name}/pull/${issue.number}` },
      issue: { href: base.url as string },
      comments: { href: base.comments_url as string },
      review_comments: { href: `${api}/comments` },
      review_comment: { href: `${urls.api}/repos/${repo.full_name}/pulls/comments{/number}` },
      commits: { href: `${api}/commits` },
      statuses: { href: `${urls.api}/repos/${repo.full_name}/statuses/${pull.head_sha}` },
    },
    author_association: base.author_association,
    auto_merge: null,
    draft: false,
  };
  if (detail) {
    Object.assign(json, {
      merged: false,
      mergeable: null,
      rebaseable: null,
      mergeable_state: "unknown",
      merged_by: null,
      comments: issue.comments,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: 1,
      additions: 0,
      deletions: 0,
      changed_files: 0,
    });
  }
  return json;
}

const R = "/repos/{owner}/{repo}";

export const PULL_ROUTES: ReadonlyArray<[string, Route]> = [
  [`GET ${R}/pulls`, { auth: "token", perm: ["pull_requests", "read"], handler: listPulls }],
  [`POST ${R}/pulls`, { auth: "token", perm: ["pull_requests", "write"], role: "write", handler: createPull }],
];
