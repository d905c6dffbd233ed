"""The one classifier of the nested path's environment failures, and its
retry budget: what hupnest may retry, and how each retry is named.

A retry is allowed only for what the emulated CPU (QEMU's TCG under L1,
docs/nested.md) does to a run, never for what our code does; a retried
failure that hides a bug of ours is a bug.  Every rule here comes from
failures seen and named in docs/nested.md's table.  Every retry is logged
by hupnest as one line, "retrying after a hang (attempt N of M): NAME
[CAUSE]", which run-tests.sh counts and repeats in make test's summary.

  hup_vm_flake (SCENARIO_PRELUDE)  inside a scenario: a VMM's exit that is
                                   the CPU model's fault becomes 124
  qemu_l2_reset (SCENARIO_PRELUDE) the harness self-test's QEMU L2 reset
                                   before its init ran
  NO_EXIT                          a hang before the guest's first exit
  GUEST_STALL_PANIC, STALL_PANIC   a guest that panics on its own stall
                                   report, and that panic: a hang
  IMPOSSIBLE_EFLAGS                a register dump no CPU could produce
  HANG_CODES, HANG_ATTEMPTS        which results hupnest re-runs in a fresh
                                   L1, and how often
  L1_BOOT_RETRIES                  stuck L1 boots hupnest boots again
  l1_stall()                       L1's kernel stalled: end L1 at once
  l1_triple_fault()                L1's CPU triple-faulted (QEMU's log)
  hang_cause()                     the cause a retry line names
"""
import re

# An L1 boot that does not reach its READY marker in time is booted again
# this many times (QEMU TCG bugs make ~1 in 15 multi-threaded boots hang).
L1_BOOT_RETRIES = 1

# Result codes that mean "hung" rather than "failed": timed out (124), the
# KVM host died under the scenario (125), never ran (None).
HANG_CODES = (124, 125, None)
# Attempts a hung scenario gets, each in a fresh L1 boot.  Most scenarios
# fail 1-5 % of their attempts (docs/nested.md), but guest-tlb-e2e's (a
# 4-vCPU guest overcommitted on 2, TLB-shootdown IPIs all the time) failed
# 20 of 68 on 2026-12-06: L1's kernel dying on a corrupted stack, L2
# triple faults, an L2 stuck with an interrupt never injected; with or
# without our program, with 5 or 20 ms slices.  At 30 % three attempts
# fail a scenario 2.7 % of the time, and make test ran six of them (CI
# failed so); five brought it to 0.24 %, about 1.5 % a make test.  Since
# 2026-12-07 make test runs nine (pv on every kernel), and the 58th-60th
# fresh runs failed 9 of about 33 TLB attempts, one scenario four times
# in a row: six attempts make it 0.07 % a scenario at 30 %, about 0.7 % a
# make test.  But failures cluster: hyp-6.12-cloud needed five attempts
# in the 68th fresh run and hyp-6.1-rt all six in the 71st (2026-12-07:
# three L2 triple faults, two of them before the guest registered its
# program, and L1's kernel panicking twice), so a scenario's rate in a
# bad stretch is nearer 50 %, at which six attempts fail it 1.6 % of the
# time; eight make that 0.4 %.  A retry costs only when one is needed.
# Every retry is logged and counted in scenario_retries.
HANG_ATTEMPTS = 8

# Prepended to every scenario script, on both paths.
#
# qemu_l2_reset RC CONSOLE MARKER: the harness self-test's L2, a stock
# kernel and busybox under QEMU -enable-kvm -no-reboot in L1, ended with
# QEMU's status 0 and none of its init's MARKER lines on its console: it
# reset before its init ran (-no-reboot turns the reset into QEMU's clean
# exit), a triple fault of the nested CPU model in the L2 kernel's early
# boot, with nothing of ours inside (seen once, the 77th fresh run of
# 2026-12-08: exit 0 after 6 s, an empty console).  QEMU failing to start
# (no KVM) exits 1 and stays a failure.  The self-test then exits 124,
# naming the triple fault.
#
# hup_vm_flake RC STARTED FILE...: whether a VMM's exit status RC, with its
# logs FILEs, is the nested CPU model's fault rather than ours: a KVM
# failure (hupvm's 5) before the guest printed STARTED (a boot that never
# got going), or a triple fault at any point (KVM_EXIT_SHUTDOWN: the vCPU
# is already reset, no guest oops or panic came first); hupvm's timeout
# (124) whose hang report blames the host (backend/hupvm/hang.h); or a
# guest panic (hupvm's 4) on the oops "stack guard page was hit" with no
# hyperupcall program registered: the entry code faulting on its own
# GS-relative reads until it overflows its stack, the oops L1's kernel
# dies of under the same CPU model with none of our code in it
# (docs/nested.md).  With a program registered it stays a failure: a
# program that may write the guest's page tables could cause it.  Also a
# guest panic on the guest kernel's own stall report (STALL_PANIC): a
# guest booted with softlockup_panic=1 and panic_on_rcu_stall=1 (the TLB
# and reclaim scenarios, GUEST_STALL_PANIC) ends a hang 20 s in instead
# of at hupvm's --timeout minutes later; the use-case scenarios retry a
# hang whatever its cause (e2elib's L1_END), and a stall in a run that
# would have gone on fails its bad-dmesg check anyway, so only the wait
# changes.  A scenario exits 124 on it, a hang the harness retries
# (HANG_ATTEMPTS in all, each shown).  And a guest oops whose register
# dump shows an EFLAGS with reserved bits 22-31 set (IMPOSSIBLE_EFLAGS):
# no CPU produces them and no program can write a register, so it is
# TCG's lazily computed flags gone wrong, seen as an L2 double fault
# whose EFLAGS 429663c2 held the low bits of RAX (docs/nested.md).  And
# a timeout with no exit ever handled (NO_EXIT, hupvm's last lines): the
# guest never once left KVM_RUN for hupvm, so it never printed a console
# byte, never loaded our module and never rang the doorbell; it hung in
# its kernel's early boot, on the boot state every scenario's guest gets,
# as the BSP stuck at one rip with KVM exiting it thousands of times a
# second and the APs never started (docs/nested.md, 2026-12-06 and the
# CI run of 2026-12-07).
NO_EXIT = "hupvm: 0 exits handled;"
STALL_PANIC = "Kernel panic - not syncing: (softlockup: hung tasks|RCU Stall)"
IMPOSSIBLE_EFLAGS = "EFLAGS: ([1-9a-f][0-9a-f]{7}|0[1-9a-f][0-9a-f]{6}|00[4-9a-f][0-9a-f]{5})"
GUEST_STALL_PANIC = "softlockup_panic=1 sysctl.kernel.panic_on_rcu_stall=1"
SCENARIO_PRELUDE = r"""hup_vm_flake() {
	local started=$2 rc=$1
	shift 2
	[ "$rc" = 124 ] && { grep -q -e "hang: verdict: host" -e "@NO_EXIT@" "$@"; return; }
	[ "$rc" = 4 ] && grep -q -E "@STALL_PANIC@|@IMPOSSIBLE_EFLAGS@" "$@" && return
	[ "$rc" = 4 ] && { grep -q "stack guard page was hit" "$@" &&
		grep -q "hyperupcalls: 0 registrations" "$@"; return; }
	[ "$rc" = 5 ] || return 1
	! grep -q "$started" "$@" || grep -q "triple fault" "$@"
}
qemu_l2_reset() {
	[ "$1" = 0 ] && ! grep -q "$3" "$2"
}
""".replace("@STALL_PANIC@", STALL_PANIC).replace("@NO_EXIT@", NO_EXIT).replace("@IMPOSSIBLE_EFLAGS@", IMPOSSIBLE_EFLAGS)


# L1's kernel saying one of its CPUs has made no progress for 21 s (an
# RCU stall report) or has not scheduled for over 20 s (a soft lockup
# report, seen alone on 2026-12-07: hupvm's two vCPU threads stuck in
# KVM_RUN for 235 s while three scenarios ran into their timeouts): under
# TCG that CPU is stuck for good (seen in VMRUN with L2 running, which
# then never exits), and waiting for the scenario's deadline only loses
# minutes.  Our code runs in L1's user space and cannot stall its kernel.
# What hupnest writes before the L1 console lines it keeps in a scenario's
# log when L1 died under it.
L1_CONSOLE_HEADER = "hupnest: L1's last console lines:"
L1_STALL = re.compile(r"^.*(rcu: INFO: rcu_\w+ detected stalls on CPUs|"
                      r"watchdog: BUG: soft lockup - CPU#\d+ stuck for \d+s!).*$", re.M)


def l1_stall(console_text):
    """The line of L1's console that says its kernel stalled, or None."""
    m = L1_STALL.search(console_text)
    return m.group(0).strip() if m else None


# L1's QEMU runs with "-d cpu_reset -D FILE": its x86 target logs "Triple
# fault" there when an L1 CPU takes a fault while delivering a double
# fault, and then resets the machine, which -no-reboot turns into QEMU
# exiting with status 0.  L1's console says nothing then (no panic), so
# without this the retry's cause was only "L1 exited (status 0)" (CI's run
# of 2026-12-07).  L1's kernel is not ours.
L1_TRIPLE_FAULT = "Triple fault"
L1_QEMU_LOG_ARGS = ["-d", "cpu_reset", "-D"]


def l1_triple_fault(qemu_log_text):
    """Whether L1's QEMU log (L1_QEMU_LOG_ARGS) records a triple fault."""
    return re.search(rf"^{L1_TRIPLE_FAULT}$", qemu_log_text, re.M) is not None


def to_retry(scenarios, results):
    """The scenarios to run again: those that may be retried (retry_hang)
    and whose result (by name) is a hang."""
    return [sc for sc in scenarios if sc.retry_hang and results[sc.name].rc in HANG_CODES]


def retry_line(attempt, name, output):
    """The line that reports one retry; one per scenario, since make test
    counts these lines (run-tests.sh), and a cause may hold commas."""
    return (f"retrying after a hang (attempt {attempt} of {HANG_ATTEMPTS}): "
            f"{name} [{hang_cause(output)}]")


def hang_cause(output):
    """Why a hung scenario hung, in a few words, from its output: hupvm's
    hang report verdict (backend/hupvm/hang.h), a triple fault or a guest
    panic on a stack guard page, L1 gone or killed (with its kernel's
    panic, from the L1 console lines hupnest keeps), or the scenario's own
    timeout.  Shown in the retry line, so every retry says what it
    retried."""
    guest, _, l1 = output.partition(L1_CONSOLE_HEADER)
    if NO_EXIT in guest:
        return "guest hung in early boot, before its first exit to hupvm"
    m = re.findall(r"hang: verdict: (\w+) \(([^)]*)\)", guest)
    if m:
        return f"{m[-1][0]}: {m[-1][1]}"
    if "triple fault" in guest:
        return "triple fault"
    m = re.search(STALL_PANIC, guest)
    if m:
        what = "soft lockup" if m.group(1).startswith("soft") else "RCU stall"
        return f"guest panic on its own {what} report (a hang, caught early)"
    m = re.search(IMPOSSIBLE_EFLAGS, guest)
    if m and "Kernel panic" in guest:
        return f"guest panic with {m.group(0)} (reserved bits set: the CPU model's flags)"
    if "stack guard page was hit" in guest and "Kernel panic" in guest:
        return "guest panic: stack guard page hit (the CPU model's recursive fault)"
    m = re.findall(r"hupnest: (L1 [^\n]*?|the harness killed L1[^\n]*?) during this scenario",
                   guest)
    if m:
        panic = re.findall(r"Kernel panic - not syncing: ([^\n]*)", l1)
        guard = " after a stack guard page hit" if "stack guard page was hit" in l1 else ""
        return m[-1] + (f"; L1's kernel panicked{guard}: {panic[-1].strip()}" if panic else "")
    if "did not run" in guest or "none of its markers arrived" in guest:
        return "did not run (L1 gone before it)"
    if re.search(r"timed out after \d+", guest):
        return "the scenario's timeout, no hang report"
    return "unknown"
