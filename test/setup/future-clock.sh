#!/usr/bin/env bash
# `npm run test:future [-- <days>]`: the unit, contract and e2e tests with the wall clock moved forward (default 400
# days) by libfaketime, to find tests that hold only until a date written in a fixture passes (a fixture's
# effectiveFrom that becomes backdated, a review date that falls in the past, a token that expires). Not part of
# `npm test`: it is run by hand before a release and after adding dated fixtures.
#
# What it cannot judge, and so leaves out: the tests whose peer keeps the real clock while Accord runs on the moved
# one: the real-Prometheus tests (a Go binary reads the clock without libc, so its samples carry the real time), the
# console's Chromium tests (Chromium does not start under libfaketime) and docs/walkthrough.sh (started with a clean
# environment). DynamoDB Local is kept on the real clock (a JVM under libfaketime spins), which none of its tests
# depend on. See the README's "The suite on another day".
# Monotonic clocks are left alone (FAKETIME_DONT_FAKE_MONOTONIC), so timers and timeouts behave.
# Needs Debian's faketime package (installed when missing, as root).
set -euo pipefail
days="${1:-400}"
if ! command -v faketime >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "npm run test:future needs Debian's faketime: sudo apt-get install -y faketime" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null; }
fi
echo "tests with the clock at $(FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "+${days}d" date -u +%F) (+${days} days)"
export FAKETIME_SKIP_CMDS=java FAKETIME_DONT_FAKE_MONOTONIC=1
exec faketime -f "+${days}d" npx vitest run --project unit --project contract --project e2e \
  --exclude 'test/e2e/console/**' --exclude 'test/e2e/prometheus-*.test.ts' --exclude 'test/e2e/walkthrough.test.ts' \
  --exclude '**/node_modules/**'
