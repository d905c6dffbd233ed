#!/bin/sh
# needs.sh DIR COMMAND [ARG...]: run COMMAND, or report the test skipped
# (exit 77, ctest's SKIP_RETURN_CODE) with the reason when DIR, data kept
# outside the repository (the RFC 9669 conformance suite), is absent.
set -u
dir=$1
shift
if [ ! -d "$dir" ]; then
	echo "SKIPPED: $dir not found (the conformance suite is not in this" \
		"repository: put it at ../shared/conformance or set" \
		"HUP_CONFORMANCE_DIR when configuring)"
	exit 77
fi
exec "$@"
