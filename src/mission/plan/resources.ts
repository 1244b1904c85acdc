/**
 * The resources a mission needs (README "Resources"): credentials by secret
 * name (never a value), infrastructure (a database, a domain) and
 * third-party accounts, each with its purpose and the features that need
 * it; and what the mission learned about them (found among the Actions
 * secrets, or confirmed by a person). Schemas and the name rules. Pure.
 *
 * Imports nothing from model.ts (model.ts imports this file).
 */
import { z } from "zod";

export const RESOURCE_LIMITS = { perPlan: 20, purposeChars: 300, featuresPerResource: 50, nameChars: 60 } as const;

export const ResourceKind = z.enum(["secret", "infrastructure", "account"]);
export type ResourceKind = z.infer<typeof ResourceKind>;

/** An Actions secret's name as GitHub stores it: upper-case letters, digits and `_`, not a digit first. */
export const SECRET_NAME = /^[A-Z_][A-Z0-9_]*$/;
/** A database, domain or account: one word people can type after `/mission resource ready`. */
export const RESOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const featureKey = z.string().regex(/^\d{1,2}\.[0-9a-z][0-9a-z-]{0,60}$/, "a feature key looks like 2.3");
const isoDate = z.iso.datetime({ offset: true });

export const Resource = z
  .strictObject({
    kind: ResourceKind,
    /** the secret's name (`STRIPE_KEY`), or a short name for a database, domain or account (`postgres`) */
    name: z.string().min(1).max(RESOURCE_LIMITS.nameChars),
    /** what it is for, in the plan's words */
    purpose: z.string().max(RESOURCE_LIMITS.purposeChars).default(""),
    /** the features that need it; empty: every feature of the mission */
    features: z.array(featureKey).max(RESOURCE_LIMITS.featuresPerResource).default([]),
  })
  .superRefine((r, ctx) => {
    const problem = resourceNameProblem(r.kind, r.name);
    // the problem never quotes the name: it may be a secret's value
    if (problem) ctx.addIssue({ code: "custom", path: ["name"], message: problem });
  });
export type Resource = z.infer<typeof Resource>;
export const Resources = z.array(Resource).max(RESOURCE_LIMITS.perPlan);

/** A resource found or confirmed: the feature that needs it may start. */
export const ResourceReady = z.strictObject({
  name: z.string().min(1).max(RESOURCE_LIMITS.nameChars),
  /** "mission-bot" when found among the secrets, else the person who confirmed it */
  by: z.string().min(1).max(100),
  at: isoDate,
  /** where the bot found the secret; absent: a person confirmed it */
  found_in: z.enum(["repository", "organization", "environment"]).optional(),
});
export type ResourceReady = z.infer<typeof ResourceReady>;

export const ResourceStatus = z.strictObject({
  ready: z.array(ResourceReady).max(RESOURCE_LIMITS.perPlan * 2).default([]),
  /** false once GitHub refused to list the secrets (GITHUB_TOKEN cannot): people confirm them by hand */
  can_list: z.boolean().optional(),
  /** when GitHub last refused: the bot lists again a day later (an App may have been granted `secrets: read` since) */
  list_refused_at: isoDate.optional(),
});
export type ResourceStatus = z.infer<typeof ResourceStatus>;

/** `.github/mission.yml` `resources:` */
export const ResourcesConfig = z.strictObject({
  environment: z
    .string()
    .regex(/^[\w.-]{1,255}$/, "an environment name: letters, digits, `.`, `-`, `_`")
    .optional()
    .describe("the deployment environment the worker workflow's job names: its secrets count as present for the mission's resources"),
});
export type ResourcesConfig = z.infer<typeof ResourcesConfig>;

/**
 * Text that looks like a credential's value rather than its name: long, or
 * a long run of letters mixed with digits (an access key id is upper-case
 * and would pass the name pattern), or known token prefixes.
 */
export function looksLikeSecretValue(text: string): boolean {
  const t = text.trim();
  if (t.length > 64) return true;
  if (/^(sk|pk|rk|ghp|gho|ghs|ghu|github_pat|xox[abpr]|AKIA|ASIA|AIza|glpat)[-_]?/i.test(t) && t.length >= 16) return true;
  for (const part of t.split(/[_\-.:/=]+/)) {
    if (part.length >= 16 && /[A-Za-z]/.test(part) && /\d/.test(part)) return true;
    if (part.length >= 24 && entropyBits(part) > 3.5) return true;
  }
  return false;
}

/** Shannon entropy per character. */
function entropyBits(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / s.length) * Math.log2(n / s.length);
  return bits;
}

export const SECRET_VALUE_REFUSAL =
  "looks like a secret's value, not its name, so it was not stored and is not repeated here. Write the name the secret has (or will have) in Settings → Secrets and variables → Actions, like `STRIPE_KEY`. If it was a real credential, treat it as leaked: rotate it, and edit it out of where you wrote it.";

/** Why a name cannot be a resource's name (never quoting it), or undefined when it can. */
export function resourceNameProblem(kind: ResourceKind, name: string): string | undefined {
  if (looksLikeSecretValue(name)) return `The ${kind === "secret" ? "secret name" : "resource name"} ${SECRET_VALUE_REFUSAL}`;
  if (name.length > RESOURCE_LIMITS.nameChars) return `A resource name has at most ${RESOURCE_LIMITS.nameChars} characters.`;
  if (kind === "secret") {
    if (!SECRET_NAME.test(name)) return "A secret is named like `STRIPE_KEY`: upper-case letters, digits and `_`, not starting with a digit.";
    if (name.startsWith("GITHUB_")) return "A secret's name cannot start with `GITHUB_` (GitHub reserves it).";
    return undefined;
  }
  if (!RESOURCE_NAME.test(name)) return "A database, domain or account is named by one word (letters, digits, `.`, `-`, `_`), like `postgres` or `crm.example.com`.";
  return undefined;
}

/** The same name? Secret names are upper-case (GitHub stores them so); other names in any case. */
export function sameResource(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Plan check: every resource names features of the plan, and no name twice. */
export function checkResources(resources: readonly Resource[] | undefined, featureKeys: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const r of resources ?? []) {
    const key = r.name.toLowerCase();
    if (seen.has(key)) problems.push(`The resource \`${r.name}\` is listed twice; list each resource once, with every feature that needs it.`);
    seen.add(key);
    for (const f of r.features) {
      if (!featureKeys.has(f)) problems.push(`The resource \`${r.name}\` is needed by feature ${f}, which is not in the plan.`);
    }
  }
  return problems;
}
