"""Reading what a scenario printed: pure functions of its text, shared by
every use-case test, the benchmarks and the demo (test_e2elib.py tests
them without a guest).

A scenario's output interleaves three streams, each line tagged:
  HUP-G: KEY VALUE / HUP-G: KEY=VALUE   the guest's init (l2_lib.sh)
  HUP-S: KEY ...                        the L1 script
  HUPCTL $ hupctl ARGS ... HUPCTL rc=N  a hupctl command and its output
                                        (the L1 scripts' `c`, e2elib.L1_FUNCS)
and ends with "HUP-RC N", hupvm's exit status (e2elib.L1_END).
"""
import json
import re

G_RE = re.compile(r"^HUP-G: ([\w-]+)[ =]([^\n]*)$", re.M)
RC_RE = re.compile(r"^HUP-RC (\d+)", re.M)
HUPCTL_CMD = "HUPCTL $ hupctl "
HUPCTL_RC = "HUPCTL rc="


def g_values(out):
    """The guest's "HUP-G: KEY VALUE" lines: {KEY: the last VALUE, stripped}."""
    return {m.group(1): m.group(2).strip() for m in G_RE.finditer(out)}


def g_lines(out, key):
    """The rest of each "HUP-G: KEY: ..." line (a multi-line guest report,
    e.g. the trace or the ring's counters), in order."""
    return re.findall(rf"(?m)^HUP-G: {re.escape(key)}: (.*)$", out)


def s_lines(out, key):
    """The rest of each "HUP-S: KEY ..." line of out, stripped, in order."""
    return [m.strip() for m in re.findall(rf"(?m)^HUP-S: {re.escape(key)} (.*)$", out)]


def s_json(out, key):
    """The JSON objects of the "HUP-S: KEY {...}" lines, in order; None for
    a line that is not one (a failed command's message)."""
    res = []
    for line in s_lines(out, key):
        try:
            res.append(json.loads(line))
        except ValueError:
            res.append(None)
    return res


def hupctl_runs(out):
    """[(ARGS, [non-blank output lines], rc)] of each completed
    "HUPCTL $ hupctl ARGS" ... "HUPCTL rc=N" section, in order; a section
    cut off before its rc line is left out."""
    runs, cur = [], None
    for line in out.splitlines():
        if line.startswith(HUPCTL_CMD):
            cur = [line[len(HUPCTL_CMD):], [], None]
        elif line.startswith(HUPCTL_RC) and cur:
            cur[2] = int(line[len(HUPCTL_RC):])
            runs.append(tuple(cur))
            cur = None
        elif cur is not None and line.strip():
            cur[1].append(line)
    return runs


def vm_rc(out):
    """hupvm's exit status as the L1 script printed it, None if it did not."""
    m = RC_RE.search(out)
    return int(m.group(1)) if m else None


class GuestLog:
    """One scenario's output, parsed once: values (g_values), hupctl
    (hupctl_runs), vm_rc."""

    def __init__(self, name, output, rc=None):
        self.name, self.output, self.rc = name, output, rc
        self.values = g_values(output)
        self.hupctl = hupctl_runs(output)
        self.vm_rc = vm_rc(output)

    def hupctl_cmd(self, cmd, n=0):
        """The n-th run of `hupctl CMD` (exactly those arguments), or None."""
        found = [x for x in self.hupctl if x[0] == cmd]
        return found[n] if len(found) > n else None

    @staticmethod
    def prog(hupctl_lines, name):
        """The KEY=VALUE fields of the `hupctl list` line of program NAME."""
        for l in hupctl_lines:
            if f'name="{name}"' in l:
                return dict(re.findall(r"(\w+)=(\S+)", l))
        return None
