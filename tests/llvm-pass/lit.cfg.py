# lit configuration of the guest-pointer pass tests; lit.site.cfg.py (made
# by CMake) sets the paths and loads this.
import os

import lit.formats

config.name = "hup-guest-ptr"
config.test_format = lit.formats.ShTest(True)
config.suffixes = [".ll", ".c"]
config.test_source_root = config.hup_test_src
config.test_exec_root = config.hup_test_obj
config.excludes = ["Inputs"]

# opt, FileCheck, not, clang, llvm-objdump of LLVM 19 first on PATH.
config.environment["PATH"] = os.pathsep.join(
    [config.llvm_tools_dir, config.environment.get("PATH", "")])

plugin = config.hup_plugin
config.substitutions.append(
    ("%hupopt", "opt -load-pass-plugin=%s -passes=hup-guest-ptr" % plugin))
config.substitutions.append(
    ("%clang_bpf", "clang -target bpf -mcpu=v3 -O2 -g -I%s -fpass-plugin=%s"
     % (config.hup_sdk_include, plugin)))
config.substitutions.append(
    ("%clang_nopass", "clang -target bpf -mcpu=v3 -O2 -g -I%s"
     % config.hup_sdk_include))
config.substitutions.append(("%plugin", plugin))
