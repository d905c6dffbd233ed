#!/usr/bin/env python3
"""Unit tests of the harness' own logic that need no KVM: scenario
validation, the direct-path script runner (exit status, timeout kill), the
L1 channel parser and the retry logic, with fake hosts."""
import io
import os
import sys
import tempfile
import time
import unittest
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import flakes  # noqa: E402
import hupnest  # noqa: E402

# The retry lines name the budget: "attempt N of M".
M = flakes.HANG_ATTEMPTS


class ScenarioTest(unittest.TestCase):
    def test_rejects_bad_name(self):
        with self.assertRaises(hupnest.HarnessError):
            hupnest.Scenario("a b", "true")

    def test_rejects_absolute_or_escaping_destination(self):
        with self.assertRaises(hupnest.HarnessError):
            hupnest.Scenario("x", "true", {"/etc/passwd": __file__})
        with self.assertRaises(hupnest.HarnessError):
            hupnest.Scenario("x", "true", {"a/../../b": __file__})

    def test_rejects_missing_file(self):
        with self.assertRaises(hupnest.HarnessError):
            hupnest.Scenario("x", "true", {"f": "/nonexistent/file"})

    def test_from_json(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "f.txt"), "w") as f:
                f.write("payload")
            p = os.path.join(d, "s.json")
            with open(p, "w") as f:
                f.write('{"name": "j", "script": ["cat f.txt", "exit 0"], '
                        '"files": {"f.txt": "f.txt"}, "timeout": 9}')
            sc = hupnest.Scenario.from_json(p)
            self.assertEqual(sc.timeout, 9)
            self.assertEqual(sc.script, "cat f.txt\nexit 0")
            self.assertEqual(sc.files["f.txt"], os.path.join(d, "f.txt"))

    def test_duplicate_names_rejected(self):
        h = hupnest.Harness(cache=tempfile.mkdtemp())
        with self.assertRaises(hupnest.HarnessError):
            h.run([hupnest.Scenario("a", "true"), hupnest.Scenario("a", "true")])


class ExcerptTest(unittest.TestCase):
    """A failed scenario's excerpt keeps the guest kernel's panic even when
    the host side's lines (hupctl's, hupvm's) come after it."""

    def test_panic_before_the_tail_is_shown(self):
        text = "\n".join(["HUP-G: init ran",
                          "[    9.100000] BUG: unable to handle page fault",
                          "[    9.100001] RIP: 0010:free_pcppages_bulk+0x1",
                          "[    9.100002] Kernel panic - not syncing: Fatal exception"]
                         + [f"HUPCTL rc=0 #{i}" for i in range(30)])
        e = hupnest.excerpt(text, 5)
        self.assertIn("guest kernel, from its first complaint:", e)
        self.assertIn("BUG: unable to handle page fault", e)
        self.assertIn("Kernel panic - not syncing", e)
        self.assertIn("HUPCTL rc=0 #29", e)
        self.assertNotIn("HUPCTL rc=0 #24", e)

    def test_quiet_kernel_only_the_tail(self):
        text = "\n".join(["[    0.796033] PCI: Fatal: No config space access function found"]
                         + [f"line {i}" for i in range(30)])
        e = hupnest.excerpt(text, 3)
        self.assertNotIn("complaint", e)
        self.assertEqual(e.splitlines(), ["    | line 27", "    | line 28", "    | line 29"])

    def test_empty(self):
        self.assertEqual(hupnest.excerpt(""), "    | (empty)")


class HangRetryFakeHostTest(unittest.TestCase):
    """Harness.run with a fake host pass: a hung scenario is retried, at most
    HANG_ATTEMPTS times in all, every retry reported and its earlier log
    kept; a failed one is not retried."""

    def run_fake(self, rcs):
        """rcs: {scenario: [rc of attempt 1, 2, ...]}; returns (run, calls, h)."""
        h = hupnest.Harness(cache=tempfile.mkdtemp(), lanes=1)
        calls = []

        def fake_once(scenarios, kernel):
            calls.append([s.name for s in scenarios])
            run = hupnest.Run("fake")
            for sc in scenarios:
                r = hupnest.Result(sc.name)
                tries = sum(sc.name in c for c in calls)
                r.rc = rcs[sc.name][min(tries, len(rcs[sc.name])) - 1]
                r.output = f"try {tries}\n"
                run.results.append(r)
            return run

        h._run_once = fake_once
        orig, orig_log = hupnest.guest_image.fetch, hupnest.log
        hupnest.guest_image.fetch = lambda *a, **k: None
        # The harness's log, kept here: its retry lines on stderr would be
        # counted by make test as real nested retries (run-tests.sh).
        h.logged = []
        hupnest.log = h.logged.append
        try:
            run = h.run([hupnest.Scenario(n, "true") for n in rcs])
        finally:
            hupnest.guest_image.fetch, hupnest.log = orig, orig_log
        return run, calls, h

    def retry_lines(self, h):
        return [m for m in h.logged if m.startswith("retrying after a hang")]

    def test_hang_retried_failure_not(self):
        run, calls, h = self.run_fake({"hangs": [124, 0], "fails": [1], "ok": [0]})
        self.assertEqual(calls, [["hangs", "fails", "ok"], ["hangs"]])
        self.assertEqual(run.scenario_retries, ["hangs"])
        by = {r.name: r for r in run.results}
        self.assertEqual((by["hangs"].rc, by["fails"].rc, by["ok"].rc), (0, 1, 0))
        self.assertTrue(os.path.exists(os.path.join(h.logdir, "hangs.try1.log")))

    def test_hang_twice_then_ok(self):
        run, calls, h = self.run_fake({"h2": [124, 125, 0], "ok": [0]})
        self.assertEqual(calls, [["h2", "ok"], ["h2"], ["h2"]])
        self.assertEqual(run.scenario_retries, ["h2", "h2"])
        self.assertEqual(self.retry_lines(h),
                         [f"retrying after a hang (attempt 2 of {M}): h2 [unknown]",
                          f"retrying after a hang (attempt 3 of {M}): h2 [unknown]"])
        self.assertEqual(run.results[0].rc, 0)
        for n in (1, 2):
            with open(os.path.join(h.logdir, f"h2.try{n}.log")) as f:
                self.assertEqual(f.read(), f"try {n}\n")

    def test_two_hangs_one_line_each(self):
        # make test counts retry lines: two scenarios retried in one pass
        # are two retries (the fresh-clone run of 2026-12-06 said 2 for 3)
        run, calls, h = self.run_fake({"a": [124, 0], "b": [125, 0], "ok": [0]})
        self.assertEqual(calls, [["a", "b", "ok"], ["a", "b"]])
        self.assertEqual(self.retry_lines(h),
                         [f"retrying after a hang (attempt 2 of {M}): a [unknown]",
                          f"retrying after a hang (attempt 2 of {M}): b [unknown]"])
        self.assertEqual(len(run.scenario_retries), len(self.retry_lines(h)))

    def test_read_new_bytes_and_whole_lines(self):
        with tempfile.NamedTemporaryFile() as f:
            f.write(b"one\ntwo\nthr")
            f.flush()
            self.assertEqual(hupnest.read_new(f.name, 0), (b"one\ntwo\nthr", 11))
            self.assertEqual(hupnest.read_new(f.name, 4, whole_lines=True), (b"two\n", 8))
            self.assertEqual(hupnest.read_new(f.name, 8, whole_lines=True), (b"", 8))
            f.write(b"ee\n")
            f.flush()
            self.assertEqual(hupnest.read_new(f.name, 8, whole_lines=True), (b"three\n", 14))

    def test_only_retryable_hangs_are_retried(self):
        # flakes.to_retry: a hang of a scenario that allows it; never a
        # failure (rc 1, 5), never a scenario that opted out
        scs = [hupnest.Scenario(n, "true") for n in ("t", "k", "none", "fail", "vm", "opt")]
        for sc in scs:
            sc.retry_hang = sc.name != "opt"
        rcs = {"t": 124, "k": 125, "none": None, "fail": 1, "vm": 5, "opt": 124}
        res = {n: mock.Mock(rc=rc) for n, rc in rcs.items()}
        self.assertEqual([sc.name for sc in flakes.to_retry(scs, res)], ["t", "k", "none"])

    def test_hang_cause_named(self):
        c = flakes.hang_cause
        report = ("hupvm: error: hang: vCPU 0: rip=ffffffff81000000 if=1 runnable\n"
                  "hupvm: error: hang: verdict: host (vCPU 0 does not take interrupt 253: "
                  "19000 interrupt-window exits and no injection in 1 s, interrupts enabled)\n"
                  "HUP-RC 124\n")
        self.assertEqual(c(report), "host: vCPU 0 does not take interrupt 253: 19000 "
                         "interrupt-window exits and no injection in 1 s, interrupts enabled")
        self.assertEqual(c("hang: verdict: guest (every vCPU left KVM_RUN when kicked "
                           "and takes its interrupts)"),
                         "guest: every vCPU left KVM_RUN when kicked and takes its interrupts")
        self.assertEqual(c("hupvm: error: hang: verdict: guest (every vCPU left KVM_RUN "
                           "when kicked and takes its interrupts)\n"
                           "hupvm: 0 exits handled; 0 port and 0 MMIO accesses unclaimed\n"),
                         "guest hung in early boot, before its first exit to hupvm")
        self.assertEqual(c("hupvm: error: vCPU 0: triple fault (KVM_EXIT_SHUTDOWN)"),
                         "triple fault")
        self.assertEqual(c("[ 14.9] BUG: ENTRY_TRAMPOLINE stack guard page was hit at 0\n"
                           "[ 14.9] Kernel panic - not syncing: Fatal exception in interrupt\n"),
                         "guest panic: stack guard page hit (the CPU model's recursive fault)")
        self.assertEqual(c("[ 35.6] watchdog: BUG: soft lockup - CPU#0 stuck for 23s!\n"
                           "[ 35.6] Kernel panic - not syncing: softlockup: hung tasks\n"),
                         "guest panic on its own soft lockup report (a hang, caught early)")
        self.assertEqual(c("[ 33.3] Kernel panic - not syncing: RCU Stall\n"),
                         "guest panic on its own RCU stall report (a hang, caught early)")
        self.assertEqual(c("[ 8.52] traps: PANIC: double fault, error_code: 0x0\n"
                           "[ 8.52] RSP: 0018:ff5ab42d80273a90 EFLAGS: 429663c2\n"
                           "[ 8.52] Kernel panic - not syncing: Fatal exception in interrupt\n"),
                         "guest panic with EFLAGS: 429663c2 (reserved bits set: the CPU "
                         "model's flags)")
        # L1's own oops, in the L1 console lines hupnest keeps: L1's, not the guest's
        l1_oops = ("HUP-G: sync reclaimed\n\nhupnest: L1 exited (status 0) during this scenario\n"
                   + flakes.L1_CONSOLE_HEADER + "\n"
                   "    | [ 224.2] BUG: TASK stack guard page was hit at 00000000cf731b49\n"
                   "    | [ 224.2] Kernel panic - not syncing: Fatal exception in interrupt\n")
        self.assertEqual(c(l1_oops), "L1 exited (status 0); L1's kernel panicked after a "
                         "stack guard page hit: Fatal exception in interrupt")
        self.assertEqual(c("hupnest: L1 exited (status 0) during this scenario\n"
                           + flakes.L1_CONSOLE_HEADER + "\n    | [ 75.1] Kernel panic - not "
                           "syncing: corrupted stack end detected inside scheduler\n"),
                         "L1 exited (status 0); L1's kernel panicked: corrupted stack end "
                         "detected inside scheduler")
        self.assertEqual(c("x\nhupnest: L1 exited (status 0) during this scenario\n"),
                         "L1 exited (status 0)")
        self.assertEqual(c("hupnest: scenario did not run (its KVM host died before it)\n"),
                         "did not run (L1 gone before it)")
        self.assertEqual(c("\nhupnest: scenario s timed out after 60 s\n"),
                         "the scenario's timeout, no hang report")
        self.assertEqual(c(""), "unknown")

    def test_hang_every_time_fails(self):
        run, calls, _ = self.run_fake({"always": [124]})
        self.assertEqual(len(calls), flakes.HANG_ATTEMPTS)
        self.assertEqual(len(run.scenario_retries), flakes.HANG_ATTEMPTS - 1)
        self.assertEqual(run.results[0].rc, 124)
        self.assertFalse(run.results[0].ok)


# The selftest's three scenarios: an L2 boot, one that overruns its
# timeout and is killed by L1's init, another L2 boot.
SELFTEST = ("q1", "overrun", "q2")


def chan(*items):
    """Channel text as L1's init writes it: each marker on its own line."""
    return "".join(f"\n@@HUP {i[1:]}@@\n" if i.startswith("@") else i + "\n"
                   for i in items)


READY = "@L1-READY uptime=3.1 cpus=2"


class FakeL1:
    """Stands in for the L1 QEMU: writes one canned channel into the file
    given by -serial file:...chan..., then exits with status.  With
    exit_first the channel is written and QEMU gone in one step, between
    the harness' read and its poll."""

    def __init__(self, cmd, text, status, exit_first=False, console=""):
        self.chan = next(a[5:] for a in cmd if a.startswith("file:") and "chan" in a)
        self.console_path = next(a[5:] for a in cmd if a.startswith("file:") and "console" in a)
        self.text, self.status, self.exit_first = text, status, exit_first
        self.console = console
        self.killed = False
        self.returncode = None
        self.stdout = io.BytesIO()
        self.polls = 0

    def poll(self):
        self.polls += 1
        if self.polls == 1:
            with open(self.chan, "a") as f:
                f.write(self.text)
            with open(self.console_path, "a") as f:
                f.write(self.console)
            if not self.exit_first:
                return None
        if self.status is None and not self.killed:
            return None  # runs until killed
        self.returncode = self.status
        return self.returncode

    def wait(self, timeout=None):
        self.returncode = self.status
        return self.status

    def kill(self):
        self.killed = True


class FakeL1Host:
    """Harness._run_once on the nested path with fake L1 boots, one canned
    (channel, status) per boot; records which scenarios each boot got."""

    def __init__(self, boots, exit_first=False):
        self.boots = list(boots)
        self.exit_first = exit_first
        self.payloads = []
        self.cmds = []

    def run(self, names=SELFTEST, lane=0):
        h = hupnest.Harness(cache=tempfile.mkdtemp(), force_nested=True)
        base = os.path.join(h.cache, "l1-base.cpio")
        with open(base, "wb") as f:
            f.write(b"base")
        h.l1_image = lambda kernel: base
        h._payload = lambda scenarios: self.payloads.append(
            [s.name for s in scenarios]) or b"payload"

        def popen(cmd, **kw):
            if not self.boots:
                raise AssertionError(f"an L1 boot too many (payloads {self.payloads})")
            text, status, *console = self.boots.pop(0)
            self.cmds.append(cmd)
            return FakeL1(cmd, text, status, self.exit_first, *console)

        kernel = type("K", (), {"vmlinuz": "/nonexistent", "release": "fake"})()
        scenarios = [hupnest.Scenario(n, "true", timeout=5) for n in names]
        with mock.patch.object(hupnest.subprocess, "Popen", popen):
            return h._run_once(scenarios, kernel, lane=lane)


class LanesFakeHostTest(unittest.TestCase):
    """L1 boots side by side: scenarios dealt round-robin to the lanes,
    results merged back in the scenarios' order, a hang retried (on the
    lanes again) and counted once, each lane's L1 console in its own
    file.  Fake host passes, one per lane."""

    def test_split(self):
        sc = [hupnest.Scenario(n, "true") for n in "abcde"]
        names = lambda lanes: [[s.name for s in lane] for lane in lanes]  # noqa: E731
        self.assertEqual(names(hupnest.split_lanes(sc, 2)), [["a", "c", "e"], ["b", "d"]])
        self.assertEqual(names(hupnest.split_lanes(sc[:1], 2)), [["a"]])
        self.assertEqual(names(hupnest.split_lanes(sc, 1)), [list("abcde")])
        self.assertEqual(names(hupnest.split_lanes(sc, 0)), [list("abcde")])

    def test_two_lanes_merged_and_a_hang_retried(self):
        h = hupnest.Harness(cache=tempfile.mkdtemp(), force_nested=True, lanes=2)
        h.l1_image = lambda kernel: None
        calls = []

        def fake_once(scenarios, kernel, lane=0):
            tries = [s.name for _, c in calls for s in c]
            calls.append((lane, scenarios))
            run = hupnest.Run("nested")
            run.l1_ready_s, run.l1_retries = 3.0 + lane, lane
            for sc in scenarios:
                r = hupnest.Result(sc.name)
                r.rc = 124 if sc.name == "b" and "b" not in tries else 0
                run.results.append(r)
            return run

        h._run_once = fake_once
        orig, orig_log = hupnest.guest_image.fetch, hupnest.log
        hupnest.guest_image.fetch = lambda *a, **k: None
        logged = []
        hupnest.log = logged.append  # not on stderr: run-tests.sh counts retry lines
        try:
            run = h.run([hupnest.Scenario(n, "true") for n in "abcde"])
        finally:
            hupnest.guest_image.fetch, hupnest.log = orig, orig_log
        self.assertEqual(sorted((lane, [s.name for s in c]) for lane, c in calls),
                         [(0, ["a", "c", "e"]), (0, ["b"]), (1, ["b", "d"])])
        self.assertEqual([r.name for r in run.results], list("abcde"))
        self.assertEqual([r.rc for r in run.results], [0] * 5)
        self.assertEqual(run.scenario_retries, ["b"])
        self.assertEqual((run.l1_ready_s, run.l1_retries), (4.0, 1))
        self.assertEqual([m for m in logged if m.startswith("retrying")],
                         [f"retrying after a hang (attempt 2 of {M}): b [unknown]"])

    def test_lane_console_file(self):
        host = FakeL1Host([(chan(READY, "@BEGIN q1", "@END q1 rc=0 t=7", "@ALL-DONE"), 0)])
        run = host.run(names=("q1",), lane=1)
        self.assertEqual([r.rc for r in run.results], [0])
        consoles = [a for a in host.cmds[0] if a.startswith("file:") and "console" in a]
        self.assertEqual(len(consoles), 1)
        self.assertTrue(consoles[0].endswith("/l1-console-1.log"), consoles)


class L1StallTest(unittest.TestCase):
    """L1's kernel reporting an RCU stall or a soft lockup ends its boot at once: the
    scenario under it is a hang (125) named for the stall, the rest go to a
    fresh L1, and the old console is never read again."""

    STALL = ("[  108.013738] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
             "[  108.014171] rcu: \t0-...0: (14 ticks this GP) idle=cc3c/1/0x4000000000000000\n")

    def test_pattern(self):
        self.assertEqual(flakes.l1_stall("x\n" + self.STALL),
                         "[  108.013738] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:")
        self.assertIsNone(flakes.l1_stall("rcu: Hierarchical SRCU implementation.\n"))
        lockup = "[  172.476562] watchdog: BUG: soft lockup - CPU#0 stuck for 52s! [vcpu 1:2326]"
        self.assertEqual(flakes.l1_stall("x\n" + lockup + "\n"), lockup)
        self.assertIsNone(flakes.l1_stall("NMI watchdog: Enabled. Permanently consumes "
                                          "one hw-PMU counter.\n"))

    def test_stall_under_a_scenario(self):
        # the first L1 runs until killed, its console saying it stalled
        host = FakeL1Host([(chan(READY, "@BEGIN q1", "L2 started"), None, self.STALL),
                           (chan(READY, "@BEGIN q2", "@END q2 rc=0 t=7", "@ALL-DONE"), 0)])
        t = time.monotonic()
        logged = []
        # kept here: a real-looking "L1 stalled" line in make test's log
        # would send a reader after a stall that never was
        with mock.patch.object(hupnest, "log", logged.append):
            run = host.run(names=("q1", "q2"))
        self.assertLess(time.monotonic() - t, 5, "waited for a deadline")
        self.assertIn("L1 stalled: [  108.013738] rcu: INFO: rcu_preempt detected stalls "
                      "on CPUs/tasks:", logged)
        by = {r.name: r for r in run.results}
        self.assertEqual((by["q1"].rc, by["q2"].rc), (125, 0))
        self.assertIn("L1 stalled ([  108.013738] rcu: INFO", by["q1"].output)
        self.assertEqual(host.payloads, [["q1", "q2"], ["q2"]])
        self.assertEqual(flakes.hang_cause(by["q1"].output).split(" (")[0],
                         "L1 stalled")


class NestedAccountingTest(unittest.TestCase):
    """The L1 boot loop and its channel accounting, end to end with fake
    L1 boots, in the failure sequences L1 can produce.  Every scenario gets
    exactly one result, by name: none is run again in a fresh L1 after
    this L1 ran it (retries are Harness.run's alone), and none is reported
    "did not run" when L1 ran it.  The old positional accounting (pending
    = pending[len(done):]) failed the lost-marker cases: after the killed
    overrun scenario's END was lost it re-ran q2, which had passed, and
    reported overrun as "did not run" (the fresh-clone CI failure)."""

    def check(self, boots, want_rc, want_payloads, exit_first=False):
        host = FakeL1Host(boots, exit_first)
        run = host.run()
        names = [r.name for r in run.results]
        self.assertEqual(len(names), len(set(names)), names)
        self.assertEqual(host.payloads, want_payloads)
        self.assertEqual({r.name: r.rc for r in run.results}, want_rc)
        return {r.name: r for r in run.results}

    def test_all_markers(self):
        self.check([(chan(READY, "@BEGIN q1", "L2 ok", "@END q1 rc=0 t=7",
                          "@BEGIN overrun", "overrun-start", "@END overrun rc=124 t=5",
                          "@BEGIN q2", "@END q2 rc=0 t=7", "@ALL-DONE"), 0)],
                   {"q1": 0, "overrun": 124, "q2": 0}, [list(SELFTEST)])

    def test_lost_end_after_timeout_kill(self):
        by = self.check([(chan(READY, "@BEGIN q1", "@END q1 rc=0 t=7",
                               "@BEGIN overrun", "overrun-start",
                               "@BEGIN q2", "L2 ok", "@END q2 rc=0 t=7", "@ALL-DONE"), 0)],
                        {"q1": 0, "overrun": None, "q2": 0}, [list(SELFTEST)])
        self.assertIn("overrun-start", by["overrun"].output)
        self.assertIn("END marker was lost", by["overrun"].output)
        self.assertNotIn("L2 ok", by["overrun"].output)
        self.assertIn("L2 ok", by["q2"].output)

    def test_lost_begin(self):
        by = self.check([(chan(READY, "@BEGIN q1", "@END q1 rc=0 t=7",
                               "overrun-start", "@END overrun rc=124 t=5",
                               "@BEGIN q2", "@END q2 rc=0 t=7", "@ALL-DONE"), 0)],
                        {"q1": 0, "overrun": 124, "q2": 0}, [list(SELFTEST)])
        self.assertIn("overrun-start", by["overrun"].output)
        self.assertEqual(by["overrun"].seconds, 5)

    def test_both_markers_lost(self):
        by = self.check([(chan(READY, "@BEGIN q1", "@END q1 rc=0 t=7", "overrun-start",
                               "@BEGIN q2", "@END q2 rc=0 t=7", "@ALL-DONE"), 0)],
                        {"q1": 0, "overrun": None, "q2": 0}, [list(SELFTEST)])
        self.assertIn("none of its markers arrived", by["overrun"].output)

    # L1 dies after q1, somewhere in overrun: what the channel got of
    # overrun, and the outcome it must be given.  q2 runs in a fresh L1.
    DEATHS = {
        "mid-scenario, or after the timeout kill with END lost":
            (["@BEGIN overrun", "overrun-start"], 125),
        "after the timeout kill":
            (["@BEGIN overrun", "overrun-start", "@END overrun rc=124 t=5"], 124),
        "after the timeout kill with BEGIN lost":
            (["overrun-start", "@END overrun rc=124 t=5"], 124),
    }

    def test_l1_dies_during_overrun(self):
        for what, (got, rc) in self.DEATHS.items():
            with self.subTest(what):
                self.check([(chan(READY, "@BEGIN q1", "@END q1 rc=0 t=7", *got), 1),
                            (chan(READY, "@BEGIN q2", "@END q2 rc=0 t=7", "@ALL-DONE"), 0)],
                           {"q1": 0, "overrun": rc, "q2": 0}, [list(SELFTEST), ["q2"]])

    def test_l1_dies_between_scenarios_gives_up_one(self):
        # No progress at all: the next scenario is given up as not run, so
        # that the loop ends; Harness.run's classifier decides on a retry.
        by = self.check([(chan(READY), 1),
                         (chan(READY, "@BEGIN overrun", "@END overrun rc=124 t=5",
                               "@BEGIN q2", "@END q2 rc=0 t=7", "@ALL-DONE"), 0)],
                        {"q1": None, "overrun": 124, "q2": 0},
                        [list(SELFTEST), ["overrun", "q2"]])
        self.assertIn("did not run", by["q1"].output)

    def test_garbled_begin_glued_to_output(self):
        # A BEGIN cut short by lost bytes and glued to the next marker, and
        # a BEGIN whose name came through garbled.
        by = self.check([(chan(READY, "@BEGIN q1", "L2 ok@@HUP END q1 rc=0 t=7@@",
                               "@@HUP BEG@@HUP BEGIN overrun@@overrun-start",
                               "@END overrun rc=124 t=5",
                               "@BEGIN q\ufffd2", "L2 ok again", "@END q2 rc=0 t=7",
                               "@ALL-DONE"), 0)],
                        {"q1": 0, "overrun": 124, "q2": 0}, [list(SELFTEST)])
        self.assertIn("L2 ok", by["q1"].output)
        self.assertIn("overrun-start", by["overrun"].output)
        self.assertIn("L2 ok again", by["q2"].output)

    def test_last_markers_written_as_l1_exits(self):
        # L1 writes its last END and ALL-DONE and is gone between the
        # harness' read of the channel and its poll of QEMU.
        self.check([(chan(READY, "@BEGIN q1", "@END q1 rc=0 t=7", "@BEGIN overrun",
                          "@END overrun rc=124 t=5", "@BEGIN q2", "@END q2 rc=0 t=7",
                          "@ALL-DONE"), 0)],
                   {"q1": 0, "overrun": 124, "q2": 0}, [list(SELFTEST)], exit_first=True)


class ChannelEventsTest(unittest.TestCase):
    """channel_events, the pure parser of L1's channel text."""

    def ev(self, text, final=False):
        return hupnest.channel_events(text, final)

    def test_lines_markers_and_rest(self):
        self.assertEqual(self.ev("a\r\n@@HUP BEGIN x@@\r\nb\npart"),
                         ([("line", "a"), ("marker", "BEGIN x"), ("line", "b")], "part"))
        self.assertEqual(self.ev("part", final=True), ([("line", "part")], ""))
        self.assertEqual(self.ev("", final=True), ([], ""))

    def test_glued_before_and_after(self):
        self.assertEqual(self.ev("out@@HUP END x rc=0 t=1@@more\n")[0],
                         [("line", "out"), ("marker", "END x rc=0 t=1"), ("line", "more")])

    def test_two_markers_one_line(self):
        self.assertEqual(self.ev("@@HUP END x rc=0 t=1@@@@HUP BEGIN y@@\n")[0],
                         [("marker", "END x rc=0 t=1"), ("marker", "BEGIN y")])

    def test_cut_marker_does_not_swallow_the_next(self):
        self.assertEqual(self.ev("@@HUP BEG@@HUP BEGIN y@@\n")[0],
                         [("line", "@@HUP BEG"), ("marker", "BEGIN y")])

    def test_output_lines_kept_verbatim(self):
        self.assertEqual(self.ev("  indented\n\n")[0], [("line", "  indented"), ("line", "")])


class LedgerTest(unittest.TestCase):
    """Ledger, the pure accounting of one L1 boot, with host times given."""

    def feed(self, text, names=SELFTEST):
        lg = hupnest.Ledger([hupnest.Scenario(n, "true", timeout=5) for n in names])
        msgs = lg.feed(hupnest.channel_events(text, final=True)[0], 10.0)
        return lg, msgs

    def test_unknown_and_duplicate_markers_are_reported(self):
        lg, msgs = self.feed(chan(READY, "@BEGIN q1", "@END q1 rc=0 t=1", "@END q1 rc=3 t=1",
                                  "@BOGUS", "@BEGIN nobody"))
        self.assertEqual(lg.results["q1"].rc, 0)
        self.assertTrue(any("already accounted" in m for m in msgs), msgs)
        self.assertTrue(any("unknown channel marker" in m for m in msgs), msgs)
        self.assertTrue(any("garbled" in m for m in msgs), msgs)
        self.assertEqual(lg.pending(), ["overrun", "q2"])

    def test_end_without_rc_is_unknown(self):
        lg, _ = self.feed(chan(READY, "@BEGIN q1", "@END q1 rc"))
        self.assertIsNone(lg.results["q1"].rc)
        self.assertIn("without a readable rc", lg.results["q1"].output)

    def test_deadlines(self):
        lg, _ = self.feed(chan(READY, "@BEGIN q1"))
        self.assertEqual(lg.deadline(), 10.0 + 5 + 30)
        lg.feed([("marker", "END q1 rc=0 t=1")], 20.0)
        self.assertEqual(lg.deadline(), 20.0 + 60)

    def test_l1_gone(self):
        lg, _ = self.feed(chan(READY, "@BEGIN q1", "x"))
        lg.l1_gone(124, "the harness killed L1 at its deadline", 50.0)
        self.assertEqual((lg.results["q1"].rc, lg.results["q1"].seconds), (124, 40.0))
        self.assertEqual(lg.pending(), ["overrun", "q2"])


def boot_fake_qemu(script, names, harness=None):
    """Harness._boot_l1 with the shell script as L1's QEMU, one scenario
    "true" per name: (its Ledger, whether the boot got stuck).  harness: a
    list that gets the Harness (its logdir)."""
    tmp = tempfile.mkdtemp()
    fake = os.path.join(tmp, "qemu")
    with open(fake, "w") as f:
        f.write(script)
    os.chmod(fake, 0o755)
    h = hupnest.Harness(cache=tmp)
    os.makedirs(h.logdir, exist_ok=True)
    if harness is not None:
        harness.append(h)
    kernel = type("K", (), {"vmlinuz": "/nonexistent"})()
    with mock.patch.object(hupnest, "QEMU", fake):
        return h._boot_l1(kernel, "/nonexistent", [hupnest.Scenario(n, "true") for n in names],
                          hupnest.Run("nested"), tmp, 1)


class ChannelFakeQemuTest(unittest.TestCase):
    """_boot_l1 against a fake QEMU process that writes a canned channel: a
    marker glued to output without a newline (seen when a scenario's last
    line had none) still ends its scenario, with that output kept; without
    it the scenario was taken for a hang."""

    FAKE = r"""#!/bin/sh
chan=
while [ $# -gt 0 ]; do
	case "$1" in -serial) case "$2" in file:*chan*) chan=${2#file:};; esac;; esac
	shift
done
printf '@@HUP L1-READY uptime=1 cpus=2@@\n@@HUP BEGIN a@@\nhello nice=%s\n' "$(nice)" >> "$chan"
printf 'no newline here@@HUP END a rc=0 t=1@@\n' >> "$chan"
printf '@@HUP BEGIN b@@\n\n@@HUP END b rc=3 t=0@@\n@@HUP ALL-DONE@@\n' >> "$chan"
"""

    def test_glued_marker(self):
        ledger, stuck = boot_fake_qemu(self.FAKE, "ab")
        self.assertFalse(stuck)
        by = ledger.results
        self.assertEqual(list(by), ["a", "b"])
        self.assertEqual(by["a"].rc, 0)
        self.assertIn("hello", by["a"].output)
        self.assertIn("no newline here", by["a"].output)
        self.assertEqual(by["b"].rc, 3)
        # QEMU ran at L1_NICE where this process may raise a priority
        want = hupnest.L1_NICE if hupnest.l1_nice_prefix() else os.nice(0)
        self.assertIn(f"hello nice={want}\n", by["a"].output)


class ExportFakeQemuTest(unittest.TestCase):
    """A scenario's file handed back through serial port 3 (hupnest's
    docstring, "Export"): _boot_l1 gives L1's QEMU a third port appending to
    export_path(); exports() decodes each complete block, leaves out one cut
    short (L1 died in the middle), and refuses a damaged one."""

    FAKE = r"""#!/bin/sh
chan= exp=
while [ $# -gt 0 ]; do
	case "$1" in
	-serial) case "$2" in file:*chan*) chan=${2#file:};; esac;;
	-chardev) case "$2" in *id=hupexport,append=on,path=*) exp=${2#*path=};; esac;;
	esac
	shift
done
[ -n "$exp" ] || exit 3
{ echo '@@EXPORT snap-a@@'; printf 'hello export' | gzip -c | base64; echo '@@EXPORT-END@@'
  echo '@@EXPORT cut@@'; printf 'never ends' | gzip -c | base64; } | sed 's/$/\r/' >> "$exp"
printf '@@HUP L1-READY uptime=1 cpus=2@@\n@@HUP BEGIN a@@\n@@HUP END a rc=0 t=1@@\n@@HUP ALL-DONE@@\n' >> "$chan"
"""

    def test_blocks_decoded(self):
        h = []
        ledger, stuck = boot_fake_qemu(self.FAKE, "a", h)
        self.assertFalse(stuck)
        self.assertEqual(ledger.results["a"].rc, 0)
        self.assertEqual(hupnest.exports(h[0].logdir), {"snap-a": b"hello export"})

    def test_damaged_block_refused(self):
        d = tempfile.mkdtemp()
        with open(hupnest.export_path(d, 1), "w") as f:
            f.write("@@EXPORT bad@@\nnot base64 of gzip!\n@@EXPORT-END@@\n")
        with self.assertRaises(hupnest.HarnessError):
            hupnest.exports(d)


class L1TripleFaultTest(unittest.TestCase):
    """L1's QEMU exits with status 0 in the middle of a scenario (an L1
    reset under -no-reboot): the scenario hangs (125), and its retry names
    the cause when QEMU's log (-d cpu_reset -D FILE) records a triple
    fault, and only then."""

    FAKE = r"""#!/bin/sh
chan= qlog=
while [ $# -gt 0 ]; do
	case "$1" in
	-serial) case "$2" in file:*chan*) chan=${2#file:};; esac;;
	-D) qlog=$2;;
	esac
	shift
done
printf '@@HUP L1-READY uptime=1 cpus=2@@\n@@HUP BEGIN a@@\nworking\n' >> "$chan"
[ -n "$qlog" ] && printf 'CPU Reset (CPU 0)\n%s' "$QLOG_TEXT" >> "$qlog"
exit 0
"""

    def boot(self, qlog_text):
        with mock.patch.dict(os.environ, {"QLOG_TEXT": qlog_text}):
            ledger, stuck = boot_fake_qemu(self.FAKE, "a")
        self.assertFalse(stuck)
        return ledger.results["a"]

    def test_named_from_qemu_log(self):
        r = self.boot("Triple fault\n")
        self.assertEqual(r.rc, 125)
        self.assertIn("working", r.output)
        self.assertEqual(flakes.hang_cause(r.output),
                         "L1 exited (status 0), its CPU triple-faulted (QEMU's log)")

    def test_reset_without_triple_fault(self):
        r = self.boot("")
        self.assertEqual(r.rc, 125)
        self.assertEqual(flakes.hang_cause(r.output), "L1 exited (status 0)")


class L1NiceTest(unittest.TestCase):
    """Who may start L1 at a raised priority: root, or a user whose
    RLIMIT_NICE allows L1_NICE (ceiling 20 - limit); anyone else gets no
    prefix (a `nice` that fails would only print a warning)."""

    def test_who_may(self):
        prefix = ["nice", "-n", str(hupnest.L1_NICE)]
        self.assertEqual(hupnest.l1_nice_prefix(euid=0, nice_limit=0), prefix)
        self.assertEqual(hupnest.l1_nice_prefix(euid=1000, nice_limit=0), [])
        need = 20 - hupnest.L1_NICE
        self.assertEqual(hupnest.l1_nice_prefix(euid=1000, nice_limit=need - 1), [])
        self.assertEqual(hupnest.l1_nice_prefix(euid=1000, nice_limit=need), prefix)
        self.assertEqual(hupnest.l1_nice_prefix(
            euid=1000, nice_limit=hupnest.resource.RLIM_INFINITY), prefix)


class DirectRunnerTest(unittest.TestCase):
    def test_exit_status_output_and_files(self):
        with tempfile.TemporaryDirectory() as work:
            sc = hupnest.Scenario("rc", 'cat data; echo "path=$HUP_PATH"; exit 3',
                                  {"data": __file__}, timeout=30)
            rc, out = hupnest._run_script(sc, work, {})
            self.assertEqual(rc, 3)
            self.assertIn("path=direct", out)
            self.assertIn("direct-path script runner", out)

    def prelude_verdicts(self, files, call, cases):
        """Each case ("RC FILE..."), after writing files (name: line, ""
        for an empty file), through the prelude's predicate call (a shell
        command taking $rc and the files as "$@"): "CASE: flake" or
        "CASE: real"."""
        script = [f": > {n}" if not line else f"echo '{line}' > {n}"
                  for n, line in files.items()]
        script += ["for c in " + " ".join(f"'{c}'" for c in cases) + "; do",
                   "  set -- $c; rc=$1; shift",
                   f"  if {call}; then echo \"$c: flake\";"
                   "  else echo \"$c: real\"; fi",
                   "done"]
        rc, out = hupnest._run_script(hupnest.Scenario("flake", "\n".join(script)),
                                      tempfile.mkdtemp(), {})
        self.assertEqual(rc, 0, out)
        return out.split("\n")[:len(cases)]

    def test_vm_flake_prelude(self):
        """hup_vm_flake, prepended to every scenario: only a KVM failure
        (5) before the start marker, a triple fault, a timeout (124)
        whose hang report blames the host, or a guest panic (4) on a
        stack guard page with no program registered or on the guest's own
        stall report (flakes.STALL_PANIC) or with an EFLAGS no CPU produces
        (flakes.IMPOSSIBLE_EFLAGS), or a timeout before hupvm handled any
        exit (flakes.NO_EXIT), is retryable."""
        files = {
            "started.log": "HUP-G: init ran",
            "tf.log": "hupvm: error: vCPU 0: triple fault",
            "host.log": "hupvm: error: hang: verdict: host (vCPU 1 does not take",
            "guest.log": "hupvm: error: hang: verdict: guest (every vCPU left",
            "guard.log": "BUG: ENTRY_TRAMPOLINE stack guard page was hit at 0",
            "none.log": "hupvm: hyperupcalls: 0 registrations, 0 requests refused",
            "one.log": "hupvm: hyperupcalls: 1 registrations, 0 requests refused",
            "soft.log": "[ 35.6] Kernel panic - not syncing: softlockup: hung tasks",
            "rcu.log": "[ 33.3] Kernel panic - not syncing: RCU Stall",
            "fatal.log": "[ 33.3] Kernel panic - not syncing: Fatal exception",
            "junk.log": "[ 8.5] RSP: 0018:ff5ab42d80273a90 EFLAGS: 429663c2",
            "bit22.log": "[ 8.5] RSP: 0018:ff5ab42d80273a90 EFLAGS: 00400002",
            "id.log": "[ 8.5] RSP: 002b:00007ffcf6825240 EFLAGS: 00200293 ORIG_RAX: 1",
            "noexit.log": "hupvm: 0 exits handled; 0 port and 0 MMIO accesses",
            "ten.log": "hupvm: 10 exits handled; 0 port and 0 MMIO accesses",
            "empty.log": "",
        }
        verdicts = {
            "5 empty.log": "flake", "5 started.log": "real",
            "5 started.log tf.log": "flake", "4 empty.log": "real",
            "0 tf.log": "real", "124 started.log host.log": "flake",
            "124 started.log guest.log": "real", "124 empty.log": "real",
            "5 started.log host.log": "real",
            "4 guard.log none.log": "flake", "4 guard.log one.log": "real",
            "4 none.log": "real", "5 started.log guard.log none.log": "real",
            "4 started.log soft.log one.log": "flake", "4 started.log rcu.log": "flake",
            "4 started.log fatal.log one.log": "real", "5 started.log soft.log": "real",
            "4 started.log junk.log one.log": "flake", "4 bit22.log": "flake",
            "4 started.log id.log one.log": "real", "124 guest.log noexit.log": "flake",
            "124 started.log guest.log ten.log": "real", "4 noexit.log": "real",
        }
        self.assertEqual(
            self.prelude_verdicts(files, "hup_vm_flake $rc 'HUP-G: init ran' \"$@\"",
                                  list(verdicts)),
            [f"{c}: {v}" for c, v in verdicts.items()])

    def test_qemu_l2_reset_prelude(self):
        """qemu_l2_reset: QEMU's clean exit with none of the L2 init's
        lines is a reset before init (a triple fault); with them, or a
        failing QEMU, it is not."""
        files = {"empty.log": "", "ran.log": "HUP-L2: init ran, uptime 1.2 s"}
        verdicts = {"0 empty.log": "flake", "0 ran.log": "real",
                    "1 empty.log": "real", "124 empty.log": "real"}
        self.assertEqual(
            self.prelude_verdicts(files, "qemu_l2_reset $rc \"$1\" 'HUP-L2:'",
                                  list(verdicts)),
            [f"{c}: {v}" for c, v in verdicts.items()])
        self.assertEqual(flakes.hang_cause(
            "selftest: L2 reset before its init ran (a triple fault: -no-reboot exits 0)"),
            "triple fault")

    def test_timeout_kills_the_process_group(self):
        with tempfile.TemporaryDirectory() as work:
            sc = hupnest.Scenario("slow", "sleep 300 & sleep 300; echo never", timeout=1)
            t = time.monotonic()
            rc, out = hupnest._run_script(sc, work, {})
            self.assertLess(time.monotonic() - t, 20)
            self.assertEqual(rc, 124)
            self.assertIn("timed out", out)
            self.assertNotIn("never", out)


if __name__ == "__main__":
    unittest.main()
