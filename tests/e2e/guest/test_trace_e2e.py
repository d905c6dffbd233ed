#!/usr/bin/env python3
"""The tracing use case end to end on real KVM (nested in an L1 VM when this
machine has no VT-x/AMD-V): a stock Debian guest on hupvm registers
samples/tracing.c and its own ftrace trace shows the hypervisor's events
(port I/O, serial, WRMSR exits) with converted timestamps between the
guest's trace_marker lines; hupload list and hupctl (in L1) show the
program with runs; the query programs answer: ps.o the guest's tasks,
dmesg.o the tail of its kernel log, record for record what the guest's own
/dev/kmsg said just before (seq, text, level, facility, time, oldest
first); rmmod unregisters; hupvm exits 0.  The scenario is trace_case.py
(shared with `make demo`, demo.py).

One L1 boot, several L2 scenarios:
  trace-6.1-cloud, trace-6.1-amd64, trace-6.1-rt, trace-6.12-cloud
      the SAME tracing.o on four kernels (portability: its ksym and
      windows are resolved per boot; hyperupcall.ko is built per release)
  nomodule-6.1-cloud
      the guest without the module boots and runs normally on hupvm

Environment: as ctest sets it (HUP_E2E_HUPVM, HUPCTL, HUPLOAD,
HUP_TRACING_O, HUP_MSR_GUARD_O, HUP_PS_O, HUP_DMESG_O, HUP_WORKLOAD,
HUP_GUEST_CACHE);
HUP_TRACE_E2E_KERNELS=6.1-cloud,... picks kernels; HUP_TRACE_OUT names a
JSON file for the numbers.
"""
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import e2elib  # noqa: E402
import hupnest  # noqa: E402
import trace_case as tc  # noqa: E402


class TraceE2E(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        tools = e2elib.Tools()
        if tools.missing():
            raise unittest.SkipTest("not built: " + ", ".join(tools.missing()))
        cache = e2elib.guest_cache()
        kernels = e2elib.chosen("HUP_TRACE_E2E_KERNELS", ",".join(e2elib.KERNELS))
        scs = [tc.scenario(k, tools, cache) for k in kernels]
        scs.append(tc.scenario("6.1-cloud", tools, cache, mode="nomodule"))
        # Two L1s at once: the guests have one vCPU (81 s for the five
        # scenarios, against about 100 s in one L1).
        cls.h = hupnest.Harness(cache=cache, lanes=2)
        cls.run_ = cls.h.run(scs)
        cls.by = {r.name: tc.Outcome(r.name, r.output, r.rc) for r in cls.run_.results}
        report = {"path": cls.run_.path, "scenario_retries": cls.run_.scenario_retries,
                  "scenarios": [tc.numbers(o) for n, o in cls.by.items()
                                if n.startswith("trace-")]}
        print(json.dumps(report, indent=1))
        out = os.environ.get("HUP_TRACE_OUT") or os.path.join(cls.h.logdir, "guest-trace-e2e.json")
        with open(out, "w") as f:
            json.dump(report, f, indent=1)
        if "trace-6.1-cloud" in cls.by:
            print(tc.excerpt(cls.by["trace-6.1-cloud"]))

    def outcome(self, name):
        if name not in self.by:
            self.skipTest(f"{name} not selected")
        return self.by[name]

    def check(self, name, mode="trace"):
        o = self.outcome(name)
        probs = tc.check(o, mode)
        self.assertEqual(probs, [], "\n".join(probs) + "\n--- output tail ---\n"
                         + hupnest.excerpt(o.output, 50))
        print(tc.summary(o, self.run_.path) if mode == "trace" else f"{name}: ok")

    def test_6_1_cloud(self):
        self.check("trace-6.1-cloud")

    def test_6_1_amd64(self):
        self.check("trace-6.1-amd64")

    def test_6_1_rt(self):
        self.check("trace-6.1-rt")

    def test_6_12_cloud(self):
        self.check("trace-6.12-cloud")

    def test_nomodule(self):
        self.check("nomodule-6.1-cloud", "nomodule")


if __name__ == "__main__":
    unittest.main(verbosity=2)
