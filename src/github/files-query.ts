/**
 * Several files and folders of a repository in one GraphQL query, not one
 * REST read each:
 *
 *   repository(owner:, name:) { f0: object(expression: "<ref>:<path>") { ... on Blob { text oid isTruncated } } … }
 *
 * (the expressions as variables; `HEAD:<path>` is the default branch's). A
 * Blob's `oid` is the blob sha the contents API names, so a file read here
 * can be written back with it as the precondition (repo-files.ts).
 *
 * Where it pays: a process that starts cold — each Actions run, whose
 * `GITHUB_TOKEN` has 1,000 REST requests an hour for the whole repository
 * and a GraphQL budget of its own (1,000 points an hour; docs "Rate limits
 * and query limits for the GraphQL API"). The App keeps its conditional REST
 * reads: a 304 costs nothing there, and a GraphQL query always costs a point.
 *
 * A file GraphQL gives no whole text of (`Blob.text` is cut at 512,000 bytes,
 * `isTruncated`; null for a binary) is read by REST; if the query fails
 * (refused, an error answer), every one is, as before.
 */
import { z } from "zod";
import type { Octokit, RepoRef } from "./client.js";
import { listFolder, readFile, type RepoFile } from "./repo-files.js";

/** A file, or a folder's entries (with the text of the files in it), at `ref` (undefined: the default branch). */
export type Wanted = { kind: "file"; path: string; ref?: string | undefined } | { kind: "folder"; path: string; ref?: string | undefined };

export interface FolderEntry {
  name: string;
  /** as the contents API names it: file, dir, submodule */
  type: string;
  /** a file's text and blob sha, when GraphQL gave all of it (else read it by REST) */
  file?: RepoFile;
}

export type Got = RepoFile | null | FolderEntry[];

export const BlobFields = z.object({ text: z.string().nullable().optional(), oid: z.string().optional(), isTruncated: z.boolean().optional() });
const Entry = z.object({ name: z.string(), type: z.string(), object: BlobFields.nullable().optional() });
const GitObject = z.object({ ...BlobFields.shape, entries: z.array(Entry).optional() }).nullable();
const Answer = z.object({ repository: z.record(z.string(), GitObject) });

export const BLOB = "... on Blob { text oid isTruncated }";
/** git's names of a tree entry's kind, in the contents API's words */
const GIT_TYPES: Record<string, string> = { blob: "file", tree: "dir", commit: "submodule" };

/** What was asked, in its order: a file (null: none there), or a folder's entries (empty: none there). */
export async function readObjects(octokit: Octokit, repo: RepoRef, wanted: readonly Wanted[]): Promise<Got[]> {
  if (!wanted.length) return [];
  const vars: Record<string, string> = { owner: repo.owner, name: repo.repo };
  const params = ["$owner: String!", "$name: String!"];
  const fields = wanted.map((w, i) => {
    vars[`e${i}`] = `${w.ref ?? "HEAD"}:${w.path}`;
    params.push(`$e${i}: String!`);
    return w.kind === "file"
      ? `f${i}: object(expression: $e${i}) { ${BLOB} }`
      : `f${i}: object(expression: $e${i}) { ... on Tree { entries { name type object { ${BLOB} } } } }`;
  });
  let found: Record<string, z.infer<typeof GitObject>>;
  try {
    found = Answer.parse(await octokit.graphql(`query(${params.join(", ")}) { repository(owner: $owner, name: $name) { ${fields.join(" ")} } }`, vars)).repository;
  } catch {
    // GraphQL refused or answered an error: the REST reads, as before
    const out: Got[] = [];
    for (const w of wanted) out.push(await byRest(octokit, repo, w));
    return out;
  }
  const out: Got[] = [];
  for (const [i, w] of wanted.entries()) {
    const object = found[`f${i}`];
    if (object === undefined) out.push(await byRest(octokit, repo, w));
    else if (w.kind === "file") out.push(object === null ? null : (wholeFile(object) ?? (await byRest(octokit, repo, w))));
    else if (object === null) out.push([]);
    else if (!object.entries) out.push(await byRest(octokit, repo, w)); // a file where a folder was asked for: as REST says
    else
      out.push(
        object.entries.map((e) => {
          const file = e.type === "blob" && e.object ? wholeFile(e.object) : undefined;
          return { name: e.name, type: GIT_TYPES[e.type] ?? e.type, ...(file ? { file } : {}) };
        }),
      );
  }
  return out;
}

/** The files asked for, in one query (null: no such file). */
export async function readFiles(octokit: Octokit, repo: RepoRef, files: ReadonlyArray<{ path: string; ref?: string | undefined }>): Promise<(RepoFile | null)[]> {
  return (await readObjects(octokit, repo, files.map((f) => ({ kind: "file" as const, ...f })))) as (RepoFile | null)[];
}

/** a Blob's whole text and sha; undefined when GraphQL gave not all of it (read it by REST) */
export function wholeFile(blob: z.infer<typeof BlobFields>): RepoFile | undefined {
  return typeof blob.text === "string" && blob.isTruncated === false && blob.oid ? { text: blob.text, sha: blob.oid } : undefined;
}

async function byRest(octokit: Octokit, repo: RepoRef, w: Wanted): Promise<Got> {
  if (w.kind === "file") return readFile(octokit, repo, w.path, w.ref);
  return listFolder(octokit, repo, w.path, w.ref);
}
