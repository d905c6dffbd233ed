#!/usr/bin/env bash
# Run the tests of a build and of the build matrix; end with one line
# "N passed, N failed" over all of them (", N skipped" when some were
# skipped, ", N retried" when the nested harness re-ran something after a
# hang; each entry's line names them).  Under a failing entry's line:
# each failed test and why (scripts/failure-reasons.sh).  Exit status is
# non-zero if any entry failed.
#
# usage: run-tests.sh [--make TARGETS] [--release DIR] [--sanitize DIR]
#                     [BUILD [CTEST_ARG...]]
#
#   BUILD           every ctest of BUILD (the default gcc RelWithDebInfo
#                   build), or those CTEST_ARG select (make unit: -L unit)
#   --release DIR   matrix entry "gcc Release": the engine tests (label
#                   engine: ISA, verifier, libhup) of DIR, a
#                   -DCMAKE_BUILD_TYPE=Release (-O3) build of everything
#   --sanitize DIR  matrix entry "clang-19 ASan+UBSan": the native tests and
#                   the libFuzzer targets of DIR, a clang-19
#                   -DHUP_SANITIZE=ON -DHUP_FUZZ=ON build
#   --make TARGETS  the make targets (space-separated; the Makefile of the
#                   current directory) that build the matrix's
#                   directories, made at nice MATRIX_NICE just
#                   before the matrix's entries run; if that fails, the
#                   entries do not run and it counts as 1 failed
#
# With BUILD and a matrix entry both given, the matrix's entries run beside
# BUILD's, in a second run-tests.sh whose output is shown after BUILD's:
# the nested tests leave 20-40 % of the CPU idle for minutes, which the
# matrix's build (--make) and native tests fill (their L1 runs at a higher
# priority, tests/CMakeLists.txt hup_nested_test), so the first nested
# test no longer waits for two more builds (2 min 25 s here).  Tests
# labelled "alone" need the machine to themselves (libhup-budget): every
# entry, BUILD's too, leaves them out, and they run after everything else,
# alone.  Each entry's ctest log is kept as
# Testing/Temporary/LastTest-NAME.log (the alone runs would overwrite
# LastTest.log, and with it the nested tests' output).
#
# Extra ctest arguments for every entry: CTEST_ARGS.
set -uo pipefail
release=
sanitize=
make_targets=
# Below the default build's native tests (nice 0) and far below L1 (-15):
# the matrix's build only takes the CPU nobody else wants.
MATRIX_NICE=10
while [ $# -gt 0 ]; do
	case $1 in
	--make) make_targets=$2; shift 2 ;;
	--release) release=$2; shift 2 ;;
	--sanitize) sanitize=$2; shift 2 ;;
	*) break ;;
	esac
done
build=${1:-}
[ $# -gt 0 ] && shift

# The native tests a matrix entry runs: the unit label without what needs
# guest kernels (fetched into each build's cache) or only runs Python.
native=(-L unit -E '^(guest-|hupvm-e2e|harness-)')
# Set in the second run-tests.sh of a concurrent matrix: no "alone" tests.
not_alone=()
[ -n "${HUP_RUN_TESTS_BESIDE:-}" ] && not_alone=(-LE alone)

passed=0
failed=0
skipped=0
retried=0
status=0
summaries=()

# run NAME DIR CTEST_ARG...: one entry, counted under NAME.
run() {
	local name=$1 dir=$2
	shift 2
	local log rc summary none f t start skip k retries r l
	echo "=== $name ($dir) ==="
	start=$SECONDS
	log=$(mktemp)
	# Unit tests run in parallel, beside one e2e test at a time
	# (hup_nested_test, tests/CMakeLists.txt).  One slot more (the e2e
	# test's) starved the package install test, 786 s instead of 381.
	# shellcheck disable=SC2086
	ctest --test-dir "$dir" --output-on-failure -j "$(nproc)" ${CTEST_ARGS:-} "$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	cp "$dir/Testing/Temporary/LastTest.log" \
		"$dir/Testing/Temporary/LastTest-${name//[^A-Za-z0-9+]/-}.log" 2>/dev/null
	summary=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
	none=$(grep -m1 '^No tests were found' "$log")
	# ctest counts a skipped test (exit 77, tests/needs.sh) among those
	# that did not fail; here it is neither passed nor failed, and named
	skip=$(grep -E '^[[:space:]]*[0-9]+ - .* \(Skipped\)$' "$log" |
		sed -E 's/^[[:space:]]*[0-9]+ - (.*) \(Skipped\)$/\1/' | sort -u |
		tr '\n' ' ')
	k=$(wc -w <<<"$skip")
	# ... and why: what the skipped tests said (tests/needs.sh)
	[ "$k" -gt 0 ] && grep -a -h '^SKIPPED: ' "$dir/Testing/Temporary/LastTest.log" \
		2>/dev/null | sort -u
	rm -f "$log"
	# The nested harness's retries (hupnest: a hang or a stuck L1 boot,
	# its one classifier, docs/nested.md), passed tests' included: ctest
	# shows a passing test's output only in its log, and a retry must be
	# seen wherever the result is.
	retries=$(grep -a -h -E '^hupnest: (retrying after a hang|L1 boot stuck; retrying)' \
		"$dir/Testing/Temporary/LastTest.log" 2>/dev/null)
	r=0
	if [ -n "$retries" ]; then
		r=$(wc -l <<<"$retries")
		echo "RETRIED ($r):"
		sed 's/^/  /' <<<"$retries"
	fi
	retried=$((retried + r))
	if [ -z "$summary" ] && [ "$rc" -eq 0 ] && [ -n "$none" ]; then
		summaries+=("$name: no test selected")
		return
	fi
	if [ -z "$summary" ]; then
		echo "run-tests: ctest in $dir produced no summary (exit status $rc)"
		summaries+=("$name: no summary (ctest exit status $rc), counted as 1 failed")
		failed=$((failed + 1))
		status=1
		return
	fi
	f=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$summary")
	t=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$summary")
	passed=$((passed + t - f - k))
	failed=$((failed + f))
	skipped=$((skipped + k))
	[ "$rc" -eq 0 ] || status=1
	local line="$name: $((t - f - k)) passed, $f failed"
	[ "$k" -gt 0 ] && line+=", $k skipped: ${skip% }"
	[ "$r" -gt 0 ] && line+=", $r retried after a hang (above)"
	summaries+=("$line ($((SECONDS - start)) s)")
	# why, where a report that keeps only the tail still shows it
	if [ "$f" -gt 0 ]; then
		while IFS= read -r l; do
			summaries+=("  $l")
		done < <("$(dirname "$0")/failure-reasons.sh" "$dir/Testing/Temporary/LastTest.log")
	fi
}

# the matrix's entries, in this shell, after building them (--make)
matrix() {
	if [ -n "$make_targets" ]; then
		local start=$SECONDS rc
		echo "=== make $make_targets (nice $MATRIX_NICE) ==="
		# shellcheck disable=SC2086 # one word per target
		nice -n "$MATRIX_NICE" make $make_targets
		rc=$?
		if [ "$rc" -ne 0 ]; then
			summaries+=("make $make_targets: failed (exit status $rc), counted as 1 failed; the matrix did not run")
			failed=$((failed + 1))
			status=1
			return
		fi
		echo "run-tests: make $make_targets took $((SECONDS - start)) s"
	fi
	[ -n "$release" ] && run "gcc Release" "$release" -L engine "${not_alone[@]}"
	if [ -n "$sanitize" ]; then
		run "clang-19 ASan+UBSan" "$sanitize" "${native[@]}" "${not_alone[@]}"
		run "clang-19 ASan+UBSan fuzz" "$sanitize" -L fuzz
	fi
}

# add_counts LINE: a run-tests.sh final line ("N passed, N failed[, N
# skipped][, N retried]") added to this one's counts
add_counts() {
	local w n
	for w in passed failed skipped retried; do
		n=$(grep -oE "[0-9]+ $w" <<<"$1" | cut -d' ' -f1)
		[ -n "$n" ] && printf -v "$w" '%d' $((${!w} + n))
	done
}

if [ -n "$build" ] && { [ -n "$release" ] || [ -n "$sanitize" ]; }; then
	mlog=$(mktemp)
	HUP_RUN_TESTS_BESIDE=1 "$0" ${make_targets:+--make "$make_targets"} \
		${release:+--release "$release"} ${sanitize:+--sanitize "$sanitize"} \
		>"$mlog" 2>&1 &
	mpid=$!
	run "gcc RelWithDebInfo" "$build" "$@" -LE alone
	wait "$mpid"
	mrc=$?
	echo "=== the build matrix, run beside it ==="
	cat "$mlog"
	last=$(tail -1 "$mlog")
	if grep -qE '^[0-9]+ passed, [0-9]+ failed' <<<"$last"; then
		add_counts "$last"
		while IFS= read -r l; do
			summaries+=("$l")
		done < <(sed -n '/^=== summary ===$/,$p' "$mlog" | sed '1d;$d')
	else
		summaries+=("the build matrix: no summary (exit status $mrc), counted as 1 failed")
		failed=$((failed + 1))
	fi
	[ "$mrc" -eq 0 ] || status=1
	# what needs the machine to itself, now that nothing else runs (the
	# matrix's, if it was built)
	run "gcc RelWithDebInfo, alone" "$build" "$@" -L alone
	if [ -z "$make_targets" ] || grep -q '^run-tests: make .* took' "$mlog"; then
		[ -n "$release" ] && run "gcc Release, alone" "$release" -L alone
		[ -n "$sanitize" ] && run "clang-19 ASan+UBSan, alone" "$sanitize" -L alone
	fi
	rm -f "$mlog"
else
	[ -n "$build" ] && run "gcc RelWithDebInfo" "$build" "$@"
	matrix
fi
echo "=== summary ==="
printf '%s\n' "${summaries[@]}"
total="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && total+=", $skipped skipped"
[ "$retried" -gt 0 ] && total+=", $retried retried"
echo "$total"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
