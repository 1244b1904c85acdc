/**
 * The server's settings from the environment: the replicas' lease
 * (MISSION_BOT_QUEUE_LOCK_MS) is read, and a value the queue could not keep
 * stops the server with one line, before anything starts; so does a model
 * API address (ANTHROPIC_BASE_URL) the planner could not use.
 */
import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/server/settings.js";
import { testPrivateKey } from "../support/keys.js";

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
