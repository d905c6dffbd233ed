#!/bin/sh
# hupcc exits non-zero with a clear message on every error, and reports a
# program the host would reject at its C source line.
#   hupcc_errors.sh HUPCC SRCDIR WORKDIR
set -u
HUPCC=$1 SRC=$2 WORK=$3
mkdir -p "$WORK" && cd "$WORK" || exit 1
fails=0

# expect STATUS PATTERN -- command...: exit status and a stderr line.
expect() {
	want=$1 pat=$2; shift 3
	"$@" >out.txt 2>err.txt
	got=$?
	if [ "$got" -ne "$want" ] ||
	   { [ -n "$pat" ] && ! grep -q -- "$pat" err.txt; }; then
		echo "FAIL: $* -> exit $got (want $want), stderr:"; cat err.txt
		fails=$((fails + 1))
	else
		echo "ok: $* -> $got: $(grep -m1 -- "$pat" err.txt)"
	fi
}

printf '#include <hyperupcall.h>\nHUP_TRACE() int p(struct hup_trace_ctx *c) { return c->vcpu; }\n' > good.c
printf 'int broken( {\n' > broken.c
# A reference to global data: the host has none; reported at line 4.
printf '#include <hyperupcall.h>\nstatic volatile long counter;\nHUP_TRACE() int p(struct hup_trace_ctx *c)\n{ counter += c->vcpu; return 0; }\n' > global.c
# A loop the verifier must reject (a real back-edge).
printf '#include <hyperupcall.h>\nHUP_QUERY() long q(struct hup_query_ctx *c)\n{\n\tlong s = 0, *p = HUP_GPTR(long, c->arg[1]);\n#pragma nounroll\n\tfor (__u64 i = 0; i < c->arg[0]; i++) s ^= p[i & 7];\n\treturn s;\n}\n' > loop.c

expect 2 "no input file" -- "$HUPCC"
expect 2 "unknown option '--bogus'" -- "$HUPCC" --bogus good.c
expect 3 "cannot read missing.c" -- "$HUPCC" missing.c
expect 2 "-O0 is not supported" -- "$HUPCC" -O0 good.c
expect 3 "HUPCC_CLANG=/nonexistent/clang is not an executable" -- env HUPCC_CLANG=/nonexistent/clang "$HUPCC" good.c
expect 3 "HUPCC_PLUGIN=/nonexistent.so does not exist" -- env HUPCC_PLUGIN=/nonexistent.so "$HUPCC" good.c
expect 1 "compilation of broken.c failed" -- "$HUPCC" broken.c
# Over the stack: clang's advice (per-cpu array maps, -mllvm
# -bpf-stack-size) does not apply to hyperupcalls; hupcc's does.
printf '#include <hyperupcall.h>\nHUP_QUERY() long q(struct hup_query_ctx *c)\n{\n\tchar b[600];\n\tfor (int i = 0; i < 600; i++) b[i] = (char)c->arg[i & 3];\n\thup_output(b, sizeof(b));\n\treturn 0;\n}\n' > stack.c
expect 1 "stack.c:6:.*512-byte stack and no maps: use smaller buffers, or hup_output() the data in pieces" -- "$HUPCC" stack.c
if grep -q "per-cpu array map\|bpf-stack-size" err.txt; then
	echo "FAIL: clang's map advice reached the user:"; cat err.txt
	fails=$((fails + 1))
fi
expect 1 "global.c:4:.*error: reference to global data" -- "$HUPCC" global.c
expect 3 "cannot read BTF /nonexistent.btf" -- "$HUPCC" --btf /nonexistent.btf good.c
expect 2 "--gen-vmlinux-h needs --btf" -- "$HUPCC" --gen-vmlinux-h
expect 3 "bpftool could not dump" -- "$HUPCC" --gen-vmlinux-h --btf good.c -o v.h
if "$HUPCC" --version | grep -q "verifier: libhup"; then
	expect 1 "loop.c:6:.*error: verifier:" -- "$HUPCC" loop.c
	# A rejected program leaves no object behind (a stale one from an
	# earlier build too is gone), so make cannot take it for up to date.
	: > loop.o
	expect 1 "loop.o: rejected and removed" -- "$HUPCC" loop.c -o loop.o
	[ ! -e loop.o ] || { echo "FAIL: rejected loop.o left on disk"; fails=$((fails + 1)); }
	expect 0 "" -- "$HUPCC" --no-verify loop.c -o loop.o
	[ -s loop.o ] || { echo "FAIL: --no-verify did not keep loop.o"; fails=$((fails + 1)); }
fi
# hupcc ended between the compile and the check (^C in make, a crash)
# leaves no object under the output's name, and no temporary one: a clang
# that compiles, then sends hupcc SIGTERM.
CLANG=$(command -v clang-19 || echo /usr/lib/llvm-19/bin/clang)
printf '#!/bin/sh\n"%s" "$@" || exit\nkill -TERM $PPID\n' "$CLANG" > term-clang.sh
chmod +x term-clang.sh && rm -f term.o term.o.*
HUPCC_CLANG=$PWD/term-clang.sh "$HUPCC" good.c -o term.o 2>err.txt
got=$?
if [ "$got" -ne 143 ] || [ -e term.o ] || ls term.o.* >/dev/null 2>&1; then
	echo "FAIL: hupcc killed before its check -> exit $got, left:" term.o*
	fails=$((fails + 1))
else
	echo "ok: hupcc killed before its check left no object"
fi
# -I and -D as separate arguments reach clang intact (an include from a
# directory only -I names, a macro only -D defines).
mkdir -p incdir && printf '#define VCPU_FIELD vcpu\n' > incdir/field.h
printf '#include <hyperupcall.h>\n#include "field.h"\nHUP_TRACE() int p(struct hup_trace_ctx *c) { return c->VCPU_FIELD + EXTRA; }\n' > inc.c
expect 0 "" -- "$HUPCC" -I incdir -D EXTRA=1 inc.c -o inc.o
expect 0 "" -- "$HUPCC" -Iincdir -DEXTRA=1 inc.c -o inc2.o
# A device output is written, never replaced or removed (hupcc checks a
# temporary copy: it cannot read the object back from /dev/null).  Through
# a link, so that a regression removes the link, not the device.
ln -sf /dev/null devnull.o
expect 0 "" -- "$HUPCC" good.c -o devnull.o
[ -L devnull.o ] || { echo "FAIL: the device output was removed"; fails=$((fails + 1)); }
# And the good one compiles, to good.o in the current directory.
expect 0 "" -- "$HUPCC" good.c
[ -s good.o ] || { echo "FAIL: good.o missing"; fails=$((fails + 1)); }

echo "$fails failed"
[ "$fails" -eq 0 ]
