#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# arm64 rows for `make bench` (run by bench/run.sh as one of its extras, in
# the same run): Debian's arm64 generic kernel against ktrim's
# kvm-virt-arm64 kernel, both booted on qemu-system-aarch64 -M virt under
# TCG with -icount shift=0,sleep=off (Cortex-A57, 1 vCPU, 512 MB), boots
# interleaved. Both boot the same ktrim initramfs design (the arm64
# ktrim-init, the busybox httpd workload, the certification overlay's smoke
# test); the generic kernel's image also carries the module closure the
# arm64 profile saw, from Debian's arm64 module tree. So the rows compare
# kernels; x86's generic row is Debian's whole stack (mkinitramfs, ext4 root).
# Ratios only: absolute TCG times mean nothing on real arm64 hardware.
#
# Usage: bench/arm64.sh     (BENCH_REPS=N boots per contender, default 3)
# Markdown on stdout; progress on stderr.
set -euo pipefail
BENCH_NAME=arm64
. "$(dirname "$0")/lib.sh"
ktrim=${KTRIM:-$KTRIM_TOP/ktrim}
reps=${BENCH_REPS:-3}
for t in qemu-system-aarch64 aarch64-linux-gnu-gcc; do
	command -v "$t" >/dev/null || die "no $t (ci/deps.sh installs it)"
done
[ -x "$KTRIM_TOP/build/guest/arm64/ktrim-init" ] || die "no arm64 ktrim-init (make)"
eval "$(cd "$KTRIM_TOP" && KTRIM_ARCH=arm64 ci/kernel-cache.sh)"
export KSRC KIMAGE KMODDIR KBUSYBOX KTRIM_DATADIR=$KTRIM_TOP KTRIM_ACCEL=tcg

w=$BENCH_WORK/arm64
mkdir -p "$w"
progress "project: busybox httpd, arm64 busybox-static"
{
	sed 's|^  timeout: 240$|  timeout: 240\n  modprobe: ${KBUSYBOX}|
	     s|^targets: .*|targets: [kvm-virt-arm64]|' \
		"$KTRIM_TOP/recipes/workloads/busybox-httpd/ktrim.yaml"
	echo "arch: arm64"
} >"$w/ktrim.yaml"
KTRIM_BUSYBOX=$KBUSYBOX "$KTRIM_TOP/recipes/workloads/busybox-httpd/make-rootfs.sh" "$w/rootfs" >/dev/null
# The profile is kept per arm64 kernel release: taking it is a TCG boot of
# the generic kernel (a minute here).
prof=$w/profile-$KREL.yaml
if [ ! -s "$prof" ]; then
	progress "ktrim profile on Debian $KREL (arm64)"
	"$ktrim" profile -f "$w/ktrim.yaml" -o "$prof" >&2
fi
progress "ktrim build --target kvm-virt-arm64 (kernel cached by its stamp)"
"$ktrim" build -f "$w/ktrim.yaml" --profile "$prof" --target kvm-virt-arm64 --no-certify \
	-o "$w/out" >&2
d=$w/out/kvm-virt-arm64
"$ktrim" initramfs --project "$w/ktrim.yaml" --overlay -o "$w/overlay.cpio" >&2
# generic: the same init and workload, with the profile's module closure
"$ktrim" initramfs --project "$w/ktrim.yaml" --profile "$prof" --modules-dir "$KMODDIR" \
	-o "$w/generic.cpio.zst" >&2
for c in generic ktrim; do
	if [ $c = ktrim ]; then cp "$d/initramfs.cpio.zst" "$w/$c-boot.cpio"
	else cp "$w/generic.cpio.zst" "$w/$c-boot.cpio"
	fi
	truncate -s %4 "$w/$c-boot.cpio"
	cat "$w/overlay.cpio" >>"$w/$c-boot.cpio"
done
declare -A kernel=([generic]=$KIMAGE [ktrim]=$d/Image)
cmd="console=ttyAMA0 quiet panic=-1"
csv=$w/boots.csv
"$bench_dir/boot.sh" --header >"$csv"
for r in $(seq 1 "$reps"); do
	for c in generic ktrim; do
		progress "boot $r/$reps: $c"
		"$bench_dir/boot.sh" --machine virt --label "$c" --timeout 600 \
			"${kernel[$c]}" "$w/$c-boot.cpio" - "$cmd" 512 >>"$csv" ||
			progress "$c: boot $r did not pass (see the row)"
	done
done
# median of column COL for label L over the passing boots
med() { awk -F, -v l="$1" -v c="$2" 'NR > 1 && $1 == l && $5 == "ok" && $6 == "pass" && $c != "" { print $c }' "$csv" |
	sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'; }
ms() { awk -v v="$1" 'BEGIN { if (v == "-") print "-"; else printf "%.1f ms", v / 1000 }'; }
ratio() { awk -v g="$1" -v c="$2" 'BEGIN { if (g == "-" || c == "-" || c == 0) print "-"; else printf "%.2fx", g / c }'; }
passed() { awk -F, -v l="$1" 'NR > 1 && $1 == l { n++; if ($5 == "ok" && $6 == "pass") p++ } END { printf "%d/%d", p, n }' "$csv"; }
# columns: 7 boot_to_init_us, 11 workload_ready_us, 16 power_on_ready_us
echo "Debian's arm64 generic kernel ($KREL) against ktrim's kvm-virt-arm64 kernel, both on"
echo "qemu-system-aarch64 -M virt, TCG with -icount shift=0,sleep=off, Cortex-A57, 1 vCPU, 512 MB;"
nmod=$("$ktrim" initramfs --list "$w/generic.cpio.zst" | grep -c '\.ko' || true)
echo "$reps boots each, interleaved, the same ktrim init and workload; the generic kernel's image also"
echo "holds the $nmod module(s) the arm64 profile saw loaded. Both kernel images are uncompressed"
echo "Images as shipped (Debian's vmlinuz with the EFI stub)."
echo
echo "| arm64 contender | =y | =m | kernel image (bytes) | initramfs (bytes) | boot to init | boot to ready | power-on to ready | smoke passed |"
echo "|---|---|---|---|---|---|---|---|---|"
for c in generic ktrim; do
	cfg=$KCONFIG; [ $c = ktrim ] && cfg=$d/.config
	echo "| $c | $(grep -c '=y$' "$cfg") | $(grep -c '=m$' "$cfg" || true) | $(stat -c %s "${kernel[$c]}") |" \
		"$(stat -c %s "$w/$c-boot.cpio") | $(ms "$(med $c 7)") | $(ms "$(med $c 11)") | $(ms "$(med $c 16)") | $(passed $c) |"
done
echo
echo "ktrim against generic on arm64 (generic's figure / ktrim's): boot to init" \
	"$(ratio "$(med generic 7)" "$(med ktrim 7)"), boot to ready $(ratio "$(med generic 11)" "$(med ktrim 11)")," \
	"power-on to ready $(ratio "$(med generic 16)" "$(med ktrim 16)")."
