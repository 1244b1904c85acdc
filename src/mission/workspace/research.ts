/**
 * Research first: a plan may start with research features (`kind:
 * research`) whose workers write notes only, to the mission folder's
 * `research/<slug>.md`. The notes feed the decomposition: when the planner
 * plans or replans, the mission's notes go into its prompt, read as hostile
 * text (front matter validated, body bounded, hidden content stripped), and a
 * note that does not read is left out with its name and why. The bot does
 * not replan by itself: once the research is done the dashboard offers
 * `/mission replan`. Pure.
 */
import type { Feature, Mission } from "../model.js";
import { readResearchNote } from "./files.js";
import { missionFolder } from "./model.js";

/** A research note as the planner sees it. */
export interface ResearchNote {
  name: string;
  title: string;
  sources: string[];
  body: string;
}

/** The notes the planner is given, and the ones left out (with why). */
export interface ResearchForPlanner {
  notes: ResearchNote[];
  left_out: Array<{ name: string; why: string }>;
}

/** Most notes read for one planning, and the most characters of notes together (bodies are cut at files.ts MAX_FILE_BODY each). */
export const MAX_RESEARCH_NOTES = 12;
export const MAX_RESEARCH_CHARS = 24_000;

export const isResearch = (f: Feature): boolean => f.kind === "research";

export function researchPath(missionId: string, name: string): string {
  return `${missionFolder(missionId)}/research/${name}`;
}

/** The notes' names worth reading: Markdown files of the folder index, bounded. */
export function researchNames(m: Mission): string[] {
  return (m.folder?.research ?? []).filter((n) => /^[^/]+\.md$/i.test(n)).slice(0, MAX_RESEARCH_NOTES);
}

/** Read the files (name → text) as notes for the planner: validated, in name order, until the room is used up. */
export function researchForPlanner(files: ReadonlyArray<{ name: string; text: string }>): ResearchForPlanner {
  const out: ResearchForPlanner = { notes: [], left_out: [] };
  let room = MAX_RESEARCH_CHARS;
  for (const f of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    const read = readResearchNote(f.text);
    if (!read.ok) {
      out.left_out.push({ name: f.name, why: read.problems.join("; ").slice(0, 300) });
      continue;
    }
    const note: ResearchNote = { name: f.name, title: read.front.title, sources: read.front.sources, body: read.body };
    const size = note.title.length + note.body.length + note.sources.join("").length;
    if (size > room) {
      out.left_out.push({ name: f.name, why: "no room left for it in the planner's prompt" });
      continue;
    }
    room -= size;
    out.notes.push(note);
  }
  return out;
}

/**
 * The dashboard's offer: every research feature is done, and no feature
 * after the research milestone has started yet, so a replan can still use
 * the notes. Undefined when there is nothing to offer.
 */
export function replanOffer(m: Mission): string | undefined {
  const milestones = m.plan?.milestones ?? [];
  const research = milestones.flatMap((x) => x.features).filter(isResearch);
  if (!research.length || research.some((f) => !f.done)) return undefined;
  const later = milestones.slice(1).flatMap((x) => x.features);
  if (later.some((f) => f.runs.length || f.done)) return undefined;
  return "Research is done: reply `/mission replan` to plan the rest of the mission from its notes (the bot does not replan by itself).";
}
