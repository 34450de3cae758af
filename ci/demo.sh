#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make demo: the main job end to end on a fresh machine.
#  1. Debian's linux-source-6.1 and generic 6.1 kernel into the cache;
#  2. profile the busybox HTTP example on the generic kernel (QEMU);
#  3. ktrim build for kvm-q35 (bzImage, virtio-pci) and kvm-microvm (PVH
#     vmlinux, virtio-mmio): trimmed config, kernel, initramfs, certificate
#     (boots under QEMU, KVM when it works, else TCG);
#  4. the generic kernel booting the same workload image, for reference;
#  5. a table of the three.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
ktrim=$top/ktrim
work=${KTRIM_DEMO_DIR:-$top/build/demo}
step() { printf '[demo %6ss] %s\n' "$SECONDS" "$*"; }

step "kernel cache: Debian linux-source-6.1 and the generic 6.1 kernel"
eval "$(ci/kernel-cache.sh)"
export KSRC KIMAGE KMODDIR

app=$work/busybox-httpd
mkdir -p "$app"
cp recipes/workloads/busybox-httpd/ktrim.yaml "$app/"
recipes/workloads/busybox-httpd/make-rootfs.sh "$app/rootfs" >/dev/null

step "profile: busybox httpd on $KREL (ktrim profile)"
"$ktrim" profile -f "$app/ktrim.yaml" -o "$app/ktrim.profile.yaml"

step "build + certify: kvm-q35 and kvm-microvm (ktrim build)"
"$ktrim" build -f "$app/ktrim.yaml" --profile "$app/ktrim.profile.yaml" -o "$work/out" \
	--target kvm-q35 --target kvm-microvm

step "reference: Debian's generic kernel booting the same workload image"
mkdir -p "$work/generic"
# Debian builds the NIC's driver and the ACPI button (the stop request) as
# modules: the image carries them.
"$ktrim" initramfs --project "$app/ktrim.yaml" --modules-dir "$KMODDIR" \
	--module virtio_pci --module virtio_net --module button \
	-o "$work/generic/initramfs.cpio.zst"
# Debian's kernel names no ktrim configuration, so its option checks cannot run and
# its verdict is partial at best; the boot is what we compare.
"$ktrim" certify --kernel "$KIMAGE" --initramfs "$work/generic/initramfs.cpio.zst" \
	--config "$KCONFIG" --target kvm-q35 --no-bisect --project "$app/ktrim.yaml" \
	-o "$work/generic/certificate.yaml" || true

field() { # file key
	sed -n "s/^ *$2: \"\{0,1\}\([^\"]*\)\"\{0,1\}$/\1/p" "$1" | head -n 1
}
row() { # name certificate
	local c=$2 kb ib mm
	mm=$(field "$c" min-memory-mb)
	kb=$(awk '/^kernel:/ { on = 1 } on && /bytes:/ { print $2; exit }' "$c")
	ib=$(awk '/^initramfs:/ { on = 1 } on && /bytes:/ { print $2; exit }' "$c")
	printf '| %-27s | %5s | %5s | %8.2f MB | %8.2f MB | %9s ms | %12s ms | %8s | %-9s |\n' "$1" \
		"$(field "$c" options-y)" "$(field "$c" options-m)" \
		"$(echo "$kb / 1048576" | bc -l)" "$(echo "$ib / 1048576" | bc -l)" \
		"$(field "$c" boot-to-ready-ms)" "$(field "$c" power-on-to-ready-ms)" \
		"${mm:+$mm MB}" "$(field "$c" verdict)"
}

echo
echo "Boot times are guest time under $(field "$work/out/kvm-q35/certificate.yaml" accelerator)" \
	"($(field "$work/out/kvm-q35/certificate.yaml" guest-clock))."
echo
echo "| kernel                      |    =y |    =m |      kernel |   initramfs | boot->ready  | power-on->ready | min mem  | verdict   |"
echo "|-----------------------------|-------|-------|-------------|-------------|--------------|-----------------|----------|-----------|"
row "ktrim kvm-q35 (bzImage)" "$work/out/kvm-q35/certificate.yaml"
row "ktrim kvm-microvm (vmlinux)" "$work/out/kvm-microvm/certificate.yaml"
row "Debian generic (vmlinuz)" "$work/generic/certificate.yaml"
echo "boot->ready: the guest kernel's clock, which stands still on microvm during APIC timer"
echo "calibration under TCG; power-on->ready: the TSC from vCPU reset (firmware and decompression"
echo "included). kvm-microvm boots an uncompressed PVH vmlinux, hence its size."
echo "Debian generic: $KREL on q35 booting the same ktrim initramfs, no memory bisection."
echo
step "done: artefacts in $work/out/<target>/ (sha256sum -c SHA256SUMS there)"
