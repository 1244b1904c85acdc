/**
 * Trust boundary, point 7 (process): `node lib/server.js`, started as `npm
 * start` starts it, fails closed. With a setting that would let anyone post
 * webhooks, or credentials GitHub refuses, it exits 1 with one line on
 * stderr that names the fix — never Probot's setup flow, never a server
 * that takes webhooks it cannot check. With good settings it proves its
 * credentials to GitHub (the twin checks the JWT's signature) and prints
 * its one-line banner. (The settings' unit tests: test/unit/server-settings.test.ts.)
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTwinServer, type TwinServer } from "../../src/twin/server.js";
import type { GitHubTwin } from "../../src/twin/state.js";
import { contractTwin } from "../support/twin.js";
import { testPrivateKey, testPublicKey } from "../support/keys.js";
import { APP_ENTRY, freePort, ROOT } from "./support/app-process.js";

interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node lib/server.js` with exactly `env` (nothing inherited); resolves when it exits, or when `until` sees its stdout. */
function server(env: Record<string, string>, until?: RegExp): Promise<Ended & { stop?: () => Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [APP_ENTRY], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the server neither exited nor printed ${until} within 20 s:\n${stdout}\n${stderr}`));
    }, 20_000);
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (until?.test(stdout)) {
        clearTimeout(timer);
        resolve({
          code: null,
          stdout,
          stderr,
          stop: async () => {
            child.kill("SIGTERM"); // at once: the server stops gracefully even right after its banner
            return exited;
          },
        });
      }
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let twin: GitHubTwin;
let github: TwinServer;
let good: Record<string, string>;

beforeAll(async () => {
  // GitHub (the twin) knows the App by the public half of the PKCS#1 test key, and checks every JWT's signature with it.
  twin = contractTwin({ appPublicKey: testPublicKey() });
  github = await startTwinServer(twin);
  good = {
    APP_ID: String(twin.app.id),
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET: "a real secret",
    GHE_HOST: github.host,
    GHE_PROTOCOL: "http",
    HOST: "127.0.0.1",
    PORT: String(await freePort()),
    LOG_LEVEL: "warn",
    MISSION_BOT_PULSE_MINUTES: "0",
  };
});

afterAll(async () => {
  await github?.close();
});

const without = (env: Record<string, string>, key: string) => Object.fromEntries(Object.entries(env).filter(([k]) => k !== key));

describe("webhooks fail closed: the server process", () => {
  const cases: Array<[string, (env: Record<string, string>) => Record<string, string>, RegExp]> = [
    ["no WEBHOOK_SECRET", (env) => without(env, "WEBHOOK_SECRET"), /WEBHOOK_SECRET is not set: set it to the webhook secret of the GitHub App/],
    ["an empty WEBHOOK_SECRET", (env) => ({ ...env, WEBHOOK_SECRET: "" }), /WEBHOOK_SECRET is not set/],
    ["Probot's development secret", (env) => ({ ...env, WEBHOOK_SECRET: "development" }), /WEBHOOK_SECRET is Probot's default "development": set the GitHub App's real webhook secret/],
    ["no APP_ID (Probot would start its setup flow)", (env) => without(env, "APP_ID"), /APP_ID must be the GitHub App's numeric id/],
    ["an APP_ID that is not a number", (env) => ({ ...env, APP_ID: "mission-bot" }), /APP_ID must be the GitHub App's numeric id \(got "mission-bot"\)/],
    ["a PRIVATE_KEY that is not a key", (env) => ({ ...env, PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\\nnope\\n-----END RSA PRIVATE KEY-----" }), /PRIVATE_KEY is not a private key: paste the \.pem the GitHub App gave you/],
    ["a PRIVATE_KEY_PATH that cannot be read", (env) => ({ ...without(env, "PRIVATE_KEY"), PRIVATE_KEY_PATH: "/nonexistent/app.pem" }), /PRIVATE_KEY_PATH \/nonexistent\/app\.pem cannot be read/],
    ["a key that is not the App's (GitHub refuses its JWT)", (env) => ({ ...env, PRIVATE_KEY: testPrivateKey("pkcs8") }), /GitHub refused App \d+ with this PRIVATE_KEY \(401\): check APP_ID and PRIVATE_KEY/],
    ["an App id GitHub does not know", (env) => ({ ...env, APP_ID: "999999" }), /GitHub refused App 999999 with this PRIVATE_KEY \(401\)/],
  ];

  for (const [what, change, reason] of cases) {
    it(`exits 1 with one line naming the fix: ${what}`, async () => {
      const ended = await server(change(good));
      expect(ended.code).toBe(1);
      const lines = ended.stderr.trimEnd().split("\n");
      expect(lines, ended.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^mission-bot: /);
      expect(lines[0]).toMatch(reason);
      expect(`${ended.stdout}${ended.stderr}`).not.toMatch(/setup|Welcome to Probot|listening/i);
    });
  }

  it("with good settings proves its credentials to GitHub and prints its one-line banner", async () => {
    const started = await server(good, /\n/);
    const code = await started.stop!();
    expect(started.stderr).toBe("");
    const [banner, ...rest] = started.stdout.trimEnd().split("\n");
    expect(rest).toEqual([]);
    expect(banner).toBe(
      `mission-bot: App ${twin.app.id} (${twin.app.slug}[bot]) listening on 127.0.0.1:${good.PORT}/api/github/webhooks · planner outline (no ANTHROPIC_API_KEY) · dashboard off · queue in-process · pulse off`,
    );
    expect(code).toBe(0);
    expect(twin.requests({ method: "GET", route: "/app" }).length).toBeGreaterThan(0);
  });
});
