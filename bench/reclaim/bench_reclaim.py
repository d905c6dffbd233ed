#!/usr/bin/env python3
"""The reclaim benchmark (issue 11, docs/bench-reclaim.md): how fast a VMM
gets back the memory a guest has just freed, side by side in one KVM host
boot (L1 under the nested harness, or this machine with VT-x/AMD-V), same
guest kernel, same memory size, same workload:

  hupvm    hupvm + samples/free_discard.c: `hupctl reclaim ID`
  balloon  QEMU -enable-kvm + virtio-balloon, inflated over QMP by the
           amount freed
  fpr      QEMU + virtio-balloon,free-page-reporting=on: the guest reports
           free pages on its own
  none     QEMU with no cooperation: the memory stays resident

In each, the guest (bench/reclaim/l2_bench.sh) fills HOG MiB with checked
data on 2 vCPUs and frees it; then L1 notes the VMM process's resident
memory, triggers the mode's operation (hup-benchtool watch) and times how
long until the resident memory has dropped by DROP MiB, with the CPU time
the VMM's vCPU threads used meanwhile.  After it the guest checks its memory
again (a second churn) and its dmesg.

  bench_reclaim.py [--build DIR] [--kernel 6.1-cloud] [--mem-mib 1024]
                   [--hog-mib 700] [--drop-mib 600] [--json OUT] [-v]
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e", "guest"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import hupnest  # noqa: E402
import guest_image  # noqa: E402
import e2elib as e2e  # noqa: E402
from e2elib import fill, l2_image, read  # noqa: E402

MODES = ("hupvm", "balloon", "fpr", "none")
# The virtio-balloon driver and what it needs, in load order; the Debian
# cloud kernel builds them as modules.
VIRTIO_MODULES = ("virtio", "virtio_ring", "virtio_pci_legacy_dev",
                  "virtio_pci_modern_dev", "virtio_pci", "virtio_balloon")
CMDLINE = e2e.CMDLINE
VM_TIMEOUT_S = 600
# How long a mode may take to give the memory back before it counts as
# "not reached" (the none mode waits this long on purpose).
WATCH_TIMEOUT_S = 120

L1_SCRIPT = r"""
set -u
trap '' PIPE
rm -f in ctl.sock qmp.sock vm.log rc.txt vmm.pid
mkfifo in
echo "BENCH mode @MODE@ launch"
{ sh -c 'echo $$ > vmm.pid; exec "$@"' vmm @LAUNCH@ < in 2>&1; echo $? > rc.txt; } | tee vm.log &
exec 3>in
@L1_FUNCS@if waitfor freed; then
	pid=$(cat vmm.pid)
	@TRIGGER@
	echo go >&3
fi
wait
exec 3>&-
rc=$(cat rc.txt)
echo "BENCH mode @MODE@ vmm rc=$rc"
[ "$rc" = 124 ] && exit 124
[ "$rc" = 0 ]
"""

HUPVM_LAUNCH = ("./hupvm -k ./vmlinuz -i ./l2-hupvm.cpio -c 2 -m @MEM@M --timeout @VMTIMEOUT@ "
                f"--run-budget-us {e2e.RECLAIM_RUN_BUDGET_US} --control ./ctl.sock -a '@CMDLINE@'")
QEMU_LAUNCH = ("qemu-system-x86_64 -enable-kvm -cpu host -m @MEM@M -smp 2 -nodefaults "
               "-display none -serial stdio -no-reboot -bios $HUP_QEMU_BIOS "
               "-kernel ./vmlinuz -initrd ./l2-qemu.cpio -append '@CMDLINE@' "
               "-qmp unix:./qmp.sock,server=on,wait=off -name bench,debug-threads=on @DEVICE@")
TRIGGERS = {
    "hupvm": (
        "id=$(id_of free_discard)\n"
        "\t./hup-benchtool watch $pid @DROP@ @WATCH@ vcpu ./hupctl -s ./ctl.sock --json reclaim ${id:-none}"),
    "balloon": (
        "./hup-benchtool watch $pid @DROP@ @WATCH@ 'CPU ' ./hup-benchtool qmp ./qmp.sock "
        "'{\"execute\":\"balloon\",\"arguments\":{\"value\":@TARGET@}}'"),
    "fpr": "./hup-benchtool watch $pid @DROP@ @WATCH@ 'CPU '",
    "none": "./hup-benchtool watch $pid @DROP@ @WATCH@ 'CPU '",
}


def _modinfo_depends(path):
    with open(path, "rb") as f:
        m = re.search(rb"depends=([^\0]*)\0", f.read())
    return [d for d in (m.group(1).decode().split(",") if m else []) if d]


def _find_module(k, name):
    for d, _, files in os.walk(os.path.join(k.modules, "kernel")):
        if name + ".ko" in files:
            return os.path.join(d, name + ".ko")
    return None


def virtio_modules(k):
    """(name, path) of the balloon driver and its dependencies (from their
    .modinfo), dependencies first; empty when the kernel has them built
    in."""
    paths = {n: _find_module(k, n) for n in VIRTIO_MODULES}
    out = []

    def add(name, depth=0):
        if any(n == name for n, _ in out) or not paths.get(name):
            return
        if depth > len(VIRTIO_MODULES):
            raise e2e.SetupError(f"module dependency loop at {name}")
        for d in _modinfo_depends(paths[name]):
            if d not in paths:
                raise e2e.SetupError(f"{name}.ko needs {d}.ko, which the benchmark does not load")
            add(d, depth + 1)
        out.append((name, paths[name]))

    for name in VIRTIO_MODULES:
        add(name)
    return out


def images(k, tools, cache, churn, free_discard_o):
    """The guest's two initramfs images, one init (l2_bench.sh): for hupvm
    with the module, hupload and free_discard.o; for QEMU with the
    balloon's modules (lib/modules.order gives l2_bench.sh their order)."""
    init = read(os.path.join(HERE, "l2_bench.sh"))
    hup = l2_image("bench-hupvm", k, tools, cache, init,
                   {"bin/hup-churn": churn, "lib/free_discard.o": free_discard_o})
    mods = virtio_modules(k)
    files = {f"lib/{name}.ko": p for name, p in mods}
    files["bin/hup-churn"] = churn
    qemu = l2_image("bench-qemu", k, tools, cache, init, files, module=False,
                    data={"lib/modules.order": "".join(f"{n}.ko\n" for n, _ in mods).encode()})
    return hup, qemu


def scenario(mode, k, files, mem, hog, drop):
    cmdline = f"{CMDLINE} hup.bench={mode} hup.hog_mib={hog}"
    if mode == "hupvm":
        launch = fill(HUPVM_LAUNCH, MEM=mem, VMTIMEOUT=VM_TIMEOUT_S, CMDLINE=cmdline)
    else:
        dev = {"balloon": "-device virtio-balloon-pci",
               "fpr": "-device virtio-balloon-pci,free-page-reporting=on",
               "none": ""}[mode]
        launch = fill(QEMU_LAUNCH, MEM=mem, CMDLINE=cmdline, DEVICE=dev)
    trigger = {"DROP": drop, "WATCH": WATCH_TIMEOUT_S}
    if mode == "balloon":
        trigger["TARGET"] = (mem - hog) << 20
    script = fill(L1_SCRIPT, MODE=mode, LAUNCH=launch, TRIGGER=fill(TRIGGERS[mode], **trigger))
    return hupnest.Scenario(f"reclaim-bench-{mode}", script, files,
                            timeout=VM_TIMEOUT_S + 60, retry_hang=True)


def parse(out):
    """The numbers of one mode's run, and its problems."""
    d, bad = {}, []
    m = re.search(r"^BENCH watch (.*)$", out, re.M)
    if m:
        for k, v in re.findall(r"(\w+)=(\S+)", m.group(1)):
            d[k] = float(v) if "." in v else int(v)
    else:
        bad.append("no BENCH watch line")
    m = re.search(r'^\{"id":\d+,.*"pages_discarded".*\}$', out, re.M)
    if m:
        d["reclaim"] = json.loads(m.group(0))
    for key in ("hog", "check"):
        m = re.search(rf"^HUP-G: {key} rc=(\d+)", out, re.M)
        if not m or m.group(1) != "0":
            bad.append(f"guest {key} churn failed (rc {m.group(1) if m else 'missing'})")
    if not re.search(r"^HUP-G: bad-dmesg 0$", out, re.M):
        bad.append("guest dmesg complaints: " + "; ".join(re.findall(r"^HUP-G: bad: (.*)$", out, re.M)))
    if "HUP-G: done" not in out:
        bad.append("guest did not finish")
    return d, bad


def table(results, hog, drop):
    """Markdown rows: mode, seconds to the drop, ratio to hupvm, CPU."""
    base = results.get("hupvm", {}).get("seconds") if results.get("hupvm", {}).get("reached") else None
    rows = ["| mode | dropped | time to -%d MiB RSS | vs hupvm | vCPU time |" % drop,
            "|---|---|---|---|---|"]
    for mode in MODES:
        d = results.get(mode)
        if not d or "seconds" not in d:
            rows.append(f"| {mode} | - | did not run | | |")
            continue
        t = f"{d['seconds']:.3f} s" if d["reached"] else f"not reached in {d['seconds']:.0f} s"
        ratio = f"{d['seconds'] / base:.0f}x slower" if base and d["reached"] and mode != "hupvm" else ""
        rows.append(f"| {mode} | {d['dropped_kib'] // 1024} MiB | {t} | {ratio} | {d['guest_cpu_s']:.2f} s |")
    return "\n".join(rows)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--cache", help="guest cache (default: $HUP_GUEST_CACHE or BUILD/guest)")
    p.add_argument("--kernel", default="6.1-cloud", choices=sorted(e2e.KERNELS))
    p.add_argument("--mem-mib", type=int, default=1024)
    p.add_argument("--hog-mib", type=int, default=700)
    p.add_argument("--drop-mib", type=int, default=600)
    p.add_argument("--modes", default=",".join(MODES))
    p.add_argument("--json", help="write the numbers here")
    p.add_argument("-v", "--verbose", action="store_true")
    a = p.parse_args(argv)
    modes = [m for m in a.modes.split(",") if m]
    if any(m not in MODES for m in modes) or not modes:
        p.error(f"--modes: a comma-separated subset of {','.join(MODES)}")
    if not 0 < a.drop_mib < a.hog_mib < a.mem_mib:
        p.error("want 0 < --drop-mib < --hog-mib < --mem-mib")
    cache = a.cache or os.environ.get("HUP_GUEST_CACHE") or os.path.join(a.build, "guest")
    tools = e2e.Tools(a.build)
    extra = {n: os.path.join(a.build, r) for n, r in (
        ("churn", "tests/e2e/guest/hup-churn"),
        ("benchtool", "bench/reclaim/hup-benchtool"),
        ("free_discard_o", "samples/free_discard.o"))}
    missing = [p for p in [tools.hupvm, tools.hupctl, tools.hupload] + list(extra.values())
               if not os.path.exists(p)]
    if missing:
        print("bench-reclaim: not built: " + ", ".join(missing), file=sys.stderr)
        return 2
    try:
        k = e2e.kernel(a.kernel, cache)
        hup, qemu = images(k, tools, cache, extra["churn"], extra["free_discard_o"])
        files = {"hupvm": tools.hupvm, "hupctl": tools.hupctl, "vmlinuz": k.vmlinuz,
                 "hup-benchtool": extra["benchtool"], "l2-hupvm.cpio": hup, "l2-qemu.cpio": qemu}
        scs = [scenario(m, k, files, a.mem_mib, a.hog_mib, a.drop_mib) for m in modes]
        run = hupnest.Harness(cache=cache, verbose=a.verbose).run(scs)
    except (e2e.SetupError, hupnest.HarnessError, guest_image.GuestImageError) as e:
        print(f"bench-reclaim: {e}", file=sys.stderr)
        return 2
    results, problems = {}, []
    for r in run.results:
        mode = r.name.rsplit("-", 1)[1]
        d, bad = parse(r.output)
        results[mode] = d
        problems += [f"{mode}: {b}" for b in bad]
        if r.rc != 0:
            problems.append(f"{mode}: scenario exit status {r.rc} (log {r.log})")
    print(f"\nreclaim, {a.kernel} ({k.release}), {a.mem_mib} MiB guest, 2 vCPUs, "
          f"{a.hog_mib} MiB filled and freed, path={run.path}")
    print(table(results, a.hog_mib, a.drop_mib))
    if "reclaim" in results.get("hupvm", {}):
        print("hupvm reclaim report: " + json.dumps(results["hupvm"]["reclaim"]))
    for b in problems:
        print("problem: " + b)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"kernel": k.release, "mem_mib": a.mem_mib, "hog_mib": a.hog_mib,
                       "drop_mib": a.drop_mib, "path": run.path, "results": results,
                       "problems": problems}, f, indent=1)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
