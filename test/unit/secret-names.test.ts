/**
 * Reading the Actions secrets' names for the plan's resources, against the
 * twin (RULES 23): the repository's first, the organisation's shared ones
 * only for names still missing, and a GITHUB_TOKEN's refusal reported, not thrown.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubTwin } from "../../src/twin/state.js";
import { actionsOctokit, botOctokit } from "../../src/twin/octokit.js";
import { readSecretNames } from "../../src/github/secret-names.js";
import type { Octokit } from "../../src/github/client.js";
import { serveWithNock } from "../support/twin-nock.js";
import { contractTwin } from "../support/twin.js";

const repo = { owner: "acme", repo: "rocket" };
let twin: GitHubTwin;
let stop: () => void;

beforeEach(() => {
  twin = contractTwin({ checkResponses: true });
  twin.addRepo({ owner: "acme", name: "rocket", ownerType: "Organization", files: { "README.md": "hi\n" }, installationPermissions: { metadata: "read", issues: "write", secrets: "read", environments: "read" } });
  stop = serveWithNock(twin);
});
afterEach(() => stop());

describe("the secrets' names a mission's resources may be", () => {
  it("finds a repository secret with one request, and an organisation's shared secret with one more", async () => {
    const bot = botOctokit(twin) as unknown as Octokit;
    twin.setSecret("STRIPE_KEY", "value-1");
    const before = twin.counters.total;
    expect(await readSecretNames(bot, repo, ["STRIPE_KEY"], undefined)).toEqual({ kind: "listed", names: [{ name: "STRIPE_KEY", in: "repository" }] });
    expect(twin.counters.total - before).toBe(1);
    twin.setSecret("SHARED_KEY", "value-2", { organization: true });
    const found = await readSecretNames(bot, repo, ["SHARED_KEY"], undefined);
    expect(found).toEqual({ kind: "listed", names: [{ name: "STRIPE_KEY", in: "repository" }, { name: "SHARED_KEY", in: "organization" }] });
    expect(JSON.stringify(found)).not.toContain("value-");
  });

  it("looks in the worker's environment when one is configured", async () => {
    twin.setSecret("MAIL_KEY", "value-3", { environment: "production" });
    const found = await readSecretNames(botOctokit(twin) as unknown as Octokit, repo, ["MAIL_KEY"], "production");
    expect(found?.kind === "listed" && found.names.find((n) => n.name === "MAIL_KEY")).toEqual({ name: "MAIL_KEY", in: "environment" });
  });

  it("reports GitHub's refusal to a workflow's GITHUB_TOKEN, and reads nothing when nothing is wanted", async () => {
    const actions = actionsOctokit(twin, "acme/rocket", { permissions: { contents: "write", issues: "write" } }) as unknown as Octokit;
    expect(await readSecretNames(actions, repo, ["STRIPE_KEY"], undefined)).toEqual({ kind: "refused", status: 403 });
    expect(await readSecretNames(actions, repo, [], undefined)).toBeUndefined();
  });
});
