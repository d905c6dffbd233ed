#!/usr/bin/env python3
"""docs/tutorial.md, run as written: every block after a
`<!-- tutorial-file: NAME -->` marker is saved as NAME in an empty
directory, every block after `<!-- tutorial-run -->` runs there with `sh -e`
(build/bin and scripts/ on PATH, as the tutorial's "Before you start" sets
them), and each `<!-- tutorial-expect: REGEX -->` after a run block must
match what that block printed.  The tutorial's hup-try boots the 6.1 cloud
guest on hupvm (nested here).

Environment (ctest sets it): HUP_BUILD (the build directory, default
build/), HUP_GUEST_CACHE (kernels, modules, images; logs in its logs/).
"""
import os
import re
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
BUILD = os.path.abspath(os.environ.get("HUP_BUILD") or os.path.join(ROOT, "build"))
TUTORIAL = os.path.join(ROOT, "docs", "tutorial.md")
MARK = re.compile(r"^<!-- tutorial-(file|run|expect)(?:: (.*?))? -->$")
FENCE = re.compile(r"^```")


def steps(text):
    """[("file", name, body) | ("run", None, body) | ("expect", regex, None)]
    in the tutorial's order."""
    out, pending, block, lines = [], None, None, text.splitlines()
    for line in lines:
        m = MARK.match(line)
        if m and block is None:
            if m.group(1) == "expect":
                out.append(("expect", m.group(2), None))
            else:
                pending = (m.group(1), m.group(2))
            continue
        if FENCE.match(line):
            if block is None:
                block = []
            else:
                if pending:
                    out.append((pending[0], pending[1], "\n".join(block) + "\n"))
                pending, block = None, None
            continue
        if block is not None:
            block.append(line)
    return out


class Parser(unittest.TestCase):
    def test_markers(self):
        md = ("<!-- tutorial-file: a.c -->\n```c\nint x;\n```\n```\nnot run\n```\n"
              "<!-- tutorial-run -->\n```sh\necho hi\n```\n<!-- tutorial-expect: ^hi$ -->\n")
        self.assertEqual(steps(md), [("file", "a.c", "int x;\n"), ("run", None, "echo hi\n"),
                                     ("expect", "^hi$", None)])


class TutorialE2E(unittest.TestCase):
    def test_tutorial_as_written(self):
        with open(TUTORIAL) as f:
            todo = steps(f.read())
        kinds = [k for k, _, _ in todo]
        self.assertIn("file", kinds)
        self.assertGreaterEqual(kinds.count("run"), 2)
        self.assertGreaterEqual(kinds.count("expect"), 1)
        cache = os.environ.get("HUP_GUEST_CACHE") or os.path.join(BUILD, "guest")
        env = dict(os.environ,
                   PATH=os.pathsep.join([os.path.join(BUILD, "bin"),
                                         os.path.join(ROOT, "scripts"), os.environ["PATH"]]),
                   HUP_BUILD=BUILD, HUP_TRY_CACHE=cache)
        work = tempfile.mkdtemp(prefix="tutorial-")
        last = None
        for kind, arg, body in todo:
            if kind == "file":
                with open(os.path.join(work, arg), "w") as f:
                    f.write(body)
            elif kind == "run":
                r = subprocess.run(["sh", "-e", "-c", body], cwd=work, env=env,
                                   capture_output=True, text=True, timeout=1500)
                last = r.stdout + r.stderr
                print(f"$ {body.strip()}\n{last}")
                self.assertEqual(r.returncode, 0, f"{body.strip()}: exit {r.returncode}\n{last}")
            else:
                self.assertIsNotNone(last, f"expect {arg!r} before any run")
                self.assertRegex(last, arg)


if __name__ == "__main__":
    unittest.main(verbosity=2)
