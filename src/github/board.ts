/**
 * Apply's Project board step (called only from apply.ts): make the board's
 * fields (found by name first) and, on a board whose fields the bot created,
 * its views; add each milestone's and feature's issue as an item; re-read
 * the card's fields and write only the values that differ from what the
 * mission says now. REST only: /orgs/{org}/projectsV2/… and
 * /users/{username}/projectsV2/… (https://docs.github.com/rest/projects).
 * Every answer is validated before it is used.
 */
import { z } from "zod";
import type { Action, Ref } from "../mission/decision.js";
import { BOARD_FIELDS, BOARD_VIEWS, sameProject } from "../mission/board/board.js";
import type { BoardRecord, FieldValue, ProjectRef } from "../mission/board/model.js";
import { isRateLimited, messageOf, statusOf, type Octokit } from "./client.js";
import { RateLimitedError } from "./rate-limits.js";

type BoardSync = Extract<Action, { kind: "board-sync" }>;

export interface BoardSyncInput {
  action: BoardSync;
  board: BoardRecord | undefined;
  /** the issue of a milestone or feature, if it has one */
  issueOf: (ref: Ref) => { number: number; id: number } | undefined;
  /** writes this step may make */
  maxWrites: number;
  now: string;
}

export interface BoardSyncResult {
  board: BoardRecord;
  writes: number;
  /** GitHub would not let the bot use the board (missing project, no permission, a refused write) */
  unreachable?: { status: number | undefined; message: string };
}

const Rich = z.union([z.string(), z.strictObject({ raw: z.string(), html: z.string().optional() }).loose()]);
const richText = (v: z.infer<typeof Rich>) => (typeof v === "string" ? v : v.raw);
const Field = z
  .object({
    id: z.number().int().positive(),
    name: z.string(),
    data_type: z.string(),
    options: z.array(z.object({ id: z.string(), name: Rich }).loose()).optional(),
  })
  .loose();
const Fields = z.array(Field);
const Item = z.object({ id: z.number().int().positive(), fields: z.array(z.object({ id: z.number(), name: z.string(), value: z.unknown() }).loose()).optional() }).loose();
const Created = z.object({ id: z.number().int().positive() }).loose();

type Request = (route: string, params: Record<string, unknown>) => Promise<{ data: unknown }>;

function routes(p: ProjectRef) {
  const org = p.owner_type === "organization";
  return {
    base: org ? "/orgs/{org}/projectsV2/{project_number}" : "/users/{username}/projectsV2/{project_number}",
    params: org ? { org: p.owner, project_number: p.number } : { username: p.owner, project_number: p.number },
  };
}

/** A refusal the bot cannot fix by trying again soon: the board is left alone for a while and people are told. */
function refusal(error: unknown): { status: number | undefined; message: string } | undefined {
  if (error instanceof RateLimitedError || isRateLimited(error)) return undefined;
  const status = statusOf(error);
  if (status === undefined || status < 400 || status >= 500) return undefined;
  return { status, message: messageOf(error).split("\n")[0] ?? "" };
}

export async function syncBoard(octokit: Octokit, input: BoardSyncInput): Promise<BoardSyncResult> {
  const { action } = input;
  const request = octokit.request as unknown as Request;
  const { base, params } = routes(action.project);
  const kept = input.board && sameProject(input.board.project, action.project) ? input.board : undefined;
  let board: BoardRecord = { project: action.project, fields: {}, views: [], items: {}, ...kept };
  delete board.unreachable;
  let writes = 0;
  const room = () => writes < input.maxWrites;

  try {
    if (action.setup) {
      // the project must exist and be reachable; its fields are found by name before any is made
      await request(`GET ${base}`, params);
      const existing = Fields.parse((await request(`GET ${base}/fields`, { ...params, per_page: 100 })).data);
      const fields = { ...board.fields };
      let created = 0;
      for (const spec of BOARD_FIELDS) {
        let field = existing.find((f) => f.name.toLowerCase() === spec.name.toLowerCase());
        if (!field) {
          if (!room()) break;
          const body = spec.type === "single_select" ? { name: spec.name, data_type: spec.type, single_select_options: spec.options } : { name: spec.name, data_type: spec.type };
          field = Field.parse((await request(`POST ${base}/fields`, { ...params, ...body })).data);
          writes++;
          created++;
        }
        fields[spec.name] = {
          id: field.id,
          ...(field.options ? { options: Object.fromEntries(field.options.map((o) => [richText(o.name), o.id])) } : {}),
        };
      }
      board = { ...board, fields };
      // Views cannot be listed through the REST API: made once, on a board whose fields the bot made (an
      // App cannot make a user's project's views: that endpoint is not enabled for GitHub Apps).
      if ((created > 0 || board.views.length > 0) && action.project.owner_type === "organization") {
        for (const view of BOARD_VIEWS) {
          if (board.views.includes(view.name) || !room()) continue;
          const by = "by" in view ? fields[view.by]?.id : undefined;
          if ("by" in view && by === undefined) continue;
          const grouping = view.layout === "board" ? { vertical_group_by: [by] } : view.layout === "table" ? { group_by: [by] } : {};
          await request(`POST ${base}/views`, { ...params, name: view.name, layout: view.layout, ...grouping });
          writes++;
          board = { ...board, views: [...board.views, view.name] };
        }
      }
    }

    for (const item of action.items) {
      if (!room()) break;
      const issue = input.issueOf(item.ref);
      if (!issue) continue;
      let id = board.items[item.ref]?.id;
      let current = id === undefined ? undefined : await readCard(request, base, params, id, board, Object.keys(item.values));
      if (current === "gone") {
        id = undefined; // a person removed the card: the mission's issue goes back on the board
        current = undefined;
      }
      if (id === undefined) {
        // adding an issue already on the board answers its item: nothing is added twice
        id = Created.parse((await request(`POST ${base}/items`, { ...params, type: "Issue", id: issue.id })).data).id;
        writes++;
        current = await readCard(request, base, params, id, board, Object.keys(item.values));
        if (current === "gone") continue;
      }
      const updates: Array<{ id: number; value: string | number | null }> = [];
      for (const [name, value] of Object.entries(item.values)) {
        const field = board.fields[name];
        if (!field || (current && Object.is(current.get(name) ?? null, value))) continue;
        if (field.options && value !== null) {
          const option = field.options[String(value)];
          if (option === undefined) continue; // a person removed that option: nothing to set
          updates.push({ id: field.id, value: option });
        } else updates.push({ id: field.id, value });
      }
      if (updates.length) {
        if (!room()) break;
        await request(`PATCH ${base}/items/{item_id}`, { ...params, item_id: id, fields: updates });
        writes++;
      }
      const before = board.items[item.ref]?.values ?? {};
      board = { ...board, items: { ...board.items, [item.ref]: { id, values: { ...before, ...item.values } } } };
    }
  } catch (error) {
    const refused = refusal(error);
    if (!refused) throw error;
    return { board: { ...board, unreachable: { at: input.now, why: `${refused.status ?? "error"}: ${refused.message}`.slice(0, 500) } }, writes, unreachable: refused };
  }
  return { board, writes };
}

/** A card's values now (field name → value), for the fields the bot is about to write; "gone" when the item is not there. */
async function readCard(request: Request, base: string, params: Record<string, unknown>, id: number, board: BoardRecord, names: string[]): Promise<Map<string, FieldValue> | "gone"> {
  const ids = names.map((n) => board.fields[n]?.id).filter((x): x is number => x !== undefined);
  let data: unknown;
  try {
    data = (await request(`GET ${base}/items/{item_id}`, { ...params, item_id: id, ...(ids.length ? { fields: ids.join(",") } : {}) })).data;
  } catch (error) {
    if (statusOf(error) === 404) return "gone";
    throw error;
  }
  const item = Item.parse(data);
  const values = new Map<string, FieldValue>();
  for (const f of item.fields ?? []) {
    const name = Object.entries(board.fields).find(([, x]) => x.id === f.id)?.[0];
    if (name) values.set(name, valueOf(f.value, board.fields[name]!.options));
  }
  return values;
}

/** GitHub's value shapes: text `{raw}` (or a string), a number, a single-select option `{id, name:{raw}}`, or null. */
function valueOf(v: unknown, options: Record<string, string> | undefined): FieldValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "number" || typeof v === "string") return v;
  if (typeof v === "object") {
    const o = v as { id?: unknown; raw?: unknown; name?: unknown };
    if (options && typeof o.id === "string") {
      const name = Object.entries(options).find(([, id]) => id === o.id)?.[0];
      if (name !== undefined) return name;
    }
    if (typeof o.raw === "string") return o.raw;
    if (o.name && typeof o.name === "object" && typeof (o.name as { raw?: unknown }).raw === "string") return (o.name as { raw: string }).raw;
  }
  return null;
}


const OwnerId = z.object({ organization: z.object({ id: z.string().min(1) }).loose() }).loose();
const MadeProject = z.object({ createProjectV2: z.object({ projectV2: z.object({ id: z.string().min(1), number: z.number().int().positive() }).loose() }).loose() }).loose();

export type BoardCreateResult = { ok: true; board: BoardRecord } | { ok: false; message: string };

/**
 * A new project for the mission in the repository's organisation (GraphQL `createProjectV2`: the REST API
 * cannot create projects). A user's repository, or an App without `organization_projects: write`, is told
 * why; a rate limit or a server error goes up (the request stays, the next reconcile tries again).
 */
export async function createBoard(octokit: Octokit, owner: string, title: string): Promise<BoardCreateResult> {
  try {
    const found = OwnerId.parse(await octokit.graphql(`query($login: String!) { organization(login: $login) { id } }`, { login: owner }));
    const made = MadeProject.parse(
      await octokit.graphql(`mutation($input: CreateProjectV2Input!) { createProjectV2(input: $input) { projectV2 { id number } } }`, {
        input: { ownerId: found.organization.id, title },
      }),
    );
    const project = made.createProjectV2.projectV2;
    return { ok: true, board: { project: { owner, owner_type: "organization", number: project.number }, node_id: project.id, fields: {}, views: [], items: {} } };
  } catch (error) {
    if (error instanceof RateLimitedError || isRateLimited(error)) throw error;
    const graphqlErrors = (error as { errors?: Array<{ type?: string; message?: string }> }).errors;
    if (Array.isArray(graphqlErrors)) return { ok: false, message: graphqlErrors.map((e) => `${e.type ?? "ERROR"}: ${e.message ?? ""}`).join("; ") };
    const status = statusOf(error);
    if (status !== undefined && status >= 400 && status < 500) return { ok: false, message: `${status}: ${messageOf(error).split("\n")[0] ?? ""}` };
    throw error;
  }
}
