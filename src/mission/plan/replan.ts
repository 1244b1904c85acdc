/**
 * Replanning: what a new plan changes against the one before, and, for a
 * mission already running, the new plan merged into the old so finished work
 * stays. Features and milestones are the same when their keys are (the
 * planner is asked to keep the keys of what it keeps). Pure.
 *
 * A running mission's replan:
 * - a finished feature stays as it was, even when the new plan leaves it out;
 *   a validated milestone stays whole;
 * - a feature the new plan keeps keeps its issue, runs and record, and takes
 *   the new title, description, criteria, size and dependencies;
 * - a feature or milestone the new plan drops is recorded in `plan.dropped`
 *   with the reason: its issue is closed as not planned (closeDropped), its
 *   running workers are cancelled, and its key is never used again (a new
 *   feature given such a key is renumbered, so the issue lookup by marker
 *   never mistakes the old issue for the new feature);
 * - new features and milestones have no issue yet: materialise creates them.
 */
import type { Action, FoundIssue, Ref } from "../decision.js";
import type { DroppedItem, Feature, Milestone, Plan } from "../model.js";

export interface PlanChanges {
  added: Array<{ key: string; title: string; milestone?: true }>;
  dropped: Array<{ key: string; title: string; milestone?: true }>;
  changed: Array<{ key: string; title: string; was: string }>;
  /** finished features the new plan left out, kept */
  kept: Array<{ key: string; title: string }>;
  /** features the new plan put into a validated milestone: not added */
  refused: Array<{ key: string; title: string }>;
  /** new features renumbered because their key had belonged to a dropped feature: old → new */
  renumbered: Array<{ from: string; to: string }>;
}

const noChanges = (): PlanChanges => ({ added: [], dropped: [], changed: [], kept: [], refused: [], renumbered: [] });

export function hasChanges(c: PlanChanges): boolean {
  return c.added.length + c.dropped.length + c.changed.length + c.kept.length + c.refused.length > 0;
}

const features = (p: Plan): Feature[] => p.milestones.flatMap((m) => m.features);

function sameContent(a: Feature, b: Feature): boolean {
  return (
    a.title === b.title &&
    a.description === b.description &&
    a.size === b.size &&
    JSON.stringify(a.acceptance) === JSON.stringify(b.acceptance) &&
    JSON.stringify([...a.depends_on].sort()) === JSON.stringify([...b.depends_on].sort())
  );
}

/** What `next` changes against `previous`, by key: for a plan not yet approved, nothing is kept or refused. */
export function diffPlans(previous: Plan, next: Plan): PlanChanges {
  const c = noChanges();
  const before = new Map(features(previous).map((f) => [f.key, f]));
  const after = new Map(features(next).map((f) => [f.key, f]));
  const msBefore = new Set(previous.milestones.map((m) => m.key));
  const msAfter = new Set(next.milestones.map((m) => m.key));
  for (const m of next.milestones) if (!msBefore.has(m.key)) c.added.push({ key: m.key, title: m.title, milestone: true });
  for (const m of previous.milestones) if (!msAfter.has(m.key)) c.dropped.push({ key: m.key, title: m.title, milestone: true });
  // a milestone whose validation criteria changed is a change to review before approving
  for (const m of next.milestones) {
    const was = previous.milestones.find((p) => p.key === m.key);
    if (was && JSON.stringify(was.criteria ?? []) !== JSON.stringify(m.criteria ?? [])) c.changed.push({ key: m.key, title: m.title, was: was.title });
  }
  for (const f of after.values()) {
    const was = before.get(f.key);
    if (!was) c.added.push({ key: f.key, title: f.title });
    else if (!sameContent(was, f)) c.changed.push({ key: f.key, title: f.title, was: was.title });
  }
  for (const f of before.values()) if (!after.has(f.key)) c.dropped.push({ key: f.key, title: f.title });
  return c;
}

/** The number after the dot of a feature key. */
const position = (key: string) => Number(key.split(".")[1]);

/** New features whose key had belonged to a dropped feature get the next free key of their milestone; dependencies follow. */
function renumber(next: Plan, taken: ReadonlySet<string>, inUse: readonly string[], c: PlanChanges): Plan {
  const used = new Set([...taken, ...inUse, ...features(next).map((f) => f.key)]);
  const moved = new Map<string, string>();
  for (const m of next.milestones) {
    for (const f of m.features) {
      if (!taken.has(f.key)) continue;
      let n = Math.max(0, ...[...used].filter((k) => k.startsWith(`${m.key}.`)).map(position)) + 1;
      while (used.has(`${m.key}.${n}`)) n++;
      const to = `${m.key}.${n}`;
      used.add(to);
      moved.set(f.key, to);
      c.renumbered.push({ from: f.key, to });
    }
  }
  if (!moved.size) return next;
  const rename = (k: string) => moved.get(k) ?? k;
  return {
    ...next,
    milestones: next.milestones.map((m) => ({
      ...m,
      features: m.features.map((f) => ({ ...f, key: rename(f.key), depends_on: f.depends_on.map(rename) })),
    })),
  };
}

export interface Merged {
  plan: Plan;
  changes: PlanChanges;
  /** run ids of workers still running on dropped features */
  cancel: number[];
}

/**
 * The new plan of a running mission, merged into the one it replaces (see
 * the top of this file). `reason` is recorded with every dropped item.
 */
export function mergeReplan(previous: Plan, proposed: Plan, at: string, reason: string): Merged {
  const c = noChanges();
  const droppedBefore = previous.dropped ?? [];
  const next = renumber(proposed, new Set(droppedBefore.filter((d) => d.kind === "feature").map((d) => d.key)), features(previous).map((f) => f.key), c);
  const before = new Map(previous.milestones.map((m) => [m.key, m]));
  const oldFeatures = new Map(features(previous).map((f) => [f.key, f]));
  const milestones: Milestone[] = [];

  for (const nm of next.milestones) {
    const old = before.get(nm.key);
    if (old?.validated) {
      milestones.push(old);
      for (const f of nm.features) if (!old.features.some((x) => x.key === f.key)) c.refused.push({ key: f.key, title: f.title });
      continue;
    }
    const merged: Feature[] = nm.features.map((f) => {
      const was = oldFeatures.get(f.key);
      if (!was) {
        c.added.push({ key: f.key, title: f.title });
        return f;
      }
      if (was.done) return was;
      if (!sameContent(was, f)) c.changed.push({ key: f.key, title: f.title, was: was.title });
      return { ...was, title: f.title, description: f.description, acceptance: f.acceptance, size: f.size, depends_on: f.depends_on };
    });
    for (const f of old?.features ?? []) {
      if (f.done && !merged.some((x) => x.key === f.key)) {
        merged.push(f);
        c.kept.push({ key: f.key, title: f.title });
      }
    }
    if (!old) c.added.push({ key: nm.key, title: nm.title, milestone: true });
    milestones.push(old ? { ...withoutCriteria(old), title: nm.title, description: nm.description, ...(nm.criteria ? { criteria: nm.criteria } : {}), features: merged } : { ...nm, features: merged });
  }

  // Milestones the new plan leaves out: a validated one stays whole; one with finished features keeps them.
  const newDropped: DroppedItem[] = [];
  for (const old of previous.milestones) {
    if (next.milestones.some((m) => m.key === old.key)) continue;
    const finished = old.features.filter((f) => f.done);
    if (old.validated) {
      milestones.push(old);
    } else if (finished.length) {
      milestones.push({ ...old, features: finished });
      for (const f of finished) c.kept.push({ key: f.key, title: f.title });
    } else {
      c.dropped.push({ key: old.key, title: old.title, milestone: true });
      newDropped.push({ kind: "milestone", key: old.key, title: old.title, ...(old.issue ? { issue: old.issue } : {}), reason, at });
    }
  }
  milestones.sort((a, b) => Number(a.key) - Number(b.key));

  const cancel: number[] = [];
  const kept = new Set(milestones.flatMap((m) => m.features.map((f) => f.key)));
  for (const f of oldFeatures.values()) {
    if (kept.has(f.key)) continue;
    c.dropped.push({ key: f.key, title: f.title });
    newDropped.push({ kind: "feature", key: f.key, title: f.title, ...(f.issue ? { issue: f.issue } : {}), reason, at });
    for (const r of f.runs) if (r.status !== "completed" && r.run_id) cancel.push(r.run_id);
  }
  return {
    plan: { ...previous, source: proposed.source, milestones, dropped: [...droppedBefore, ...newDropped] },
    changes: c,
    cancel,
  };
}

/**
 * Issues of dropped items still open: each is told why, once, and closed as
 * not planned. Level-triggered: an apply cut short closes the rest next time.
 */
export function closeDropped(plan: Plan | undefined, issues: ReadonlyMap<Ref, FoundIssue>, body: (d: DroppedItem) => string): Action[] {
  const actions: Action[] = [];
  for (const d of plan?.dropped ?? []) {
    const ref: Ref = `${d.kind}:${d.key}`;
    if (issues.get(ref)?.state !== "open") continue;
    actions.push({ kind: "comment", on: ref, key: `dropped:${d.kind}:${d.key}`, body: body(d) });
    actions.push({ kind: "close-issue", ref, reason: "not_planned" });
  }
  return actions;
}

/** A milestone without its validation criteria: a replan's milestone brings its own (or none). */
function withoutCriteria(m: Milestone): Omit<Milestone, "criteria"> {
  const { criteria: _criteria, ...rest } = m;
  return rest;
}
