/**
 * The container image, without Docker: the Dockerfile is read and every step
 * is run as it says — each stage in a directory of its own standing for the
 * container's filesystem, COPY from a copy of the repository (what
 * .dockerignore leaves of its tracked files) or from an earlier stage, RUN
 * in the stage's WORKDIR with its ENV — then the image's CMD is started with
 * the environment a user gives it, against the GitHub twin, and its
 * HEALTHCHECK is run: it passes while the server runs, and fails once the
 * server has stopped. npm installs from the local npm cache (no network in
 * tests; `npm ci` filled the cache). What cannot run here is checked as
 * written: Node 24 on Debian slim, a user that is not root.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parseDockerfile, type Command, type Stage } from "../support/dockerfile.js";
import { ROOT, freePort } from "./support/app-process.js";
import { contractTwin } from "../support/twin.js";
import { testClock } from "../support/clock.js";
import { testPrivateKey, testPublicKey } from "../support/keys.js";
import { startTwinServer } from "../../src/twin/server.js";
import { WebhookSender } from "../../src/twin/webhook-sender.js";
import { OWNER, REPO, SECRET, repoFiles } from "./support/world.js";

const work = mkdtempSync(join(tmpdir(), "mission-image-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The build context: the repository's tracked files, less what .dockerignore names. */
function buildContext(): string {
  const dir = join(work, "context");
  const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const matches = (path: string) =>
    ignored.some((p) => (p.startsWith("*.") ? path.endsWith(p.slice(1)) : path === p || path.startsWith(`${p}/`)));
  const tracked = spawnSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).stdout.split("\0").filter(Boolean);
  for (const file of tracked) {
    if (matches(file) || !existsSync(join(ROOT, file))) continue;
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dir, file));
  }
  return dir;
}

/**
 * npm's cache for the image's steps: a copy of this machine's, so the Dockerfile's `npm cache clean --force`
 * empties the copy, never the cache every later `npm ci` offline here depends on.
 */
let npmCache: string | undefined;
function imageNpmCache(): string {
  if (!npmCache) {
    const host = process.env.npm_config_cache ?? join(homedir(), ".npm");
    npmCache = join(work, "npm-cache");
    if (existsSync(join(host, "_cacache"))) cpSync(join(host, "_cacache"), join(npmCache, "_cacache"), { recursive: true });
    else mkdirSync(npmCache, { recursive: true });
  }
  return npmCache;
}

/** The environment every process of the image gets here: the image's ENV, Node 24 first on PATH, npm offline from a copy of the local cache. */
function baseEnv(vars: Record<string, string>): Record<string, string> {
  return {
    ...vars,
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    HOME: join(work, "home"),
    npm_config_cache: imageNpmCache(),
    npm_config_offline: "true",
    npm_config_update_notifier: "false",
  };
}

function argvOf(c: Command): string[] {
  return c.form === "exec" ? c.argv : ["sh", "-c", c.script];
}

interface Built {
  root: string;
  workdir: string;
  env: Record<string, string>;
  user: string | undefined;
  cmd: Command | undefined;
  healthcheck: { options: Record<string, string>; command: Command } | undefined;
  log: string[];
}

/** Run one stage's steps; `stages` are the ones built before it (for COPY --from). */
function build(stage: Stage, index: number, context: string, built: Map<string, Built>): Built {
  const root = join(work, `stage-${index}`);
  mkdirSync(root, { recursive: true });
  const b: Built = { root, workdir: "/", env: {}, user: undefined, cmd: undefined, healthcheck: undefined, log: [] };
  const inRoot = (path: string, base = b.workdir) => join(root, path.startsWith("/") ? path : join(base, path));
  for (const step of stage.steps) {
    switch (step.kind) {
      case "WORKDIR":
        b.workdir = step.path.startsWith("/") ? step.path : join(b.workdir, step.path);
        mkdirSync(inRoot(b.workdir), { recursive: true });
        break;
      case "ENV":
        Object.assign(b.env, step.vars);
        break;
      case "COPY": {
        const from = step.from ? built.get(step.from) : undefined;
        if (step.from && !from) throw new Error(`COPY --from=${step.from}: no such stage`);
        const dest = inRoot(step.dest);
        const intoDir = step.dest.endsWith("/") || step.sources.length > 1;
        for (const source of step.sources) {
          const src = from ? join(from.root, source) : join(context, source);
          if (!existsSync(src)) throw new Error(`COPY ${source}: not in the ${from ? `stage ${step.from}` : "build context"}`);
          if (statSync(src).isDirectory()) cpSync(src, dest, { recursive: true });
          else {
            const target = intoDir ? join(dest, basename(source)) : dest;
            mkdirSync(dirname(target), { recursive: true });
            cpSync(src, target);
          }
        }
        break;
      }
      case "RUN": {
        const [cmd, ...args] = argvOf(step.command);
        const run = spawnSync(cmd!, args, { cwd: inRoot(b.workdir), env: baseEnv(b.env), encoding: "utf8", timeout: 240_000 });
        b.log.push(`RUN ${args.join(" ")}\n${run.stdout}${run.stderr}`);
        if (run.status !== 0) throw new Error(`RUN ${JSON.stringify(step.command)} failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
        break;
      }
      case "USER":
        b.user = step.user;
        break;
      case "EXPOSE":
        break;
      case "HEALTHCHECK":
        b.healthcheck = { options: step.options, command: step.command };
        break;
      case "CMD":
        b.cmd = step.command;
        break;
    }
  }
  return b;
}

describe("the container image (Dockerfile), run step by step without Docker", () => {
  it("is Node 24 on Debian slim, builds lib/ and installs only the runtime dependencies, runs as a user that is not root; its CMD serves the App against GitHub and its HEALTHCHECK says so, and fails once the server stops", async () => {
    const stages = parseDockerfile(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
    const image = stages.at(-1)!;
    // What Docker alone can do, checked as written.
    for (const s of stages) expect(s.image).toMatch(/^node:24(\.\d+){0,2}-(bookworm|trixie)-slim(@sha256:[0-9a-f]{64})?$/);
    const users = image.steps.filter((s) => s.kind === "USER");
    expect(users.length).toBeGreaterThan(0);
    expect((users.at(-1) as { user: string }).user).not.toMatch(/^(root|0)(:|$)/);
    expect(image.steps.some((s) => s.kind === "RUN" && s.command.form === "shell" && /\bnpm ci\b.*--omit=dev/.test(s.command.script))).toBe(true);

    // Every step, run.
    const context = buildContext();
    const built = new Map<string, Built>();
    let final: Built | undefined;
    stages.forEach((stage, i) => {
      final = build(stage, i, context, built);
      built.set(stage.name ?? String(i), final);
    });
    const b = final!;
    const app = join(b.root, b.workdir);
    expect(existsSync(join(app, "lib/server.js"))).toBe(true);
    // the runtime dependencies only: no compiler, no test runner in the image
    expect(existsSync(join(app, "node_modules/probot"))).toBe(true);
    expect(existsSync(join(app, "node_modules/typescript"))).toBe(false);
    expect(existsSync(join(app, "node_modules/vitest"))).toBe(false);
    expect(b.cmd).toEqual({ form: "exec", argv: ["node", "lib/server.js"] });
    expect(b.healthcheck).toBeDefined();

    // GitHub: the twin on loopback, with the App installed on a repository.
    const clock = testClock();
    const twin = contractTwin({ now: clock, appPublicKey: testPublicKey(), checkResponses: false });
    twin.addRepo({ owner: OWNER, name: REPO, ownerType: "Organization", collaborators: { alice: "write" }, files: repoFiles() });
    const server = await startTwinServer(twin);
    const port = await freePort();
    // What a user sets (README, "As a container image"); NODE_OPTIONS only gives the process the test's clock (the twin's time).
    const env = baseEnv({
      ...b.env,
      APP_ID: "1",
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: SECRET,
      GHE_HOST: server.host,
      GHE_PROTOCOL: "http",
      PORT: String(port),
      LOG_LEVEL: "warn",
      NODE_OPTIONS: `--import ${pathToFileURL(join(ROOT, "test/e2e/support/test-clock.mjs")).href}?start=${clock.start}&origin=${clock.origin}`,
    });
    const [cmd, ...args] = argvOf(b.cmd!);
    const child = spawn(cmd!, args, { cwd: app, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const healthcheck = () => {
      const [hc, ...hcArgs] = argvOf(b.healthcheck!.command);
      return spawnSync(hc!, hcArgs, { cwd: app, env, encoding: "utf8", timeout: 10_000 }).status;
    };
    try {
      let health: { status?: string; busy?: boolean } | undefined;
      for (let i = 0; i < 200 && !health; i++) {
        if (child.exitCode !== null) throw new Error(`the image's CMD exited (${child.exitCode}):\n${output}`);
        health = await fetch(`http://127.0.0.1:${port}/mission-bot/health`).then(
          (r) => (r.ok ? (r.json() as Promise<{ status?: string }>) : undefined),
          () => undefined,
        );
        if (!health) await new Promise((r) => setTimeout(r, 100));
      }
      expect(health, output).toMatchObject({ status: "ok" });
      expect(healthcheck(), output).toBe(0);

      // and it is the App: a command is answered
      const sender = new WebhookSender({ twin, url: `http://127.0.0.1:${port}/api/github/webhooks`, secret: SECRET });
      const issue = twin.as("alice").createIssue({ title: "Help", body: "" }).number;
      twin.as("alice").comment(issue, "/mission help");
      const deliveries = await sender.pump();
      expect(deliveries.map((d) => d.status)).toEqual(deliveries.map(() => 200));
      for (let i = 0; i < 100 && ![...twin.comments.values()].some((c) => c.user.login === "mission-bot[bot]"); i++) await new Promise((r) => setTimeout(r, 100));
      expect([...twin.comments.values()].filter((c) => c.user.login === "mission-bot[bot]"), output).toHaveLength(1);
      sender.stop();
    } finally {
      child.kill("SIGTERM");
      await exited;
      await server.close();
    }
    expect(output).not.toMatch(/mission-bot: .*(refused|cannot)/);
    // the check can fail: nothing answers now
    expect(healthcheck()).not.toBe(0);
  }, 300_000);
});
