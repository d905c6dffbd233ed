#!/usr/bin/env python3
"""scripts/hup-try without a guest (fake outputs): argument checks, the host
steps' shell words, the ordered transcript and the exit status read from a
scenario's output."""
import importlib.machinery
import importlib.util
import io
import os
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stderr

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TRY = os.path.join(ROOT, "scripts", "hup-try")
loader = importlib.machinery.SourceFileLoader("hup_try", TRY)
spec = importlib.util.spec_from_loader("hup_try", loader)
ht = importlib.util.module_from_spec(spec)
loader.exec_module(ht)
PS_C = os.path.join(ROOT, "samples", "ps.c")


def refused(argv):
    err = io.StringIO()
    with redirect_stderr(err), unittest.TestCase().assertRaises(SystemExit) as cm:
        ht.parse_args(argv)
    return cm.exception.code, err.getvalue()


class Args(unittest.TestCase):
    def test_steps_keep_their_order(self):
        a = ht.parse_args([PS_C, "-g", "uname -r", "-q", "ps", "-H", "stats",
                           "--guest", "true", "-r", "ps"])
        self.assertEqual([(s.kind, s.text) for s in a.steps],
                         [("guest", "uname -r"), ("query", "ps"), ("hupctl", "stats"),
                          ("guest", "true"), ("reclaim", "ps")])

    def test_rejections(self):
        for argv, what in (([], "the following arguments"),
                           (["nope.c"], "no such file"),
                           ([TRY], "give a .c or a .o"),
                           ([PS_C, "-c", "0"], "--cpus 0"),
                           ([PS_C, "-c", "9"], "--cpus 9"),
                           ([PS_C, "-m", "1G"], "--mem 1G"),
                           ([PS_C, "-w", "heap"], "--window heap"),
                           ([PS_C, "-k", "5.10"], "invalid choice"),
                           ([PS_C, "-q", "a b"], "registration name"),
                           ([PS_C, "-q", "$(reboot)"], "registration name"),
                           ([PS_C, "-H", ""], "empty command"),
                           ([PS_C, "-H", "query {a;b}"], "not a registration name"),
                           ([PS_C, "-H", "query 'x"], "No closing quotation")):
            code, err = refused(argv)
            self.assertEqual(code, 2, argv)
            self.assertIn(what, err, argv)

    def test_cli_exit_status_2(self):
        r = subprocess.run([sys.executable, TRY, "missing.c"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("no such file", r.stderr)


class HostWords(unittest.TestCase):
    def sh(self, step):
        """Run the host step's words through sh with a fake id_of and echo."""
        assign, words = ht.host_args(step)
        script = ("id_of() { case $1 in ps) echo 7;; free_discard) echo 9;; esac; }\n"
                  f"{assign}printf '%s|' {words}")
        return subprocess.run(["sh", "-c", script], capture_output=True, text=True).stdout

    def test_query_and_reclaim_by_name(self):
        self.assertEqual(self.sh(ht.Step("query", "ps")), "query|7|")
        self.assertEqual(self.sh(ht.Step("reclaim", "free_discard")), "reclaim|9|")
        self.assertEqual(self.sh(ht.Step("query", "unknown")), "query|none|")

    def test_typed_query_when_the_object_declares_a_record(self):
        d = tempfile.mkdtemp()
        with_rec, without = os.path.join(d, "a.o"), os.path.join(d, "b.o")
        with open(with_rec, "wb") as f:
            f.write(b"\x7fELF...__hup_record_ps\0...")
        with open(without, "wb") as f:
            f.write(b"\x7fELF...__hup_record_psx\0...")
        objs = [("b.o", without), ("a.o", with_rec)]
        self.assertEqual(ht.host_args(ht.Step("query", "ps"), objs)[1],
                         '--obj obj/a.o --prog ps query "${id:-none}"')
        self.assertEqual(ht.host_args(ht.Step("query", "p"), objs)[1], 'query "${id:-none}"')
        self.assertEqual(ht.host_args(ht.Step("reclaim", "ps"), objs)[1],
                         'reclaim "${id:-none}"')

    def test_hupctl_names_and_quoting(self):
        self.assertEqual(self.sh(ht.Step("hupctl", "stats {ps}")), "stats|7|")
        self.assertEqual(self.sh(ht.Step("hupctl", "reclaim {free_discard} --max-bytes 1M")),
                         "reclaim|9|--max-bytes|1M|")
        self.assertEqual(self.sh(ht.Step("hupctl", "query x{ps}y 'a b' '$(id)'")),
                         "query|x7y|a b|$(id)|")


GOOD = """HUP-G: init ran, kernel 6.1.0-57-cloud-amd64, cpus 2
HUP-G: insmod rc=0
HUP-O load: hupload: ps: registered as 1
HUP-G: load ps.o rc=0
HUP-G: step 1 guest: uname -r
HUP-O 1: 6.1.0-57-cloud-amd64
HUP-G: step 1 rc=0
HUP-G: step 2 query: ps
HUP-G: sync step2
HUP-H 2 hex: 69 6e 69 74 00 0a
HUP-H 2 rc=0
HUP-G: sync step2 answered go
HUP-G: done
HUP-RC 0
"""


class Transcript(unittest.TestCase):
    steps = [ht.Step("guest", "uname -r"), ht.Step("query", "ps")]

    def test_in_order(self):
        text, status, missing = ht.transcript(GOOD, self.steps)
        self.assertEqual(status, ht.EXIT_OK)
        self.assertEqual(missing, [])
        self.assertEqual(text.splitlines(), [
            "[guest] insmod hyperupcall.ko: ok",
            "        hupload: ps: registered as 1",
            "[guest] hupload ps.o: registered",
            "[guest] $ uname -r",
            "        6.1.0-57-cloud-amd64",
            "[host]  $ hupctl query ps",
            "init\\0"])

    def test_failures_count(self):
        for bad in (GOOD.replace("step 1 rc=0", "step 1 rc=3"),
                    GOOD.replace("HUP-H 2 rc=0", "HUP-H 2 rc=1"),
                    GOOD.replace("load ps.o rc=0", "load ps.o rc=1"),
                    GOOD.replace("insmod rc=0", "insmod rc=1")):
            self.assertEqual(ht.transcript(bad, self.steps)[1], ht.EXIT_FAILED, bad)

    def test_missing_step(self):
        out = GOOD.replace("HUP-H 2 rc=0\n", "")
        self.assertEqual(ht.transcript(out, self.steps)[2], [2])

    def test_printable(self):
        self.assertEqual(ht.printable(b"a\0\x01\n~\x7f"), "a\\0\\x01\n~\\x7f")


if __name__ == "__main__":
    unittest.main(verbosity=2)
