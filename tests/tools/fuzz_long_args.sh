#!/bin/sh
# scripts/fuzz-long.sh refuses bad arguments before running anything:
# exit 2 and a message naming the problem.
# usage: fuzz_long_args.sh SRC
fl=$1/scripts/fuzz-long.sh
fail=0
refuse() { # refuse PATTERN ARG...
	pat=$1
	shift
	out=$("$fl" "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 2 ] && printf '%s\n' "$out" | grep -q -- "$pat"; then
		echo "ok: refused $*"
	else
		echo "FAIL: $*: exit $rc: $out"
		fail=1
	fi
}
refuse "not a non-negative integer: 'x'" -r x -b /nonexistent
refuse "not a non-negative integer: '-1'" --seed -1 -b /nonexistent
refuse "not a non-negative integer: 'a'" --cpu a -b /nonexistent
refuse "this machine has CPUs" --cpu 99999 -b /nonexistent
refuse "no limit" -r 0 -s 0 -b /nonexistent
refuse "unknown option --bogus" --bogus
refuse "no build directory /nonexistent" -b /nonexistent -s 1
"$fl" --help | grep -q -- "--cpu N" || { echo "FAIL: --help lacks --cpu"; fail=1; }
exit $fail
