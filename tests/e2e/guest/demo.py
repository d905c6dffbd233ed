#!/usr/bin/env python3
"""make demo: the tracing use case end to end (trace_case.py, the scenario
guest-trace-e2e runs), printed for a person: the guest's trace in
timestamp order, hupload's and hupctl's lists, the two query answers, the
problems check() found and a summary line.  Exit 0 only when check() found
none; 2 when the scenario could not be set up.

usage: demo.py [--build DIR] [--cache DIR] [--kernel NAME] [--nested] [-v]
"""
import argparse
import os
import sys

import e2elib  # first: it puts the harness and scripts/ on the import path
import guest_image  # noqa: E402
import hupnest  # noqa: E402
import trace_case as tc  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description="make demo: the tracing use case end to end")
    p.add_argument("--build", default=os.path.join(e2elib.ROOT, "build"), help="build directory")
    p.add_argument("--cache", help="guest cache (default: $HUP_GUEST_CACHE or BUILD/guest)")
    p.add_argument("--kernel", default="6.1-cloud", choices=sorted(e2elib.KERNELS))
    p.add_argument("--nested", action="store_true", help="force the nested path")
    p.add_argument("-v", "--verbose", action="store_true", help="stream the guest console")
    a = p.parse_args(argv)
    cache = a.cache or os.environ.get("HUP_GUEST_CACHE") or os.path.join(a.build, "guest")
    tools = e2elib.Tools(a.build)
    try:
        sc = tc.scenario(a.kernel, tools, cache)
        h = hupnest.Harness(cache=cache, force_nested=a.nested, verbose=a.verbose)
        run = h.run([sc])
    except (e2elib.SetupError, hupnest.HarnessError, guest_image.GuestImageError) as e:
        print(f"demo: {e}", file=sys.stderr)
        return 2
    r = run.results[0]
    o = tc.Outcome(r.name, r.output, r.rc)
    print(f"\n== {sc.name}: a Debian guest on hupvm registered samples/tracing.c; "
          "its /sys/kernel/tracing/trace, in timestamp order ==")
    print(tc.excerpt(o))
    for l in o.list:
        print("  hupload list | " + l)
    lst = o.hupctl_cmd("list")
    for l in (lst[1] if lst else []):
        print("  hupctl list  | " + l)
    tasks = o.ps() or []
    print(f"  hupctl query (samples/ps.c, CO-RE): {len(tasks)} guest tasks: "
          + " ".join(tasks[:12]) + (" ..." if len(tasks) > 12 else ""))
    answer, _ = o.dmesg()
    recs = (answer or {}).get("records") or []
    print(f"  hupctl query (samples/dmesg.c, CO-RE): the guest's last {len(recs)} log records"
          + "".join(f"\n    [{r['ts_nsec'] / 1e9:12.6f}] {r['text']}" for r in recs[-3:]))
    probs = tc.check(o)
    for b in probs:
        print("  problem: " + b)
    print(tc.summary(o, run.path))
    print(f"(full log: {r.log})")
    return 0 if not probs else 1


if __name__ == "__main__":
    sys.exit(main())
