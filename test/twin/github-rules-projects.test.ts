/**
 * Rule 19 (test/twin/RULES.md): Projects (v2) in the twin — who may use a
 * project, its fields, items and views, and GraphQL's createProjectV2
 * checked against GitHub's published schema.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GitHubTwin } from "../../src/twin/state.js";
import { serveWithNock } from "../support/twin-nock.js";
import { actionsOctokit, botOctokit, type TwinOctokit } from "../../src/twin/octokit.js";
import { contractTwin } from "../support/twin.js";

let twin: GitHubTwin;
let stop: () => void;
let octokit: TwinOctokit;

function setUp(permissions?: Record<string, "read" | "write">): void {
  stop?.();
  twin = contractTwin({ checkResponses: true });
  twin.addRepo({
    owner: "acme",
    name: "rocket",
    ownerType: "Organization",
    collaborators: { alice: "admin" },
    ...(permissions ? { installationPermissions: permissions } : {}),
  });
  stop = serveWithNock(twin);
  octokit = botOctokit(twin);
}

beforeEach(() => setUp());
afterEach(() => stop());

const P = { org: "acme", project_number: 1 };

describe("19. Projects (v2)", () => {
  it("an organisation's project: default fields, new fields once by name, items added once, values set by option id and re-read by field id", async () => {
    const project = twin.projects.create(twin.user("acme", "Organization"), "Roadmap");
    const { data: got } = await octokit.request("GET /orgs/{org}/projectsV2/{project_number}", P);
    expect(got.title).toBe("Roadmap");
    const { data: fields } = await octokit.request("GET /orgs/{org}/projectsV2/{project_number}/fields", { ...P, per_page: 100 });
    expect(fields.map((f) => f.name)).toContain("Status");
    // a built-in name is taken
    await expect(octokit.request("POST /orgs/{org}/projectsV2/{project_number}/fields", { ...P, name: "Status", data_type: "text" })).rejects.toMatchObject({ status: 422 });
    const { data: kind } = await octokit.request("POST /orgs/{org}/projectsV2/{project_number}/fields", {
      ...P,
      name: "Kind",
      data_type: "single_select",
      single_select_options: [{ name: "Feature", color: "BLUE" }, { name: "Milestone", color: "PURPLE" }],
    });
    const issue = twin.as("alice").createIssue({ title: "A feature" });
    const add = () => octokit.request("POST /orgs/{org}/projectsV2/{project_number}/items", { ...P, type: "Issue", id: issue.id });
    const { data: item } = await add();
    const { data: again } = await add();
    expect(again.id).toBe(item.id);
    expect(project.items).toHaveLength(1);
    const feature = kind.options!.find((o) => (o.name as unknown as { raw: string }).raw === "Feature")!;
    // an option's name is not its id
    await expect(octokit.request("PATCH /orgs/{org}/projectsV2/{project_number}/items/{item_id}", { ...P, item_id: item.id, fields: [{ id: kind.id, value: "Feature" }] })).rejects.toMatchObject({ status: 422 });
    await octokit.request("PATCH /orgs/{org}/projectsV2/{project_number}/items/{item_id}", { ...P, item_id: item.id, fields: [{ id: kind.id, value: feature.id }] });
    const { data: plain } = await octokit.request("GET /orgs/{org}/projectsV2/{project_number}/items/{item_id}", { ...P, item_id: item.id });
    expect(plain.fields!.map((f) => f.name)).toEqual(["Title"]);
    const { data: read } = await octokit.request("GET /orgs/{org}/projectsV2/{project_number}/items/{item_id}", { ...P, item_id: item.id, fields: String(kind.id) });
    expect(read.fields).toEqual([expect.objectContaining({ name: "Kind", value: expect.objectContaining({ id: feature.id }) })]);
    const { data: view } = await octokit.request("POST /orgs/{org}/projectsV2/{project_number}/views", { ...P, name: "Board", layout: "board", vertical_group_by: [kind.id] });
    expect(view.number).toBe(1);
    expect(twin.contractFailures).toEqual([]);
    expect(twin.responseFailures).toEqual([]);
  });

  it("an App without organization_projects, GITHUB_TOKEN, and a missing project are refused", async () => {
    setUp({ issues: "write", contents: "write", metadata: "read" });
    twin.projects.create(twin.user("acme", "Organization"), "Roadmap");
    await expect(octokit.request("GET /orgs/{org}/projectsV2/{project_number}", P)).rejects.toMatchObject({ status: 403 });
    setUp();
    twin.projects.create(twin.user("acme", "Organization"), "Roadmap");
    await expect(actionsOctokit(twin, "acme/rocket").request("GET /orgs/{org}/projectsV2/{project_number}", P)).rejects.toMatchObject({ status: 403 });
    await expect(octokit.request("GET /orgs/{org}/projectsV2/{project_number}", { ...P, project_number: 7 })).rejects.toMatchObject({ status: 404 });
    // a user's project is not the App's
    twin.projects.create(twin.user("alice"), "Mine");
    await expect(octokit.request("GET /users/{username}/projectsV2/{project_number}", { username: "alice", project_number: 1 })).rejects.toMatchObject({ status: 403 });
  });

  it("GraphQL: createProjectV2 for the organisation, checked against GitHub's schema; anything else is a contract failure", async () => {
    const { organization } = await octokit.graphql<{ organization: { id: string } }>(`query($login: String!) { organization(login: $login) { id } }`, { login: "acme" });
    const made = await octokit.graphql<{ createProjectV2: { projectV2: { number: number; url: string } } }>(
      `mutation($input: CreateProjectV2Input!) { createProjectV2(input: $input) { projectV2 { number url } } }`,
      { input: { ownerId: organization.id, title: "Mission board" } },
    );
    expect(made.createProjectV2.projectV2.number).toBe(1);
    expect(twin.projects.get("acme", 1)?.title).toBe("Mission board");
    expect(twin.contractFailures).toEqual([]);
    await expect(octokit.graphql(`query { viewer { login } }`)).rejects.toThrow(/does not implement/);
    await expect(octokit.graphql(`query { organization(login: "acme") { nosuchfield } }`)).rejects.toThrow(/nosuchfield/);
    expect(twin.contractFailures).toHaveLength(2);
  }, 30_000);
});
