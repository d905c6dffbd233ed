#!/usr/bin/env bash
# Run every ctest of BUILD, then the "fuzz"-labelled tests of FUZZ_BUILD (a
# clang -DHUP_FUZZ=ON build) if given, and end with one line
# "N passed, N failed" over both.  Exit status is non-zero if anything failed.
#
# usage: run-tests.sh BUILD [FUZZ_BUILD]   (extra ctest arguments: CTEST_ARGS)
set -uo pipefail
build=${1:-build}
fuzz_build=${2:-}
passed=0
failed=0
status=0

run() {
	local dir=$1
	shift
	local log rc summary f t
	log=$(mktemp)
	# Unit tests run in parallel; e2e tests are RUN_SERIAL (both cores).
	# shellcheck disable=SC2086
	ctest --test-dir "$dir" --output-on-failure -j "$(nproc)" ${CTEST_ARGS:-} "$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	summary=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
	rm -f "$log"
	if [ -z "$summary" ]; then
		echo "run-tests: ctest in $dir produced no summary (exit status $rc)"
		failed=$((failed + 1))
		status=1
		return
	fi
	f=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$summary")
	t=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$summary")
	passed=$((passed + t - f))
	failed=$((failed + f))
	[ "$rc" -eq 0 ] || status=1
}

run "$build"
[ -n "$fuzz_build" ] && run "$fuzz_build" -L fuzz
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
