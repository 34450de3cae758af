#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The loop closes: the busybox HTTP example's profile (taken on Debian's
# generic kernel) -> ktrim build for kvm-q35: config, one real kernel build
# (the kernel's own make, ccache), initramfs, certify under QEMU TCG.
# Asserts every certificate check passed, the smoke test really ran in the
# trimmed guest, SHA256SUMS verifies, a second build skips the kernel and
# gives the same certificate apart from measured times.
set -euo pipefail
: "${KTRIM:?}" "${KTRIM_TOP:?}" "${KTRIM_WORK:?}" "${KSRC:?}" "${KIMAGE:?}" "${KMODDIR:?}"
export KSRC KIMAGE KMODDIR
export KTRIM_ACCEL=${KTRIM_ACCEL:-tcg}

w=$KTRIM_WORK/70-build-certify-q35
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$w"
cp "$KTRIM_TOP/recipes/workloads/busybox-httpd/ktrim.yaml" "$w/"
"$KTRIM_TOP/recipes/workloads/busybox-httpd/make-rootfs.sh" "$w/rootfs" >/dev/null

# The profile test (40) already profiled this workload; profile only when
# this test runs alone.
prof=$KTRIM_WORK/40-profile-busybox/profile.yaml
if [ ! -s "$prof" ]; then
	prof=$w/profile.yaml
	"$KTRIM" profile -f "$w/ktrim.yaml" -o "$prof"
fi
grep -q 'family: AF_INET, type: SOCK_STREAM' "$prof" || fail "profile lacks AF_INET stream sockets"

out=$w/out
"$KTRIM" build -f "$w/ktrim.yaml" --profile "$prof" --target kvm-q35 -o "$out" 2>&1 | tee "$w/build1.log"
d=$out/kvm-q35
for f in bzImage initramfs.cpio.zst .config trim-report.yaml certificate.yaml SHA256SUMS; do
	[ -s "$d/$f" ] || fail "missing $d/$f"
done
cert=$d/certificate.yaml
cat "$cert"

grep -q '^  failed: 0$' "$cert" || fail "certificate has failed checks"
check() { # name result where
	awk -v n="  - name: $1" -v r="    result: $2" -v w="    where: $3" '
		$0 == n || $0 == "  - name: \"" substr(n, 11) "\"" { on = 1; next }
		on && /^  - name:/ { on = 0 }
		on && $0 == r { rr = 1 } on && $0 == w { ww = 1 }
		END { exit !(rr && ww) }' "$cert" || fail "check '$1' is not $2 on $3"
	echo "ok: $1 $2 on $3"
}
check "boot to init" pass tcg
check "workload ready" pass tcg
check "smoke test" pass tcg
check "clean power-off" pass tcg
check "smallest passing memory" pass tcg
check "kernel format" pass static
check "option CONFIG_VIRTIO_PCI" pass static
grep -q '^accelerator: tcg$' "$cert" || fail "accelerator not recorded as tcg"
grep -q '^  boot-to-ready-ms: ' "$cert" || fail "no boot-to-ready time"
# From vCPU reset the TSC also counts SeaBIOS and decompression, so the
# power-on figure must exceed the kernel's own clock, but not absurdly.
awk '/^  boot-to-init-ms:/ { k = $2 } /^  power-on-to-init-ms:/ { p = $2 }
	END { exit !(k > 0 && p > k && p < k + 5000) }' "$cert" ||
	fail "power-on-to-init-ms missing or not above boot-to-init-ms"

# The trimmed config is what the kernel's own olddefconfig keeps.
y=$(grep -c '=y$' "$d/.config")
echo "options =y: $y (localmodconfig here: 1626)"
[ "$y" -lt 1000 ] || fail "trimmed config has $y =y options"

(cd "$d" && sha256sum -c SHA256SUMS) || fail "SHA256SUMS does not verify"

# The certificate is bound to this kernel: certified, the kernel's banner
# names its .config; any other .config is refused before anything boots.
grep -q '^verdict: certified$' "$cert" || fail "verdict is not certified"
check "config binding" pass static
id=cfg-$(sha256sum "$d/.config" | cut -c1-16)
grep -aqF "(ktrim@$id)" "$d/bzImage" || fail "the bzImage's banner does not name $id"
cp "$d/.config" "$w/other.config"
echo '# CONFIG_SOMETHING_ELSE is not set' >> "$w/other.config"
rm -f "$w/other-certificate.yaml"
if "$KTRIM" certify --kernel "$d/bzImage" --initramfs "$d/initramfs.cpio.zst" \
	--config "$w/other.config" --target kvm-q35 -o "$w/other-certificate.yaml" 2> "$w/other.log"; then
	fail "certify accepted a .config the kernel was not built from"
fi
grep -q 'was built from configuration cfg-[0-9a-f]*, not from' "$w/other.log" ||
	{ cat "$w/other.log"; fail "no clear error for a foreign .config"; }
[ ! -e "$w/other-certificate.yaml" ] || fail "a certificate was written for a foreign .config"
echo "ok: certified, bound to its .config; a foreign .config is refused"

# Second run: nothing changed, so no kernel build; the certificate is the
# same apart from the measurements section.
cp "$cert" "$w/cert1.yaml"
"$KTRIM" build -f "$w/ktrim.yaml" --profile "$prof" --target kvm-q35 -o "$out" \
	2>&1 | tee "$w/build2.log"
grep -q 'build skipped' "$w/build2.log" || fail "second build rebuilt the kernel"
checks_only() { sed '/^measurements:/,$d' "$1"; }
diff <(checks_only "$w/cert1.yaml") <(checks_only "$cert") || fail "certificate checks differ between runs"
echo "ok: second build skipped the kernel, same certificate checks"
echo "PASS"
