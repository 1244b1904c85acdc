/**
 * The outline's resource list (README "Resources"): under a `Resources:`
 * line (or a `## Resources` heading), one item per resource:
 *
 *   - secret: STRIPE_KEY — Stripe's test-mode API key (features 2.1, 2.2)
 *   - database: postgres — where contacts are stored (feature 1.1)
 *   - account: stripe — a Stripe account in test mode
 *
 * Kinds: `secret` (also `credential`, `token`, `key`); `infrastructure` (also
 * `infra`, `database`, `domain`, `server`, `storage`); `account` (also
 * `service`). Without `(features …)` the whole mission needs it. A name or
 * purpose that looks like a credential's value is refused without being
 * stored or quoted. Pure.
 */
import { shorten } from "../markdown/escape.js";
import { looksLikeSecretValue, RESOURCE_LIMITS, resourceNameProblem, SECRET_NAME, SECRET_VALUE_REFUSAL, type Resource, type ResourceKind } from "./resources.js";

/** `Resources:` (also `Resources needed:`) alone on its line. */
export const RESOURCES_LINE = /^resources(?: needed)?\s*:$/i;
/** `## Resources` */
export const RESOURCES_HEADING = /^resources(?: needed)?$/i;

const KINDS: Record<string, ResourceKind> = {
  secret: "secret",
  credential: "secret",
  token: "secret",
  key: "secret",
  infrastructure: "infrastructure",
  infra: "infrastructure",
  database: "infrastructure",
  domain: "infrastructure",
  server: "infrastructure",
  storage: "infrastructure",
  account: "account",
  service: "account",
};
const ITEM = /^([a-z]+)\s*:\s*(.*)$/i;
const FEATURES = /^(?:features?|for|needed by|used by)\s*:?\s*(.*)$/i;

/** One item of the list, read into `out`, or a problem that never quotes what might be a secret. */
export function readResourceItem(item: string, out: Resource[], problems: string[]): void {
  const number = out.length + 1;
  const where = `Resource ${number}`;
  if (out.length >= RESOURCE_LIMITS.perPlan) {
    if (out.length === RESOURCE_LIMITS.perPlan) problems.push(`The outline lists more than ${RESOURCE_LIMITS.perPlan} resources; list only what the mission cannot start without.`);
    return;
  }
  const text = item.replace(/^\[[ xX]\]\s*/, "").trim();
  const m = ITEM.exec(text);
  const kind = m ? KINDS[(m[1] ?? "").toLowerCase()] : undefined;
  let rest = kind ? (m?.[2] ?? "") : text;
  // `- STRIPE_KEY — …` without a kind: a secret, when it is named like one
  const first = unquote(rest.split(/\s+/)[0] ?? "");
  const resolved: ResourceKind | undefined = kind ?? (SECRET_NAME.test(first) && first.length > 1 ? "secret" : undefined);
  if (!resolved) {
    problems.push(
      looksLikeSecretValue(first)
        ? `${where} ${SECRET_VALUE_REFUSAL}`
        : `${where} is not understood; write \`- secret: STRIPE_KEY — what it is for (features 2.1)\`, \`- database: postgres — …\` or \`- account: stripe — …\`.`,
    );
    return;
  }
  rest = rest.trim();
  const name = unquote(rest.split(/\s+/)[0] ?? "");
  if (!name) {
    problems.push(`${where} has no name; write \`- ${resolved}: NAME — what it is for\`.`);
    return;
  }
  const nameProblem = resourceNameProblem(resolved, name);
  if (nameProblem) {
    problems.push(`${where}: ${nameProblem}`);
    return;
  }
  let purpose = rest.slice(rawLength(rest)).trim();
  const features: string[] = [];
  const open = purpose.lastIndexOf("(");
  if (open >= 0 && purpose.endsWith(")")) {
    const inside = FEATURES.exec(purpose.slice(open + 1, -1).trim());
    if (inside) {
      purpose = purpose.slice(0, open).trim();
      for (const key of (inside[1] ?? "").split(/[,\s]+/).filter((k) => k && !/^(and|&)$/i.test(k))) {
        if (/^all$/i.test(key)) continue;
        if (/^\d{1,2}\.\d{1,2}$/.test(key)) features.push(key);
        else problems.push(`${where} (\`${name}\`) is needed by "${shorten(key, 20)}", which is not a feature key; write keys like 2.1.`);
      }
    }
  }
  purpose = purpose.replace(/^[—–:,-]+\s*/, "").trim();
  if (purpose.split(/\s+/).some(looksLikeSecretValue)) {
    problems.push(`The purpose of ${where.toLowerCase()} (\`${name}\`) holds text that ${SECRET_VALUE_REFUSAL}`);
    purpose = "";
  }
  if (purpose.length > RESOURCE_LIMITS.purposeChars) {
    problems.push(`The purpose of ${where.toLowerCase()} (\`${name}\`) is longer than ${RESOURCE_LIMITS.purposeChars} characters; shorten it.`);
    purpose = purpose.slice(0, RESOURCE_LIMITS.purposeChars);
  }
  out.push({ kind: resolved, name, purpose, features: [...new Set(features)] });
}

/** The first word as written (with its backticks), to cut it off the rest. */
function rawLength(rest: string): number {
  return (rest.split(/\s+/)[0] ?? "").length;
}

function unquote(word: string): string {
  return word.replace(/^[`"']+|[`"'.,;:]+$/g, "");
}
