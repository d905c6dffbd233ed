#!/usr/bin/env python3
"""The hupvm-e2e boot scenarios' L1 script (RUN_TEMPLATE), run on this
machine with a fake VMM (a shell command printing a log and exiting with a
chosen status): the expected status passes, a triple fault of a booted
guest is the nested CPU model's and exits 124 (the harness retries it and
says so), and any other unexpected status fails."""
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_hupvm_e2e as e2e  # noqa: E402
import hupnest  # noqa: E402


def fake_vmm(lines, rc):
    body = "; ".join(f"echo '{line}'" for line in lines)
    return f"sh -c \"{body}; exit {rc}\""


class RunTemplateFakeVmmTest(unittest.TestCase):
    def run_case(self, lines, rc, expect):
        sc = e2e.scenario("fake", fake_vmm(lines, rc), expect, {}, timeout=30)
        with tempfile.TemporaryDirectory() as work:
            return hupnest._run_script(sc, work, {})

    def test_expected_status_passes(self):
        rc, out = self.run_case(["HUP-L2: init ran, uptime 1.0 s"], 0, 0)
        self.assertEqual(rc, 0, out)
        self.assertIn("HUP-RC 0", out)
        self.assertRegex(out, r"(?m)^HUP-T userspace [0-9.]+$")
        rc, out = self.run_case(["HUP-L2: crashing on purpose"], 4, 4)
        self.assertEqual(rc, 0, out)

    def test_triple_fault_after_boot_is_retryable(self):
        rc, out = self.run_case(["HUP-L2: init ran, uptime 1.0 s",
                                 "hupvm: error: vCPU 1: triple fault (KVM_EXIT_SHUTDOWN)"],
                                5, 0)
        self.assertEqual(rc, 124, out)
        self.assertIn("nested CPU model: retryable", out)
        self.assertIn("HUP-RC 5", out)

    def test_other_status_fails(self):
        for lines, st in ((["HUP-L2: init ran, uptime 1.0 s"], 3),
                          (["HUP-L2: init ran", "Kernel panic - not syncing: Fatal exception"], 4),
                          (["HUP-L2: init ran", "hupvm: error: KVM_RUN: Bad address"], 5),
                          (["hang: verdict: guest (every vCPU left KVM_RUN"], 124)):
            rc, out = self.run_case(lines, st, 0)
            self.assertEqual(rc, 1, (st, out))
            self.assertIn(f"unexpected exit status {st} (want 0)", out)
            self.assertNotIn("retryable", out)


if __name__ == "__main__":
    unittest.main()
