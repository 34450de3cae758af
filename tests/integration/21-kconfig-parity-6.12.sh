#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Parity of `ktrim olddefconfig` with the kernel's own `make olddefconfig` on
# Debian's linux-source-6.12 (KTRIM_KERNEL=6.12 ci/kernel-cache.sh), whose
# conf has 6.11's rules (choices pick among bool members in priority order,
# invisible user values are kept): Debian's 6.12 config and the same with
# every third line dropped; tinyconfig, allnoconfig, defconfig,
# x86_64_defconfig, i386_defconfig, allmodconfig, allyesconfig; 24 randconfigs with about
# half their lines dropped (seeds 1201-1224) and 6 of them whole; arm64's
# defconfig and its partial variant (ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
# on both sides). Sets of CONFIG_ lines equal and files byte-identical;
# make's results cached by tree and toolchain (kconfig-parity-lib.bash).
set -euo pipefail

: "${KSRC_6_12:?the 6.12 tree (tests/run-integration.sh fetches it)}"
: "${KCONFIG_6_12:?}" "${KTRIM:?}" "${KTRIM_TOP:?}" "${KTRIM_WORK:?}"
. "$KTRIM_TOP/tests/integration/kconfig-parity-lib.bash"
NPART=${KTRIM_PARITY_PARTIAL:-24}

command -v aarch64-linux-gnu-gcc >/dev/null ||
	{ echo "FAIL: aarch64-linux-gnu-gcc missing (ci/deps.sh installs it)"; exit 1; }

kp_init 6.12 "$KSRC_6_12"
kp_file debian "$KCONFIG_6_12"
kp_every3 debian-sparse debian
# No ARCH anywhere: both sides take the host's, ARCH=x86, where 64BIT is a
# prompt and i386_defconfig stays 32-bit.
for t in tinyconfig allnoconfig defconfig x86_64_defconfig i386_defconfig allmodconfig allyesconfig; do
	kp_make "$t" "$t"
done
for seed in $(seq 1201 $((1200 + NPART))); do
	kp_partial_rand "partial-rand-$seed" "$seed"
done
for seed in $(seq 1201 1206); do
	kp_make "randconfig-$seed" "KCONFIG_SEED=$seed" randconfig
done
kp_make arm64-defconfig ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- defconfig
kp_every3 arm64-defconfig-sparse arm64-defconfig
kp_run
