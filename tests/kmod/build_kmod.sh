#!/bin/sh
# Builds hyperupcall.ko out of tree against a guest kernel's headers, in a
# scratch copy (the DKMS source layout: sources + include/hyperupcall/), so
# the source tree stays clean.  Warnings are errors (W=1 adds the extra ones
# the kernel's own CI uses).
# usage: build_kmod.sh HEADERS_DIR OUTDIR [HUP_DEBUG=1]
set -eu
hdr=$1 out=$2
shift 2
src=$(cd "$(dirname "$0")/../../kernel-module" && pwd)
rm -rf "$out/src" && mkdir -p "$out"
make -s -C "$src" dkms-src DESTDIR="$out/src.tmp" >/dev/null
mv "$out"/src.tmp/hyperupcall-* "$out/src" && rmdir "$out/src.tmp"
# -j: about 10 s a module on 2 cores instead of 14 (kmod-build builds six
# for the e2e tests)
make -s -j"$(nproc)" -C "$hdr" M="$out/src" CC=gcc-12 W=1 KCFLAGS=-Werror "$@" modules
cp "$out/src/hyperupcall.ko" "$out/hyperupcall.ko"
echo "hyperupcall.ko for $(basename "$hdr" | sed 's/^linux-headers-//'): $(stat -c %s "$out/hyperupcall.ko") bytes"
