#!/usr/bin/env python3
"""The verifier corpus runner (ctest verifier-corpus).

Each case is one file, tests/verifier/accept/NAME.s or reject/NAME.s, in
sections like uBPF's tests:

    # what the case is about
    -- event            trace | msr_write | reclaim | vcpu_resume | query | vcpu_desched
                        (default trace)
    -- view             view mask bits, e.g. 44 (absent: no view attached)
    -- max_insns        the limit to verify against (default HUP_MAX_INSNS)
    -- asm              the program, tests/tools/bpfasm.py syntax
    -- error            reject only: EINVAL | EACCES | E2BIG
    -- log              reject only: a substring of the one log line, which
                        must itself start with the instruction index "N: "
    -- result           accept only, optional: r0 after hup_fixup and a run
                        under the interpreter with a zeroed context (--run)

An accept case passes if hup_verify returns 0 (and, with --run, r0 matches).
A reject case passes if it returns the expected -errno AND logged exactly
one line, which contains the expected text.  The run fails if any case
fails.  With --expect-fail every case must FAIL (the self-test proving the
runner can fail).  --write-hex regenerates accept/NAME.hex, the assembled
bytes the JIT's differential test reads; without it, a stale or missing
.hex is an error.

usage: run_corpus.py --vcheck BIN [--run] [--expect-fail] [--write-hex] DIR...
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import bpfasm  # noqa: E402

# The events' names and numbers: abi.h's HUP_EVENT_LIST, the one table.
ABI_H = os.path.join(HERE, "..", "..", "sdk", "include", "hyperupcall", "abi.h")
with open(ABI_H) as _f:
    EVENTS = {n: int(v) for v, n in re.findall(
        r'X\(HUP_EVENT_\w+, (\d+), "(\w+)"\)', _f.read())}
assert EVENTS.get("trace") == 1 and len(EVENTS) >= 6, EVENTS
ERRNO = {"EINVAL": -22, "EACCES": -13, "E2BIG": -7, "EPERM": -1}


def parse_case(path):
    secs, cur = {}, None
    with open(path) as f:
        for line in f:
            m = re.match(r"^-- (\w+)\s*$", line)
            if m:
                cur = m.group(1)
                secs[cur] = ""
                continue
            if cur is not None:
                secs[cur] += line
    return secs


def load_cases(dirs):
    cases = []
    for d in dirs:
        kind = os.path.basename(os.path.normpath(d))
        for fn in sorted(os.listdir(d)):
            if not fn.endswith(".s"):
                continue
            path = os.path.join(d, fn)
            s = parse_case(path)
            c = {"name": "%s/%s" % (kind, fn[:-2]), "path": path,
                 "reject": "error" in s or kind == "reject"}
            ev = s.get("event", "trace").strip() or "trace"
            c["event"] = EVENTS.get(ev, None) if not ev.isdigit() else int(ev)
            c["view"] = int(s.get("view", "0").strip() or 0)
            c["max_insns"] = int(s.get("max_insns", "0").strip() or 0)
            c["error"] = s.get("error", "").strip()
            c["log"] = s.get("log", "").strip()
            c["result"] = s.get("result", "").strip()
            c["problem"] = None
            if c["event"] is None:
                c["problem"] = "unknown event %r" % ev
            elif c["reject"] and (c["error"] not in ERRNO or
                                  not re.match(r"^\d+: ", c["log"])):
                c["problem"] = "reject case needs -- error and a -- log " \
                               "line starting with 'N: '"
            try:
                c["code"] = bpfasm.assemble(s.get("asm", ""))
            except bpfasm.AsmError as e:
                c["code"] = b""
                c["problem"] = "assembler: %s" % e
            cases.append(c)
    return cases


def check_hex(c, write):
    """accept/NAME.hex must be the assembled program (for the JIT tests)."""
    if c["reject"]:
        return None
    hexpath = c["path"][:-2] + ".hex"
    want = " ".join("%02x" % b for b in c["code"]) + "\n"
    if write:
        with open(hexpath, "w") as f:
            f.write(want)
        return None
    try:
        with open(hexpath) as f:
            if f.read() == want:
                return None
    except OSError:
        pass
    return "%s is stale or missing (run with --write-hex)" % hexpath


def main(argv):
    vcheck, run, expect_fail, write_hex, dirs = None, 0, False, False, []
    args = list(argv[1:])
    while args:
        a = args.pop(0)
        if a == "--vcheck":
            vcheck = args.pop(0)
        elif a == "--run":
            run = 1
        elif a == "--expect-fail":
            expect_fail = True
        elif a == "--write-hex":
            write_hex = True
        else:
            dirs.append(a)
    if not vcheck or not dirs:
        sys.stderr.write(__doc__)
        return 2
    cases = load_cases(dirs)
    feed = []
    for c in cases:
        feed.append("%s %d %d %d %d\n%s\n" % (
            c["name"], c["event"] or 0, c["view"], c["max_insns"],
            1 if (run and c["result"]) else 0, c["code"].hex()))
    out = subprocess.run([vcheck], input="".join(feed), capture_output=True,
                         text=True)
    if out.returncode:
        sys.stderr.write(out.stderr)
        print("vcheck failed with status %d" % out.returncode)
        return 1
    res = {}
    cur = None
    for line in out.stdout.splitlines():
        m = re.match(r"^case (\S+) rc=(\S+) lines=(\d+)$", line)
        if m:
            cur = {"rc": m.group(2), "log": [], "run": None}
            res[m.group(1)] = cur
        elif line.startswith("log ") and cur is not None:
            cur["log"].append(line[4:])
        elif line.startswith("run "):
            m = re.match(r"^run (\S+) r0=(\S+) err=(\S+)$", line)
            res[m.group(1)]["run"] = (int(m.group(2), 16), int(m.group(3)))

    failed = []
    n_acc = n_rej = 0
    for c in cases:
        why = c["problem"] or check_hex(c, write_hex)
        r = res.get(c["name"])
        if not why and r is None:
            why = "no verdict from vcheck"
        if not why and not c["reject"]:
            n_acc += 1
            if r["rc"] != "0":
                why = "expected accept, got rc=%s: %s" % (
                    r["rc"], " | ".join(r["log"]))
            elif run and c["result"]:
                want = int(c["result"], 0) & 0xffffffffffffffff
                got, err = r["run"] if r["run"] else (None, None)
                if err != 0 or got != want:
                    why = "run: r0=%s err=%s, expected 0x%x" % (
                        hex(got) if got is not None else None, err, want)
        elif not why:
            n_rej += 1
            if r["rc"] != str(ERRNO[c["error"]]):
                why = "expected %s (%d), got rc=%s: %s" % (
                    c["error"], ERRNO[c["error"]], r["rc"],
                    " | ".join(r["log"]))
            elif len(r["log"]) != 1:
                why = "expected one log line, got %d: %s" % (
                    len(r["log"]), " | ".join(r["log"]))
            elif c["log"] not in r["log"][0]:
                why = "log %r does not contain %r" % (r["log"][0], c["log"])
            elif not re.match(r"^\d+: ", r["log"][0]):
                why = "log line does not start with an insn index"
        if why:
            failed.append(c["name"])
            if not expect_fail:
                print("FAIL %s: %s" % (c["name"], why))
    print("verifier corpus: %d accept, %d reject, %d failed" %
          (n_acc, n_rej, len(failed)))
    if expect_fail:
        ok = [c["name"] for c in cases if c["name"] not in failed]
        for n in ok:
            print("UNEXPECTED PASS %s" % n)
        print("self-test: %d/%d wrong expectations detected" %
              (len(failed), len(cases)))
        return 0 if cases and not ok else 1
    return 0 if cases and not failed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
