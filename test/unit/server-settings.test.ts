/**
 * Trust boundary, point 7 (settings): the server's settings fail closed.
 * No webhook secret, Probot's `development` default, an App id that is not
 * a number or a key that is not a key stop the server with one sentence
 * naming the fix; a key given as base64, with `\n` escapes or in a file is
 * read as the key it is. (The process test is test/e2e/fail-closed.test.ts.)
 * Besides: the replicas' lease (MISSION_BOT_QUEUE_LOCK_MS) is read, and a
 * value the queue could not keep stops the server with one line, before
 * anything starts; so does a model API address (ANTHROPIC_BASE_URL) the
 * planner could not use.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/server/settings.js";
import { testPrivateKey } from "../support/keys.js";

const KEY = testPrivateKey();
const GOOD = { APP_ID: "12345", PRIVATE_KEY: KEY, WEBHOOK_SECRET: "a real secret" };

function problem(env: Record<string, string | undefined>): string {
  const read = readSettings(env);
  if (read.ok) throw new Error("the settings were accepted");
  return read.problem;
}

describe("webhooks fail closed: the server's settings", () => {
  it("refuses to run without a webhook secret: unset, empty, blank or Probot's development default", () => {
    expect(problem({ ...GOOD, WEBHOOK_SECRET: undefined })).toMatch(/^WEBHOOK_SECRET is not set: set it to the webhook secret of the GitHub App/);
    expect(problem({ ...GOOD, WEBHOOK_SECRET: "" })).toMatch(/^WEBHOOK_SECRET is not set/);
    expect(problem({ ...GOOD, WEBHOOK_SECRET: "   " })).toMatch(/^WEBHOOK_SECRET is not set/);
    expect(problem({ ...GOOD, WEBHOOK_SECRET: "development" })).toMatch(/^WEBHOOK_SECRET is Probot's default "development": set the GitHub App's real webhook secret/);
  });

  it("refuses an App id that is not the App's numeric id", () => {
    for (const id of [undefined, "", "abc", "0", "-3", "1.5", "12a"]) {
      expect(problem({ ...GOOD, APP_ID: id }), String(id)).toMatch(/^APP_ID must be the GitHub App's numeric id/);
    }
  });

  it("refuses a private key that is not one, or none", () => {
    expect(problem({ ...GOOD, PRIVATE_KEY: "not a key" })).toMatch(/^PRIVATE_KEY is not a private key: paste the \.pem/);
    expect(problem({ ...GOOD, PRIVATE_KEY: KEY.replace(/[A-Za-z0-9+/]{20}\n/, "AAAA\n") })).toMatch(/^PRIVATE_KEY is not a private key/);
    expect(problem({ ...GOOD, PRIVATE_KEY: Buffer.from("not a key either").toString("base64") })).toMatch(/^PRIVATE_KEY is not a private key/);
    expect(problem({ ...GOOD, PRIVATE_KEY: undefined })).toMatch(/^PRIVATE_KEY \(or PRIVATE_KEY_PATH\) is not set/);
  });

  it("reads the key as base64 of the .pem, with \\n escapes, or from PRIVATE_KEY_PATH", () => {
    const asBase64 = readSettings({ ...GOOD, PRIVATE_KEY: Buffer.from(KEY).toString("base64") });
    expect(asBase64.ok && asBase64.settings.privateKey.trim()).toBe(KEY.trim());
    const escaped = readSettings({ ...GOOD, PRIVATE_KEY: KEY.trim().replace(/\n/g, "\\n") });
    expect(escaped.ok && escaped.settings.privateKey).toBe(KEY.trim());

    const dir = mkdtempSync(join(tmpdir(), "mission-key-"));
    writeFileSync(join(dir, "app.pem"), KEY);
    const fromFile = readSettings({ ...GOOD, PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: join(dir, "app.pem") });
    expect(fromFile.ok && fromFile.settings.privateKey.trim()).toBe(KEY.trim());
    expect(problem({ ...GOOD, PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: join(dir, "missing.pem") })).toMatch(/^PRIVATE_KEY_PATH .*missing\.pem cannot be read/);
    writeFileSync(join(dir, "garbage.pem"), "-----BEGIN RSA PRIVATE KEY-----\nnope\n-----END RSA PRIVATE KEY-----\n");
    expect(problem({ ...GOOD, PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: join(dir, "garbage.pem") })).toMatch(/^PRIVATE_KEY is not a private key/);
  });

  it("accepts good settings, with GitHub Enterprise Server's addresses when GHE_HOST is set", () => {
    const read = readSettings({ ...GOOD, GHE_HOST: "ghe.example.com" });
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.settings).toMatchObject({ appId: 12345, webhookSecret: "a real secret", webhookPath: "/api/github/webhooks", baseUrl: "https://ghe.example.com/api/v3", serverUrl: "https://ghe.example.com" });
  });

  it("says each problem in one line", () => {
    for (const env of [{ ...GOOD, WEBHOOK_SECRET: "" }, { ...GOOD, APP_ID: "x" }, { ...GOOD, PRIVATE_KEY: "x" }, { ...GOOD, PORT: "http" }, { ...GOOD, MISSION_BOT_PULSE_MINUTES: "soon" }]) {
      expect(problem(env)).not.toContain("\n");
    }
  });
});

const base = { APP_ID: "1", PRIVATE_KEY: testPrivateKey(), WEBHOOK_SECRET: "s3cret", REDIS_URL: "redis://127.0.0.1:6379" };

describe("MISSION_BOT_QUEUE_LOCK_MS", () => {
  it("is the replicas' lease in milliseconds; unset, the queue keeps its default", () => {
    const set = readSettings({ ...base, MISSION_BOT_QUEUE_LOCK_MS: "5000" });
    expect(set.ok && set.settings.queueLockMs).toBe(5000);
    const unset = readSettings(base);
    expect(unset.ok && unset.settings.queueLockMs).toBeUndefined();
  });

  it.each(["soon", "2.5", "-1", "999"])("refuses %j with one line naming the variable", (value) => {
    const result = readSettings({ ...base, MISSION_BOT_QUEUE_LOCK_MS: value });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toMatch(/^MISSION_BOT_QUEUE_LOCK_MS must be a whole number of milliseconds, at least 1000/);
  });
});

describe("ANTHROPIC_BASE_URL", () => {
  it("a value the planner could not use stops the server with one line", () => {
    const result = readSettings({ ...base, ANTHROPIC_BASE_URL: "http://llm.example.com" });
    expect(!result.ok && result.problem).toMatch(/^ANTHROPIC_BASE_URL must be an https:\/\/ address/);
    expect(readSettings({ ...base, ANTHROPIC_BASE_URL: "https://llm.example.com" }).ok).toBe(true);
  });
});

describe("the README's table of the server's variables", () => {
  it("names only variables the server reads", async () => {
    const { readFileSync, readdirSync } = await import("node:fs");
    const root = new URL("../../", import.meta.url);
    const readme = readFileSync(new URL("README.md", root), "utf8");
    const section = readme.slice(readme.indexOf("### As a Node server"), readme.indexOf("### Several replicas"));
    const names = [...section.matchAll(/^\| ([^|]+) \| (?:yes|no) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((n) => n[1]!));
    expect(names.length).toBeGreaterThan(10);
    const source = (readdirSync(new URL("src/", root), { recursive: true }) as string[])
      .filter((f) => f.endsWith(".ts"))
      .map((f) => readFileSync(new URL(`src/${f}`, root), "utf8"))
      .join("\n");
    // read by the server (src/server, src/app.ts, the planner), or by Probot, which the server configures from GHE_HOST and LOG_LEVEL itself
    expect(names.filter((n) => !new RegExp(`\\b${n}\\b`).test(source))).toEqual([]);
  });
});
