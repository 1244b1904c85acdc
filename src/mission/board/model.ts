/**
 * The Project board's schemas: where `.github/mission.yml` names the board,
 * and what the bot learned about it (recorded in mission.md). Pure.
 */
import { z } from "zod";

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
/** https://github.com/orgs/acme/projects/3 · https://github.com/users/alice/projects/3 (an Enterprise Server's own host too) */
export const PROJECT_URL = /^https?:\/\/[^/\s]+\/(orgs|users)\/([A-Za-z0-9][A-Za-z0-9-]{0,38})\/projects\/(\d{1,9})\/?(?:views\/\d+\/?)?$/;

export const ProjectConfig = z
  .strictObject({
    url: z.string().regex(PROJECT_URL, "project.url is the project's address, like https://github.com/orgs/acme/projects/3").optional().describe("the project's address, like https://github.com/orgs/acme/projects/3"),
    owner: z.string().regex(LOGIN, "project.owner is an organisation's or a user's login").optional().describe("instead of url: the organisation (or user) that owns the project"),
    number: z.number().int().positive().optional().describe("instead of url: the project's number"),
    owner_type: z.enum(["organization", "user"]).optional().describe("with owner: `organization` (when not given) or `user`"),
  })
  .refine((p) => p.url !== undefined || (p.owner !== undefined && p.number !== undefined), { message: "project needs url, or owner and number" })
  .describe("the Projects (v2) board missions are tracked on (README \"Project board\"); `/mission project` creates one instead");
export type ProjectConfig = z.infer<typeof ProjectConfig>;

/** A project, by what names it in the REST API. */
export const ProjectRef = z.strictObject({
  owner: z.string().regex(LOGIN),
  owner_type: z.enum(["organization", "user"]),
  number: z.number().int().positive(),
});
export type ProjectRef = z.infer<typeof ProjectRef>;

const FieldValue = z.union([z.string().max(1000), z.number(), z.null()]);
export type FieldValue = z.infer<typeof FieldValue>;

/** What the bot learned about its board, and the values it last wrote (so a person's move is not undone by the same data). */
export const BoardRecord = z.strictObject({
  project: ProjectRef,
  /** the project's node id (GraphQL), when the bot created it */
  node_id: z.string().max(200).optional(),
  /** field name → its id, and for single-select fields option name → option id */
  fields: z.record(z.string().max(100), z.strictObject({ id: z.number().int().positive(), options: z.record(z.string().max(100), z.string().max(100)).optional() })).default({}),
  /** the views the bot made (by name); made only on a board whose fields it created */
  views: z.array(z.string().max(100)).default([]),
  /** ref ("milestone:1", "feature:1.2") → the item, and the values the bot last wrote there (field name → value) */
  items: z.record(z.string().max(60), z.strictObject({ id: z.number().int().positive(), values: z.record(z.string().max(100), FieldValue).default({}) })).default({}),
  /** the board could not be reached (missing, or no permission): when, and why; tried again an hour later */
  unreachable: z.strictObject({ at: z.iso.datetime({ offset: true }), why: z.string().max(500) }).optional(),
});
export type BoardRecord = z.infer<typeof BoardRecord>;
