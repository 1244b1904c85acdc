/**
 * The metering proxy as the background process the worker's steps start
 * and stop: the daemon's own entry, bundled as the Action's bundle would
 * run it, against a local stand-in for the model API.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run as proxyMode } from "../../src/action/proxy.js";
import { run as proxyStopMode } from "../../src/action/proxy-stop.js";
import { readMeteredUsage } from "../../src/mission/workers/metered-usage.js";
import { DEFAULT_PRICES } from "../../src/mission/model.js";
import { readProxyState, startProxy, stopProxy } from "../../src/proxy/daemon.js";
import { fakeActionContext } from "../support/action-context.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const KEY = "sk-ant-real-key-0123456789";
const scratch = mkdtempSync(join(tmpdir(), "mission-proxy-daemon-"));
const bundle = join(scratch, "proxy.mjs");
let api: http.Server;
let apiUrl: string;
const seenKeys: string[] = [];

beforeAll(async () => {
  // what dist/index.js does when started with PROXY_FLAG
  await build({
    stdin: {
      contents: 'import { PROXY_FLAG, serveProxy } from "./src/proxy/daemon.ts";\nif (process.argv[2] === PROXY_FLAG) serveProxy(process.argv[3]).catch((e) => { console.error(String(e)); process.exit(1); });\n',
      resolveDir: root,
      loader: "ts",
    },
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: bundle,
    logLevel: "silent",
    banner: { js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' },
  });
  api = http.createServer((req, res) => {
    seenKeys.push(String(req.headers["x-api-key"]));
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ type: "message", model: "claude-haiku-4-5", usage: { input_tokens: 1000, output_tokens: 1000 } }));
    });
  });
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  api.closeAllConnections();
  await new Promise((r) => api.close(r));
  rmSync(scratch, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("the metering proxy's process", () => {
  it("starts in the background, meters requests with the real key, and leaves its record when stopped", async () => {
    const dir = join(scratch, "run-1");
    const record = join(scratch, "run-1-worker", "usage.json");
    const state = await startProxy({
      dir,
      command: [process.execPath, bundle],
      apiKey: KEY,
      env: { PATH: process.env.PATH, RUNNER_TRACKING_ID: "github_1234", SOMETHING_ELSE: "not passed on" },
      settings: { host: "127.0.0.1", upstream: apiUrl, cap_usd: 5, prices: DEFAULT_PRICES, egress: ["registry.npmjs.org"], record_path: record },
    });
    expect(state.pid).not.toBe(process.pid);
    expect(alive(state.pid)).toBe(true);
    expect(readProxyState(dir)).toEqual(state);

    const answer = await fetch(`http://127.0.0.1:${state.model_port}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": state.token, "content-type": "application/json" },
      body: JSON.stringify({ model: "claude-haiku-4-5", max_tokens: 10, messages: [] }),
    });
    expect(answer.status).toBe(200);
    await answer.text();
    expect(seenKeys.at(-1)).toBe(KEY);

    const stopped = await stopProxy(dir);
    expect(alive(state.pid)).toBe(false);
    expect(stopped.record).toMatchObject({ ok: true, usage: { requests: 1, tokens_in: 1000, tokens_out: 1000, cost_usd: 0.006, cap_usd: 5 } });

    // the key is in no file; the files the proxy keeps are its owner's alone
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      expect(readFileSync(path, "utf8"), name).not.toContain(KEY);
      expect(statSync(path).mode & 0o077, name).toBe(0);
    }
    expect(statSync(dir).mode & 0o077).toBe(0);
    expect(statSync(record).mode & 0o077).toBe(0);
  });

  it("says why when the proxy cannot start", async () => {
    const dir = join(scratch, "run-2");
    await expect(
      startProxy({
        dir,
        command: [process.execPath, bundle],
        apiKey: "",
        settings: { host: "127.0.0.1", upstream: apiUrl, prices: DEFAULT_PRICES, egress: [], record_path: join(dir, "usage.json") },
      }),
    ).rejects.toThrow(/the metering proxy stopped at once \(exit 1\): .*MISSION_PROXY_API_KEY is not set/);
  });

  it("leaves no record when it never started, and stopping it says so", async () => {
    expect((await stopProxy(join(scratch, "never"))).record).toEqual({ ok: false, problem: "the metering proxy never started (no state file)" });
  });
});

describe("modes proxy and proxy-stop", () => {
  it("proxy refuses to start without the model key, before asking GitHub anything", async () => {
    const { ctx } = fakeActionContext({ "max-cost-usd": "2.50" }, { RUNNER_TEMP: scratch });
    await expect(proxyMode(ctx)).rejects.toThrow("ANTHROPIC_API_KEY is not set in this step's environment");
  });

  it("proxy refuses a cap that is not an amount", async () => {
    const { ctx } = fakeActionContext({ "max-cost-usd": "lots" }, { RUNNER_TEMP: scratch, ANTHROPIC_API_KEY: KEY });
    await expect(proxyMode(ctx)).rejects.toThrow('max-cost-usd is not an amount in US dollars: "lots"');
  });

  it("proxy-stop records that nothing was spent when the proxy never started (the agent never ran)", async () => {
    const temp = join(scratch, "never-started");
    const { ctx, outputs, logs } = fakeActionContext({}, { RUNNER_TEMP: temp });
    await proxyStopMode(ctx);
    expect(outputs).toEqual({ "cost-usd": "0", "cap-reached": "false" });
    expect(logs).toContain("the metering proxy never started, so the agent did not run: nothing was spent");
    expect(readMeteredUsage(readFileSync(join(temp, "mission-worker", "usage.json"), "utf8"))).toMatchObject({ ok: true, usage: { requests: 0, cost_usd: 0 } });
  });

  it("proxy-stop leaves no record, and says the run will be booked at its cap, when a started proxy left none", async () => {
    const temp = join(scratch, "lost-record");
    mkdirSync(join(temp, "mission-proxy"), { recursive: true });
    writeFileSync(
      join(temp, "mission-proxy", "state.json"),
      JSON.stringify({ pid: 2 ** 22 + 7, host: "127.0.0.1", model_port: 1, egress_port: 2, token: "t".repeat(43), record_path: join(temp, "gone.json") }),
    );
    const { ctx, outputs, logs } = fakeActionContext({}, { RUNNER_TEMP: temp });
    await proxyStopMode(ctx);
    expect(outputs).toEqual({ "cost-usd": "", "cap-reached": "false" });
    expect(logs).toContain("warning: no usage record: the metering proxy left no usage record; the run is booked at its cost cap or forecast");
    expect(existsSync(join(temp, "gone.json"))).toBe(false);
  });
});

describe("the Action's bundle", () => {
  it("starts the proxy when given the flag (dist/index.js is the same entry)", () => {
    const entry = readFileSync(join(root, "src", "action-entry.ts"), "utf8");
    expect(entry).toMatch(/process\.argv\[2\] === PROXY_FLAG/);
    const r = spawnSync(process.execPath, [bundle, "--mission-bot-proxy", join(scratch, "missing.json")], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("ENOENT");
  });
});
