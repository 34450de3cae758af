#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Parity of `ktrim olddefconfig` with the kernel's own `make olddefconfig` on
# Debian's linux-source-6.1 (x86, conf's rules up to 6.10): Debian's config
# and the same with every third line dropped, tinyconfig, allnoconfig,
# x86_64_defconfig, allmodconfig, Firecracker's 6.1 config, 20 randconfigs
# and 10 more with about half their lines dropped. For each input the set of
# CONFIG_ lines (assignments and "is not set") must be equal, and the files
# must be byte-identical. make's results are cached by tree and toolchain
# (kconfig-parity-lib.bash).
set -euo pipefail

: "${KSRC:?}" "${KCONFIG:?}" "${KTRIM:?}" "${KTRIM_TOP:?}" "${KTRIM_WORK:?}"
. "$KTRIM_TOP/tests/integration/kconfig-parity-lib.bash"
NRAND=${KTRIM_PARITY_RANDCONFIGS:-20}

kp_init 6.1 "$KSRC"
kp_file debian "$KCONFIG"
# Every third line dropped: many symbols become new and take defaults.
kp_every3 debian-sparse debian
fc=$KTRIM_TOP/../shared/anchors/firecracker-microvm-kernel-ci-x86_64-6.1.config
[ -f "$fc" ] || fc=/work/shared/anchors/firecracker-microvm-kernel-ci-x86_64-6.1.config
[ -f "$fc" ] || { echo "FAIL: Firecracker anchor config not found"; exit 1; }
kp_file firecracker "$fc"
for t in tinyconfig allnoconfig x86_64_defconfig allmodconfig; do
	kp_make "$t" "$t"
done
for seed in $(seq 1 "$NRAND"); do
	kp_make "randconfig-$seed" "KCONFIG_SEED=$seed" randconfig
done
# Partial inputs are where choices are decided by rules, not by the input
# (test 21 has 24 on 6.12, where the rules changed).
for seed in $(seq 101 $((100 + ${KTRIM_PARITY_PARTIAL:-10}))); do
	kp_partial_rand "partial-rand-$seed" "$seed"
done
kp_run
