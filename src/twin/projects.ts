/**
 * Projects (v2) in the twin: projects owned by organisations and users, their
 * fields, items and views, as GitHub's REST API for Projects shows them
 * (https://docs.github.com/rest/projects). Plain state and its JSON; the
 * routes are in project-routes.ts, the GraphQL mutation in graphql.ts.
 */
import type { IssueState, TwinUser } from "./model.js";
import { issueJson, simpleUser, type Json, type Urls } from "./serialize.js";
import type { GitHubTwin } from "./state.js";

export type FieldType = "title" | "assignees" | "labels" | "linked_pull_requests" | "milestone" | "repository" | "reviewers" | "parent_issue" | "sub_issues_progress" | "text" | "number" | "date" | "single_select";

export interface OptionState {
  id: string;
  name: string;
  color: string;
  description: string;
}

export interface FieldState {
  id: number;
  node_id: string;
  name: string;
  data_type: FieldType;
  options?: OptionState[];
  created_at: string;
  updated_at: string;
}

export interface ItemState {
  id: number;
  node_id: string;
  issue: IssueState;
  creator: TwinUser;
  created_at: string;
  updated_at: string;
  /** field id → value: text and date as strings, numbers, single-select option ids */
  values: Map<number, string | number>;
}

export interface ViewState {
  id: number;
  number: number;
  name: string;
  layout: "table" | "board" | "roadmap";
  filter: string | null;
  visible_fields: number[];
  sort_by: Array<[number | string, number | string]>;
  group_by: number[];
  vertical_group_by: number[];
  creator: TwinUser;
  created_at: string;
}

export interface ProjectState {
  id: number;
  node_id: string;
  number: number;
  owner: TwinUser;
  creator: TwinUser;
  title: string;
  created_at: string;
  updated_at: string;
  fields: FieldState[];
  items: ItemState[];
  views: ViewState[];
}

/**
 * The fields every new project has (GitHub's "Default fields": Title,
 * Assignees, Status with Todo / In Progress / Done, Labels, Linked pull
 * requests, Milestone, Repository, Reviewers, Parent issue, Sub-issues
 * progress; docs "Understanding fields", and the field list in the REST
 * example for "Get an item for an organization owned project"). Their names
 * are taken: a new field may not reuse one (see `addField`).
 */
const DEFAULT_FIELDS: ReadonlyArray<{ name: string; data_type: FieldType; options?: Array<[string, string, string]> }> = [
  { name: "Title", data_type: "title" },
  { name: "Assignees", data_type: "assignees" },
  {
    name: "Status",
    data_type: "single_select",
    options: [
      ["Todo", "GREEN", "This item hasn't been started"],
      ["In Progress", "YELLOW", "This is actively being worked on"],
      ["Done", "PURPLE", "This has been completed"],
    ],
  },
  { name: "Labels", data_type: "labels" },
  { name: "Linked pull requests", data_type: "linked_pull_requests" },
  { name: "Milestone", data_type: "milestone" },
  { name: "Repository", data_type: "repository" },
  { name: "Reviewers", data_type: "reviewers" },
  { name: "Parent issue", data_type: "parent_issue" },
  { name: "Sub-issues progress", data_type: "sub_issues_progress" },
];

/**
 * A project holds at most 50 fields, built-in ones included, and 50,000
 * items (the limits GitHub's Projects documentation gives, docs "About
 * Projects"; the twin's error texts are its own, not recorded answers).
 * The twin refuses past them with 422.
 */
export const MAX_PROJECT_FIELDS = 50;
export const MAX_PROJECT_ITEMS = 50_000;

const base36 = (n: number) => n.toString(36).toUpperCase();

export class TwinProjects {
  /** `${owner login lower-cased}/${number}` → project */
  readonly byKey = new Map<string, ProjectState>();
  private seq = 1;

  constructor(private readonly twin: GitHubTwin) {}

  private nextId(): number {
    return 7_000_000 + this.seq++;
  }

  /** A project owned by an organisation or a user (the owner's type decides its routes). */
  create(owner: TwinUser, title: string, creator: TwinUser = owner): ProjectState {
    const number = [...this.byKey.values()].filter((p) => p.owner === owner).length + 1;
    const now = this.twin.timestamp();
    const id = this.nextId();
    const project: ProjectState = {
      id,
      node_id: `PVT_${base36(id)}`,
      number,
      owner,
      creator,
      title,
      created_at: now,
      updated_at: now,
      fields: [],
      items: [],
      views: [],
    };
    for (const f of DEFAULT_FIELDS) {
      const field = this.makeField(f.name, f.data_type, f.options?.map(([name, color, description]) => ({ name, color, description })));
      project.fields.push(field);
    }
    this.byKey.set(`${owner.login.toLowerCase()}/${number}`, project);
    return project;
  }

  get(owner: string, number: number): ProjectState | undefined {
    return this.byKey.get(`${owner.toLowerCase()}/${number}`);
  }

  byNodeId(nodeId: string): ProjectState | undefined {
    return [...this.byKey.values()].find((p) => p.node_id === nodeId);
  }

  makeField(name: string, data_type: FieldType, options?: Array<{ name: string; color?: string; description?: string }>): FieldState {
    const id = this.nextId();
    const now = this.twin.timestamp();
    return {
      id,
      node_id: `PVTF_${base36(id)}`,
      name,
      data_type,
      ...(options ? { options: options.map((o, i) => ({ id: `${base36(id)}${i}`.toLowerCase().slice(-8), name: o.name, color: o.color ?? "GRAY", description: o.description ?? "" })) } : {}),
      created_at: now,
      updated_at: now,
    };
  }

  /** The issue's item in the project: the existing one when it is there already (adding is idempotent). */
  addItem(project: ProjectState, issue: IssueState, creator: TwinUser): { item: ItemState; created: boolean } {
    const existing = project.items.find((i) => i.issue === issue);
    if (existing) return { item: existing, created: false };
    const id = this.nextId();
    const now = this.twin.timestamp();
    const item: ItemState = { id, node_id: `PVTI_${base36(id)}`, issue, creator, created_at: now, updated_at: now, values: new Map() };
    project.items.push(item);
    project.updated_at = now;
    return { item, created: true };
  }

  /** A person moves a card or edits a value (as the project's web page would). */
  setValue(project: ProjectState, item: ItemState, fieldName: string, value: string | number | null): void {
    const field = project.fields.find((f) => f.name === fieldName);
    if (!field) throw new Error(`twin: project ${project.number} has no field ${fieldName}`);
    const stored = field.data_type === "single_select" && typeof value === "string" ? field.options?.find((o) => o.name === value)?.id : value;
    if (stored === undefined) throw new Error(`twin: field ${fieldName} has no option ${String(value)}`);
    if (stored === null) item.values.delete(field.id);
    else item.values.set(field.id, stored);
    item.updated_at = this.twin.timestamp();
  }

  /** What a field shows for an item, by name (single-select: the option's name); for tests. */
  valueOf(project: ProjectState, item: ItemState, fieldName: string): string | number | undefined {
    const field = project.fields.find((f) => f.name === fieldName);
    if (!field) return undefined;
    const v = item.values.get(field.id);
    if (field.data_type === "single_select") return field.options?.find((o) => o.id === v)?.name;
    return v;
  }
}

// ---------------------------------------------------------------------------
// JSON

function ownerPath(p: ProjectState): string {
  return p.owner.type === "Organization" ? `orgs/${p.owner.login}` : `users/${p.owner.login}`;
}

export function projectUrl(p: ProjectState, urls: Urls): string {
  return `${urls.api}/${ownerPath(p)}/projectsV2/${p.number}`;
}

export function projectHtmlUrl(p: ProjectState, urls: Urls): string {
  return `${urls.web}/${ownerPath(p)}/projects/${p.number}`;
}

export function projectJson(p: ProjectState, urls: Urls): Json {
  return {
    id: p.id,
    node_id: p.node_id,
    owner: simpleUser(p.owner, urls),
    creator: simpleUser(p.creator, urls),
    title: p.title,
    description: null,
    public: false,
    closed_at: null,
    created_at: p.created_at,
    updated_at: p.updated_at,
    number: p.number,
    short_description: null,
    deleted_at: null,
    deleted_by: null,
    state: "open",
    is_template: false,
  };
}

const rich = (text: string) => ({ raw: text, html: text });

function optionJson(o: OptionState): Json {
  return { id: o.id, name: rich(o.name), color: o.color, description: rich(o.description) };
}

export function fieldJson(p: ProjectState, f: FieldState, urls: Urls): Json {
  return {
    id: f.id,
    node_id: f.node_id,
    project_url: projectUrl(p, urls),
    name: f.name,
    data_type: f.data_type,
    ...(f.options ? { options: f.options.map(optionJson) } : {}),
    created_at: f.created_at,
    updated_at: f.updated_at,
  };
}

/** An item's value for one field, in the shape GitHub's item answers use. */
function valueJson(twin: GitHubTwin, f: FieldState, item: ItemState): unknown {
  const issue = item.issue;
  switch (f.data_type) {
    case "title":
      return { ...rich(issue.title), number: issue.number, url: `${twin.urls.web}/${issue.repo.full_name}/issues/${issue.number}`, issue_id: issue.id, state: issue.state, state_reason: issue.state_reason, is_draft: false };
    case "assignees":
      return issue.assignees.map((a) => simpleUser(a, twin.urls));
    case "labels":
    case "linked_pull_requests":
    case "reviewers":
      return [];
    case "single_select": {
      const o = f.options?.find((x) => x.id === item.values.get(f.id));
      return o ? optionJson(o) : null;
    }
    case "text":
    case "date": {
      const v = item.values.get(f.id);
      return v === undefined ? null : rich(String(v));
    }
    case "number":
      return item.values.get(f.id) ?? null;
    default:
      return null;
  }
}

/**
 * An item: its fields only those asked for by id (`fields`), else only the
 * title ("Limit results to specific fields, by their IDs. If not specified,
 * the title field will be returned": REST "Get an item for an organization
 * owned project").
 */
export function itemJson(twin: GitHubTwin, p: ProjectState, item: ItemState, fieldIds: readonly number[] | undefined): Json {
  const fields = fieldIds?.length ? p.fields.filter((f) => fieldIds.includes(f.id)) : p.fields.filter((f) => f.data_type === "title");
  return {
    id: item.id,
    node_id: item.node_id,
    project_url: projectUrl(p, twin.urls),
    content_type: "Issue",
    content: issueJson(item.issue, { urls: twin.urls, app: twin.app, issuesById: twin.issuesById }),
    creator: simpleUser(item.creator, twin.urls),
    created_at: item.created_at,
    updated_at: item.updated_at,
    archived_at: null,
    item_url: `${projectUrl(p, twin.urls)}/items/${item.id}`,
    fields: fields.map((f) => ({ id: f.id, name: f.name, data_type: f.data_type, value: valueJson(twin, f, item) })),
  };
}

export function viewJson(p: ProjectState, v: ViewState, urls: Urls): Json {
  return {
    id: v.id,
    number: v.number,
    name: v.name,
    layout: v.layout,
    node_id: `PVTV_${base36(v.id)}`,
    project_url: projectUrl(p, urls),
    html_url: `${projectHtmlUrl(p, urls)}/views/${v.number}`,
    creator: simpleUser(v.creator, urls),
    created_at: v.created_at,
    updated_at: v.created_at,
    filter: v.filter,
    visible_fields: v.visible_fields,
    sort_by: v.sort_by,
    group_by: v.group_by,
    vertical_group_by: v.vertical_group_by,
  };
}
