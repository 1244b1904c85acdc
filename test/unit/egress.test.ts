/**
 * The agent's egress proxy: HTTPS tunnels to allow-listed hosts only, with
 * the run's token, never to internal addresses. A local TCP echo server
 * stands in for a package registry.
 */
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_PRICES } from "../../src/mission/model.js";
import { createEgressProxy, hostAllowed, isInternalAddress } from "../../src/proxy/egress.js";
import { Meter } from "../../src/proxy/meter.js";

const TOKEN = "run-token-0123456789abcdefghijklmnopqrstuv";
const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function echoServer(): Promise<number> {
  const server = net.createServer((socket) => socket.pipe(socket));
  closers.push(() => server.close());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
}

async function egress(options: { allowInternal?: boolean; port: number; resolveTo?: string }) {
  const meter = new Meter({ prices: DEFAULT_PRICES });
  const server = createEgressProxy({
    token: TOKEN,
    allow: ["registry.test", "*.pythonhosted.test"],
    meter,
    resolve: async () => [options.resolveTo ?? "127.0.0.1"],
    ports: [options.port],
    ...(options.allowInternal ? { allowInternalAddresses: true } : {}),
  });
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as AddressInfo).port, meter };
}

function basic(password: string): string {
  return `Basic ${Buffer.from(`mission:${password}`).toString("base64")}`;
}

/** CONNECT through the proxy; on 200, send a line through the tunnel and return what comes back. */
function connect(proxyPort: number, authority: string, auth?: string): Promise<{ status: number; body: string; echoed?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: proxyPort, method: "CONNECT", path: authority, headers: auth ? { "proxy-authorization": auth } : {} });
    req.on("connect", (res, socket, head: Buffer) => {
      if (res.statusCode !== 200) {
        let body = head.toString();
        socket.on("data", (c: Buffer) => (body += c.toString()));
        socket.on("end", () => resolve({ status: res.statusCode!, body }));
        socket.on("close", () => resolve({ status: res.statusCode!, body }));
        return;
      }
      socket.write("hello registry\n");
      socket.once("data", (c: Buffer) => {
        socket.destroy();
        resolve({ status: 200, body: "", echoed: c.toString() });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the egress proxy", () => {
  it("tunnels to an allowed host with the run's token", async () => {
    const registry = await echoServer();
    const proxy = await egress({ port: registry, allowInternal: true });
    const r = await connect(proxy.port, `registry.test:${registry}`, basic(TOKEN));
    expect(r).toEqual({ status: 200, body: "", echoed: "hello registry\n" });
    expect(proxy.meter.record().egress_refused).toEqual([]);
  });

  it("tunnels to a subdomain of a *. pattern", async () => {
    const registry = await echoServer();
    const proxy = await egress({ port: registry, allowInternal: true });
    expect((await connect(proxy.port, `files.pythonhosted.test:${registry}`, basic(TOKEN))).status).toBe(200);
  });

  it("refuses a host that is not on the allow-list, and the usage record names it", async () => {
    const registry = await echoServer();
    const proxy = await egress({ port: registry, allowInternal: true });
    const r = await connect(proxy.port, `attacker.example:${registry}`, basic(TOKEN));
    expect(r.status).toBe(403);
    expect(r.body).toContain("attacker.example is not on the allow-list (worker.egress in .github/mission.yml)");
    expect(proxy.meter.record().egress_refused).toEqual(["attacker.example"]);
  });

  it.each([
    ["no token", undefined],
    ["a wrong token", basic("guess")],
  ])("asks for the token when the request has %s", async (_, auth) => {
    const registry = await echoServer();
    const proxy = await egress({ port: registry, allowInternal: true });
    const r = await connect(proxy.port, `registry.test:${registry}`, auth);
    expect(r.status).toBe(407);
  });

  it("refuses a port other than the allowed ones", async () => {
    const registry = await echoServer();
    const proxy = await egress({ port: registry, allowInternal: true });
    const r = await connect(proxy.port, "registry.test:22", basic(TOKEN));
    expect(r.status).toBe(403);
    expect(r.body).toContain(`only port ${registry} is allowed`);
  });

  it.each(["127.0.0.1", "169.254.169.254", "10.1.2.3", "::1", "::ffff:192.168.0.1"])(
    "refuses an allowed name that resolves to the internal address %s",
    async (address) => {
      const registry = await echoServer();
      const proxy = await egress({ port: registry, resolveTo: address });
      const r = await connect(proxy.port, `registry.test:${registry}`, basic(TOKEN));
      expect(r.status).toBe(403);
      expect(r.body).toContain("registry.test resolves to an internal address");
    },
  );

  it("refuses plain-HTTP proxying", async () => {
    const proxy = await egress({ port: 443 });
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port: proxy.port, path: "http://registry.test/pkg", headers: { "proxy-authorization": basic(TOKEN) } }, resolve);
      req.on("error", reject);
      req.end();
    });
    res.resume();
    expect(res.statusCode).toBe(403);
  });
});

describe("allow-list patterns", () => {
  it("match a host exactly, or the subdomains of a *. pattern", () => {
    const allow = ["registry.npmjs.org", "*.example.com"];
    expect(hostAllowed("registry.npmjs.org", allow)).toBe(true);
    expect(hostAllowed("REGISTRY.npmjs.org.", allow)).toBe(true);
    expect(hostAllowed("a.b.example.com", allow)).toBe(true);
    expect(hostAllowed("example.com", allow)).toBe(false);
    expect(hostAllowed("evil-example.com", allow)).toBe(false);
    expect(hostAllowed("registry.npmjs.org.evil.test", allow)).toBe(false);
  });

  it("know internal addresses from public ones", () => {
    expect(isInternalAddress("104.16.1.34")).toBe(false);
    expect(isInternalAddress("2606:4700::6810:122")).toBe(false);
    expect(isInternalAddress("172.17.0.1")).toBe(true);
    expect(isInternalAddress("not an address")).toBe(true);
  });
});
