/**
 * Projects (v2) for the twin's REST front door: a project, its fields, items
 * and views, owned by an organisation (`/orgs/{org}/projectsV2/…`) or a user
 * (`/users/{username}/projectsV2/…`).
 * https://docs.github.com/rest/projects
 *
 * Who may (checked here, as GitHub does):
 * - an App's installation token reaches the projects of the organisation it
 *   is installed on, with the `organization_projects` permission (read for
 *   reads, write for writes): else 403 "Resource not accessible by
 *   integration" (REST "Projects" pages: "Fine-grained access tokens …
 *   Organization projects"; docs "Automating Projects using Actions": an App
 *   needs organization projects read and write);
 * - a user-owned project is not reachable with an installation token (the
 *   App's permission covers organisation projects only: the user-project
 *   routes want a user's token; docs "Automating Projects using Actions":
 *   "for a user-owned project, create a personal access token");
 * - GITHUB_TOKEN reaches no project at all ("The GITHUB_TOKEN … is scoped to
 *   the repository level and cannot access Projects": same page): 403;
 * - a user's token reaches that user's own projects (organisation membership
 *   is not modelled: an organisation's project answers 404 to it).
 */
import type { RepoState } from "./model.js";
import { fail, intParam, json, notFound, validationFailed, type Ctx, type Route, type TwinResponse } from "./respond.js";
import type { Json } from "./serialize.js";
import { fieldJson, itemJson, MAX_PROJECT_FIELDS, MAX_PROJECT_ITEMS, projectJson, viewJson, type FieldType, type ProjectState } from "./projects.js";
import { levelCovers } from "./tokens.js";

const NOT_ACCESSIBLE = "Resource not accessible by integration";

/** The project the path names, if this caller may use it at this level; else GitHub's refusal. */
function projectFor(c: Ctx, level: "read" | "write"): ProjectState | TwinResponse {
  const owner = c.params.org ?? c.params.username ?? c.params.user_id;
  const number = Number(c.params.project_number);
  const byOrg = c.params.org !== undefined;
  let project = owner !== undefined ? c.twin.projects.get(owner, number) : undefined;
  // /users/{user_id}/… names the user by id
  if (!project && c.params.user_id !== undefined) project = [...c.twin.projects.byKey.values()].find((p) => String(p.owner.id) === c.params.user_id && p.number === number);
  const a = c.actor;
  switch (a.kind) {
    case "anonymous":
    case "app":
      return notFound();
    case "actions":
      return fail(403, NOT_ACCESSIBLE);
    case "installation": {
      const inst = c.twin.installations.get(a.installationId);
      const token = c.twin.tokens.get(a.token);
      if (!inst || !byOrg || inst.account.login.toLowerCase() !== owner?.toLowerCase()) return byOrg ? notFound() : fail(403, NOT_ACCESSIBLE);
      const held = inst.permissions.organization_projects;
      const granted = token?.permissions ? token.permissions.organization_projects : held;
      if (!levelCovers(held, level) || !levelCovers(granted, level)) return fail(403, NOT_ACCESSIBLE);
      break;
    }
    case "user":
      if (byOrg || !project || project.owner !== a.user) return notFound();
      break;
  }
  if (!project) return notFound();
  if ((project.owner.type === "Organization") !== byOrg) return notFound();
  return project;
}

function isResponse(x: ProjectState | TwinResponse): x is TwinResponse {
  return "status" in x && "headers" in x;
}

function getProject(c: Ctx): TwinResponse {
  const p = projectFor(c, "read");
  return isResponse(p) ? p : json(200, projectJson(p, c.twin.urls));
}

/** A cursor page of a project's list (`per_page` ≤ 100, `after` / `before` as GitHub's Link headers give them). */
function cursorPage(c: Ctx, rows: readonly Json[]): TwinResponse {
  const perPage = Math.min(100, Math.max(1, intParam(c.query, "per_page", 30)));
  const after = c.query.get("after");
  const start = after ? Math.max(0, Number(Buffer.from(after, "base64url").toString("utf8")) || 0) : 0;
  const body = rows.slice(start, start + perPage);
  const headers: Record<string, string> = {};
  if (start + perPage < rows.length) {
    const q = new URLSearchParams(c.query);
    q.set("after", Buffer.from(String(start + perPage)).toString("base64url"));
    headers.link = `<${c.baseUrl}${c.pathname}?${q.toString()}>; rel="next"`;
  }
  return json(200, body, headers);
}

function listFields(c: Ctx): TwinResponse {
  const p = projectFor(c, "read");
  if (isResponse(p)) return p;
  return cursorPage(c, p.fields.map((f) => fieldJson(p, f, c.twin.urls)));
}

function getField(c: Ctx): TwinResponse {
  const p = projectFor(c, "read");
  if (isResponse(p)) return p;
  const f = p.fields.find((x) => x.id === Number(c.params.field_id));
  return f ? json(200, fieldJson(p, f, c.twin.urls)) : notFound();
}

const FIELD_COLORS = new Set(["BLUE", "GRAY", "GREEN", "ORANGE", "PINK", "PURPLE", "RED", "YELLOW"]);

function addField(c: Ctx): TwinResponse {
  const p = projectFor(c, "write");
  if (isResponse(p)) return p;
  const name = typeof c.body.name === "string" ? c.body.name.trim() : "";
  const type = c.body.data_type as FieldType | undefined;
  if (!name || !type) return validationFailed([{ resource: "ProjectV2Field", code: "missing_field", field: !name ? "name" : "data_type" }]);
  // Field names are unique in a project, the built-in ones included (Status, Milestone, …): a second field
  // of a taken name is refused. The message is the twin's (Rails' "has already been taken"), not a recorded answer.
  if (p.fields.some((f) => f.name.toLowerCase() === name.toLowerCase())) {
    return validationFailed([{ resource: "ProjectV2Field", code: "already_exists", field: "name", message: "Name has already been taken" }]);
  }
  if (p.fields.length >= MAX_PROJECT_FIELDS) {
    return validationFailed([{ resource: "ProjectV2Field", code: "custom", field: "base", message: `Projects can have a maximum of ${MAX_PROJECT_FIELDS} fields` }]);
  }
  let options: Array<{ name: string; color?: string; description?: string }> | undefined;
  if (type === "single_select") {
    const raw = Array.isArray(c.body.single_select_options) ? (c.body.single_select_options as Json[]) : [];
    // "At least one option must be provided when creating a single select field" (REST "Add a field to an organization-owned project")
    if (!raw.length) return validationFailed([{ resource: "ProjectV2Field", code: "missing_field", field: "single_select_options" }]);
    options = raw.map((o) => ({
      name: String(o.name ?? ""),
      ...(typeof o.color === "string" && FIELD_COLORS.has(o.color) ? { color: o.color } : {}),
      ...(typeof o.description === "string" ? { description: o.description } : {}),
    }));
    if (options.some((o) => !o.name.trim())) return validationFailed([{ resource: "ProjectV2SingleSelectFieldOption", code: "missing_field", field: "name" }]);
    if (new Set(options.map((o) => o.name.toLowerCase())).size !== options.length) {
      return validationFailed([{ resource: "ProjectV2SingleSelectFieldOption", code: "already_exists", field: "name", message: "Option names must be unique" }]);
    }
  } else if (type !== "text" && type !== "number" && type !== "date") {
    return validationFailed([{ resource: "ProjectV2Field", code: "invalid", field: "data_type" }]);
  }
  const field = c.twin.projects.makeField(name, type, options);
  p.fields.push(field);
  p.updated_at = c.twin.timestamp();
  return json(201, fieldJson(p, field, c.twin.urls));
}

/** `fields=1,2` or `fields[]=1&fields[]=2` → ids */
function fieldIds(c: Ctx): number[] | undefined {
  const raw = [...c.query.getAll("fields"), ...c.query.getAll("fields[]")].flatMap((v) => v.split(","));
  const ids = raw.map((v) => Number(v.trim())).filter((n) => Number.isInteger(n));
  return ids.length ? ids : undefined;
}

function listItems(c: Ctx): TwinResponse {
  const p = projectFor(c, "read");
  if (isResponse(p)) return p;
  const ids = fieldIds(c);
  return cursorPage(c, p.items.map((i) => itemJson(c.twin, p, i, ids)));
}

function getItem(c: Ctx): TwinResponse {
  const p = projectFor(c, "read");
  if (isResponse(p)) return p;
  const item = p.items.find((i) => i.id === Number(c.params.item_id));
  return item ? json(200, itemJson(c.twin, p, item, fieldIds(c))) : notFound();
}

function addItem(c: Ctx): TwinResponse {
  const p = projectFor(c, "write");
  if (isResponse(p)) return p;
  const b = c.body;
  let issue;
  if (typeof b.id === "number") issue = c.twin.issuesById.get(b.id);
  else {
    const repo: RepoState | undefined = c.twin.repos.get(`${String(b.owner)}/${String(b.repo)}`.toLowerCase());
    issue = repo?.issues.get(Number(b.number));
  }
  if (!issue || (b.type === "Issue") === issue.pull_request) return notFound();
  const exists = p.items.some((i) => i.issue === issue);
  if (!exists && p.items.length >= MAX_PROJECT_ITEMS) return validationFailed([{ resource: "ProjectV2Item", code: "custom", field: "base", message: `Projects can contain up to ${MAX_PROJECT_ITEMS} items` }]);
  // Adding content that is already in the project answers its existing item, as GraphQL's
  // addProjectV2ItemById is documented to (an issue is on a project once).
  const { item } = c.twin.projects.addItem(p, issue, c.actor.kind === "installation" || c.actor.kind === "user" ? c.actor.user : p.creator);
  const { fields: _fields, ...added } = itemJson(c.twin, p, item, undefined);
  return json(201, added);
}

function updateItem(c: Ctx): TwinResponse {
  const p = projectFor(c, "write");
  if (isResponse(p)) return p;
  const item = p.items.find((i) => i.id === Number(c.params.item_id));
  if (!item) return notFound();
  const updates = Array.isArray(c.body.fields) ? (c.body.fields as Json[]) : [];
  const staged = new Map(item.values);
  for (const [index, u] of updates.entries()) {
    const field = p.fields.find((f) => f.id === u.id);
    const bad = (message: string) => validationFailed([{ resource: "ProjectV2ItemFieldValue", code: "invalid", field: "fields", index, message }]);
    if (!field) return bad(`Field ${String(u.id)} does not exist in this project`);
    const v = u.value as string | number | null;
    if (v === null) {
      staged.delete(field.id);
      continue;
    }
    switch (field.data_type) {
      case "text":
        if (typeof v !== "string") return bad(`${field.name} takes text`);
        staged.set(field.id, v);
        break;
      case "number":
        if (typeof v !== "number" || !Number.isFinite(v)) return bad(`${field.name} takes a number`);
        staged.set(field.id, v);
        break;
      case "date":
        if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return bad(`${field.name} takes a date (YYYY-MM-DD)`);
        staged.set(field.id, v);
        break;
      case "single_select":
        // "For single select and iteration fields, provide the ID of the option" (REST "Update project item for organization")
        if (!field.options?.some((o) => o.id === v)) return bad(`${String(v)} is not an option of ${field.name}`);
        staged.set(field.id, v);
        break;
      default:
        return bad(`${field.name} cannot be set through this endpoint`);
    }
  }
  item.values = staged;
  item.updated_at = c.twin.timestamp();
  return json(200, itemJson(c.twin, p, item, updates.map((u) => Number(u.id))));
}

function deleteItem(c: Ctx): TwinResponse {
  const p = projectFor(c, "write");
  if (isResponse(p)) return p;
  const at = p.items.findIndex((i) => i.id === Number(c.params.item_id));
  if (at < 0) return notFound();
  p.items.splice(at, 1);
  return json(204, undefined);
}

function createView(c: Ctx): TwinResponse {
  const p = projectFor(c, "write");
  if (isResponse(p)) return p;
  const b = c.body;
  const name = typeof b.name === "string" ? b.name.trim() : "";
  if (!name) return validationFailed([{ resource: "ProjectV2View", code: "missing_field", field: "name" }]);
  const layout = b.layout as "table" | "board" | "roadmap";
  const ids = (key: string) => (Array.isArray(b[key]) ? (b[key] as unknown[]).map(Number) : []);
  const known = (id: number) => p.fields.some((f) => f.id === id);
  for (const key of ["visible_fields", "group_by", "vertical_group_by"]) {
    const unknown = ids(key).find((id) => !known(id));
    if (unknown !== undefined) return validationFailed([{ resource: "ProjectV2View", code: "invalid", field: key, message: `Field ${unknown} does not exist in this project` }]);
  }
  // "`visible_fields` is not applicable to `roadmap` layout views"; group_by: "fields such as Title, … cannot be grouped on" (REST "Create a view for an organization-owned project")
  if (layout === "roadmap" && ids("visible_fields").length) return validationFailed([{ resource: "ProjectV2View", code: "invalid", field: "visible_fields", message: "visible_fields is not applicable to roadmap layout views" }]);
  const ungroupable = new Set<FieldType>(["title", "reviewers", "linked_pull_requests", "sub_issues_progress"]);
  for (const key of ["group_by", "vertical_group_by"]) {
    const f = ids(key).map((id) => p.fields.find((x) => x.id === id)!).find((x) => ungroupable.has(x.data_type));
    if (f) return validationFailed([{ resource: "ProjectV2View", code: "invalid", field: key, message: `${f.name} cannot be grouped on` }]);
  }
  if (ids("vertical_group_by").length && layout !== "board") return validationFailed([{ resource: "ProjectV2View", code: "invalid", field: "vertical_group_by", message: "vertical_group_by applies to board layout views" }]);
  const creator = c.actor.kind === "installation" || c.actor.kind === "user" ? c.actor.user : p.creator;
  const view = {
    id: 9_000_000 + p.views.length + 1 + p.id,
    number: p.views.length + 1,
    name,
    layout,
    filter: typeof b.filter === "string" ? b.filter : null,
    visible_fields: ids("visible_fields"),
    sort_by: Array.isArray(b.sort_by) ? (b.sort_by as Array<[number | string, number | string]>) : [],
    group_by: ids("group_by"),
    vertical_group_by: ids("vertical_group_by"),
    creator,
    created_at: c.twin.timestamp(),
  };
  p.views.push(view);
  return json(201, viewJson(p, view, c.twin.urls));
}

function listViewItems(c: Ctx): TwinResponse {
  const p = projectFor(c, "read");
  if (isResponse(p)) return p;
  if (!p.views.some((v) => v.number === Number(c.params.view_number))) return notFound();
  return cursorPage(c, p.items.map((i) => itemJson(c.twin, p, i, fieldIds(c))));
}

const token = (handler: Route["handler"]): Route => ({ auth: "token", handler });

export const PROJECT_ROUTES: ReadonlyArray<[string, Route]> = (["/orgs/{org}", "/users/{username}"] as const).flatMap((owner) => {
  const P = `${owner}/projectsV2/{project_number}`;
  return [
    [`GET ${P}`, token(getProject)],
    [`GET ${P}/fields`, token(listFields)],
    [`POST ${P}/fields`, token(addField)],
    [`GET ${P}/fields/{field_id}`, token(getField)],
    [`GET ${P}/items`, token(listItems)],
    [`POST ${P}/items`, token(addItem)],
    [`GET ${P}/items/{item_id}`, token(getItem)],
    [`PATCH ${P}/items/{item_id}`, token(updateItem)],
    [`DELETE ${P}/items/{item_id}`, token(deleteItem)],
    [`GET ${P}/views/{view_number}/items`, token(listViewItems)],
    ...(owner === "/orgs/{org}" ? ([[`POST ${P}/views`, token(createView)]] as Array<[string, Route]>) : []),
  ] as Array<[string, Route]>;
}).concat([[`POST /users/{user_id}/projectsV2/{project_number}/views`, token(createView)]]);
