/**
 * A mission's issue in one write: GraphQL `createIssue` takes `labelIds` and
 * `parentIssueId`, so the issue is created, labelled and linked under its
 * parent at once (REST needs a create and a sub-issue link, two content-creating
 * writes). The mutation wants node ids: the repository's, the labels' and the
 * parent's. REST answers carry them (`node_id`): apply takes those the load read
 * (load.ts: the repository, the tracking issue and its labels, a page of the
 * repository's labels, the mission's issues) and keeps each create's; one query
 * (`nodeIds`) reads them only when one is missing. Only apply.ts calls this; it falls back to REST where the
 * server has no sub-issues (an Enterprise Server up to 3.20 has no
 * `parentIssueId` either) or a node id is missing.
 *
 * Like every create, it is sent once (no retry): a lost answer is found by the
 * issue's marker on the next reconcile, never created twice.
 */
import { z } from "zod";
import { NO_RETRY, type Octokit, type RepoRef } from "./client.js";

export interface NodeIds {
  repository: string;
  /** label name → node id (a label the repository lacks is absent) */
  labels: Map<string, string>;
  /** issue number → node id */
  issues: Map<number, string>;
}

const Node = z.object({ id: z.string().min(1) }).loose();

/**
 * One query for every node id the creates of an apply need (GraphQL cost 1 point: no connections;
 * names and numbers travel as variables, never in the query text). Not kept between jobs: each job has
 * its own client, and an id kept in the process would outlive a label deleted and made again.
 */
export async function nodeIds(octokit: Octokit, repo: RepoRef, labels: readonly string[], issues: readonly number[]): Promise<NodeIds> {
  const labelList = [...new Set(labels)];
  const issueList = [...new Set(issues)];
  const vars: Record<string, string | number> = { owner: repo.owner, name: repo.repo };
  const params = ["$owner: String!", "$name: String!"];
  const fields = ["id"];
  labelList.forEach((label, i) => {
    vars[`l${i}`] = label;
    params.push(`$l${i}: String!`);
    fields.push(`l${i}: label(name: $l${i}) { id }`);
  });
  issueList.forEach((number, i) => {
    vars[`i${i}`] = number;
    params.push(`$i${i}: Int!`);
    fields.push(`i${i}: issue(number: $i${i}) { id }`);
  });
  const answer = z
    .object({ repository: z.record(z.string(), z.union([z.string(), Node, z.null()])) })
    .parse(await octokit.graphql(`query(${params.join(", ")}) { repository(owner: $owner, name: $name) { ${fields.join(" ")} } }`, vars));
  const r = answer.repository;
  const id = (key: string) => {
    const v = r[key];
    return v && typeof v === "object" ? v.id : undefined;
  };
  const out: NodeIds = { repository: z.string().min(1).parse(r.id), labels: new Map(), issues: new Map() };
  labelList.forEach((label, i) => {
    const v = id(`l${i}`);
    if (v) out.labels.set(label, v);
  });
  issueList.forEach((number, i) => {
    const v = id(`i${i}`);
    if (v) out.issues.set(number, v);
  });
  return out;
}

const Created = z.object({
  // `fullDatabaseId` (BigInt, sent as a string): issue ids passed 2^31, beyond GraphQL's Int `databaseId`
  createIssue: z.object({ issue: z.object({ id: z.string().min(1), number: z.number().int().positive(), fullDatabaseId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }) }),
});

export interface CreatedIssue {
  number: number;
  id: number;
  nodeId: string;
}

/** Create the issue, labelled, under its parent; GitHub's errors (GraphQL `errors`, HTTP statuses) go up as Octokit throws them. */
export async function createIssueUnder(
  octokit: Octokit,
  input: { repositoryId: string; title: string; body: string; labelIds: string[]; parentIssueId: string },
): Promise<CreatedIssue> {
  const answer = Created.parse(
    await octokit.graphql(`mutation($input: CreateIssueInput!) { createIssue(input: $input) { issue { id number fullDatabaseId } } }`, {
      input,
      ...NO_RETRY,
    }),
  );
  const issue = answer.createIssue.issue;
  return { number: issue.number, id: issue.fullDatabaseId, nodeId: issue.id };
}

/** GitHub's GraphQL errors on a failed request (Octokit's GraphqlResponseError carries them), if any. */
export function graphqlErrors(error: unknown): Array<{ type?: string; message?: string }> | undefined {
  const errors = (error as { errors?: unknown }).errors;
  return Array.isArray(errors) ? (errors as Array<{ type?: string; message?: string }>) : undefined;
}

/** The issue a GraphQL answer carried despite its errors (created, but the link under the parent was refused). */
export function createdDespite(error: unknown): CreatedIssue | undefined {
  const parsed = Created.safeParse((error as { data?: unknown }).data);
  if (!parsed.success) return undefined;
  const issue = parsed.data.createIssue.issue;
  return { number: issue.number, id: issue.fullDatabaseId, nodeId: issue.id };
}
