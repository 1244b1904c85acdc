/**
 * Rule 23 (test/twin/RULES.md): GraphQL `createIssue` in the twin — one
 * mutation creates, labels and links an issue under its parent, with the
 * webhooks GitHub sends; and GraphQL is counted as GitHub counts it (primary:
 * the query's cost, minimum 1, in its own budget; secondary: 1 point a query,
 * 5 with a mutation; content-creating mutations count against the content limits).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { GitHubTwin } from "../../src/twin/state.js";
import { serveWithNock } from "../support/twin-nock.js";
import { botOctokit, type TwinOctokit } from "../../src/twin/octokit.js";
import { contractTwin } from "../support/twin.js";
import { graphqlCost } from "../../src/twin/graphql.js";

let twin: GitHubTwin;
let stop: (() => void) | undefined;
let octokit: TwinOctokit;

function setUp(options: Parameters<typeof contractTwin>[0] = {}): void {
  twin = contractTwin({ checkResponses: true, ...options });
  twin.addRepo({ owner: "acme", name: "rocket", ownerType: "Organization", collaborators: { alice: "admin" } });
  stop = serveWithNock(twin);
  octokit = botOctokit(twin);
}

afterEach(() => stop?.());

const IDS = `query($owner: String!, $name: String!, $label: String!, $number: Int!) {
  repository(owner: $owner, name: $name) { id label(name: $label) { id } issue(number: $number) { id } }
}`;
const CREATE = `mutation($input: CreateIssueInput!) { createIssue(input: $input) { issue { id number fullDatabaseId } } }`;

type Ids = { repository: { id: string; label: { id: string } | null; issue: { id: string } | null } };
type Made = { createIssue: { issue: { id: string; number: number; fullDatabaseId: string } } };

describe("25. GraphQL createIssue and GraphQL rate limits", () => {
  it("one mutation creates the issue, labelled, under its parent, and GitHub's webhooks follow: opened, labeled, sub_issues", async () => {
    setUp();
    const parent = twin.as("alice").createIssue({ title: "Milestone 1" });
    twin.ensureLabel(twin.repo("acme/rocket"), "mission-feature", "0e8a16");
    const ids = await octokit.graphql<Ids>(IDS, { owner: "acme", name: "rocket", label: "mission-feature", number: parent.number });
    const events = twin.events.length;
    const made = await octokit.graphql<Made>(CREATE, {
      input: { repositoryId: ids.repository.id, title: "Feature 1.1", body: "Build it", labelIds: [ids.repository.label!.id], parentIssueId: ids.repository.issue!.id },
    });
    const issue = twin.issue(made.createIssue.issue.number, "acme/rocket");
    expect(String(issue.id)).toBe(made.createIssue.issue.fullDatabaseId);
    expect(issue.labels).toEqual(["mission-feature"]);
    expect(issue.parent).toBe(parent.id);
    expect(issue.user.login).toBe("mission-bot[bot]");
    expect(twin.events.slice(events).map((e) => `${e.name}.${(e.payload as { action: string }).action}`)).toEqual([
      "issues.opened",
      "issues.labeled",
      "sub_issues.sub_issue_added",
      "sub_issues.parent_issue_added",
    ]);
    expect(twin.contractFailures).toEqual([]);
  }, 30_000);

  it("REST answers carry the node ids GraphQL answers (repository, issue, label), and createIssue takes them", async () => {
    setUp();
    const parent = twin.as("alice").createIssue({ title: "Milestone 1" });
    twin.ensureLabel(twin.repo("acme/rocket"), "mission-feature", "0e8a16");
    const ids = await octokit.graphql<Ids>(IDS, { owner: "acme", name: "rocket", label: "mission-feature", number: parent.number });
    const repo = (await octokit.rest.repos.get({ owner: "acme", repo: "rocket" })).data;
    const issue = (await octokit.rest.issues.get({ owner: "acme", repo: "rocket", issue_number: parent.number })).data;
    const labels = (await octokit.rest.issues.listLabelsForRepo({ owner: "acme", repo: "rocket" })).data;
    const label = labels.find((l) => l.name === "mission-feature")!;
    expect([repo.node_id, issue.node_id, label.node_id]).toEqual([ids.repository.id, ids.repository.issue!.id, ids.repository.label!.id]);
    const made = await octokit.graphql<Made>(CREATE, { input: { repositoryId: repo.node_id, title: "Feature 1.1", body: "Build it", labelIds: [label.node_id], parentIssueId: issue.node_id } });
    expect(twin.issue(made.createIssue.issue.number, "acme/rocket").parent).toBe(parent.id);
  });

  it("an unknown node id is NOT_FOUND and creates nothing", async () => {
    setUp();
    const parent = twin.as("alice").createIssue({ title: "Milestone 1" });
    const ids = await octokit.graphql<Ids>(IDS, { owner: "acme", name: "rocket", label: "none", number: parent.number });
    expect(ids.repository.label).toBeNull();
    const before = twin.issuesOf("acme/rocket").length;
    await expect(octokit.graphql(CREATE, { input: { repositoryId: ids.repository.id, title: "x", labelIds: ["LA_nope"], parentIssueId: ids.repository.issue!.id } })).rejects.toMatchObject({
      errors: [expect.objectContaining({ type: "NOT_FOUND" })],
    });
    expect(twin.issuesOf("acme/rocket")).toHaveLength(before);
  }, 30_000);

  it("counts GraphQL as GitHub does: the query's cost in its own budget, 1 secondary point a query, 5 a mutation, a created issue as content", async () => {
    setUp();
    const parent = twin.as("alice").createIssue({ title: "Milestone 1" });
    const coreBefore = twin.rateWindows.get("installation:1")?.used ?? 0;
    const points = twin.counters.points;
    const content = twin.counters.content.total;
    const ids = await octokit.graphql<Ids>(IDS, { owner: "acme", name: "rocket", label: "x", number: parent.number });
    await octokit.graphql<Made>(CREATE, { input: { repositoryId: ids.repository.id, title: "Feature", parentIssueId: ids.repository.issue!.id } });
    expect(twin.counters.points - points).toBe(1 + 5);
    expect(twin.counters.content.total - content).toBe(1);
    expect(twin.limits.graphqlPrimary.get("installation:1")?.used).toBe(2);
    // GraphQL's points are not REST's requests
    expect(twin.rateWindows.get("installation:1")?.used ?? 0).toBe(coreBefore);
    // "Divide the number by 100 and round… The minimum point cost … is 1"
    // GitHub's own example: 1 + 100 + 100 × 50 = 5,101 requests → 51 points
    const deep = "query { viewer { repositories(first: 100) { nodes { issues(first: 50) { nodes { labels(first: 60) { nodes { name } } } } } } } }";
    expect(graphqlCost({ query: deep }).points).toBe(51);
    expect(graphqlCost({ query: "query { viewer { login } }" }).points).toBe(1);
    expect(graphqlCost({ query: CREATE }).createsContent).toBe(true);
  }, 30_000);
});
