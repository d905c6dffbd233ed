#!/usr/bin/env python3
"""Each program reaches only its own windows, with its own rights, on KVM
(issue 14, item 1).

A guest on hupvm (tests/e2e/guest/l2_isolation.sh) registers
tests/e2e/guest/isolation_probe.c beside itself with different windows:
"broad" reads jiffies_64 through a read-write kernel-image and direct-map
window; "poke-none" (no window) and "poke-ro" (kernel image read-only) read
jiffies_64 and write the guest's hostname.  From L1, `hupctl query` asks
each.  Passing means: broad answers 8 bytes; both pokes fail, each with
one aborted run in `hupctl list`, two view faults in `hupctl stats`; the
guest's hostname is unchanged; and the control, "poke-rw" (kernel image
read-write), answers and does rename the guest, so the test would have
seen a write that got through.  No kernel complaint, a clean poweroff.

Environment (ctest sets it): HUP_E2E_HUPVM, HUPCTL, HUPLOAD,
HUP_ISOLATION_PROBE_O, HUP_GUEST_CACHE; HUP_ISOLATION_KERNELS (comma list
of e2elib.KERNELS names, default 6.1-cloud).
"""
import json
import os
import re
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

MEM = "256M"
# hupvm stops a hung guest after this: healthy runs take 10-20 s.
VM_TIMEOUT_S = 90
CMDLINE = e2e.CMDLINE
DEFAULT_KERNELS = "6.1-cloud"
PROBES = ("broad", "poke-none", "poke-ro")

L1_SCRIPT = r"""
@L1_LAUNCH@
@L1_FUNCS@
ask() {
	out=$(./hupctl -s ./ctl.sock --json query "$(id_of "$1")" 2>&1)
	echo "HUP-S: query $1 rc=$? $out"
}
if waitfor registered; then
	for p in @PROBES@; do ask "$p"; done
	./hupctl -s ./ctl.sock list | sed 's/^/HUP-S: list: /'
	./hupctl -s ./ctl.sock stats | grep -E '^(events|rejected|views)' | sed 's/^/HUP-S: stats: /'
fi
echo go >&3
if waitfor control; then
	ask poke-rw
fi
echo go >&3
@L1_END@"""


def initramfs(k, tools, cache, probe_o):
    return l2_image("isolation", k, tools, cache, read(os.path.join(HERE, "l2_isolation.sh")),
                    {"lib/probe.o": probe_o})


def scenario(kname, tools, cache, probe_o):
    k = e2e.kernel(kname, cache)
    launch = l1_launch(k.release, f"-c 1 -m {MEM} --timeout {VM_TIMEOUT_S} -v "
                       f"--run-budget-us {e2e.NESTED_RUN_BUDGET_US} -a '{CMDLINE}'")
    script = fill(L1_SCRIPT, L1_LAUNCH=launch, PROBES=" ".join(PROBES))
    files = {"hupvm": tools.hupvm, "hupctl": tools.hupctl, "vmlinuz": k.vmlinuz,
             "l2.cpio": initramfs(k, tools, cache, probe_o)}
    return hupnest.Scenario(f"isolation-{kname}", script, files, timeout=VM_TIMEOUT_S + e2e.SCENARIO_MARGIN_S)


def queries(out):
    """{name: (rc, text)} of the "HUP-S: query NAME rc=N ..." lines."""
    return {m[0]: (int(m[1]), m[2])
            for m in re.findall(r"^HUP-S: query (\S+) rc=(\d+) ?(.*)$", out, re.M)}


def listed(out, name):
    """The key=value fields of NAME's `hupctl list` line, as strings."""
    for l in re.findall(r"^HUP-S: list: (prog .*)$", out, re.M):
        if f'name="{name}"' in l:
            return dict(re.findall(r"(\w+)=(\S+)", l))
    return None


def guest_line(out, key):
    m = re.search(rf"^HUP-G: {key} (.*)$", out, re.M)
    return m.group(1) if m else None


class IsolationE2E(ScenarioTest):
    @classmethod
    def setUpClass(cls):
        tools = e2e.Tools()
        (probe_o,) = e2e.built("HUP_ISOLATION_PROBE_O")
        cache = e2e.guest_cache()
        names = e2e.chosen("HUP_ISOLATION_KERNELS", DEFAULT_KERNELS)
        cls.run_scenarios([scenario(n, tools, cache, probe_o) for n in names], cache)

    def check(self, kname):
        out = self.result(f"isolation-{kname}").output
        self.assertIn("HUP-G: done", out, out[-4000:])
        for p in PROBES + ("poke-rw",):
            self.assertRegex(out, rf"(?m)^HUP-G: hupload-{p} rc=0$", out[-4000:])
        q = queries(out)
        self.assertEqual(set(q), set(PROBES) | {"poke-rw"}, out[-4000:])
        # the broad program reads what its windows allow
        rc, text = q["broad"]
        self.assertEqual(rc, 0, text)
        self.assertEqual(json.loads(text)["len"], 8, text)
        # the pokes beside it reach nothing of its windows
        for p in ("poke-none", "poke-ro"):
            rc, text = q[p]
            self.assertNotEqual(rc, 0, f"{p} answered: {text}")
            row = listed(out, p)
            self.assertIsNotNone(row, f"{p} not listed")
            self.assertEqual(row["aborts"], "1", f"{p}: {row}")
        self.assertEqual(listed(out, "broad")["aborts"], "0")
        faults = re.search(r"^HUP-S: stats: events .*view_faults=(\d+)", out, re.M)
        self.assertIsNotNone(faults, "no view_faults in hupctl stats")
        self.assertEqual(int(faults.group(1)), 2)
        before = guest_line(out, "hostname-before")
        self.assertEqual(before, "hup-isolated")
        self.assertEqual(guest_line(out, "hostname-after"), before,
                         "a program without the right changed the hostname")
        # the control: with the right, the same write is seen
        rc, text = q["poke-rw"]
        self.assertEqual(rc, 0, text)
        self.assertEqual(guest_line(out, "hostname-control"), "X" + before[1:])
        self.assertRegex(out, r"(?m)^HUP-G: bad-dmesg 0$")
        self.assertRegex(out, r"(?m)^HUP-RC 0$", "hupvm did not exit 0 (poweroff)")
        print(f"\n{kname}: poke-none and poke-ro aborted (1 each, view_faults 2), "
              f"hostname kept; poke-rw renamed it")

    def test_6_1_cloud(self):
        self.check("6.1-cloud")

    def test_6_12_cloud(self):
        self.check("6.12-cloud")


if __name__ == "__main__":
    unittest.main(verbosity=2)
