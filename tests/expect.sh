#!/bin/sh
# expect.sh STATUS REGEX COMMAND [ARG...]: run COMMAND, show its output, and
# pass only if it exits with STATUS and its output has a line matching
# REGEX (grep -E).  ctest's PASS_REGULAR_EXPRESSION alone ignores the exit
# status: a crash or a sanitizer abort after the summary line would pass.
# Exit status 77 (skipped, tests/needs.sh) is passed on.
set -u
[ $# -ge 3 ] || { echo "usage: expect.sh STATUS REGEX COMMAND [ARG...]" >&2; exit 2; }
want=$1
re=$2
shift 2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$@" > "$out" 2>&1
got=$?
cat "$out"
# 77: the command said it was skipped (tests/needs.sh); so is the test
[ "$got" = 77 ] && [ "$want" != 77 ] && exit 77
if [ "$got" != "$want" ]; then
	echo "expect.sh: exit status $got, expected $want" >&2
	exit 1
fi
if ! grep -Eq -- "$re" "$out"; then
	echo "expect.sh: no line matches: $re" >&2
	exit 1
fi
