/**
 * `mission-bot dashboard --repo owner/name`: the web dashboard of one
 * repository, served on this machine only (127.0.0.1), read with a token
 * (GITHUB_TOKEN or --token). No sign-in: whoever can reach the loopback
 * address is the token's owner, so the server never listens elsewhere.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import type { CliCommand, CliIo } from "../cli.js";
import { MissionOctokit } from "../github/octokit.js";
import type { Octokit } from "../github/client.js";
import { createDashboard, DASHBOARD_BASE } from "../web/dashboard.js";

const USAGE = `Usage: mission-bot dashboard --repo owner/name [--port 3100] [--token TOKEN]

Serves the web dashboard of one repository's missions at
http://127.0.0.1:<port>/dashboard/ (this machine only; no sign-in), read
with GITHUB_TOKEN (or --token). GITHUB_API_URL and GITHUB_SERVER_URL point
it at an Enterprise Server. Ctrl-C stops it.
`;

export const dashboardCommand: CliCommand = {
  summary: "serve the web dashboard of one repository on 127.0.0.1",
  usage: USAGE,
  run,
};

async function run(args: string[], io: CliIo): Promise<number> {
  let values: { repo?: string; port?: string; token?: string; help?: boolean };
  try {
    values = parseArgs({
      args,
      options: { repo: { type: "string" }, port: { type: "string" }, token: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
    }).values;
  } catch (error) {
    io.stderr(`mission-bot dashboard: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  const env = io.env ?? process.env;
  const repo = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(values.repo ?? "");
  if (!repo) {
    io.stderr(`mission-bot dashboard: --repo owner/name is required.\n\n${USAGE}`);
    return 2;
  }
  const port = values.port === undefined ? 3100 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr(`mission-bot dashboard: --port must be a port number (got ${JSON.stringify(values.port)}).\n`);
    return 2;
  }
  const token = values.token ?? env.GITHUB_TOKEN;
  if (!token) {
    io.stderr("mission-bot dashboard: set GITHUB_TOKEN (or --token) to a token that can read the repository.\n");
    return 1;
  }
  const served = await serveLocalDashboard({
    repo: { owner: repo[1]!, repo: repo[2]! },
    token,
    port,
    apiUrl: (env.GITHUB_API_URL || "https://api.github.com").replace(/\/+$/, ""),
    serverUrl: (env.GITHUB_SERVER_URL || "https://github.com").replace(/\/+$/, ""),
    log: (line) => io.stderr(`${line}\n`),
  });
  io.stdout(`mission-bot dashboard: ${served.url} (${repo[1]}/${repo[2]}; this machine only, no sign-in). Ctrl-C stops it.\n`);
  await new Promise<void>((resolve) => {
    const stop = () => void served.close().then(resolve);
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}

export interface LocalDashboard {
  /** http://127.0.0.1:<port>/dashboard/ */
  url: string;
  close(): Promise<void>;
}

/** The dashboard of one repository, read with `token`, on 127.0.0.1 only. */
export async function serveLocalDashboard(o: { repo: { owner: string; repo: string }; token: string; port: number; apiUrl: string; serverUrl: string; log?: (line: string) => void }): Promise<LocalDashboard> {
  const octokit = new MissionOctokit({ auth: { token: o.token }, baseUrl: o.apiUrl, log: { debug() {}, info() {}, warn() {}, error() {} } }) as Octokit;
  const dashboard = createDashboard({
    serverUrl: o.serverUrl,
    apiUrl: o.apiUrl,
    repositories: async () => [{ octokit, repo: o.repo }],
    ...(o.log ? { log: o.log } : {}),
  });
  const server = createServer((req, res) => {
    void dashboard.handle(req, res).then((answered) => {
      if (!answered) res.writeHead(302, { location: `${DASHBOARD_BASE}/` }).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, LOOPBACK, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${LOOPBACK}:${port}${DASHBOARD_BASE}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** the only address the local dashboard listens on: it has no sign-in */
const LOOPBACK = "127.0.0.1";
