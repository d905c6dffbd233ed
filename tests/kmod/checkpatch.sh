#!/bin/sh
# The kernel module follows the Linux coding style: run the kernel's own
# checkpatch.pl (from Debian's linux-source package, fetched once into the
# guest cache; only three files are kept) over kernel-module/ and fail on any
# error or warning.
#   checkpatch.sh CACHE_DIR MODULE_DIR
set -eu
cache=$1/checkpatch module=$2
cp=$cache/scripts/checkpatch.pl
if [ ! -s "$cp" ]; then
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/checkpatch.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	chmod 777 "$tmp" # apt downloads as _apt
	(cd "$tmp" && apt-get download -q linux-source-6.1 >/dev/null) || {
		echo "checkpatch: cannot download linux-source-6.1" >&2
		exit 1
	}
	dpkg-deb --fsys-tarfile "$tmp"/linux-source-6.1_*.deb |
		tar -xO ./usr/src/linux-source-6.1.tar.xz | xz -dc |
		tar -x -C "$tmp" --strip-components=1 \
			linux-source-6.1/scripts/checkpatch.pl \
			linux-source-6.1/scripts/spelling.txt \
			linux-source-6.1/scripts/const_structs.checkpatch
	mkdir -p "$cache/scripts"
	cp "$tmp"/scripts/* "$cache/scripts/"
fi
cd "$module"
out=$(perl "$cp" --no-tree --terse --show-types -f ./*.c ./*.h 2>&1) || true
echo "$out"
bad=$(echo "$out" | grep -cE ': (ERROR|WARNING|CHECK):' || true)
echo "checkpatch: $bad problem(s) in kernel-module/"
[ "$bad" -eq 0 ]
