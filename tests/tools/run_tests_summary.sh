#!/bin/sh
# scripts/run-tests.sh's summary on a made-up ctest project (fake tests,
# no build): a nested retry inside a passing test is printed and counted
# ("N retried"), a skipped test named, a failure counted and the exit
# status non-zero.
# usage: run_tests_summary.sh SRC
src=$(cd "$1" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
project() { # project DIR TEST-LINES...
	d=$1
	shift
	mkdir -p "$d"
	printf '%s\n' "$@" >"$d/CTestTestfile.cmake"
}
retry='add_test(fake-retried "/bin/sh" "-c" "echo \"hupnest: retrying after a hang (attempt 2 of 3): s-1\" >&2; exit 0")'
ok='add_test(fake-ok "/bin/true")'
skip='add_test(fake-skip "/bin/sh" "-c" "echo SKIPPED: no reason; exit 77")'
skipprop='set_tests_properties(fake-skip PROPERTIES SKIP_RETURN_CODE 77)'
bad='add_test(fake-bad "/bin/sh" "-c" "echo noise; echo \"AssertionError: the reason\"; exit 1")'

project "$tmp/a" "$retry" "$ok" "$skip" "$skipprop"
out=$("$src/scripts/run-tests.sh" "$tmp/a" 2>&1)
rc=$?
echo "$out" | tail -4
[ $rc -eq 0 ] || { echo "FAIL: exit $rc for a passing run"; fail=1; }
echo "$out" | grep -q '^  hupnest: retrying after a hang (attempt 2 of 3): s-1$' ||
	{ echo "FAIL: the retry line is not shown"; fail=1; }
echo "$out" | tail -1 | grep -qx '2 passed, 0 failed, 1 skipped, 1 retried' ||
	{ echo "FAIL: final line"; fail=1; }
echo "$out" | grep -q 'gcc RelWithDebInfo: 2 passed, 0 failed, 1 skipped: fake-skip, 1 retried after a hang' ||
	{ echo "FAIL: entry line"; fail=1; }

project "$tmp/b" "$ok" "$bad"
out=$("$src/scripts/run-tests.sh" "$tmp/b" 2>&1)
rc=$?
[ $rc -ne 0 ] || { echo "FAIL: exit 0 with a failed test"; fail=1; }
echo "$out" | tail -1 | grep -qx '1 passed, 1 failed' ||
	{ echo "FAIL: final line of a failing run: $(echo "$out" | tail -1)"; fail=1; }
# why it failed, in the summary (a report may keep only the tail)
echo "$out" | sed -n '/^=== summary ===$/,$p' | grep -A1 -x '  fake-bad:' |
	grep -qx '      AssertionError: the reason' ||
	{ echo "FAIL: the failed test's reason is not in the summary"; fail=1; }
# the matrix beside the build: its entries counted and shown after the
# build's, its "alone" tests run after both, alone
eng='set_tests_properties(fake-engine PROPERTIES LABELS "engine")'
alone='add_test(fake-alone "/bin/sh" "-c" "echo alone-ran")'
aloneprop='set_tests_properties(fake-alone PROPERTIES LABELS "engine;alone")'
project "$tmp/r" 'add_test(fake-engine "/bin/true")' "$eng" "$alone" "$aloneprop"
out=$("$src/scripts/run-tests.sh" --release "$tmp/r" "$tmp/a" 2>&1)
rc=$?
echo "$out" | tail -5
[ $rc -eq 0 ] || { echo "FAIL: exit $rc for a passing run with a matrix"; fail=1; }
echo "$out" | tail -1 | grep -qx '4 passed, 0 failed, 1 skipped, 1 retried' ||
	{ echo "FAIL: final line with a matrix: $(echo "$out" | tail -1)"; fail=1; }
echo "$out" | grep -qx 'gcc Release: 1 passed, 0 failed ([0-9]* s)' ||
	{ echo "FAIL: the matrix entry's line (the alone test left out)"; fail=1; }
echo "$out" | grep -qx 'gcc Release, alone: 1 passed, 0 failed ([0-9]* s)' ||
	{ echo "FAIL: the alone entry's line"; fail=1; }
order=$(echo "$out" | grep -E '^=== (gcc RelWithDebInfo|the build matrix|gcc Release)' |
	cut -d' ' -f2-4 | sed 's| (.*||' | tr '\n' '|')
[ "$order" = "gcc RelWithDebInfo|the build matrix,|gcc Release|gcc RelWithDebInfo, alone|gcc Release, alone|" ] ||
	{ echo "FAIL: the entries' output out of order: $order"; fail=1; }
echo "$out" | grep -qx 'gcc RelWithDebInfo, alone: no test selected' ||
	{ echo "FAIL: BUILD's alone entry, with no alone test"; fail=1; }
# BUILD's own alone test: not beside the matrix, after it; each entry's
# ctest log kept under its name
project "$tmp/aa" "$ok" "$alone" 'set_tests_properties(fake-alone PROPERTIES LABELS "alone")'
out=$("$src/scripts/run-tests.sh" --release "$tmp/r" "$tmp/aa" 2>&1)
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: exit $rc with BUILD's alone test"; fail=1; }
echo "$out" | grep -qx 'gcc RelWithDebInfo: 1 passed, 0 failed ([0-9]* s)' ||
	{ echo "FAIL: BUILD's entry ran its alone test beside the matrix"; fail=1; }
echo "$out" | grep -qx 'gcc RelWithDebInfo, alone: 1 passed, 0 failed ([0-9]* s)' ||
	{ echo "FAIL: BUILD's alone entry"; fail=1; }
grep -q 'fake-ok' "$tmp/aa/Testing/Temporary/LastTest-gcc-RelWithDebInfo.log" 2>/dev/null &&
	grep -q 'alone-ran' "$tmp/aa/Testing/Temporary/LastTest-gcc-RelWithDebInfo--alone.log" 2>/dev/null ||
	{ echo "FAIL: each entry's ctest log kept under its name"; fail=1; }
project "$tmp/rb" 'add_test(fake-engine "/bin/sh" "-c" "echo FAIL: engine reason; exit 1")' \
	"$eng" "$alone" "$aloneprop"
out=$("$src/scripts/run-tests.sh" --release "$tmp/rb" "$tmp/a" 2>&1)
rc=$?
[ $rc -ne 0 ] || { echo "FAIL: exit 0 with a failed matrix test"; fail=1; }
echo "$out" | sed -n '/^=== summary ===$/,$p' | grep -A1 -x '  fake-engine:' |
	grep -qx '      FAIL: engine reason' ||
	{ echo "FAIL: the failed matrix test's reason is not in the summary"; fail=1; }
echo "$out" | tail -1 | grep -qx '3 passed, 1 failed, 1 skipped, 1 retried' ||
	{ echo "FAIL: final line of a failing matrix: $(echo "$out" | tail -1)"; fail=1; }
# --make: the matrix's directory made (by the current directory's
# Makefile) in the second run-tests.sh, before its entries and at a lower
# priority; a failed make counts as 1 failed and runs none of the matrix
mkdir -p "$tmp/mk"
printf '%s\n' 'mat:' \
	"	mkdir -p m && cp $tmp/r/CTestTestfile.cmake m/ && echo nice=\$\$(nice)" \
	'broken:' '	false' >"$tmp/mk/Makefile"
out=$(cd "$tmp/mk" && "$src/scripts/run-tests.sh" --make mat --release m "$tmp/a" 2>&1)
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: exit $rc for a passing run with --make"; fail=1; }
echo "$out" | grep -qx 'nice=10' || { echo "FAIL: the matrix not made at nice 10"; fail=1; }
echo "$out" | tail -1 | grep -qx '4 passed, 0 failed, 1 skipped, 1 retried' ||
	{ echo "FAIL: final line with --make: $(echo "$out" | tail -1)"; fail=1; }
echo "$out" | grep -qx 'gcc Release, alone: 1 passed, 0 failed ([0-9]* s)' ||
	{ echo "FAIL: the alone entry after --make"; fail=1; }
out=$(cd "$tmp/mk" && "$src/scripts/run-tests.sh" --make broken --release m2 "$tmp/a" 2>&1)
rc=$?
[ $rc -ne 0 ] || { echo "FAIL: exit 0 when the matrix's make failed"; fail=1; }
echo "$out" | tail -1 | grep -qx '2 passed, 1 failed, 1 skipped, 1 retried' ||
	{ echo "FAIL: final line of a failed --make: $(echo "$out" | tail -1)"; fail=1; }
echo "$out" | grep -q '^make broken: failed (exit status 2), counted as 1 failed; the matrix did not run$' ||
	{ echo "FAIL: the failed make's summary line"; fail=1; }
echo "$out" | grep -q '^=== gcc Release' && { echo "FAIL: a matrix entry ran after its make failed"; fail=1; }
# failure-reasons.sh refuses a wrong argument count and an unreadable log
"$src/scripts/failure-reasons.sh" >/dev/null 2>&1
[ $? -eq 2 ] || { echo "FAIL: failure-reasons.sh without a log: not exit 2"; fail=1; }
"$src/scripts/failure-reasons.sh" "$tmp/none" 2>&1 | grep -q "cannot read $tmp/none" ||
	{ echo "FAIL: failure-reasons.sh on a missing log: no message"; fail=1; }
"$src/scripts/failure-reasons.sh" "$tmp/none" >/dev/null 2>&1
[ $? -eq 1 ] || { echo "FAIL: failure-reasons.sh on a missing log: not exit 1"; fail=1; }
[ $fail -eq 0 ] && echo "ok: run-tests.sh shows and counts retries, skips, failures (and why), the matrix beside, its make"
exit $fail
