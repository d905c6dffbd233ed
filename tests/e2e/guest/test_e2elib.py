#!/usr/bin/env python3
"""e2elib without a guest: fill() fills every placeholder or refuses, and
ScenarioTest.result() finds a scenario's result or skips the test."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, HERE)
import scenario as e2e  # noqa: E402
from e2elib import ScenarioTest, fill  # noqa: E402


class Fill(unittest.TestCase):
    def test_fills_keys_and_l1_parts(self):
        out = fill("@L1_FUNCS@\nrun @MEM@ @N@\n@L1_END@", MEM="256M", N=3)
        self.assertIn("run 256M 3", out)
        self.assertTrue(out.startswith(e2e.L1_FUNCS))
        self.assertTrue(out.endswith(e2e.L1_END))
        self.assertNotIn("@", out.replace(e2e.L1_FUNCS, "").replace(e2e.L1_END, ""))

    def test_refuses_a_placeholder_left(self):
        with self.assertRaisesRegex(e2e.SetupError, "not filled: @MEM@"):
            fill("run @MEM@", )

    def test_refuses_a_key_the_template_lacks(self):
        with self.assertRaisesRegex(e2e.SetupError, "no @MEMORY@"):
            fill("run @MEM@", MEM=1, MEMORY=2)

    def test_shell_at_signs_are_not_placeholders(self):
        self.assertEqual(fill('echo "$@" a@b @x@'), 'echo "$@" a@b @x@')


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
