/**
 * The worker's requests file (REQUESTS_FILE, written by the agent) for the
 * report: a JSON array, cut to MAX_REQUESTS. Each request is validated by
 * the bot on its own (spending/request.ts), so here only the shape of the
 * file is checked; what is wrong with it is said in the report's notes.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
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
