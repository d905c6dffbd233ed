#!/usr/bin/env bash
# Install exactly the Debian packages the project builds and tests with.
#
# Idempotent: when every package is already present it does nothing (no apt
# update, no root needed). apt/dpkg are retried while another process holds
# the dpkg lock, because a fresh CI machine often runs unattended upgrades
# during its first minutes.
set -euo pipefail

PACKAGES=(
	# build
	cmake make gcc g++ pkg-config
	clang-19 llvm-19 llvm-19-dev llvm-19-tools lld-19 libclang-rt-19-dev
	libbpf-dev bpftool libelf-dev zlib1g-dev
	# guest images and the nested-KVM harness
	busybox-static cpio xz-utils zstd lz4 qemu-system-x86 seabios python3
	# guest kernel module packaging
	dkms kmod dwarves
	# Debian packages (make deb) and their install test
	dpkg-dev fakeroot file debootstrap
)

missing=()
for p in "${PACKAGES[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#PACKAGES[@]} packages present"
	exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# Retry while the dpkg/apt lock is held; give up after ~10 minutes.
retry() {
	local i
	for i in $(seq 1 60); do
		if $SUDO env DEBIAN_FRONTEND=noninteractive "$@" \
			-o DPkg::Lock::Timeout=10; then
			return 0
		fi
		echo "install-deps: '$*' failed (attempt $i), retrying in 10 s" >&2
		sleep 10
	done
	echo "install-deps: giving up on: $*" >&2
	return 1
}

retry apt-get update -q
retry apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
