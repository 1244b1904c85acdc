/**
 * What a load reads after the tracking issue, in ONE GraphQL query (load.ts,
 * Actions runs only):
 *
 *   - `.github/mission.yml` on the default branch (`HEAD:`), unless the caller has it;
 *   - the labelled missions' mission.md on a state branch;
 *   - the repository's completed missions: the tracking issues labelled
 *     `mission:completed` (`Repository.issues` has no pull requests), their
 *     `mission:<id>` labels naming the missions the forecast history reads.
 *
 * One query instead of three REST reads: an Actions run starts cold and its
 * `GITHUB_TOKEN` has 1,000 REST requests an hour for the whole repository,
 * GraphQL a budget of its own. The query costs 1 point (GitHub counts the
 * connections' requests: 1 for the issues, 100 for their labels, divided by
 * 100 and rounded; GraphQL docs "Calculating the rate limit score").
 *
 * As files-query.ts: a file GraphQL gives no whole text of is read by REST;
 * if the query fails, each file is read by REST and the completed missions
 * are left to history.ts's REST list, as before. More than 100 completed
 * tracking issues, or one with more than 100 labels (`hasNextPage`): left to
 * that list too.
 */
import { z } from "zod";
import type { Octokit, RepoRef } from "./client.js";
import { BLOB, BlobFields, wholeFile } from "./files-query.js";
import { readFile, type RepoFile } from "./repo-files.js";
import { missionOfLabel } from "../mission/model.js";
import { COMPLETED } from "../mission/advance.js";

export interface LoadReads {
  /** `.github/mission.yml`'s path, read on the default branch; absent: not asked */
  config?: string;
  /** files on other refs (mission.md on the state branch) */
  files: ReadonlyArray<{ path: string; ref: string }>;
}

export interface LoadRead {
  /** the config file (null: none there); absent when not asked */
  config?: RepoFile | null;
  /** the files asked for, in their order (null: none there) */
  files: (RepoFile | null)[];
  /** the completed missions' ids (newest first); undefined: not known from the query (list them by REST) */
  completed: string[] | undefined;
}

const IssueNodes = z.object({
  pageInfo: z.object({ hasNextPage: z.boolean() }),
  nodes: z.array(z.object({ labels: z.object({ pageInfo: z.object({ hasNextPage: z.boolean() }), nodes: z.array(z.object({ name: z.string() }).nullable()).nullable() }).nullable() }).nullable()).nullable(),
});
const Answer = z.object({
  repository: z.object({ completed: IssueNodes }).catchall(BlobFields.nullable()),
});

export async function readForLoad(octokit: Octokit, repo: RepoRef, wanted: LoadReads): Promise<LoadRead> {
  const vars: Record<string, string> = { owner: repo.owner, name: repo.repo, completed: COMPLETED };
  const params = ["$owner: String!", "$name: String!", "$completed: String!"];
  const asked = [...(wanted.config !== undefined ? [{ path: wanted.config, ref: "HEAD" }] : []), ...wanted.files];
  const fields = asked.map((f, i) => {
    vars[`e${i}`] = `${f.ref}:${f.path}`;
    params.push(`$e${i}: String!`);
    return `f${i}: object(expression: $e${i}) { ${BLOB} }`;
  });
  fields.push("completed: issues(labels: [$completed], states: [OPEN, CLOSED], first: 100) { pageInfo { hasNextPage } nodes { labels(first: 100) { pageInfo { hasNextPage } nodes { name } } } }");
  let found: z.infer<typeof Answer>["repository"] | undefined;
  try {
    found = Answer.parse(await octokit.graphql(`query(${params.join(", ")}) { repository(owner: $owner, name: $name) { ${fields.join(" ")} } }`, vars)).repository;
  } catch {
    // GraphQL refused or answered an error: the REST reads, as before
    found = undefined;
  }
  const got: (RepoFile | null)[] = [];
  for (const [i, f] of asked.entries()) {
    const object = found?.[`f${i}`] as z.infer<typeof BlobFields> | null | undefined;
    const rest = () => readFile(octokit, repo, f.path, f.ref === "HEAD" ? undefined : f.ref);
    got.push(object === null ? null : object === undefined ? await rest() : (wholeFile(object) ?? (await rest())));
  }
  const list = found?.completed;
  const completed =
    list && !list.pageInfo.hasNextPage && !(list.nodes ?? []).some((n) => n?.labels?.pageInfo.hasNextPage)
      ? [...new Set((list.nodes ?? []).flatMap((n) => (n?.labels?.nodes ?? []).flatMap((l) => (l ? [missionOfLabel(l.name)] : [])).filter((id): id is string => !!id)))].sort().reverse()
      : undefined;
  return { ...(wanted.config !== undefined ? { config: got[0]! } : {}), files: got.slice(wanted.config !== undefined ? 1 : 0), completed };
}
