#!/bin/sh
# hupload -v lists each CO-RE relocation as it resolved it (kind, type and
# field or enumerator, value; "not in this kernel" for a missing one) and
# warns about a program with no memory window, whose every guest memory
# access would fault.  tests/kmod/core_macros.c against the hand-made
# kernel of core_macros_btf (and this host's, for an unresolved access).
#   hupload_verbose.sh HUPLOAD CORE_MACROS_BTF CORE_MACROS_O WORKDIR
set -u
HUPLOAD=$1 CMB=$2 OBJ=$3 WORK=$4
mkdir -p "$WORK" && cd "$WORK" || exit 1
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# has PATTERN: a line of err.txt matches
has() {
	if grep -q -- "$1" err.txt; then
		echo "ok: $1"
	else
		fail "no line '$1'"
	fi
}

"$CMB" --write-btf made.btf || exit 1
"$HUPLOAD" prepare -v --btf made.btf "$OBJ" -o cm.hup 2>err.txt ||
	fail "prepare exited $?"
cat err.txt
T='struct task_struct___cm'
has "CO-RE insn [0-9]*: field_exists $T.pid = 1$"
has "CO-RE insn [0-9]*: byte_sz $T.pid = 8$"
has "CO-RE insn [0-9]*: byte_sz $T.comm = 24$"
has "field_exists $T.hup_cm_no_such_field = 0 (not in this kernel)"
has "type_exists $T = 1$"
has "type_size $T = 40$"
has "type_size struct list_head___cm = 16$"
has "type_size struct hup_cm_maybe = 32$"
has "enumval_value enum pid_type___cm::PIDTYPE_SID___cm = 7$"
has "enumval_exists enum pid_type___cm::PIDTYPE_HUP_CM_NONE___cm = 0 (not in this kernel)"
n=$(grep -c "CO-RE insn" err.txt)
[ "$n" -eq 12 ] || fail "$n relocations listed, want 12"
has "warning: core_macros: no memory windows"

# With a window: listed, and no warning.
"$HUPLOAD" prepare -v --window direct --btf made.btf "$OBJ" -o cm.hup \
	2>err.txt || fail "prepare --window exited $?"
has "window direct:r$"
! grep -q "no memory windows" err.txt || fail "warned despite a window"

# --window none asks for no window: no warning.
"$HUPLOAD" prepare -v --window none --btf made.btf "$OBJ" -o cm.hup \
	2>err.txt || fail "prepare --window none exited $?"
has "0 windows$"
! grep -q "no memory windows" err.txt || fail "warned despite --window none"

# The host kernel lacks struct hup_cm_maybe: its size is left unresolved.
if [ -r /sys/kernel/btf/vmlinux ]; then
	"$HUPLOAD" prepare -v "$OBJ" -o cm.hup 2>err.txt ||
		fail "prepare against the host exited $?"
	has "type_exists struct hup_cm_maybe = 0 (not in this kernel)"
	has "type_size struct hup_cm_maybe = ? (not in this kernel: the access must not be reached)"
fi

echo "$fails failed"
[ "$fails" -eq 0 ]
