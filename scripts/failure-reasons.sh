#!/bin/sh
# Why the failed tests of a ctest log failed, a few lines each, for the end
# of scripts/run-tests.sh's summary: a CI report may keep only the head
# and the tail of `make test`'s output, and a failed test's own message
# is printed in its middle.
#
# usage: failure-reasons.sh LASTTEST_LOG
#
# For each test whose block in LASTTEST_LOG (ctest's
# Testing/Temporary/LastTest.log) does not end in "Test Passed." or a
# skip: "NAME:", then its output's reason lines, indented: unittest's
# "FAIL:"/"ERROR:" headers and each AssertionError with the problem lines
# after it (up to the scenario's "--- output tail ---"), a shell test's
# "FAIL..." lines, any "...Error: ..." line.  With none of those, the
# last lines of its output.  At most MAX lines per test.
MAX=${FAILURE_REASON_LINES:-16}
[ $# -eq 1 ] || { echo "usage: failure-reasons.sh LASTTEST_LOG" >&2; exit 2; }
[ -r "$1" ] || { echo "failure-reasons.sh: cannot read $1" >&2; exit 1; }
LC_ALL=C awk -v max="$MAX" '
function flush(   i) {
	if (name == "" || passed)
		return
	print name ":"
	for (i = 1; i <= nr && i <= max; i++)
		print "    " why[i]
	if (nr == 0)
		for (i = (nout > 4 ? nout - 4 : 1); i <= nout; i++)
			print "    " last[i]
}
/^[0-9]+\/[0-9]+ Testing: / {
	flush()
	name = $0
	sub(/^[0-9]+\/[0-9]+ Testing: /, "", name)
	inout = 0; passed = 0; nr = 0; nout = 0; follow = 0
	next
}
/^Output:$/ { inout = 1; next }
/^<end of output>$/ { inout = 0; next }
/^Test Passed\.$/ || /^Test Skipped/ || /Skipped\.?$/ { if (!inout) passed = 1 }
inout && !/^-+$/ {
	last[++nout] = $0
	if ($0 ~ /^--- output tail ---$/) { follow = 0; next }
	if ($0 ~ /AssertionError/) { follow = 12 }
	if (follow > 0 || $0 ~ /^(FAIL|ERROR)[: ]/ || $0 ~ /[A-Za-z]Error: /) {
		if (follow > 0) follow--
		if ($0 != "")
			why[++nr] = $0
	}
}
END { flush() }
' "$1"
