import { readFileSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { registerWith } from "../../src/cli/register.js";
import { githubNock, type GitHubNock } from "../support/github-nock.js";
import { testPrivateKey } from "../support/keys.js";

let dir: string;
let gh: GitHubNock;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mission-bot-register-"));
  gh = githubNock();
});
afterEach(async () => {
  gh.restore();
  await rm(dir, { recursive: true, force: true });
});

const unescape = (html: string) => html.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
const app = parse(readFileSync(new URL("../../app.yml", import.meta.url), "utf8")) as Record<string, unknown>;

/** Run register; `browser` plays the person's browser once the page listens. */
async function register(args: string[], browser: (address: string) => Promise<void>): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  let played: Promise<void> = Promise.resolve();
  const code = await registerWith({ webBase: "https://github.com", apiBase: "https://api.github.com", onListening: (a) => void (played = browser(a)) })(args, {
    cwd: dir,
    env: {},
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
  });
  await played;
  return { code, out, err };
}

describe("mission-bot register", () => {
  it("registers the App from app.yml with the webhook at /api/github/webhooks, checks GitHub's state, and writes .env readable by its owner only", async () => {
    const pem = testPrivateKey();
    gh.api.post("/app-manifests/code123/conversions").reply(201, {
      id: 4242,
      slug: "mission-bot-acme",
      node_id: "A_1",
      name: "mission-bot-acme",
      html_url: "https://github.com/apps/mission-bot-acme",
      pem,
      webhook_secret: "whsec-from-github",
      client_id: "Iv1.abc",
      client_secret: "secret-xyz",
    });
    await writeFile(join(dir, ".env"), "ANTHROPIC_API_KEY=sk-keep-me\n");
    let manifest: Record<string, unknown> = {};
    const r = await register(["--url", "https://bot.example.com", "--port", "0"], async (address) => {
      const page = await (await fetch(address)).text();
      const action = unescape(/<form action="([^"]+)"/.exec(page)![1]!);
      manifest = JSON.parse(unescape(/name="manifest" value="([^"]+)"/.exec(page)![1]!)) as Record<string, unknown>;
      expect(action).toMatch(/^https:\/\/github\.com\/settings\/apps\/new\?state=[\w-]{20,}$/);
      const state = new URL(action).searchParams.get("state")!;
      // an answer to some other registration is refused, and nothing is converted
      expect((await fetch(`${address}registered?code=code123&state=forged`)).status).toBe(400);
      const done = await fetch(`${address}registered?code=code123&state=${state}`);
      expect(done.status).toBe(200);
      expect(await done.text()).toContain("https://github.com/apps/mission-bot-acme/installations/new");
    });
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(manifest).toMatchObject({
      hook_attributes: { url: "https://bot.example.com/api/github/webhooks" },
      default_permissions: app.default_permissions,
      default_events: app.default_events,
      public: false,
    });
    expect(String(manifest.redirect_url)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/registered$/);

    const env = await readFile(join(dir, ".env"), "utf8");
    expect(env).toContain("ANTHROPIC_API_KEY=sk-keep-me\n");
    expect(env).toContain("APP_ID=4242\n");
    expect(env).toContain("WEBHOOK_SECRET=whsec-from-github\n");
    expect(Buffer.from(/^PRIVATE_KEY=(.+)$/m.exec(env)![1]!, "base64").toString()).toBe(pem);
    expect(statSync(join(dir, ".env")).mode & 0o777).toBe(0o600);
    expect(r.out).toContain("install the App: https://github.com/apps/mission-bot-acme/installations/new");
    gh.done();

    // registered once: a second run would replace the credentials, so it asks for --force
    const again = await register(["--url", "https://bot.example.com", "--port", "0"], async () => {});
    expect(again.code).toBe(1);
    expect(again.err).toContain("already has an APP_ID");
  });

  it("refuses an address GitHub could not deliver to, and says GitHub's answer when the code is spent", async () => {
    for (const url of ["http://bot.example.com", "https://bot.example.com/api/github/webhooks", "bot.example.com"]) {
      const bad = await register(["--url", url], async () => {});
      expect(bad.code, url).toBe(2);
      expect(bad.err).toContain("--url must be the server's public https address");
    }
    gh.api.post("/app-manifests/spent/conversions").reply(404, { message: "Not Found", documentation_url: "https://docs.github.com" });
    const r = await register(["--url", "https://bot.example.com", "--port", "0", "--org", "acme"], async (address) => {
      const page = await (await fetch(address)).text();
      const action = unescape(/<form action="([^"]+)"/.exec(page)![1]!);
      expect(action).toMatch(/^https:\/\/github\.com\/organizations\/acme\/settings\/apps\/new\?state=/);
      await fetch(`${address}registered?code=spent&state=${new URL(action).searchParams.get("state")}`);
    });
    expect(r.code).toBe(1);
    expect(r.err).toContain("GitHub answered 404 for POST app-manifests/{code}/conversions");
    gh.done();
  });
});
