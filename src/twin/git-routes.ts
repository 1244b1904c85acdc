/**
 * The git data routes the bot uses (blobs, trees, commits, refs) and issue
 * search, for the twin's REST front door. Trees live only as long as the
 * twin (a tree nobody commits is garbage, as on GitHub).
 * https://docs.github.com/en/rest/git  https://docs.github.com/en/rest/search/search#search-issues-and-pull-requests
 */
import { Buffer } from "node:buffer";
import type { BlobState, CommitState, RepoState } from "./model.js";
import { gitBlobSha } from "./state.js";
import { issueJson, type Json } from "./serialize.js";
import { fail, json, notFound, validationFailed, type Ctx, type Route, type TwinResponse } from "./respond.js";

const trees = new WeakMap<RepoState, Map<string, Map<string, BlobState>>>();

function repoOf(c: Ctx): RepoState {
  if (!c.repo) throw new Error("twin: route without a repository");
  return c.repo;
}

function treesOf(repo: RepoState): Map<string, Map<string, BlobState>> {
  let map = trees.get(repo);
  if (!map) trees.set(repo, (map = new Map()));
  return map;
}

/** The files of a tree sha: one made through the API, or a commit's tree. */
function filesOfTree(repo: RepoState, sha: string): Map<string, BlobState> | undefined {
  const made = treesOf(repo).get(sha);
  if (made) return made;
  for (const commit of repo.commits.values()) if (commit.tree === sha) return commit.files;
  return undefined;
}

function blobFor(repo: RepoState, sha: string): BlobState | undefined {
  for (const commit of repo.commits.values()) for (const blob of commit.files.values()) if (blob.sha === sha) return blob;
  for (const files of treesOf(repo).values()) for (const blob of files.values()) if (blob.sha === sha) return blob;
  return undefined;
}

function getBlob(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const blob = blobFor(repo, c.params.file_sha ?? "");
  if (!blob) return notFound();
  return json(200, {
    sha: blob.sha,
    node_id: `B_${blob.sha.slice(0, 16)}`,
    size: blob.bytes.length,
    url: `${c.twin.urls.api}/repos/${repo.full_name}/git/blobs/${blob.sha}`,
    content: blob.bytes.toString("base64"),
    encoding: "base64",
  });
}

function createTree(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const entries = c.body.tree;
  if (!Array.isArray(entries)) return validationFailed([{ resource: "Tree", code: "missing_field", field: "tree" }]);
  const base = typeof c.body.base_tree === "string" ? filesOfTree(repo, c.body.base_tree) : undefined;
  if (typeof c.body.base_tree === "string" && !base) return fail(422, "Invalid tree info");
  const files = new Map(base ?? []);
  for (const raw of entries) {
    const e = raw as Json;
    if (typeof e.path !== "string" || !e.path) return fail(422, "Invalid tree info");
    if (e.sha === null) {
      files.delete(e.path);
      continue;
    }
    if (typeof e.content === "string") {
      const bytes = Buffer.from(e.content, "utf8");
      files.set(e.path, { sha: gitBlobSha(bytes), bytes });
    } else if (typeof e.sha === "string") {
      const blob = blobFor(repo, e.sha);
      if (!blob) return fail(422, "Invalid tree info");
      files.set(e.path, blob);
    } else return fail(422, "Invalid tree info");
  }
  const sha = gitBlobSha(`tree ${[...files].map(([p, b]) => `${p}:${b.sha}`).sort().join(",")}`);
  treesOf(repo).set(sha, files);
  return json(201, treeJson(c, repo, sha, files));
}

function treeJson(c: Ctx, repo: RepoState, sha: string, files: Map<string, BlobState>): Json {
  return {
    sha,
    url: `${c.twin.urls.api}/repos/${repo.full_name}/git/trees/${sha}`,
    truncated: false,
    tree: [...files].map(([path, blob]) => ({
      path,
      mode: "100644",
      type: "blob",
      sha: blob.sha,
      size: blob.bytes.length,
      url: `${c.twin.urls.api}/repos/${repo.full_name}/git/blobs/${blob.sha}`,
    })),
  };
}

function createCommit(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const b = c.body;
  if (typeof b.message !== "string") return validationFailed([{ resource: "Commit", code: "missing_field", field: "message" }]);
  if (typeof b.tree !== "string") return validationFailed([{ resource: "Commit", code: "missing_field", field: "tree" }]);
  const files = filesOfTree(repo, b.tree);
  if (!files) return fail(422, "Tree SHA does not exist");
  const parents = Array.isArray(b.parents) ? (b.parents as unknown[]).map(String) : [];
  if (parents.some((p) => !repo.commits.has(p))) return fail(422, "Parent SHA does not exist or is not a commit object");
  const user = c.actor.kind === "installation" || c.actor.kind === "user" ? c.actor.user : c.twin.app.bot;
  const commit = c.twin.createCommit(repo, new Map(files), parents, b.message, { name: user.login, email: `${user.id}+${user.login}@users.noreply.github.com` });
  return json(201, commitJson(c, repo, commit));
}

function commitJson(c: Ctx, repo: RepoState, commit: CommitState): Json {
  const api = `${c.twin.urls.api}/repos/${repo.full_name}`;
  return {
    sha: commit.sha,
    node_id: `C_${commit.sha.slice(0, 16)}`,
    url: `${api}/git/commits/${commit.sha}`,
    html_url: `${c.twin.urls.web}/${repo.full_name}/commit/${commit.sha}`,
    author: commit.author,
    committer: commit.committer,
    message: commit.message,
    tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
    parents: commit.parents.map((p) => ({ sha: p, url: `${api}/git/commits/${p}`, html_url: `${c.twin.urls.web}/${repo.full_name}/commit/${p}` })),
    verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
  };
}

function refJson(c: Ctx, repo: RepoState, ref: string, sha: string): Json {
  const api = `${c.twin.urls.api}/repos/${repo.full_name}`;
  return { ref, node_id: `REF_${sha.slice(0, 12)}`, url: `${api}/git/${ref}`, object: { type: "commit", sha, url: `${api}/git/commits/${sha}` } };
}

function getRef(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const ref = c.params.ref ?? "";
  if (!ref.startsWith("heads/")) return notFound();
  const sha = repo.branches.get(ref.slice("heads/".length));
  return sha ? json(200, refJson(c, repo, `refs/${ref}`, sha)) : notFound();
}

function createRef(c: Ctx): TwinResponse {
  const repo = repoOf(c);
  const { ref, sha } = c.body;
  if (typeof ref !== "string" || !/^refs\/heads\/[^\s~^:?*[\\]+$/.test(ref) || ref.split("/").length < 3) return fail(422, "Reference name is not valid");
  if (typeof sha !== "string" || !repo.commits.has(sha)) return fail(422, "Object does not exist");
  const branch = ref.slice("refs/heads/".length);
  if (repo.branches.has(branch)) return fail(422, "Reference already exists");
  repo.branches.set(branch, sha);
  return json(201, refJson(c, repo, ref, sha));
}

/**
 * GET /search/issues with the qualifiers the bot uses: is:issue|is:pr,
 * is:open|is:closed (state:), label:, repo:, org:, user:, in:comments with a
 * quoted phrase, updated:>=DATE. Results are limited to repositories the
 * caller's installation can see, as GitHub limits an installation token.
 */
function searchIssues(c: Ctx): TwinResponse {
  const q = c.query.get("q") ?? "";
  if (!q.trim()) return validationFailed([{ resource: "Search", field: "q", code: "missing" }]);
  const terms: Array<{ phrase: string } | { word: string }> = [...q.matchAll(/"([^"]*)"|(\S+)/g)].map((m) =>
    m[1] !== undefined ? { phrase: m[1] } : { word: m[2]! },
  );
  const repos = [...c.twin.repos.values()].filter((r) => c.actor.kind !== "installation" || r.installationId === c.actor.installationId);
  let hits = repos.flatMap((r) => [...r.issues.values()]);
  for (const t of terms) {
    if ("phrase" in t) {
      const phrase = t.phrase.toLowerCase();
      const inComments = terms.some((x) => "word" in x && x.word === "in:comments");
      hits = hits.filter((i) =>
        inComments
          ? c.twin.commentsOn(i).some((x) => x.body.toLowerCase().includes(phrase))
          : `${i.title}\n${i.body ?? ""}`.toLowerCase().includes(phrase),
      );
      continue;
    }
    const [key, ...rest] = t.word.split(":");
    const value = rest.join(":").replace(/^"|"$/g, "");
    if (!rest.length) continue;
    switch (key) {
      case "is":
        if (value === "issue") hits = hits.filter((i) => !i.pull_request);
        else if (value === "pr") hits = hits.filter((i) => !!i.pull_request);
        else if (value === "open" || value === "closed") hits = hits.filter((i) => i.state === value);
        break;
      case "state":
        hits = hits.filter((i) => i.state === value);
        break;
      case "label":
        hits = hits.filter((i) => i.labels.includes(value.toLowerCase()));
        break;
      case "repo":
        hits = hits.filter((i) => i.repo.full_name.toLowerCase() === value.toLowerCase());
        break;
      case "org":
      case "user":
        hits = hits.filter((i) => i.repo.owner.login.toLowerCase() === value.toLowerCase());
        break;
      case "updated": {
        const m = /^(>=|>|<=|<)?(.+)$/.exec(value)!;
        const at = m[2]!;
        hits = hits.filter((i) => (m[1] === ">=" ? i.updated_at >= at : m[1] === ">" ? i.updated_at > at : m[1] === "<=" ? i.updated_at <= at : m[1] === "<" ? i.updated_at < at : i.updated_at.startsWith(at)));
        break;
      }
      case "in":
        break;
      default:
        break;
    }
  }
  hits.sort((a, b) => (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : b.number - a.number));
  const perPage = Math.min(100, Number(c.query.get("per_page") ?? 30) || 30);
  const page = Math.max(1, Number(c.query.get("page") ?? 1) || 1);
  const items = hits.slice((page - 1) * perPage, page * perPage).map((i) => ({
    ...issueJson(i, { urls: c.twin.urls, app: c.twin.app, issuesById: c.twin.issuesById, detail: false }),
    score: 1,
  }));
  return json(200, { total_count: hits.length, incomplete_results: false, search_type: "lexical", items });
}

const R = "/repos/{owner}/{repo}";
const contentsRead: Pick<Route, "auth" | "perm"> = { auth: "token", perm: ["contents", "read"] };
const contentsWrite: Pick<Route, "auth" | "perm" | "role"> = { auth: "token", perm: ["contents", "write"], role: "write" };

export const GIT_ROUTES: ReadonlyArray<[string, Route]> = [
  [`GET ${R}/git/blobs/{file_sha}`, { ...contentsRead, handler: getBlob }],
  [`POST ${R}/git/trees`, { ...contentsWrite, handler: createTree }],
  [`POST ${R}/git/commits`, { ...contentsWrite, handler: createCommit }],
  [`GET ${R}/git/ref/{ref}`, { ...contentsRead, handler: getRef }],
  [`POST ${R}/git/refs`, { ...contentsWrite, handler: createRef }],
  [`GET /search/issues`, { auth: "token", handler: searchIssues }],
];

