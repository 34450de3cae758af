#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# arm64 end to end on an x86_64 host: the busybox HTTP example with Debian's
# arm64 busybox-static, profiled on Debian's arm64 generic kernel (test 45's
# profile when it ran, else taken here), then `ktrim build --target
# kvm-virt-arm64`: the Kconfig engine and the kernel's make with ARCH=arm64
# and Debian's cross compiler (ccache), the arm64 ktrim-init, certify under
# qemu-system-aarch64 -M virt (TCG, icount). Asserts the verdict certified,
# the static Image header check, the in-guest and host smoke tests, the
# power button and power-on-to-ready from the architected counter. Then
# firecracker-arm64 (a Firecracker host's UART and virtio-mmio: no QEMU
# machine has them) trims with its boot checks =y.
set -euo pipefail
. "$(dirname "$0")/certify-lib.bash"
. "$(dirname "$0")/arm64-lib.bash"
: "${KTRIM:?}" "${KTRIM_TOP:?}" "${KTRIM_WORK:?}"
fail() { echo "FAIL: $*"; exit 1; }
arm64_setup

w=$KTRIM_WORK/78-arm64-build-certify
rm -rf "$w" && mkdir -p "$w"
arm64_project busybox-httpd "$w/ktrim.yaml"
KTRIM_BUSYBOX=$KBUSYBOX "$KTRIM_TOP/recipes/workloads/busybox-httpd/make-rootfs.sh" "$w/rootfs" >/dev/null
prof=$KTRIM_WORK/45-profile-arm64/profile.yaml
if [ ! -s "$prof" ]; then
	prof=$w/profile.yaml
	"$KTRIM" profile -f "$w/ktrim.yaml" -o "$prof"
fi
grep -qx 'arch: arm64' "$prof" || fail "$prof is not an arm64 profile"

out=$w/out
"$KTRIM" build -f "$w/ktrim.yaml" --profile "$prof" --target kvm-virt-arm64 --no-bisect -o "$out" \
	2>&1 | tee "$w/build.log"
d=$out/kvm-virt-arm64
cert=$d/certificate.yaml
for f in "$d/Image" "$d/initramfs.cpio.zst" "$d/.config" "$d/trim-report.yaml" "$cert" "$d/SHA256SUMS"; do
	[ -s "$f" ] || fail "missing $f"
done
cat "$cert"
file "$d/Image" | grep -q 'Linux kernel ARM64 boot executable Image' ||
	fail "the shipped Image is not an arm64 boot image: $(file "$d/Image")"
zstd -dc "$d/initramfs.cpio.zst" | (cd "$w" && cpio -i --quiet --to-stdout init) >"$w/init"
file "$w/init" | grep -q 'ARM aarch64' || fail "the shipped /init is not arm64: $(file "$w/init")"
grep -qx 'CONFIG_ARM64=y' "$d/.config" && grep -qx 'CONFIG_UNMAP_KERNEL_AT_EL0=y' "$d/.config" ||
	fail "the .config is not an arm64 one with the arm64 hardening floor"
grep -q '^  failed: 0$' "$cert" || fail "the certificate has failed checks"
grep -q '^verdict: certified$' "$cert" || fail "verdict is not certified"
boot_checks_pass tcg
check "kernel format" pass static
check "config binding" pass static
check "option CONFIG_SERIAL_AMBA_PL011_CONSOLE" pass static
grep -q 'arm64 Image header: little-endian, 4K pages' "$cert" || fail "no arm64 Image header detail"
grep -q 'HTTP replied: HTTP/1\.[01] 200' "$cert" || fail "the host smoke test got no HTTP 200"
# Docker's default filter (no seccomp: in the example), numbered by arm64's table
sed -n '/^seccomp:/,/^[a-z]/p' "$cert" >"$w/seccomp.txt"
grep -qx '  filter: ktrim' "$w/seccomp.txt" && grep -q '^  arch: aarch64 (0xc00000b7)$' "$w/seccomp.txt" ||
	{ cat "$w/seccomp.txt"; fail "the certificate does not describe an AArch64 filter"; }
[ "$(cert_sha kernel)" = "$(sha256sum "$d/Image" | cut -d' ' -f1)" ] || fail "kernel hash is not the Image's"
(cd "$d" && sha256sum -c SHA256SUMS) || fail "SHA256SUMS does not verify"
ready=$(cert_field power-on-to-ready-ms)
init=$(cert_field boot-to-init-ms)
awk -v r="${ready:-0}" -v i="${init:-0}" 'BEGIN { exit !(r > 0 && i > 0 && r > i) }' ||
	fail "power-on-to-ready-ms ($ready) missing or not above boot-to-init-ms ($init)"
echo "ok: kvm-virt-arm64 certified: $(grep -c '=y$' "$d/.config") =y, Image $(stat -c %s "$d/Image") bytes," \
	"boot-to-init $init ms, power-on-to-ready $ready ms (TCG virt, icount)"

# Firecracker on arm64: the trim and its boot checks (a Firecracker host boots it).
"$KTRIM" -q config --ksrc "$KSRC" --arch arm64 --profile "$prof" --recipe firecracker-arm64 \
	-o "$w/firecracker-arm64.config" || fail "firecracker-arm64 does not trim"
for c in $(sed -n '/check:/,/]/p' "$KTRIM_TOP/recipes/targets/firecracker-arm64.yaml" | grep -o 'CONFIG_[A-Z0-9_]*'); do
	grep -qx "$c=y" "$w/firecracker-arm64.config" || fail "firecracker-arm64: boot check $c is not =y"
done
! grep -q '^CONFIG_PCI=y' "$w/firecracker-arm64.config" || fail "firecracker-arm64 has PCI"
echo "ok: firecracker-arm64 trims to $(grep -c '=y$' "$w/firecracker-arm64.config") =y, boot checks =y, no PCI"
echo "PASS"
