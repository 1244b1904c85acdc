/**
 * A port for a process a test starts (the app, Redis), which listens on it
 * only seconds later. A port the kernel handed out (`listen(0)`) and let go
 * may be handed to another test's server in those seconds — test files run
 * in parallel, and every twin listens on `listen(0)` — and the app then
 * finds it taken, or asks another test's twin for `/ping`. So the port is
 * chosen below the kernel's ephemeral range (Linux: 32768–60999,
 * /proc/sys/net/ipv4/ip_local_port_range), which `listen(0)` never uses, in
 * a band of its own per vitest worker, and checked free by binding it.
 */
import { createServer } from "node:net";

const LOW = 20_000;
const BAND = 1_000;

let next = 0;

export async function freePort(): Promise<number> {
  const worker = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 0) % 12;
  const start = LOW + worker * BAND;
  for (let tries = 0; tries < BAND; tries++) {
    // this worker's band, from a random place, then on: two calls in one worker never get one port
    if (next === 0) next = Math.floor(Math.random() * BAND);
    const port = start + (next++ % BAND);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${start}–${start + BAND - 1}`);
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}
