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
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import type * as GraphQL from "graphql";
import type { Actor, TwinUser } from "./model.js";
import { projectHtmlUrl } from "./projects.js";
import { simpleUser } from "./serialize.js";
import type { GitHubTwin } from "./state.js";
import { levelCovers } from "./tokens.js";

const ANSWERED = new Set(["Query.organization", "Query.user", "Mutation.createProjectV2"]);

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
    const raw = JSON.parse(readFileSync(new URL("./schema.json", url), "utf8")) as { data?: GraphQL.IntrospectionQuery } & GraphQL.IntrospectionQuery;
    loaded = { graphql, schema: graphql.buildClientSchema(raw.data ?? raw) };
  } catch {
    loaded = null;
  }
  return loaded;
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
  return { status: 200, body: { data: result.data ?? null, ...(all.length ? { errors: all } : {}) }, problems: [] };
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
