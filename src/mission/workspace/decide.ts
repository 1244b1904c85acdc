/**
 * The mission folder's part of a reconcile: agents drafted, their files
 * written, promotions asked for turned into pull requests. Pure.
 */
import type { Action } from "../decision.js";
import type { Mission } from "../model.js";
import { decideAgents, type DraftInput } from "./drafting.js";
import { promotionsDue } from "./promote.js";

export function decideWorkspace(input: DraftInput): { mission: Mission; actions: Action[] } {
  const drafted = decideAgents(input);
  const promotions: Action[] = promotionsDue(drafted.mission).map((name) => ({ kind: "promote-agent", name }));
  return { mission: drafted.mission, actions: [...drafted.actions, ...promotions] };
}
