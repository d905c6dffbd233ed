#!/usr/bin/env python3
"""The e2e library without a guest: e2elib's fill() fills every placeholder
or refuses, l1_launch() starts hupvm as the scripts expect, l2_image()
packs a guest, ScenarioTest.result() finds a scenario's result or skips
the test; guestlog reads the guest's, the L1 script's and hupctl's lines;
trace_case.check() passes a recorded tracing run (data/, a real nested
run of trace-6.1-cloud) and names what each damage to it breaks."""
import os
import subprocess
import sys
import tempfile
import types
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, HERE)
import e2elib  # noqa: E402
from e2elib import ScenarioTest, fill, l1_launch, l2_image  # noqa: E402
import trace_case  # noqa: E402
from guestlog import GuestLog, g_lines, g_values, hupctl_runs, s_json, s_lines, vm_rc  # noqa: E402


class Fill(unittest.TestCase):
    def test_fills_keys_and_l1_parts(self):
        out = fill("@L1_FUNCS@\nrun @MEM@ @N@\n@L1_END@", MEM="256M", N=3)
        self.assertIn("run 256M 3", out)
        self.assertTrue(out.startswith(e2elib.L1_FUNCS))
        self.assertTrue(out.endswith(e2elib.L1_END))
        self.assertNotIn("@", out.replace(e2elib.L1_FUNCS, "").replace(e2elib.L1_END, ""))

    def test_refuses_a_placeholder_left(self):
        with self.assertRaisesRegex(e2elib.SetupError, "not filled: @MEM@"):
            fill("run @MEM@", )

    def test_refuses_a_key_the_template_lacks(self):
        with self.assertRaisesRegex(e2elib.SetupError, "no @MEMORY@"):
            fill("run @MEM@", MEM=1, MEMORY=2)

    def test_shell_at_signs_are_not_placeholders(self):
        self.assertEqual(fill('echo "$@" a@b @x@'), 'echo "$@" a@b @x@')


class Launch(unittest.TestCase):
    def test_starts_hupvm_with_its_socket_and_logs(self):
        out = l1_launch("6.1.0-57-cloud-amd64", "-c 2 -m 256M -a 'console=ttyS0'")
        self.assertIn("HUP-S: launch $(now) kernel 6.1.0-57-cloud-amd64", out)
        self.assertIn("./hupvm -k ./vmlinuz -i ./l2.cpio --control ./ctl.sock "
                      "-c 2 -m 256M -a 'console=ttyS0' < in 2> hupvm.err", out)
        self.assertIn("echo $? > rc.txt", out)
        self.assertTrue(out.endswith("exec 3>in"))
        # it fills an L1 script's @L1_LAUNCH@ like any value
        script = fill("@L1_LAUNCH@\n@L1_FUNCS@\n@L1_END@", L1_LAUNCH=out)
        self.assertTrue(script.startswith("set -u\n"))


class Funcs(unittest.TestCase):
    def test_id_of_by_name_first_or_empty(self):
        # L1_FUNCS's id_of against a fake hupctl's `list`
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "hupctl"), "w") as f:
                f.write('#!/bin/sh\n[ "$3" = list ] || exit 2\n'
                        'echo \'prog 3 event=query name="ps" runs=0\'\n'
                        'echo \'prog 12 event=reclaim name="free_discard" runs=1\'\n'
                        'echo \'prog 14 event=query name="ps" runs=0\'\n')
            os.chmod(os.path.join(d, "hupctl"), 0o755)
            script = e2elib.L1_FUNCS + 'echo "[$(id_of ps)] [$(id_of free_discard)] [$(id_of p)]"\n'
            out = subprocess.run(["sh", "-c", script], cwd=d, capture_output=True,
                                 text=True, check=True).stdout
        self.assertEqual(out, "[3] [12] []\n")


class BuildModulesFake(unittest.TestCase):
    """build_modules() with a fake kernel fetch and module build: every
    kernel's module, the debug one only where a guest loads it; an unknown
    kernel refused before anything is built."""

    def setUp(self):
        self.built = []
        self.saved = e2elib.kernel, e2elib.module_for
        self.tmp = tempfile.TemporaryDirectory()
        ko = os.path.join(self.tmp.name, "ko")
        with open(ko, "wb") as f:
            f.write(b"12345")
        e2elib.kernel = lambda name, cache: types.SimpleNamespace(name=name)

        def fake_module_for(k, cache, debug=False):
            self.built.append((k.name, debug))
            return ko
        e2elib.module_for = fake_module_for

    def tearDown(self):
        e2elib.kernel, e2elib.module_for = self.saved
        self.tmp.cleanup()

    def test_all_and_the_debug_ones(self):
        out = types.SimpleNamespace(lines=[])
        out.write = out.lines.append
        e2elib.build_modules("/cache", out=out)
        want = [(n, False) for n in e2elib.KERNELS] + \
            [(n, True) for n in e2elib.DEBUG_MODULE_KERNELS]
        self.assertEqual(sorted(self.built), sorted(want))
        text = "".join(out.lines)
        self.assertIn("6.1-cloud HUP_DEBUG=1: ", text)
        self.assertIn("(5 bytes, ", text)

    def test_unknown_kernel(self):
        with self.assertRaisesRegex(e2elib.SetupError, "unknown kernel 'bogus'"):
            e2elib.build_modules("/cache", ["6.1-cloud", "bogus"])
        self.assertEqual(self.built, [])
        self.assertEqual(e2elib.main(["build-modules", "--cache", "/x", "bogus"]), 1)

    def test_nested_priority(self):
        # in a child: the flag changes the priority of the process
        code = ("import os, sys; sys.path.insert(0, sys.argv[1]); import e2elib; "
                "e2elib.build_modules = lambda cache, names: None; "
                "rc = e2elib.main(['build-modules', '--nested-priority', '--cache', '/x']); "
                "print(rc, os.getpriority(os.PRIO_PROCESS, 0))")
        out = subprocess.run([sys.executable, "-c", code, HERE], capture_output=True,
                             text=True, check=True).stdout.split()
        want = e2elib.hupnest.L1_NICE if e2elib.hupnest.l1_nice_allowed() else os.nice(0)
        self.assertEqual(out, ["0", str(want)])


class Image(unittest.TestCase):
    def test_the_shared_files_and_the_tests_own(self):
        with tempfile.TemporaryDirectory() as d:
            def made(name, data):
                p = os.path.join(d, name)
                with open(p, "wb") as f:
                    f.write(data)
                return p
            ko, tool, obj = made("ko", b"ko"), made("tool", b"tool"), made("o", b"obj")
            tools = types.SimpleNamespace(hupload=made("hupload", b"hupload"))
            k = types.SimpleNamespace(release="6.1.0-test")
            saved = e2elib.module_for
            e2elib.module_for = lambda kk, cache: ko  # a fake module build
            try:
                path = l2_image("unit", k, tools, d, "#!/bin/sh\n",
                                {"bin/hup-tool": tool, "lib/x.o": obj})
            finally:
                e2elib.module_for = saved
            self.assertEqual(path, os.path.join(d, "l2-unit-6.1.0-test.cpio"))
            with open(path, "rb") as f:
                listing = subprocess.run(["cpio", "-itv", "--quiet"], stdin=f,
                                         capture_output=True, text=True, check=True).stdout
            modes = {line.split()[-1]: line.split()[0] for line in listing.splitlines()}
            self.assertEqual(modes["init"], "-rwxr-xr-x")
            self.assertEqual(modes["lib/l2_lib.sh"], "-rw-r--r--")
            self.assertEqual(modes["lib/hyperupcall.ko"], "-rw-r--r--")
            self.assertEqual(modes["bin/hupload"], "-rwxr-xr-x")
            self.assertEqual(modes["bin/hup-tool"], "-rwxr-xr-x")
            self.assertEqual(modes["lib/x.o"], "-rw-r--r--")


class Lines(unittest.TestCase):
    OUT = ("HUP-G: x\nHUP-S: k {\"a\": 1}\nHUP-S: kk 2\n"
           "HUP-S: k hupctl: ENODEV no block \nHUP-S: k {\"a\": 3}\n")

    def test_lines_of_one_key_in_order(self):
        self.assertEqual(s_lines(self.OUT, "k"),
                         ['{"a": 1}', "hupctl: ENODEV no block", '{"a": 3}'])
        self.assertEqual(s_lines(self.OUT, "kk"), ["2"])
        self.assertEqual(s_lines(self.OUT, "missing"), [])

    def test_json_or_none(self):
        self.assertEqual(s_json(self.OUT, "k"), [{"a": 1}, None, {"a": 3}])


class GuestLines(unittest.TestCase):
    OUT = ("noise\nHUP-G: insmod rc=0\nHUP-G: bad-dmesg 0\nHUP-G: insmod rc=1 \n"
           "HUP-G: trace: a-1 [000] one\nHUP-G: trace: two\nHUP-G: tracefoo: x\n"
           "HUPCTL $ hupctl list\nprog 1 name=\"ps\" event=query runs=3\n\n"
           "HUPCTL rc=0\nHUPCTL $ hupctl stats\nHUPCTL rc=2\n"
           "HUPCTL $ hupctl query 9\npartial\nHUP-RC 5\nHUP-RC 7\n")

    def test_values_last_wins_stripped(self):
        v = g_values(self.OUT)
        self.assertEqual(v["insmod"], "rc=1")
        self.assertEqual(v["bad-dmesg"], "0")

    def test_lines_of_one_key(self):
        self.assertEqual(g_lines(self.OUT, "trace"), ["a-1 [000] one", "two"])
        self.assertEqual(g_lines(self.OUT, "missing"), [])

    def test_hupctl_runs_complete_only(self):
        self.assertEqual(hupctl_runs(self.OUT),
                         [("list", ['prog 1 name="ps" event=query runs=3'], 0),
                          ("stats", [], 2)])

    def test_vm_rc_first_or_none(self):
        self.assertEqual(vm_rc(self.OUT), 5)
        self.assertIsNone(vm_rc("HUP-G: done\n"))

    def test_guestlog(self):
        g = GuestLog("x", self.OUT, rc=1)
        self.assertEqual((g.name, g.rc, g.vm_rc), ("x", 1, 5))
        self.assertEqual(g.hupctl_cmd("stats"), ("stats", [], 2))
        self.assertIsNone(g.hupctl_cmd("stats", 1))
        self.assertEqual(g.prog(g.hupctl_cmd("list")[1], "ps"),
                         {"name": '"ps"', "event": "query", "runs": "3"})
        self.assertIsNone(g.prog([], "ps"))


class TraceCheck(unittest.TestCase):
    """check() on a real run's output, and on that output damaged."""

    @classmethod
    def setUpClass(cls):
        with open(os.path.join(HERE, "data", "trace-6.1-cloud.log"), errors="replace") as f:
            cls.out = f.read()

    def problems(self, out):
        return trace_case.check(trace_case.Outcome("trace-6.1-cloud", out))

    def test_the_recorded_run_passes(self):
        o = trace_case.Outcome("trace-6.1-cloud", self.out)
        self.assertEqual(trace_case.check(o), [])
        n = trace_case.numbers(o)
        self.assertEqual(n["release"], "6.1.0-57-cloud-amd64")
        self.assertEqual(n["port_events"], trace_case.PORT_COUNT)
        self.assertGreater(n["ps_tasks"], 10)
        self.assertGreaterEqual(n["dmesg_records"], trace_case.DMESG_MIN)
        self.assertIn("PASS", trace_case.summary(o, "nested"))
        self.assertIn("trace_marker  guest: after the workload", trace_case.excerpt(o))

    def damaged(self, old, new="", count=1):
        self.assertIn(old, self.out)
        return self.problems(self.out.replace(old, new, count))

    def test_each_damage_is_named(self):
        cases = [
            ("HUP-G: done", "", "did not finish"),
            ("HUP-RC 0", "HUP-RC 1", "hupvm exit status 1"),
            ("HUP-G: HUP-W: msr 0xc0000103=0xdead refused", "", "did not refuse 0xdead"),
            ("tracing_mark_write: guest: after the workload", "", "missing trace_marker"),
            ("HUP-G: rmmod rc=0", "HUP-G: rmmod rc=1", "rmmod hyperupcall failed"),
            ("HUP-G: status: backend: present", "", "did not find the backend"),
            ("name=\"msr_guard\"", "name=\"other\"", "hupctl list: msr_guard missing"),
        ]
        for old, new, want in cases:
            with self.subTest(damage=old):
                probs = self.damaged(old, new)
                self.assertTrue(any(want in p for p in probs), probs)

    def test_an_event_outside_its_window_is_shown(self):
        # the first WRMSR converted 30 ms early: before its window opens
        probs = self.damaged("msr_write ts=7.278155943", "msr_write ts=7.248155943")
        msg = [p for p in probs if p.startswith("WRMSR events outside their markers")]
        self.assertEqual(len(msg), 1, probs)
        self.assertIn("window [7.268417, 7.301392]", msg[0])
        self.assertIn("seq 5658 vcpu 0 at 7.248156 (-20.261 ms from the first marker", msg[0])
        self.assertIn("delay 1984 us", msg[0])
        # its raw stamp is right: the exact check has nothing to say
        self.assertFalse([p for p in probs if "stamped outside" in p], probs)

    def test_a_stamp_outside_the_markers_tscs_is_shown(self):
        # stamped 4 ms (at 2.3 GHz) before the guest wrote the opening marker
        probs = self.damaged("seq=5658 tsc=25590763481", "seq=5658 tsc=25559000000")
        msg = [p for p in probs if p.startswith("WRMSR events stamped outside")]
        self.assertEqual(len(msg), 1, probs)
        self.assertIn("(25568431619, 25644110851)", msg[0])
        self.assertIn("seq 5658 tsc 25559000000 (-9431619 cycles from the first marker", msg[0])

    def test_markers_need_their_tscs(self):
        out = "\n".join(l for l in self.out.split("\n") if "HUP-W: mark tsc" not in l)
        self.assertIn("markers without their TSCs (no 'HUP-W: mark tsc' lines)", self.problems(out))

    def test_the_slack_follows_the_markers_stray(self):
        o = trace_case.Outcome("trace-6.1-cloud", self.out)
        base = o.stray_s()
        self.assertLess(base, 0.001)
        self.assertAlmostEqual(o.slack_s(), trace_case.TS_SLACK_S + base)
        # the closing marker's TSC 2 ms (4.6M cycles) earlier: the clock
        # strayed 2 ms from it, and the slack grows by as much
        moved = self.out.replace("mark tsc 25644110851 25644187697",
                                 "mark tsc 25639510851 25639587697")
        o2 = trace_case.Outcome("trace-6.1-cloud", moved)
        self.assertAlmostEqual(o2.stray_s(), 0.002, delta=0.0002)
        self.assertEqual(trace_case.check(o2), [])

    def test_no_hv_events(self):
        out = "\n".join(l for l in self.out.split("\n") if "hv_event:" not in l)
        self.assertIn("no hyperupcall:hv_event lines in the trace", self.problems(out))

    def test_nomodule_mode_checks_its_own_workload(self):
        # the traced guest runs no dd: the nomodule check must miss it
        probs = trace_case.check(trace_case.Outcome("nomodule-6.1-cloud", self.out), "nomodule")
        self.assertEqual(probs, ["dd workload failed"])


class Result(unittest.TestCase):
    def test_result_by_name_or_skip(self):
        class Fake(ScenarioTest):
            def runTest(self):
                pass
        Fake.by = {"a-6.1-cloud": "result"}
        t = Fake()
        self.assertEqual(t.result("a-6.1-cloud"), "result")
        with self.assertRaises(unittest.SkipTest):
            t.result("b-6.1-cloud")


if __name__ == "__main__":
    unittest.main()
