#!/bin/sh
# hupreplay's command line on a synthetic snapshot (hup-mksnap, 64 MiB):
# the three engines agree in human and JSON output, and each refusal
# has its exit status (2 usage, 3 snapshot, 1 run) and its message.
#
#   hupreplay_cli.sh HUPREPLAY HUP_MKSNAP FREE_DISCARD_O
set -u
R=$1 MK=$2 OBJ=$3
D=$(mktemp -d /tmp/hupreplay-cli-XXXXXX)
trap 'rm -rf "$D"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
# expect STATUS PATTERN CMD...: exit status and a line of stdout+stderr
expect() {
	want=$1 pat=$2; shift 2
	out=$("$@" 2>&1); got=$?
	[ "$got" = "$want" ] || fail "$* exited $got, expected $want: $out"
	echo "$out" | grep -q -- "$pat" || fail "$*: no '$pat' in: $out"
}

set -- $("$MK" "$OBJ" "$D" 64) || { echo "hup-mksnap failed" >&2; exit 1; }
ID=$1 FREE=$2 S=$D/synthetic.snap B=$D/synthetic.btf

expect 0 "jit: $FREE pages free" "$R" "$S" "$ID"
expect 0 "interp: $FREE pages free" "$R" "$S" "$ID" --interp --repeat 2
expect 0 "native: $FREE pages free" "$R" "$S" "$ID" --native "$OBJ" --btf "$B"
expect 0 "\"pages_free\":$FREE," "$R" "$S" "$ID" --json --run-budget-us 100000

expect 2 "expected SNAPSHOT and ID" "$R" "$S"
expect 2 "bad program id" "$R" "$S" 0
expect 2 "--native and --btf go together" "$R" "$S" "$ID" --native "$OBJ"
expect 2 "--repeat" "$R" "$S" "$ID" --repeat 0
expect 2 "--run-budget-us" "$R" "$S" "$ID" --run-budget-us 0
expect 2 "--args" "$R" "$S" "$ID" --args 1,2,3,4,5
expect 3 "no program 99 in the snapshot (it has: $ID)" "$R" "$S" 99
expect 3 "No such file" "$R" "$D/none.snap" 1
head -c 100 "$S" > "$D/short.snap"
expect 3 "shorter than a snapshot header" "$R" "$D/short.snap" "$ID"
head -c $(($(stat -c %s "$S") - 4096)) "$S" > "$D/trunc.snap"
expect 3 "truncated" "$R" "$D/trunc.snap" "$ID"
cat "$S" > "$D/magic.snap"; printf 'X' | dd of="$D/magic.snap" bs=1 conv=notrunc 2>/dev/null
expect 3 "not a hupvm snapshot" "$R" "$D/magic.snap" "$ID"
expect 3 "not valid for a reclaim program" "$R" "$S" "$ID" --event-arg 1
# the native port: an object that is not one, a BTF that is not the
# guest kernel's (a query's object would have no reclaim program)
expect 1 "synthetic.btf: Invalid argument" \
	"$R" "$S" "$ID" --native "$B" --btf "$B"
expect 1 "cannot read the target BTF" "$R" "$S" "$ID" --native "$OBJ" --btf "$S"
[ $fails = 0 ] && echo "hupreplay_cli: all passed"
exit $((fails != 0))
