#!/usr/bin/env python3
"""hupctl query --obj (typed output) against a fake hupvm socket that
answers one request with canned bytes: records printed field by field as
text and JSON, the request sent as a plain query, trailing bytes and a
failed run reported, and every bad --obj/--prog refused with exit 2.

usage: test_hupctl_records.py HUPCTL RECORDS_O"""
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import unittest

HUPCTL, OBJ = sys.argv.pop(1), sys.argv.pop(1)


def rec(name, neg, low, high, colour, arr, a, b, ok, big):
    bits = (low & 7) | (high << 3)
    return (name.ljust(8, b"\0")[:8] + struct.pack("<iII", neg, bits, colour)
            + struct.pack("<3H", *arr) + struct.pack("<Bb", a, b) + struct.pack("<?", ok)
            + b"\0" * 3 + struct.pack("<Q", big))


R1 = rec(b"init", -5, 5, 123456, 300, (1, 2, 65535), 255, -1, True, 1 << 63)
R2 = rec(b"a b\"c", 7, 0, 0, 9, (0, 0, 0), 0, 0, False, 42)
assert len(R1) == 40


class FakeHupvm:
    """One connection: records the request line, sends the canned answer."""

    def __init__(self, answer):
        self.dir = tempfile.mkdtemp(prefix="hupctl-rec-")
        self.path = os.path.join(self.dir, "sock")
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(self.path)
        self.sock.listen(1)
        self.request = None
        self.t = threading.Thread(target=self.serve, args=(answer,))
        self.t.start()

    def serve(self, answer):
        self.sock.settimeout(10)
        try:
            c, _ = self.sock.accept()
        except socket.timeout:
            return
        self.request = c.recv(4096)
        c.sendall(answer)
        c.close()


def data(body, r0=None, end=b"OK"):
    out = b"data %d\n" % len(body) + body + b"\n"
    if r0 is not None:
        out += b"r0 %d\n" % r0
    return out + end + b"\n"


def run(answer, *args):
    f = FakeHupvm(answer)
    r = subprocess.run([HUPCTL, "-s", f.path, *args], capture_output=True)
    f.sock.close()
    f.t.join(5)
    return r, f.request


class Typed(unittest.TestCase):
    def test_text(self):
        r, req = run(data(R1 + R2, r0=2), "--obj", OBJ, "--prog", "one", "query", "3")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(req, b"query 3\n")
        self.assertEqual(r.stdout.decode().splitlines(), [
            "name=init neg=-5 low=5 high=123456 colour=BLUE arr=[1,2,65535] "
            "in={a=255 b=-1} ok=true big=9223372036854775808",
            'name="a b\\"c" neg=7 low=0 high=0 colour=9 arr=[0,0,0] in={a=0 b=0} '
            "ok=false big=42"])
        self.assertIn(b"hupctl: returned 2", r.stderr)

    def test_json(self):
        r, req = run(data(R1, r0=1), "--json", "--obj", OBJ, "-p", "one", "query", "3", "9")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(req, b"query 3 9\n", "typed output asks for the raw answer")
        o = json.loads(r.stdout)
        self.assertEqual(o["prog"], "one")
        self.assertEqual(o["record_size"], 40)
        self.assertEqual(o["r0"], 1)
        self.assertEqual(o["trailing_bytes"], 0)
        self.assertEqual(o["records"], [{
            "name": "init", "neg": -5, "low": 5, "high": 123456, "colour": "BLUE",
            "arr": [1, 2, 65535], "in": {"a": 255, "b": -1}, "ok": True,
            "big": 1 << 63}])

    def test_other_record(self):
        body = struct.pack("<II", 1, 2) + struct.pack("<II", 3, 4)
        r, _ = run(data(body), "--obj", OBJ, "--prog", "two", "query", "1")
        self.assertEqual(r.stdout.decode(), "x=1 y=2\nx=3 y=4\n")

    def test_trailing_bytes(self):
        r, _ = run(data(R1 + b"xyz", r0=1), "--obj", OBJ, "--prog", "one", "query", "3")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(len(r.stdout.decode().splitlines()), 1)
        self.assertIn(b"3 trailing bytes: not a whole 40-byte record of one", r.stderr)

    def test_failed_run_keeps_records(self):
        ans = data(R1, end=b"ERR EFAULT program 3 aborted after 40 bytes of output: guest memory fault")
        r, _ = run(ans, "--obj", OBJ, "--prog", "one", "query", "3")
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stdout.startswith(b"name=init "))
        self.assertIn(b"aborted after 40 bytes", r.stderr)
        r, _ = run(ans, "--json", "--obj", OBJ, "--prog", "one", "query", "3")
        o = json.loads(r.stdout)
        self.assertEqual(len(o["records"]), 1)
        self.assertIn("aborted after 40 bytes", o["error"])

    def test_refused_answer_without_data(self):
        r, _ = run(b"ERR ENOENT no program 3\n", "--obj", OBJ, "--prog", "one", "query", "3")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"ENOENT no program 3", r.stderr)


class Rejected(unittest.TestCase):
    def refused(self, *args, want):
        r = subprocess.run([HUPCTL, "-s", "/nonexistent/sock", *args], capture_output=True)
        self.assertEqual(r.returncode, 2, (args, r.stderr))
        self.assertIn(want.encode(), r.stderr, args)

    def test_rejections(self):
        notelf = os.path.join(tempfile.mkdtemp(), "x.o")
        with open(notelf, "wb") as f:
            f.write(b"not an ELF object")
        self.refused("--obj", OBJ, "query", "3", want="records of several programs")
        self.refused("--obj", OBJ, "--prog", "three", "query", "3",
                     want="no HUP_QUERY_RECORD for program 'three'")
        self.refused("--obj", notelf, "query", "3", want="no BTF")
        self.refused("--obj", "/nonexistent.o", "query", "3", want="no BTF")
        self.refused("--obj", OBJ, "list", want="--obj and --prog are for query")
        self.refused("--prog", "one", "query", "3", want="--prog names a program of --obj")


if __name__ == "__main__":
    unittest.main(verbosity=2)
