/**
 * How well a mission agent served: the features whose workers were given it
 * (`used_by`), how many of them got done, and how many got done by the first
 * run after it was drafted (no retry needed). The completion report proposes
 * the agents that served for promotion; `mission-bot learn` adds the scores
 * up across missions. Pure.
 */
import type { Feature, Mission } from "../model.js";
import type { AgentRecord } from "./model.js";

export interface AgentScore {
  name: string;
  /** features whose workers were given it */
  used: number;
  /** of those, done */
  done: number;
  /** of those, done by the first run after it was drafted */
  firstTime: number;
}

function featureOf(m: Mission, key: string): Feature | undefined {
  for (const ms of m.plan?.milestones ?? []) for (const f of ms.features) if (f.key === key) return f;
  return undefined;
}

export function scoreAgent(m: Mission, a: AgentRecord): AgentScore {
  let done = 0;
  let firstTime = 0;
  for (const key of a.used_by) {
    const f = featureOf(m, key);
    if (!f?.done) continue;
    done++;
    const after = f.runs.filter((r) => r.dispatched_at >= a.drafted_at);
    if (after[0]?.reported === "success") firstTime++;
  }
  return { name: a.name, used: a.used_by.length, done, firstTime };
}

/** Worth proposing: used by at least one feature that got done first time. */
export function worthPromoting(s: AgentScore): boolean {
  return s.firstTime > 0;
}

/** "3 of 4 features done first time" */
export function scoreWords(s: AgentScore): string {
  return `used by ${s.used} feature${s.used === 1 ? "" : "s"}, ${s.firstTime} done first time${s.done > s.firstTime ? `, ${s.done - s.firstTime} after a retry` : ""}`;
}
