#!/usr/bin/env python3
"""Guest side end to end, on real KVM (nested in an L1 VM when this machine
has no VT-x/AMD-V; see tests/harness/hupnest.py).

Symbiosis (issue 6, item 6): a Debian cloud guest with hyperupcall.ko runs
under plain QEMU -enable-kvm, i.e. a hypervisor WITHOUT the backend:
  - the module loads and says "no backend" exactly once,
  - `hupload tracing.o` fails cleanly with ENODEV (exit 1),
  - every ioctl validation case returns its documented errno,
  - the trace path works (debug hook: entries injected into the ring come
    out as hyperupcall:hv_event in /sys/kernel/tracing/trace, between the
    guest's own trace_marker events, with monotonic converted timestamps),
    an entry stamped after its drain's pair waits for the next drain, and
    overflow is counted,
  - boot-time preload of a `hupload prepare` blob is attempted (ENODEV),
  - rmmod works twice, no BUG/Oops/WARNING, a workload runs, poweroff.
Scenarios: the 6.1 cloud kernel, and the 6.12 one when its module builds.

With HUP_E2E_HUPVM=/path/to/hupvm (a hupvm with the doorbell device), one
more scenario boots the same initramfs under hupvm with hup.mode=backend:
registration must succeed and real hypervisor events (serial port I/O
exits) must appear in the guest's trace.

Environment: HUPLOAD, HUP_IOCTL_CASES, HUP_TRACING_O (built files; ctest
sets them), HUP_GUEST_CACHE, HUP_E2E_HUPVM (optional),
HUP_GUEST_E2E_SERIES (default 6.1,6.12: their cloud kernels).
"""
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import e2elib  # noqa: E402
import hupnest  # noqa: E402
from guestlog import g_lines, g_values  # noqa: E402

CMDLINE = "console=ttyS0 panic=-1 quiet loglevel=4"

QEMU = r"""
set -u
echo "guest-e2e: L2 @KERNEL@ under QEMU -enable-kvm (no backend)"
qemu-system-x86_64 -enable-kvm -cpu host -m 256M -smp 1 -nodefaults \
	-display none -serial stdio -no-reboot -bios "$HUP_QEMU_BIOS" \
	-kernel @KERNEL@ -initrd ./l2.cpio -append '@CMDLINE@' 2>&1
echo "guest-e2e: L2 exited with $?"
"""

HUPVM = r"""
set -u
echo "guest-e2e: L2 @KERNEL@ under hupvm (backend)"
set -o pipefail
./hupvm -k @KERNEL@ -i ./l2.cpio -c 1 -m 256M --timeout 150 --run-budget-us @BUDGET@ \
	-a '@CMDLINE@ hup.mode=backend' 2>&1 | tee vm.log
rc=$?
echo "guest-e2e: L2 exited with $rc"
# hupvm's --timeout (a hung guest) and the nested CPU model's faults
# (flakes.py's hup_vm_flake): 124, a hang the harness retries and reports.
[ $rc = 124 ] && exit 124
hup_vm_flake "$rc" "HUP-G: init ran" vm.log && exit 124
exit 0
"""


def need(env):
    p = os.environ.get(env)
    if not p or not os.path.exists(p):
        raise unittest.SkipTest(f"${env} is not set to a built file")
    return p


def image(k, cache, hupload, cases, tracing_o):
    """The no-backend guest's initramfs: l2_init.sh, the module built with
    HUP_DEBUG=1 (its ring-injection hook), hupload, the ioctl cases and
    tracing.o."""
    return e2elib.l2_image(
        "guest-e2e", k, None, cache, e2elib.read(os.path.join(HERE, "l2_init.sh")),
        {"lib/hyperupcall.ko": e2elib.module_for(k, cache, debug=True),
         "bin/hupload": hupload, "bin/hup-ioctl-cases": cases,
         "lib/tracing.o": tracing_o}, module=False)


class GuestE2E(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        hupload = need("HUPLOAD")
        cases = need("HUP_IOCTL_CASES")
        tracing_o = need("HUP_TRACING_O")
        cache = e2elib.guest_cache()
        cls.h = hupnest.Harness(cache=cache)
        scenarios = []
        for series in e2elib.chosen("HUP_GUEST_E2E_SERIES", "6.1,6.12"):
            k = e2elib.kernel(f"{series}-cloud", cache)
            files = {"l2.cpio": image(k, cache, hupload, cases, tracing_o),
                     "vmlinuz": k.vmlinuz}
            script = e2elib.fill(QEMU, KERNEL="./vmlinuz", CMDLINE=CMDLINE)
            scenarios.append(hupnest.Scenario(f"guest-qemu-{series}", script, files,
                                              timeout=240))
            if series == "6.1" and os.environ.get("HUP_E2E_HUPVM"):
                hfiles = dict(files, hupvm=os.environ["HUP_E2E_HUPVM"])
                script = e2elib.fill(HUPVM, KERNEL="./vmlinuz", CMDLINE=CMDLINE,
                                     BUDGET=e2elib.NESTED_RUN_BUDGET_US)
                scenarios.append(hupnest.Scenario("guest-hupvm-6.1", script, hfiles,
                                                  timeout=240))
        cls.run_ = cls.h.run(scenarios)
        cls.by = {r.name: r for r in cls.run_.results}

    def result(self, name):
        if name not in self.by:
            self.skipTest(f"{name} not run")
        r = self.by[name]
        self.assertIn("HUP-G: done", r.output, hupnest.excerpt(r.output, 60))
        return r

    def check_common(self, out, v):
        self.assertEqual(v["insmod"], "rc=0")
        self.assertEqual(v["rmmod"], "rc=0")
        self.assertEqual(v["insmod-preload"], "rc=0")
        self.assertEqual(v["rmmod2"], "rc=0")
        self.assertEqual(v["prepare"], "rc=0")
        self.assertEqual(v["bad-dmesg"], "0", re.findall(r"HUP-G: bad: .*", out))
        self.assertRegex(v["workload"], r"dd rc=0 md5 ")
        m = re.search(r"^HUP-G: CASES (\d+) passed (\d+) failed", out, re.M)
        self.assertTrue(m, "ioctl cases did not run")
        self.assertEqual(m.group(2), "0", re.findall(r"CASE .*FAIL.*", out))
        self.assertGreaterEqual(int(m.group(1)), 50)
        # trace_clock follows ftrace's clock by default (the bracketed one);
        # a bad value is refused, a good one taken.
        m = re.search(r"^HUP-G: trace_clock .*\[(\w+)\]", out, re.M)
        self.assertTrue(m, "ftrace's trace_clock not printed")
        self.assertEqual(v["param-clock"], "auto:" + m.group(1))
        self.assertEqual(v["param-clock-bogus"], "rc=1 now auto:" + m.group(1))
        self.assertEqual(v["param-clock-set"], "rc=0 now mono")

    def check_nobackend(self, name):
        r = self.result(name)
        out, v = r.output, g_values(r.output)
        self.check_common(out, v)
        self.assertEqual(v["nobackend-lines"], "1")
        self.assertIn("HUP-G: status: backend: none", out)
        self.assertEqual(v["hupload"], "rc=1")
        self.assertRegex(out, r"HUP-G: hupload: hupload: trace_to_ring: registration "
                              r"refused: No such device \(-19\)")
        self.assertRegex(out, r"HUP-G: dmesg: .*preload tracing.hup: -19")
        # The trace path: 8 injected entries between the two markers, in
        # order, their converted timestamps monotonic and between the
        # markers' own timestamps.
        lines = g_lines(out, "trace")
        kinds = ["B" if "guest-before" in l else "A" if "guest-after" in l
                 else "H" if "hv_event" in l else "?" for l in lines]
        self.assertEqual("".join(kinds), "B" + "H" * 8 + "A", "\n".join(lines))
        stamp = lambda l: float(re.search(r"\s(\d+\.\d+): ", l).group(1))
        t_before, t_after = stamp(lines[0]), stamp(lines[-1])
        ts = [float(re.search(r"ts=(\d+\.\d+)", l).group(1)) for l in lines[1:-1]]
        self.assertEqual(ts, sorted(ts), "hv_event timestamps not monotonic")
        self.assertTrue(t_before - 1e-3 <= ts[0] and ts[-1] <= t_after + 1e-3,
                        f"hv ts {ts[0]}..{ts[-1]} outside guest markers "
                        f"{t_before}..{t_after}")
        args = [int(re.search(r"args=([0-9a-f]+),", l).group(1), 16) for l in lines[1:-1]]
        self.assertEqual(args, list(range(8)))
        # An entry newer than the drain's pair: held by that drain (no
        # line, held 1), placed by the next before its pair (delay > 0).
        self.assertEqual((v["ahead-too-far"], v["ahead-not-a-number"]), ("rc=1", "rc=1"))
        self.assertEqual(v["ahead-held"], "0 1")
        ahead = g_lines(out, "ahead")
        self.assertEqual(len(ahead), 1, "\n".join(ahead))
        self.assertRegex(ahead[0], r" args=7d0,0,0,0 ")
        self.assertGreater(int(re.search(r"delay_us=(\d+)", ahead[0]).group(1)), 0,
                           "the held entry was placed after its drain's pair: " + ahead[0])
        ring = dict(re.findall(r"^HUP-G: ring: (\w+): (\S+)", out, re.M))
        self.assertEqual(ring["capacity"], "1024")
        self.assertEqual(int(ring["overflow"]), 1100 - 1024)
        self.assertEqual(int(ring["consumed"]), 8 + 1 + 1024)
        self.assertEqual(ring["held"], "1")
        self.assertEqual(v["trace-lines"], "1024")
        return r

    def test_qemu_6_1(self):
        self.check_nobackend("guest-qemu-6.1")

    def test_qemu_6_12(self):
        self.check_nobackend("guest-qemu-6.12")

    def test_hupvm_registration(self):
        r = self.result("guest-hupvm-6.1")
        out, v = r.output, g_values(r.output)
        self.check_common(out, v)
        self.assertEqual(v["hupload"], "rc=0")
        self.assertIn("HUP-G: status: backend: present", out)
        lines = [l for l in g_lines(out, "trace") if "hv_event" in l]
        self.assertTrue(any(" io " in l for l in lines), "no port I/O exit traced")
        ts = [float(re.search(r"ts=(\d+\.\d+)", l).group(1)) for l in lines]
        self.assertEqual(ts, sorted(ts))


if __name__ == "__main__":
    unittest.main(verbosity=2)
