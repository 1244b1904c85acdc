/**
 * The mission folder's vocabulary: `todo/missions/<id>/` holds mission.md
 * (the bot's state) and grows as work happens: `research/` (notes with
 * their sources), `agents/` (mission agents: short instructions every later
 * worker reads), `scripts/` and `assets/`. A folder appears only when it
 * has content. Schemas for what mission.md records about it and for the
 * front matter of the files in it. Pure.
 */
import { z } from "zod";

const isoDate = z.iso.datetime({ offset: true });
const featureKey = z.string().regex(/^\d{1,2}\.[0-9a-z][0-9a-z-]{0,60}$/, "a feature key looks like 2.3");

/** The folders a mission folder may grow, in the order the dashboard lists them. */
export const FOLDER_KINDS = ["research", "agents", "scripts", "assets"] as const;
export type FolderKind = (typeof FOLDER_KINDS)[number];

/** A mission agent's name: its file name without `.md`, and the word `/mission promote` takes. */
export const AgentName = z
  .string()
  .min(2, "an agent name has at least 2 characters")
  .max(40, "an agent name has at most 40 characters")
  .regex(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/, "an agent name is lowercase letters, digits and dashes, like stripe-api");
export type AgentName = z.infer<typeof AgentName>;

/** A tag in the plan naming knowledge a feature needs (`knowledge: [stripe-api]`): features sharing one get an agent. */
export const KnowledgeTag = AgentName;

/** The front matter of `agents/<name>.md`: validated whenever it is read (the file is in git; anyone may edit it). */
export const AgentFrontMatter = z.strictObject({
  name: AgentName,
  purpose: z.string().trim().min(1).max(300),
  status: z.enum(["draft", "promoted"]),
  /** the mission that drafted it */
  source_mission: z.string().regex(/^m-\d{8}-[a-z0-9][a-z0-9-]{0,40}$/, "a mission id looks like m-20261124-crm-42"),
  /** the features whose workers were given it */
  used_by: z.array(featureKey).max(200).default([]),
});
export type AgentFrontMatter = z.infer<typeof AgentFrontMatter>;

/** The front matter of `research/<slug>.md`: every note says where its facts come from. */
export const ResearchFrontMatter = z.strictObject({
  title: z.string().trim().min(1).max(200),
  sources: z.array(z.string().trim().min(1).max(500)).min(1, "a research note lists its sources").max(50),
});
export type ResearchFrontMatter = z.infer<typeof ResearchFrontMatter>;

/** Why the bot drafted an agent. */
export const DraftReason = z.enum(["shared-knowledge", "missing-context"]);

/** What mission.md records about one mission agent (the file holds its text; this, the bot's decisions about it). */
export const AgentRecord = z.strictObject({
  name: AgentName,
  purpose: z.string().min(1).max(300),
  reason: DraftReason,
  /** the features that asked for it (shared the tag, or reported the missing context) */
  from: z.array(featureKey).min(1).max(200),
  drafted_at: isoDate,
  /** the features not done when it was drafted: each later worker prompt includes it */
  used_by: z.array(featureKey).max(200).default([]),
  /** what the worker said it lacked (a report's missing_context.what), kept as data */
  needed: z.string().max(2000).optional(),
  /** the file is on the state branch (written by apply) */
  written: z.boolean().optional(),
  /** `/mission promote <name>`: asked by a person, then the pull request that proposes it */
  promotion: z
    .strictObject({
      by: z.string().min(1).max(100),
      at: isoDate,
      pull_request: z.number().int().positive().optional(),
      url: z.string().max(500).optional(),
      /** GitHub refused to open it: its answer */
      refused: z.string().max(500).optional(),
    })
    .optional(),
});
export type AgentRecord = z.infer<typeof AgentRecord>;

/** The folder's index as the bot last read it: paths relative to the mission folder, per kind (bounded). */
export const FolderIndex = z.strictObject({
  /** the branch it was read from */
  branch: z.string().max(255),
  research: z.array(z.string().max(300)).max(50).default([]),
  scripts: z.array(z.string().max(300)).max(50).default([]),
  assets: z.array(z.string().max(300)).max(50).default([]),
  /** more files than the index keeps */
  more: z.number().int().nonnegative().optional(),
});
export type FolderIndex = z.infer<typeof FolderIndex>;

/** Most agents a mission drafts: a worker prompt includes every one. */
export const MAX_AGENTS = 8;

export function missionFolder(id: string): string {
  return `todo/missions/${id}`;
}

export function agentPath(id: string, name: string): string {
  return `${missionFolder(id)}/agents/${name}.md`;
}

/** Where promoted agents live on the default branch, unless `worker.agents_folder` says otherwise. */
export const DEFAULT_AGENTS_FOLDER = ".github/mission-agents";
