#!/usr/bin/env bash
# The suite does not depend on the day it runs: run it again with the system
# clock moved years ahead (Debian's faketime). Tests tell time by their own
# clock (test/support/clock.ts); anything that still read the date would now
# disagree with it by five years. To keep CI within its ten minutes this run is
# the unit and loop tests (the domain, where ids, deadlines, burn rates and
# forecasts are computed from time; the CLI; the queue and the pulse's
# schedule). The integration, twin and end-to-end tests drive the same code
# with the same injected clock, and run once, in npm test.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v faketime >/dev/null; then
  echo "test:any-date needs faketime (Debian: apt-get install faketime)" >&2
  exit 1
fi
# The monotonic clock stays real: timers and the tests' own clock run on it.
export FAKETIME_DONT_FAKE_MONOTONIC=1
faketime -f '+5y' node -e 'const y = new Date().getUTCFullYear(); if (y < 2030) { console.error(`faketime did not move the clock (year ${y})`); process.exit(1); } console.log(`[test:any-date] the system clock says ${new Date().toISOString()}`)'
exec faketime -f '+5y' npx vitest run --project unit test/unit test/loop "$@"
