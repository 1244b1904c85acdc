/**
 * The ETag store of an Action run, kept between runs in one JSON file that
 * the pulse and command workflows restore and save with `actions/cache`
 * (the repository's own Actions cache). Each run is a fresh process with a
 * new GITHUB_TOKEN, and GitHub's ETags are bound to the token ("It's
 * currently expected for ETags to be auth token specific", GitHub Support in
 * eclipse-csi/otterdog#201): an answer read back is marked `restored`, and
 * etag-cache.ts asks for it again with `If-Modified-Since` where GitHub sent
 * a `Last-Modified` (a single issue, a comment, a file), not with its ETag.
 *
 * The file is outside input (anyone who can write to the repository's
 * Actions cache wrote it): read with a size limit, checked with zod, and
 * ignored whole when it is not what this module writes. It holds answers
 * GitHub gave for this repository (issues, comments, files) and no token.
 */
import { readFileSync, statSync, writeFileSync, mkdirSync, renameSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import { ETAG_STORE_MAX, MemoryEtagStore } from "./etag-cache.js";

/** The file is not read when larger, and written no larger: answers least recently used are left out first. */
export const ETAG_FILE_MAX_BYTES = 20 * 1024 * 1024;

const Answer = z.object({
  etag: z.string().max(200),
  url: z.string().max(2000),
  headers: z.record(z.string().max(100), z.string().max(4000)),
  data: z.unknown(),
});

const EtagFile = z.object({
  version: z.literal(1),
  answers: z.array(z.tuple([z.string().max(200), Answer])).max(ETAG_STORE_MAX),
  marks: z.array(z.tuple([z.string().max(500), z.string().max(4000)])).max(ETAG_STORE_MAX),
});

/** The store of this run: the file's answers (restored) when it is there and sound, else empty. */
export function readEtagFile(path: string, warn: (message: string) => void = () => {}): MemoryEtagStore {
  const store = new MemoryEtagStore();
  let text: string;
  try {
    if (statSync(path).size > ETAG_FILE_MAX_BYTES) {
      warn(`the kept ETag answers (${path}) are larger than ${ETAG_FILE_MAX_BYTES} bytes: not read`);
      return store;
    }
    text = readFileSync(path, "utf8");
  } catch {
    return store; // no file yet: the first run, or the cache was evicted
  }
  let parsed: z.infer<typeof EtagFile>;
  try {
    const result = EtagFile.safeParse(JSON.parse(text));
    if (!result.success) throw new Error(result.error.issues[0]?.message ?? "not an ETag file");
    parsed = result.data;
  } catch (error) {
    warn(`the kept ETag answers (${path}) are not readable (${(error as Error).message}): every read asks GitHub afresh`);
    return store;
  }
  for (const [key, answer] of parsed.answers) void store.set(key, { ...answer, restored: true });
  for (const [key, value] of parsed.marks) void store.setMark(key, value);
  return store;
}

/** Write the store down for the next run (most recently used kept first when the size limit bites). */
export function writeEtagFile(path: string, store: MemoryEtagStore): void {
  const { answers, marks } = store.dump();
  const kept: string[] = [];
  let bytes = 64 + JSON.stringify(marks).length;
  for (let i = answers.length - 1; i >= 0; i--) {
    const [key, { restored: _restored, ...answer }] = answers[i]!;
    const json = JSON.stringify([key, answer]);
    if (bytes + json.length + 1 > ETAG_FILE_MAX_BYTES) break;
    bytes += json.length + 1;
    kept.push(json);
  }
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `{"version":1,"answers":[${kept.reverse().join(",")}],"marks":${JSON.stringify(marks)}}`);
  renameSync(temp, path);
}
