/**
 * GitHub's rules on Actions secrets, as the twin holds the app to them
 * (RULES.md 23): values sealed to the repository's public key, names only
 * when listing, the `secrets` / `environments` permissions, admins only for
 * people, GITHUB_TOKEN never.
 */
import sodium from "libsodium-wrappers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubTwin } from "../../src/twin/state.js";
import { serveWithNock } from "../support/twin-nock.js";
import { actionsOctokit, botOctokit, userOctokit, type TwinOctokit } from "../../src/twin/octokit.js";
import { contractTwin } from "../support/twin.js";

const repo = { owner: "acme", repo: "rocket" };

let twin: GitHubTwin;
let stop: () => void;

beforeEach(async () => {
  await sodium.ready;
  twin = contractTwin({ checkResponses: true });
  twin.addRepo({
    owner: "acme",
    name: "rocket",
    ownerType: "Organization",
    collaborators: { alice: "admin", bob: "write" },
    files: { "README.md": "hi\n" },
    installationPermissions: { metadata: "read", issues: "write", secrets: "write", environments: "read" },
  });
  stop = serveWithNock(twin);
});

afterEach(() => stop());

async function refusal(p: Promise<unknown>): Promise<{ status: number; data: unknown }> {
  try {
    await p;
  } catch (error) {
    const e = error as { status: number; response?: { data?: unknown } };
    return { status: e.status, data: e.response?.data };
  }
  throw new Error("expected GitHub to refuse");
}

async function sealed(octokit: TwinOctokit, value: string): Promise<{ encrypted_value: string; key_id: string }> {
  const { data } = await octokit.rest.actions.getRepoPublicKey(repo);
  const key = sodium.from_base64(data.key, sodium.base64_variants.ORIGINAL);
  return { key_id: data.key_id, encrypted_value: sodium.to_base64(sodium.crypto_box_seal(sodium.from_string(value), key), sodium.base64_variants.ORIGINAL) };
}

describe("23. Actions secrets", () => {
  it("stores a value sealed to the repository's key, lists names only, and a job reads the value", async () => {
    const bot = botOctokit(twin);
    const created = await bot.rest.actions.createOrUpdateRepoSecret({ ...repo, secret_name: "mission_card", ...(await sealed(bot, "4242 4242")) });
    expect(created.status).toBe(201);
    const updated = await bot.rest.actions.createOrUpdateRepoSecret({ ...repo, secret_name: "MISSION_CARD", ...(await sealed(bot, "5555 4444")) });
    expect(updated.status).toBe(204);
    const { data } = await bot.rest.actions.listRepoSecrets(repo);
    expect(data.secrets.map((s) => s.name)).toEqual(["MISSION_CARD"]);
    expect(JSON.stringify(data)).not.toContain("5555");
    expect(twin.secretValue("MISSION_CARD")).toBe("5555 4444");
    await bot.rest.actions.deleteRepoSecret({ ...repo, secret_name: "MISSION_CARD" });
    expect(twin.secretValue("MISSION_CARD")).toBeUndefined();
    expect((await refusal(bot.rest.actions.getRepoSecret({ ...repo, secret_name: "MISSION_CARD" }))).status).toBe(404);
    expect(twin.contractFailures).toEqual([]);
    expect(twin.responseFailures).toEqual([]);
  });

  it("refuses a value sealed to another key, a GITHUB_ name, and a stale key id", async () => {
    const bot = botOctokit(twin);
    const other = sodium.crypto_box_keypair();
    const { data: key } = await bot.rest.actions.getRepoPublicKey(repo);
    const wrongKey = sodium.to_base64(sodium.crypto_box_seal(sodium.from_string("x"), other.publicKey), sodium.base64_variants.ORIGINAL);
    expect((await refusal(bot.rest.actions.createOrUpdateRepoSecret({ ...repo, secret_name: "A", key_id: key.key_id, encrypted_value: wrongKey }))).status).toBe(422);
    expect((await refusal(bot.rest.actions.createOrUpdateRepoSecret({ ...repo, secret_name: "GITHUB_TOKEN2", ...(await sealed(bot, "x")) }))).status).toBe(422);
    expect((await refusal(bot.rest.actions.createOrUpdateRepoSecret({ ...repo, secret_name: "1ABC", ...(await sealed(bot, "x")) }))).status).toBe(422);
    expect((await refusal(bot.rest.actions.createOrUpdateRepoSecret({ ...repo, secret_name: "A", ...(await sealed(bot, "x")), key_id: "1" }))).status).toBe(422);
    expect(twin.secretNames()).toEqual([]);
  });

  it("needs the secrets permission, admin for a person, and is never GITHUB_TOKEN's", async () => {
    twin.setSecret("DEPLOY_KEY", "k");
    const alice = userOctokit(twin, "alice");
    expect((await alice.rest.actions.listRepoSecrets(repo)).data.secrets.map((s) => s.name)).toEqual(["DEPLOY_KEY"]);
    const bob = await refusal(userOctokit(twin, "bob").rest.actions.listRepoSecrets(repo));
    expect(bob.status).toBe(403);
    const actions = await refusal(actionsOctokit(twin, "acme/rocket", { permissions: { contents: "write" } }).rest.actions.listRepoSecrets(repo));
    expect(actions.status).toBe(403);
    twin.addRepo({ owner: "acme", name: "plain", ownerType: "Organization", files: { "README.md": "hi\n" }, installationId: 2, installationPermissions: { metadata: "read", issues: "write" } });
    const noPermission = await refusal(botOctokit(twin, 2).rest.actions.listRepoSecrets({ owner: "acme", repo: "plain" }));
    expect(noPermission.status).toBe(403);
  });

  it("keeps environment secrets apart: 404 for an environment that does not exist, the environment's value wins in a job that names it", async () => {
    twin.setSecret("API_KEY", "repository", {});
    twin.setSecret("API_KEY", "production", { environment: "production" });
    const bot = botOctokit(twin);
    const { data } = await bot.request("GET /repos/{owner}/{repo}/environments/{environment_name}/secrets", { ...repo, environment_name: "production" });
    expect(data.secrets.map((s: { name: string }) => s.name)).toEqual(["API_KEY"]);
    expect((await refusal(bot.request("GET /repos/{owner}/{repo}/environments/{environment_name}/secrets", { ...repo, environment_name: "staging" }))).status).toBe(404);
    expect(twin.secretValue("API_KEY", { environment: "production" })).toBe("production");
    expect(twin.secretValue("API_KEY")).toBe("repository");
  });

  it("lists the organisation's secrets shared with the repository, names only, with the same permission and never to GITHUB_TOKEN", async () => {
    const bot = botOctokit(twin);
    expect((await bot.request("GET /repos/{owner}/{repo}/actions/organization-secrets", repo)).data.secrets).toEqual([]);
    twin.setSecret("SHARED_KEY", "org-value", { organization: true });
    const { data } = await bot.request("GET /repos/{owner}/{repo}/actions/organization-secrets", repo);
    expect(data.secrets.map((s) => s.name)).toEqual(["SHARED_KEY"]);
    expect(JSON.stringify(data)).not.toContain("org-value");
    // not one of the repository's own secrets; a job still reads it
    expect(twin.secretNames()).toEqual([]);
    expect(twin.secretValue("SHARED_KEY")).toBe("org-value");
    const actions = await refusal(actionsOctokit(twin, "acme/rocket", { permissions: { contents: "write" } }).request("GET /repos/{owner}/{repo}/actions/organization-secrets", repo));
    expect(actions.status).toBe(403);
    twin.addRepo({ owner: "acme", name: "plain", ownerType: "Organization", files: { "README.md": "hi\n" }, installationId: 2, installationPermissions: { metadata: "read", issues: "write" } });
    const noPermission = await refusal(botOctokit(twin, 2).request("GET /repos/{owner}/{repo}/actions/organization-secrets", { owner: "acme", repo: "plain" }));
    expect(noPermission.status).toBe(403);
  });
});
