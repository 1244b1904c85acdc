/**
 * The JSON GitHub sends for the twin's records, field for field as the REST
 * description (`@octokit/openapi`, components.schemas) documents them. The
 * twin's tests check these against the description with `checkResponse`.
 */
import type {
  AppState,
  CommentState,
  CommitState,
  InstallationState,
  IssueState,
  LabelState,
  ReactionState,
  RepoState,
  Role,
  TwinUser,
} from "./model.js";

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Urls {
  /** REST API root, no trailing slash: https://api.github.com */
  api: string;
  /** web root: https://github.com */
  web: string;
}

export const GITHUB_URLS: Urls = { api: "https://api.github.com", web: "https://github.com" };

/** GitHub's timestamp format: ISO 8601 in UTC, whole seconds. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** GitHub's legacy node ids: base64("0<len>:<Type><id>"). */
export function legacyNodeId(type: string, id: number): string {
  return Buffer.from(`0${type.length}:${type}${id}`).toString("base64");
}

/** Newer node ids look like `I_kwDOABCD…`: a type prefix and opaque base64url. */
export function nextNodeId(prefix: string, ...parts: number[]): string {
  const buf = Buffer.alloc(parts.length * 8);
  parts.forEach((p, i) => buf.writeBigUInt64BE(BigInt(p), i * 8));
  return `${prefix}_kwDO${buf.toString("base64url").replace(/^A+/, "")}`;
}

function userPath(login: string): string {
  return encodeURIComponent(login);
}

export function simpleUser(u: TwinUser, urls: Urls): Json {
  const api = `${urls.api}/users/${userPath(u.login)}`;
  const html = u.type === "Bot" ? `${urls.web}/apps/${u.login.replace(/\[bot\]$/, "")}` : `${urls.web}/${u.login}`;
  return {
    login: u.login,
    id: u.id,
    node_id: legacyNodeId(u.type === "Bot" ? "Bot" : u.type === "Organization" ? "Organization" : "User", u.id),
    avatar_url: `https://avatars.githubusercontent.com/${u.type === "Bot" ? "in" : "u"}/${u.id}?v=4`,
    gravatar_id: "",
    url: api,
    html_url: html,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: u.type,
    user_view_type: "public",
    site_admin: false,
  };
}

export function labelJson(repo: RepoState, l: LabelState, urls: Urls): Json {
  return {
    id: l.id,
    node_id: legacyNodeId("Label", l.id),
    url: `${urls.api}/repos/${repo.full_name}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    color: l.color,
    default: l.default,
    description: l.description,
  };
}

function reactionRollup(url: string, reactions: readonly ReactionState[] = []): Json {
  const count = (c: string) => reactions.filter((r) => r.content === c).length;
  return {
    url,
    total_count: reactions.length,
    "+1": count("+1"),
    "-1": count("-1"),
    laugh: count("laugh"),
    hooray: count("hooray"),
    confused: count("confused"),
    heart: count("heart"),
    rocket: count("rocket"),
    eyes: count("eyes"),
  };
}

/** author_association as GitHub computes it for the repository. */
export function authorAssociation(repo: RepoState, user: TwinUser): string {
  if (user.login.toLowerCase() === repo.owner.login.toLowerCase()) return "OWNER";
  const role = repo.collaborators.get(user.login.toLowerCase());
  if (role && role !== "none") return repo.owner.type === "Organization" ? "MEMBER" : "COLLABORATOR";
  return "NONE";
}

export interface IssueJsonContext {
  urls: Urls;
  app: AppState;
  issuesById: ReadonlyMap<number, IssueState>;
  /** the single-issue endpoints add closed_by; lists leave it out */
  detail?: boolean;
}

export function issueJson(issue: IssueState, ctx: IssueJsonContext): Json {
  const { urls } = ctx;
  const repo = issue.repo;
  const repoApi = `${urls.api}/repos/${repo.full_name}`;
  const api = `${repoApi}/issues/${issue.number}`;
  const kind = issue.pull_request ? "pull" : "issues";
  const subs = issue.sub_issues.map((id) => ctx.issuesById.get(id)).filter((i): i is IssueState => !!i);
  const completed = subs.filter((s) => s.state === "closed").length;
  const blocking = [...ctx.issuesById.values()].filter((i) => i.blocked_by.includes(issue.id));
  const blockedBy = issue.blocked_by.map((id) => ctx.issuesById.get(id)).filter((i): i is IssueState => !!i);
  const parent = issue.parent !== null ? ctx.issuesById.get(issue.parent) : undefined;
  const json: Json = {
    url: api,
    repository_url: repoApi,
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: `${urls.web}/${repo.full_name}/${kind}/${issue.number}`,
    id: issue.id,
    node_id: issue.node_id,
    number: issue.number,
    title: issue.title,
    user: simpleUser(issue.user, urls),
    labels: issue.labels.map((k) => repo.labels.get(k)).filter((l): l is LabelState => !!l).map((l) => labelJson(repo, l, urls)),
    state: issue.state,
    locked: issue.locked,
    assignee: issue.assignees[0] ? simpleUser(issue.assignees[0], urls) : null,
    assignees: issue.assignees.map((a) => simpleUser(a, urls)),
    milestone: null,
    comments: issue.comments,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.closed_at,
    author_association: authorAssociation(repo, issue.user),
    type: null,
    active_lock_reason: null,
    sub_issues_summary: {
      total: subs.length,
      completed,
      percent_completed: subs.length ? Math.floor((completed * 100) / subs.length) : 0,
    },
    issue_dependencies_summary: {
      blocked_by: blockedBy.filter((i) => i.state === "open").length,
      blocking: blocking.filter((i) => i.state === "open").length,
      total_blocked_by: blockedBy.length,
      total_blocking: blocking.length,
    },
    body: issue.body,
    reactions: reactionRollup(`${api}/reactions`),
    timeline_url: `${api}/timeline`,
    performed_via_github_app: issue.performed_via ? appJson(issue.performed_via, urls) : null,
    state_reason: issue.state_reason,
  };
  if (parent) json.parent_issue_url = `${urls.api}/repos/${parent.repo.full_name}/issues/${parent.number}`;
  if (issue.pull_request) {
    json.draft = false;
    json.pull_request = {
      url: `${repoApi}/pulls/${issue.number}`,
      html_url: `${urls.web}/${repo.full_name}/pull/${issue.number}`,
      diff_url: `${urls.web}/${repo.full_name}/pull/${issue.number}.diff`,
      patch_url: `${urls.web}/${repo.full_name}/pull/${issue.number}.patch`,
      merged_at: null,
    };
  }
  if (ctx.detail) json.closed_by = issue.closed_by ? simpleUser(issue.closed_by, urls) : null;
  return json;
}

export function commentJson(c: CommentState, issue: IssueState, urls: Urls): Json {
  const repoApi = `${urls.api}/repos/${c.repo.full_name}`;
  const url = `${repoApi}/issues/comments/${c.id}`;
  const kind = issue.pull_request ? "pull" : "issues";
  return {
    url,
    html_url: `${urls.web}/${c.repo.full_name}/${kind}/${issue.number}#issuecomment-${c.id}`,
    issue_url: `${repoApi}/issues/${issue.number}`,
    id: c.id,
    node_id: c.node_id,
    user: simpleUser(c.user, urls),
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: authorAssociation(c.repo, c.user),
    body: c.body,
    reactions: reactionRollup(`${url}/reactions`, c.reactions),
    performed_via_github_app: c.performed_via ? appJson(c.performed_via, urls) : null,
  };
}

export function reactionJson(r: ReactionState, urls: Urls): Json {
  return { id: r.id, node_id: r.node_id, user: simpleUser(r.user, urls), content: r.content, created_at: r.created_at };
}

const REPO_URL_TEMPLATES: Record<string, string> = {
  forks_url: "/forks",
  keys_url: "/keys{/key_id}",
  collaborators_url: "/collaborators{/collaborator}",
  teams_url: "/teams",
  hooks_url: "/hooks",
  issue_events_url: "/issues/events{/number}",
  events_url: "/events",
  assignees_url: "/assignees{/user}",
  branches_url: "/branches{/branch}",
  tags_url: "/tags",
  blobs_url: "/git/blobs{/sha}",
  git_tags_url: "/git/tags{/sha}",
  git_refs_url: "/git/refs{/sha}",
  trees_url: "/git/trees{/sha}",
  statuses_url: "/statuses/{sha}",
  languages_url: "/languages",
  stargazers_url: "/stargazers",
  contributors_url: "/contributors",
  subscribers_url: "/subscribers",
  subscription_url: "/subscription",
  commits_url: "/commits{/sha}",
  git_commits_url: "/git/commits{/sha}",
  comments_url: "/comments{/number}",
  issue_comment_url: "/issues/comments{/number}",
  contents_url: "/contents/{+path}",
  compare_url: "/compare/{base}...{head}",
  merges_url: "/merges",
  archive_url: "/{archive_format}{/ref}",
  downloads_url: "/downloads",
  issues_url: "/issues{/number}",
  pulls_url: "/pulls{/number}",
  milestones_url: "/milestones{/number}",
  notifications_url: "/notifications{?since,all,participating}",
  labels_url: "/labels{/name}",
  releases_url: "/releases{/id}",
  deployments_url: "/deployments",
};

/** `full-repository` (GET /repos/{owner}/{repo}); also the base of webhook `repository` objects. */
export function repoJson(repo: RepoState, urls: Urls, role?: Role): Json {
  const api = `${urls.api}/repos/${repo.full_name}`;
  const open = [...repo.issues.values()].filter((i) => i.state === "open").length;
  const json: Json = {
    id: repo.id,
    node_id: repo.node_id,
    name: repo.name,
    full_name: repo.full_name,
    private: repo.private,
    owner: simpleUser(repo.owner, urls),
    html_url: `${urls.web}/${repo.full_name}`,
    description: repo.description,
    fork: false,
    url: api,
  };
  for (const [k, suffix] of Object.entries(REPO_URL_TEMPLATES)) json[k] = api + suffix;
  Object.assign(json, {
    created_at: repo.created_at,
    updated_at: repo.updated_at,
    pushed_at: repo.pushed_at,
    git_url: `git://${new URL(urls.web).host}/${repo.full_name}.git`,
    ssh_url: `git@${new URL(urls.web).host}:${repo.full_name}.git`,
    clone_url: `${urls.web}/${repo.full_name}.git`,
    svn_url: `${urls.web}/${repo.full_name}`,
    homepage: null,
    size: 0,
    stargazers_count: 0,
    watchers_count: 0,
    language: "TypeScript",
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: true,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: open,
    license: null,
    allow_forking: true,
    is_template: repo.isTemplate ?? false,
    web_commit_signoff_required: false,
    topics: [],
    visibility: repo.private ? "private" : "public",
    forks: 0,
    open_issues: open,
    watchers: 0,
    default_branch: repo.default_branch,
    network_count: 0,
    subscribers_count: 0,
  });
  if (role) {
    json.permissions = {
      admin: role === "admin",
      maintain: role === "admin" || role === "maintain",
      push: ["admin", "maintain", "write"].includes(role),
      triage: ["admin", "maintain", "write", "triage"].includes(role),
      pull: role !== "none",
    };
  }
  return json;
}

export function appJson(app: AppState, urls: Urls): Json {
  return {
    id: app.id,
    slug: app.slug,
    node_id: legacyNodeId("Integration", app.id),
    client_id: app.client_id,
    owner: simpleUser(app.owner, urls),
    name: app.name,
    description: app.slug === "github-actions" ? "Automate your workflow from idea to production" : "Turns one goal into milestones, features and validated work.",
    external_url: `${urls.web}/apps/${app.slug}`,
    html_url: `${urls.web}/apps/${app.slug}`,
    created_at: app.created_at,
    updated_at: app.created_at,
    permissions: { ...app.permissions },
    events: [...app.events],
  };
}

export function installationJson(inst: InstallationState, app: AppState, urls: Urls): Json {
  const org = inst.account.type === "Organization";
  return {
    id: inst.id,
    account: simpleUser(inst.account, urls),
    repository_selection: inst.repositories === "all" ? "all" : "selected",
    access_tokens_url: `${urls.api}/app/installations/${inst.id}/access_tokens`,
    repositories_url: `${urls.api}/installation/repositories`,
    html_url: org
      ? `${urls.web}/organizations/${inst.account.login}/settings/installations/${inst.id}`
      : `${urls.web}/settings/installations/${inst.id}`,
    app_id: app.id,
    app_slug: app.slug,
    target_id: inst.account.id,
    target_type: inst.account.type,
    permissions: { ...inst.permissions },
    events: [...inst.events],
    created_at: inst.created_at,
    updated_at: inst.created_at,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

function contentLinks(repo: RepoState, path: string, sha: string, ref: string, urls: Urls, type: "file" | "dir") {
  const self = `${urls.api}/repos/${repo.full_name}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const git = `${urls.api}/repos/${repo.full_name}/git/${type === "file" ? "blobs" : "trees"}/${sha}`;
  const html = `${urls.web}/${repo.full_name}/${type === "file" ? "blob" : "tree"}/${ref}/${path}`;
  return { self, git, html };
}

/** Base64 as GitHub writes it in contents and blobs: wrapped at 60 characters with "\n". */
export function wrappedBase64(bytes: Buffer): string {
  const b64 = bytes.toString("base64");
  return b64.length ? `${b64.match(/.{1,60}/g)!.join("\n")}\n` : "";
}

/**
 * Files over 1 MB: "Between 1-100 MB: … the `content` field will be an
 * empty string and the `encoding` field will be `"none"`. To get the contents
 * of these larger files, use the `raw` media type." (REST docs "Get repository
 * content"; observed with the default media type: githubocto/flat-viewer#41,
 * google/go-github#2924). The blob API serves them (up to 100 MB).
 */
export const CONTENTS_MAX_BYTES = 1024 * 1024;

/** `content-file`: GitHub wraps the base64 at 60 characters with "\n". */
export function contentFileJson(repo: RepoState, path: string, blob: { sha: string; bytes: Buffer }, ref: string, urls: Urls): Json {
  const links = contentLinks(repo, path, blob.sha, ref, urls, "file");
  const large = blob.bytes.length > CONTENTS_MAX_BYTES;
  const wrapped = large ? "" : wrappedBase64(blob.bytes);
  return {
    name: path.split("/").pop(),
    path,
    sha: blob.sha,
    size: blob.bytes.length,
    url: links.self,
    html_url: links.html,
    git_url: links.git,
    download_url: `https://raw.githubusercontent.com/${repo.full_name}/${ref}/${path}`,
    type: "file",
    content: wrapped,
    encoding: large ? "none" : "base64",
    _links: links,
  };
}

export function contentEntryJson(
  repo: RepoState,
  entry: { path: string; type: "file" | "dir"; sha: string; size: number },
  ref: string,
  urls: Urls,
): Json {
  const links = contentLinks(repo, entry.path, entry.sha, ref, urls, entry.type);
  return {
    name: entry.path.split("/").pop(),
    path: entry.path,
    sha: entry.sha,
    size: entry.size,
    url: links.self,
    html_url: links.html,
    git_url: links.git,
    download_url: entry.type === "file" ? `https://raw.githubusercontent.com/${repo.full_name}/${ref}/${entry.path}` : null,
    type: entry.type,
    _links: links,
  };
}

export function fileCommitJson(repo: RepoState, path: string, blob: { sha: string; bytes: Buffer }, commit: CommitState, branch: string, urls: Urls): Json {
  const api = `${urls.api}/repos/${repo.full_name}`;
  const { content: _content, encoding: _encoding, ...content } = contentFileJson(repo, path, blob, branch, urls);
  return {
    content,
    commit: {
      sha: commit.sha,
      node_id: legacyNodeId("Commit", parseInt(commit.sha.slice(0, 8), 16)),
      url: `${api}/git/commits/${commit.sha}`,
      html_url: `${urls.web}/${repo.full_name}/commit/${commit.sha}`,
      author: commit.author,
      committer: commit.committer,
      message: commit.message,
      tree: { url: `${api}/git/trees/${commit.tree}`, sha: commit.tree },
      parents: commit.parents.map((sha) => ({ url: `${api}/git/commits/${sha}`, html_url: `${urls.web}/${repo.full_name}/commit/${sha}`, sha })),
      verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
    },
  };
}

export function collaboratorJson(user: TwinUser, role: Role, urls: Urls): Json {
  return {
    ...simpleUser(user, urls),
    permissions: {
      admin: role === "admin",
      maintain: role === "admin" || role === "maintain",
      push: ["admin", "maintain", "write"].includes(role),
      triage: ["admin", "maintain", "write", "triage"].includes(role),
      pull: role !== "none",
    },
    role_name: role,
  };
}

/** GitHub's legacy `permission`: maintain → write, triage → read. */
export function legacyPermission(role: Role): "admin" | "write" | "read" | "none" {
  if (role === "admin") return "admin";
  if (role === "maintain" || role === "write") return "write";
  if (role === "triage" || role === "read") return "read";
  return "none";
}
