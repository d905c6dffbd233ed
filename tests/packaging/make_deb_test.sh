#!/usr/bin/env bash
# scripts/make-deb.sh on a build: its bad arguments are refused, then the
# five packages are built into OUTDIR and their contents checked (what each
# must hold, the one version, the dependencies, nothing of the build tree).
# packages-install (install_test.sh) then installs what this leaves in
# OUTDIR.
# usage: make_deb_test.sh SRC BUILD OUTDIR
set -uo pipefail
src=$1 build=$2 out=$3
mk=$src/scripts/make-deb.sh
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# refusals: exit 2 and a message naming the problem
refuse() { # refuse WHAT PATTERN ARG...
	local what=$1 pat=$2 o rc
	shift 2
	o=$("$mk" "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 2 ] && grep -q -- "$pat" <<<"$o"; then
		ok "refused: $what"
	else
		bad "$what: exit $rc, output: $o"
	fi
}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
refuse "a directory that is not a build" "not a CMake build directory" -b "$scratch" -o "$scratch/o"
refuse "an unknown option" "usage" -x
refuse "a stray argument" "unexpected argument" -b "$build" extra
mkdir -p "$scratch/half" && cp "$build/CMakeCache.txt" "$scratch/half/"
refuse "a build without binaries" "is not built" -b "$scratch/half" -o "$scratch/o"
[ ! -e "$scratch/o" ] || bad "a refused run created its output directory"

rm -rf "$out"
"$mk" -b "$build" -o "$out" || { echo "FAIL: make-deb.sh exited $?"; exit 1; }

version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$src/kernel-module/dkms.conf")
arch=$(dpkg --print-architecture)
n=$(ls "$out"/*.deb | wc -l)
[ "$n" -eq 5 ] && ok "5 packages" || bad "$n packages in $out, want 5"

# has PKG ARCH FILE...: the package exists for ARCH and holds each FILE
has() {
	local pkg=$1 a=$2 deb list f
	shift 2
	deb=$out/${pkg}_${version}_$a.deb
	[ -f "$deb" ] || { bad "no $deb"; return; }
	[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || bad "$pkg: version is not $version"
	list=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
	for f in "$@"; do
		grep -qx -- "$f" <<<"$list" || bad "$pkg lacks $f"
	done
	if grep -q '^/usr/local\|^/home\|^/work' <<<"$list"; then
		bad "$pkg installs outside /usr: $(grep '^/usr/local\|^/home\|^/work' <<<"$list" | head -3)"
	fi
	ok "$pkg: $(wc -l <<<"$list") paths, the expected ones among them"
}
has hyperupcall-abi-dev all /usr/include/hyperupcall/abi.h \
	/usr/include/hyperupcall/ioctl.h /usr/include/hyperupcall/trace_ring.h
has hyperupcall-sdk "$arch" /usr/bin/hupcc /usr/bin/hup-vmlinux-h \
	/usr/include/hyperupcall.h /usr/include/hlib/hlib.h \
	/usr/lib/hyperupcall/HupGuestPtr.so /usr/lib/pkgconfig/hyperupcall.pc \
	/usr/lib/cmake/Hyperupcall/HyperupcallConfig.cmake \
	/usr/lib/cmake/Hyperupcall/HyperupcallProgram.cmake \
	/usr/share/hyperupcall/samples/CMakeLists.txt \
	/usr/share/hyperupcall/samples/ps.c
has hyperupcall-guest-tools "$arch" /usr/bin/hupload
has hyperupcall-host "$arch" /usr/bin/hupvm /usr/bin/hupctl /usr/bin/hupreplay \
	/usr/lib/libhup.a /usr/include/hup/libhup.h /usr/lib/pkgconfig/libhup.pc
has hyperupcall-dkms all "/usr/src/hyperupcall-$version/dkms.conf" \
	"/usr/src/hyperupcall-$version/Kbuild" \
	"/usr/src/hyperupcall-$version/include/hyperupcall/abi.h"

# dependencies a user's apt must pull in
dep() { # dep PKG ARCH PATTERN
	local d
	d=$(dpkg-deb -f "$out/${1}_${version}_$2.deb" Depends)
	grep -q -- "$3" <<<"$d" && ok "$1 depends on $3" || bad "$1: Depends '$d' lacks $3"
}
dep hyperupcall-sdk "$arch" "clang-19"
dep hyperupcall-sdk "$arch" "hyperupcall-abi-dev (= $version)"
dep hyperupcall-sdk "$arch" "libc6"
dep hyperupcall-host "$arch" "hyperupcall-abi-dev (= $version)"
dep hyperupcall-guest-tools "$arch" "hyperupcall-dkms (= $version)"
dep hyperupcall-dkms all "dkms"

# the DKMS package's maintainer scripts hand the module to DKMS
x=$scratch/dkms
dpkg-deb -e "$out/hyperupcall-dkms_${version}_all.deb" "$x"
grep -q "common.postinst hyperupcall $version" "$x/postinst" &&
	ok "postinst: dkms common.postinst" || bad "postinst does not run DKMS"
grep -q "dkms remove -m hyperupcall -v $version --all" "$x/prerm" &&
	ok "prerm: dkms remove" || bad "prerm does not remove the module"

# no path of the build machine baked into a text file users get
t=$scratch/sdk
dpkg-deb -x "$out/hyperupcall-sdk_${version}_$arch.deb" "$t"
if grep -rl -- "$build\|$src" "$t/usr/lib/cmake" "$t/usr/lib/pkgconfig" \
	"$t/usr/share/hyperupcall" 2>/dev/null | grep -q .; then
	bad "the SDK's CMake/pkg-config/sample files name the build machine's paths"
else
	ok "the SDK's text files are relocatable"
fi

[ "$fail" -eq 0 ] && echo "ok: make-deb.sh: 5 packages, contents and dependencies checked"
exit "$fail"
