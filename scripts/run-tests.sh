#!/usr/bin/env bash
# Run ctest in BUILD (extra arguments go to ctest) and end with one line
# "N passed, N failed".  Exit status is non-zero if any test failed.
set -uo pipefail
build=${1:-build}
shift || true
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Unit tests run in parallel; e2e tests are RUN_SERIAL (they use both cores).
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
summary=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
if [ -z "$summary" ]; then
	echo "0 passed, 1 failed (ctest produced no summary; exit status $rc)"
	exit 1
fi
failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$summary")
total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$summary")
echo "$((total - failed)) passed, $failed failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
