/**
 * Test seam, loaded with `node --import <this file>?start=<epoch ms>&origin=<hrtime ns>&offset=<file>`
 * in front of the server (lib/server.js): the app process keeps the test's
 * clock (test/support/clock.ts) instead of the date. `Date.now()` and
 * `new Date()` answer `start` plus the monotonic time elapsed since
 * `origin` — the `process.hrtime.bigint()` reading the test took when its
 * clock started (the monotonic clock is shared by every process on the
 * machine) — plus the milliseconds written in the `offset` file, which the
 * test moves forward when it lets time pass (the twin's `advance`). Nothing
 * else changes: a date given explicitly (`new Date(ms)`, `Date.parse`) is
 * the same as ever.
 */
import { readFileSync } from "node:fs";

const params = new URL(import.meta.url).searchParams;
const start = Number(params.get("start"));
const origin = BigInt(params.get("origin") ?? "0");
const offsetFile = params.get("offset");

if (Number.isFinite(start) && start > 0) {
  const RealDate = Date;
  let offset = 0;
  let readAt = -Infinity;
  const elapsed = () => Number((process.hrtime.bigint() - origin) / 1_000_000n);
  const now = () => {
    const e = elapsed();
    if (offsetFile && e - readAt >= 50) {
      readAt = e;
      try {
        offset = Number(readFileSync(offsetFile, "utf8")) || 0;
      } catch {
        // not written yet: no time has been skipped
      }
    }
    return start + e + offset;
  };
  function TestDate(...args) {
    if (!new.target) return new RealDate(now()).toString();
    return Reflect.construct(RealDate, args.length ? args : [now()], new.target);
  }
  TestDate.prototype = RealDate.prototype;
  TestDate.now = now;
  TestDate.parse = RealDate.parse;
  TestDate.UTC = RealDate.UTC;
  globalThis.Date = TestDate;
}
