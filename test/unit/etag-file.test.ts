/**
 * The ETag answers an Action run keeps for the next (src/github/etag-file.ts):
 * read back as restored answers, asked again by date (another token's ETag
 * never matches), and a file that is not ours is ignored whole.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Octokit as Core } from "@octokit/core";
import { MemoryEtagStore, withEtags } from "../../src/github/etag-cache.js";
import { readEtagFile, writeEtagFile } from "../../src/github/etag-file.js";
import type { Octokit } from "../../src/github/client.js";

const dir = () => mkdtempSync(join(tmpdir(), "etag-file-"));

/** An Octokit whose requests are answered by `answer`, seeing the headers sent. */
function fake(answer: (headers: Record<string, string>) => Response) {
  const seen: Array<Record<string, string>> = [];
  const octokit = new Core({
    request: {
      fetch: async (_url: string, init: { headers: Record<string, string> }) => {
        seen.push(init.headers);
        return answer(init.headers);
      },
    },
  }) as unknown as Octokit;
  return { octokit, seen };
}

const body = { number: 7, title: "a feature" };
const ok = () => new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json", etag: 'W/"one"', "last-modified": "Mon, 23 Nov 2026 10:00:00 GMT" } });

describe("the ETag answers kept between runs", () => {
  it("a later run asks with If-Modified-Since, not the earlier token's ETag, and a 304 answers from the kept answer", async () => {
    const path = join(dir(), "etags.json");
    const first = new MemoryEtagStore();
    const a = fake(ok);
    await withEtags(a.octokit, first, "run").request("GET /repos/o/r/issues/7");
    await first.setMark("idle:x", "mark");
    writeEtagFile(path, first);

    const restored = readEtagFile(path);
    expect(await restored.getMark("idle:x")).toBe("mark");
    const b = fake(() => new Response(null, { status: 304 }));
    const again = await withEtags(b.octokit, restored, "run").request("GET /repos/o/r/issues/7");
    expect(again.data).toEqual(body);
    expect(b.seen[0]!["if-modified-since"]).toBe("Mon, 23 Nov 2026 10:00:00 GMT");
    expect(b.seen[0]!["if-none-match"]).toBeUndefined();
  });

  it.each([
    ["not JSON", "{not json"],
    ["another shape", JSON.stringify({ version: 1, answers: [["k", { etag: 5 }]], marks: [] })],
    ["another version", JSON.stringify({ version: 2, answers: [], marks: [] })],
  ])("a file that is %s is ignored with a warning: every read asks GitHub afresh", async (_name, text) => {
    const path = join(dir(), "etags.json");
    writeFileSync(path, text);
    const warnings: string[] = [];
    const store = readEtagFile(path, (m) => warnings.push(m));
    expect(store.size).toBe(0);
    expect(warnings.join()).toMatch(/not readable/);
    const c = fake(ok);
    await withEtags(c.octokit, store, "run").request("GET /repos/o/r/issues/7");
    expect(c.seen[0]!["if-modified-since"]).toBeUndefined();
  });

  it("no file yet (the first run, or the cache was evicted): an empty store, no warning", () => {
    const warnings: string[] = [];
    expect(readEtagFile(join(dir(), "none.json"), (m) => warnings.push(m)).size).toBe(0);
    expect(warnings).toEqual([]);
  });
});
