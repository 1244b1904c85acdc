#!/usr/bin/env bash
# The suite does not depend on the day it runs: run it again with the system
# clock moved years ahead (Debian's faketime). Tests tell time by their own
# clock (test/support/clock.ts); anything that still read the date would now
# disagree with it by five years. To keep CI within its ten minutes this run is
# the unit project (unit, integration, loop and twin tests: the app in process,
# the domain, the twin, the CLI, the sandbox) and leaves out the end-to-end
# project (the app in its own process, which gets the same injected clock) and
# the real-browser checks, which read no date.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v faketime >/dev/null; then
  echo "test:any-date needs faketime (Debian: apt-get install faketime)" >&2
  exit 1
fi
# The monotonic clock stays real: timers and the tests' own clock run on it.
export FAKETIME_DONT_FAKE_MONOTONIC=1
faketime -f '+5y' node -e 'const y = new Date().getUTCFullYear(); if (y < 2030) { console.error(`faketime did not move the clock (year ${y})`); process.exit(1); } console.log(`[test:any-date] the system clock says ${new Date().toISOString()}`)'
exec faketime -f '+5y' npx vitest run --project unit \
  --exclude test/integration/browser-checks.test.ts "$@"
