#!/usr/bin/env bash
# The demo: boot a stock Debian guest on real KVM through the harness (nested
# under TCG when this machine has no VT-x/AMD-V) and show what it printed.
set -euo pipefail
build=${1:-build}
cache=$(cd "$build" && pwd)/guest
exec python3 "$(dirname "$0")/../tests/harness/hupnest.py" --cache "$cache" -v selftest
