/**
 * Trust boundary, point 7 (settings): the server's settings fail closed.
 * No webhook secret, Probot's `development` default, an App id that is not
 * a number or a key that is not a key stop the server with one sentence
 * naming the fix; a key given as base64, with `\n` escapes or in a file is
 * read as the key it is. (The process test is test/e2e/fail-closed.test.ts.)
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
