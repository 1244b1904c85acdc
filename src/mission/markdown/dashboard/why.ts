/**
 * Where a feature stands and, when it is not running, why: from the same
 * facts the loop decides with (the feature's state in workers.ts, the
 * mission's status and pause reason, the recorded budget refusal, the
 * parallel-worker limit). Pure.
 */
import { shorten } from "../escape.js";
import type { Feature, Milestone } from "../../model.js";
import { featureState, isRunning } from "../../workers/workers.js";
import type { DashboardContext } from "./context.js";
import { missingFor } from "../../workers/resources.js";

export type FeatureMood = "done" | "running" | "waiting" | "blocked" | "planned";

export interface Situation {
  mood: FeatureMood;
  /** an emoji and a few words; any outside text in `words` is NOT escaped yet */
  icon: string;
  words: string;
}

export function featureSituation(ctx: DashboardContext, ms: Milestone, f: Feature): Situation {
  const m = ctx.mission;
  if (ctx.isDone(f, ms)) return { mood: "done", icon: "✅", words: "done" };
  if (m.status === "cancelled") return { mood: "planned", icon: "✖️", words: "cancelled" };
  if (m.status === "scoping" || m.status === "planned") return { mood: "planned", icon: "📝", words: "planned" };
  const isDone = (key: string) => {
    for (const x of m.plan?.milestones ?? []) for (const y of x.features) if (y.key === key) return ctx.isDone(y, x);
    return false;
  };
  const state = featureState(f, isDone, ctx.config);
  if (state.kind === "needs-human") return { mood: "blocked", icon: "🙋", words: `needs a person: ${shorten(state.reason, 120)}` };
  if (state.kind === "running") return { mood: "running", icon: "🔄", words: `worker running (try ${state.run.try})` };
  if (state.kind === "awaiting") return { mood: "running", icon: "⏳", words: m.mode === "full" ? "awaiting merge" : "awaiting its close" };

  // Not running, and not finished: why not.
  const reason = m.paused_reason ?? "";
  if (m.status === "paused") {
    if (reason.startsWith("budget")) return { mood: "waiting", icon: "⏸️", words: "waiting for budget" };
    if (reason.startsWith("validation")) return { mood: "blocked", icon: "⛔", words: "blocked by a failed validation" };
    return { mood: "waiting", icon: "⏸️", words: "paused" };
  }
  const active = ctx.active;
  if (active && active.key !== ms.key) {
    const failed = active.validations.at(-1)?.outcome === "fail";
    return { mood: "waiting", icon: "⏳", words: `waiting on milestone ${active.key}${failed ? " (its validation failed)" : ""}` };
  }
  if (state.kind === "blocked") return { mood: "waiting", icon: "⏳", words: `waiting on ${state.on.join(", ")}` };
  const missing = missingFor(m, f)[0];
  if (missing) {
    const confirm = `\`/mission resource ready ${missing.name}\``;
    const where =
      missing.kind !== "secret"
        ? `a person confirms it with ${confirm}`
        : `add it in Settings → Secrets and variables → Actions${m.resource_status?.can_list === false ? `, then comment ${confirm}` : ""} (see Resources)`;
    return { mood: "waiting", icon: "🔑", words: `waiting for ${missing.kind} \`${missing.name}\`: ${where}` };
  }
  if (m.waiting_for_budget && m.status === "active") return { mood: "waiting", icon: "⏸️", words: "waiting for budget" };
  if (m.status === "validating") return { mood: "waiting", icon: "🔍", words: "waiting for validation" };
  const busy = ms.features.filter((x) => x.runs.some(isRunning)).length;
  if (busy >= ctx.config.max_parallel_workers) {
    return { mood: "waiting", icon: "⏳", words: `waiting for a free worker slot (${busy} of ${ctx.config.max_parallel_workers} busy)` };
  }
  if (state.kind === "ready" && state.lastFailure) return { mood: "waiting", icon: "↻", words: `to retry (try ${state.try}): ${state.lastFailure}` };
  return { mood: "waiting", icon: "⏳", words: "next to start" };
}
