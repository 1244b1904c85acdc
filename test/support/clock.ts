/**
 * The clock every test runs on. Tests never read the wall clock: the twin
 * (and the app, where a test starts it) tell time from a fixed epoch plus
 * the time elapsed since the clock was made, measured on the monotonic clock
 * (which every process on the machine shares, so an app process started by
 * a test can keep the same time: test/e2e/support/test-clock.mjs).
 * A mission started in a test is therefore always dated 2026-11-24, whatever
 * day the suite runs on; `.ci/run` proves it by running the suite again with
 * the system clock moved years ahead (faketime).
 */

/** 2026-11-24 09:00 UTC: every test's "now" starts here. */
export const TEST_EPOCH = Date.parse("2026-11-24T09:00:00Z");

/** The date part of mission ids made on the test clock's first day (yyyymmdd, from TEST_EPOCH). */
export const TEST_DAY = new Date(TEST_EPOCH).toISOString().slice(0, 10).replaceAll("-", "");

/** The id of a mission started on the test clock's first day: `m-<day>-<slug>-<tracking issue>`. */
export function testMissionId(slug: string, trackingIssue: number): string {
  return `m-${TEST_DAY}-${slug}-${trackingIssue}`;
}

export interface TestClock {
  (): number;
  /** the epoch ms the clock started at */
  readonly start: number;
  /** process.hrtime.bigint() when it started: another process adds its own elapsed monotonic time to `start` */
  readonly origin: bigint;
}

/** A clock that starts at `start` and runs at real speed on the monotonic clock, never reading the date. */
export function testClock(start = TEST_EPOCH): TestClock {
  const origin = process.hrtime.bigint();
  const now = () => start + Number((process.hrtime.bigint() - origin) / 1_000_000n);
  return Object.assign(now, { start, origin });
}
