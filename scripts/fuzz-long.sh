#!/usr/bin/env bash
# Long libFuzzer runs on demand (`make fuzz-long`), with a kept corpus.
#
# Runs each libFuzzer target of a fuzz build (the clang -DHUP_FUZZ=ON build
# that `make fuzz-build` makes; its ctests labelled "fuzz" name the targets)
# one after another, for a number of executions and/or seconds each, and
# prints per target: executions, exec/s, the final cov/ft, the corpus size
# and any crash/timeout/leak/OOM artifact.  Exit status: 0 if no target
# found anything, 1 if one did, 2 on a usage or setup error.
set -uo pipefail

usage() {
	cat <<'EOF'
usage: scripts/fuzz-long.sh [options] [TARGET...]

Runs each TARGET (default: every fuzz target the build has, as listed by
`ctest -L fuzz`) one after another, each until it reaches the executions
or the seconds given, whichever comes first, or finds something.

options (environment variable in brackets):
  -b, --build DIR      fuzz build directory [FUZZ_BUILD, default build-fuzz]
  -r, --runs N         executions per target, 0 = no limit [FUZZ_RUNS, default 0]
  -s, --seconds N      seconds per target, 0 = no limit [FUZZ_SECONDS,
                       default 600 when neither limit is given]
  -c, --corpus DIR     kept corpora, one DIR/<target> each
                       [FUZZ_CORPUS, default BUILD/fuzz-corpus]
  -a, --artifacts DIR  crash/timeout/leak/OOM inputs, DIR/<target>/
                       [FUZZ_ARTIFACTS, default BUILD/fuzz-artifacts]
  -l, --logs DIR       one libFuzzer log per target and summary.txt
                       [FUZZ_LOGS, default BUILD/fuzz-logs]
  -t, --timeout N      seconds one input may take before it counts as a
                       hang [FUZZ_TIMEOUT, default 25]
      --seed N         libFuzzer seed, 0 = from the clock [FUZZ_SEED, default 0]
      --nice N         niceness of the fuzzer processes [FUZZ_NICE, default 10]
      --cpu N          pin each fuzzer to CPU N (taskset) [FUZZ_CPU]: its
                       JIT's mprotect/munmap then flush no other CPU's TLB
                       (41 % more fuzz_jit_diff executions per second here)
      --extra ARGS     more libFuzzer flags, one word each [FUZZ_EXTRA]
  -h, --help           this text

Seeds: tests/fuzz/corpus/<target>/ (the regression inputs that the short
ctest runs replay), when it exists, is read as a second corpus and never
written.  New inputs go to the kept corpus only.

examples:
  make fuzz-long FUZZ_RUNS=10000000
  make fuzz-long FUZZ_SECONDS=3600 FUZZ_TARGETS=fuzz_jit_diff
  scripts/fuzz-long.sh -b build-fuzz -r 1000000 fuzz_verifier fuzz_request
EOF
}

die() {
	echo "fuzz-long: $*" >&2
	exit 2
}

here=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD:-build-fuzz}
runs=${FUZZ_RUNS:-}
seconds=${FUZZ_SECONDS:-}
corpus=${FUZZ_CORPUS:-}
artifacts=${FUZZ_ARTIFACTS:-}
logs=${FUZZ_LOGS:-}
timeout=${FUZZ_TIMEOUT:-25}
seed=${FUZZ_SEED:-0}
niceness=${FUZZ_NICE:-10}
cpu=${FUZZ_CPU:-}
read -r -a extra <<<"${FUZZ_EXTRA:-}"
targets=()

while [ $# -gt 0 ]; do
	case $1 in
	-b | --build) build=${2:?}; shift ;;
	-r | --runs) runs=${2:?}; shift ;;
	-s | --seconds) seconds=${2:?}; shift ;;
	-c | --corpus) corpus=${2:?}; shift ;;
	-a | --artifacts) artifacts=${2:?}; shift ;;
	-l | --logs) logs=${2:?}; shift ;;
	-t | --timeout) timeout=${2:?}; shift ;;
	--seed) seed=${2:?}; shift ;;
	--nice) niceness=${2:?}; shift ;;
	--cpu) cpu=${2:?}; shift ;;
	--extra) read -r -a extra <<<"${2:?}"; shift ;;
	-h | --help) usage; exit 0 ;;
	-*) usage >&2; die "unknown option $1" ;;
	*) targets+=("$1") ;;
	esac
	shift
done

for v in "${runs:-0}" "${seconds:-0}" "$timeout" "$seed" "$niceness" "${cpu:-0}"; do
	[[ $v =~ ^[0-9]+$ ]] || die "not a non-negative integer: '$v'"
done
if [ -n "$cpu" ] && [ "$cpu" -ge "$(nproc --all)" ]; then
	die "--cpu $cpu: this machine has CPUs 0..$(($(nproc --all) - 1))"
fi
if [ -z "$runs" ] && [ -z "$seconds" ]; then
	seconds=600
fi
runs=${runs:-0}
seconds=${seconds:-0}
[ "$runs" -gt 0 ] || [ "$seconds" -gt 0 ] ||
	die "no limit: give --runs or --seconds (or both)"

[ -d "$build" ] || die "no build directory $build (run 'make fuzz-build')"
build=$(cd "$build" && pwd)
corpus=${corpus:-$build/fuzz-corpus}
artifacts=${artifacts:-$build/fuzz-artifacts}
logs=${logs:-$build/fuzz-logs}
bindir=$build/tests/fuzz

if [ ${#targets[@]} -eq 0 ]; then
	# The fuzz targets are exactly the build's ctests labelled "fuzz".
	mapfile -t targets < <(ctest --test-dir "$build" -L fuzz -N 2>/dev/null |
		sed -nE 's/^ *Test +#[0-9]+: +([A-Za-z0-9_]+)$/\1/p')
	[ ${#targets[@]} -gt 0 ] ||
		die "$build has no fuzz targets (configure it with -DHUP_FUZZ=ON: 'make fuzz-build')"
fi
for t in "${targets[@]}"; do
	[ -x "$bindir/$t" ] || die "no fuzz target $bindir/$t (run 'make fuzz-build')"
done
mkdir -p "$corpus" "$artifacts" "$logs" ||
	die "cannot create $corpus, $artifacts or $logs"
corpus=$(cd "$corpus" && pwd)
artifacts=$(cd "$artifacts" && pwd)
logs=$(cd "$logs" && pwd)

# "name value" from a libFuzzer log
stat_of() { sed -nE "s/^stat::$2: +([0-9]+).*/\1/p" "$1" | tail -1; }

summary=$logs/summary.txt
row_fmt='%-18s %12s %8s %6s %7s %16s  %s\n'
rows=()
found=0
started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')

for t in "${targets[@]}"; do
	cdir=$corpus/$t
	adir=$artifacts/$t
	log=$logs/$t.log
	mkdir -p "$cdir" "$adir" || die "cannot create $cdir or $adir"
	args=(-print_final_stats=1 -rss_limit_mb=2048 -timeout="$timeout"
		-seed="$seed" -artifact_prefix="$adir/")
	[ "$runs" -gt 0 ] && args+=(-runs="$runs")
	[ "$seconds" -gt 0 ] && args+=(-max_total_time="$seconds")
	args+=("${extra[@]}" "$cdir")
	seeds=$here/tests/fuzz/corpus/$t
	[ -d "$seeds" ] && args+=("$seeds")

	echo "fuzz-long: $t: runs=${runs/#0/unlimited} seconds=${seconds/#0/unlimited}," \
		"corpus $cdir, artifacts $adir, log $log"
	before=$(find "$adir" -type f | sort)
	t0=$(date +%s)
	pin=()
	[ -n "$cpu" ] && pin=(taskset -c "$cpu")
	"${pin[@]}" nice -n "$niceness" "$bindir/$t" "${args[@]}" >"$log" 2>&1
	rc=$?
	t1=$(date +%s)

	execs=$(stat_of "$log" number_of_executed_units)
	eps=$(stat_of "$log" average_exec_per_sec)
	# libFuzzer says 0 exec/s for a run shorter than a second
	[ "${eps:-0}" = 0 ] && [ -n "$execs" ] && eps=$((execs / (t1 - t0 > 0 ? t1 - t0 : 1)))
	last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
	cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
	ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
	nfiles=$(find "$cdir" -type f | wc -l)
	kib=$(du -sk "$cdir" | cut -f1)
	new=$(comm -13 <(echo "$before") <(find "$adir" -type f | sort) | grep -v '^$')
	# libFuzzer's slow-unit-* files: an input that took over 10 s
	# (-report_slow_units) but ended; said so, never taken for a finding
	slow=$(grep '/slow-unit-[^/]*$' <<<"$new" | tr '\n' ' ')
	new=$(grep -v '/slow-unit-[^/]*$' <<<"$new" | tr '\n' ' ')
	new=${new% }
	kind='' interrupted=''
	if grep -q 'ERROR: libFuzzer: timeout' "$log"; then kind=timeout
	elif grep -q 'ERROR: libFuzzer: out-of-memory' "$log"; then kind=oom
	elif grep -q 'ERROR: LeakSanitizer' "$log"; then kind=leak
	elif grep -qE 'ERROR: (libFuzzer|AddressSanitizer|UndefinedBehaviorSanitizer)|runtime error:' "$log"; then kind=crash
	elif [ "$rc" -eq 72 ] && grep -q 'libFuzzer: run interrupted' "$log"; then
		# stopped by a signal (libFuzzer's -interrupted_exitcode): not
		# a finding; the corpus is kept, a later run goes on from it
		interrupted=1
	elif [ "$rc" -ne 0 ]; then kind="exit $rc"
	fi
	result=${kind:-ok}
	[ -n "$interrupted" ] && result=interrupted
	[ -n "$kind" ] && found=1
	row=$(printf "$row_fmt" "$t" "${execs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" \
		"$nfiles files/${kib}K" "$result${new:+ $new}${slow:+ (slow input: ${slow% })}")
	rows+=("$row")
	echo "fuzz-long: $t: $((t1 - t0)) s, exit $rc"
	printf '%s\n' "$row"
	if [ -n "$kind" ]; then
		echo "fuzz-long: $t found a $kind; artifact(s): ${new:-none written}; see $log"
		grep -m1 -E 'ERROR: |runtime error:' "$log" | sed 's/^/    /'
	fi
done

{
	echo "fuzz-long: $started, $(uname -n), $(nproc) cores; runs=$runs seconds=$seconds (0 = no limit)"
	# shellcheck disable=SC2059
	printf "$row_fmt" target executions exec/s cov ft corpus result
	printf '%s\n' "${rows[@]}"
} | tee "$summary"
exit "$found"
