/**
 * The plan as a picture: a Mermaid flowchart (GitHub draws ```mermaid
 * blocks in issues) with one box per milestone holding its features, each
 * coloured by its state, arrows from each milestone to the next and from
 * each feature to what depends on it. Node ids are the bot's own (positions
 * in the plan); every title passes through mermaidLabel. Bounded: past
 * FEATURE_NODES features a milestone shows the first ones and one node for
 * the rest, and a plan with more than DETAILED_MILESTONES milestones shows
 * features only for the milestone being worked on. Pure.
 */
import { mermaidLabel } from "../mermaid-label.js";
import type { Feature, Milestone } from "../../model.js";
import type { DashboardContext } from "./context.js";
import { featureSituation, type FeatureMood } from "./why.js";
import { milestoneState } from "./milestones.js";

/** Features drawn per milestone; the rest are one node. */
export const FEATURE_NODES = 6;
/** Above this many milestones, only the active milestone's features are drawn. */
export const DETAILED_MILESTONES = 8;
/** Characters of a title in a node. */
export const LABEL_CHARS = 40;

const MOOD_STYLE: Record<FeatureMood, string> = {
  done: "fill:#dafbe1,stroke:#1a7f37,color:#0d1117",
  running: "fill:#ddf4ff,stroke:#0969da,color:#0d1117",
  waiting: "fill:#fff8c5,stroke:#9a6700,color:#0d1117",
  blocked: "fill:#ffebe9,stroke:#cf222e,color:#0d1117",
  planned: "fill:#f6f8fa,stroke:#8c959f,color:#0d1117",
};

export function diagramSection(ctx: DashboardContext): string[] {
  const milestones = ctx.mission.plan?.milestones ?? [];
  if (milestones.length === 0) return [];
  const detailed = milestones.length <= DETAILED_MILESTONES;
  const lines = ["flowchart TB"];
  const ids = new Map<string, string>();
  const classes = new Map<FeatureMood, string[]>();
  const edges: string[] = [];

  milestones.forEach((ms, i) => {
    const mid = `m${i + 1}`;
    const done = ms.features.filter((f) => ctx.isDone(f, ms)).length;
    const title = `${ms.key} · ${mermaidLabel(ms.title, LABEL_CHARS)} · ${done}/${ms.features.length} · ${milestoneState(ctx, ms)}`;
    const drawn = detailed || ms.key === ctx.active?.key ? ms.features.slice(0, ms.features.length > FEATURE_NODES ? FEATURE_NODES - 1 : FEATURE_NODES) : [];
    if (drawn.length === 0) {
      lines.push(`  ${mid}["${title}"]`);
    } else {
      lines.push(`  subgraph ${mid}["${title}"]`);
      drawn.forEach((f, j) => {
        const fid = `${mid}f${j + 1}`;
        ids.set(f.key, fid);
        const s = featureSituation(ctx, ms, f);
        lines.push(`    ${fid}["${s.icon} ${featureLabel(f)}"]`);
        classes.set(s.mood, [...(classes.get(s.mood) ?? []), fid]);
      });
      const rest = ms.features.slice(drawn.length);
      if (rest.length) {
        const restDone = rest.filter((f) => ctx.isDone(f, ms)).length;
        lines.push(`    ${mid}more["… ${rest.length} more features, ${restDone} done"]`);
      }
      lines.push("  end");
    }
    if (i > 0) edges.push(`  m${i} --> ${mid}`);
  });
  for (const ms of milestones) edges.push(...dependencyEdges(ms, ids));
  for (const [mood, nodes] of classes) lines.push(`  classDef ${mood} ${MOOD_STYLE[mood]}`, `  class ${nodes.join(",")} ${mood}`);
  return ["### Plan", "", "```mermaid", ...lines, ...edges, "```", "", legend(), ""];
}

function featureLabel(f: Feature): string {
  return `${f.key} ${mermaidLabel(f.title, LABEL_CHARS)}`;
}

function dependencyEdges(ms: Milestone, ids: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const f of ms.features) {
    const to = ids.get(f.key);
    for (const dep of f.depends_on) {
      const from = ids.get(dep);
      if (from && to) out.push(`  ${from} --> ${to}`);
    }
  }
  return out;
}

function legend(): string {
  return "_Green: done · blue: running · yellow: waiting · red: needs a person or blocked · grey: planned. Arrows: what comes first._";
}
