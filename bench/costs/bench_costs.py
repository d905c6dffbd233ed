#!/usr/bin/env python3
"""What a hyperupcall saves (issue 13, item 4; docs/bench-costs.md): the
same question answered by a hyperupcall and by an upcall into the guest
kernel (hupvm's upcall baseline, abi.h), side by side in one KVM host boot
(L1 under the nested harness, or this machine with VT-x/AMD-V), same guest
kernel, same guest:

  trace      a hypervisor event into the guest's trace ring
             hyperupcall: samples/tracing.c, run by hupvm on every exit it
             handles; upcall: `hupctl upcall trace`
  msr_write  may this write of IA32_TSC_AUX pass?
             hyperupcall: samples/msr_guard.c on each filtered WRMSR;
             upcall: `hupctl upcall msr_write`
  free_pfns  which of these 512 frames are free?
             hyperupcall: samples/free_discard.c, `hupctl reclaim --dry-run
             --every-batch` (every batch of RAM); upcall: `hupctl upcall
             free_pfns` for every batch of RAM
  ps, dmesg  the introspection queries (samples/ps.c, samples/dmesg.c),
             hyperupcall only: the upcall baseline has no twin for them
  tlb_ack    acknowledge the TLB flushes queued to a descheduled vCPU
             hyperupcall: samples/tlb_shootdown.c under vCPU overcommit
             (a second guest of the same L1 boot: test_tlb_e2e.py's hyp
             scenario); upcall: `hupctl upcall tlb_ack 1`, vCPU 1 paused

Per answer: the host's time from asking to having the answer (upcall:
hupctl's ns per question; hyperupcall: the program's run time as libhup
counts it, run_ns / runs, and for free_pfns also the dry run's whole time
per batch, parking the vCPUs included), and world switches: KVM's own count
of the vCPUs' exits (`exits.kvm` of hupctl stats, in-kernel exits
included) over the answers, less what the guest does anyway (its idle rate
over the same time).

  bench_costs.py [--build DIR] [--cache DIR] [--kernel 6.1-cloud]
                 [--repeat 200] [--json OUT]
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
import e2elib as e2e  # noqa: E402
import test_tlb_e2e as tlb  # noqa: E402
from e2elib import fill, l1_launch, l2_image, read  # noqa: E402
import guestlog  # noqa: E402
from guestlog import s_lines  # noqa: E402

MEM_MB = 256
VM_TIMEOUT_S = 600
CMDLINE = e2e.CMDLINE
TSC_AUX = 0xC0000103
DRY_RUNS = 3
IDLE_S = 3
QUERIES = 20

L1_SCRIPT = r"""
@L1_LAUNCH@
@L1_FUNCS@
H() { ./hupctl -s ./ctl.sock "$@" 2>&1 | tr '\n' ' '; }
S() { echo "HUP-S: $1 $(ms) $(H --json stats)"; }
if waitfor ready; then
	echo "HUP-S: list $(H --json list)"
	fd=$(id_of free_discard)
	S idle0; sleep @IDLE@; S idle1
	i=0
	while [ $i -lt @DRY_RUNS@ ]; do
		S dry0
		echo "HUP-S: dry $(H --json reclaim ${fd:-none} --dry-run --every-batch)"
		S dry1
		i=$((i + 1))
	done
	echo "HUP-S: up-trace $(H --json upcall trace 1 5 1 2 3 4 --repeat @REPEAT@)"
	echo "HUP-S: up-msr $(H --json upcall msr_write @TSC_AUX@ 0x1234 --repeat @REPEAT@)"
	pfn=0
	while [ $pfn -lt @PFNS@ ]; do
		echo "HUP-S: up-free $(H --json upcall free_pfns $pfn)"
		pfn=$((pfn + 512))
	done
	c pause 1
	echo "HUP-S: up-tlb $(H --json upcall tlb_ack 1 --repeat @REPEAT@)"
	c resume 1
	ps=$(id_of ps)
	dm=$(id_of dmesg)
	i=0
	while [ $i -lt @QUERIES@ ]; do
		./hupctl -s ./ctl.sock query ${ps:-none} > /dev/null 2>&1
		./hupctl -s ./ctl.sock query ${dm:-none} > /dev/null 2>&1
		i=$((i + 1))
	done
	echo "HUP-S: list-end $(H --json list)"
	S end
fi
echo go >&3
@L1_END@"""


def initramfs(k, tools, cache, fd_o):
    return l2_image("costs", k, tools, cache, read(os.path.join(HERE, "l2_costs.sh")),
                    {"lib/msr.ko": k.module("arch/x86/kernel/msr.ko"),
                     "bin/hup-workload": tools.workload, "lib/tracing.o": tools.tracing_o,
                     "lib/msr_guard.o": tools.msr_guard_o, "lib/free_discard.o": fd_o,
                     "lib/ps.o": tools.ps_o, "lib/dmesg.o": tools.dmesg_o})


def scenario(kname, tools, cache, repeat, fd_o):
    k = e2e.kernel(kname, cache)
    launch = l1_launch(k.release, f"-c 2 -m {MEM_MB}M --timeout {VM_TIMEOUT_S} "
                       f"-a '{CMDLINE} hup.msr_writes={repeat}'")
    script = fill(L1_SCRIPT, L1_LAUNCH=launch, PFNS=MEM_MB * 256,
                  TSC_AUX=hex(TSC_AUX), REPEAT=repeat, DRY_RUNS=DRY_RUNS, IDLE=IDLE_S,
                  QUERIES=QUERIES)
    files = {"hupvm": tools.hupvm, "hupctl": tools.hupctl, "vmlinuz": k.vmlinuz,
             "l2.cpio": initramfs(k, tools, cache, fd_o)}
    sc = hupnest.Scenario(f"costs-{kname}", script, files, timeout=VM_TIMEOUT_S + 120)
    sc.retry_hang = False  # a benchmark reports what happened
    return sc


def s_json(out, key):
    """guestlog.s_json, where a line that is not JSON ends the benchmark."""
    res = guestlog.s_json(out, key)
    if None in res:
        raise SystemExit(f"bench_costs: {key}: {s_lines(out, key)}")
    return res


def s_stats(out, key):
    """(L1 ms, kvm exits) of the "HUP-S: key MS {stats}" lines."""
    res = []
    for line in s_lines(out, key):
        ms, js = line.split(" ", 1)
        res.append((int(ms), json.loads(js)["exits"]["kvm"]))
    return res


def prog(listing, name):
    for p in listing["programs"]:
        if p["name"] == name:
            return p
    raise SystemExit(f"bench_costs: program {name} not registered")


def measure(out, tlb_out):
    """The cost table's rows from the two guests' output."""
    (idle0,), (idle1,) = s_stats(out, "idle0"), s_stats(out, "idle1")
    idle_rate = (idle1[1] - idle0[1]) / max(idle1[0] - idle0[0], 1) * 1e3  # exits/s
    (listing,) = s_json(out, "list")
    rows = {}

    def upcall(key, kind, answers=None):
        u = s_json(out, key)
        calls = sum(x["calls"] for x in u)
        ns = sum(x["ns_total"] for x in u)
        exits = sum(x["kvm_exits"] for x in u)
        return {"kind": kind, "answers": answers or calls, "ns": ns / calls,
                "exits_raw": exits / calls,
                "exits": max(exits - idle_rate * ns / 1e9, 0) / calls}

    def hyp_prog(p):
        return {"ns": p["run_ns"] / max(p["runs"], 1), "runs": p["runs"], "exits": 0.0}

    # trace: the program per event; the guest's own view of an exit with
    # and without it (hup-workload bench, the same 4,000 port writes)
    tr = hyp_prog(prog(listing, "trace_to_ring"))
    off = re.search(r"(?m)^HUP-G: off: HUP-W: bench .* n=(\d+) seconds=([\d.]+)", out)
    on = re.search(r"(?m)^HUP-G: on: HUP-W: bench .* n=(\d+) seconds=([\d.]+)", out)
    if off and on:
        tr["guest_ns_per_exit_off"] = float(off.group(2)) / int(off.group(1)) * 1e9
        tr["guest_ns_per_exit_on"] = float(on.group(2)) / int(on.group(1)) * 1e9
    rows["trace"] = {"hyp": tr, "upcall": upcall("up-trace", "trace")}
    rows["msr_write"] = {"hyp": hyp_prog(prog(listing, "msr_guard")),
                         "upcall": upcall("up-msr", "msr_write")}
    dry = s_json(out, "dry")
    d0, d1 = s_stats(out, "dry0"), s_stats(out, "dry1")
    batches = sum(d["batches"] for d in dry)
    exits = sum(b[1] - a[1] for a, b in zip(d0, d1))
    span_ms = sum(b[0] - a[0] for a, b in zip(d0, d1))
    total_ns = sum(d["total_ns"] for d in dry)
    rows["free_pfns"] = {
        "hyp": {"ns": sum(d["scan_ns"] for d in dry) / batches,
                "ns_with_park": total_ns / batches, "runs": batches,
                "pages_free": [d["pages_free"] for d in dry],
                "exits_raw": exits / batches,
                "exits": max(exits - idle_rate * span_ms / 1e3, 0) / batches},
        "upcall": upcall("up-free", "free_pfns")}
    rows["free_pfns"]["upcall"]["pages_free"] = sum(x["free"] for x in s_json(out, "up-free"))
    p = re.search(r'(?m)^prog \d+ event=vcpu_desched name="tlb_shootdown" .*runs=(\d+) '
                  r"aborts=(\d+) run_ns=(\d+)", tlb_out or "")
    hyp_tlb = ({"ns": int(p.group(3)) / max(int(p.group(1)), 1), "runs": int(p.group(1)),
                "aborts": int(p.group(2)), "exits": 0.0} if p else None)
    rows["tlb_ack"] = {"hyp": hyp_tlb, "upcall": upcall("up-tlb", "tlb_ack")}
    # the introspection queries: no upcall twin (abi.h names four questions)
    (end,) = s_json(out, "list-end")
    for q in ("ps", "dmesg"):
        rows[f"{q} query"] = {"hyp": hyp_prog(prog(end, q)), "upcall": None}
    return {"idle_exits_per_s": idle_rate, "rows": rows}


def report(kname, res):
    print(f"\nUpcall vs hyperupcall, {kname}, one L1 boot (nested: ratios only)")
    print(f"guest idle: {res['idle_exits_per_s']:.0f} KVM exits/s (subtracted below)")
    print(f"{'question':10} {'hyperupcall':>12} {'upcall':>12} {'ratio':>7} "
          f"{'exits hyp':>10} {'exits upcall':>13}")
    for k, r in res["rows"].items():
        h, u = r["hyp"], r["upcall"]
        if not u:
            print(f"{k:10} {h['ns'] / 1e3:10.2f}us {'(no upcall twin)':>12}")
            continue
        if not h:
            print(f"{k:10} {'-':>12} {u['ns'] / 1e3:10.1f}us")
            continue
        print(f"{k:10} {h['ns'] / 1e3:10.2f}us {u['ns'] / 1e3:10.1f}us "
              f"{u['ns'] / h['ns']:6.1f}x {h['exits']:10.2f} {u['exits']:13.2f}")
    f = res["rows"]["free_pfns"]
    print(f"free_pfns: hyperupcall with parking {f['hyp']['ns_with_park'] / 1e3:.1f} us a batch "
          f"({f['upcall']['ns'] / f['hyp']['ns_with_park']:.1f}x); pages free: "
          f"free_discard {f['hyp']['pages_free']}, upcall {f['upcall']['pages_free']}")
    t = res["rows"]["trace"]["hyp"]
    if "guest_ns_per_exit_on" in t:
        print(f"trace: a port-I/O exit as the guest sees it: "
              f"{t['guest_ns_per_exit_off'] / 1e3:.1f} us without the program, "
              f"{t['guest_ns_per_exit_on'] / 1e3:.1f} us with it")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--cache", default=None)
    ap.add_argument("--kernel", default="6.1-cloud", choices=sorted(e2e.KERNELS))
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    if not 1 <= a.repeat <= 10000:
        ap.error("--repeat must be 1..10000")
    cache = a.cache or os.environ.get("HUP_GUEST_CACHE") or os.path.join(a.build, "guest")
    tools = e2e.Tools(a.build)
    remap = os.path.join(a.build, "tests", "e2e", "guest", "hup-remap")
    tlb_o = os.path.join(a.build, "samples", "tlb_shootdown.o")
    fd_o = os.path.join(a.build, "samples", "free_discard.o")
    for p in (remap, tlb_o, fd_o):
        if not os.path.exists(p):
            sys.exit(f"bench_costs: {p} not built (cmake --build {a.build})")
    # 300 remaps, as measured in bench-costs.md (make test runs fewer)
    tsc = tlb.scenario(a.kernel, "hyp", tools, cache, remap, tlb_o, remaps=300,
                       name=f"costs-tlb-{a.kernel}")
    tsc.retry_hang = False
    run = hupnest.Harness(cache=cache).run([scenario(a.kernel, tools, cache, a.repeat, fd_o), tsc])
    main_r, tlb_r = run.results
    if not main_r.ok:
        sys.exit(f"bench_costs: the guest failed (rc={main_r.rc}); log {main_r.log}")
    if not tlb_r.ok:
        print(f"bench_costs: the TLB guest failed (rc={tlb_r.rc}); log {tlb_r.log}",
              file=sys.stderr)
    res = measure(main_r.output, tlb_r.output if tlb_r.ok else None)
    report(a.kernel, res)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"kernel": a.kernel, "repeat": a.repeat, **res}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
