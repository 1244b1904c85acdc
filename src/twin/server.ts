/**
 * The twin over real HTTP on loopback, for a client that must be talked to
 * only over the network (the app started as a user starts it).
 *
 *   const server = await startTwinServer(twin);      // http://127.0.0.1:<port>
 *   // Probot: GHE_HOST=127.0.0.1:<port> GHE_PROTOCOL=http → Octokit calls <url>/api/v3
 *   new Octokit({ baseUrl: server.apiUrl });
 *   …
 *   await server.close();
 *
 * Paths are served both bare (`/repos/…`, as api.github.com) and under the
 * GitHub Enterprise prefix (`/api/v3/repos/…`); `Link` headers point back at
 * the prefix the request used. `/graphql` and `/api/graphql` answer 404 and
 * record a contract failure (mission-bot uses REST only).
 *
 * Latency: `latencyMs` (a number, or a function of the request) delays every
 * answer, before the twin handles the request; the request is in flight from
 * its arrival (`twin.admit`), so requests overlap as they do on GitHub, and
 * `twin.hold(…)` holds one until released. A `hang` fault
 * (`twin.fault({ kind: "hang", route })`) never answers: the socket stays
 * open until the client gives up or the server closes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { GitHubTwin } from "./state.js";

export interface TwinServerOptions {
  /** default 0: any free port */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** delay before each answer (ms) */
  latencyMs?: number | ((req: { method: string; path: string }) => number);
  /** write the server's URLs into the resources the twin serialises (`url`, `html_url` …) instead of api.github.com */
  serverUrls?: boolean;
}

export interface TwinServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** http://127.0.0.1:<port>/api/v3 (what Octokit uses with GHE_HOST) */
  apiUrl: string;
  /** host:port, for GHE_HOST */
  host: string;
  port: number;
  /** requests currently held by a `hang` fault */
  readonly hanging: number;
  /** exceptions thrown by the twin while answering (each answered 500) */
  readonly errors: Error[];
  close(): Promise<void>;
}

const GHE_PREFIX = "/api/v3";

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export async function startTwinServer(twin: GitHubTwin, options: TwinServerOptions = {}): Promise<TwinServer> {
  const host = options.host ?? "127.0.0.1";
  const sockets = new Set<Socket>();
  const errors: Error[] = [];
  let hanging = 0;
  let origin = "";

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void answer(req, res).catch((e: unknown) => {
      errors.push(e as Error);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify({ message: `twin server error: ${(e as Error).message}` }));
    });
  });

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const raw = req.url ?? "/";
    const body = await readBody(req);
    let path = raw;
    let prefix = "";
    if (raw === GHE_PREFIX || raw.startsWith(`${GHE_PREFIX}/`) || raw.startsWith(`${GHE_PREFIX}?`)) {
      prefix = GHE_PREFIX;
      path = raw.slice(GHE_PREFIX.length) || "/";
    } else if (raw === "/api/graphql" || raw.startsWith("/api/graphql?")) {
      path = raw.slice("/api".length);
    }
    const headers: Record<string, string | string[] | undefined> = { ...req.headers };
    const request = {
      method,
      path,
      headers,
      body: body.length ? body.toString("utf8") : undefined,
      baseUrl: `${origin}${prefix}`,
      ...(req.socket.remoteAddress && req.socket.remotePort ? { remote: { address: req.socket.remoteAddress, port: req.socket.remotePort } } : {}),
    };
    // in flight from its arrival: requests that overlap are concurrent (GitHub's limit of 100, sub-issue races)
    const { ticket, ready } = twin.admit(request);
    const latency = typeof options.latencyMs === "function" ? options.latencyMs({ method, path }) : (options.latencyMs ?? 0);
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    if (ready) await ready;
    const out = twin.handle(request, ticket);
    if (out.hang) {
      hanging++;
      res.on("close", () => hanging--);
      return; // no answer, ever
    }
    const text = out.body === undefined ? "" : JSON.stringify(out.body);
    const h: Record<string, string> = { ...out.headers };
    if (text) h["content-length"] = String(Buffer.byteLength(text));
    // GitHub's Date header tells GitHub's time (the twin's clock, not the machine's)
    h.date ??= new Date(twin.now()).toUTCString();
    res.writeHead(out.status, h);
    res.end(method === "HEAD" ? undefined : text);
  }

  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostPort = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  origin = `http://${hostPort}`;
  if (options.serverUrls) twin.urls = { api: `${origin}${GHE_PREFIX}`, web: origin };

  return {
    url: origin,
    apiUrl: `${origin}${GHE_PREFIX}`,
    host: hostPort,
    port,
    get hanging() {
      return hanging;
    },
    errors,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
