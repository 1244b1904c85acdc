/**
 * The worker's requests file (REQUESTS_FILE, written by the agent) for the
 * report: a JSON array, cut to MAX_REQUESTS. Each request is validated by
 * the bot on its own (spending/request.ts), so here only the shape of the
 * file is checked; what is wrong with it is said in the report's notes.
 */
import { copyFileSync, existsSync, lstatSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { REQUESTS_FILE } from "../../mission/workers/worker-prompt.js";
import { MAX_REQUESTS } from "../../mission/spending/request.js";

const MAX_FILE_BYTES = 200_000;

export function readRequestsFile(path: string, notes: string[]): unknown[] | undefined {
  if (!path || !existsSync(path)) return undefined;
  if (statSync(path).size > MAX_FILE_BYTES) {
    notes.push(`The requests file is over ${MAX_FILE_BYTES} bytes, so no request was sent.`);
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    notes.push("The requests file is not JSON, so no request was sent.");
    return undefined;
  }
  if (!Array.isArray(value)) {
    notes.push("The requests file is not a JSON array of requests, so no request was sent.");
    return undefined;
  }
  if (value.length > MAX_REQUESTS) notes.push(`The requests file holds ${value.length} requests; only the first ${MAX_REQUESTS} were sent.`);
  return value.slice(0, MAX_REQUESTS);
}

/**
 * After the agent ran: its requests file leaves the working tree (so it is
 * never part of the patch) for `<out>/mission-requests.json`, which the
 * workflow hands to the report job. Only a regular file is taken (a link the
 * agent made could point at anything on the runner); anything else of that
 * name is removed. Returns whether a file was taken.
 */
export function takeRequestsFile(workspace: string, out: string): boolean {
  const path = join(workspace, REQUESTS_FILE);
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return false;
  }
  const regular = stat.isFile() && stat.size <= MAX_FILE_BYTES;
  if (regular) copyFileSync(path, join(out, REQUESTS_FILE));
  rmSync(path, { recursive: true, force: true });
  return regular;
}
