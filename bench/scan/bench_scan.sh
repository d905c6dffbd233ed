#!/bin/sh
# bench-scan: samples/free_discard.c over one snapshot, three ways: the
# hyperupcall under libhup's JIT and its interpreter (hupreplay), and the
# native gcc -O2 port (hupreplay --native); GB of guest RAM decided per
# second and the ratio to native.  docs/bench-scan.md.
#
#   bench_scan.sh HUPREPLAY HUP_MKSNAP FREE_DISCARD_O WORKDIR
#
# A real snapshot when HUP_SCAN_SNAPSHOT, HUP_SCAN_ID and HUP_SCAN_BTF are
# set (a `hupctl dump` of a guest with FREE_DISCARD_O registered, and that
# guest kernel's BTF); otherwise a SYNTHETIC one of HUP_SCAN_MIB MiB
# (default 1024) made by hup-mksnap.  HUP_SCAN_REPEAT walks each (20).
set -eu
[ $# -eq 4 ] || { echo "usage: $0 HUPREPLAY HUP_MKSNAP FREE_DISCARD_O WORKDIR" >&2; exit 2; }
R=$1 MK=$2 OBJ=$3 DIR=$4
REPEAT=${HUP_SCAN_REPEAT:-20}
if [ -n "${HUP_SCAN_SNAPSHOT:-}" ]; then
	SNAP=$HUP_SCAN_SNAPSHOT ID=${HUP_SCAN_ID:?set HUP_SCAN_ID} BTF=${HUP_SCAN_BTF:?set HUP_SCAN_BTF}
	LABEL="real snapshot"
else
	mkdir -p "$DIR"
	SNAP=$DIR/synthetic.snap BTF=$DIR/synthetic.btf
	set -- $("$MK" "$OBJ" "$DIR" "${HUP_SCAN_MIB:-1024}")
	ID=$1
	LABEL="SYNTHETIC snapshot (fake kernel, hup-mksnap), not a guest"
fi

run() { "$R" "$SNAP" "$ID" --repeat "$REPEAT" --json "$@"; }
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }

jit=$(run --jit) interp=$(run --interp) native=$(run --native "$OBJ" --btf "$BTF")
echo "bench-scan: free_discard over $SNAP"
echo "  $LABEL; $(echo "$native" | field ram_bytes) bytes of RAM, best of $REPEAT walks"
printf '  %-8s %12s %12s %10s %10s\n' engine pages_free scan_ms GB/s vs_native
nat_ns=$(echo "$native" | field scan_ns)
pages=$(echo "$native" | field pages_free)
status=0
for e in jit interp native; do
	eval "j=\$$e"
	p=$(echo "$j" | field pages_free)
	echo "$j" | awk -v e="$e" -v p="$p" -v n="$nat_ns" \
		-v ns="$(echo "$j" | field scan_ns)" -v g="$(echo "$j" | field gb_per_s)" \
		'{ printf "  %-8s %12d %12.3f %10.2f %9.2fx\n", e, p, ns / 1e6, g, ns / n }'
	[ "$p" = "$pages" ] || { echo "bench-scan: $e found $p free pages, native $pages" >&2; status=1; }
done
exit $status
