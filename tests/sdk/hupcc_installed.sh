#!/bin/sh
# cmake --install into a temporary prefix, then compile samples/tracing.c
# with the installed hupcc from another directory; the pkg-config file
# points at the installed tree.
#   hupcc_installed.sh BUILD_DIR SRC_DIR
set -eu
BUILD=$1 SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PREFIX=$TMP/prefix

cmake --install "$BUILD" --prefix "$PREFIX" >"$TMP/install.log"
for f in bin/hupcc bin/hup-vmlinux-h include/hyperupcall.h \
	 include/hyperupcall/abi.h include/hyperupcall/trace_ring.h \
	 include/hlib/hlib.h; do
	[ -e "$PREFIX/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
plugin=$(find "$PREFIX" -name HupGuestPtr.so)
pc=$(find "$PREFIX" -name hyperupcall.pc)
[ -n "$plugin" ] && [ -n "$pc" ] || { echo "FAIL: plugin or .pc missing"; exit 1; }

# From elsewhere, with the build tree out of reach of its relative paths.
mkdir "$TMP/work" && cd "$TMP/work"
cp "$SRC/samples/tracing.c" .
env -u HUPCC_PLUGIN -u HUPCC_CLANG "$PREFIX/bin/hupcc" -v tracing.c \
	-o tracing.o 2>"$TMP/hupcc.log" || { cat "$TMP/hupcc.log"; exit 1; }
grep -q "plugin:  $plugin" "$TMP/hupcc.log" ||
	{ echo "FAIL: did not use the installed plugin"; cat "$TMP/hupcc.log"; exit 1; }
grep -q "(installed)" "$TMP/hupcc.log" ||
	{ echo "FAIL: did not use the installed headers"; cat "$TMP/hupcc.log"; exit 1; }
[ -s tracing.o ] || { echo "FAIL: no tracing.o"; exit 1; }

if command -v pkg-config >/dev/null; then
	export PKG_CONFIG_PATH=$(dirname "$pc")
	h=$(pkg-config --variable=hupcc hyperupcall)
	p=$(pkg-config --variable=plugin hyperupcall)
	[ -x "$h" ] && [ -f "$p" ] ||
		{ echo "FAIL: pkg-config gives $h / $p"; exit 1; }
	pkg-config --cflags hyperupcall | grep -q -- "-I" ||
		{ echo "FAIL: pkg-config --cflags"; exit 1; }
fi
echo "ok: installed hupcc compiled tracing.c in $(pwd)"
