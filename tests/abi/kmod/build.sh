#!/bin/sh
# Build the ABI check module against a guest kernel's headers, out of tree,
# in a scratch copy so the source tree stays clean.
# usage: build.sh HEADERS_DIR SDK_INCLUDE WORKDIR
set -eu
hdr=$1 sdk=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cp "$(dirname "$0")"/abi_check.c "$(dirname "$0")"/Kbuild "$work"/
make -s -C "$hdr" M="$work" HUP_SDK_INCLUDE="$sdk" modules
test -s "$work"/abi_check.ko
echo "kernel setting ($(basename "$hdr")): abi_check.ko built"
