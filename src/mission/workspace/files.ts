/**
 * The files of the mission folder that carry front matter: mission agents
 * (`agents/<name>.md`) and research notes (`research/<slug>.md`). Written
 * by the bot (agents) or by workers and people (notes): read back as
 * hostile text, the front matter validated with zod, the body kept as data.
 * Pure.
 */
import { parseDocument, stringify } from "yaml";
import type { z } from "zod";
import { describeZodError } from "../model.js";
import { stripHidden } from "../markdown/escape.js";
import { AgentFrontMatter, ResearchFrontMatter, type AgentRecord } from "./model.js";

/** Most characters of one file's body the bot keeps (a worker prompt includes agents whole up to this). */
export const MAX_FILE_BODY = 4000;

export type Read<T> = { ok: true; front: T; body: string } | { ok: false; problems: string[] };

/** `---\n<yaml>\n---\n<body>`, the front matter parsed with `schema`. */
function readFrontMatter<S extends z.ZodType>(text: string, schema: S, what: string): Read<z.infer<S>> {
  const source = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const m = /^---[ \t]*\n([\s\S]*?)\n---[ \t]*(?:\n|$)([\s\S]*)$/.exec(source);
  if (!m) return { ok: false, problems: [`${what} has no front matter: it starts with a line \`---\`, then YAML, then a line \`---\``] };
  const doc = parseDocument(m[1]!, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) return { ok: false, problems: doc.errors.slice(0, 3).map((e) => `${what} front matter: ${e.message.split("\n")[0]}`) };
  const parsed = schema.safeParse(doc.toJS({ maxAliasCount: 10 }));
  if (!parsed.success) return { ok: false, problems: describeZodError(parsed.error, 5).map((p) => `${what}: ${p}`) };
  const body = stripHidden(m[2] ?? "").trim();
  return { ok: true, front: parsed.data, body: body.length > MAX_FILE_BODY ? `${body.slice(0, MAX_FILE_BODY)}\n[… cut at ${MAX_FILE_BODY} characters]` : body };
}

export function readAgentFile(text: string): Read<AgentFrontMatter> {
  return readFrontMatter(text, AgentFrontMatter, "the agent file");
}

export function readResearchNote(text: string): Read<ResearchFrontMatter> {
  return readFrontMatter(text, ResearchFrontMatter, "the research note");
}

function file(front: object, body: string): string {
  return `---\n${stringify(front, { lineWidth: 0 }).trimEnd()}\n---\n\n${body.trim()}\n`;
}

/**
 * The agent file the bot drafts. Its body is what the bot knows for sure
 * (which features need the knowledge and what a worker said it lacked); a
 * person or a later worker fills it in. The worker's words stay data: they
 * are quoted, hidden content stripped.
 */
export function renderAgentFile(missionId: string, agent: AgentRecord, status: "draft" | "promoted" = "draft"): string {
  const front = AgentFrontMatter.parse({ name: agent.name, purpose: agent.purpose, status, source_mission: missionId, used_by: agent.used_by });
  const quote = (t: string) =>
    stripHidden(t)
      .trim()
      .split("\n")
      .map((l) => `> ${l}`)
      .join("\n");
  const lines = [
    `# Mission agent: ${agent.name}`,
    "",
    front.purpose,
    "",
    agent.reason === "missing-context"
      ? `Drafted by mission-bot because the worker of feature ${agent.from.join(", ")} reported it lacked this knowledge.`
      : `Drafted by mission-bot because features ${agent.from.join(", ")} all need this knowledge.`,
  ];
  if (agent.needed) lines.push("", "What the worker said it needed (its words, as data):", "", quote(agent.needed));
  lines.push(
    "",
    "## What to know",
    "",
    `- Read the mission's research notes in \`todo/missions/${missionId}/research/\` first, if there are any.`,
    `- What you learn that the next worker needs (facts, conventions, commands that work): write it as a research note, \`todo/missions/${missionId}/research/<slug>.md\` with front matter \`title\` and \`sources\`, in your changes.`,
  );
  return file(front, lines.join("\n"));
}
