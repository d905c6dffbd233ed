#!/usr/bin/env python3
"""e2elib without a guest: fill() fills every placeholder or refuses,
l1_launch() starts hupvm as the scripts expect, l2_image() packs a
guest, s_lines()/s_json() read
the L1 script's lines, and ScenarioTest.result() finds a scenario's
result or skips the test."""
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
import scenario as e2e  # noqa: E402
import e2elib  # noqa: E402
from e2elib import ScenarioTest, fill, l1_launch, l2_image, s_json, s_lines  # noqa: E402


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
            saved = e2elib.e2e.module_for
            e2elib.e2e.module_for = lambda kk, cache: ko  # a fake module build
            try:
                path = l2_image("unit", k, tools, d, "#!/bin/sh\n",
                                {"bin/hup-tool": tool, "lib/x.o": obj})
            finally:
                e2elib.e2e.module_for = saved
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
