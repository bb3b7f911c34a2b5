#!/usr/bin/env bash
# `npm test`: the type check and the linter run beside the test run instead of before it (they take minutes of one
# core on the gate's 2-core machine, while most test files wait on peers: DynamoDB Local, Chromium, Prometheus, child
# servers). Every part runs to its end; the gate fails if any part fails, each failing part's output printed last.
# Arguments go to vitest (e.g. `npm test -- --project unit`).
set -uo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Runs `npm run <part>` in the background, its output and duration (seconds) kept in $out.
part() {
  local start=$SECONDS
  npm run --silent "$1" >"$out/$1" 2>&1
  local rc=$?
  echo $((SECONDS - start)) >"$out/$1.seconds"
  return $rc
}
part typecheck &
typecheck=$!
part lint &
lint=$!
start=$SECONDS
npx vitest run "$@"
status=$?
echo "npm test: vitest $([ "$status" -eq 0 ] && echo passed || echo "failed (exit $status)") in $((SECONDS - start)) s"
failed=0
for name in typecheck lint; do
  wait "${!name}"
  rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "npm test: $name failed (exit $rc) in $(cat "$out/$name.seconds") s:" >&2
    cat "$out/$name" >&2
    failed=1
  else
    echo "npm test: $name passed in $(cat "$out/$name.seconds") s"
  fi
done
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
