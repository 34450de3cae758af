#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Install every Debian package that ktrim's build, tests, demo and bench need.
# Idempotent: prints nothing and exits 0 when all are present. Not root: prints
# the exact command to run and exits 1.
set -euo pipefail

packages=(
	# build
	build-essential pkg-config musl-tools
	libelf-dev libzstd-dev libkmod-dev libyaml-dev libcmocka-dev libjansson-dev
	# kernel builds (the kernel's own make) and their cache
	bc bison flex libssl-dev dwarves rsync ccache xz-utils kmod
	# arm64 Kconfig parity (tests/integration/21): the kernel's toolchain probes;
	# the arm64 guest programs (make: build/guest/arm64/) with musl for arm64
	# (multi-arch: beside the amd64 one; needs the arm64 architecture, below)
	gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu musl-dev:arm64
	# kernel compiles handed to other machines (tests/integration/65-distcc.sh)
	distcc
	# guests, images and peers
	qemu-system-x86 busybox-static cpio zstd e2fsprogs strace
	# arm64 guests: qemu-system-aarch64 (virt, TCG). Debian's arm64 kernel and
	# busybox-static:arm64 are only unpacked, into the cache
	# (KTRIM_ARCH=arm64 ci/kernel-cache.sh): installed, they would replace
	# the host's
	qemu-system-arm
	initramfs-tools-core dracut-core redis-tools file
	# fuzzing (make fuzz, make check: libFuzzer), memory checks (tests: valgrind)
	clang valgrind
	# Hyper-V disks (pipeline/disk.c) and their boots: UEFI stub, FAT, VHDX,
	# BIOS loader, firmware, signing
	systemd-boot-efi mtools dosfstools qemu-utils syslinux syslinux-common ovmf
	sbsigntool
	# a container that loads modules from user space (tests/integration/46)
	iptables
	# bench charts, the boot waterfall's PNG (bench/waterfall.sh)
	gnuplot-nox time librsvg2-bin
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing+=("$p")
	fi
done
# The :arm64 packages (and the arm64 kernel the cache fetches) need dpkg
# to know the architecture; idempotent.
add_arch=
dpkg --print-foreign-architectures | grep -qx arm64 || add_arch="dpkg --add-architecture arm64 && "
[ ${#missing[@]} -eq 0 ] && [ -z "$add_arch" ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
[ ${#missing[@]} -eq 0 ] && cmd=true
if [ "$(id -u)" -ne 0 ]; then
	echo "ci/deps.sh: missing packages; as root run:" >&2
	echo "  ${add_arch}apt-get update && $cmd" >&2
	exit 1
fi
[ -z "$add_arch" ] || dpkg --add-architecture arm64
echo "ci/deps.sh: installing ${missing[*]:-nothing (arm64 architecture added)}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# shellcheck disable=SC2086
$cmd >&2
