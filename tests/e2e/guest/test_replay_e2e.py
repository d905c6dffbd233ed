#!/usr/bin/env python3
"""Replay against the live guest it was dumped from (issue 13, item 2).

A guest on hupvm (2 vCPUs, tests/e2e/guest/l2_replay.sh) registers
samples/free_discard.c, samples/ps.c and samples/dmesg.c.  L1 pauses both
vCPUs (the guest's memory then stays as it is), asks ps and dmesg live
(`hupctl --json query`), dumps the VM (`hupctl dump`), and runs hupreplay
on the snapshot, in L1, without the VM: ps and dmesg under the JIT and
the interpreter, free_discard under the JIT, the interpreter and the
native port (--native, with the guest kernel's BTF).  Passing means: the
replayed ps and dmesg answers are byte for byte the live ones under both
engines; the three free_discard walks find the
same pages, and some; the guest resumes and powers off cleanly.  Timings
taken in L1 under TCG mean nothing and are not asserted (bench-scan takes
them natively, docs/bench-scan.md); the snapshot is left in L1.

Environment (ctest sets it): HUP_E2E_HUPVM, HUPCTL, HUPREPLAY, HUPLOAD,
HUP_PS_O, HUP_FREE_DISCARD_O, HUP_GUEST_CACHE; HUP_REPLAY_KERNELS (comma
list of e2elib.KERNELS names, default 6.1-cloud,6.12-cloud).

HUP_REPLAY_EXPORT=DIR also hands each snapshot back to the host (through
hupnest's export port: gzip'ed, base64, ~1 min more per kernel under
TCG) and writes DIR/replay-KERNEL.snap, the guest's BTF beside it
(replay-KERNEL.btf) and the programs' ids, so that the natively run
benchmarks get a real guest's memory (docs/bench-scan.md).
"""
import os
import re
import shutil
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, HERE)
import hupnest  # noqa: E402
import e2elib as e2e  # noqa: E402
from e2elib import ScenarioTest, fill, l1_launch, l2_image, read  # noqa: E402
from guestlog import s_json  # noqa: E402

MEM = "256M"  # L1 has 2 GiB: guest, snapshot file and replay copy
# hupvm stops a hung guest after this: healthy runs take 40-60 s.
VM_TIMEOUT_S = 180
CMDLINE = e2e.CMDLINE
DEFAULT_KERNELS = "6.1-cloud,6.12-cloud"
# A replayed run under TCG is 15-30x slower: no budget gets in the way.
BUDGET = "--run-budget-us 10000000"
# The live ps query too: one run of its 2,700 instructions over 60 tasks
# took 10 ms (6.1) to 30 ms (6.12) in L1 under TCG, and a budget abort is
# not what this test is about.
LIVE_BUDGET_US = 1000000

L1_SCRIPT = r"""
@L1_LAUNCH@
@L1_FUNCS@
if waitfor registered; then
	c list
	fd=$(id_of free_discard)
	ps=$(id_of ps)
	dm=$(id_of dmesg)
	c pause 0
	c pause 1
	echo "HUP-S: live-query $(./hupctl -s ./ctl.sock --json query ${ps:-none} 2>>replay.err)"
	echo "HUP-S: live-dmesg $(./hupctl -s ./ctl.sock --json query ${dm:-none} 2>>replay.err)"
	c dump "$PWD/g.snap"
	for e in --jit --interp; do
		echo "HUP-S: replay-query $(./hupreplay g.snap ${ps:-none} $e --json @BUDGET@ 2>>replay.err)"
		echo "HUP-S: replay-dmesg $(./hupreplay g.snap ${dm:-none} $e --json @BUDGET@ 2>>replay.err)"
	done
	for e in --jit --interp "--native ./free_discard.o --btf ./vmlinux.btf"; do
		echo "HUP-S: replay-reclaim $(./hupreplay g.snap ${fd:-none} $e --json @BUDGET@ 2>>replay.err)"
	done
	sed 's/^/HUP-S: replay-err: /' replay.err
	if [ -n "@EXPORT@" ]; then
		# HUP_REPLAY_EXPORT: the snapshot back to the host (hupnest's
		# export port), for bench-scan and bench-native to run natively
		echo "HUP-S: export-ids fd=${fd:-none} ps=${ps:-none} dmesg=${dm:-none}"
		# rc: gzip's or base64's failure, not the closing echo's
		# (no pipefail in dash, the direct path's sh)
		rm -f export.err
		{ echo "@@EXPORT @EXPORT@@@"
		  { gzip -1 -c g.snap || echo "gzip rc=$?" >> export.err; } |
			base64 || echo "base64 rc=$?" >> export.err
		  echo "@@EXPORT-END@@"; } >> "$HUP_EXPORT"
		if [ -s export.err ]; then
			echo "HUP-S: exported rc=1 ($(cat export.err))"
		else
			echo "HUP-S: exported rc=0"
		fi
	fi
	# L1's files live in its RAM: the 256 MiB snapshot goes now, not
	# when L1 powers off after the next scenario
	rm -f g.snap
	c resume 0
	c resume 1
fi
echo go >&3
@L1_END@"""


def initramfs(k, tools, cache, fd_o):
    return l2_image("replay", k, tools, cache, read(os.path.join(HERE, "l2_replay.sh")),
                    {"lib/free_discard.o": fd_o, "lib/ps.o": tools.ps_o,
                     "lib/dmesg.o": tools.dmesg_o})


# Extra scenario time for the export: gzip and base64 of 256 MiB and the
# serial port under TCG.
EXPORT_S = 240


def scenario(kname, tools, cache, fd_o, replay, export):
    k = e2e.kernel(kname, cache)
    vm_timeout = VM_TIMEOUT_S + (EXPORT_S if export else 0)
    launch = l1_launch(k.release, f"-c 2 -m {MEM} --timeout {vm_timeout} -v "
                       f"--run-budget-us {LIVE_BUDGET_US} -a '{CMDLINE}'", remove=("g.snap",))
    script = fill(L1_SCRIPT, L1_LAUNCH=launch, BUDGET=BUDGET,
                  EXPORT=f"replay-{kname}" if export else "")
    files = {"hupvm": tools.hupvm, "hupctl": tools.hupctl, "hupreplay": replay,
             "vmlinuz": k.vmlinuz, "vmlinux.btf": k.btf, "free_discard.o": fd_o,
             "l2.cpio": initramfs(k, tools, cache, fd_o)}
    return hupnest.Scenario(f"replay-{kname}", script, files,
                            timeout=vm_timeout + e2e.SCENARIO_MARGIN_S)


class ReplayE2E(ScenarioTest):
    # Two L1s at once: the guests sit paused while L1 dumps and replays
    # (97 s for both kernels in one L1, 48 s side by side).
    LANES = 2

    @classmethod
    def setUpClass(cls):
        tools = e2e.Tools()
        fd_o, replay, _, _ = e2e.built("HUP_FREE_DISCARD_O", "HUPREPLAY", "HUP_PS_O",
                                       "HUP_DMESG_O")
        cache = e2e.guest_cache()
        names = e2e.chosen("HUP_REPLAY_KERNELS", DEFAULT_KERNELS)
        cls.export = os.environ.get("HUP_REPLAY_EXPORT", "")
        cls.cache = cache
        cls.run_scenarios([scenario(n, tools, cache, fd_o, replay, bool(cls.export))
                           for n in names], cache)
        cls.exported = hupnest.exports(cls.logdir) if cls.export else {}

    def check(self, kname):
        name = f"replay-{kname}"
        out = self.result(name).output
        self.assertIn("HUP-G: done", out, out[-4000:])
        self.assertRegex(out, r"(?m)^HUP-G: hupload rc=0$")
        self.assertRegex(out, r"(?m)^HUP-G: hupload-ps rc=0$")
        errs = re.findall(r"^HUP-S: replay-err: (.*)$", out, re.M)
        live = s_json(out, "live-query")
        self.assertEqual(len(live), 1)
        self.assertIsNotNone(live[0], f"live query failed; {errs}")
        self.assertGreater(live[0]["len"], 0)
        self.assertRegex(out, r"(?m)^HUP-G: hupload-dmesg rc=0$")
        for q in s_json(out, "replay-query"):
            self.assertIsNotNone(q, f"replayed query failed: {errs}")
            self.assertEqual(q["answer"], live[0]["answer"], f"{q['engine']}: answer differs")
        dm = s_json(out, "live-dmesg")
        self.assertEqual(len(dm), 1)
        self.assertIsNotNone(dm[0], f"live dmesg query failed; {errs}")
        self.assertGreater(dm[0]["len"], 0)
        rdm = s_json(out, "replay-dmesg")
        self.assertEqual(len(rdm), 2)
        for q in rdm:
            self.assertIsNotNone(q, f"replayed dmesg failed: {errs}")
            self.assertEqual(q["answer"], dm[0]["answer"], f"{q['engine']}: dmesg differs")
        rec = s_json(out, "replay-reclaim")
        self.assertEqual(len(rec), 3)
        for r in rec:
            self.assertIsNotNone(r, f"a replayed reclaim failed: {errs}")
        pages = {r["engine"]: r["pages_free"] for r in rec}
        self.assertEqual(len(set(pages.values())), 1, f"engines disagree: {pages}")
        self.assertGreater(rec[0]["pages_free"], 0, "nothing free in an idle guest?")
        self.assertRegex(out, r"(?m)^HUP-RC 0$", "hupvm did not exit 0 (poweroff)")
        print(f"\n{kname}: ps {live[0]['len']} and dmesg {dm[0]['len']} bytes alike; "
              f"free pages {pages}; "
              + ", ".join(f"{r['engine']} {r['gb_per_s']:.2f} GB/s (TCG)" for r in rec))
        if self.export:
            self.save_export(kname, name, out)

    def save_export(self, kname, name, out):
        """HUP_REPLAY_EXPORT: the snapshot, its BTF and the ids, on the host."""
        self.assertRegex(out, r"(?m)^HUP-S: exported rc=0$", "the export failed in L1")
        ids = re.search(r"(?m)^HUP-S: export-ids fd=(\d+) ps=(\d+) dmesg=(\d+)$", out)
        self.assertIsNotNone(ids, "no program ids for the export")
        self.assertIn(name, self.exported, "the snapshot did not come back whole")
        os.makedirs(self.export, exist_ok=True)
        base = os.path.join(self.export, name)
        with open(base + ".snap", "wb") as f:
            f.write(self.exported[name])
        shutil.copy(e2e.kernel(kname, self.cache).btf, base + ".btf")
        with open(base + ".ids", "w") as f:
            f.write(f"free_discard={ids.group(1)} ps={ids.group(2)} dmesg={ids.group(3)}\n")
        print(f"{kname}: exported {base}.snap ({len(self.exported[name]) >> 20} MiB), "
              f"free_discard id {ids.group(1)}, ps id {ids.group(2)}")

    def test_6_1_cloud(self):
        self.check("6.1-cloud")

    def test_6_12_cloud(self):
        self.check("6.12-cloud")


if __name__ == "__main__":
    unittest.main(verbosity=2)
