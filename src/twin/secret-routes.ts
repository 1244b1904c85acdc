/**
 * Actions secrets for the twin's REST front door: repository and environment
 * secrets (names and dates only, never values), the public key values are
 * sealed to, and GitHub's refusals. RULES.md 23.
 *
 * - A value is sealed with libsodium's `crypto_box_seal` to the repository's
 *   (or environment's) public key; `key_id` must name that key and the value
 *   must open with it (REST guide "Encrypting secrets for the REST API").
 * - Names: letters, digits and `_`, not starting with a digit, not starting
 *   with `GITHUB_` (any case); at most 48 KB a value; 100 secrets per
 *   repository and per environment (Actions docs "Using secrets in GitHub
 *   Actions": naming rules and limits).
 * - An App needs the `secrets` permission (read to list and get the key,
 *   write to set and delete); environment secrets need `environments`
 *   (REST "GitHub Actions Secrets": "Fine-grained access tokens" per
 *   operation). GITHUB_TOKEN has neither (Actions docs "Automatic token
 *   authentication": the permissions it can hold), so it is refused 403.
 *   A person needs admin on the repository ("you must have admin access":
 *   Actions docs "Using secrets in GitHub Actions").
 * - An environment secret's routes answer 404 for an environment that does
 *   not exist.
 * - The organisation's secrets shared with a repository are listed (names
 *   and dates) at `GET /repos/{owner}/{repo}/actions/organization-secrets`,
 *   with the same `secrets: read` (REST "List repository organization
 *   secrets"). The twin has no organisations: they are seeded per
 *   repository (`seedSecret(…, { organization: true })`), and a repository
 *   without any lists none.
 *
 * The twin keeps the private keys, so a simulated run (and a test) can open
 * a secret as a workflow's `secrets.NAME` would see it: `secretValue`.
 */
import sodium from "libsodium-wrappers";
import type { RepoState } from "./model.js";
import type { Json } from "./serialize.js";
import { envelopePage, fail, json, notFound, repoOf, validationFailed, type Ctx, type Route, type TwinResponse } from "./respond.js";

await sodium.ready;

interface StoredSecret {
  sealed: Uint8Array;
  created_at: string;
  updated_at: string;
}

interface SecretBox {
  keyId: string;
  publicKey: Uint8Array;
  privateKey: Uint8Array;
  secrets: Map<string, StoredSecret>;
}

interface RepoSecrets {
  repository: SecretBox;
  /** the organisation's secrets shared with this repository (set in the organisation's settings) */
  organization: SecretBox;
  /** environment name (case-insensitive, as GitHub treats it) → its secrets */
  environments: Map<string, SecretBox>;
}

const MAX_VALUE_BYTES = 48 * 1024;
const MAX_SECRETS = 100;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const stores = new WeakMap<RepoState, RepoSecrets>();
let keySerial = 3380204578043523366n;

function newBox(): SecretBox {
  const pair = sodium.crypto_box_keypair();
  keySerial += 1n;
  return { keyId: String(keySerial), publicKey: pair.publicKey, privateKey: pair.privateKey, secrets: new Map() };
}

function storeOf(repo: RepoState): RepoSecrets {
  let store = stores.get(repo);
  if (!store) {
    store = { repository: newBox(), organization: newBox(), environments: new Map() };
    stores.set(repo, store);
  }
  return store;
}

/** Seed an environment (GitHub creates them in settings or with PUT /environments/{name}; that route is not modelled). */
export function addEnvironment(repo: RepoState, name: string): void {
  const envs = storeOf(repo).environments;
  if (!envs.has(name.toLowerCase())) envs.set(name.toLowerCase(), newBox());
}

function boxOf(c: Ctx): SecretBox | undefined {
  const store = storeOf(repoOf(c));
  const env = c.params.environment_name;
  return env === undefined ? store.repository : store.environments.get(env.toLowerCase());
}

/** Seal a value to a box's public key, as a client does (tests and seeding). */
function seal(box: SecretBox, value: string): Uint8Array {
  return sodium.crypto_box_seal(sodium.from_string(value), box.publicKey);
}

/**
 * Set a secret as a person would in the settings page (a seed: no request,
 * nothing counted). `environment` for an environment secret (created if absent).
 */
export function seedSecret(repo: RepoState, name: string, value: string, at: string, environment?: string, organization = false): void {
  if (environment !== undefined) addEnvironment(repo, environment);
  const store = storeOf(repo);
  const box = organization ? store.organization : environment === undefined ? store.repository : store.environments.get(environment.toLowerCase())!;
  const existing = box.secrets.get(name.toUpperCase());
  box.secrets.set(name.toUpperCase(), { sealed: seal(box, value), created_at: existing?.created_at ?? at, updated_at: at });
}

/** What `secrets.NAME` gives a workflow job (environment secrets win when the job names the environment); undefined when unset. */
export function secretValue(repo: RepoState, name: string, environment?: string): string | undefined {
  const store = storeOf(repo);
  const boxes = [environment !== undefined ? store.environments.get(environment.toLowerCase()) : undefined, store.repository, store.organization];
  for (const box of boxes) {
    const s = box?.secrets.get(name.toUpperCase());
    if (box && s) return sodium.to_string(sodium.crypto_box_seal_open(s.sealed, box.publicKey, box.privateKey));
  }
  return undefined;
}

/** Names of the repository's secrets (and an environment's), as the settings page lists them. */
export function secretNames(repo: RepoState, environment?: string): string[] {
  const store = storeOf(repo);
  const box = environment === undefined ? store.repository : store.environments.get(environment.toLowerCase());
  return box ? [...box.secrets.keys()].sort() : [];
}

function secretJson(name: string, s: StoredSecret): Json {
  return { name, created_at: s.created_at, updated_at: s.updated_at };
}

function listSecrets(c: Ctx): TwinResponse {
  const box = boxOf(c);
  if (!box) return notFound();
  const items = [...box.secrets.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, s]) => secretJson(name, s));
  return envelopePage(c, "secrets", items);
}

function listOrganizationSecrets(c: Ctx): TwinResponse {
  const box = storeOf(repoOf(c)).organization;
  const items = [...box.secrets.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, s]) => secretJson(name, s));
  return envelopePage(c, "secrets", items);
}

function getPublicKey(c: Ctx): TwinResponse {
  const box = boxOf(c);
  if (!box) return notFound();
  return json(200, { key_id: box.keyId, key: sodium.to_base64(box.publicKey, sodium.base64_variants.ORIGINAL) });
}

function getSecret(c: Ctx): TwinResponse {
  const box = boxOf(c);
  const name = c.params.secret_name!.toUpperCase();
  const s = box?.secrets.get(name);
  return s ? json(200, secretJson(name, s)) : notFound();
}

function putSecret(c: Ctx): TwinResponse {
  const box = boxOf(c);
  if (!box) return notFound();
  const raw = c.params.secret_name!;
  if (!NAME.test(raw) || raw.toUpperCase().startsWith("GITHUB_")) {
    return validationFailed([{ resource: "Secret", code: "invalid", field: "name" }], "Secret names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_), must not start with a number, and must not start with the GITHUB_ prefix.");
  }
  const name = raw.toUpperCase();
  const { encrypted_value, key_id } = c.body as { encrypted_value?: unknown; key_id?: unknown };
  if (typeof encrypted_value !== "string" || typeof key_id !== "string") {
    return validationFailed([{ resource: "Secret", code: "missing_field", field: typeof encrypted_value !== "string" ? "encrypted_value" : "key_id" }]);
  }
  if (key_id !== box.keyId) return validationFailed([{ resource: "Secret", code: "invalid", field: "key_id" }], "Bad request - key_id does not match the current public key");
  let sealed: Uint8Array;
  let opened: Uint8Array;
  try {
    sealed = sodium.from_base64(encrypted_value, sodium.base64_variants.ORIGINAL);
    opened = sodium.crypto_box_seal_open(sealed, box.publicKey, box.privateKey);
  } catch {
    return validationFailed([{ resource: "Secret", code: "invalid", field: "encrypted_value" }], "Bad request - the value could not be decrypted with the public key");
  }
  if (opened.length > MAX_VALUE_BYTES) return validationFailed([{ resource: "Secret", code: "invalid", field: "encrypted_value" }], "Secret values are limited to 48 KB.");
  const existing = box.secrets.get(name);
  if (!existing && box.secrets.size >= MAX_SECRETS) return validationFailed([{ resource: "Secret", code: "custom" }], `A repository or environment can store up to ${MAX_SECRETS} secrets.`);
  const at = c.twin.timestamp();
  box.secrets.set(name, { sealed, created_at: existing?.created_at ?? at, updated_at: at });
  return existing ? json(204, undefined) : json(201, {});
}

function deleteSecret(c: Ctx): TwinResponse {
  const box = boxOf(c);
  if (!box) return notFound();
  const name = c.params.secret_name!.toUpperCase();
  if (!box.secrets.delete(name)) return notFound();
  return json(204, undefined);
}

/** GITHUB_TOKEN holds no `secrets` or `environments` permission: every secrets route is refused to it. */
function notForActions(handler: (c: Ctx) => TwinResponse): (c: Ctx) => TwinResponse {
  return (c) => (c.actor.kind === "actions" ? fail(403, "Resource not accessible by integration") : handler(c));
}

const R = "/repos/{owner}/{repo}";
const E = `${R}/environments/{environment_name}`;

export const SECRET_ROUTES: ReadonlyArray<[string, Route]> = [
  [`GET ${R}/actions/secrets`, { auth: "token", perm: ["secrets", "read"], role: "admin", handler: notForActions(listSecrets) }],
  [`GET ${R}/actions/organization-secrets`, { auth: "token", perm: ["secrets", "read"], role: "admin", handler: notForActions(listOrganizationSecrets) }],
  [`GET ${R}/actions/secrets/public-key`, { auth: "token", perm: ["secrets", "read"], role: "admin", handler: notForActions(getPublicKey) }],
  [`GET ${R}/actions/secrets/{secret_name}`, { auth: "token", perm: ["secrets", "read"], role: "admin", handler: notForActions(getSecret) }],
  [`PUT ${R}/actions/secrets/{secret_name}`, { auth: "token", perm: ["secrets", "write"], role: "admin", handler: notForActions(putSecret) }],
  [`DELETE ${R}/actions/secrets/{secret_name}`, { auth: "token", perm: ["secrets", "write"], role: "admin", handler: notForActions(deleteSecret) }],
  [`GET ${E}/secrets`, { auth: "token", perm: ["environments", "read"], role: "admin", handler: notForActions(listSecrets) }],
  [`GET ${E}/secrets/public-key`, { auth: "token", perm: ["environments", "read"], role: "admin", handler: notForActions(getPublicKey) }],
  [`GET ${E}/secrets/{secret_name}`, { auth: "token", perm: ["environments", "read"], role: "admin", handler: notForActions(getSecret) }],
  [`PUT ${E}/secrets/{secret_name}`, { auth: "token", perm: ["environments", "write"], role: "admin", handler: notForActions(putSecret) }],
  [`DELETE ${E}/secrets/{secret_name}`, { auth: "token", perm: ["environments", "write"], role: "admin", handler: notForActions(deleteSecret) }],
];
