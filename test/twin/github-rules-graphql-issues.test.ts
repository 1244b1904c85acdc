/**
 * Rule 30 (test/twin/RULES.md): GraphQL `Repository.issues(labels:, states:, first:)`
 * lists the repository's issues — never its pull requests — with any of the
 * labels, in the states asked for (both when none is), paged as GitHub pages
 * a connection (`first` or `last` required, at most 100); it needs
 * `issues: read` as the REST issues list does.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { GitHubTwin } from "../../src/twin/state.js";
import { serveWithNock } from "../support/twin-nock.js";
import { actionsOctokit, botOctokit } from "../../src/twin/octokit.js";
import { contractTwin } from "../support/twin.js";

let twin: GitHubTwin;
let stop: (() => void) | undefined;

function setUp(): void {
  twin = contractTwin({ checkResponses: true });
  twin.addRepo({ owner: "acme", name: "rocket", ownerType: "Organization", collaborators: { alice: "admin" } });
  stop = serveWithNock(twin);
}

afterEach(() => stop?.());

const ISSUES = `query($owner: String!, $name: String!, $labels: [String!], $states: [IssueState!], $first: Int, $after: String) {
  repository(owner: $owner, name: $name) {
    issues(labels: $labels, states: $states, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { number state labels(first: 100) { nodes { name } } }
    }
  }
}`;
type Issues = {
  repository: { issues: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Array<{ number: number; state: string; labels: { nodes: Array<{ name: string }> } }> } };
};

describe("30. GraphQL Repository.issues", () => {
  it("filters by label (any of them, whatever the case) and state; pull requests are not issues; pages of `first`", async () => {
    setUp();
    const alice = twin.as("alice");
    const open = alice.createIssue({ title: "open, completed", labels: ["mission:completed", "mission:m-1"] });
    const closed = alice.createIssue({ title: "closed, completed", labels: ["mission:completed", "mission:m-2"] });
    alice.closeIssue(closed.number);
    alice.createIssue({ title: "not completed", labels: ["mission"] });
    const pr = alice.openPullRequest({ title: "a pull request" });
    alice.addLabels(pr.number, ["mission:completed"]);
    const other = alice.createIssue({ title: "other", labels: ["bug"] });
    const octokit = botOctokit(twin);
    const ask = (v: Record<string, unknown>) => octokit.graphql<Issues>(ISSUES, { owner: "acme", name: "rocket", first: 100, ...v });

    const both = (await ask({ labels: ["Mission:Completed"], states: ["OPEN", "CLOSED"] })).repository.issues;
    expect(both.nodes.map((n) => n.number)).toEqual([open.number, closed.number]);
    expect(both.nodes.map((n) => n.labels.nodes.map((l) => l.name))).toEqual([
      ["mission:completed", "mission:m-1"],
      ["mission:completed", "mission:m-2"],
    ]);
    expect(both.pageInfo.hasNextPage).toBe(false);
    expect((await ask({ labels: ["mission:completed"], states: ["CLOSED"] })).repository.issues.nodes.map((n) => n.number)).toEqual([closed.number]);
    expect((await ask({ labels: ["mission:completed"] })).repository.issues.totalCount).toBe(2);
    expect((await ask({ labels: ["mission:m-1", "bug"] })).repository.issues.nodes.map((n) => n.number)).toEqual([open.number, other.number]);

    const first = (await ask({ labels: ["mission:completed"], first: 1 })).repository.issues;
    expect(first).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true }, nodes: [{ number: open.number }] });
    const next = (await ask({ labels: ["mission:completed"], first: 1, after: first.pageInfo.endCursor })).repository.issues;
    expect(next).toMatchObject({ pageInfo: { hasNextPage: false }, nodes: [{ number: closed.number }] });
    expect(twin.contractFailures).toEqual([]);
  }, 30_000);

  it("wants `first` or `last`, at most 100", async () => {
    setUp();
    const octokit = botOctokit(twin);
    await expect(octokit.graphql(ISSUES, { owner: "acme", name: "rocket" })).rejects.toMatchObject({ errors: [expect.objectContaining({ type: "MISSING_PAGINATION_BOUNDARIES" })] });
    await expect(octokit.graphql(ISSUES, { owner: "acme", name: "rocket", first: 101 })).rejects.toMatchObject({
      errors: [expect.objectContaining({ type: "EXCESSIVE_PAGINATION", message: "Requesting 101 records on the `issues` connection exceeds the `first` limit of 100 records." })],
    });
  }, 30_000);

  it("needs issues: read, as the REST list does", async () => {
    setUp();
    twin.as("alice").createIssue({ title: "x", labels: ["mission:completed"] });
    const query = { owner: "acme", name: "rocket", first: 10, labels: ["mission:completed"] };
    expect((await actionsOctokit(twin, "acme/rocket", { permissions: { contents: "read", issues: "read" } }).graphql<Issues>(ISSUES, query)).repository.issues.totalCount).toBe(1);
    const blind = actionsOctokit(twin, "acme/rocket", { permissions: { contents: "read", issues: "none" } });
    await expect(blind.graphql(ISSUES, query)).rejects.toMatchObject({ errors: [expect.objectContaining({ type: "FORBIDDEN" })] });
    await expect(blind.rest.issues.listForRepo({ owner: "acme", repo: "rocket" })).rejects.toMatchObject({ status: 403 });
  }, 30_000);
});
