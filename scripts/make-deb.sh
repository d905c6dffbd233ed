#!/usr/bin/env bash
# Debian packages of a build, the way users install such software
# (docs/packaging.md):
#
#   hyperupcall-dkms         the guest module's source under /usr/src, built
#                            and installed for every kernel by DKMS
#   hyperupcall-guest-tools  hupload
#   hyperupcall-sdk          hupcc, hyperupcall.h, hlib, the guest-pointer
#                            pass, pkg-config and CMake files
#                            (hup_add_program), the samples
#   hyperupcall-host         hupvm, hupctl, hupreplay, libhup (static, with
#                            pkg-config)
#   hyperupcall-abi-dev      the ABI headers the SDK and libhup.h include
#
# The files are those of the CMake install components (abi, sdk, guest,
# host) of an existing build, installed under /usr; the module's DKMS tree
# is kernel-module/'s `make dkms-src`.  The version is the project's one
# (kernel-module/dkms.conf).  Shared-library dependencies come from
# dpkg-shlibdeps.
set -euo pipefail

usage() {
	cat <<EOF
usage: $0 [-b BUILD] [-o OUTDIR]

Build the project's Debian packages from the CMake build directory BUILD
(default: build) into OUTDIR (default: BUILD/deb).

  -b BUILD   a configured and built CMake build directory
  -o OUTDIR  where the .deb files go (created; old ones replaced)
  -h         this help
EOF
}

die() {
	echo "make-deb: $*" >&2
	exit 2
}

build=build
out=
while getopts "b:o:h" opt; do
	case $opt in
	b) build=$OPTARG ;;
	o) out=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { usage >&2; die "unexpected argument: $1"; }

src=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$build/CMakeCache.txt" ] ||
	die "$build is not a CMake build directory (run make build first)"
build=$(cd "$build" && pwd)
for f in bin/hupcc bin/hupload backend/hupvm/hupvm backend/hupctl/hupctl; do
	[ -x "$build/$f" ] || die "$build/$f is not built (run make build first)"
done
out=${out:-$build/deb}
for t in dpkg-deb dpkg-shlibdeps fakeroot; do
	command -v "$t" >/dev/null || die "$t not found: run scripts/install-deps.sh"
done

version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$src/kernel-module/dkms.conf")
[ -n "$version" ] || die "no PACKAGE_VERSION in kernel-module/dkms.conf"
arch=$(dpkg --print-architecture)
maint="Hyperupcalls developers <hyperupcall@localhost>"
homepage=

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

# stage PKG COMPONENT: the component's files under $tmp/PKG/usr
stage() {
	local root=$tmp/$1
	mkdir -p "$root"
	DESTDIR=$root cmake --install "$build" --component "$2" --prefix /usr \
		--strip >"$tmp/$1.install.log" ||
		{ cat "$tmp/$1.install.log" >&2; die "cmake --install of $2 failed"; }
}

# shlibdeps PKG: the Depends of PKG's dynamically linked ELF files
shlibdeps() {
	local root=$tmp/$1 elves=() f
	while IFS= read -r -d '' f; do
		if file -b "$f" | grep -q 'ELF.*dynamically linked\|ELF.*shared object'; then
			elves+=("$f")
		fi
	done < <(find "$root" -type f -print0)
	[ ${#elves[@]} -gt 0 ] || return 0
	# dpkg-shlibdeps wants a debian/control beside it, even with -O
	mkdir -p "$tmp/shlib/debian"
	printf 'Source: hyperupcall\n\nPackage: %s\nArchitecture: any\n' "$1" \
		>"$tmp/shlib/debian/control"
	(cd "$tmp/shlib" && dpkg-shlibdeps -O -e"${elves[@]}" 2>"$tmp/$1.shlibs.log") |
		sed -n 's/^shlibs:Depends=//p'
}

# control PKG ARCH DEPENDS DESCRIPTION...: DEBIAN/control, then the .deb
package() {
	local pkg=$1 a=$2 deps=$3 root=$tmp/$1
	shift 3
	local size deb
	mkdir -p "$root/DEBIAN" "$root/usr/share/doc/$pkg"
	cat >"$root/usr/share/doc/$pkg/copyright" <<EOF
Hyperupcalls $version.
The guest kernel module (hyperupcall-dkms) is GPL-2.0; everything else is
BSD-2-Clause (SPDX-License-Identifier lines in each source file).
EOF
	size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
	{
		echo "Package: $pkg"
		echo "Version: $version"
		echo "Architecture: $a"
		echo "Maintainer: $maint"
		echo "Installed-Size: $size"
		[ -n "$deps" ] && echo "Depends: $deps"
		echo "Section: ${SECTION:-devel}"
		echo "Priority: optional"
		[ -n "$homepage" ] && echo "Homepage: $homepage"
		echo "Description: $1"
		shift
		for line in "$@"; do echo " $line"; done
	} >"$root/DEBIAN/control"
	deb=$out/${pkg}_${version}_$a.deb
	rm -f "$out/${pkg}"_*.deb
	fakeroot dpkg-deb --build -Zxz "$root" "$deb" >/dev/null
	echo "make-deb: $deb"
}

# --- hyperupcall-abi-dev
stage hyperupcall-abi-dev abi
package hyperupcall-abi-dev all "" \
	"hyperupcalls: the guest-host ABI headers" \
	"The request block, event and context layouts, ioctl numbers and trace" \
	"ring of hyperupcalls (include/hyperupcall/), which the SDK and libhup's" \
	"header include."

# --- hyperupcall-sdk
stage hyperupcall-sdk sdk
mkdir -p "$tmp/hyperupcall-sdk/usr/share/doc/hyperupcall-sdk"
cp "$src/docs/toolchain.md" "$src/docs/tutorial.md" \
	"$tmp/hyperupcall-sdk/usr/share/doc/hyperupcall-sdk/"
deps=$(shlibdeps hyperupcall-sdk)
# hupcc runs clang-19 with the pass plugin, and bpftool for vmlinux.h
package hyperupcall-sdk "$arch" \
	"${deps:+$deps, }clang-19, bpftool, hyperupcall-abi-dev (= $version)" \
	"hyperupcalls: SDK to write and compile hyperupcall programs" \
	"hupcc compiles C to BPF objects a guest hands to its hypervisor, with" \
	"the guest-pointer pass (a clang-19 plugin) and the host's verifier." \
	"Includes hyperupcall.h, hlib (guest kernel data structures), pkg-config" \
	"and CMake files (find_package(Hyperupcall), hup_add_program()) and" \
	"the samples in /usr/share/hyperupcall/samples."

# --- hyperupcall-guest-tools
stage hyperupcall-guest-tools guest
deps=$(shlibdeps hyperupcall-guest-tools)
SECTION=admin package hyperupcall-guest-tools "$arch" \
	"${deps:+$deps, }hyperupcall-dkms (= $version)" \
	"hyperupcalls: guest tools (hupload)" \
	"hupload relocates a hyperupcall object against the running kernel's" \
	"BTF (CO-RE) and registers it with the hypervisor through" \
	"/dev/hyperupcall (hyperupcall-dkms)."

# --- hyperupcall-host
stage hyperupcall-host host
deps=$(shlibdeps hyperupcall-host)
SECTION=admin package hyperupcall-host "$arch" \
	"${deps:+$deps, }hyperupcall-abi-dev (= $version)" \
	"hyperupcalls: KVM VMM with the hyperupcall backend" \
	"hupvm boots a Linux guest on KVM and runs the hyperupcalls the guest" \
	"registers on its events; hupctl is its control CLI and hupreplay runs" \
	"a program on a guest memory snapshot without a VM.  libhup (verifier," \
	"interpreter, x86-64 JIT) for VMMs that embed it, with pkg-config."

# --- hyperupcall-dkms
root=$tmp/hyperupcall-dkms
mkdir -p "$root/usr/src"
make -s -C "$src/kernel-module" dkms-src DESTDIR="$root/usr/src" >/dev/null
mkdir -p "$root/DEBIAN"
# What dh_dkms generates: DKMS's own scripts add, build and install the
# module for the installed kernels, and remove it with the package.
cat >"$root/DEBIAN/postinst" <<EOF
#!/bin/sh
set -e
if [ "\$1" = configure ]; then
	/usr/lib/dkms/common.postinst hyperupcall $version "" "" "\$2"
fi
EOF
cat >"$root/DEBIAN/prerm" <<EOF
#!/bin/sh
set -e
case "\$1" in
remove|upgrade|deconfigure)
	if dkms status -m hyperupcall -v $version | grep -q .; then
		dkms remove -m hyperupcall -v $version --all || true
	fi
	;;
esac
EOF
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm"
SECTION=kernel package hyperupcall-dkms all "dkms (>= 3.0)" \
	"hyperupcalls: guest kernel module (DKMS)" \
	"hyperupcall.ko finds the hypervisor's hyperupcall backend, resolves" \
	"kernel symbols for programs and registers them (/dev/hyperupcall)." \
	"DKMS builds it for every installed kernel."
