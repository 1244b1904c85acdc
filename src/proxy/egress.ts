/**
 * The egress side of the metering proxy: the agent's only way to the
 * internet besides the model API. An HTTP proxy that opens HTTPS tunnels
 * (CONNECT host:443) to the hosts of an allow-list (`worker.egress` in
 * .github/mission.yml) and nothing else:
 *
 * - only CONNECT to port 443; plain-HTTP proxying is refused;
 * - only with the run's token as the proxy password (HTTPS_PROXY =
 *   http://mission:<token>@<proxy>), so nothing else on the runner's
 *   network can use it;
 * - only to a host on the list, by name (`registry.npmjs.org`, or
 *   `*.example.com` for the subdomains of example.com); an address given as
 *   an IP is refused unless listed as one;
 * - never to a private, loopback, link-local or otherwise internal address,
 *   whatever name resolves to it (the runner's own services, cloud metadata
 *   endpoints); the tunnel goes to the address that was checked, so a name
 *   cannot resolve differently in between.
 *
 * The tunnel carries TLS end to end: the proxy sees host names, never
 * contents. A host on the list can therefore receive whatever the agent
 * sends it (see docs/worker-security.md).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { lookup } from "node:dns/promises";
import http from "node:http";
import net, { BlockList, isIP } from "node:net";
import type { Duplex } from "node:stream";
import type { Meter } from "./meter.js";

export interface EgressOptions {
  token: string;
  /** host names or `*.domain` patterns */
  allow: readonly string[];
  meter?: Meter;
  onChange?: () => void;
  /** how names are resolved; tests stand in their own */
  resolve?: (host: string) => Promise<string[]>;
  /** ports a tunnel may go to; default 443 */
  ports?: readonly number[];
  /** tests only: let the tunnel reach loopback (a local stand-in for a registry) */
  allowInternalAddresses?: boolean;
}

/** Addresses a tunnel never goes to. */
const INTERNAL = new BlockList();
for (const [net4, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  INTERNAL.addSubnet(net4, prefix, "ipv4");
}
for (const [net6, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["64:ff9b::", 96],
] as const) {
  INTERNAL.addSubnet(net6, prefix, "ipv6");
}

export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return INTERNAL.check(mapped, "ipv4");
  const family = isIP(address);
  if (family === 0) return true;
  return INTERNAL.check(address, family === 4 ? "ipv4" : "ipv6");
}

/** `registry.npmjs.org` matches itself; `*.example.com` matches `a.example.com`, not `example.com`. */
export function hostAllowed(host: string, allow: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  return allow.some((pattern) => {
    const p = pattern.toLowerCase();
    return p.startsWith("*.") ? name.endsWith(p.slice(1)) && name.length > p.length - 1 : name === p;
  });
}

/** `host:port` of a CONNECT request (IPv6 in brackets). */
function target(authority: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]{1,253})):(\d{1,5})$/.exec(authority);
  if (!m) return undefined;
  return { host: (m[1] ?? m[2]!).toLowerCase(), port: Number(m[3]) };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

function tokenOf(header: string | undefined): string | undefined {
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? "")?.[1];
  if (!basic) return undefined;
  const decoded = Buffer.from(basic, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

function refuse(socket: Duplex, status: string, text: string, extra = ""): void {
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\n${extra}\r\nmission-bot egress: ${text}\n`);
}

async function defaultResolve(host: string): Promise<string[]> {
  return (await lookup(host, { all: true })).map((a) => a.address);
}

export function createEgressProxy(o: EgressOptions): http.Server {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(403, { "content-type": "text/plain", connection: "close" });
    res.end("mission-bot egress: only HTTPS tunnels (CONNECT host:443) to allowed hosts go through this proxy\n");
  });
  const refused = (host: string) => {
    o.meter?.egressRefusedHost(host);
    o.onChange?.();
  };

  server.on("connect", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const given = tokenOf(req.headers["proxy-authorization"]);
    if (given === undefined || !timingSafeEqual(digest(given), digest(o.token))) {
      refuse(socket, "407 Proxy Authentication Required", "this proxy takes only the worker run's token", 'Proxy-Authenticate: Basic realm="mission-bot"\r\n');
      return;
    }
    const to = target(req.url ?? "");
    const ports = o.ports ?? [443];
    if (!to || !ports.includes(to.port)) {
      refuse(socket, "403 Forbidden", `only port ${ports.join(", ")} is allowed, not ${JSON.stringify((req.url ?? "").slice(0, 100))}`);
      return;
    }
    if (!hostAllowed(to.host, o.allow)) {
      refused(to.host);
      refuse(socket, "403 Forbidden", `${to.host} is not on the allow-list (worker.egress in .github/mission.yml)`);
      return;
    }
    void (async () => {
      let addresses: string[];
      try {
        addresses = isIP(to.host) ? [to.host] : await (o.resolve ?? defaultResolve)(to.host);
      } catch {
        refuse(socket, "502 Bad Gateway", `${to.host} does not resolve`);
        return;
      }
      const address = addresses.find((a) => o.allowInternalAddresses || !isInternalAddress(a));
      if (!address) {
        refused(to.host);
        refuse(socket, "403 Forbidden", `${to.host} resolves to an internal address`);
        return;
      }
      const tunnel = net.connect({ host: address, port: to.port });
      let connected = false;
      tunnel.on("connect", () => {
        connected = true;
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        if (head.length) tunnel.write(head);
        tunnel.pipe(socket);
        socket.pipe(tunnel);
      });
      tunnel.on("error", () => {
        if (!connected) refuse(socket, "502 Bad Gateway", `could not connect to ${to.host}`);
        else socket.destroy();
      });
      socket.on("close", () => tunnel.destroy());
      tunnel.on("close", () => socket.destroy());
    })();
  });
  return server;
}
