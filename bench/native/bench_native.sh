#!/bin/sh
# bench-native: each sample's answer three ways on one SYNTHETIC snapshot
# (the unit tests' fake kernel): hupreplay under libhup's JIT (also with
# libhup's run timing off, --no-run-timing: "untimed"), under its
# interpreter, and with the native gcc -O2 port in the program's place
# (--native), each through the backend entry of the program's event;
# per answer the best and the mean of the repeats, and JIT / native.
# docs/bench-costs.md ("Native").
#
#   bench_native.sh HUPREPLAY HUP_MKSNAP HUP_MKSNAP_SAMPLES FREE_DISCARD_O \
#                   MSR_GUARD_O TRACING_O PS_O DMESG_O TLB_SHOOTDOWN_O WORKDIR
#
# HUP_NATIVE_GUESTS=DIR: also ps, dmesg and free_discard on each real guest's
# snapshot in DIR (guest-replay-e2e with HUP_REPLAY_EXPORT=DIR).
# HUP_NATIVE_ROUNDS (3): rounds of the three engines in turn; each
# engine's fastest round (best_ns; free_discard: scan_ns) is reported.
# HUP_NATIVE_REPEAT: runs of msr_guard and tracing (100000; at most the
# synthetic ring's 131072 entries, so that every traced event writes
# one) and tlb_shootdown (its first run acknowledges the queue's flushes,
# the others walk the 4 calls left: the best and the mean are those);
# ps and dmesg 1/50 of it, free_discard 1/5000 walks of 64 MiB (at least
# 1).
set -eu
[ $# -eq 10 ] || { echo "usage: $0 HUPREPLAY HUP_MKSNAP HUP_MKSNAP_SAMPLES FREE_DISCARD_O MSR_GUARD_O TRACING_O PS_O DMESG_O TLB_SHOOTDOWN_O WORKDIR" >&2; exit 2; }
R=$1 MK=$2 MKS=$3 FD=$4 MSR=$5 TR=$6 PS=$7 DM=$8 TLB=$9 DIR=${10}
N=${HUP_NATIVE_REPEAT:-100000}
ROUNDS=${HUP_NATIVE_ROUNDS:-3}
case $ROUNDS in ''|*[!0-9]*|0) echo "bench-native: HUP_NATIVE_ROUNDS '$ROUNDS': a number >= 1" >&2; exit 2 ;; esac
case $N in ''|*[!0-9]*) echo "bench-native: HUP_NATIVE_REPEAT '$N' is not a number" >&2; exit 2 ;; esac
[ "$N" -ge 1 ] && [ "$N" -le 131072 ] || { echo "bench-native: HUP_NATIVE_REPEAT: 1..131072" >&2; exit 2; }
mkdir -p "$DIR"
set -- $("$MKS" "$MSR" "$TR" "$PS" "$DM" "$TLB" "$DIR")
S=$DIR/samples.snap B=$DIR/samples.btf
ID_MSR=$1 ID_TR=$2 ID_PS=$3 ID_DM=$4 ID_TLB=$5
set -- $("$MK" "$FD" "$DIR" 64)
ID_FD=$1
max1() { [ "$1" -ge 1 ] && echo "$1" || echo 1; }

field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
# faster OLD NEW KEY: whichever JSON answer has the smaller KEY (OLD empty:
# NEW)
faster() {
	[ -n "$1" ] || { echo "$2"; return; }
	if awk -v o="$(echo "$1" | field "$3")" -v n="$(echo "$2" | field "$3")" \
		'BEGIN { exit !(n < o) }'; then echo "$2"; else echo "$1"; fi
}
# row NAME OBJ SNAP ID REPEAT ARGS...: one line, three engines
status=0
row() {
	name=$1 obj=$2 snap=$3 id=$4 rep=$5; shift 5
	key=best_ns
	case $name in free_discard*) key=scan_ns ;; esac
	j='' u='' i='' n=''
	# ROUNDS rounds of the engines in turn, each engine's fastest kept: a
	# burst of other work on the shared cores then hits one round of
	# every engine, not all of one engine's.  The JIT twice: as hupvm
	# runs it by default, and with libhup's run timing off (--no-run-timing)
	for _ in $(seq "$ROUNDS"); do
		a=$("$R" "$snap" "$id" --jit --repeat "$rep" --json "$@" 2>/dev/null)
		d=$("$R" "$snap" "$id" --jit --no-run-timing --repeat "$rep" --json "$@" 2>/dev/null)
		b=$("$R" "$snap" "$id" --interp --repeat "$rep" --json "$@" 2>/dev/null)
		c=$("$R" "$snap" "$id" --native "$obj" --btf "$BTF" --repeat "$rep" --json "$@" 2>/dev/null)
		for e in "$a" "$d" "$b" "$c"; do
			[ -n "$e" ] || { echo "bench-native: $name failed" >&2; status=1; return; }
		done
		j=$(faster "$j" "$a" "$key") u=$(faster "$u" "$d" "$key")
		i=$(faster "$i" "$b" "$key") n=$(faster "$n" "$c" "$key")
	done
	# the answers must agree (a query's bytes, a verdict, pages free)
	a=$(echo "$j" | sed -n 's/.*"\(answer\|pages_free\)":\("[^"]*"\|[0-9]*\).*/\2/p')
	for e in "$u" "$i" "$n"; do
		[ "$(echo "$e" | sed -n 's/.*"\(answer\|pages_free\)":\("[^"]*"\|[0-9]*\).*/\2/p')" = "$a" ] ||
			{ echo "bench-native: $name: the engines' answers differ" >&2; status=1; }
	done
	case $name in free_discard*) fd=1 ;; *) fd='' ;; esac
	if [ -n "$fd" ]; then
		# per 512-page batch of the best walk (its scan time over its
		# batches); hupreplay keeps no mean of walks
		b=$(echo "$n" | field batches)
		set -- $(echo "$j" | field scan_ns) $(echo "$i" | field scan_ns) $(echo "$n" | field scan_ns) $(echo "$u" | field scan_ns)
		awk -v n="$name" -v r="$rep" -v b="$b" -v j="$1" -v i="$2" -v x="$3" -v u="$4" 'BEGIN {
			printf "  %-23s %9s %11.1f %11s %11.1f %11.1f %11s %11.1f %11s %8.2fx %8.2fx %9s\n",
				n, r " walks", j / b, "-", u / b, i / b, "-", x / b, "-", j / x, u / x, "-" }'
		return
	fi
	awk -v n="$name" -v r="$rep" \
		-v jb="$(echo "$j" | field best_ns)" -v jm="$(echo "$j" | field mean_ns)" \
		-v ub="$(echo "$u" | field best_ns)" \
		-v ib="$(echo "$i" | field best_ns)" -v im="$(echo "$i" | field mean_ns)" \
		-v nb="$(echo "$n" | field best_ns)" -v nm="$(echo "$n" | field mean_ns)" 'BEGIN {
		printf "  %-23s %9d %11.1f %11.1f %11.1f %11.1f %11.1f %11.1f %11.1f %8.2fx %8.2fx %8.2fx\n",
			n, r, jb, jm, ub, ib, im, nb, nm, jb / nb, ub / nb, jm / nm }'
}

echo "bench-native: per answer, ns; SYNTHETIC snapshots (fake kernel), not a guest"
printf '  %-23s %9s %11s %11s %11s %11s %11s %11s %11s %9s %9s %9s\n' sample runs \
	jit_best jit_mean untimed_best interp_best interp_mean native_best \
	native_mean jit/nat untimed/nat jit/nat_mean
BTF=$B
row msr_guard "$MSR" "$S" "$ID_MSR" "$N" --ctx 0xdead
row tracing "$TR" "$S" "$ID_TR" "$N" --ctx 1,30,1,2,3,4
row ps "$PS" "$S" "$ID_PS" "$(max1 $((N / 50)))"
row dmesg "$DM" "$S" "$ID_DM" "$(max1 $((N / 50)))"
row tlb_shootdown "$TLB" "$S" "$ID_TLB" "$N" --ctx 0,1000
BTF=$DIR/synthetic.btf
row free_discard "$FD" "$DIR/synthetic.snap" "$ID_FD" "$(max1 $((N / 5000)))"
# Real guests' snapshots, as guest-replay-e2e exports them
# (HUP_REPLAY_EXPORT=DIR: replay-KERNEL.snap, .btf, .ids)
if [ -n "${HUP_NATIVE_GUESTS:-}" ]; then
	found=''
	for snap in "$HUP_NATIVE_GUESTS"/replay-*.snap; do
		[ -e "$snap" ] || continue
		base=${snap%.snap} k=${base##*/replay-}
		ids=$(cat "$base.ids" 2>/dev/null) || { echo "bench-native: no $base.ids" >&2; status=1; continue; }
		id_fd=$(echo "$ids" | sed -n 's/.*free_discard=\([0-9]*\).*/\1/p')
		id_ps=$(echo "$ids" | sed -n 's/.*ps=\([0-9]*\).*/\1/p')
		id_dm=$(echo "$ids" | sed -n 's/.*dmesg=\([0-9]*\).*/\1/p')
		[ -n "$id_fd" ] && [ -n "$id_ps" ] || { echo "bench-native: $base.ids: '$ids'" >&2; status=1; continue; }
		[ -n "$found" ] || echo "bench-native: guests' snapshots ($HUP_NATIVE_GUESTS), idle after boot"
		found=1
		BTF=$base.btf
		row "ps:$k" "$PS" "$snap" "$id_ps" "$(max1 $((N / 50)))"
		# exports before dmesg joined the replay guest have no dmesg id
		[ -z "$id_dm" ] || row "dmesg:$k" "$DM" "$snap" "$id_dm" "$(max1 $((N / 50)))"
		row "free_discard:$k" "$FD" "$snap" "$id_fd" "$(max1 $((N / 5000)))"
	done
	[ -n "$found" ] || { echo "bench-native: no replay-*.snap in $HUP_NATIVE_GUESTS" >&2; status=1; }
fi
exit $status
