"""What the use-case e2e tests, the benchmarks and the demo share to build
and run a scenario (reading its output is guestlog.py's job):

- KERNELS, kernel(): the four Debian guest kernels, fetched and cached;
- Tools, built(): the built files a scenario carries;
- module_for(): hyperupcall.ko built for exactly a guest's release, cached
  by the hash of its sources; build_modules() builds every one the tests
  load ahead of them (`e2elib.py build-modules`, the ctest fixture
  kmod-build);
- L1_FUNCS, L1_END, fill(), l1_launch(): an L1 script from its template,
  every placeholder filled or an error (a misspelt @KEY@ would otherwise
  reach the shell as text), its hupvm start and its one ending;
- l2_image(): the initramfs of a use-case guest (busybox, its init,
  l2_lib.sh, hyperupcall.ko, hupload, and the test's own files);
- VM_TIMEOUT_S, SCENARIO_MARGIN_S: how long a scenario may take;
  NESTED_RUN_BUDGET_US, RECLAIM_RUN_BUDGET_US, CMDLINE: a nested guest's
  run budget (a reclaiming one's) and command line;
- ScenarioTest: a test class that runs its scenarios once on the nested
  harness (hupnest: boots the KVM host, retries only through its one
  classifier, every retry reported) and looks each result up by name.
"""
import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
for _d in (os.path.join(ROOT, "tests", "harness"), os.path.join(ROOT, "scripts")):
    if _d not in sys.path:
        sys.path.insert(0, _d)
import guest_image  # noqa: E402
import hupnest  # noqa: E402

# name: (series, flavour).  Every sample runs unchanged on all of them.
KERNELS = {
    "6.1-cloud": ("6.1", "cloud-amd64"),
    "6.1-amd64": ("6.1", "amd64"),
    "6.1-rt": ("6.1", "rt-amd64"),
    "6.12-cloud": ("6.12", "cloud-amd64"),
}
# A healthy nested run takes 15-30 s from launch to poweroff (the rt and
# generic kernels are the slow ones); hupvm stops a hung guest after this.
# A hang costs the whole timeout, so each scenario's is about 4 times its
# slowest healthy run (two L1 lanes side by side slow a run by up to 2x).
VM_TIMEOUT_S = 120
# What a scenario gets beyond its hupvm's --timeout: hupvm's hang report
# (up to 15 s) and L1 printing the logs.  The L1 kills the scenario then.
SCENARIO_MARGIN_S = 60
# Per-run budget of the programs under nesting: L2 runs 15-30x slower than
# native, and the run clock is wall time, which goes on while L1 does not
# run hupvm's thread (L1's scheduler, or the host preempting L1's vCPU).
# libhup's native 1 ms default aborts a few runs; 20 ms aborted a ps query
# (10-30 ms of L1 time, test_replay_e2e) once in a fresh-clone run with
# native tests beside L1.  Tests of the budget itself set their own.
NESTED_RUN_BUDGET_US = 100000
# ... except reclaim's: hupvm cuts a reclaim into stops of at most 50 ms,
# each taking as many 512-page batches as fit at their worst case, the run
# budget; with 100 ms a stop took one batch, and a reclaim scenario ran
# 140 s instead of 25.
RECLAIM_RUN_BUDGET_US = 20000
# A guest's kernel command line: its console on the serial port, quiet.
CMDLINE = "console=ttyS0 quiet loglevel=4"

PLACEHOLDER = re.compile(r"@[A-Z][A-Z0-9_]*@")


class SetupError(Exception):
    pass


def _find(env, build, *rel):
    p = os.environ.get(env)
    if p:
        return p
    for r in rel:
        c = os.path.join(build, r)
        if os.path.exists(c):
            return c
    return os.path.join(build, rel[0])


class Tools:
    """The built files a scenario carries: from the environment (ctest sets
    them) or found in a build directory."""

    def __init__(self, build=None):
        b = build or os.path.join(ROOT, "build")
        self.hupvm = _find("HUP_E2E_HUPVM", b, "backend/hupvm/hupvm")
        self.hupctl = _find("HUPCTL", b, "backend/hupctl/hupctl")
        self.hupload = _find("HUPLOAD", b, "bin/hupload")
        self.tracing_o = _find("HUP_TRACING_O", b, "samples/tracing.o")
        self.msr_guard_o = _find("HUP_MSR_GUARD_O", b, "samples/msr_guard.o")
        self.ps_o = _find("HUP_PS_O", b, "samples/ps.o")
        self.dmesg_o = _find("HUP_DMESG_O", b, "samples/dmesg.o")
        self.workload = _find("HUP_WORKLOAD", b, "tests/e2e/guest/hup-workload")

    def missing(self):
        return [p for p in vars(self).values() if not os.path.exists(p)]


def built(*names):
    """The files named by these environment variables (ctest sets them):
    the calling test class is skipped if one is not built."""
    paths = [os.environ.get(n) for n in names]
    if not all(p and os.path.exists(p) for p in paths):
        raise unittest.SkipTest(" / ".join(names) + " not built")
    return paths


def guest_cache():
    """$HUP_GUEST_CACHE, or the build tree's guest/ (kernels, modules, logs)."""
    return guest_image.default_cache()


def chosen(var, default):
    """A comma list from environment variable var (kernels, modes)."""
    return os.environ.get(var, default).split(",")


def kernel(name, cache):
    """The guest kernel KERNELS[name] (vmlinuz, modules, headers), cached."""
    series, flavour = KERNELS[name]
    return guest_image.fetch(series, flavour, cache, headers=True)


def _module_sources_hash():
    h = hashlib.sha256()
    dirs = [os.path.join(ROOT, "kernel-module"),
            os.path.join(ROOT, "sdk", "include", "hyperupcall")]
    for d in dirs:
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    h.update(name.encode() + b"\0" + f.read())
    with open(os.path.join(ROOT, "tests", "kmod", "build_kmod.sh"), "rb") as f:
        h.update(f.read())
    return h.hexdigest()[:16]


def module_for(k, cache, debug=False):
    """hyperupcall.ko built for exactly k.release (cached by source hash);
    debug: with HUP_DEBUG=1 (the ring-injection hook the no-backend test
    drives)."""
    tag = "-debug" if debug else ""
    out = os.path.join(cache, "kmod", f"{k.release}-{_module_sources_hash()}{tag}")
    ko = os.path.join(out, "hyperupcall.ko")
    if os.path.exists(ko):
        return ko
    os.makedirs(os.path.dirname(out), exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".kmod-", dir=os.path.dirname(out))
    try:
        r = subprocess.run([os.path.join(ROOT, "tests", "kmod", "build_kmod.sh"),
                            k.headers, tmp] + (["HUP_DEBUG=1"] if debug else []),
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise SetupError(f"hyperupcall.ko for {k.release} does not build:\n"
                             + r.stdout[-2000:] + r.stderr[-3000:])
        os.makedirs(out, exist_ok=True)
        os.replace(os.path.join(tmp, "hyperupcall.ko"), ko)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return ko


# The kernels whose guests load the HUP_DEBUG=1 module (test_guest_e2e's
# no-backend guests drive its ring-injection hook).
DEBUG_MODULE_KERNELS = ("6.1-cloud", "6.12-cloud")


def build_modules(cache, names=None, out=sys.stdout):
    """module_for() each of names (default: all KERNELS), and the debug
    module too for DEBUG_MODULE_KERNELS: built once, ahead of the nested
    tests (which then find them cached).  Raises SetupError on an unknown name or a failed
    build."""
    names = names or list(KERNELS)
    for name in names:
        if name not in KERNELS:
            raise SetupError(f"unknown kernel {name!r} (known: {', '.join(KERNELS)})")
    for name in names:
        k = kernel(name, cache)
        for debug in (False, True) if name in DEBUG_MODULE_KERNELS else (False,):
            t0 = time.monotonic()
            ko = module_for(k, cache, debug=debug)
            print(f"{name}{' HUP_DEBUG=1' if debug else ''}: {ko} "
                  f"({os.path.getsize(ko)} bytes, {time.monotonic() - t0:.1f} s)",
                  file=out)


# Shell functions of the L1 scripts: the guest's console streams into
# vm.log, hupvm's exit status lands in rc.txt, hupvm's control socket is
# ./ctl.sock.
#   waitfor NAME   until the guest printed "HUP-G: sync NAME" (0), or hupvm
#                  exited or 10 minutes passed (1)
#   c ARGS...      hupctl ARGS, its output and status appended to hupctl.log
#                  between "HUPCTL $ hupctl ARGS" and "HUPCTL rc=N" (query
#                  answers are raw bytes: a newline ends them first;
#                  guestlog.hupctl_runs() reads them back)
#   id_of NAME     the id of the (first) registered program named NAME, as
#                  `hupctl list` shows it; empty if there is none
L1_FUNCS = r"""
waitfor() {
	n=0
	until grep -q "HUP-G: sync $1" vm.log; do
		[ -s rc.txt ] && return 1
		n=$((n + 1)); [ $n -gt 6000 ] && return 1
		sleep 0.1
	done
}
c() { { echo "HUPCTL \$ hupctl $*"; ./hupctl -s ./ctl.sock "$@"; r=$?; echo; echo "HUPCTL rc=$r"; } >> hupctl.log 2>&1; }
id_of() { ./hupctl -s ./ctl.sock list | sed -n "s/^prog \([0-9]*\) .*name=\"$1\".*/\1/p" | head -n 1; }
"""

# The end of the L1 scripts: wait for hupvm, print hupvm's log if kept
# apart (hupvm.err), hupctl's log and "HUP-RC <hupvm's exit status>", and
# exit 0 only for a clean poweroff.  What is the environment's fault is
# the one classifier's to say (tests/harness/flakes.py, hup_vm_flake):
# exit 124 hands it a retry, which the harness reports.
L1_END = r"""
wait
exec 3>&-
echo "HUP-S: exit $(now)"
# hupvm's own log, when a script keeps it apart from the console
logs=vm.log
[ -f hupvm.err ] && cat hupvm.err && logs="vm.log hupvm.err"
cat hupctl.log 2>/dev/null
rc=$(cat rc.txt)
echo "HUP-RC $rc"
# hupvm's --timeout: the guest hung (docs/nested.md: rare L2 deadlocks under
# TCG).  124 tells the harness it was a hang, which it retries (HANG_ATTEMPTS).
[ "$rc" = 124 ] && exit 124
# The nested CPU model's faults (flakes.py's hup_vm_flake): seen as triple
# faults in early boot, and once mid-run in 6.1-amd64.
if hup_vm_flake "$rc" "HUP-G: init ran" $logs; then
	echo "HUP-S: KVM failure of the nested CPU model: retryable"
	exit 124
fi
[ "$rc" = 0 ]
"""


def fill(template, **subs):
    """template with @L1_FUNCS@ and @L1_END@ (the L1 shell functions and
    ending above) and each @KEY@ of subs replaced by str(value).
    SetupError if a placeholder is left."""
    out = template.replace("@L1_FUNCS@", L1_FUNCS).replace("@L1_END@", L1_END)
    for k, v in subs.items():
        if f"@{k}@" not in out:
            raise SetupError(f"script template has no @{k}@")
        out = out.replace(f"@{k}@", str(v))
    left = sorted(set(PLACEHOLDER.findall(out)))
    if left:
        raise SetupError("script placeholders not filled: " + ", ".join(left))
    return out


def l2_image(name, k, tools, cache, init, files, module=True, data=None):
    """The initramfs of a guest of kernel k, written to
    cache/l2-NAME-RELEASE.cpio (its path): busybox with init (the script's
    text) as /init, l2_lib.sh at /lib; with module, hyperupcall.ko built
    for k at /lib/hyperupcall.ko and hupload at /bin; files,
    {destination: source}, executable under bin/; and data,
    {destination: bytes}."""
    img = guest_image.Initramfs()
    img.add_busybox(init)
    img.add_file(os.path.join(HERE, "l2_lib.sh"), "lib/l2_lib.sh", 0o644)
    if module:
        img.add_file(module_for(k, cache), "lib/hyperupcall.ko", 0o644)
        img.add_file(tools.hupload, "bin/hupload", 0o755)
    for dst, src in files.items():
        img.add_file(src, dst, 0o755 if dst.startswith("bin/") else 0o644)
    for dst, blob in (data or {}).items():
        img.add_bytes(dst, blob)
    path = os.path.join(cache, f"l2-{name}-{k.release}.cpio")
    img.write(path)
    return path


def read(path):
    """A file's text (an L2 init script)."""
    with open(path) as f:
        return f.read()


def l1_launch(release, hupvm_args, mode=None, remove=()):
    """The start of an L1 script (fill it in as @L1_LAUNCH@): the helpers
    now (uptime, s) and ms (uptime, ms); the files of an earlier run and
    those of remove deleted; "HUP-S: launch TIME kernel RELEASE [mode
    MODE]"; hupvm started with hupvm_args (after -k ./vmlinuz -i
    ./l2.cpio and --control ./ctl.sock), the guest's console in vm.log,
    its exit status in rc.txt, and hupvm's own log in hupvm.err (L1_END
    prints it after the console: hupvm's lines would otherwise land
    inside the guest's, and a "HUP-G: sync" line cut in two is never
    answered); fd 3 feeds the guest's console (the answers to its
    sync_l1)."""
    return fill(r"""set -u
trap '' PIPE
now() { cut -d' ' -f1 /proc/uptime; }
ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
rm -f in ctl.sock vm.log hupvm.err hupctl.log rc.txt@REMOVE@
mkfifo in
echo "HUP-S: launch $(now) kernel @RELEASE@@MODE@"
{ ./hupvm -k ./vmlinuz -i ./l2.cpio --control ./ctl.sock @ARGS@ < in 2> hupvm.err
  echo $? > rc.txt; } | tee vm.log &
exec 3>in""", RELEASE=release, ARGS=hupvm_args, MODE=f" mode {mode}" if mode else "",
                REMOVE="".join(f" {r}" for r in remove))


class ScenarioTest(unittest.TestCase):
    """Subclasses call run_scenarios() from setUpClass; result(name) is that
    scenario's hupnest.Result, or the test is skipped when it was not run
    (not selected by the kernel/mode variables)."""

    run_ = None
    by = {}
    # L1 boots side by side: hupnest's default (L1_LANES, one) unless the
    # test's guests mostly wait (hupnest.py says when lanes pay).
    LANES = None

    @classmethod
    def run_scenarios(cls, scenarios, cache):
        h = hupnest.Harness(cache=cache, lanes=cls.LANES)
        cls.logdir = h.logdir  # the scenario logs and exports (hupnest)
        cls.run_ = h.run(scenarios)
        cls.by = {r.name: r for r in cls.run_.results}

    def result(self, name):
        if name not in self.by:
            self.skipTest(f"{name} not run")
        return self.by[name]


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="What the e2e tests share, from the command line.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build-modules", help="build (or find cached) hyperupcall.ko "
                       "for each guest kernel the e2e tests boot")
    b.add_argument("kernels", nargs="*", metavar="KERNEL",
                   help=f"of {', '.join(KERNELS)} (default: all)")
    b.add_argument("--cache", default=None,
                   help="the guest cache (default: $HUP_GUEST_CACHE or build/guest)")
    b.add_argument("--nested-priority", action="store_true",
                   help="build at the nested tests' L1 priority (hupnest.L1_NICE) "
                   "where allowed: they wait for these modules")
    a = ap.parse_args(argv)
    if getattr(a, "nested_priority", False) and hupnest.l1_nice_allowed():
        os.setpriority(os.PRIO_PROCESS, 0, hupnest.L1_NICE)
    try:
        build_modules(a.cache or guest_cache(), a.kernels)
    except (SetupError, guest_image.GuestImageError) as e:
        print(f"e2elib: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
