/**
 * A worker that could not do its feature for lack of knowledge says so in
 * one line of its final summary, as its prompt asks:
 *
 *     Missing context: <topic>: <what it needed>
 *
 * The report mode reads that line from the agent's output into the report's
 * `missing_context` (zod-bounded); the bot drafts a mission agent from it
 * (workspace/drafting.ts). The agent's words are data: bounded here, escaped
 * wherever they are shown. Pure.
 */
import { z } from "zod";

export const MissingContext = z.strictObject({
  topic: z.string().trim().min(2).max(80),
  what: z.string().trim().min(1).max(1000),
});
export type MissingContext = z.infer<typeof MissingContext>;

/** What the worker prompt asks a worker to write when it lacked knowledge. */
export const MISSING_CONTEXT_LINE = "Missing context: <topic, a few words>: <what you needed to know>";

const LINE = /^\s*(?:[-*]\s*)?\**missing context\**\s*:\s*([^:\n]{2,80}?)\s*:\s*(.+?)\s*$/im;

/** The last such line of the agent's summary, if it has a valid one. */
export function missingContextOf(summary: string | undefined): MissingContext | undefined {
  if (!summary) return undefined;
  const lines = summary.split(/\r?\n/).reverse();
  for (const line of lines) {
    const m = LINE.exec(line);
    if (!m) continue;
    const parsed = MissingContext.safeParse({ topic: m[1], what: m[2]!.slice(0, 1000) });
    if (parsed.success) return parsed.data;
  }
  return undefined;
}
