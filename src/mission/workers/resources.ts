/**
 * Features waiting for a resource (README "Resources"): a feature whose
 * plan names a secret, database or account not yet found or confirmed is not
 * dispatched; it starts by itself once the resource is there. The bot looks
 * for secrets by name (never values) only while a feature that needs one is
 * next to start, so a waiting mission costs one list request a reconcile and
 * any other mission none. Pure.
 */
import type { Action } from "../decision.js";
import type { Config, Feature, Mission } from "../model.js";
import { sameResource, type Resource, type ResourceReady, type ResourceStatus } from "../plan/resources.js";
import { inlineText } from "../markdown/escape.js";
import { activeMilestone, featureState } from "./workers.js";

/** Where a listed secret was found. */
export type SecretPlace = NonNullable<ResourceReady["found_in"]>;

/** What GitHub said when the bot listed the Actions secrets (names only). */
export type SecretsFact =
  | { kind: "listed"; names: ReadonlyArray<{ name: string; in: SecretPlace }> }
  /** GitHub refused to list them (a GITHUB_TOKEN, or an App without `secrets: read`): people confirm by hand */
  | { kind: "refused"; status: number };

export function resourcesOf(m: Mission): readonly Resource[] {
  return m.plan?.resources ?? [];
}

/** Found among the secrets or confirmed by a person. */
export function readyRecord(m: Mission, r: Resource): ResourceReady | undefined {
  return m.resource_status?.ready.find((x) => sameResource(x.name, r.name));
}

/** The resources this feature needs that are not there yet (a resource naming no feature is needed by all). */
export function missingFor(m: Mission, f: Pick<Feature, "key">): Resource[] {
  return resourcesOf(m).filter((r) => (r.features.length === 0 || r.features.includes(f.key)) && !readyRecord(m, r));
}

/**
 * The secret names worth looking for now: missing secrets of features of the
 * active milestone that are next to start (ready, their issue made). Empty
 * while the mission does not run, or within a day of GitHub refusing to
 * list secrets (meanwhile people confirm them with `/mission resource
 * ready`; a day later the bot lists again, in case the App was granted
 * `secrets: read` since — a GITHUB_TOKEN is refused again, one request a day).
 */
export function secretsToLookFor(m: Mission, config: Config, now: string): string[] {
  if (m.status !== "active" || !resourcesOf(m).length || (m.resource_status?.can_list === false && !listAgain(m.resource_status, now))) return [];
  const milestone = activeMilestone(m);
  if (!milestone) return [];
  const done = (key: string) => !!m.plan?.milestones.some((ms) => ms.features.some((f) => f.key === key && f.done));
  const names = new Set<string>();
  for (const f of milestone.features) {
    if (!f.issue || featureState(f, done, config).kind !== "ready") continue;
    for (const r of missingFor(m, f)) if (r.kind === "secret") names.add(r.name);
  }
  return [...names].sort();
}

/** A refusal to list secrets is taken as final for this long. */
export const LIST_SECRETS_AGAIN_MS = 24 * 3_600_000;

function listAgain(status: ResourceStatus, now: string): boolean {
  // a record from before the time was kept: ask once, and the refusal's time is kept from then on
  if (!status.list_refused_at) return true;
  return Date.parse(now) - Date.parse(status.list_refused_at) >= LIST_SECRETS_AGAIN_MS;
}

/** What the listing found, folded into the mission: found secrets are ready; a refusal is remembered. Unchanged when nothing is new. */
export function observeSecrets(m: Mission, fact: SecretsFact | undefined, now: string): Mission {
  if (!fact) return m;
  const status = m.resource_status ?? { ready: [] };
  if (fact.kind === "refused") return { ...m, resource_status: { ...status, can_list: false, list_refused_at: now } };
  const fresh: ResourceReady[] = [];
  for (const r of resourcesOf(m)) {
    if (r.kind !== "secret" || readyRecord(m, r)) continue;
    const hit = fact.names.find((n) => n.name.toUpperCase() === r.name.toUpperCase());
    if (hit) fresh.push({ name: r.name, by: "mission-bot", at: now, found_in: hit.in });
  }
  if (!fresh.length && status.can_list !== false) return m;
  const { can_list: _, list_refused_at: __, ...rest } = status;
  return { ...m, resource_status: { ...rest, ready: [...status.ready, ...fresh] } };
}

/** Where a person adds or makes the resource, in a few words (names only; the plan's text is escaped by the caller). */
export function whereToAdd(r: Resource, m: Mission, config: Config, repoUrl?: string): string {
  if (r.kind !== "secret") {
    return `the bot cannot check a ${r.kind === "account" ? "third-party account" : "piece of infrastructure"}: once it exists, a person with write access comments \`/mission resource ready ${r.name}\``;
  }
  const env = config.resources?.environment;
  const settings = repoUrl ? `[Settings → Secrets and variables → Actions](${repoUrl}/settings/secrets/actions)` : "Settings → Secrets and variables → Actions";
  const place = `${settings} → New repository secret \`${r.name}\`${env ? ` (or a secret of the \`${env}\` environment)` : ""}`;
  if (m.resource_status?.can_list === false) {
    return `add it in ${place}, then comment \`/mission resource ready ${r.name}\`: this token cannot list secrets (a GITHUB_TOKEN never may), so a person confirms it (the bot tries listing once a day)`;
  }
  return `add it in ${place}; the bot sees it on its next pulse`;
}

/** "secret `STRIPE_KEY`", "infrastructure `postgres`", "account `stripe`" */
export function resourceLabel(r: Resource): string {
  return `${r.kind} \`${r.name}\``;
}

/** Said once on the tracking issue when a feature first waits for each resource (the dashboard keeps saying it). */
export function waitingNotices(m: Mission, f: Pick<Feature, "key">, missing: readonly Resource[], config: Config): Action[] {
  return missing.map((r) => ({
    kind: "comment",
    on: "tracking",
    key: `resource-wait:${r.name.toLowerCase()}`,
    body: `Feature ${f.key} waits for the ${resourceLabel(r)}${r.purpose ? ` (${inlineText(r.purpose)})` : ""}: ${whereToAdd(r, m, config)}. It starts by itself once the ${r.kind === "secret" ? "secret is there" : "resource is confirmed"}.`,
  }));
}
