/**
 * Materialise an approved plan: the milestone and feature issues, their
 * sub-issue links and dependencies, each recorded in mission.md once it is
 * complete. Pure: decides the actions; apply performs them.
 */
import { LABELS, type Feature, type Milestone, type Mission } from "../model.js";
import type { Action, FoundIssue, LabelSpec, Ref } from "../decision.js";
import { featureBody, featureTitle, milestoneBody, milestoneTitle } from "../markdown/issues.js";

export type { Ref, FoundIssue, LabelSpec } from "../decision.js";

export type MaterialiseAction = Extract<Action, { kind: "ensure-labels" | "create-issue" | "link-sub-issue" | "list-features" | "add-blocked-by" | "record-issue" | "comment" }>;

/** What the server offers (absent: everything, as github.com). */
export interface ServerOffers {
  subIssues?: boolean;
  dependencies?: boolean;
}

/** Said once on the tracking issue of a mission on a server without sub-issues. */
export const NO_SUB_ISSUES_NOTICE =
  "This GitHub Enterprise Server has no sub-issues, so each milestone issue lists its features as a task list of their issues (`- [ ] #12`) instead, and the dashboard above lists the milestones. The mission works the same way.";

export function missionLabels(id: string): LabelSpec[] {
  const [milestone, feature] = kindLabels();
  return [
    { name: LABELS.mission, color: "5319e7", description: "A mission tracked by mission-bot" },
    milestone!,
    feature!,
    { name: LABELS.forMission(id), color: "c5def5", description: `Issues of mission ${id}` },
  ];
}

/**
 * The labels of the plan's issues by kind, shared by every mission of the repository: made when a mission
 * starts (the person is answering the interview then; nobody waits on them), so materialising asks nothing.
 */
export function kindLabels(): LabelSpec[] {
  return [
    { name: LABELS.milestone, color: "1d76db", description: "A milestone of a mission" },
    { name: LABELS.feature, color: "0e8a16", description: "A feature of a mission, done by a worker" },
  ];
}

export const milestoneRef = (m: Milestone): Ref => `milestone:${m.key}`;
export const featureRef = (f: Feature): Ref => `feature:${f.key}`;

/**
 * Milestone by milestone: the milestone issue under the tracking issue, its
 * features under it, their dependencies, and a record of each finished item.
 * Fix features added by a failed validation are materialised the same way.
 * On a server without sub-issues the milestone issue lists its features
 * instead (once they all exist, before any is recorded); without issue
 * dependencies, a feature's issue body says what it depends on.
 */
export function materialise(m: Mission, issues: ReadonlyMap<Ref, FoundIssue>, server: ServerOffers = {}): MaterialiseAction[] {
  if (!m.plan) return [];
  const subIssues = server.subIssues !== false;
  const dependencies = server.dependencies !== false;
  const actions: MaterialiseAction[] = [];

  const pending = m.plan.milestones.some((ms) => !ms.issue || ms.features.some((f) => !f.issue));
  // Labels once, before the mission's first issue (GitHub would make missing ones grey and bare).
  if (pending && issues.size === 0 && !m.plan.milestones.some((ms) => ms.issue)) {
    actions.push({ kind: "ensure-labels", labels: missionLabels(m.id) });
  }
  const exists = (ref: Ref) => issues.has(ref);
  for (const milestone of m.plan.milestones) {
    const mRef = milestoneRef(milestone);
    if (!milestone.issue) {
      if (!exists(mRef)) {
        actions.push({
          kind: "create-issue",
          ref: mRef,
          title: milestoneTitle(m, milestone),
          body: milestoneBody(m, milestone),
          labels: [LABELS.forMission(m.id), LABELS.milestone],
          ...(subIssues ? { parent: "tracking" as const } : {}),
        });
      }
      if (subIssues) actions.push({ kind: "link-sub-issue", parent: "tracking", child: mRef });
      actions.push({ kind: "record-issue", ref: mRef });
    }
    const unrecorded = milestone.features.filter((f) => !f.issue);
    const waiting = (f: Feature) => dependencies && f.depends_on.length > 0;
    for (const feature of unrecorded) {
      const fRef = featureRef(feature);
      if (!exists(fRef)) {
        actions.push({
          kind: "create-issue",
          ref: fRef,
          title: featureTitle(m, feature),
          body: featureBody(m, milestone, feature),
          labels: [LABELS.forMission(m.id), LABELS.feature],
          ...(subIssues ? { parent: mRef } : {}),
        });
      }
      if (!subIssues) continue;
      actions.push({ kind: "link-sub-issue", parent: mRef, child: fRef });
      // Recorded as soon as it is complete, so an apply cut short never links it again.
      if (!waiting(feature)) actions.push({ kind: "record-issue", ref: fRef });
    }
    if (!subIssues && unrecorded.length) {
      // Every feature of the milestone exists now: the milestone lists them, then they are recorded.
      actions.push({ kind: "list-features", milestone: mRef });
      for (const feature of unrecorded.filter((f) => !waiting(f))) actions.push({ kind: "record-issue", ref: featureRef(feature) });
    }
    // Dependencies once every feature of the milestone exists (a feature may depend on a later one).
    for (const feature of unrecorded.filter(waiting)) {
      for (const dep of feature.depends_on) {
        actions.push({ kind: "add-blocked-by", blocked: featureRef(feature), blocking: `feature:${dep}` });
      }
      actions.push({ kind: "record-issue", ref: featureRef(feature) });
    }
  }
  // Said once the plan is on GitHub, until it has been said: an apply cut short by its limits after the last record
  // but before the notice leaves nothing else to do, and the notice must still come.
  const onGitHub = actions.length > 0 || (m.plan?.milestones ?? []).some((ms) => ms.issue);
  if (!subIssues && onGitHub && !m.notices.includes("no-sub-issues")) actions.push({ kind: "comment", on: "tracking", key: "no-sub-issues", body: NO_SUB_ISSUES_NOTICE });
  return actions;
}

/** Write an issue's number and id into the mission's plan. Pure. */
export function recordIssue(m: Mission, ref: Ref, link: { number: number; id: number }): Mission {
  if (!m.plan) return m;
  const [kind, key] = ref.split(":") as [string, string];
  const issue = { number: link.number, id: link.id };
  return {
    ...m,
    plan: {
      ...m.plan,
      milestones: m.plan.milestones.map((ms) => {
        if (kind === "milestone" && ms.key === key) return { ...ms, issue };
        if (kind !== "feature") return ms;
        return { ...ms, features: ms.features.map((f) => (f.key === key ? { ...f, issue } : f)) };
      }),
    },
  };
}
