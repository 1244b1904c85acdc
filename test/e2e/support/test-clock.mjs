/**
 * Test seam, loaded with `node --import <this file>?start=<epoch ms>&origin=<hrtime ns>`
 * in front of the server (lib/server.js): the app process keeps the test's clock
 * (test/support/clock.ts) instead of the date. `Date.now()` and `new Date()`
 * answer `start` plus the monotonic time elapsed since `origin`, the
 * `process.hrtime.bigint()` reading the test took when its clock started
 * (the monotonic clock is shared by every process on the machine). Nothing
 * else changes: a date given explicitly (`new Date(ms)`, `Date.parse`) is
 * the same as ever.
 */
const params = new URL(import.meta.url).searchParams;
const start = Number(params.get("start"));
const origin = BigInt(params.get("origin") ?? "0");

if (Number.isFinite(start) && start > 0) {
  const RealDate = Date;
  const now = () => start + Number((process.hrtime.bigint() - origin) / 1_000_000n);
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
