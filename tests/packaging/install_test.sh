#!/usr/bin/env bash
# The packages of `make deb` installed into a fresh Debian root, as a user
# installs them with apt (docs/packaging.md):
#
#   1. a minimal bookworm root (debootstrap), with this machine's apt
#      sources; 6.1 cloud kernel headers installed first
#   2. apt installs the five packages: DKMS builds and installs
#      hyperupcall.ko for the 6.1 headers (the package's postinst)
#   3. the 6.12 cloud headers arrive afterwards: DKMS's kernel hook builds
#      the module for them too
#   4. the installed SDK compiles every sample (find_package(Hyperupcall) +
#      hup_add_program() from /usr/share/hyperupcall/samples, and hupcc
#      directly, with the installed plugin and headers); the host tools and
#      guest tools run; a program links libhup through pkg-config, and
#      loads, runs and is refused as it should
#   5. apt purges the packages: the modules and the DKMS tree are gone
#
# usage: install_test.sh DEBDIR WORKDIR [CACHEDIR]
#   DEBDIR    the .deb files of `make deb`
#   WORKDIR   scratch space (about 3 GB while it runs; removed at the end)
#   CACHEDIR  where the debootstrapped base is kept as a tarball between
#             runs (a root made from it is still fresh: nothing of ours was
#             ever in it)
# Root is needed (chroot, mounts); without it the test is skipped (77).
set -euo pipefail
debdir=$(cd "$1" && pwd)
work=$2
cache=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
mirror=${HUP_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIPPED: the package install test needs root (chroot, mounts)"
	exit 77
fi
for t in debootstrap chroot mount; do
	command -v "$t" >/dev/null ||
		{ echo "FAIL: $t not found: run scripts/install-deps.sh"; exit 1; }
done
debs=("$debdir"/hyperupcall-*.deb)
[ ${#debs[@]} -eq 5 ] ||
	{ echo "FAIL: want the 5 packages in $debdir, found ${#debs[@]}"; exit 1; }
version=$(dpkg-deb -f "$debdir"/hyperupcall-dkms_*.deb Version)

root=$work/root
step() { echo "=== $(date +%T) $*"; }

cleanup() {
	local m
	for m in var/cache/apt/archives proc; do
		mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m"
	done
	rm -rf "$work"
}
trap cleanup EXIT
cleanup
mkdir -p "$work"

# --- 1. a fresh root
base=${cache:+$cache/$suite-minbase.tar}
if [ -n "$base" ] && [ -s "$base" ]; then
	step "root from the kept base $base"
	mkdir -p "$root" && tar -C "$root" -xf "$base"
else
	step "debootstrap $suite (minbase) from $mirror"
	debootstrap --variant=minbase --cache-dir=/var/cache/apt/archives \
		"$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
		{ tail -20 "$work/debootstrap.log"; echo "FAIL: debootstrap"; exit 1; }
	if [ -n "$base" ]; then
		mkdir -p "$cache"
		tar -C "$root" -cf "$base.tmp" . && mv "$base.tmp" "$base"
	fi
fi
# This machine's sources (bookworm, -updates, -security): 6.12 comes
# from there, as on any up-to-date bookworm system.
rm -f "$root/etc/apt/sources.list"
cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/" 2>/dev/null || true
[ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$root/etc/apt/"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
# Share this machine's package cache: the same files, fetched once.
mount --bind /var/cache/apt/archives "$root/var/cache/apt/archives"
mkdir -p "$root/debs" && cp "${debs[@]}" "$root/debs/"
cp "$here/libhup_user.c" "$root/root/"

in_root() {
	chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 sh -euc "$1"
}
# unsafe-io: no fsync per file, as in Debian's own build chroots (this
# root is thrown away); the test is what gets installed, not how durably.
apt_get='apt-get -q -y -o Acquire::Retries=3 -o DPkg::Lock::Timeout=60 -o DPkg::Options::=--force-unsafe-io --no-install-recommends'

step "apt: the 6.1 cloud headers, gcc, cmake, pkg-config"
in_root "apt-get -q update >/dev/null && $apt_get install linux-headers-cloud-amd64 gcc cmake pkg-config >/tmp/apt1.log 2>&1" ||
	{ tail -20 "$root/tmp/apt1.log"; echo "FAIL: apt (headers)"; exit 1; }
rel61=$(ls "$root/lib/modules" | grep '^6\.1\.' | head -1)
[ -n "$rel61" ] || { echo "FAIL: no 6.1 headers in /lib/modules"; exit 1; }

# --- 2. our packages
step "apt: ${debs[*]##*/}"
in_root "$apt_get install /debs/*.deb >/tmp/apt2.log 2>&1" ||
	{ tail -30 "$root/tmp/apt2.log"; echo "FAIL: apt (packages)"; exit 1; }
grep -E 'hyperupcall|dkms|Building|Installing' "$root/tmp/apt2.log" | tail -12

# --- 3. a kernel installed later
step "apt: the 6.12 cloud headers, after the module"
# (6.12's headers pull its image in; INITRD=No skips the initramfs,
# which Debian's kernel hook would build for nothing here)
in_root "INITRD=No $apt_get install linux-headers-6.12-cloud-amd64 >/tmp/apt3.log 2>&1" ||
	{ tail -20 "$root/tmp/apt3.log"; echo "FAIL: apt (6.12 headers)"; exit 1; }
rel612=$(ls "$root/lib/modules" | grep '^6\.12\.' | head -1)
[ -n "$rel612" ] || { echo "FAIL: no 6.12 headers in /lib/modules"; exit 1; }

fail=0
check() { # check DESCRIPTION COMMAND-IN-ROOT
	if out=$(in_root "$2" 2>&1); then
		echo "ok: $1"
	else
		echo "FAIL: $1"
		echo "$out" | tail -20 | sed 's/^/    /'
		fail=1
	fi
}
in_root "dkms status -m hyperupcall" || true
for rel in "$rel61" "$rel612"; do
	check "dkms installed hyperupcall/$version for $rel" \
		"dkms status -m hyperupcall -v $version -k $rel | grep -q ': installed'"
	check "hyperupcall.ko in /lib/modules/$rel, vermagic $rel" \
		"ko=\$(find /lib/modules/$rel -name 'hyperupcall.ko*' | head -1); [ -n \"\$ko\" ] && modinfo -F vermagic \"\$ko\" | grep -q '^$rel '"
done

# --- 4. the installed tools
check "the samples build with find_package(Hyperupcall) + hup_add_program()" \
	"cmake -S /usr/share/hyperupcall/samples -B /tmp/samples >/tmp/cmake.log && cmake --build /tmp/samples >>/tmp/cmake.log && n=\$(ls /tmp/samples/*.o | wc -l) && echo \$n objects && [ \$n -eq \$(ls /usr/share/hyperupcall/samples/*.c | wc -l) ]"
check "hupcc uses the installed plugin and headers" \
	"cd /tmp && hupcc -v /usr/share/hyperupcall/samples/ps.c -o ps.o 2>hupcc.log && grep -q 'plugin:  /usr/lib/hyperupcall/HupGuestPtr.so' hupcc.log && grep -q '(installed)' hupcc.log && [ -s ps.o ]"
for tool in hupload hupvm hupctl hupreplay; do
	check "$tool --help" "$tool --help >/dev/null"
done
check "a program links libhup through pkg-config; it loads, runs, refuses" \
	"cd /root && cc -Wall -Werror libhup_user.c \$(pkg-config --cflags --libs libhup) -o libhup_user && ./libhup_user"

# --- 5. removal
step "apt: purge"
in_root "$apt_get purge 'hyperupcall-*' >/tmp/apt4.log 2>&1" ||
	{ tail -20 "$root/tmp/apt4.log"; echo "FAIL: apt purge"; exit 1; }
check "purge removed the modules and the DKMS tree" \
	"! find /lib/modules -name 'hyperupcall.ko*' | grep -q . && [ ! -e /var/lib/dkms/hyperupcall ] && [ ! -e /usr/src/hyperupcall-$version ]"

if [ "$fail" -ne 0 ]; then
	echo "FAIL: the packages do not install as they should"
	exit 1
fi
echo "ok: $((${#debs[@]})) packages installed into a fresh $suite root, module built by DKMS for $rel61 and $rel612, SDK, host and guest tools work, purge is clean"
