#!/usr/bin/env python3
"""Unit tests of the harness' own logic that need no KVM: scenario
validation, the direct-path script runner (exit status, timeout kill), the
L1 channel parser and the retry logic, with fake hosts."""
import os
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import hupnest  # noqa: E402


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


class HangRetryFakeHostTest(unittest.TestCase):
    """Harness.run with a fake host pass: a hung scenario is retried once and
    reported; a failed one is not retried."""

    def test_hang_retried_failure_not(self):
        h = hupnest.Harness(cache=tempfile.mkdtemp())
        calls = []

        def fake_once(scenarios, kernel):
            calls.append([s.name for s in scenarios])
            run = hupnest.Run("fake")
            for sc in scenarios:
                r = hupnest.Result(sc.name)
                first = len(calls) == 1
                r.rc = {"hangs": 124 if first else 0, "fails": 1, "ok": 0}[sc.name]
                r.output = f"try {len(calls)}\n"
                run.results.append(r)
            return run

        h._run_once = fake_once
        orig = hupnest.guest_image.fetch
        hupnest.guest_image.fetch = lambda *a, **k: None
        try:
            run = h.run([hupnest.Scenario(n, "true") for n in ("hangs", "fails", "ok")])
        finally:
            hupnest.guest_image.fetch = orig
        self.assertEqual(calls, [["hangs", "fails", "ok"], ["hangs"]])
        self.assertEqual(run.scenario_retries, ["hangs"])
        by = {r.name: r for r in run.results}
        self.assertEqual((by["hangs"].rc, by["fails"].rc, by["ok"].rc), (0, 1, 0))
        self.assertTrue(os.path.exists(os.path.join(h.logdir, "hangs.try1.log")))


class L1DiesFakeHostTest(unittest.TestCase):
    """_run_nested when an L1 dies under a scenario: that scenario keeps its
    failure and every later scenario still runs, in a fresh L1 (a bug once
    dropped the scenario after the one L1 died under, as "did not run")."""

    def test_rest_runs_in_a_fresh_l1(self):
        h = hupnest.Harness(cache=tempfile.mkdtemp())
        base = os.path.join(h.cache, "l1-base.cpio")
        with open(base, "wb") as f:
            f.write(b"base")
        h.l1_image = lambda kernel: base
        h._payload = lambda scenarios: b"payload"
        boots = []

        def fake_boot(kernel, initrd, scenarios, run, work, attempt):
            boots.append([s.name for s in scenarios])
            done = []
            for sc in scenarios:
                r = hupnest.Result(sc.name)
                r.rc = 125 if (len(boots) == 1 and sc.name == "b") else 0
                run.results.append(r)
                done.append(sc)
                if r.rc == 125:  # L1 died under b
                    break
            return done, False

        h._boot_l1 = fake_boot
        run = h._run_nested([hupnest.Scenario(n, "true") for n in "abcd"], None)
        self.assertEqual(boots, [["a", "b", "c", "d"], ["c", "d"]])
        self.assertEqual({r.name: r.rc for r in run.results},
                         {"a": 0, "b": 125, "c": 0, "d": 0})

    def test_no_progress_gives_up_one_scenario(self):
        h = hupnest.Harness(cache=tempfile.mkdtemp())
        base = os.path.join(h.cache, "l1-base.cpio")
        with open(base, "wb") as f:
            f.write(b"base")
        h.l1_image = lambda kernel: base
        h._payload = lambda scenarios: b"payload"
        boots = []

        def fake_boot(kernel, initrd, scenarios, run, work, attempt):
            boots.append([s.name for s in scenarios])
            return [], False  # L1 ready, then died before any scenario

        h._boot_l1 = fake_boot
        run = h._run_nested([hupnest.Scenario(n, "true") for n in "ab"], None)
        self.assertEqual(boots, [["a", "b"], ["b"]])
        self.assertEqual(run.results, [])


class ChannelFakeQemuTest(unittest.TestCase):
    """_boot_l1's channel parser against a fake QEMU that writes a canned
    channel: a marker glued to output without a newline (seen when a
    scenario's last line had none) still ends its scenario, with that
    output kept; without it the scenario was taken for a hang."""

    FAKE = r"""#!/bin/sh
chan=
while [ $# -gt 0 ]; do
	case "$1" in -serial) case "$2" in file:*chan*) chan=${2#file:};; esac;; esac
	shift
done
printf '@@HUP L1-READY uptime=1 cpus=2@@\n@@HUP BEGIN a@@\nhello\n' >> "$chan"
printf 'no newline here@@HUP END a rc=0 t=1@@\n' >> "$chan"
printf '@@HUP BEGIN b@@\n\n@@HUP END b rc=3 t=0@@\n@@HUP ALL-DONE@@\n' >> "$chan"
"""

    def test_glued_marker(self):
        tmp = tempfile.mkdtemp()
        fake = os.path.join(tmp, "qemu")
        with open(fake, "w") as f:
            f.write(self.FAKE)
        os.chmod(fake, 0o755)
        h = hupnest.Harness(cache=tmp)
        os.makedirs(h.logdir, exist_ok=True)
        kernel = type("K", (), {"vmlinuz": "/nonexistent"})()
        run = hupnest.Run("nested")
        saved, hupnest.QEMU = hupnest.QEMU, fake
        try:
            done, stuck = h._boot_l1(kernel, "/nonexistent",
                                     [hupnest.Scenario(n, "true") for n in "ab"],
                                     run, tmp, 1)
        finally:
            hupnest.QEMU = saved
        self.assertFalse(stuck)
        self.assertEqual([s.name for s in done], ["a", "b"])
        by = {r.name: r for r in run.results}
        self.assertEqual(by["a"].rc, 0)
        self.assertIn("hello", by["a"].output)
        self.assertIn("no newline here", by["a"].output)
        self.assertEqual(by["b"].rc, 3)


class DirectRunnerTest(unittest.TestCase):
    def test_exit_status_output_and_files(self):
        with tempfile.TemporaryDirectory() as work:
            sc = hupnest.Scenario("rc", 'cat data; echo "path=$HUP_PATH"; exit 3',
                                  {"data": __file__}, timeout=30)
            rc, out = hupnest._run_script(sc, work, {})
            self.assertEqual(rc, 3)
            self.assertIn("path=direct", out)
            self.assertIn("direct-path script runner", out)

    def test_vm_flake_prelude(self):
        """hup_vm_flake, prepended to every scenario: only a KVM failure
        (5) before the start marker, or a triple fault, is retryable."""
        script = "\n".join([
            "echo 'HUP-G: init ran' > started.log",
            "echo 'hupvm: error: vCPU 0: triple fault' > tf.log",
            ": > empty.log",
            "for c in '5 empty.log' '5 started.log' '5 started.log tf.log' "
            "'4 empty.log' '0 tf.log'; do",
            "  set -- $c; rc=$1; shift",
            "  if hup_vm_flake $rc 'HUP-G: init ran' \"$@\"; then echo \"$c: flake\";"
            "  else echo \"$c: real\"; fi",
            "done"])
        rc, out = hupnest._run_script(hupnest.Scenario("flake", script),
                                      tempfile.mkdtemp(), {})
        self.assertEqual(rc, 0, out)
        self.assertEqual(out.split("\n")[:5], [
            "5 empty.log: flake", "5 started.log: real",
            "5 started.log tf.log: flake", "4 empty.log: real",
            "0 tf.log: real"])

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
