#!/bin/sh
# tests/expect.sh and tests/needs.sh must be able to fail: a wrong exit
# status or no matching line fails, a skip is passed on as 77.
set -u
T=$(dirname "$0")
fails=0
case_() {
	want=$1
	shift
	sh "$T/expect.sh" "$@" > /dev/null 2>&1
	got=$?
	[ "$got" = "$want" ] || { echo "FAIL: expect.sh $*: $got, not $want"; fails=$((fails + 1)); }
}
case_ 0 0 '^hi$' sh -c 'echo hi'
case_ 1 0 '^hi$' sh -c 'echo hi; exit 3'     # crash after the summary line
case_ 1 0 '^hi$' sh -c 'echo ho'             # no summary line
case_ 0 1 '^hi$' sh -c 'echo hi; exit 1'     # a mutant that must fail
case_ 1 1 '^hi$' sh -c 'echo hi'             # ... and did not
case_ 77 0 '^hi$' sh "$T/needs.sh" /nonexistent/dir sh -c 'echo hi'
case_ 0 0 '^hi$' sh "$T/needs.sh" "$T" sh -c 'echo hi'
echo "expect.sh: $fails failed"
[ "$fails" = 0 ]
