/**
 * RULES 24: creating repositories (in an organisation, for a user, from a
 * template), as the twin holds the app to it: what an installation token may
 * create, whether its installation then covers the new repository, and what
 * the new repository holds.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { GitHubTwin } from "../../src/twin/state.js";
import { serveWithNock } from "../support/twin-nock.js";
import { actionsOctokit, botOctokit, userOctokit } from "../../src/twin/octokit.js";
import { contractTwin } from "../support/twin.js";

const ADMIN = { metadata: "read", issues: "write", contents: "write", actions: "write", administration: "write" } as const;

let stop: (() => void) | undefined;
afterEach(() => stop?.());

function world(options: { all?: boolean; permissions?: Record<string, "read" | "write"> } = {}): GitHubTwin {
  const twin = contractTwin({ checkResponses: true, app: { permissions: { ...ADMIN } } });
  twin.addRepo({ owner: "acme", name: "missions", ownerType: "Organization", collaborators: { alice: "write" }, installationPermissions: options.permissions ?? { ...ADMIN } });
  twin.addRepo({ owner: "acme", name: "tmpl", ownerType: "Organization", private: true, isTemplate: true, files: { ".github/workflows/mission-worker.yml": "name: w\non: workflow_dispatch\njobs: {}\n", "README.md": "starter\n" } });
  twin.addRepo({ owner: "acme", name: "plain", ownerType: "Organization", files: { "README.md": "plain\n" } });
  if (options.all) twin.installations.get(1)!.repositories = "all";
  stop = serveWithNock(twin);
  return twin;
}

const statusOf = (e: unknown) => (e as { status?: number }).status;

describe("24. creating repositories", () => {
  it("makes a repository from a template with the template's files; an installation on all repositories covers it", async () => {
    const twin = world({ all: true });
    const octokit = botOctokit(twin);
    const { status, data } = await octokit.request("POST /repos/{template_owner}/{template_repo}/generate", { template_owner: "acme", template_repo: "tmpl", owner: "acme", name: "shop", private: true });
    expect(status).toBe(201);
    expect(data.full_name).toBe("acme/shop");
    expect(twin.readFile("README.md", { repo: "acme/shop" })?.text).toBe("starter\n");
    expect(twin.readFile(".github/workflows/mission-worker.yml", { repo: "acme/shop" })).toBeDefined();
    const { data: reach } = await octokit.request("GET /installation/repositories");
    expect(reach.repositories.map((r) => r.full_name)).toContain("acme/shop");
    expect(twin.contractFailures).toEqual([]);
    expect(twin.responseFailures).toEqual([]);
  });

  it("an installation on selected repositories does not gain the repository it created", async () => {
    const twin = world();
    const octokit = botOctokit(twin);
    // the template must be readable by the installation: add it to the selection
    twin.install("acme/tmpl", 1);
    await octokit.request("POST /repos/{template_owner}/{template_repo}/generate", { template_owner: "acme", template_repo: "tmpl", owner: "acme", name: "shop" });
    const { data: reach } = await octokit.request("GET /installation/repositories");
    expect(reach.repositories.map((r) => r.full_name)).not.toContain("acme/shop");
    await expect(octokit.rest.repos.get({ owner: "acme", repo: "shop" })).rejects.toMatchObject({ status: 404 });
  });

  it("refuses an installation without administration: write, and a workflow's GITHUB_TOKEN (403)", async () => {
    const twin = world({ all: true, permissions: { metadata: "read", issues: "write", contents: "write" } });
    const octokit = botOctokit(twin);
    expect(statusOf(await octokit.request("POST /orgs/{org}/repos", { org: "acme", name: "shop" }).catch((e) => e))).toBe(403);
    expect(statusOf(await actionsOctokit(twin, "acme/missions").request("POST /orgs/{org}/repos", { org: "acme", name: "shop" }).catch((e) => e))).toBe(403);
    expect(twin.repos.has("acme/shop")).toBe(false);
  });

  it("refuses an installation a repository for a user account (403)", async () => {
    const twin = world({ all: true });
    expect(statusOf(await botOctokit(twin).request("POST /user/repos", { name: "shop" }).catch((e) => e))).toBe(403);
  });

  it("a taken name is 422; a repository that is not a template is 404; a person may create in their own account", async () => {
    const twin = world({ all: true });
    const octokit = botOctokit(twin);
    const taken = await octokit.request("POST /orgs/{org}/repos", { org: "acme", name: "plain" }).catch((e) => e);
    expect(statusOf(taken)).toBe(422);
    expect(JSON.stringify(taken.response.data)).toContain("name already exists on this account");
    expect(statusOf(await octokit.request("POST /repos/{template_owner}/{template_repo}/generate", { template_owner: "acme", template_repo: "plain", owner: "acme", name: "x" }).catch((e) => e))).toBe(404);
    const { status } = await userOctokit(twin, "alice").request("POST /user/repos", { name: "notes" });
    expect(status).toBe(201);
    expect(twin.roleOf("alice", "alice/notes")).toBe("admin");
  });
});
