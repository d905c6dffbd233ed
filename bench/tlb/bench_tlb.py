#!/usr/bin/env python3
"""The TLB-shootdown benchmark (issue 12, docs/bench-tlb.md), side by side
in one KVM host boot (L1 under the nested harness, or this machine with
VT-x/AMD-V), same guest kernel, same 4-vCPU guest, same workload:

  none  2 of the 4 vCPUs run at a time (hupvm --pcpus 2), no help: a
        shootdown to a descheduled vCPU waits for its next slice
  pv    the same, with KVM's PV TLB flush (hupvm --pv-tlb-flush marks the
        vCPUs it holds preempted; a guest-kernel feature)
  hyp   the same, PV flush not offered: samples/tlb_shootdown.c, run by
        hupvm for every vCPU it holds (HUP_EVENT_VCPU_DESCHED)
  full  no overcommit: all 4 vCPUs run

The workload is hup-remap (tests/e2e/guest/remap.c): one thread remaps a
page to new frames as fast as it can, 3 reader threads on the other vCPUs
read it (and check they never read an old frame), for SECONDS.  Reported:
remaps per second (throughput), the distribution of one remap's duration
as the writer sees it, the distribution of each shootdown's wait as the
guest's ftrace timed it (native_flush_tlb_multi(), the sender's wait for
its targets), how many flush requests each CPU served itself
(flush_tlb_func() calls: under hyp, those the program did not acknowledge
for it), and 0 stale reads.

  bench_tlb.py [--build DIR] [--cache DIR] [--kernel 6.1-cloud]
               [--seconds 15] [--pcpus 2] [--sched-fifo] [--modes none,pv,hyp,full]
               [--json OUT]

--pcpus sets how many of the 4 vCPUs run at a time (full: all of them).
Nested, L1 has 2 CPUs: with --pcpus 2 the two running vCPU threads and
hupvm's own threads (the scheduler, which runs the hyperupcall) share
them, so L1's kernel also preempts running vCPUs, which only PV's steal
time lets the guest see; --pcpus 1 leaves L1 a CPU for the rest.
"""
import argparse
import json
import re
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e", "guest"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import hupnest  # noqa: E402
import e2elib as e2e  # noqa: E402
import test_tlb_e2e as tlb  # noqa: E402

MODES = ("none", "pv", "hyp", "full")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--cache", default=None)
    ap.add_argument("--kernel", default="6.1-cloud", choices=sorted(e2e.KERNELS))
    # 30 s of nonstop remapping triple-faulted nested guests in modes where
    # no program of ours ran (docs/bench-tlb.md); 15 s runs complete
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--sched-fifo", action="store_true",
                    help="hupvm's scheduler thread SCHED_FIFO in every mode")
    ap.add_argument("--pcpus", type=int, default=tlb.PCPUS)
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    if a.seconds < 1 or a.seconds > 600:
        ap.error("--seconds must be 1..600")
    if not 1 <= a.pcpus < tlb.VCPUS:
        ap.error(f"--pcpus must be 1..{tlb.VCPUS - 1} (full runs all {tlb.VCPUS})")
    modes = [m for m in a.modes.split(",") if m]
    bad = [m for m in modes if m not in MODES]
    if bad or not modes:
        ap.error(f"--modes: choose among {','.join(MODES)}")
    cache = a.cache or os.environ.get("HUP_GUEST_CACHE") or os.path.join(a.build, "guest")
    tools = e2e.Tools(a.build)
    remap = os.path.join(a.build, "tests", "e2e", "guest", "hup-remap")
    prog = os.path.join(a.build, "samples", "tlb_shootdown.o")
    for p in (remap, prog):
        if not os.path.exists(p):
            sys.exit(f"bench_tlb: {p} not built (cmake --build {a.build})")
    scs = []
    for mode in modes:
        guest_mode = "none" if mode == "full" else mode
        scs.append(tlb.scenario(a.kernel, guest_mode, tools, cache, remap, prog,
                                remaps=10_000_000, seconds=a.seconds,
                                pcpus=tlb.VCPUS if mode == "full" else a.pcpus,
                                name=f"bench-tlb-{mode}",
                                hupvm_args="--sched-fifo" if a.sched_fifo else ""))
    for sc in scs:
        sc.retry_hang = False  # a benchmark reports what happened
    run = hupnest.Harness(cache=cache).run(scs)
    res = {}
    for mode, r in zip(modes, run.results):
        res[mode] = tlb.remap_result(r.output) if r.ok else None
        late = re.search(r"wakeups=(\d+) late_ns=(\d+) late_max_ns=(\d+)", r.output)
        if res[mode] and late:
            n = max(int(late.group(1)), 1)
            res[mode]["sched_late_us"] = {"avg": int(late.group(2)) / n / 1e3,
                                          "max": int(late.group(3)) / 1e3}
        if res[mode] is None:
            print(f"bench_tlb: {mode}: no result (rc={r.rc}); log {r.log}", file=sys.stderr)
    base = res.get("none")
    print(f"\nTLB shootdowns, {a.kernel}, {tlb.VCPUS} vCPUs, {a.pcpus} running at a time"
          f"{' (scheduler SCHED_FIFO)' if a.sched_fifo else ''} "
          f"({tlb.SLICE_MS} ms slices), {a.seconds} s per mode, one L1 boot")
    print(f"{'':24} {'remap (us)':^26} {'shootdown (us)':^34}")
    print(f"{'mode':6} {'remaps/s':>9} {'vs none':>8} {'p50':>8} {'p90':>8} {'p99':>8} "
          f"{'per':>5} {'p50':>8} {'p90':>8} {'p99':>8} {'stale':>6}  served by CPU 0..")
    for mode in modes:
        x = res[mode]
        if not x:
            print(f"{mode:6} {'-':>9}")
            continue
        ratio = x["remaps_per_s"] / base["remaps_per_s"] if base else float("nan")
        w = x["wait_us"] or {}
        f = x["flush_us"] or {}
        print(f"{mode:6} {x['remaps_per_s']:9.1f} {ratio:7.2f}x {w.get('p50', '-'):>8} "
              f"{w.get('p90', '-'):>8} {w.get('p99', '-'):>8} {f.get('per_remap', '-'):>5} "
              f"{f.get('p50', '-'):>8} {f.get('p90', '-'):>8} {f.get('p99', '-'):>8} "
              f"{x['stale']:6d}  {' '.join(map(str, f.get('served', [])))}")
    for mode in modes:
        x = res[mode]
        if x and "sched_late_us" in x:
            print(f"{mode}: hupvm's scheduler woke {x['sched_late_us']['avg']:.0f} us late "
                  f"on average (max {x['sched_late_us']['max']:.0f} us)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"kernel": a.kernel, "seconds": a.seconds, "pcpus": a.pcpus,
                       "results": res}, f, indent=1)
    bad = [m for m in modes if not res[m] or res[m]["stale"]]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
