#!/usr/bin/env bash
# The demo: a stock Debian guest on hupvm (real KVM through the harness;
# nested under TCG when this machine has no VT-x/AMD-V) registers
# samples/tracing.c and reads the hypervisor's events in its own ftrace
# trace.  Prints the traced window in timestamp order and a summary line.
# The scenario is tests/e2e/guest/trace_case.py, the one the e2e test runs.
# usage: demo.sh [BUILD_DIR] [demo.py options: --kernel 6.1-rt, -v, ...]
set -euo pipefail
build=${1:-build}
shift || true
cache=${HUP_GUEST_CACHE:-$(cd "$build" && pwd)/guest}
echo "demo: booting a Debian guest on hupvm (nested: 1-2 minutes)..." >&2
exec python3 "$(dirname "$0")/../tests/e2e/guest/demo.py" \
	--build "$build" --cache "$cache" "$@"
