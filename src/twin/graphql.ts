/**
 * The twin's GraphQL endpoint (`POST /graphql`, `/api/graphql` on an
 * Enterprise Server), as small as mission-bot needs: every query is parsed
 * and validated against GitHub's published schema (`@octokit/graphql-schema`,
 * loaded on the first GraphQL request), and only these root fields are
 * answered:
 *   - `createProjectV2(input: { ownerId, title })` (the REST API cannot create
 *     a project: REST "Projects" has no create endpoint);
 *   - `organization(login:) { id login }`, `user(login:) { id login }`: the
 *     owner's node id that `createProjectV2` wants.
 *   - `repository(owner:, name:) { id label(name:) { id } issue(number:) { id } }`:
 *     the node ids `createIssue` wants;
 *   - `repository { object(expression: "<branch or commit sha>:<path>") }`: a
 *     file as a `Blob` (`text`, `oid`, `byteSize`, `isBinary`, `isTruncated`;
 *     `text` cut at 512,000 bytes with `isTruncated`, null for a binary file),
 *     a folder as a `Tree` (its `entries`: name, path, type, oid, object), nothing
 *     there as `null`; `HEAD:<path>` is the default branch's; it needs `contents: read`
 *     as the REST contents read does (rule 29);
 *   - `repository { issues(labels:, states:, first:, after:) { totalCount pageInfo nodes { … labels(first:) { nodes { name } } } } }`:
 *     the repository's issues (no pull requests), those with any of the labels, in the states asked
 *     (default both), oldest first, paged as GitHub pages connections (`first` or `last` required, ≤ 100);
 *     `issues: read` needed (rule 30);
 *   - `createIssue(input: { repositoryId, title, body, labelIds, parentIssueId })`:
 *     one write that creates, labels and links an issue under its parent. GitHub
 *     sends what the REST requests doing the same send: `issues.opened`, one
 *     `issues.labeled` per label, then `sub_issues.sub_issue_added` and
 *     `parent_issue_added`. The input type is the schema's: an Enterprise Server
 *     without sub-issues has no `parentIssueId`, and the twin refuses it there.
 * Anything else, or a query the schema refuses, is a contract failure (as a
 * REST request outside GitHub's description is): GitHub would answer it, but
 * the twin does not know how.
 *
 * Answers are GitHub's: HTTP 200 with `data` and, for a refusal, `errors`
 * with a `type` (`NOT_FOUND`, `FORBIDDEN`) as GitHub's GraphQL errors carry.
 * Who may create a project: an installation token of the organisation, with
 * `organization_projects: write`; a user's token, for that user (docs
 * "Automating Projects using Actions"; GraphQL "createProjectV2"). GITHUB_TOKEN:
 * never (it cannot access Projects).
 */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import type * as GraphQL from "graphql";
import type { Actor, CommitState, IssueState, RepoState, TwinUser } from "./model.js";
import { projectHtmlUrl } from "./projects.js";
import { legacyNodeId, simpleUser } from "./serialize.js";
import { authorizeRepo, MAX_BODY } from "./routes.js";
import type { GitHubTwin } from "./state.js";
import { levelCovers } from "./tokens.js";

const ANSWERED = new Set(["Query.organization", "Query.user", "Query.repository", "Mutation.createProjectV2", "Mutation.createIssue"]);

/**
 * Mutations that create (or remove) content, as their REST counterparts in CONTENT_CREATING do: they
 * count against the content-creation limits ("Content creation limits include actions taken on the
 * GitHub web interface as well as via the REST API and GraphQL API", REST docs "Rate limits for the
 * REST API", "About secondary rate limits").
 */
export const CONTENT_MUTATIONS: ReadonlySet<string> = new Set([
  "createIssue",
  "addComment",
  "addSubIssue",
  "removeSubIssue",
  "addBlockedBy",
  "removeBlockedBy",
  "createPullRequest",
]);

interface Loaded {
  graphql: typeof GraphQL;
  schema: GraphQL.GraphQLSchema;
}

let loaded: Loaded | null | undefined;

/** graphql and GitHub's schema, once per process (devDependencies: absent in a production install). */
function load(): Loaded | null {
  if (loaded !== undefined) return loaded;
  try {
    const require = createRequire(import.meta.url);
    const graphql = require("graphql") as typeof GraphQL;
    const url = import.meta.resolve("@octokit/graphql-schema");
    // The package's SDL (schema.graphql), not its introspection (schema.json): in 15.26.1 the JSON lags
    // the SDL and lacks sub-issues (`CreateIssueInput.parentIssueId`, `addSubIssue`, `Issue.parent`).
    // GitHub's SDL defines two EnterpriseOwnerInfo fields twice, which graphql-js refuses unless told
    // to assume the SDL valid; the rest is checked as before.
    const sdl = readFileSync(new URL("./schema.graphql", url), "utf8");
    loaded = { graphql, schema: graphql.buildSchema(sdl, { assumeValidSDL: true }) };
  } catch {
    loaded = null;
  }
  return loaded;
}

export interface GraphqlCost {
  /** primary points: the query's cost, minimum 1 */
  points: number;
  mutation: boolean;
  /** a mutation that creates content (CONTENT_MUTATIONS) */
  createsContent: boolean;
}

/**
 * What a GraphQL request costs (GraphQL docs "Rate limits and query limits for the GraphQL API",
 * "Calculating the rate limit score"): "Add up the number of requests needed to fulfill each unique
 * connection in the call. Assume every request will reach the `first` or `last` argument limits.
 * Divide the number by 100 and round the result to the nearest whole number"; "The minimum point
 * cost for a call to the GraphQL API is 1." A mutation is one call: its cost is 1 unless it asks
 * for connections. A request that does not parse costs 1 (it is refused all the same).
 */
export function graphqlCost(body: unknown): GraphqlCost {
  const g = load();
  const b = body && typeof body === "object" ? (body as { query?: unknown; variables?: unknown; operationName?: unknown }) : {};
  const none: GraphqlCost = { points: 1, mutation: false, createsContent: false };
  if (!g || typeof b.query !== "string") return none;
  let document: GraphQL.DocumentNode;
  try {
    document = g.graphql.parse(b.query);
  } catch {
    return none;
  }
  const variables = b.variables && typeof b.variables === "object" ? (b.variables as Record<string, unknown>) : {};
  const sizeOf = (field: GraphQL.FieldNode): number | undefined => {
    for (const arg of field.arguments ?? []) {
      if (arg.name.value !== "first" && arg.name.value !== "last") continue;
      const v = arg.value.kind === "IntValue" ? Number(arg.value.value) : arg.value.kind === "Variable" ? Number(variables[arg.value.name.value]) : NaN;
      if (Number.isFinite(v)) return v;
    }
    return undefined;
  };
  let requests = 0;
  const walk = (set: GraphQL.SelectionSetNode | undefined, multiplier: number) => {
    for (const sel of set?.selections ?? []) {
      if (sel.kind !== "Field") {
        if (sel.kind === "InlineFragment") walk(sel.selectionSet, multiplier);
        continue;
      }
      const n = sizeOf(sel);
      if (n === undefined) walk(sel.selectionSet, multiplier);
      else {
        requests += multiplier;
        walk(sel.selectionSet, multiplier * n);
      }
    }
  };
  let mutation = false;
  let createsContent = false;
  for (const def of document.definitions) {
    if (def.kind !== "OperationDefinition") continue;
    if (typeof b.operationName === "string" && def.name?.value !== b.operationName) continue;
    if (def.operation === "mutation") {
      mutation = true;
      for (const sel of def.selectionSet.selections) if (sel.kind === "Field" && CONTENT_MUTATIONS.has(sel.name.value)) createsContent = true;
    }
    walk(def.selectionSet, 1);
  }
  return { points: Math.max(1, Math.round(requests / 100)), mutation, createsContent };
}

export interface GraphqlAnswer {
  status: number;
  body: unknown;
  /** what the twin could not check or does not implement (recorded as contract failures) */
  problems: string[];
}

const error = (type: string, message: string, path: string[]) => ({ type, path, locations: [], message });

export function handleGraphql(twin: GitHubTwin, body: unknown, actor: Actor): GraphqlAnswer {
  const b = body && typeof body === "object" ? (body as { query?: unknown; variables?: unknown; operationName?: unknown }) : {};
  const source = typeof b.query === "string" ? b.query : "";
  const brief = source.replace(/\s+/g, " ").slice(0, 200);
  const g = load();
  if (!g) return { status: 404, body: { message: "Not Found" }, problems: [`the GitHub twin cannot check GraphQL here (graphql and @octokit/graphql-schema are not installed): ${brief}`] };
  if (actor.kind === "anonymous" || actor.kind === "app") return { status: 401, body: { message: "This endpoint requires you to be authenticated." }, problems: [] };
  let document: GraphQL.DocumentNode;
  try {
    document = g.graphql.parse(source);
  } catch (e) {
    return { status: 200, body: { errors: [{ message: (e as Error).message }] }, problems: [`GraphQL does not parse: ${(e as Error).message} (${brief})`] };
  }
  const invalid = g.graphql.validate(g.schema, document);
  if (invalid.length) {
    return { status: 200, body: { errors: invalid.map((e) => ({ message: e.message })) }, problems: invalid.map((e) => `GraphQL refused by GitHub's schema: ${e.message} (${brief})`) };
  }
  const unknown: string[] = [];
  for (const def of document.definitions) {
    if (def.kind !== "OperationDefinition") continue;
    const type = def.operation === "mutation" ? "Mutation" : def.operation === "query" ? "Query" : "Subscription";
    for (const sel of def.selectionSet.selections) {
      const name = sel.kind === "Field" ? sel.name.value : "(fragment)";
      if (!ANSWERED.has(`${type}.${name}`)) unknown.push(`${type}.${name}`);
    }
  }
  if (unknown.length) {
    return { status: 200, body: { errors: unknown.map((u) => ({ message: `the GitHub twin does not implement ${u}` })) }, problems: [`the GitHub twin does not implement GraphQL ${unknown.join(", ")} (${brief})`] };
  }

  const errors: unknown[] = [];
  /** what a resolver was asked that the twin does not model (contract failures) */
  const problems: string[] = [];
  const owner = (u: TwinUser | undefined) => u && { __typename: u.type === "Organization" ? "Organization" : "User", id: simpleUser(u, twin.urls).node_id, login: u.login, databaseId: u.id };
  const userByLogin = (login: string, type: "Organization" | "User") => {
    const u = twin.users.get(login.toLowerCase());
    return u && (u.type === "Organization") === (type === "Organization") ? u : undefined;
  };
  const rootValue = {
    organization: ({ login }: { login: string }) => {
      const u = owner(userByLogin(login, "Organization"));
      if (!u) errors.push(error("NOT_FOUND", `Could not resolve to an Organization with the login of '${login}'.`, ["organization"]));
      return u ?? null;
    },
    user: ({ login }: { login: string }) => {
      const u = owner(userByLogin(login, "User"));
      if (!u) errors.push(error("NOT_FOUND", `Could not resolve to a User with the login of '${login}'.`, ["user"]));
      return u ?? null;
    },
    repository: ({ owner, name }: { owner: string; name: string }) => {
      const repo = twin.repos.get(`${owner}/${name}`.toLowerCase());
      if (!repo || authorizeRepo(twin, actor, repo, "GET", ["metadata", "read"])) {
        errors.push(error("NOT_FOUND", `Could not resolve to a Repository with the name '${owner}/${name}'.`, ["repository"]));
        return null;
      }
      return repositoryNode(twin, actor, repo, errors, problems);
    },
    createIssue: ({ input }: { input: CreateIssueInput }) => createIssue(twin, actor, input, errors),
    createProjectV2: ({ input }: { input: { ownerId: string; title: string } }) => {
      const target = [...twin.users.values()].find((u) => simpleUser(u, twin.urls).node_id === input.ownerId);
      if (!target) {
        errors.push(error("NOT_FOUND", `Could not resolve to a node with the global id of '${input.ownerId}'`, ["createProjectV2"]));
        return null;
      }
      const creator = mayCreate(twin, actor, target);
      if (!creator) {
        errors.push(error("FORBIDDEN", "Resource not accessible by integration", ["createProjectV2"]));
        return null;
      }
      const p = twin.projects.create(target, input.title, creator);
      return {
        clientMutationId: null,
        projectV2: { __typename: "ProjectV2", id: p.node_id, number: p.number, title: p.title, url: projectHtmlUrl(p, twin.urls), databaseId: p.id, closed: false, public: false },
      };
    },
  };
  const result = g.graphql.execute({
    schema: g.schema,
    document,
    rootValue,
    ...(b.variables && typeof b.variables === "object" ? { variableValues: b.variables as Record<string, unknown> } : {}),
    ...(typeof b.operationName === "string" ? { operationName: b.operationName } : {}),
  }) as GraphQL.ExecutionResult;
  const all = [...errors, ...(result.errors ?? []).filter((e) => !/^Cannot return null/.test(e.message)).map((e) => ({ message: e.message }))];
  return { status: 200, body: { data: result.data ?? null, ...(all.length ? { errors: all } : {}) }, problems: problems.map((p) => `${p} (${brief})`) };
}

/** Who creates the project, if this caller may create one for that owner. */
function mayCreate(twin: GitHubTwin, actor: Actor, owner: TwinUser): TwinUser | undefined {
  switch (actor.kind) {
    case "installation": {
      const inst = twin.installations.get(actor.installationId);
      if (!inst || inst.account !== owner || owner.type !== "Organization") return undefined;
      const token = twin.tokens.get(actor.token);
      const granted = token?.permissions ? token.permissions.organization_projects : inst.permissions.organization_projects;
      return levelCovers(inst.permissions.organization_projects, "write") && levelCovers(granted, "write") ? actor.user : undefined;
    }
    case "user":
      return actor.user === owner ? actor.user : undefined;
    default:
      return undefined;
  }
}

interface CreateIssueInput {
  repositoryId: string;
  title: string;
  body?: string | null;
  labelIds?: string[] | null;
  parentIssueId?: string | null;
  assigneeIds?: string[] | null;
}

/** A repository as GraphQL answers it: the fields mission-bot asks for, and the node ids of its labels and issues. */
function repositoryNode(twin: GitHubTwin, actor: Actor, repo: RepoState, errors: unknown[], problems: string[]) {
  const readable = (i: IssueState | undefined) => i && !authorizeRepo(twin, actor, repo, "GET", ["issues", "read"]) ? i : undefined;
  return {
    __typename: "Repository",
    id: repo.node_id,
    databaseId: repo.id <= 2 ** 31 - 1 ? repo.id : null,
    name: repo.name,
    nameWithOwner: repo.full_name,
    label: ({ name }: { name: string }) => {
      const l = repo.labels.get(name.toLowerCase());
      return l ? { __typename: "Label", id: legacyNodeId("Label", l.id), name: l.name, color: l.color, description: l.description } : null;
    },
    issue: ({ number }: { number: number }) => {
      const i = readable(repo.issues.get(number));
      return i && !i.pull_request ? issueNode(twin, i, errors) : null;
    },
    object: ({ expression }: { expression?: string | null }) => gitObjectNode(twin, actor, repo, expression ?? "", errors),
    issues: (args: IssuesArgs) => {
      if (args.filterBy || args.orderBy) {
        problems.push("the GitHub twin does not implement Repository.issues(filterBy:, orderBy:)");
        return null;
      }
      if (authorizeRepo(twin, actor, repo, "GET", ["issues", "read"])) {
        errors.push(error("FORBIDDEN", "Resource not accessible by integration", ["repository", "issues"]));
        return null;
      }
      // any of the labels (not all, as REST's `labels=`), by name whatever its case; the states asked for, else all;
      // no pull requests (they are `Repository.pullRequests`); oldest first
      const labels = args.labels?.map((l) => l.toLowerCase());
      const states = args.states ?? ["OPEN", "CLOSED"];
      const issues = [...repo.issues.values()]
        .filter((i) => !i.pull_request && states.includes(i.state === "closed" ? "CLOSED" : "OPEN") && (!labels || i.labels.some((l) => labels.includes(l))))
        .sort((a, b) => a.number - b.number);
      return connection(issues.map((i) => issueNode(twin, i, errors)), args, "issues", ["repository", "issues"], errors);
    },
  };
}

interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

interface IssuesArgs extends ConnectionArgs {
  labels?: string[] | null;
  states?: Array<"OPEN" | "CLOSED"> | null;
  filterBy?: unknown;
  orderBy?: unknown;
}

const cursorOf = (at: number) => Buffer.from(`cursor:v2:${at}`).toString("base64");
const atOf = (cursor: string | null | undefined) => {
  const m = cursor ? /^cursor:v2:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8")) : null;
  return m ? Number(m[1]) : undefined;
};

/**
 * A connection as GitHub pages it: `first` or `last` is required and at most 100 (GraphQL docs "Rate limits and
 * query limits for the GraphQL API", "Node limit": "You must supply a first or last argument on any connection.
 * The value of these arguments must be between 1 and 100"); `after` / `before` are cursors of its edges.
 */
function connection<T>(items: T[], args: ConnectionArgs, name: string, path: string[], errors: unknown[]) {
  const { first, last } = args;
  if (first == null && last == null) {
    errors.push(error("MISSING_PAGINATION_BOUNDARIES", `You must provide a \`first\` or \`last\` value to properly paginate the \`${name}\` connection.`, path));
    return null;
  }
  for (const [arg, n] of [["first", first], ["last", last]] as const) {
    if (n == null) continue;
    if (n > 100) {
      errors.push(error("EXCESSIVE_PAGINATION", `Requesting ${n} records on the \`${name}\` connection exceeds the \`${arg}\` limit of 100 records.`, path));
      return null;
    }
    if (n < 0) {
      errors.push(error("INVALID_PAGINATION", `\`${arg}\` on the \`${name}\` connection cannot be less than zero.`, path));
      return null;
    }
  }
  const after = atOf(args.after);
  const before = atOf(args.before);
  let from = after === undefined ? 0 : after + 1;
  let to = before === undefined ? items.length : Math.min(before, items.length);
  const all = { from, to };
  if (first != null) to = Math.min(to, from + first);
  if (last != null) from = Math.max(from, to - last);
  const edges = items.slice(from, to).map((node, k) => ({ cursor: cursorOf(from + k), node }));
  return {
    totalCount: items.length,
    nodes: edges.map((e) => e.node),
    edges,
    pageInfo: {
      hasNextPage: to < all.to,
      hasPreviousPage: from > all.from,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/**
 * GitHub cuts `Blob.text` at 512,000 bytes and says so with `isTruncated` (sveltia/sveltia-cms#950:
 * "GitHub truncates Blob.text at exactly 512,000 bytes per blob and reports it via isTruncated";
 * orbiting/backends#116). A binary blob has no text.
 */
export const BLOB_TEXT_LIMIT = 512_000;

/** `Repository.object(expression: "<ref>:<path>")`: a file (Blob), a folder (Tree), or null. */
function gitObjectNode(twin: GitHubTwin, actor: Actor, repo: RepoState, expression: string, errors: unknown[]) {
  if (authorizeRepo(twin, actor, repo, "GET", ["contents", "read"])) {
    errors.push(error("FORBIDDEN", "Resource not accessible by integration", ["repository", "object"]));
    return null;
  }
  const colon = expression.indexOf(":");
  const ref = colon < 0 ? expression : expression.slice(0, colon);
  const path = colon < 0 ? "" : expression.slice(colon + 1).replace(/^\/+|\/+$/g, "");
  // `HEAD` is the default branch, as `git rev-parse` resolves it in the repository GitHub serves
  const commit = twin.resolveRef(repo, ref && ref !== "HEAD" ? ref : undefined);
  if (!commit) return null;
  if (colon < 0) return { __typename: "Commit", id: objectId("Commit", commit.sha), oid: commit.sha };
  return treeObject(commit, path);
}

/** The file or folder at `path` of a commit: a Blob, a Tree (its `entries`, each with its `object`), or null. */
function treeObject(commit: CommitState, path: string) {
  const blob = commit.files.get(path);
  if (blob) {
    const isBinary = blob.bytes.subarray(0, 8000).includes(0);
    const isTruncated = blob.bytes.length > BLOB_TEXT_LIMIT;
    return {
      __typename: "Blob",
      id: objectId("Blob", blob.sha),
      oid: blob.sha,
      byteSize: blob.bytes.length,
      isBinary,
      isTruncated,
      text: isBinary ? null : blob.bytes.subarray(0, BLOB_TEXT_LIMIT).toString("utf8"),
    };
  }
  const prefix = path ? `${path}/` : "";
  const inside = [...commit.files.keys()].filter((p) => p.startsWith(prefix));
  if (!inside.length) return null;
  const oid = path ? createHash("sha1").update(`${commit.tree}:${path}`).digest("hex") : commit.tree;
  // a Tree's entries: its files and folders, one level, sorted by name as git sorts them
  const entries = () =>
    [...new Set(inside.map((p) => p.slice(prefix.length).split("/")[0]!))].sort().map((name) => {
      const object = treeObject(commit, `${prefix}${name}`)!;
      return { __typename: "TreeEntry", name, path: `${prefix}${name}`, type: object.__typename === "Blob" ? "blob" : "tree", oid: object.oid, object };
    });
  return { __typename: "Tree", id: objectId("Tree", oid), oid, entries };
}

const objectId = (type: string, oid: string) => Buffer.from(`0${type.length}:${type}${oid}`).toString("base64");

function issueNode(twin: GitHubTwin, i: IssueState, errors: unknown[] = []) {
  return {
    __typename: "Issue",
    id: i.node_id,
    // GraphQL's Int is 32-bit: larger ids only as `fullDatabaseId` (BigInt, a string)
    databaseId: i.id <= 2 ** 31 - 1 ? i.id : null,
    fullDatabaseId: String(i.id),
    number: i.number,
    title: i.title,
    body: i.body ?? "",
    state: i.state === "closed" ? "CLOSED" : "OPEN",
    url: `${twin.urls.web}/${i.repo.full_name}/issues/${i.number}`,
    labels: (args: ConnectionArgs) =>
      connection(
        i.labels.map((k) => i.repo.labels.get(k)!).map((l) => ({ __typename: "Label", id: legacyNodeId("Label", l.id), name: l.name, color: l.color, description: l.description })),
        args,
        "labels",
        ["issue", "labels"],
        errors,
      ),
  };
}

/**
 * `createIssue`: GitHub's checks for what mission-bot sends. The node ids must resolve (NOT_FOUND,
 * "Could not resolve to a node with the global id of '…'"); the caller needs `issues: write` (FORBIDDEN,
 * "Resource not accessible by integration"); labels are set only by someone who may push (dropped for
 * others, as in REST); the body's limit is REST's. The parent is checked before anything is made (the
 * REST sub-issue rules: same owner, 100 sub-issues, eight levels), so a refused link makes no issue.
 */
function createIssue(twin: GitHubTwin, actor: Actor, input: CreateIssueInput, errors: unknown[]) {
  const path = ["createIssue"];
  const unresolved = (id: string) => {
    errors.push(error("NOT_FOUND", `Could not resolve to a node with the global id of '${id}'`, path));
    return null;
  };
  const repo = [...twin.repos.values()].find((r) => r.node_id === input.repositoryId);
  if (!repo || authorizeRepo(twin, actor, repo, "GET", ["metadata", "read"])) return unresolved(input.repositoryId);
  const denied = authorizeRepo(twin, actor, repo, "POST", ["issues", "write"], "read");
  if (denied) {
    errors.push(error("FORBIDDEN", "Resource not accessible by integration", path));
    return null;
  }
  if (actor.kind === "app" || actor.kind === "anonymous") return null;
  const labels: string[] = [];
  for (const id of input.labelIds ?? []) {
    const l = [...repo.labels.values()].find((x) => legacyNodeId("Label", x.id) === id);
    if (!l) return unresolved(id);
    labels.push(l.name);
  }
  let parent: IssueState | undefined;
  if (input.parentIssueId) {
    parent = [...twin.issuesById.values()].find((i) => i.node_id === input.parentIssueId && !i.pull_request);
    if (!parent) return unresolved(input.parentIssueId);
    if (parent.repo.owner !== repo.owner) {
      errors.push(error("UNPROCESSABLE", "The sub-issue must belong to the same repository owner as the parent issue", path));
      return null;
    }
    if (parent.sub_issues.length >= 100) {
      errors.push(error("UNPROCESSABLE", "Parent issue cannot have more than 100 sub-issues", path));
      return null;
    }
  }
  if (String(input.title).trim() === "") {
    errors.push(error("UNPROCESSABLE", "Title can't be blank", path));
    return null;
  }
  if (typeof input.body === "string" && [...input.body].length > MAX_BODY) {
    errors.push(error("UNPROCESSABLE", `Body is too long (maximum is ${MAX_BODY} characters)`, path));
    return null;
  }
  if (input.parentIssueId && !twin.profile.subIssues) {
    // this release's schema has no sub-issues: graphql-ruby's answer to an argument the input type lacks
    errors.push({ message: "InputObject 'CreateIssueInput' doesn't accept argument 'parentIssueId'", path });
    return null;
  }
  const user = actor.user;
  const issue = twin.createIssue(repo, user, { title: input.title, body: input.body ?? null, labels }, twin.appOf(user));
  if (parent) {
    const refused = twin.addSubIssue(parent, issue, user);
    if (refused) errors.push(error("UNPROCESSABLE", refused, path));
  }
  return { clientMutationId: null, issue: issueNode(twin, issue) };
}
