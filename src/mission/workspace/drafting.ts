/**
 * When the bot drafts a mission agent. From structured facts only, never
 * from prose: two or more features of the plan share a `knowledge` tag, or
 * a worker's report says it failed for lack of context (its
 * `missing_context`). The draft is recorded in mission.md; apply writes its
 * file on the state branch, and the tracking issue is told once. Each
 * later worker prompt includes it (README "The mission folder"). Pure.
 */
import type { Action, FoundReport } from "../decision.js";
import type { Feature, Mission } from "../model.js";
import { inlineText } from "../markdown/escape.js";
import { AgentName, MAX_AGENTS, type AgentRecord, type FolderIndex } from "./model.js";

export interface DraftInput {
  mission: Mission;
  reports: readonly FoundReport[];
  now: string;
  /** notice keys already on the tracking issue */
  posted: ReadonlySet<string>;
  /** the mission folder, when read in this reconcile */
  folder?: FolderIndex;
}

function features(m: Mission): Feature[] {
  return m.plan?.milestones.flatMap((ms) => ms.features) ?? [];
}

/** A worker's topic as an agent name: lowercase words joined by dashes; undefined when nothing usable is left. */
export function agentNameOf(topic: string): string | undefined {
  const slug = topic
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return AgentName.safeParse(slug).success ? slug : undefined;
}

/** Knowledge tags two or more features share, with those features (plan order). */
export function sharedKnowledge(m: Mission): Map<string, string[]> {
  const byTag = new Map<string, string[]>();
  for (const f of features(m)) for (const tag of new Set(f.knowledge ?? [])) byTag.set(tag, [...(byTag.get(tag) ?? []), f.key]);
  return new Map([...byTag].filter(([, keys]) => keys.length >= 2));
}

const RUNNING = new Set(["active", "paused", "validating"]);

/** The mission with the agents it should have drafted by now, and what apply must write and say. */
export function decideAgents(input: DraftInput): { mission: Mission; actions: Action[] } {
  let m = input.mission;
  if (input.folder && JSON.stringify(input.folder) !== JSON.stringify(m.folder)) m = { ...m, folder: input.folder };
  const drafting = RUNNING.has(m.status) && !!m.plan;
  const agents: AgentRecord[] = [...(m.agents ?? [])];
  const notDone = features(m)
    .filter((f) => !f.done)
    .map((f) => f.key);
  const draft = (record: Omit<AgentRecord, "drafted_at" | "used_by">) => {
    if (agents.length >= MAX_AGENTS) return;
    agents.push({ ...record, drafted_at: input.now, used_by: notDone });
  };

  for (const [tag, keys] of drafting ? sharedKnowledge(m) : []) {
    if (agents.some((a) => a.name === tag)) continue;
    if (keys.every((k) => !notDone.includes(k))) continue; // every feature that needed it is done
    draft({ name: tag, purpose: `What features ${keys.join(", ")} need to know about ${tag}.`, reason: "shared-knowledge", from: keys });
  }

  for (const found of drafting ? input.reports : []) {
    if (!found.result.ok) continue;
    const report = found.result.report;
    const missing = report.missing_context;
    if (!missing || report.mission !== m.id || report.feature !== found.feature) continue;
    // only a run the bot dispatched for this feature speaks for it
    const feature = features(m).find((f) => f.key === report.feature);
    if (!feature?.runs.some((r) => r.run_id === report.run_id)) continue;
    const name = agentNameOf(missing.topic);
    if (!name) continue;
    const i = agents.findIndex((a) => a.name === name);
    if (i >= 0) {
      const a = agents[i]!;
      if (!a.from.includes(feature.key)) agents[i] = { ...a, from: [...a.from, feature.key].slice(0, 200) };
      continue;
    }
    draft({
      name,
      purpose: `What a worker needs to know about ${missing.topic.replace(/\s+/g, " ").trim().slice(0, 200)}.`,
      reason: "missing-context",
      from: [feature.key],
      needed: missing.what,
    });
  }

  const before = JSON.stringify(m.agents ?? []);
  if (JSON.stringify(agents) !== before) {
    const fresh = agents.filter((a) => !(m.agents ?? []).some((x) => x.name === a.name));
    m = {
      ...m,
      agents,
      decisions: [...m.decisions, ...fresh.map((a) => ({ at: input.now, by: "mission-bot", what: `Mission agent ${a.name} drafted (${a.reason === "missing-context" ? `feature ${a.from[0]} reported missing context` : `features ${a.from.join(", ")} share the knowledge`}).` }))],
    };
  }
  const actions: Action[] = [];
  for (const a of agents) {
    if (!a.written) actions.push({ kind: "write-agent", name: a.name });
    const key = `agent-drafted:${a.name}`;
    if (!m.notices.includes(key) && !input.posted.has(key)) actions.push({ kind: "comment", on: "tracking", key, body: draftedText(m, a) });
  }
  return { mission: m, actions };
}

function draftedText(m: Mission, a: AgentRecord): string {
  const why =
    a.reason === "missing-context"
      ? `the worker of feature ${a.from[0]} reported it lacked context on this`
      : `features ${a.from.join(", ")} need the same knowledge`;
  return [
    `**Mission agent \`${a.name}\` drafted:** ${inlineText(a.purpose)} (${why}).`,
    "",
    `Every later worker of this mission reads it (\`todo/missions/${m.id}/agents/${a.name}.md\` on the state branch); edit it there to teach them more. At the end of the mission, \`/mission promote ${a.name}\` proposes it for every mission.`,
  ].join("\n");
}
