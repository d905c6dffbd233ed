"""What the use-case e2e tests share beyond the tracing scenario's pieces
(scenario.py: Tools, kernels, module builds, the L1 shell functions):

- fill(): an L1 or L2 script from its template, every placeholder filled
  or an error (a misspelt @KEY@ would otherwise reach the shell as text);
- ScenarioTest: a test class that runs its scenarios once on the nested
  harness (hupnest: retries through its one classifier, every one
  reported) and looks each result up by name.
"""
import re
import unittest

import hupnest
import scenario as e2e

PLACEHOLDER = re.compile(r"@[A-Z][A-Z0-9_]*@")


def fill(template, **subs):
    """template with @L1_FUNCS@ and @L1_END@ (scenario.py's L1 shell
    functions and ending) and each @KEY@ of subs replaced by str(value).
    SetupError if a placeholder is left."""
    out = template.replace("@L1_FUNCS@", e2e.L1_FUNCS).replace("@L1_END@", e2e.L1_END)
    for k, v in subs.items():
        if f"@{k}@" not in out:
            raise e2e.SetupError(f"script template has no @{k}@")
        out = out.replace(f"@{k}@", str(v))
    left = sorted(set(PLACEHOLDER.findall(out)))
    if left:
        raise e2e.SetupError("script placeholders not filled: " + ", ".join(left))
    return out


class ScenarioTest(unittest.TestCase):
    """Subclasses call run_scenarios() from setUpClass; result(name) is that
    scenario's hupnest.Result, or the test is skipped when it was not run
    (not selected by the kernel/mode variables)."""

    run_ = None
    by = {}

    @classmethod
    def run_scenarios(cls, scenarios, cache):
        cls.run_ = hupnest.Harness(cache=cache).run(scenarios)
        cls.by = {r.name: r for r in cls.run_.results}

    def result(self, name):
        if name not in self.by:
            self.skipTest(f"{name} not run")
        return self.by[name]
