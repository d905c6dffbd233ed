#!/bin/sh
# "dkms add" and "dkms build" of hyperupcall against a guest kernel's
# headers, in a private DKMS tree (--dkmstree/--sourcetree/--installtree):
# nothing is installed system-wide, and modules are not signed.
# usage: dkms_build.sh HEADERS_DIR WORKDIR
set -eu
hdr=$(cd "$1" && pwd) work=$2
src=$(cd "$(dirname "$0")/../../kernel-module" && pwd)
rel=$(basename "$hdr" | sed 's/^linux-headers-//')
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$src/dkms.conf")
rm -rf "$work" && mkdir -p "$work/tree" "$work/src" "$work/install"
make -s -C "$src" dkms-src DESTDIR="$work/src" >/dev/null
trees="--dkmstree $work/tree --sourcetree $work/src --installtree $work/install"
export sign_file=/nonexistent
dkms add -m hyperupcall -v "$ver" $trees
dkms build -m hyperupcall -v "$ver" -k "$rel" --kernelsourcedir "$hdr" $trees ||
	{ cat "$work/tree/hyperupcall/$ver/build/make.log" 2>/dev/null; exit 1; }
ko=$(ls "$work/tree/hyperupcall/$ver/$rel"/*/module/hyperupcall.ko*)
dkms status -m hyperupcall $trees
modinfo -F vermagic "$ko" | grep -q "^$rel " ||
	{ echo "vermagic of $ko is not $rel"; exit 1; }
echo "dkms: $ko built for $rel"
