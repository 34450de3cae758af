#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Make bench/localmodconfig.lsmod, the module list `make localmodconfig` gets
# (LSMOD=...), from a real boot rather than by hand: Debian's generic kernel
# with its mkinitramfs initrd (udev coldplugs every device of the guest) boots
# the bench workload from the virtio disk on the bench's q35 machine; after the
# workload's smoke test the rootfs init prints /proc/modules, which is what is
# loaded for this machine + workload. Written in lsmod's format.
# When `ktrim profile` exists, the busybox HTTP profile's module facts replace
# this (same machine, same workload, recorded by the agent).
#
# Usage: bench/gen-lsmod.sh [OUT]   (default bench/localmodconfig.lsmod)
set -euo pipefail
BENCH_NAME=gen-lsmod
. "$(dirname "$0")/lib.sh"
kernel_cache
out=${1:-$bench_dir/localmodconfig.lsmod}
eval "$("$bench_dir/rootfs.sh")"
initrd=$BENCH_WORK/generic-mkinitramfs.img
[ -s "$initrd" ] || "$bench_dir/initrd-generic.sh" mkinitramfs "$KREL" "$KMODDIR" "$KCONFIG" "$initrd" >/dev/null
console=$BENCH_WORK/console-gen-lsmod.log
progress "booting generic with ktrim.bench=lsmod"
"$bench_dir/boot.sh" --label gen-lsmod --console "$console" "$KIMAGE" "$initrd" "$ROOTFS_EXT4" \
	"console=ttyS0 root=/dev/vda rw quiet panic=-1 ktrim.bench=lsmod" >/dev/null ||
	die "boot failed, console: $console"
tmp=$out.tmp
{
	printf '%-28s %7s  %s\n' Module Size "Used by"
	sed -n '/ktrim-lsmod: begin/,/ktrim-lsmod: end/p' "$console" | tr -d '\r' |
		grep -v '^ktrim-lsmod:' |
		awk '{ used = ($4 == "-") ? "" : $4; sub(/,$/, "", used); printf "%-28s %7s  %s %s\n", $1, $2, $3, used }' |
		LC_ALL=C sort
} > "$tmp"
n=$(($(wc -l < "$tmp") - 1))
[ "$n" -gt 0 ] || die "no modules found in $console"
mv "$tmp" "$out"
progress "$n modules -> $out"
