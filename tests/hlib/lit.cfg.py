# lit configuration of the hlib tests: each compiles a program with hupcc
# (clang + the guest-pointer pass + the host verifier) and checks its
# disassembly.  Tests that need the guest kernel's types say
# `REQUIRES: guest-btf` and run when HUP_GUEST_BTF names its BTF.
import os

import lit.formats

config.name = "hlib"
config.test_format = lit.formats.ShTest(True)
config.suffixes = [".c"]
config.test_source_root = config.hup_test_src
config.test_exec_root = config.hup_test_obj
config.excludes = ["exec"]  # the execution runner (ctest hlib-exec)

config.environment["PATH"] = os.pathsep.join(
    [config.llvm_tools_dir, config.environment.get("PATH", "")])
for var in ("HOME", "XDG_CACHE_HOME", "HUPCC_CACHE"):
    if var in os.environ:
        config.environment[var] = os.environ[var]

config.substitutions.append(("%hupcc", config.hupcc))
config.substitutions.append(
    ("%objdump", "llvm-objdump -dr --mcpu=v3 --no-show-raw-insn"))
# The verified: checks need hupcc built with libhup's verifier.
import subprocess
version = subprocess.run([config.hupcc, "--version"], capture_output=True,
                         text=True).stdout
if "verifier: libhup" in version:
    config.substitutions.append(("%verified", "FileCheck --check-prefix=V"))
else:
    config.substitutions.append(("%verified", "cat >/dev/null; true"))

btf = os.environ.get("HUP_GUEST_BTF", "")
if btf and os.path.exists(btf):
    config.available_features.add("guest-btf")
    config.substitutions.append(("%btf", btf))
