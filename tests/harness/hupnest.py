#!/usr/bin/env python3
"""hupnest: run test scenarios on a real KVM host, nested if need be.

A scenario is a shell script to run on a KVM host, the files it needs, and a
timeout.  Its script typically boots an L2 guest (a Debian kernel plus an
initramfs) with QEMU -enable-kvm or hupvm and checks what the guest printed.

Two paths:
  direct  the CPU has vmx or svm: scenarios run here, on this /dev/kvm.
  nested  no hardware virtualization: an "L1" Debian VM is booted under
          QEMU's TCG with an emulated SVM CPU, kvm-amd is loaded there, and
          the scenarios run inside L1 on its (real) KVM.

Several scenarios share one L1 boot.  Every wait has a timeout; on expiry the
last console lines are printed, never a silent hang.  hupnest is the
mechanism (boot hosts, run scripts, account for every scenario, return its
status and log); what it may retry is flakes.py's one classifier: a stuck
L1 boot is booted again (L1_BOOT_RETRIES), a scenario that hangs is run
again in a fresh L1, at most HANG_ATTEMPTS times in all, every retry
reported with its cause.

L1 console protocol (serial port 2, "the channel"):
  @@HUP L1-READY uptime=<s>@@
  @@HUP BEGIN <name>@@ ... scenario output ... @@HUP END <name> rc=<n> t=<s>@@
  @@HUP ALL-DONE@@
The host accounts for scenarios by name (Ledger): a lost or garbled marker
costs that scenario's outcome, never another scenario's.

Export (serial port 3, nested; a file, direct): a scenario may hand a
file back to the host, for a benchmark to use natively, by appending to
$HUP_EXPORT a block
  @@EXPORT <tag>@@ <the file gzip'ed, base64> @@EXPORT-END@@
which exports(logdir) decodes afterwards (export_path() is where each L1
boot's blocks land; scenarios that export nothing leave it empty).
"""

import argparse
import base64
import gzip
import hashlib
import json
import os
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import guest_image  # noqa: E402
# The retry policy (one classifier, one budget) is flakes.py's.
from flakes import (HANG_ATTEMPTS, L1_BOOT_RETRIES, L1_CONSOLE_HEADER, L1_QEMU_LOG_ARGS,  # noqa: E402
                    SCENARIO_PRELUDE, l1_stall, l1_triple_fault, retry_line, to_retry)

QEMU = "qemu-system-x86_64"
L1_MEM = "2G"
# Budget is 15 s; beyond 60 s the boot is stuck.  Overridable for tests.
L1_BOOT_TIMEOUT = float(os.environ.get("HUP_L1_BOOT_TIMEOUT", "60"))
# L1's kernel command line; HUP_L1_APPEND adds to it (experiments).
# maxcpus=1: CPU1 comes online only after the KVM keeper holds its VMs
# (docs/nested.md, the L1 livelock).  Measured but not the default:
# HUP_L1_APPEND=tsc=reliable.  L1's TCG TSC derives from the host's, but
# the kernel's sync check fails under emulation and falls back to the
# HPET, making every clock_gettime in L1 a system call plus an emulated
# MMIO read (3.5-4.5 us instead of ~120 ns with it).  With it hupvm-e2e's
# traced/untraced exit-rate ratio was 0.82 (0.59-0.68 without) and
# libhup's per-run cost in L1 5 us (10-16 us); but 2 of 7 hupvm -c 2 boots
# then triple-faulted vCPU 1 early in boot, so the default stays without.
L1_CMDLINE = "console=ttyS0 panic=-1 quiet loglevel=4 maxcpus=1"
# Budgets under nesting (issue: L1 ready <= 15 s, L2 to userspace <= 20 s).
L1_READY_BUDGET_S = 15.0
L2_USERSPACE_BUDGET_S = 20.0
DEFAULT_SCENARIO_TIMEOUT = 120.0
TAIL_LINES = 25
# L1's console kept in a scenario's log when L1 died under it: enough for
# an oops's header above its call trace (the replay scenario's L1 panic of
# 2026-12-06 left only the trace's tail in 25 lines).
L1_DEATH_LINES = 80
# L1 boots that may run side by side ("lanes"), each with its share of a
# run's scenarios; a Harness's `lanes` overrides it.  One TCG L1 keeps this
# 2-core machine 55-80 % busy, and a guest that mostly waits (a 1-vCPU
# guest, a paused one) leaves a host core idle: two lanes ran the replay
# scenarios in 48 s instead of 97.  But two L1s each running a busy 2-vCPU
# guest slow each other far more than twice (reclaim: 70-98 s a scenario
# instead of 20-30), and numbers compared across scenarios need one L1 at
# a time (docs/nested.md), so one lane is the default.  Memory: L1_MEM each.
L1_LANES = int(os.environ.get("HUP_NEST_LANES", "1"))
# L1's QEMU runs at this nice value wherever the harness may raise its
# priority (root, or an RLIMIT_NICE that allows it).  ctest runs the native
# tests beside the one nested test at a time (hup_nested_test in
# tests/CMakeLists.txt): at nice 0 against L1's -15 they get about 3 % of
# a core L1 wants, so they fill the CPU L1 leaves idle.  They still slow
# a busy 2-vCPU guest's test by about 30 % (at -10 and at -15 alike: the
# priority does not share out memory bandwidth and caches); the tests
# whose guests mostly wait lose little (docs/nested.md).
# Where it may not, L1 shares the CPU evenly (slower, and
# HUP_NESTED_EXCLUSIVE=ON at configure time keeps the nested tests alone).
L1_NICE = -15


def l1_nice_allowed(euid=None, nice_limit=None):
    """Whether this process may raise a priority to L1_NICE (not an
    unprivileged user with the default RLIMIT_NICE of 0)."""
    euid = os.geteuid() if euid is None else euid
    if nice_limit is None:
        nice_limit = resource.getrlimit(resource.RLIMIT_NICE)[0]
    # RLIMIT_NICE's ceiling is 20 - limit (RLIM_INFINITY: any)
    return euid == 0 or nice_limit == resource.RLIM_INFINITY or \
        20 - nice_limit <= L1_NICE


def l1_nice_prefix(euid=None, nice_limit=None):
    """The command prefix that starts L1's QEMU at L1_NICE, or [] where
    that is not allowed."""
    return ["nice", "-n", str(L1_NICE)] if l1_nice_allowed(euid, nice_limit) else []

# QEMU firmware for L2 guests launched by QEMU inside L1.
QEMU_FIRMWARE = {
    "/usr/share/seabios/bios-256k.bin": ["usr/share/seabios/bios-256k.bin",
                                         "usr/share/qemu/bios-256k.bin"],
    "/usr/share/qemu/kvmvapic.bin": ["usr/share/qemu/kvmvapic.bin"],
    "/usr/share/qemu/linuxboot_dma.bin": ["usr/share/qemu/linuxboot_dma.bin"],
    "/usr/share/qemu/pvh.bin": ["usr/share/qemu/pvh.bin"],
}

# The L1 init.  Runs as PID 1 under busybox sh.
L1_INIT = r"""#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
/bin/busybox --install -s /bin 2>/dev/null
chan=/dev/ttyS1
# init holds the channel open until it powers off.  The last close of a
# serial port shuts the port down and frees its transmit buffer, and the
# wait for that buffer to drain ends early on any signal.  With a close per
# marker, the last close was init's own (a SIGCHLD from a reaped scenario
# cuts its wait short) or that of a scenario just killed for overrunning its
# timeout (SIGKILL pending): the marker init had just written went unsent.
# The one last close left is bye's, with no child left to signal init.
exec 3> $chan
# A marker starts its own line even if the scenario's last output did not
# end one (a marker glued to output would be lost, and its scenario with it).
say() { printf '\n@@HUP %s@@\n' "$*" >&3; }
bye() { exec 3>&-; poweroff -f; }
# stacks PGID: each thread of process group PGID, its state and kernel
# stack (its own variables: the caller's loop counts in t)
stacks() {
	local pg=$1 proc task
	for proc in /proc/[0-9]*; do
		set -- $(cat $proc/stat 2>/dev/null)
		[ "${5:-}" = "$pg" ] || continue
		for task in $proc/task/*; do
			set -- $(cat $task/stat 2>/dev/null)
			echo "L1: pid ${proc#/proc/} tid $1 $2 state $3 wchan $(cat $task/wchan 2>/dev/null)"
			sed 's/^/L1:     /' $task/stack 2>/dev/null
		done
	done
}
die() { echo "L1: $*"; say "L1-FAILED $*"; bye; }
for m in virt/lib/irqbypass.ko arch/x86/kvm/kvm.ko arch/x86/kvm/kvm-amd.ko; do
	insmod /lib/kvm/$(basename $m) || die "insmod $m failed"
done
[ -c /dev/kvm ] || die "no /dev/kvm after loading kvm-amd"
/bin/kvm-keeper /run/keeper.ready &
n=0
while [ ! -s /run/keeper.ready ]; do
	n=$((n + 1)); [ $n -gt 300 ] && die "kvm-keeper not ready"
	sleep 0.1
done
# CPU1 comes online only now that KVM's static keys are settled.
[ -e /sys/devices/system/cpu/cpu1/online ] && echo 1 > /sys/devices/system/cpu/cpu1/online
say "L1-READY uptime=$(cut -d' ' -f1 /proc/uptime) cpus=$(grep -c ^processor /proc/cpuinfo)"
for dir in $(ls -d /payload/scenarios/*/ 2>/dev/null | sort); do
	name=$(cat $dir/name)
	tmo=$(cat $dir/timeout)
	say "BEGIN $name"
	(cd $dir && HUP_PATH=nested HUP_PAYLOAD=$dir HUP_EXPORT=/dev/ttyS2 exec setsid sh ./run.sh) > $chan 2>&1 < /dev/null 3>&- &
	pid=$!
	t=0
	while kill -0 $pid 2>/dev/null; do
		sleep 1; t=$((t + 1))
		if [ $t -ge $tmo ]; then
			# Into the scenario's log (hang_cause() names it), with
			# what it was doing: each of its threads' state and
			# kernel stack, and hupvm's log when kept apart.
			{ echo "L1: scenario $name timed out after $tmo s, killing it"
			  stacks $pid
			  tail -n 40 $dir/hupvm.err 2>/dev/null | sed 's/^/L1: hupvm.err: /'
			} >&3
			kill -KILL -$pid 2>/dev/null; kill -KILL $pid 2>/dev/null
			break
		fi
	done
	wait $pid; rc=$?
	[ $t -ge $tmo ] && rc=124
	# Whatever the scenario left running (setsid: its own process group)
	# must not write into the channel after its END marker.
	kill -KILL -$pid 2>/dev/null
	say "END $name rc=$rc t=$t"
done
say "ALL-DONE"
bye
"""


class HarnessError(Exception):
    pass


def export_path(logdir, lane=0):
    """Where an L1 boot's (or the direct path's) exported blocks land."""
    return os.path.join(logdir, "l1-export.b64" if not lane else f"l1-export-{lane}.b64")


EXPORT_RE = re.compile(r"@@EXPORT (\S+)@@\r?\n(.*?)@@EXPORT-END@@", re.S)


def exports(logdir):
    """{tag: bytes} of every complete export block of the last run (all
    lanes); a block cut short (L1 died) is not one."""
    out = {}
    for name in sorted(os.listdir(logdir)):
        if not (name.startswith("l1-export") and name.endswith(".b64")):
            continue
        text = text_of(os.path.join(logdir, name))
        for tag, body in EXPORT_RE.findall(text):
            try:
                out[tag] = gzip.decompress(base64.b64decode("".join(body.split())))
            except (ValueError, OSError, EOFError) as e:
                raise HarnessError(f"export {tag} in {name} is damaged: {e}")
    return out


def log(msg):
    print(f"hupnest: {msg}", file=sys.stderr, flush=True)


def has_hw_virt():
    try:
        with open("/proc/cpuinfo") as f:
            flags = re.search(r"^flags\s*:(.*)$", f.read(), re.M)
    except OSError:
        return False
    fl = flags.group(1).split() if flags else []
    return ("vmx" in fl or "svm" in fl) and os.access("/dev/kvm", os.R_OK | os.W_OK)


def read_new(path, pos, whole_lines=False):
    """(the bytes of path from offset pos on, the offset after them); with
    whole_lines, only up to the last newline (the rest is read next time)."""
    with open(path, "rb") as f:
        f.seek(pos)
        data = f.read()
    if whole_lines:
        data = data[:data.rfind(b"\n") + 1]
    return data, pos + len(data)


def text_of(path):
    """A file's text, "" if it cannot be read (QEMU never wrote it)."""
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return ""


def tail(path, n=TAIL_LINES):
    try:
        with open(path, "rb") as f:
            text = f.read().decode(errors="replace")
    except OSError:
        return "(no output)"
    return excerpt(text, n)


# A guest kernel's console line, and the first sign of its trouble.
KERNEL_LINE = re.compile(r"^\[\s*\d+\.\d+\] ")
KERNEL_TROUBLE = re.compile(r"Kernel panic|BUG|Oops|WARNING|general protection|"
                            r"Call Trace|watchdog|rcu_|stall|segfault")
KERNEL_LINES = 40


def excerpt(text, n=TAIL_LINES):
    """A failed scenario's story: its last n lines and, when its output
    goes on past the guest kernel's first complaint (a panic is often
    followed by the host side's own lines), up to KERNEL_LINES of the
    kernel's console lines from that complaint on."""
    lines = text.splitlines()
    head = lines[:-n] if n else lines
    kern = [l for l in head if KERNEL_LINE.match(l)]
    first = next((i for i, l in enumerate(kern) if KERNEL_TROUBLE.search(l)), None)
    out = []
    if first is not None:
        out.append("    guest kernel, from its first complaint:")
        out += ["    | " + l for l in kern[first:first + KERNEL_LINES]]
        out.append("    last lines:")
    out += ["    | " + l for l in lines[-n:]] if n else []
    return "\n".join(out) or "    | (empty)"


class Scenario:
    """What to run on the KVM host.

    script: sh commands, run in the scenario directory ($HUP_PAYLOAD) with
            $HUP_PATH (nested|direct), $HUP_L2_KERNEL (the default guest
            kernel) and $HUP_QEMU_BIOS set.
    files:  {relative destination: source path} carried into that directory.
    """

    def __init__(self, name, script, files=None, timeout=DEFAULT_SCENARIO_TIMEOUT,
                 retry_hang=True):
        # retry_hang: a scenario that hung (timed out) or whose KVM host died
        # under it is run again in a fresh host boot (HANG_ATTEMPTS in all),
        # and every retry is reported.  QEMU's TCG has known rare hangs (docs/nested.md); a wrong
        # result is never retried.
        self.retry_hang = retry_hang
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
            raise HarnessError(f"scenario name {name!r}: use [A-Za-z0-9_.-]")
        self.name = name
        self.script = script
        self.files = dict(files or {})
        self.timeout = int(timeout)
        for dst, src in self.files.items():
            if dst.startswith("/") or ".." in dst.split("/"):
                raise HarnessError(f"{name}: destination {dst!r} must be relative")
            if not os.path.exists(src):
                raise HarnessError(f"{name}: file {src} does not exist")

    @classmethod
    def from_json(cls, path):
        with open(path) as f:
            d = json.load(f)
        base = os.path.dirname(os.path.abspath(path))
        files = {k: os.path.join(base, v) for k, v in d.get("files", {}).items()}
        script = d["script"]
        if isinstance(script, list):
            script = "\n".join(script)
        return cls(d["name"], script, files, d.get("timeout", DEFAULT_SCENARIO_TIMEOUT))


class Result:
    def __init__(self, name):
        self.name = name
        self.rc = None
        self.log = None
        self.seconds = None
        self.output = ""
        # (seconds since the scenario started, line) as lines arrived on the
        # host: lets tests time events inside L1/L2 on the host's clock.
        self.lines = []

    def first(self, pattern):
        """Host-clock arrival time of the first line matching pattern."""
        for t, line in self.lines:
            if re.search(pattern, line):
                return t
        return None

    @property
    def ok(self):
        return self.rc == 0


class Run:
    """Outcome of one harness run: path, per-scenario results, timings."""

    def __init__(self, path):
        self.path = path
        self.results = []
        self.l1_ready_s = None
        self.l1_retries = 0
        self.scenario_retries = []  # names of scenarios re-run after a hang
        self.wall_s = None


def split_lanes(scenarios, lanes):
    """Scenarios dealt round-robin to at most `lanes` L1 boots, in their
    order; never an empty lane."""
    n = max(1, min(lanes, len(scenarios)))
    return [scenarios[i::n] for i in range(n)]


def merge_runs(runs, scenarios):
    """The lanes' Runs as one, results in the order of scenarios."""
    order = {sc.name: i for i, sc in enumerate(scenarios)}
    m = Run(runs[0].path)
    m.results = sorted((r for run in runs for r in run.results), key=lambda r: order[r.name])
    ready = [run.l1_ready_s for run in runs if run.l1_ready_s is not None]
    m.l1_ready_s = max(ready) if ready else None
    m.l1_retries = sum(run.l1_retries for run in runs)
    m.scenario_retries = [n for run in runs for n in run.scenario_retries]
    return m


# A marker as say() writes it; anything else on the channel is output.
# A marker cut short and glued to the next one ("@@HUP BEG@@HUP BEGIN b@@")
# must not swallow the latter's opening "@@".
MARKER = re.compile(r"@@HUP ([^@\n]*)@@(?!HUP )")


def channel_events(text, final=False):
    """Split channel text into events: ("line", text) for a line of scenario
    output, ("marker", body) for each marker.  A marker is found anywhere in
    a line, with output glued before or after it kept as lines of their
    own.  Returns (events, rest): rest is an unfinished last line, to be
    prepended to the next chunk (or passed with final=True once L1 is gone).
    Pure: the host-side protocol is tested from text alone."""
    lines = text.split("\n")
    rest = lines.pop()
    if final and rest:
        lines.append(rest)
        rest = ""
    events = []
    for line in lines:
        line = line.rstrip("\r")
        pos = 0
        for m in MARKER.finditer(line):
            if line[pos:m.start()].strip():
                events.append(("line", line[pos:m.start()]))
            events.append(("marker", m.group(1)))
            pos = m.end()
        if pos == 0 or line[pos:].strip():
            events.append(("line", line[pos:]))
    return events, rest


class Ledger:
    """Which scenario an L1 boot ran, finished or was under, by name.

    L1 runs its payload in order and says BEGIN and END around each
    scenario, but a marker can be lost or garbled, and L1 can die anywhere.
    So a result is keyed by the scenario's name, never by how many markers
    came before it: an END whose BEGIN was lost still finishes its own
    scenario, a BEGIN whose predecessor's END was lost closes that one as
    unknown, and a scenario L1 went past without any marker of its own is
    accounted as unknown too, not run a second time.  Unknown (rc None) and
    died-under (125) are outcomes for Harness.run's hang classifier.

    Pure: times are passed in, messages for the log are returned."""

    def __init__(self, scenarios, t0=0.0, echo=None):
        self.t0 = t0               # host time L1 was started
        self.order = [s.name for s in scenarios]
        self.timeouts = {s.name: s.timeout for s in scenarios}
        self.echo = echo           # called with (name, line) as output arrives
        self.results = {}          # name -> Result, in the order they ended
        self.cur = None            # Result of the scenario L1 is running
        self.cur_start = None
        self.orphans = []          # output seen outside any scenario
        self.reached = -1          # furthest scenario (index) L1 said it ran
        self.ready_s = None        # L1 start to L1-READY, host clock
        self.all_done = False
        self.failed = None
        self.last_event = None

    def feed(self, events, now):
        """Account for channel events that arrived at host time now."""
        msgs = []
        for kind, body in events:
            self.last_event = now
            if kind == "line":
                self._line(body, now)
                continue
            word, _, arg = body.partition(" ")
            if word == "L1-READY":
                self.ready_s = now - self.t0
                msgs.append(f"L1 ready in {self.ready_s:.1f} s ({arg})")
            elif word == "L1-FAILED":
                self.failed = arg
            elif word == "BEGIN" and self._known(arg, body, msgs):
                self._begin(arg, now, msgs)
            elif word == "END" and self._known(arg.split(" ")[0], body, msgs):
                self._end(arg, now, msgs)
            elif body == "ALL-DONE":
                self.all_done = True
                self._lost_end(now, msgs)
                self._skipped_up_to(len(self.order), msgs)
            elif word not in ("BEGIN", "END"):
                msgs.append(f"unknown channel marker {body!r} taken as output")
                self._line(f"@@HUP {body}@@", now)
        return msgs

    def _line(self, line, now):
        if self.cur is None:
            self.orphans.append(line)
            return
        self.cur.output += line + "\n"
        self.cur.lines.append((round(now - self.cur_start, 2), line))
        if self.echo:
            self.echo(self.cur.name, line)

    def _known(self, name, body, msgs):
        """Whether a BEGIN/END marker names a scenario still to account for."""
        if name not in self.timeouts:
            msgs.append(f"garbled channel marker {body!r} ignored")
            return False
        if name in self.results:
            msgs.append(f"marker {body!r} for {name}, already accounted, ignored")
            return False
        return True

    def _begin(self, name, now, msgs):
        self._lost_end(now, msgs)
        self._skipped_up_to(self.order.index(name), msgs)
        self.cur, self.cur_start = Result(name), now
        self.orphans = []
        msgs.append(f"scenario {name}: started")

    def _end(self, arg, now, msgs):
        name = arg.split(" ")[0]
        if self.cur is not None and self.cur.name != name:
            self._lost_end(now, msgs)
        if self.cur is None:
            # Its BEGIN was lost: the output since the last marker is its.
            msgs.append(f"scenario {name}: BEGIN marker lost; its END still counts")
            self._skipped_up_to(self.order.index(name), msgs)
            self.cur, self.cur_start = Result(name), None
            self.cur.output = "".join(l + "\n" for l in self.orphans)
            self.cur.output += "hupnest: this scenario's BEGIN marker was lost\n"
            self.cur.lines = [(None, l) for l in self.orphans]
            self.orphans = []
        rc = re.search(r"\brc=(\d+)", arg)
        t = re.search(r"\bt=(\d+)", arg)
        if rc is None:
            self.cur.output += "hupnest: END marker without a readable rc: outcome unknown\n"
        self._finish(int(rc.group(1)) if rc else None, now,
                     int(t.group(1)) if t and self.cur_start is None else None)

    def _finish(self, rc, now, seconds=None):
        r = self.cur
        r.rc = rc
        r.seconds = seconds if self.cur_start is None else round(now - self.cur_start, 1)
        self.results[r.name] = r
        self.reached = max(self.reached, self.order.index(r.name))
        self.cur = self.cur_start = None
        self.orphans = []

    def _lost_end(self, now, msgs):
        if self.cur is not None:
            msgs.append(f"scenario {self.cur.name}: END marker lost; outcome unknown")
            self.cur.output += "\nhupnest: this scenario's END marker was lost: outcome unknown\n"
            self._finish(None, now)

    def _skipped_up_to(self, index, msgs):
        """L1 runs scenarios in order: those before index without a result
        ran with both markers lost."""
        for name in self.order[self.reached + 1:index]:
            if name not in self.results:
                msgs.append(f"scenario {name}: no marker of its own arrived; outcome unknown")
                r = Result(name)
                r.output = "hupnest: L1 ran this scenario but none of its markers arrived\n"
                self.results[name] = r
        self.reached = max(self.reached, index)

    def l1_gone(self, rc, why, now, console=""):
        """L1 exited or was killed: the scenario it was under ends with rc.
        console: L1's last console lines, kept in the scenario's output (a
        retry's next L1 overwrites l1-console.log)."""
        if self.cur is not None:
            self.cur.output += f"\nhupnest: {why} during this scenario\n"
            if console:
                self.cur.output += L1_CONSOLE_HEADER + "\n" + console + "\n"
            self._finish(rc, now)

    def deadline(self):
        """Host time by which L1 must say something more."""
        if self.cur is not None:
            return self.cur_start + self.timeouts[self.cur.name] + 30
        return self.last_event + 60

    def pending(self):
        """Names of the scenarios L1 never reached, in order."""
        return self.order[self.reached + 1:]


def _run_script(sc, workdir, env):
    """Run one scenario script here (direct path); returns (rc, output)."""
    d = os.path.join(workdir, sc.name)
    os.makedirs(d, exist_ok=True)
    for dst, src in sc.files.items():
        p = os.path.join(d, dst)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        shutil.copy(src, p)
    with open(os.path.join(d, "run.sh"), "w") as f:
        f.write(SCENARIO_PRELUDE + sc.script)
    e = dict(os.environ, HUP_PATH="direct", HUP_PAYLOAD=d, **env)
    p = subprocess.Popen(["sh", "./run.sh"], cwd=d, env=e, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=sc.timeout)
        return p.returncode, out.decode(errors="replace")
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        text = out.decode(errors="replace")
        return 124, text + f"\nhupnest: scenario {sc.name} timed out after {sc.timeout} s\n"


class Harness:
    def __init__(self, cache=None, kernel="6.1", flavour="cloud-amd64",
                 logdir=None, force_nested=False, verbose=False, lanes=None):
        self.cache = cache or guest_image.default_cache()
        self.lanes = max(1, L1_LANES if lanes is None else lanes)
        self.kernel_spec = kernel
        self.flavour = flavour
        self.logdir = logdir or os.path.join(self.cache, "logs")
        self.force_nested = force_nested
        self.verbose = verbose
        os.makedirs(self.logdir, exist_ok=True)

    # -- L1 image ---------------------------------------------------------

    def _keeper(self):
        src = os.path.join(HERE, "kvm_keeper.c")
        with open(src, "rb") as f:
            h = hashlib.sha256(f.read()).hexdigest()[:16]
        out = os.path.join(self.cache, "l1", f"kvm-keeper-{h}")
        if not os.path.exists(out):
            os.makedirs(os.path.dirname(out), exist_ok=True)
            r = subprocess.run(["cc", "-static", "-O2", "-Wall", "-o", out + ".tmp", src],
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise HarnessError(f"building kvm-keeper failed:\n{r.stderr}")
            os.replace(out + ".tmp", out)
        return out

    def l1_image(self, kernel):
        """The cached L1 base initramfs for this kernel: busybox, KVM modules,
        QEMU for L2, kvm-keeper and the default L2 kernel."""
        qemu = shutil.which(QEMU)
        if not qemu:
            raise HarnessError(f"{QEMU} not found: run scripts/install-deps.sh")
        keeper = self._keeper()
        mods = [kernel.module(m) for m in ("virt/lib/irqbypass.ko", "arch/x86/kvm/kvm.ko",
                                           "arch/x86/kvm/kvm-amd.ko")]
        inputs = [qemu, keeper, kernel.vmlinuz, *mods, *QEMU_FIRMWARE]
        h = hashlib.sha256(L1_INIT.encode())
        for p in inputs:
            st = os.stat(p)
            h.update(f"{os.path.realpath(p)}:{st.st_size}:{int(st.st_mtime)}".encode())
        out = os.path.join(self.cache, "l1", f"l1-{kernel.release}-{h.hexdigest()[:16]}.cpio")
        if os.path.exists(out):
            return out
        t0 = time.monotonic()
        img = guest_image.Initramfs()
        img.add_busybox(L1_INIT)
        for m in mods:
            img.add_file(m, "lib/kvm/" + os.path.basename(m))
        img.add_file(keeper, "bin/kvm-keeper", 0o755)
        img.add_elf(qemu, "usr/bin/" + QEMU)
        for src, dsts in QEMU_FIRMWARE.items():
            for dst in dsts:
                img.add_file(os.path.realpath(src), dst, 0o644)
        img.add_file(kernel.vmlinuz, "guest/vmlinuz")
        img.add_dir("payload/scenarios")
        for old in os.listdir(os.path.dirname(out)):
            if old.startswith(f"l1-{kernel.release}-") and old.endswith(".cpio"):
                os.unlink(os.path.join(os.path.dirname(out), old))
        img.write(out)
        log(f"built L1 image {os.path.basename(out)} in {time.monotonic() - t0:.1f} s")
        return out

    def _payload(self, scenarios):
        img = guest_image.Initramfs()
        for i, sc in enumerate(scenarios):
            base = f"payload/scenarios/{i:03d}-{sc.name}"
            img.add_bytes(f"{base}/name", sc.name.encode() + b"\n")
            img.add_bytes(f"{base}/timeout", f"{sc.timeout}\n".encode())
            script = ("export HUP_L2_KERNEL=/guest/vmlinuz "
                      "HUP_QEMU_BIOS=/usr/share/seabios/bios-256k.bin\n"
                      + SCENARIO_PRELUDE + sc.script)
            img.add_bytes(f"{base}/run.sh", script.encode(), 0o755)
            for dst, src in sc.files.items():
                img.add_file(src, f"{base}/{dst}")
        return img.to_bytes()

    # -- running ----------------------------------------------------------

    def run(self, scenarios):
        if not scenarios:
            raise HarnessError("no scenarios")
        names = [s.name for s in scenarios]
        if len(set(names)) != len(names):
            raise HarnessError("scenario names must be unique")
        t0 = time.monotonic()
        for name in os.listdir(self.logdir):
            if name.startswith("l1-export") and name.endswith(".b64"):
                os.unlink(os.path.join(self.logdir, name))
        for lane in range(self.lanes):
            open(export_path(self.logdir, lane), "w").close()
        kernel = guest_image.fetch(self.kernel_spec, self.flavour, self.cache, headers=False)
        run = self._run_lanes(scenarios, kernel)
        for attempt in range(2, HANG_ATTEMPTS + 1):
            res = {r.name: r for r in run.results}
            hung = to_retry(scenarios, res)
            if not hung:
                break
            for sc in hung:
                log(retry_line(attempt, sc.name, res[sc.name].output))
            again = self._run_lanes(hung, kernel)
            for r in again.results:
                old = next(x for x in run.results if x.name == r.name)
                with open(os.path.join(self.logdir, f"{r.name}.try{attempt - 1}.log"), "w") as f:
                    f.write(old.output)
                run.results[run.results.index(old)] = r
                run.scenario_retries.append(r.name)
            run.l1_retries += again.l1_retries
        run.wall_s = time.monotonic() - t0
        for r in run.results:
            path = os.path.join(self.logdir, f"{r.name}.log")
            with open(path, "w") as f:
                f.write(r.output)
            r.log = path
            verdict = "ok" if r.ok else f"FAILED (rc={r.rc})"
            log(f"scenario {r.name}: {verdict} in {r.seconds if r.seconds is not None else '?'} s, log {path}")
            if not r.ok:
                print(f"--- last lines of {r.name} ---\n" + tail(path), file=sys.stderr)
        log(f"path={run.path} wall={run.wall_s:.1f}s"
            + (f" l1_ready={run.l1_ready_s:.1f}s l1_retries={run.l1_retries}"
               if run.path == "nested" else "")
            + f" scenario_retries={len(run.scenario_retries)}")
        return run

    def _run_lanes(self, scenarios, kernel):
        """One pass over scenarios, on up to self.lanes L1s at once (the
        nested path only)."""
        lanes = split_lanes(scenarios, self.lanes)
        if len(lanes) == 1 or (has_hw_virt() and not self.force_nested):
            return self._run_once(scenarios, kernel)
        self.l1_image(kernel)  # built once, before the lanes share it
        runs, errors = [None] * len(lanes), []

        def lane(i):
            try:
                runs[i] = self._run_once(lanes[i], kernel, lane=i)
            except BaseException as e:  # re-raised below, in the caller
                errors.append(e)
        threads = [threading.Thread(target=lane, args=(i,)) for i in range(len(lanes))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        return merge_runs(runs, scenarios)

    def _run_once(self, scenarios, kernel, lane=0):
        """One pass over scenarios: every scenario gets a Result."""
        if has_hw_virt() and not self.force_nested:
            log("path: direct (this CPU has vmx/svm; scenarios run on this /dev/kvm)")
            run = self._run_direct(scenarios, kernel)
        else:
            log("path: nested (no vmx/svm here: L1 = %s under TCG with -cpu max, "
                "scenarios run on L1's kvm-amd)%s" % (kernel.release,
                                                        f", lane {lane}" if lane else ""))
            run = self._run_nested(scenarios, kernel, lane)
        ran = {r.name for r in run.results}
        for sc in scenarios:
            if sc.name not in ran:
                r = Result(sc.name)
                r.output = "hupnest: scenario did not run (its KVM host died before it)\n"
                run.results.append(r)
        return run

    def _run_direct(self, scenarios, kernel):
        run = Run("direct")
        work = tempfile.mkdtemp(prefix="hupnest.")
        env = {"HUP_L2_KERNEL": kernel.vmlinuz,
               "HUP_QEMU_BIOS": "/usr/share/seabios/bios-256k.bin",
               "HUP_EXPORT": export_path(self.logdir)}
        try:
            for sc in scenarios:
                res = Result(sc.name)
                t = time.monotonic()
                res.rc, res.output = _run_script(sc, work, env)
                # The direct path collects output at the end: no arrival times.
                res.lines = [(None, l) for l in res.output.splitlines()]
                res.seconds = round(time.monotonic() - t, 1)
                run.results.append(res)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return run

    def _run_nested(self, scenarios, kernel, lane=0):
        base = self.l1_image(kernel)
        payload = self._payload(scenarios)
        work = tempfile.mkdtemp(prefix="hupnest.")
        initrd = os.path.join(work, "l1.cpio")
        with open(base, "rb") as src, open(initrd, "wb") as dst:
            shutil.copyfileobj(src, dst)
            dst.write(payload)
        run = Run("nested")
        pending = list(scenarios)
        attempts = 0
        try:
            while pending:
                attempts += 1
                ledger, stuck_boot = self._boot_l1(kernel, initrd, pending, run, work,
                                                   attempts, lane)
                if stuck_boot:
                    if run.l1_retries >= L1_BOOT_RETRIES:
                        raise HarnessError("L1 failed to boot twice; giving up")
                    run.l1_retries += 1
                    log(f"L1 boot stuck; retrying ({run.l1_retries}/{L1_BOOT_RETRIES})")
                    continue
                run.results += ledger.results.values()
                # By name: what this L1 reached is accounted for (finished,
                # died under, or unknown), whatever markers were lost; the
                # rest go to a fresh L1.  Only when it reached nothing (it
                # died between scenarios) is the next one given up as not
                # run, so that the loop always progresses.
                left = set(ledger.pending())
                pending = [sc for sc in pending if sc.name in left]
                if pending:
                    if ledger.results:
                        last = next(reversed(ledger.results))
                        log(f"L1 stopped after {last} "
                            f"({'ALL-DONE' if ledger.all_done else 'no ALL-DONE'}); "
                            f"continuing with a new L1 for " + ", ".join(s.name for s in pending))
                    else:
                        failed = pending.pop(0)
                        log(f"L1 died before {failed.name}; continuing with a new L1")
                    if pending:
                        payload = self._payload(pending)
                        with open(base, "rb") as src, open(initrd, "wb") as dst:
                            shutil.copyfileobj(src, dst)
                            dst.write(payload)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return run

    def _boot_l1(self, kernel, initrd, scenarios, run, work, attempt, lane=0):
        """One L1 boot running scenarios in order.  Returns (its Ledger,
        whether the boot itself got stuck)."""
        console = os.path.join(self.logdir, "l1-console.log" if not lane
                               else f"l1-console-{lane}.log")
        chan = os.path.join(work, f"chan-{attempt}.log")
        qlog = os.path.join(work, f"qemu-{attempt}.log")
        export = export_path(self.logdir, lane)
        cmd = l1_nice_prefix() + [QEMU, "-accel", "tcg,thread=multi", "-cpu", "max", "-smp", "2",
               "-m", L1_MEM, "-nodefaults", "-display", "none", "-no-reboot",
               "-serial", f"file:{console}", "-serial", f"file:{chan}",
               # appended to: a retried scenario's L1 keeps the earlier
               # boots' blocks (run() empties it once)
               "-chardev", f"file,id=hupexport,append=on,path={export.replace(',', ',,')}",
               "-serial", "chardev:hupexport",
               *L1_QEMU_LOG_ARGS, qlog,
               "-kernel", kernel.vmlinuz, "-initrd", initrd,
               "-append", " ".join(filter(None, [
                   L1_CMDLINE, os.environ.get("HUP_L1_APPEND", "")]))]
        if self.verbose:
            log("L1: " + " ".join(shlex.quote(c) for c in cmd))
        open(chan, "w").close()
        # emptied here, not only by QEMU: the stall watch must never read
        # the previous boot's console
        open(console, "w").close()
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        echo = (lambda name, line: print(f"  [{name}] {line}", file=sys.stderr)) \
            if self.verbose else None
        ledger = Ledger(scenarios, t0, echo)
        rest = ""
        pos = cpos = 0
        try:
            while True:
                # Polled before the read: once QEMU has exited, this read
                # has everything L1 wrote, its last markers included.
                exited = proc.poll() is not None
                data, pos = read_new(chan, pos)
                now = time.monotonic()
                events, rest = channel_events(rest + data.decode(errors="replace"),
                                              final=exited)
                for msg in ledger.feed(events, now):
                    log(msg)
                run.l1_ready_s = ledger.ready_s
                if ledger.failed is not None:
                    raise HarnessError(f"L1 setup failed: {ledger.failed}\n" + tail(console))
                if ledger.all_done:
                    proc.wait(timeout=60)
                    return ledger, False
                if exited:
                    why = f"L1 exited (status {proc.returncode})"
                    if l1_triple_fault(text_of(qlog)):
                        why += ", its CPU triple-faulted (QEMU's log)"
                    ledger.l1_gone(125, why, now, tail(console, L1_DEATH_LINES))
                    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                    if ledger.ready_s is None:
                        raise HarnessError(f"L1 QEMU exited with {proc.returncode} before it was ready:\n"
                                           f"{out.strip()}\n{tail(console)}")
                    return ledger, False
                # whole lines only: a stall line cut by the read is seen
                # in the next one
                ctext, cpos = read_new(console, cpos, whole_lines=True)
                stall = l1_stall(ctext.decode(errors="replace"))
                if stall:
                    log(f"L1 stalled: {stall}")
                    if ledger.ready_s is None:
                        return ledger, True
                    ledger.l1_gone(125, f"L1 stalled ({stall})", now,
                                   tail(console, L1_DEATH_LINES))
                    return ledger, False
                if ledger.ready_s is None:
                    if now > t0 + L1_BOOT_TIMEOUT:
                        log(f"L1 not ready after {L1_BOOT_TIMEOUT:.1f} s; last console lines:\n" + tail(console))
                        return ledger, True
                elif now > ledger.deadline():
                    cur = ledger.cur
                    what = f"scenario {cur.name}" if cur else "L1 between scenarios"
                    log(f"{what} made no progress before its deadline; last console lines:\n"
                        + tail(console) + "\nlast scenario lines:\n"
                        + "\n".join("    | " + l for l in (cur.output.splitlines() if cur else
                                                           ledger.orphans + [rest])[-TAIL_LINES:]))
                    ledger.l1_gone(124, "the harness killed L1 at its deadline", now,
                                   tail(console, L1_DEATH_LINES))
                    return ledger, False
                time.sleep(0.1)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if proc.stdout:
                proc.stdout.close()


# --------------------------------------------------------------------------
# The harness' own self-test scenario: QEMU -enable-kvm as the L2 launcher.

L2_INIT = r"""#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "HUP-L2: init ran, uptime $(cut -d' ' -f1 /proc/uptime) s"
dmesg | grep -m1 'Hypervisor detected' || echo "HUP-L2: no hypervisor line in dmesg"
echo "HUP-L2: cpus $(grep -c ^processor /proc/cpuinfo)"
poweroff -f
"""

SELFTEST_SCRIPT = r"""
set -u
t0=$(cut -d' ' -f1 /proc/uptime)
echo "selftest: launching L2 with QEMU on KVM ($HUP_PATH path)"
set -o pipefail
# The L2 console streams through (and into l2-console.log) as it runs.
qemu-system-x86_64 -enable-kvm -cpu host -m 256M -smp ${L2_SMP:-1} -nodefaults \
	-display none -serial stdio -no-reboot -bios "$HUP_QEMU_BIOS" \
	-kernel "$HUP_L2_KERNEL" -initrd ./l2.cpio \
	-append 'console=ttyS0 panic=-1 quiet loglevel=4' 2>&1 | tee l2-console.log
rc=$?
t1=$(cut -d' ' -f1 /proc/uptime)
echo "selftest: L2 exited with $rc after $(awk "BEGIN{print $t1 - $t0}") s"
if qemu_l2_reset "$rc" l2-console.log 'HUP-L2:'; then
	echo "selftest: L2 reset before its init ran (a triple fault: -no-reboot exits 0)"
	exit 124
fi
grep -q 'Hypervisor detected: KVM' l2-console.log || { echo "selftest: L2 did not run on KVM"; exit 1; }
grep -q 'HUP-L2: init ran' l2-console.log || { echo "selftest: L2 init did not run"; exit 1; }
exit $rc
"""


def selftest_scenarios(cache, count=1):
    img = guest_image.Initramfs()
    img.add_busybox(L2_INIT)
    path = os.path.join(cache, "l2-selftest.cpio")
    img.write(path)
    return [Scenario(f"selftest-qemu-{i + 1}" if count > 1 else "selftest-qemu",
                     SELFTEST_SCRIPT, {"l2.cpio": path}, timeout=120)
            for i in range(count)]


def main(argv=None):
    p = argparse.ArgumentParser(prog="hupnest", description=__doc__.split("\n\n")[0])
    p.add_argument("--cache", help="guest cache (default: $HUP_GUEST_CACHE or build/guest)")
    p.add_argument("--kernel", default="6.1", help="L1 and default L2 kernel series or release")
    p.add_argument("--logdir", help="where scenario logs go (default: CACHE/logs)")
    p.add_argument("--nested", action="store_true", help="force the nested path")
    p.add_argument("-v", "--verbose", action="store_true", help="stream scenario output")
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run scenario JSON files in one KVM host boot")
    r.add_argument("scenarios", nargs="+")
    s = sub.add_parser("selftest", help="boot stock L2 guests with QEMU on KVM and check they ran there")
    s.add_argument("--count", type=int, default=1, help="L2 boots in one L1 boot")
    s.add_argument("--json", help="write timings as JSON to this file")
    a = p.parse_args(argv)
    try:
        h = Harness(cache=a.cache, kernel=a.kernel, logdir=a.logdir,
                    force_nested=a.nested, verbose=a.verbose)
        if a.cmd == "run":
            run = h.run([Scenario.from_json(f) for f in a.scenarios])
        else:
            run = h.run(selftest_scenarios(h.cache, a.count))
            for res in run.results:
                m = re.search(r"L2 exited with \d+ after ([0-9.]+) s", res.output)
                if m:
                    log(f"{res.name}: L2 launch to exit {m.group(1)} s (L1 clock)")
            if a.json:
                with open(a.json, "w") as f:
                    json.dump({"path": run.path, "wall_s": run.wall_s,
                               "l1_ready_s": run.l1_ready_s, "l1_retries": run.l1_retries,
                               "scenarios": [{"name": x.name, "rc": x.rc, "seconds": x.seconds}
                                             for x in run.results]}, f, indent=1)
    except (HarnessError, guest_image.GuestImageError) as e:
        log(f"error: {e}")
        return 2
    failed = [x for x in run.results if not x.ok]
    log(f"{len(run.results) - len(failed)} scenario(s) passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
