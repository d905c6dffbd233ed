"""The tracing use case end to end: a stock Debian guest on hupvm registers
samples/tracing.c and reads the hypervisor's events in its own ftrace trace.

Shared by the e2e test (test_trace_e2e.py) and the demo (demo.py, which
`make demo` runs).  On the KVM host (L1 under the nested harness, or this
machine with VT-x/AMD-V) a scenario boots the guest with hupvm
--control; the guest (l2_trace.sh):
  - loads hyperupcall.ko (built for that exact release) and msr.ko,
  - times port-I/O exits without tracing, registers tracing.o (ksym
    hup_trace_ring resolved to the module's ring), msr_guard.o (vets
    IA32_TSC_AUX), ps.o and dmesg.o (query programs whose task_struct and
    printk ring accesses hupload CO-RE-relocates against
    /sys/kernel/btf/vmlinux), times again,
  - enables hyperupcall:hv_event and writes trace_marker lines (each with
    the guest TSC read around it) before, between and after a workload of
    VMM-handled exits: 64 outb to an unclaimed port, a line on the serial
    port, two WRMSR (one refused),
  - prints the trace, `hupload list`, the ring's counters, the last
    records of /dev/kmsg; waits while L1 runs `hupctl list`/`stats`/`query`
    (ps.o: the guest's task names; dmesg.o: the log's tail, as records and
    JSON);
    unloads the module; waits while L1 checks
    that the programs are gone; powers off (hupvm exit status 0).
Mode "nomodule" boots the same kernel without the module (symbiosis: the
guest runs normally on hupvm).

`check()` turns a scenario's output (an Outcome: guestlog.GuestLog plus
the trace) into a list of problems (empty = pass); assertions never depend
on exact event counts (the ring may overflow, a run may be aborted under
emulation: both are counted and reported).
"""
import json
import os
import re

import e2elib
import hupnest
from e2elib import (CMDLINE, NESTED_RUN_BUDGET_US, SCENARIO_MARGIN_S, VM_TIMEOUT_S,
                    SetupError, fill, kernel, l1_launch, l2_image, read)
from guestlog import GuestLog, g_lines

PORT = 0x2f0          # the workload's unclaimed port (l2_trace.sh)
PORT_COUNT = 64
SERIAL = 0x3f8
SERIAL_TEXT = "hup-serial-workload"
TSC_AUX = 0xc0000103
MSR_VALUES = (0x1234, 0xdead)   # 0xdead is refused by msr_guard.o
MARKERS = ("guest: before the workload", "guest: port I/O done, serial output next",
           "guest: serial done, MSR writes next", "guest: after the workload")
# Converted hv timestamps vs guest markers.  The conversion follows the
# trace clock between two drains' (TSC, clock) pairs, so it is as good as
# that clock is even against the TSC: well under a microsecond on a host
# whose TSC is stable, where the slack only absorbs the pairs' skew.  With
# an unstable sched clock (the nested L1 runs on the HPET) ftrace stamps
# with "global", sched_clock_cpu() held within a tick of the timekeeping
# clock, which strays from the TSC by up to milliseconds when a tick comes
# late; an hv event then lands as far from the guest's lines as those lines
# stray.  So the slack is TS_SLACK_S plus that stray, measured in the same
# run on the markers' own (clock, TSC) pairs (Outcome.stray_s).  The raw
# stamps are checked exactly against the markers' TSCs (tsc_window).
TS_SLACK_S = 200e-6


# Runs on the KVM host.  The guest console streams through tee (the harness
# shows it live); hupvm's log and hupctl's answers go to files printed at
# the end, so they never interleave with console lines.
L1_SCRIPT = r"""
@L1_LAUNCH@
@L1_FUNCS@if [ @MODE@ = trace ]; then
	if waitfor registered; then
		c list; c stats
		ps=$(id_of ps)
		c query ${ps:-none}
		dm=$(id_of dmesg)
		c --obj ./dmesg.o query ${dm:-none}
		c --obj ./dmesg.o --json query ${dm:-none}
	fi
	echo go >&3
	if waitfor unregistered; then c list; fi
	echo go >&3
fi
@L1_END@"""


def initramfs(k, tools, cache, with_module=True):
    """The tracing guest's initramfs (l2_trace.sh, msr.ko, the workload;
    with_module: hyperupcall.ko, hupload and the four samples)."""
    files = {"lib/msr.ko": k.module("arch/x86/kernel/msr.ko"),
             "bin/hup-workload": tools.workload}
    if with_module:
        files.update({"lib/tracing.o": tools.tracing_o, "lib/msr_guard.o": tools.msr_guard_o,
                      "lib/ps.o": tools.ps_o, "lib/dmesg.o": tools.dmesg_o})
    return l2_image("trace" if with_module else "trace-nomodule", k, tools, cache,
                    read(os.path.join(e2elib.HERE, "l2_trace.sh")), files, module=with_module)


def scenario(kname, tools, cache, mode="trace", budget_us=NESTED_RUN_BUDGET_US):
    """A hupnest.Scenario named trace-<kname> (or nomodule-<kname>)."""
    missing = tools.missing()
    if missing:
        raise SetupError("not built: " + ", ".join(missing))
    k = kernel(kname, cache)
    l2 = initramfs(k, tools, cache, with_module=(mode == "trace"))
    budget = f" --run-budget-us {budget_us}" if budget_us else ""
    launch = l1_launch(k.release, f"-c 1 -m 512M --timeout {VM_TIMEOUT_S} -v{budget} "
                       f"-a '{CMDLINE} hup.mode={mode}'", mode=mode)
    script = fill(L1_SCRIPT, L1_LAUNCH=launch, MODE=mode)
    files = {"hupvm": tools.hupvm, "hupctl": tools.hupctl, "vmlinuz": k.vmlinuz,
             "l2.cpio": l2, "dmesg.o": tools.dmesg_o}
    name = f"{'trace' if mode == 'trace' else 'nomodule'}-{kname}"
    return hupnest.Scenario(name, script, files, timeout=VM_TIMEOUT_S + SCENARIO_MARGIN_S,
                            retry_hang=True)


# ---------------------------------------------------------------------------
# Reading a scenario's output

TRACE_RE = re.compile(r"^\s*(?P<task>.+?)-(?P<pid>\d+)\s+\[(?P<cpu>\d+)\]\s+\S+\s+"
                      r"(?P<stamp>\d+\.\d+): (?P<ev>\w+): (?P<rest>.*)$")
HV_RE = re.compile(r"vcpu=(?P<vcpu>\d+) (?P<kind>\w+) (?P<reason>\S+) ts=(?P<ts>\d+\.\d+) "
                   r"delay_us=(?P<delay>\d+) args=(?P<args>[0-9a-f,]+) seq=(?P<seq>\d+)"
                   r"(?: tsc=(?P<tsc>\d+))?")
# hup-workload mark: the guest TSC read before and after a marker's write.
MARK_RE = re.compile(r"^HUP-G: HUP-W: mark tsc (\d+) (\d+) (.*)$", re.M)


class Event:
    """One line of the guest's trace: a guest marker or a hypervisor event."""

    def __init__(self, stamp, source, text, hv=None):
        self.t = stamp            # guest trace clock, seconds
        self.source = source      # "guest" or "hv"
        self.text = text
        self.hv = hv              # dict for hv events

    def describe(self):
        if self.source == "guest":
            return f"trace_marker  {self.text}"
        h = self.hv
        a = h["args"]
        if h["kind"] != "exit":
            return f"{h['kind']} vcpu{h['vcpu']} arg0={a[0]:#x}"
        if h["reason"] == "io":
            d = "out" if a[3] else "in "
            extra = ""
            if a[0] == SERIAL and a[3] and 32 <= a[2] < 127:
                extra = f" '{chr(a[2])}'"
            return f"exit io    {d} port {a[0]:#05x} data {a[2]:#04x}{extra}"
        if h["reason"] in ("msr_write", "msr_read"):
            return f"exit {h['reason']} msr {a[0]:#x} value {a[2]:#x}"
        return f"exit {h['reason']} args {','.join(f'{x:#x}' for x in a)}"


class Outcome(GuestLog):
    """A tracing scenario's output: guestlog.GuestLog (the guest's values,
    hupctl's runs, hupvm's status) and what the guest printed of its trace,
    its ring's counters, `hupload list` and the exit-rate bench."""

    def __init__(self, name, output, rc=None):
        super().__init__(name, output, rc)
        self.events = []          # in trace order (emission)
        for line in g_lines(output, "trace"):
            t = TRACE_RE.match(line)
            if not t:
                continue
            if t.group("ev") == "tracing_mark_write":
                self.events.append(Event(float(t.group("stamp")), "guest", t.group("rest").strip()))
            elif t.group("ev") == "hv_event":
                h = HV_RE.search(t.group("rest"))
                if not h:
                    continue
                hv = h.groupdict()
                hv["args"] = [int(x, 16) for x in hv["args"].split(",")]
                hv["seq"] = int(hv["seq"])
                hv["delay"] = int(hv["delay"])
                hv["tsc"] = int(hv["tsc"]) if hv["tsc"] else None
                self.events.append(Event(float(hv["ts"]), "hv", t.group("rest"), hv))
        self.ring = dict(re.findall(r"^HUP-G: ring: (\w+): (\S+)", output, re.M))
        self.mark_tsc = {m.group(3): (int(m.group(1)), int(m.group(2)))
                         for m in MARK_RE.finditer(output)}
        self.list = g_lines(output, "list")
        self.bench = {}
        for which in ("off", "on"):
            m = re.search(rf"^HUP-G: {which}: HUP-W: bench .*exits_per_s=(\d+)", output, re.M)
            if m:
                self.bench[which] = int(m.group(1))

    # -- derived ------------------------------------------------------------

    def hv(self):
        return [e for e in self.events if e.source == "hv"]

    def marker(self, text):
        return next((e for e in self.events if e.source == "guest" and e.text == text), None)

    def stray_s(self):
        """How far the markers' trace clock strayed from their TSC in this
        run (seconds): the spread of clock - TSC / tsc_khz over the
        markers; 0 without their TSCs."""
        khz = int(self.ring.get("tsc_khz") or 0)
        d = [m.t - sum(self.mark_tsc[m.text]) / 2 / (khz * 1e3)
             for m in (self.marker(t) for t in MARKERS) if m and m.text in self.mark_tsc]
        return max(d) - min(d) if khz and len(d) > 1 else 0.0

    def slack_s(self):
        return TS_SLACK_S + self.stray_s()

    def window(self, i):
        """hv events between MARKERS[i] and MARKERS[i + 1] (by timestamp,
        give or take slack_s())."""
        a, b = self.marker(MARKERS[i]), self.marker(MARKERS[i + 1])
        if not a or not b:
            return []
        sl = self.slack_s()
        return [e for e in self.hv() if a.t - sl <= e.t <= b.t + sl]

    def tsc_window(self, i):
        """The guest TSC after MARKERS[i] was written and before
        MARKERS[i + 1] was: what lies between happened between them."""
        a, b = self.mark_tsc.get(MARKERS[i]), self.mark_tsc.get(MARKERS[i + 1])
        return (a[1], b[0]) if a and b else None

    def stamped_outside(self, evs, i):
        """Which of evs the host stamped outside tsc_window(i): the failure
        message (seq, stamp, how far out)."""
        lo, hi = self.tsc_window(i)
        out = [e for e in evs if e.hv["tsc"] is None or not lo < e.hv["tsc"] < hi]
        return [f"seq {e.hv['seq']} tsc {e.hv['tsc']} "
                + ("(no stamp)" if e.hv["tsc"] is None else
                   f"({e.hv['tsc'] - lo:+d} cycles from the first marker, "
                   f"{e.hv['tsc'] - hi:+d} from the second)") for e in out]

    def outside(self, evs, i):
        """Which of evs lie outside window(i), each described for the
        failure message (seq, vCPU, time, distance from either marker,
        delay): [] when all are inside."""
        a, b = self.marker(MARKERS[i]), self.marker(MARKERS[i + 1])
        if not a or not b:
            return ["markers missing"]
        inside = self.window(i)
        return [f"seq {e.hv['seq']} vcpu {e.hv['vcpu']} at {e.t:.6f} "
                f"({(e.t - a.t) * 1e3:+.3f} ms from the first marker, "
                f"{(e.t - b.t) * 1e3:+.3f} ms from the second), "
                f"delay {e.hv['delay']} us" for e in evs if e not in inside]

    def window_text(self, i):
        a, b = self.marker(MARKERS[i]), self.marker(MARKERS[i + 1])
        return (f"window [{a.t:.6f}, {b.t:.6f}] +-{self.slack_s() * 1e6:.0f} us "
                f"(the markers strayed {self.stray_s() * 1e6:.0f} us from their TSC)")

    def port_events(self):
        return [e for e in self.hv() if e.hv["reason"] == "io" and e.hv["args"][0] == PORT]

    def msr_events(self):
        return [e for e in self.hv() if e.hv["reason"] == "msr_write" and e.hv["args"][0] == TSC_AUX]

    def serial_text(self):
        """Bytes the guest wrote to the UART's data register in the serial
        window, as text."""
        return "".join(chr(e.hv["args"][2]) for e in self.window(1)
                       if e.hv["reason"] == "io" and e.hv["args"][0] == SERIAL
                       and e.hv["args"][3] and 32 <= e.hv["args"][2] < 127)

    def ps(self):
        """Task names from `hupctl query` of samples/ps.c (NUL-padded
        16-byte records)."""
        q = next((x for x in self.hupctl if x[0].startswith("query")), None)
        if not q or q[2] != 0:
            return None
        # hupctl's own lines (the return value) come after the answer
        answer = [l for l in q[1] if not l.startswith("hupctl: ")]
        return [c for c in re.split(r"\x00+", "\n".join(answer)) if c.strip()]

    def kmsg(self):
        """The guest's own tail of its log (hup-workload kmsg, /dev/kmsg):
        [(seq, facility, level, ts_usec, text)] oldest first, text with
        /dev/kmsg's \\xNN escapes undone (bytes as latin-1)."""
        out = []
        for m in re.finditer(r"^HUP-G: HUP-W: kmsg (\d+),(\d+),(\d+),[^;]*;(.*?)\r?$",
                             self.output, re.M):
            text = re.sub(r"\\x([0-9a-f]{2})", lambda x: chr(int(x.group(1), 16)),
                          m.group(4))
            pri = int(m.group(1))
            out.append((int(m.group(2)), pri >> 3, pri & 7, int(m.group(3)), text))
        return out

    def dmesg(self):
        """samples/dmesg.c's answer: (JSON object of `hupctl --obj dmesg.o
        --json query`, [(seq, text)] of the text form), None for one that
        did not run or did not parse."""
        j = next((x for x in self.hupctl
                  if x[0].startswith("--obj ./dmesg.o --json query")), None)
        t = next((x for x in self.hupctl
                  if x[0].startswith("--obj ./dmesg.o query")), None)
        answer = None
        if j and j[2] == 0:
            line = next((l for l in j[1] if l.startswith("{")), None)
            try:
                answer = json.loads(line) if line else None
            except ValueError:
                answer = None
        text = None
        if t and t[2] == 0:
            text = []
            for l in t[1]:
                m = re.match(r"^seq=(\d+) .*? text=(.*)$", l)
                if m:
                    text.append((int(m.group(1)), _record_string(m.group(2))))
        return answer, text

    def list_prog(self, name):
        """hupload list row of a program: {runs, aborts, run_ns}."""
        for l in self.list:
            f = l.split()
            if len(f) >= 7 and f[6] == name and f[0].isdigit():
                return {"id": int(f[0]), "event": f[1], "runs": int(f[3]),
                        "aborts": int(f[4]), "run_ns": int(f[5])}
        return None


def _record_string(s):
    """A string as hupctl prints it in a record's text form: bare, or
    quoted with \\", \\\\ and \\xNN escapes."""
    if not s.startswith('"'):
        return s
    return re.sub(r'\\(x[0-9a-f]{2}|.)',
                  lambda m: chr(int(m.group(1)[1:], 16)) if len(m.group(1)) == 3
                  else m.group(1), s[1:-1])


DMESG_TEXT_LEN = 128   # struct dmesg_rec.text of samples/dmesg.c
DMESG_MIN = 10         # records the host's answer must share with the guest's


def dmesg_problems(o):
    """samples/dmesg.c's answer against the guest's own /dev/kmsg, read just
    before: the same records (seq, text, level, facility, time), oldest
    first.  Records logged between the two reads may follow in the host's
    answer; none the guest saw last may be missing from it."""
    bad = []
    kmsg = o.kmsg()
    answer, text = o.dmesg()
    if not kmsg:
        return ["the guest printed no /dev/kmsg records"]
    if not answer:
        return ["hupctl --obj dmesg.o --json query: no answer"]
    recs = answer.get("records") or []
    if answer.get("trailing_bytes") != 0 or answer.get("r0") != len(recs):
        bad.append(f"dmesg: r0={answer.get('r0')} for {len(recs)} records, "
                   f"trailing_bytes={answer.get('trailing_bytes')}")
    seqs = [r["seq"] for r in recs]
    if seqs != sorted(set(seqs)):
        bad.append(f"dmesg: records not oldest first: seqs {seqs}")
    guest = {k[0]: k for k in kmsg}
    lo, hi = kmsg[0][0], kmsg[-1][0]
    shared = 0
    for r in recs:
        if r["seq"] < lo or r["seq"] > hi:
            continue
        g = guest.get(r["seq"])
        if not g:
            bad.append(f"dmesg: seq {r['seq']} is not in the guest's log")
            continue
        shared += 1
        _, fac, lvl, usec, gtext = g
        want = gtext[:DMESG_TEXT_LEN - 1]
        if r["text"] != want or r["text_len"] != len(gtext.encode("latin-1")):
            bad.append(f"dmesg: seq {r['seq']}: host read {r['text']!r} "
                       f"(text_len {r['text_len']}), the guest {gtext!r}")
        if (r["level"], r["facility"]) != (lvl, fac):
            bad.append(f"dmesg: seq {r['seq']}: level/facility "
                       f"{r['level']}/{r['facility']}, the guest's {lvl}/{fac}")
        if r["ts_nsec"] // 1000 != usec:
            bad.append(f"dmesg: seq {r['seq']}: ts_nsec {r['ts_nsec']}, "
                       f"the guest's {usec} us")
    if shared < DMESG_MIN:
        bad.append(f"dmesg: {shared} records shared with the guest's log, "
                   f"want >= {DMESG_MIN} (host seqs {seqs[:3]}..{seqs[-3:]}, "
                   f"guest {lo}..{hi})")
    if hi not in seqs:
        bad.append(f"dmesg: the guest's last record (seq {hi}) is not in "
                   f"the host's answer (seqs ..{seqs[-3:]})")
    # The text form: the same records, field by field.
    if not text or len(text) < DMESG_MIN:
        bad.append(f"hupctl --obj dmesg.o query: {len(text or [])} records")
    else:
        by = {r["seq"]: r["text"] for r in recs}
        tseqs = [q for q, _ in text]
        if tseqs != sorted(set(tseqs)):
            bad.append(f"dmesg text form: not oldest first: {tseqs}")
        for q, t in text:
            if q in by and by[q] != t:
                bad.append(f"dmesg text form: seq {q}: {t!r}, JSON {by[q]!r}")
    return bad


class _Problems(list):
    """The problems found so far; want(cond, what) adds what unless cond,
    and returns cond."""

    def want(self, cond, what):
        if not cond:
            self.append(what)
        return cond


def _guest_lines(o, key):
    return " | ".join(re.findall(rf"^HUP-G: {key}: (.*)$", o.output, re.M))


def _nomodule_problems(o, bad):
    """The guest without the module ran its workload: the MSR write, with
    nothing to vet it, was performed."""
    bad.want(re.search(rf"^HUP-G: HUP-W: io port={PORT:#x} n={PORT_COUNT}", o.output, re.M),
             "port I/O workload did not run")
    bad.want(re.search(r"^HUP-G: HUP-W: msr 0xc0000103=0x1234 written", o.output, re.M),
             "MSR write without a vetting program was not performed")
    bad.want(re.search(r"^HUP-G: workload dd rc=0", o.output, re.M), "dd workload failed")


def _registration_problems(o, bad):
    """The module found the backend; the four samples registered, the
    query programs CO-RE-relocated and answering."""
    v = o.values
    bad.want(v.get("insmod") == "rc=0", "insmod hyperupcall.ko failed")
    bad.want("HUP-G: status: backend: present" in o.output, "module did not find the backend")
    # hv_event timestamps follow the clock ftrace stamps its lines with.
    fclock = re.search(r"^HUP-G: trace_clock .*\[(\w+)\]", o.output, re.M)
    bad.want(fclock and o.ring.get("trace_clock") == fclock.group(1),
             f"module trace clock {o.ring.get('trace_clock')!r} is not ftrace's "
             f"({fclock.group(1) if fclock else 'not printed'})")
    bad.want(v.get("hupload") == "rc=0", "hupload tracing.o failed: " + _guest_lines(o, "hupload"))
    bad.want(re.search(r"^HUP-G: hupload: \d+ trace_to_ring trace", o.output, re.M),
             "hupload did not report the registered program")
    bad.want(v.get("hupload-msr") == "rc=0",
             "hupload msr_guard.o failed: " + _guest_lines(o, "hupload-msr"))
    # CO-RE: ps.o's task_struct offsets relocated against this kernel.
    bad.want(v.get("hupload-ps") == "rc=0", "hupload ps.o failed: " + _guest_lines(o, "hupload-ps"))
    bad.want(re.search(r"^HUP-G: hupload-ps: .*ps \(query\): \d+ insns, \d+ ksyms, [1-9]\d* "
                       r"CO-RE relocations \(0 missing\)", o.output, re.M),
             "ps.o: no CO-RE relocations applied")
    tasks = o.ps()
    bad.want(tasks and "kthreadd" in tasks and any(t.startswith("init") for t in tasks),
             f"hupctl query ps: task list wrong: {tasks}")
    # The printk ring, CO-RE-relocated, with only the windows it needs.
    bad.want(v.get("hupload-dmesg") == "rc=0",
             "hupload dmesg.o failed: " + _guest_lines(o, "hupload-dmesg"))
    bad.want(re.search(r"^HUP-G: hupload-dmesg: .*dmesg \(query\): \d+ insns, \d+ ksyms, "
                       r"[1-9]\d* CO-RE relocations \(0 missing\), 0 unresolved, 2 windows",
                       o.output, re.M), "dmesg.o: no CO-RE relocations or not 2 windows")
    bad.extend(dmesg_problems(o))


def _trace_problems(o, bad):
    """The guest's trace: its four markers in order, the hypervisor's
    events in ring order with monotonic converted timestamps, each part of
    the workload traced between its own markers."""
    ms = [o.marker(t) for t in MARKERS]
    if bad.want(all(ms), "missing trace_marker lines: "
                + ", ".join(t for t, m in zip(MARKERS, ms) if not m)):
        bad.want(all(ms[i].t < ms[i + 1].t for i in range(3)), "markers out of order")
    hv = o.hv()
    if not bad.want(hv, "no hyperupcall:hv_event lines in the trace"):
        return
    # Emission order is ring order (seq); converted timestamps must follow.
    seqs = [e.hv["seq"] for e in hv]
    bad.want(seqs == sorted(seqs), "hv_event seq not increasing in the trace")
    inv = max((hv[i].t - hv[i + 1].t for i in range(len(hv) - 1)), default=0)
    bad.want(inv <= 5e-6, f"hv_event timestamps go back by {inv * 1e6:.1f} us")
    if not all(ms):
        return
    # Plausible: every event converted to a time near the window, and
    # events were drained after they happened.
    bad.want(all(ms[0].t - 1.0 < e.t < ms[3].t + 1.0 for e in hv),
             "hv_event timestamps far outside the traced window")
    bad.want(all(e.hv["delay"] < 5_000_000 for e in hv), "hv_event drained > 5 s late")
    # Port I/O to the unclaimed port: only the workload does it, so every
    # such event lies between the first two markers, in program order.
    pe = o.port_events()
    bad.want(pe, f"no port I/O exit to {PORT:#x} traced")
    out = o.outside(pe, 0)
    bad.want(not out, f"port {PORT:#x} events outside their markers: "
             f"{o.window_text(0)}; " + "; ".join(out))
    data = [e.hv["args"][2] for e in pe]
    bad.want(data == sorted(set(data)) and all(x < PORT_COUNT for x in data)
             and all(e.hv["args"][1] == 1 and e.hv["args"][3] == 1 for e in pe),
             f"port {PORT:#x} events: wrong size/direction/data {data[:8]}")
    ser = [e for e in o.window(1) if e.hv["reason"] == "io" and e.hv["args"][0] == SERIAL]
    bad.want(ser, "no serial-port exit traced between its markers")
    me = o.msr_events()
    bad.want(me, f"no WRMSR {TSC_AUX:#x} exit traced")
    out = o.outside(me, 2)
    bad.want(not out, f"WRMSR events outside their markers: {o.window_text(2)}; "
             + "; ".join(out))
    bad.want(all(e.hv["args"][2] in MSR_VALUES for e in me), "WRMSR events with wrong values")
    # Exact: the host's raw stamps against the guest's TSC around the
    # markers (one vCPU: one TSC), whatever the trace clock did.
    if not bad.want(all(o.mark_tsc.get(t) for t in MARKERS),
                    "markers without their TSCs (no 'HUP-W: mark tsc' lines)"):
        return
    for what, evs, i in ((f"port {PORT:#x}", pe, 0), ("WRMSR", me, 2)):
        out = o.stamped_outside(evs, i)
        bad.want(not out, f"{what} events stamped outside their markers' TSCs "
                 f"{o.tsc_window(i)}: " + "; ".join(out))


def _counter_problems(o, bad):
    """msr_guard vetted the writes; the ring, `hupload list` and L1's
    `hupctl list`/`stats` count the runs; rmmod unregistered everything."""
    v = o.values
    bad.want(re.search(r"^HUP-G: HUP-W: msr 0xc0000103=0x1234 written", o.output, re.M),
             "allowed MSR write not performed")
    bad.want(re.search(r"^HUP-G: HUP-W: msr 0xc0000103=0xdead refused: Input/output error",
                       o.output, re.M), "msr_guard did not refuse 0xdead")
    bad.want(o.ring.get("capacity") == "4096", "ring capacity not 4096")
    lp = o.list_prog("trace_to_ring")
    bad.want(lp and lp["runs"] > 0, "hupload list: trace_to_ring missing or no runs")
    mp = o.list_prog("msr_guard")
    bad.want(mp and mp["runs"] >= 1, "hupload list: msr_guard missing or no runs")
    lst = o.hupctl_cmd("list", 0)
    if bad.want(lst and lst[2] == 0, "hupctl list failed"):
        p = o.prog(lst[1], "trace_to_ring")
        bad.want(p and p.get("event") == "trace" and int(p.get("runs", 0)) > 0,
                 "hupctl list: trace_to_ring missing or runs == 0")
        p = o.prog(lst[1], "msr_guard")
        bad.want(p and p.get("event") == "msr_write", "hupctl list: msr_guard missing")
    st = o.hupctl_cmd("stats")
    bad.want(st and st[2] == 0, "hupctl stats failed")
    bad.want(v.get("rmmod") == "rc=0", "rmmod hyperupcall failed")
    bad.want(v.get("list-after-rmmod", "rc=0") != "rc=0", "hupload list worked after rmmod")
    after = o.hupctl_cmd("list", 1)
    bad.want(after and after[2] == 0 and not any(l.startswith("prog ") for l in after[1]),
             "hupctl list after rmmod still shows programs")


def check(o, mode="trace"):
    """Problems with a scenario's outcome; [] means it passed."""
    bad = _Problems()
    if not bad.want("HUP-G: done" in o.output, "the guest init did not finish (no 'HUP-G: done')"):
        return list(bad)
    v = o.values
    bad.want(o.vm_rc == 0, f"hupvm exit status {o.vm_rc}, want 0 (poweroff)")
    bad.want(v.get("bad-dmesg") == "0", "kernel complaints: "
             + "; ".join(re.findall(r"^HUP-G: bad: (.*)$", o.output, re.M)))
    bad.want(v.get("insmod-msr") == "rc=0", "insmod msr.ko failed")
    if mode == "nomodule":
        _nomodule_problems(o, bad)
    else:
        _registration_problems(o, bad)
        _trace_problems(o, bad)
        _counter_problems(o, bad)
    return list(bad)


def numbers(o):
    """What a run measured, for the record (JSON-able)."""
    d = {"scenario": o.name}
    hv = o.hv()
    d["hv_events"] = len(hv)
    d["port_events"] = len(o.port_events())
    d["serial_window_events"] = len([e for e in o.window(1) if e.hv["args"][0] == SERIAL])
    d["serial_text"] = o.serial_text()
    d["msr_events"] = len(o.msr_events())
    for k in ("overflow", "lost", "consumed", "held", "head"):
        if k in o.ring:
            d[k] = int(o.ring[k])
    lp = o.list_prog("trace_to_ring")
    if lp:
        d.update(runs=lp["runs"], aborts=lp["aborts"],
                 run_ns_per_run=round(lp["run_ns"] / lp["runs"]) if lp["runs"] else None)
    if "off" in o.bench and "on" in o.bench:
        d["exits_per_s_untraced"] = o.bench["off"]
        d["exits_per_s_traced"] = o.bench["on"]
        d["ratio_traced_over_untraced"] = round(o.bench["on"] / o.bench["off"], 3)
    if hv:
        d["delay_us_median"] = sorted(e.hv["delay"] for e in hv)[len(hv) // 2]
    # how far the trace clock strayed from the TSC over the traced window
    d["clock_stray_us"] = round(o.stray_s() * 1e6)
    # guest TSC readings hupvm held because they went back (x86/hup.h)
    st = o.hupctl_cmd("stats")
    ev = next((l for l in (st[1] if st else []) if l.startswith("events ")), "")
    for k in ("tsc_back", "tsc_back_max_cycles"):
        m = re.search(rf"\b{k}=(\d+)", ev)
        if m:
            d[k] = int(m.group(1))
    d["ps_tasks"] = len(o.ps() or [])
    answer, _ = o.dmesg()
    d["dmesg_records"] = len((answer or {}).get("records") or [])
    m = re.search(r"init ran, kernel (\S+),", o.output)
    d["release"] = m.group(1).rstrip(",") if m else None
    return d


def excerpt(o, keep=3):
    """The traced window in timestamp order: guest markers and hv events,
    long runs of the same kind of event shortened to keep + 1 lines."""
    ms = [o.marker(t) for t in MARKERS]
    evs = sorted(o.events, key=lambda e: e.t)
    if all(ms):
        sl = o.slack_s()
        evs = [e for e in evs if ms[0].t - sl <= e.t <= ms[3].t + sl]
    lines = [f"  {'time (s)':>14}  {'source':<6}  event"]

    def key(e):
        if e.source == "guest":
            return None
        a = e.hv["args"]
        return (e.hv["reason"], a[0])

    i = 0
    while i < len(evs):
        j = i
        while j + 1 < len(evs) and key(evs[j + 1]) is not None and key(evs[j + 1]) == key(evs[i]):
            j += 1
        run = evs[i:j + 1]
        shown = run if len(run) <= keep + 2 else run[:keep] + [None] + run[-1:]
        for e in shown:
            if e is None:
                lines.append(f"  {'':>14}  {'':<6}  ... {len(run) - keep - 1} more like these")
            else:
                src = "guest" if e.source == "guest" else "hv"
                lines.append(f"  {e.t:14.6f}  {src:<6}  {e.describe()}")
        i = j + 1
    return "\n".join(lines)


def summary(o, run_path):
    d = numbers(o)
    probs = check(o)
    serial = d.get("serial_text", "")
    parts = [f"path={run_path}", f"kernel={d.get('release')}",
             f"hv_events={d['hv_events']}",
             f"(io {PORT:#x}: {d['port_events']}, serial window: {d['serial_window_events']}"
             + (f" '{serial}'" if serial else "") + f", msr_write: {d['msr_events']})",
             f"overflow={d.get('overflow', '?')}", f"lost={d.get('lost', '?')}",
             f"aborts={d.get('aborts', '?')}"]
    if "ratio_traced_over_untraced" in d:
        parts.append(f"exit-rate traced/untraced={d['ratio_traced_over_untraced']}")
    parts.append("PASS" if not probs else f"FAIL ({len(probs)} problems)")
    return "summary: " + " ".join(parts)

