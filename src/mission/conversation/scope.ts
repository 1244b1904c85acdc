/**
 * Scoping: what kind of mission a goal asks for, and the few probes that
 * matter for that kind (the user journey, the non-negotiables, what would
 * make the mission fail, …). The interview asks them once; a person may
 * answer, correct the kind (`kind: feature`) or leave them. Pure.
 */
import type { MissionKind, Probes } from "../model.js";

export type Probe = keyof Probes;

/** Every probe, in the order they are asked. */
export const PROBES: readonly Probe[] = ["journey", "systems", "question", "environment", "musts", "failure"];

export const KINDS: readonly MissionKind[] = ["product", "feature", "integration", "research", "infrastructure"];

/** The probes each kind asks. */
export const PROBES_BY_KIND: Record<MissionKind, readonly Probe[]> = {
  product: ["journey", "musts", "failure"],
  feature: ["journey", "musts", "failure"],
  integration: ["systems", "musts", "failure"],
  research: ["question", "failure"],
  infrastructure: ["environment", "musts", "failure"],
};

export const KIND_WORDS: Record<MissionKind, string> = {
  product: "a new product",
  feature: "a feature in an existing codebase",
  integration: "an integration",
  research: "research",
  infrastructure: "infrastructure",
};

/** Words that mark each kind, tried in this order; the first kind with a match wins, else "product". */
const SIGNS: ReadonlyArray<readonly [MissionKind, RegExp]> = [
  ["research", /\b(research|investigate|investigation|evaluate|evaluation|compare|comparison|explore|spike|feasibility|benchmark|survey|assess|find out|study|proof of feasibility)\b/i],
  [
    "infrastructure",
    /\b(ci|cd|ci\/cd|pipelines?|kubernetes|k8s|terraform|docker(ize|ise)?|containeri[sz]e|infrastructure|infra|monitoring|observability|alerting|helm|ansible|load balanc\w*|autoscal\w*|backups?|disaster recovery|provision\w*|migrate (?:\w+ ){0,3}to (?:aws|gcp|azure|the cloud))\b/i,
  ],
  ["integration", /\b(integrat\w*|connect (?:\w+ ){0,3}(?:to|with)|sync\w* (?:\w+ ){0,3}(?:to|with|between)|webhooks?|bridge between|import from|export to)\b/i],
  [
    "feature",
    /(^\s*(add|extend|improve|refactor|enable|allow|let|support|speed up|rework|replace|upgrade)\b)|\b(existing|our (app|application|codebase|service|api|site|website|product|backend|frontend)|the (app|codebase|repository|repo)|to the (app|dashboard|api|site)|in this (repo|repository|codebase))\b/i,
  ],
];

/** The kind a goal reads as. Only the first 2,000 characters are read: the kind is in the opening words. */
export function classifyGoal(goal: string): MissionKind {
  const text = goal.slice(0, 2000);
  for (const [kind, sign] of SIGNS) if (sign.test(text)) return kind;
  return "product";
}

/** How each probe is asked, per kind where the wording differs. */
export function askProbe(probe: Probe, kind: MissionKind): string {
  switch (probe) {
    case "journey":
      return kind === "feature"
        ? "**User journey** — who uses the feature, and what do they do with it, step by step, in the product as it is?"
        : "**User journey** — who uses it first, and what do they do, step by step, from arriving to getting what they came for?";
    case "musts":
      return kind === "feature" || kind === "infrastructure"
        ? "**Non-negotiables** — what must keep working or must not change (APIs, data, uptime, licences)?"
        : "**Non-negotiables** — what must be true however the rest turns out (security, data, licences, performance)?";
    case "failure":
      return "**Failure** — what would make this mission a failure, even if every feature were built?";
    case "systems":
      return "**Systems** — which systems does it join, what flows between them, and who owns each side?";
    case "question":
      return "**Question** — what must the research answer, and what should it deliver (a report, a prototype, a recommendation)?";
    case "environment":
      return "**Environment** — where does it run today, and what must it run on when the mission is done?";
  }
}

export const PROBE_EXAMPLES: Record<Probe, string> = {
  journey: "journey: a sales rep signs in, adds a contact, logs a deal",
  musts: "musts: customer data stays in the EU",
  failure: "failure: reps still keep deals in spreadsheets",
  systems: "systems: Stripe payments into our orders table",
  question: "question: which queue fits our load, as a written recommendation",
  environment: "environment: one VM today; Kubernetes on GKE after",
};

/** Probe keys as people may write them. */
export const PROBE_KEYS: Record<string, Probe> = {
  journey: "journey",
  user_journey: "journey",
  musts: "musts",
  must: "musts",
  non_negotiables: "musts",
  nonnegotiables: "musts",
  must_haves: "musts",
  failure: "failure",
  fail: "failure",
  fails: "failure",
  failure_looks_like: "failure",
  systems: "systems",
  question: "question",
  research_question: "question",
  environment: "environment",
  env: "environment",
};

export const KIND_KEYS: Record<string, MissionKind> = {
  product: "product",
  "new product": "product",
  new: "product",
  feature: "feature",
  integration: "integration",
  research: "research",
  infrastructure: "infrastructure",
  infra: "infrastructure",
};
