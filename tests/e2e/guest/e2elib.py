"""What the use-case e2e tests share beyond the tracing scenario's pieces
(scenario.py: Tools, kernels, module builds, the L1 shell functions):

- fill(): an L1 or L2 script from its template, every placeholder filled
  or an error (a misspelt @KEY@ would otherwise reach the shell as text);
- l2_image(): the initramfs of a use-case guest (busybox, its init,
  l2_lib.sh, hyperupcall.ko, hupload, and the test's own files);
- l1_launch(): the start of an L1 script that boots a guest on hupvm;
- s_lines() / s_json(): the "HUP-S: KEY ..." lines an L1 script printed;
- ScenarioTest: a test class that runs its scenarios once on the nested
  harness (hupnest: retries through its one classifier, every one
  reported) and looks each result up by name.
"""
import json
import os
import re
import unittest

import guest_image
import hupnest
import scenario as e2e

HERE = os.path.dirname(os.path.abspath(__file__))

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


def l2_image(name, k, tools, cache, init, files):
    """The initramfs of a guest of kernel k, written to
    cache/l2-NAME-RELEASE.cpio (its path): busybox with init (the script's
    text) as /init, l2_lib.sh at /lib, hyperupcall.ko built for k at
    /lib/hyperupcall.ko, hupload at /bin; and files, {destination: source},
    executable under bin/."""
    img = guest_image.Initramfs()
    img.add_busybox(init)
    img.add_file(os.path.join(HERE, "l2_lib.sh"), "lib/l2_lib.sh", 0o644)
    img.add_file(e2e.module_for(k, cache), "lib/hyperupcall.ko", 0o644)
    img.add_file(tools.hupload, "bin/hupload", 0o755)
    for dst, src in files.items():
        img.add_file(src, dst, 0o755 if dst.startswith("bin/") else 0o644)
    path = os.path.join(cache, f"l2-{name}-{k.release}.cpio")
    img.write(path)
    return path


def read(path):
    """A file's text (an L2 init script)."""
    with open(path) as f:
        return f.read()


def l1_launch(release, hupvm_args):
    """The start of an L1 script (fill it in as @L1_LAUNCH@): the helpers
    now (uptime, s) and ms (uptime, ms); hupvm started with hupvm_args
    (after -k ./vmlinuz -i ./l2.cpio and --control ./ctl.sock), the
    guest's console in vm.log, hupvm's log in hupvm.err, its exit status
    in rc.txt; fd 3 feeds the guest's console (the answers to its
    sync_l1)."""
    return fill(r"""set -u
trap '' PIPE
now() { cut -d' ' -f1 /proc/uptime; }
ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
rm -f in ctl.sock vm.log hupvm.err hupctl.log rc.txt
mkfifo in
echo "HUP-S: launch $(now) kernel @RELEASE@"
{ ./hupvm -k ./vmlinuz -i ./l2.cpio --control ./ctl.sock @ARGS@ < in 2> hupvm.err
  echo $? > rc.txt; } | tee vm.log &
exec 3>in""", RELEASE=release, ARGS=hupvm_args)


def s_lines(out, key):
    """The rest of each "HUP-S: key ..." line of out, stripped, in order."""
    return [m.strip() for m in re.findall(rf"(?m)^HUP-S: {re.escape(key)} (.*)$", out)]


def s_json(out, key):
    """The JSON objects of the "HUP-S: key {...}" lines, in order; None for
    a line that is not one (a failed command's message)."""
    res = []
    for line in s_lines(out, key):
        try:
            res.append(json.loads(line))
        except ValueError:
            res.append(None)
    return res


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
        cls.run_ = hupnest.Harness(cache=cache, lanes=cls.LANES).run(scenarios)
        cls.by = {r.name: r for r in cls.run_.results}

    def result(self, name):
        if name not in self.by:
            self.skipTest(f"{name} not run")
        return self.by[name]
