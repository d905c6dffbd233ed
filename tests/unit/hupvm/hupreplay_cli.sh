#!/bin/sh
# hupreplay's command line on synthetic snapshots (hup-mksnap, 64 MiB;
# hup-mksnap-samples: the other samples): the three engines agree in human
# and JSON output, and each refusal has its exit status (2 usage, 3
# snapshot, 1 run) and its message.
#
#   hupreplay_cli.sh HUPREPLAY HUP_MKSNAP FREE_DISCARD_O \
#                    HUP_MKSNAP_SAMPLES MSR_GUARD_O TRACING_O PS_O DMESG_O \
#                    TLB_SHOOTDOWN_O
set -u
R=$1 MK=$2 OBJ=$3 MKS=$4 MSR=$5 TR=$6 PS=$7 DM=$8 TLB=$9
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

# run ARGS...: hupreplay running programs with the tests' run budget
# (tests/include/hup_test_budget.h, passed by ctest).  libhup's defaults
# are production's, and this test checks answers, not budgets
# (libhup-budget does): the sanitizer build's interpreter, beside make
# test's nested tests and builds, outran the reclaim default once.
BUDGET=${HUP_TEST_RUN_BUDGET_US:?set by ctest from tests/include/hup_test_budget.h}
run() { "$R" "$@" --run-budget-us "$BUDGET"; }

set -- $("$MK" "$OBJ" "$D" 64) || { echo "hup-mksnap failed" >&2; exit 1; }
ID=$1 FREE=$2 S=$D/synthetic.snap B=$D/synthetic.btf

expect 0 "jit: $FREE pages free" run "$S" "$ID"
expect 0 "interp: $FREE pages free" run "$S" "$ID" --interp --repeat 2
expect 0 "native: $FREE pages free" run "$S" "$ID" --native "$OBJ" --btf "$B"
expect 0 "\"pages_free\":$FREE," run "$S" "$ID" --json

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

# the other samples, each with its port (--native) and its --ctx
set -- $("$MKS" "$MSR" "$TR" "$PS" "$DM" "$TLB" "$D") ||
	{ echo "hup-mksnap-samples failed" >&2; exit 1; }
S=$D/samples.snap B=$D/samples.btf
I_MSR=$1 I_TR=$2 I_PS=$3 I_DM=$4 I_TLB=$5
for e in --jit --interp "--native $MSR --btf $B"; do
	expect 0 "^denied" run "$S" "$I_MSR" --ctx 0xdead $e
	expect 0 "^allowed" run "$S" "$I_MSR" --ctx 0xdeae --repeat 3 $e
	expect 0 '"answer":"denied","runs_with_errors":0,"repeat":2,"best_ns":' \
		run "$S" "$I_MSR" --ctx 0xdead --repeat 2 --json $e
done
expect 0 "the native port of msr_guard in its place" \
	run "$S" "$I_MSR" --ctx 1 --native "$MSR" --btf "$B"
expect 0 "runs_with_errors 0" run "$S" "$I_TR" --ctx 1,30,1,2 --native "$TR" --btf "$B"
for q in "$I_PS $PS" "$I_DM $DM"; do
	set -- $q
	run "$S" "$1" > "$D/jit.out" 2>/dev/null
	run "$S" "$1" --native "$2" --btf "$B" --repeat 3 > "$D/nat.out" 2>/dev/null
	[ -s "$D/jit.out" ] && cmp -s "$D/jit.out" "$D/nat.out" ||
		fail "query $1: the native port's answer is not the program's"
done
# tlb_shootdown: the first run acknowledges vCPU 0's flushes, the next
# finds none
expect 0 "^actions 0x1" run "$S" "$I_TLB" --ctx 0,1000 --native "$TLB" --btf "$B"
expect 0 "^actions 0$" run "$S" "$I_TLB" --ctx 0,1000,1 --repeat 2
expect 1 "vCPU 5, the snapshot has 1" "$R" "$S" "$I_TLB" --ctx 5,1000
expect 1 "a vcpu_desched program needs --ctx" "$R" "$S" "$I_TLB" --ctx 0
expect 1 "a vcpu_desched program needs --ctx" "$R" "$S" "$I_TLB" --ctx 0,1,0x100000000
expect 1 "a trace program needs --ctx" "$R" "$S" "$I_TR" --ctx 1
expect 1 "a msr_write program needs --ctx" "$R" "$S" "$I_MSR" --ctx 1,2
# a port needs the snapshot program's own object
expect 1 "the object has no msr_write program" \
	"$R" "$S" "$I_MSR" --ctx 1 --native "$PS" --btf "$B"
expect 1 "not the same program" "$R" "$S" "$I_DM" --native "$PS" --btf "$B"
[ $fails = 0 ] && echo "hupreplay_cli: all passed"
exit $((fails != 0))
