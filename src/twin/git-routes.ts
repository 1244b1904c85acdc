/**
 * Repository contents and git data: the contents API (read and write a
 * file), blobs, trees, commits and refs. Writes go through the branch's rules
 * (protection and rulesets) and are pushes: `on: push` workflows start unless
 * GITHUB_TOKEN made them.
 */
import type { BlobState, CommitState, RepoState } from "./model.js";
import { contentEntryJson, contentFileJson, fileCommitJson, legacyNodeId, wrappedBase64, type Json } from "./serialize.js";
import { gitBlobSha } from "./state.js";
import { actorUser, committerOf, fail, httpDate, json, notFound, page, pushOf, repoOf, type Ctx, type Route, type TwinResponse } from "./respond.js";

const WORKFLOWS_DIR = ".github/workflows/";

/**
 * A direct write to a branch its rules forbid. Contents API: 409 (the
 * description's 409 for `repos/create-or-update-file-contents` is
 * `basic-error` or `repository-rule-violation-error`); a repository ruleset
 * answers "Repository rule violations found" with the rules broken
 * (satisfactory-factories/application#67: "Repository rule violations found
 * Changes must be made through a pull request."; kevgo/prettifier#28),
 * classic branch protection names the rule ("Changes must be made through a
 * pull request.", `Required status check "ci" is expected.`). Never a sha
 * conflict.
 */
export function ruleRefusal(c: Ctx, repo: RepoState, branch: string): TwinResponse | undefined {
  const v = c.twin.ruleViolation(repo, branch, actorUser(c));
  if (!v) return undefined;
  if (v.kind === "ruleset") return fail(409, `Repository rule violations found\n\n${v.reasons.join("\n\n")}\n\n`);
  return fail(409, v.reasons.join("\n"));
}

/**
 * Workflow files need the `workflows` permission: "refusing to allow a GitHub
 * App to create or update workflow `.github/workflows/…` without `workflows`
 * permission" (peter-evans/create-pull-request#1713); through the contents
 * API the answer is 404 (octokit/octokit.rb#1184, octokit/rest.js#368).
 * GITHUB_TOKEN never has it (Actions docs "Permissions for the GITHUB_TOKEN").
 */
function mayWriteWorkflows(c: Ctx): boolean {
  if (c.actor.kind === "actions") return false;
  if (c.actor.kind !== "installation") return true;
  const token = c.twin.tokens.get(c.actor.token);
  const inst = c.twin.installations.get(c.actor.installationId);
  return (token?.permissions ?? inst?.permissions ?? {}).workflows === "write" && inst?.permissions.workflows === "write";
}

/** The last commit reachable from `head` that changed `path` (GitHub's Last-Modified for a file). */
function lastChange(repo: RepoState, head: CommitState, path: string): CommitState {
  let c = head;
  const sha = c.files.get(path)?.sha;
  for (;;) {
    const parent = c.parents[0] ? repo.commits.get(c.parents[0]) : undefined;
    if (!parent || parent.files.get(path)?.sha !== sha) return c;
    c = parent;
  }
}

function getContent(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const ref = c.query.get("ref") ?? undefined;
  const commit = c.twin.resolveRef(repo, ref);
  if (!commit) return fail(404, `No commit found for the ref ${ref}`);
  const path = (c.params.path ?? "").replace(/^\/+|\/+$/g, "");
  const refName = ref ?? repo.default_branch;
  const blob = commit.files.get(path);
  if (blob) return json(200, contentFileJson(repo, path, blob, refName, c.twin.urls), { "last-modified": httpDate(lastChange(repo, commit, path).committer.date) });
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
  if (path.startsWith(WORKFLOWS_DIR) && !mayWriteWorkflows(c)) return notFound();
  const content = String(b.content ?? "");
  if (!/^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/.test(content)) return fail(422, "content is not valid Base64");
  const existing = head.files.get(path);
  if (existing) {
    if (b.sha === undefined || b.sha === null || b.sha === "") return fail(422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
    if (b.sha !== existing.sha) return fail(409, `${path} does not match ${String(b.sha)}`);
  }
  const refused = ruleRefusal(c, repo, branch);
  if (refused) return refused;
  const given = b.committer as { name: string; email: string } | undefined;
  const who = given ?? committerOf(c);
  const { commit, blob } = c.twin.commitFile(repo, branch, path, Buffer.from(content, "base64"), String(b.message), { name: who.name, email: who.email }, pushOf(c));
  return json(existing ? 200 : 201, fileCommitJson(repo, path, blob, commit, branch, c.twin.urls));
}

// ---------------------------------------------------------------------------
// Git data: blobs, trees, commits, refs

function blobOf(c: Ctx, sha: string): BlobState | undefined {
  return c.twin.gitBlobs.get(`${repoOf(c).id}:${sha}`);
}

/** GET …/git/blobs/{file_sha}: "This endpoint supports blobs up to 100 megabytes in size"; `content` always base64. */
function getBlob(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const sha = c.params.file_sha!;
  const blob = blobOf(c, sha);
  if (!blob) return notFound();
  return json(200, {
    sha: blob.sha,
    node_id: legacyNodeId("Blob", parseInt(blob.sha.slice(0, 8), 16)),
    size: blob.bytes.length,
    url: `${c.twin.urls.api}/repos/${repo.full_name}/git/blobs/${blob.sha}`,
    content: wrappedBase64(blob.bytes),
    encoding: "base64",
  });
}

function createBlob(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const encoding = c.body.encoding ?? "utf-8";
  if (encoding !== "utf-8" && encoding !== "base64") return fail(422, `encoding must be "utf-8" or "base64"`);
  const bytes = Buffer.from(String(c.body.content ?? ""), encoding === "base64" ? "base64" : "utf8");
  const blob: BlobState = { sha: gitBlobSha(bytes), bytes };
  c.twin.gitBlobs.set(`${repo.id}:${blob.sha}`, blob);
  const url = `${c.twin.urls.api}/repos/${repo.full_name}/git/blobs/${blob.sha}`;
  return json(201, { url, sha: blob.sha }, { location: url });
}

function treeJson(c: Ctx, sha: string, files: Map<string, BlobState>): Json {
  const repo = repoOf(c);
  const api = `${c.twin.urls.api}/repos/${repo.full_name}/git`;
  return {
    sha,
    url: `${api}/trees/${sha}`,
    tree: [...files.keys()].sort().map((path) => {
      const b = files.get(path)!;
      return { path, mode: "100644", type: "blob", sha: b.sha, size: b.bytes.length, url: `${api}/blobs/${b.sha}` };
    }),
    truncated: false,
  };
}

function createTree(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const base = typeof c.body.base_tree === "string" ? c.twin.gitTrees.get(`${repo.id}:${c.body.base_tree}`) : undefined;
  if (typeof c.body.base_tree === "string" && !base) return fail(422, "base_tree is not a valid tree oid");
  const files = new Map(base ?? []);
  for (const e of (c.body.tree as Json[] | undefined) ?? []) {
    const path = String(e.path ?? "");
    if (e.type !== undefined && e.type !== "blob") return fail(422, `tree.type "${String(e.type)}" is not modelled by the twin (blobs only)`);
    if (e.sha === null) {
      files.delete(path);
      continue;
    }
    if (typeof e.content === "string") {
      const bytes = Buffer.from(e.content, "utf8");
      files.set(path, { sha: gitBlobSha(bytes), bytes });
      continue;
    }
    const blob = typeof e.sha === "string" ? blobOf(c, e.sha) : undefined;
    if (!blob) return fail(422, `tree.sha ${String(e.sha)} is not a valid blob`);
    files.set(path, blob);
  }
  const sha = c.twin.storeTree(repo, files);
  const out = treeJson(c, sha, files);
  return json(201, out, { location: out.url as string });
}

export function gitCommitJson(c: Ctx, commit: CommitState): Json {
  const repo = repoOf(c);
  const api = `${c.twin.urls.api}/repos/${repo.full_name}`;
  return {
    sha: commit.sha,
    node_id: legacyNodeId("Commit", parseInt(commit.sha.slice(0, 8), 16)),
    url: `${api}/git/commits/${commit.sha}`,
    html_url: `${c.twin.urls.web}/${repo.full_name}/commit/${commit.sha}`,
    author: commit.author,
    committer: commit.committer,
    tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
    message: commit.message,
    parents: commit.parents.map((sha) => ({ sha, url: `${api}/git/commits/${sha}`, html_url: `${c.twin.urls.web}/${repo.full_name}/commit/${sha}` })),
    verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
  };
}

function createCommit(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const b = c.body;
  const parents = Array.isArray(b.parents) ? (b.parents as string[]) : [];
  for (const p of parents) if (!repo.commits.has(p)) return fail(422, `Parent SHA does not exist or is not a commit object`);
  const author = (b.author as { name: string; email: string; date?: string } | undefined) ?? committerOf(c);
  const committer = b.committer as { name: string; email: string; date?: string } | undefined;
  const commit = c.twin.createGitCommit(repo, String(b.tree), parents, String(b.message ?? ""), author, committer);
  if (!commit) return fail(422, "Tree SHA does not exist");
  const out = gitCommitJson(c, commit);
  return json(201, out, { location: out.url as string });
}

function getCommit(c: Ctx): TwinResponse {
  const commit = repoOf(c).commits.get(c.params.commit_sha!);
  return commit ? json(200, gitCommitJson(c, commit)) : notFound();
}

/** "heads/main" (or "refs/heads/main") → "main"; tags are not modelled. */
function branchOfRef(ref: string): string | undefined {
  const m = /^(?:refs\/)?heads\/(.+)$/.exec(ref);
  return m ? m[1] : undefined;
}

function refJson(c: Ctx, branch: string, sha: string): Json {
  const repo = repoOf(c);
  const api = `${c.twin.urls.api}/repos/${repo.full_name}/git`;
  return {
    ref: `refs/heads/${branch}`,
    node_id: legacyNodeId("Ref", parseInt(sha.slice(0, 8), 16)),
    url: `${api}/refs/heads/${branch}`,
    object: { type: "commit", sha, url: `${api}/commits/${sha}` },
  };
}

function getRef(c: Ctx): TwinResponse {
  const branch = branchOfRef(c.params.ref ?? "");
  const sha = branch ? repoOf(c).branches.get(branch) : undefined;
  return branch && sha ? json(200, refJson(c, branch, sha)) : notFound();
}

function createRef(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const ref = String(c.body.ref ?? "");
  // "If it doesn't start with 'refs' and have at least two slashes, it will be rejected."
  if (!/^refs\/[^/]+\/.+/.test(ref)) return fail(422, "Reference name is invalid");
  const branch = branchOfRef(ref);
  if (!branch) return fail(422, "the twin models branches (refs/heads/…) only");
  const sha = String(c.body.sha ?? "");
  if (repo.branches.has(branch)) return fail(422, "Reference already exists");
  if (!repo.commits.has(sha)) return fail(422, "Object does not exist");
  const refused = ruleRefusal(c, repo, branch);
  if (refused) return refused;
  c.twin.moveBranch(repo, branch, sha, pushOf(c));
  const out = refJson(c, branch, sha);
  return json(201, out, { location: out.url as string });
}

function updateRef(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const branch = branchOfRef(c.params.ref ?? "");
  const current = branch ? repo.branches.get(branch) : undefined;
  if (!branch || !current) return fail(422, "Reference does not exist");
  const sha = String(c.body.sha ?? "");
  if (!repo.commits.has(sha)) return fail(422, "Object does not exist");
  if (c.body.force !== true && !c.twin.isAncestor(repo, current, sha)) return fail(422, "Update is not a fast forward");
  const refused = ruleRefusal(c, repo, branch);
  if (refused) return refused;
  c.twin.moveBranch(repo, branch, sha, pushOf(c));
  return json(200, refJson(c, branch, sha));
}

/**
 * GET /repos/{o}/{r}/commits: the commits reachable from `sha` (a branch or a
 * commit; default the default branch), newest commit date first; `path`: only
 * commits that changed that file, or anything under that folder, against
 * their first parent; `since` / `until`: by the committer's date (git's
 * `--since`, whole seconds) — a date the committer's machine set, so commits
 * made earlier and pushed later are not listed. An unknown `sha`: 404 "No
 * commit found for SHA: …"; an empty repository: 409 "Git Repository is
 * empty." (REST "List commits": parameters and its 404 and 409 answers).
 */
function listCommits(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  if (!repo.branches.size) return fail(409, "Git Repository is empty.");
  for (const name of ["author", "committer"]) if (c.query.get(name)) throw new Error(`twin: the commits list's '${name}' filter is not modelled`);
  const ref = c.query.get("sha") ?? undefined;
  const head = c.twin.resolveRef(repo, ref);
  if (!head) return fail(404, `No commit found for SHA: ${ref}`);
  const path = (c.query.get("path") ?? "").replace(/^\/+|\/+$/g, "");
  const seconds = (name: string): number | undefined => {
    const v = c.query.get(name);
    if (!v) return undefined;
    const ms = Date.parse(v);
    return Number.isFinite(ms) ? Math.floor(ms / 1000) * 1000 : undefined;
  };
  const since = seconds("since");
  const until = seconds("until");
  const under = (commit: CommitState | undefined): string =>
    commit ? JSON.stringify([...commit.files].filter(([p]) => p === path || p.startsWith(`${path}/`)).map(([p, b]) => [p, b.sha]).sort()) : "[]";
  const seen = new Set<string>();
  const all: CommitState[] = [];
  for (const queue = [head]; queue.length; ) {
    const commit = queue.shift()!;
    if (seen.has(commit.sha)) continue;
    seen.add(commit.sha);
    all.push(commit);
    for (const p of commit.parents) {
      const parent = repo.commits.get(p);
      if (parent) queue.push(parent);
    }
  }
  const listed = all
    .filter((commit) => !path || under(commit) !== under(commit.parents[0] ? repo.commits.get(commit.parents[0]) : undefined))
    .filter((commit) => {
      const at = Math.floor(Date.parse(commit.committer.date) / 1000) * 1000;
      return (since === undefined || at >= since) && (until === undefined || at <= until);
    })
    .sort((a, b) => Date.parse(b.committer.date) - Date.parse(a.committer.date));
  const api = `${c.twin.urls.api}/repos/${repo.full_name}`;
  return page(
    c,
    listed.map((commit) => {
      const { node_id, html_url, parents, author, committer, tree, message, verification } = gitCommitJson(c, commit) as Record<string, Json>;
      return {
        sha: commit.sha,
        node_id,
        commit: { author, committer, message, tree, url: `${api}/git/commits/${commit.sha}`, comment_count: 0, verification },
        url: `${api}/commits/${commit.sha}`,
        html_url,
        comments_url: `${api}/commits/${commit.sha}/comments`,
        author: null,
        committer: null,
        parents: (parents as Json[]).map((p) => ({ sha: (p as Record<string, Json>).sha, url: `${api}/commits/${(p as Record<string, Json>).sha}`, html_url: (p as Record<string, Json>).html_url })),
      };
    }),
  );
}

const R = "/repos/{owner}/{repo}";
const read: Pick<Route, "auth" | "perm"> = { auth: "token", perm: ["contents", "read"] };
const write: Pick<Route, "auth" | "perm" | "role"> = { auth: "token", perm: ["contents", "write"], role: "write" };

export const GIT_ROUTES: ReadonlyArray<[string, Route]> = [
  [`GET ${R}/contents/{path}`, { ...read, handler: getContent }],
  [`GET ${R}/commits`, { ...read, handler: listCommits }],
  [`PUT ${R}/contents/{path}`, { ...write, handler: putContent }],
  [`GET ${R}/git/blobs/{file_sha}`, { ...read, handler: getBlob }],
  [`POST ${R}/git/blobs`, { ...write, handler: createBlob }],
  [`POST ${R}/git/trees`, { ...write, handler: createTree }],
  [`GET ${R}/git/commits/{commit_sha}`, { ...read, handler: getCommit }],
  [`POST ${R}/git/commits`, { ...write, handler: createCommit }],
  [`GET ${R}/git/ref/{ref}`, { ...read, handler: getRef }],
  [`POST ${R}/git/refs`, { ...write, handler: createRef }],
  [`PATCH ${R}/git/refs/{ref}`, { ...write, handler: updateRef }],
];
