#!/usr/bin/env python3
"""hupvm end to end, on real KVM (nested in an L1 VM when this machine has no
VT-x/AMD-V; see tests/harness/hupnest.py).

One L1 boot runs four scenarios on the same stock Debian cloud kernel and
initramfs:
  hupvm-smp1   hupvm -c 1: userspace reached, discovery leaf seen, kvmclock
               in use, `poweroff -f` -> exit status 0
  qemu-smp1    QEMU -enable-kvm -smp 1, the same kernel/initramfs/cmdline:
               the boot-time reference
  hupvm-smp2   hupvm -c 2: both CPUs online, poweroff -> 0
  hupvm-panic  the guest crashes itself (sysrq c) -> exit status 4
  hupvm-reboot `reboot -f` (ACPI reset register) -> exit status 3
  hupvm-timeout --timeout 3 kills a guest still booting -> exit status 124
  hupvm-triple-fault  a fake bzImage whose entry is `ud2` (no IDT) -> exit
               status 5 with the exit reason and a register dump
  hupvm-doorbell  hupvm -c 2 --control: the guest's doorbell-probe registers
               a trace program over its own page (counter grows per exit),
               sends hostile requests (each -errno), rewrites a block from
               a second thread during processing, vets MSR writes, asks
               for a TLB flush on resume, measures exits/s with and
               without tracing; meanwhile hupctl in L1 lists, shows stats,
               pauses/resumes vCPUs, dumps RAM, and is refused bad input

Boot-to-userspace time is measured by L1's clock from launching the VMM to
the guest init's first console line, and reported as the ratio hupvm/QEMU
(absolute times under nesting mean little).  Timings go to $HUP_BENCH_OUT.

Environment: HUPVM and HUP_CPUID_PROBE name the built binaries (ctest sets
them; by default they are looked up in build-hupvm/ and build/);
HUP_GUEST_CACHE the guest cache; HUPVM_E2E_ONLY=name,name runs a subset.
"""
import json
import os
import re
import struct
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ROOT = os.path.dirname(ROOT) if os.path.basename(ROOT) == "tests" else ROOT
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e", "guest"))
import hupnest  # noqa: E402
import guest_image  # noqa: E402
from guestlog import hupctl_runs  # noqa: E402

EXIT_POWEROFF, EXIT_REBOOT, EXIT_PANIC, EXIT_FAULT, EXIT_TIMEOUT = 0, 3, 4, 5, 124
GUEST_CMDLINE = "console=ttyS0 quiet loglevel=4"

# The L2 init: markers the test parses, then power off (or crash).
L2_INIT = r"""#!/bin/sh
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "HUP-L2: init ran, uptime $(cut -d' ' -f1 /proc/uptime) s"
echo "HUP-L2: cpus $(grep -c ^processor /proc/cpuinfo)"
echo "HUP-L2: online $(cat /sys/devices/system/cpu/online)"
/bin/cpuid-probe | sed 's/^/HUP-L2: /'
dmesg | grep -m1 'kvm-clock: Using msrs' | sed 's/^/HUP-L2: dmesg: /'
dmesg | grep -m1 'clocksource: Switched to clocksource' | sed 's/^/HUP-L2: dmesg: /'
dmesg | grep -m1 'Hypervisor detected' | sed 's/^/HUP-L2: dmesg: /'
case "$(cat /proc/cmdline)" in
*hup.test=doorbell*)
	insmod /lib/msr.ko 2>&1 | sed 's/^/HUP-L2: /'
	/bin/doorbell-probe 20000
	echo "HUP-L2: probe exit $?"
	dmesg | grep -i -m3 'segfault\|general protection\|traps:' | sed 's/^/HUP-L2: dmesg: /' ;;
*hup.test=panic*)
	echo "HUP-L2: crashing on purpose"
	echo c > /proc/sysrq-trigger ;;
*hup.test=reboot*)
	echo "HUP-L2: rebooting"
	reboot -f ;;
esac
echo "HUP-L2: powering off"
poweroff -f
"""

# Runs in L1.  Streams the L2 console, stamps launch / userspace / exit with
# L1's /proc/uptime, and checks the VMM's exit status against @EXPECT@.  An
# unexpected status that is the nested CPU model's fault (flakes.py's
# hup_vm_flake: a triple fault of a booted guest, seen on vCPU 1 of
# hupvm-smp2) exits 124, which the harness retries and reports; any other
# unexpected status fails.
RUN_TEMPLATE = r"""
set -u
now() { cut -d' ' -f1 /proc/uptime; }
expect=@EXPECT@
echo "HUP-T launch $(now)"
{ @CMD@ ; echo $? > rc.txt; } 2>&1 | tee vm.out | while IFS= read -r line; do
	case "$line" in *"HUP-L2: init ran"*) echo "HUP-T userspace $(now)" ;; esac
	printf '%s\n' "$line"
done
echo "HUP-T exit $(now)"
rc=$(cat rc.txt)
echo "HUP-RC $rc"
[ "$rc" = "$expect" ] && exit 0
if hup_vm_flake "$rc" "HUP-L2: init ran" vm.out; then
	echo "HUP-T KVM failure of the nested CPU model: retryable"
	exit 124
fi
echo "unexpected exit status $rc (want $expect)"
exit 1
"""


def find_binary(env, *candidates):
    if os.environ.get(env):
        return os.environ[env]
    for c in candidates:
        p = os.path.join(ROOT, c)
        if os.path.exists(p):
            return p
    raise unittest.SkipTest(f"${env} not set and no built binary found")


def scenario(name, cmd, expect, files, timeout=180):
    script = RUN_TEMPLATE.replace("@CMD@", cmd).replace("@EXPECT@", str(expect))
    return hupnest.Scenario(name, script, files, timeout=timeout)


def hupvm_cmd(cpus, extra="", timeout=120, kernel='"$HUP_L2_KERNEL"'):
    return (f"./hupvm -k {kernel} -i ./l2.cpio -c {cpus} -m 256M "
            f"--timeout {timeout} -vv -a '{GUEST_CMDLINE}{extra}'")


def fake_bzimage(path):
    """A bzImage header (protocol 2.15, 64-bit entry) whose kernel is `ud2`:
    with no IDT the #UD escalates to a triple fault at the first instruction."""
    setup = 5 * 512
    img = bytearray(setup + 0x1000)
    img[0x1f1] = 4                                  # setup_sects
    img[0x201] = 0x66                               # header ends at 0x268
    img[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", img, 0x206, 0x020f)      # version
    struct.pack_into("<I", img, 0x22c, 0x7fffffff)  # initrd_addr_max
    struct.pack_into("<I", img, 0x230, 0x200000)    # kernel_alignment
    img[0x234] = 1                                  # relocatable
    struct.pack_into("<H", img, 0x236, 0x1)         # XLF_KERNEL_64
    struct.pack_into("<I", img, 0x238, 0x7ff)       # cmdline_size
    struct.pack_into("<Q", img, 0x258, 0x1000000)   # pref_address
    struct.pack_into("<I", img, 0x260, 0x100000)    # init_size
    img[setup + 0x200:setup + 0x202] = b"\x0f\x0b"  # ud2 at the 64-bit entry
    with open(path, "wb") as f:
        f.write(img)


QEMU_CMD = ("qemu-system-x86_64 -enable-kvm -cpu host -m 256M -smp 1 -nodefaults "
            "-display none -serial stdio -no-reboot -bios \"$HUP_QEMU_BIOS\" "
            f"-kernel \"$HUP_L2_KERNEL\" -initrd ./l2.cpio -append '{GUEST_CMDLINE} panic=-1'")


# Runs in L1: hupvm in the background with a control socket and a FIFO as
# its console input; once the guest's probe says "ready", hupctl exercises
# the socket, then one line on the console lets the probe finish.
DOORBELL_SCRIPT = r"""
set -u
# If hupvm dies early, "echo go" into its console FIFO must fail, not kill
# this script with SIGPIPE before it prints hupvm's logs.
trap '' PIPE
now() { cut -d' ' -f1 /proc/uptime; }
rm -f in ctl.sock ram.img vm.log vm.err
mkfifo in
echo "HUP-T launch $(now)"
./hupvm -k "$HUP_L2_KERNEL" -i ./l2.cpio -c 2 -m 256M --timeout 150 -v \
	--control ./ctl.sock -a '@CMDLINE@ hup.test=doorbell' < in > vm.log 2> vm.err &
vm=$!
exec 3>in
n=0
until grep -q "HUP-PROBE: ready" vm.log; do
	kill -0 $vm 2>/dev/null || break
	n=$((n + 1)); [ $n -gt 3000 ] && break
	sleep 0.1
done
echo "HUP-T ready $(now)"
c() { echo "HUPCTL \$ hupctl $*"; ./hupctl -s ./ctl.sock "$@"; echo "HUPCTL rc=$?"; }
c list
c stats
c pause 0
sleep 1
c resume 0
c pause 1
c pause 1
c resume 1
c resume 1
c stats
c --json stats
c --json list
c stats 999999
c pause 9
c query 1
c reclaim 1
c frobnicate
c dump ram.img
echo "HUPCTL dump-size $(stat -c %s ram.img 2>/dev/null)"
c dump ram.img
rm -f ram.img
echo go >&3
wait $vm
rc=$?
exec 3>&-
echo "HUP-T exit $(now)"
# The guest console and hupvm's own log (-v) stay apart: written to one
# stream, their lines interleave mid-line while the guest's threads race.
cat vm.log
cat vm.err
echo "HUP-RC $rc"
# The nested CPU model's faults (flakes.py's hup_vm_flake), seen as an early
# triple fault of vCPU 1, a timeout whose hang report blames the host, or
# one before hupvm handled any exit (a guest stuck in its early boot, before
# the doorbell could be rung): retried (flakes.HANG_ATTEMPTS).  Anything
# else, a hang the report lays at the guest's door included, is a real
# failure.
if hup_vm_flake "$rc" "HUP-PROBE: ready" vm.log vm.err; then
	echo "HUP-T KVM failure of the nested CPU model: retryable"
	exit 124
fi
[ "$rc" = 0 ]
"""


def stamps(output):
    t = {k: float(v) for k, v in re.findall(r"^HUP-T (\w+) ([0-9.]+)$", output, re.M)}
    if "launch" in t and "userspace" in t:
        t["to_userspace"] = round(t["userspace"] - t["launch"], 2)
    if "launch" in t and "exit" in t:
        t["to_exit"] = round(t["exit"] - t["launch"], 2)
    m = re.search(r"HUP-L2: init ran, uptime ([0-9.]+) s", output)
    if m:
        t["guest_uptime_at_init"] = float(m.group(1))
    return t


class HupvmE2E(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        hupvm = find_binary("HUPVM", "build-hupvm/backend/hupvm/hupvm",
                            "build/backend/hupvm/hupvm")
        probe = find_binary("HUP_CPUID_PROBE",
                            "build-hupvm/tests/e2e/hupvm/hup-cpuid-probe",
                            "build/tests/e2e/hupvm/hup-cpuid-probe")
        dbprobe = find_binary("HUP_DOORBELL_PROBE",
                              "build-backend/tests/e2e/hupvm/hup-doorbell-probe",
                              "build/tests/e2e/hupvm/hup-doorbell-probe")
        hupctl = find_binary("HUPCTL", "build-backend/backend/hupctl/hupctl",
                             "build/backend/hupctl/hupctl")
        cls.h = hupnest.Harness(cache=os.environ.get("HUP_GUEST_CACHE"))
        img = guest_image.Initramfs()
        img.add_busybox(L2_INIT)
        img.add_file(probe, "bin/cpuid-probe", 0o755)
        img.add_file(dbprobe, "bin/doorbell-probe", 0o755)
        kern = guest_image.fetch("6.1", cache=cls.h.cache, headers=False)
        img.add_file(kern.module("arch/x86/kernel/msr.ko"), "lib/msr.ko", 0o644)
        l2 = os.path.join(cls.h.cache, "l2-hupvm-e2e.cpio")
        img.write(l2)
        fake = os.path.join(cls.h.cache, "hupvm-fake-ud2.bzImage")
        fake_bzimage(fake)
        files = {"hupvm": hupvm, "l2.cpio": l2}
        ffiles = dict(files, **{"fake.bzImage": fake})
        qfiles = {"l2.cpio": l2}
        all_sc = [
            scenario("hupvm-smp1", hupvm_cmd(1), EXIT_POWEROFF, files),
            scenario("qemu-smp1", QEMU_CMD, 0, qfiles),
            scenario("hupvm-smp2", hupvm_cmd(2), EXIT_POWEROFF, files),
            scenario("hupvm-panic", hupvm_cmd(1, " hup.test=panic"), EXIT_PANIC, files),
            scenario("hupvm-reboot", hupvm_cmd(1, " hup.test=reboot"), EXIT_REBOOT, files),
            scenario("hupvm-timeout", hupvm_cmd(1, timeout=3), EXIT_TIMEOUT, files),
            scenario("hupvm-triple-fault", hupvm_cmd(1, kernel="./fake.bzImage"),
                     EXIT_FAULT, ffiles, timeout=60),
            hupnest.Scenario("hupvm-doorbell",
                             DOORBELL_SCRIPT.replace("@CMDLINE@", GUEST_CMDLINE),
                             dict(files, hupctl=hupctl), timeout=230,
                             retry_hang=True),
        ]
        only = os.environ.get("HUPVM_E2E_ONLY")
        if only:
            want = set(only.split(","))
            all_sc = [s for s in all_sc if s.name in want]
        cls.hrun = cls.h.run(all_sc)
        cls.by = {r.name: r for r in cls.hrun.results}
        cls.times = {n: stamps(r.output) for n, r in cls.by.items()}

    def result(self, name):
        if name not in self.by:
            self.skipTest(f"{name} not selected")
        return self.by[name]

    def check_boot(self, name, cpus):
        r = self.result(name)
        out = r.output
        self.assertEqual(r.rc, 0, out[-3000:])
        self.assertIn("HUP-L2: init ran", out)
        self.assertIn(f"HUP-L2: cpus {cpus}", out)
        self.assertIn("HUP-L2: online " + ("0" if cpus == 1 else f"0-{cpus - 1}"), out)
        self.assertIn("HUP-L2: hv-signature=KVMKVMKVM", out)
        self.assertIn("HUP-L2: hup-signature=HyperUpcall!", out)
        m = re.search(r"HUP-L2: hup-abi=(0x[0-9a-f]+)", out)
        want = re.search(r"HUP-L2: hup-expected-abi=(0x[0-9a-f]+)", out)
        self.assertTrue(m and want and m.group(1) == want.group(1), "ABI version leaf")
        self.assertIn("HUP-L2: hup-doorbell=0xe80", out)
        self.assertIn("HUP-L2: hup-upcall-gsi=5", out)
        self.assertIn("HUP-L2: dmesg: ", out)
        self.assertRegex(out, r"kvm-clock: Using msrs")
        self.assertRegex(out, r"Switched to clocksource kvm-clock")
        self.assertIn("HUP-RC 0", out)

    def test_1_boot_smp1_poweroff(self):
        self.check_boot("hupvm-smp1", 1)

    def test_2_boot_smp2_poweroff(self):
        self.check_boot("hupvm-smp2", 2)

    def test_3_panic_exit_code(self):
        r = self.result("hupvm-panic")
        self.assertEqual(r.rc, 0, r.output[-3000:])
        self.assertIn("HUP-L2: crashing on purpose", r.output)
        self.assertIn("Kernel panic - not syncing", r.output)
        self.assertIn(f"HUP-RC {EXIT_PANIC}", r.output)

    def test_3b_reboot_exit_code(self):
        r = self.result("hupvm-reboot")
        self.assertEqual(r.rc, 0, r.output[-3000:])
        self.assertIn("HUP-L2: rebooting", r.output)
        self.assertIn(f"HUP-RC {EXIT_REBOOT}", r.output)

    def test_3c_timeout(self):
        r = self.result("hupvm-timeout")
        self.assertEqual(r.rc, 0, r.output[-3000:])
        self.assertIn("timeout: guest still running after 3 s", r.output)
        self.assertIn(f"HUP-RC {EXIT_TIMEOUT}", r.output)
        # the hang report (backend/hupvm/hang.h): a booting guest's vCPU
        # leaves KVM_RUN when kicked, and says where it was
        self.assertRegex(r.output, r"(?m)hang: vCPU 0: running, \d+ exits handled, \d+ in 1 s; KVM exits")
        self.assertRegex(r.output, r"(?m)hang: vCPU 0: rip=[0-9a-f]{16} if=[01] "
                         r"(runnable|halted) injecting=")
        self.assertRegex(r.output, r"(?m)hang: verdict: guest \(every vCPU left KVM_RUN")
        # a running vCPU's registers and the code at its rip, read through
        # the guest's page tables (hupvm starts it in 64-bit paging)
        if re.search(r"hang: vCPU 0: rip=[0-9a-f]{16} if=[01] runnable", r.output):
            self.assertRegex(r.output, r"hang: vCPU 0: registers:\n  rip=[0-9a-f]{16} rsp=")
            self.assertRegex(r.output, r"(?m)^  code at rip \(gpa 0x[0-9a-f]+\):( [0-9a-f]{2}){1,16}$")
        self.assertLess(stamps(r.output).get("to_exit", 99), 10)

    def test_3d_triple_fault_reported(self):
        r = self.result("hupvm-triple-fault")
        self.assertEqual(r.rc, 0, r.output[-3000:])
        self.assertIn("triple fault (KVM_EXIT_SHUTDOWN", r.output)
        self.assertRegex(r.output, r"rip=[0-9a-f]{16}")
        self.assertRegex(r.output, r"cr0=[0-9a-f]{16}")
        self.assertIn(f"HUP-RC {EXIT_FAULT}", r.output)

    def test_4_boot_time_ratio(self):
        hv = self.times.get("hupvm-smp1", {})
        qm = self.times.get("qemu-smp1", {})
        if "to_userspace" not in hv or "to_userspace" not in qm:
            self.skipTest("need both hupvm-smp1 and qemu-smp1 timings")
        ratio = hv["to_userspace"] / qm["to_userspace"]
        report = {"path": self.hrun.path, "l1_ready_s": self.hrun.l1_ready_s,
                  "wall_s": round(self.hrun.wall_s, 1),
                  "hupvm_smp1_to_userspace_s": hv["to_userspace"],
                  "hupvm_smp1_guest_uptime_at_init_s": hv.get("guest_uptime_at_init"),
                  "qemu_smp1_guest_uptime_at_init_s": qm.get("guest_uptime_at_init"),
                  "qemu_smp1_to_userspace_s": qm["to_userspace"],
                  "ratio_hupvm_over_qemu": round(ratio, 3),
                  "hupvm_smp1_to_exit_s": hv.get("to_exit"),
                  "qemu_smp1_to_exit_s": qm.get("to_exit"),
                  "hupvm_smp2_to_userspace_s": self.times.get("hupvm-smp2", {}).get("to_userspace")}
        print("boot times (L1 clock): " + json.dumps(report))
        out = os.environ.get("HUP_BENCH_OUT") or os.path.join(self.h.logdir, "hupvm-boot-times.json")
        with open(out, "w") as f:
            json.dump(report, f, indent=1)
        # hupvm skips firmware, so it should not be much slower than QEMU +
        # SeaBIOS; the bound is loose because nested timings are noisy.
        self.assertLess(ratio, 2.0)


    # ---- hupvm-doorbell ------------------------------------------------

    def doorbell(self):
        r = self.result("hupvm-doorbell")
        return r, r.output

    def test_5_doorbell_probe(self):
        r, out = self.doorbell()
        self.assertIn("HUP-PROBE: ready", out, out[-4000:])
        self.assertNotIn("HUP-PROBE: FAIL", out, out[-6000:])
        self.assertIn("HUP-PROBE: done failures=0", out, out[-4000:])
        self.assertIn("HUP-L2: probe exit 0", out)
        self.assertIn("HUP-RC 0", out, out[-3000:])
        self.assertEqual(r.rc, 0, out[-3000:])
        self.assertRegex(out, r"HUP-PROBE: ok counter grew by \d+ over 100 port writes")
        for name in ("bad-magic", "abi-major-2", "unknown-op", "flags", "reserved0",
                     "reserved1", "unknown-event", "insn-cnt-0", "insn-cnt-4097",
                     "insns-outside-ram", "insns-wrap", "log-too-big",
                     "log-outside-ram", "nr-windows-9", "window-unaligned",
                     "window-wraps", "windows-overlap", "name-no-nul",
                     "verifier-leak", "unregister-unknown-id"):
            self.assertRegex(out, rf"HUP-PROBE: ok {name} -> -\d+")
        for name in ("block-outside-ram", "block-misaligned", "block-past-ram"):
            self.assertIn(f"HUP-PROBE: ok {name}", out)
        self.assertRegex(out, r"HUP-PROBE: ok race: \d+ registered, \d+ refused")
        self.assertIn("HUP-PROBE: ok msr write of 0xdead denied", out)
        self.assertIn("HUP-PROBE: ok msr write allowed and performed", out)
        self.assertIn("HUP-PROBE: ok counter stopped after unregister", out)
        m = re.search(r"HUP-PROBE: after hupctl: counter \+(\d+)", out)
        self.assertTrue(m and int(m.group(1)) > 0, "trace events during hupctl")

    def test_6_hupctl(self):
        r, out = self.doorbell()
        runs = hupctl_runs(out)
        by = {}
        for cmd, lines, rc in runs:
            by.setdefault(cmd, []).append((lines, rc))
        self.assertTrue(runs, out[-3000:])
        lines, rc = by["list"][0]
        self.assertEqual(rc, 0, lines)
        self.assertTrue(any('name="probe-count"' in l and "event=trace" in l for l in lines), lines)
        self.assertTrue(any("event=vcpu_resume" in l for l in lines), lines)
        for cmd in ("pause 0", "resume 0", "pause 1", "resume 1"):
            self.assertEqual(by[cmd][0][1], 0, (cmd, by[cmd]))
        self.assertEqual(by["pause 1"][1][1], 1)   # already paused
        self.assertEqual(by["resume 1"][1][1], 1)  # not paused
        stats = "\n".join(by["stats"][1][0])
        m = re.search(r"exits total=(\d+) io=(\d+)", stats)
        self.assertTrue(m and int(m.group(2)) > 40000, stats)
        for reason in ("magic", "abi-version", "op", "flags", "reserved", "event",
                       "insn-cnt-big", "insns-range", "log-size", "window",
                       "window-overlap", "name", "no-such-prog", "verifier",
                       "block-range", "block-align"):
            m = re.search(rf"\b{reason}=(\d+)", stats)
            self.assertTrue(m and int(m.group(1)) >= 1, (reason, stats))
        m = re.search(r"vcpu_pauses=(\d+) tlb_flushes=(\d+)", stats)
        self.assertTrue(m and int(m.group(1)) >= 2 and int(m.group(2)) >= 2, stats)
        js = json.loads(by["--json stats"][0][0][0])
        self.assertGreater(js["exits"]["io"], 40000)
        self.assertGreaterEqual(js["rejected"]["magic"], 1)
        self.assertTrue(any(p["name"] == "probe-count" and p["runs"] > 0
                            for p in js["programs"]), js)
        self.assertEqual(json.loads(by["--json list"][0][0][0])["programs"][0]["event"], "trace")
        self.assertEqual(by["stats 999999"][0][1], 1)
        self.assertEqual(by["pause 9"][0][1], 1)
        self.assertEqual(by["query 1"][0][1], 1)
        self.assertEqual(by["reclaim 1"][0][1], 1)
        self.assertEqual(by["frobnicate"][0][1], 2)
        self.assertEqual(by["dump ram.img"][0][1], 0)
        self.assertEqual(by["dump ram.img"][1][1], 1)  # exists: never clobbered
        # a version-2 snapshot: the 4 KiB header, the programs registered
        # then (if any), RAM from a page boundary
        m = re.search(r"HUPCTL dump-size (\d+)", out)
        self.assertTrue(m, "no dump size")
        extra = int(m.group(1)) - 256 * 1024 * 1024
        self.assertTrue(extra >= 4096 and extra % 4096 == 0, f"dump size {m.group(1)}")

    def test_7_exit_rate(self):
        r, out = self.doorbell()
        base = re.search(r"bench no-trace exits_per_s=(\d+)", out)
        traced = re.search(r"bench trace exits_per_s=(\d+)", out)
        if not base or not traced:
            self.fail("no exit-rate numbers: " + out[-3000:])
        b, t = int(base.group(1)), int(traced.group(1))
        report = {"path": self.hrun.path, "exits_per_s_no_trace": b,
                  "exits_per_s_trace": t, "ratio_trace_over_no_trace": round(t / b, 3),
                  "note": "guest clock under nesting; only the ratio is meaningful"}
        print("exit rate (L2 clock): " + json.dumps(report))
        out_path = os.environ.get("HUP_EXITS_OUT") or os.path.join(self.h.logdir, "hupvm-exit-rate.json")
        with open(out_path, "w") as f:
            json.dump(report, f, indent=1)
        self.assertGreater(b, 0)
        self.assertGreater(t / b, 0.2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
