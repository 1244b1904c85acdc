#!/usr/bin/env bash
# The suite does not depend on the day it runs: run it again with the system
# clock moved years ahead (Debian's faketime). Tests tell time by their own
# clock (test/support/clock.ts); anything that still read the date would now
# disagree with it by five years. The heaviest end-to-end files are left out to
# keep CI short: faults, replicas, Actions only and the container image play the
# same app code as the end-to-end mission (test/e2e/mission.test.ts), which stays.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v faketime >/dev/null; then
  echo "test:any-date needs faketime (Debian: apt-get install faketime)" >&2
  exit 1
fi
# The monotonic clock stays real: timers and the tests' own clock run on it.
export FAKETIME_DONT_FAKE_MONOTONIC=1
faketime -f '+5y' node -e 'const y = new Date().getUTCFullYear(); if (y < 2030) { console.error(`faketime did not move the clock (year ${y})`); process.exit(1); } console.log(`[test:any-date] the system clock says ${new Date().toISOString()}`)'
exec faketime -f '+5y' npx vitest run \
  --exclude test/e2e/faults.test.ts --exclude test/e2e/replicas.test.ts \
  --exclude test/e2e/actions-only.test.ts --exclude test/e2e/deploy.test.ts "$@"
