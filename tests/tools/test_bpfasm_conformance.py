#!/usr/bin/env python3
"""Check bpfasm against an independent assembler: assemble the `-- asm`
section of every conformance test (tests/NAME.data) and compare the bytes
with hex/NAME.hex.  Prints one line per mismatch and a count; exits non-zero
unless every test matched and at least one test was found.

usage: test_bpfasm_conformance.py CONFORMANCE_DIR
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpfasm  # noqa: E402


def asm_section(text):
    out, cur = [], None
    for line in text.splitlines():
        if line.startswith("-- "):
            cur = line[3:].strip()
            continue
        if cur == "asm":
            out.append(line)
    return "\n".join(out)


def main(root):
    tests = sorted(f[:-5] for f in os.listdir(os.path.join(root, "tests"))
                   if f.endswith(".data"))
    bad = 0
    for name in tests:
        with open(os.path.join(root, "tests", name + ".data")) as f:
            src = asm_section(f.read())
        with open(os.path.join(root, "hex", name + ".hex")) as f:
            want = bytes(int(x, 16) for x in f.read().split())
        try:
            got = bpfasm.assemble(src)
        except bpfasm.AsmError as e:
            print("FAIL %s: %s" % (name, e))
            bad += 1
            continue
        if got != want:
            bad += 1
            for i in range(0, max(len(got), len(want)), 8):
                if got[i:i + 8] != want[i:i + 8]:
                    print("FAIL %s: insn %d: got %s want %s" % (
                        name, i // 8, got[i:i + 8].hex(), want[i:i + 8].hex()))
                    break
    print("bpfasm: %d/%d conformance programs assemble to the reference bytes"
          % (len(tests) - bad, len(tests)))
    return 0 if tests and not bad else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: test_bpfasm_conformance.py CONFORMANCE_DIR")
    sys.exit(main(sys.argv[1]))
