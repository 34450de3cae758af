#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The loop closes: the busybox HTTP example's profile (taken on Debian's
# generic kernel) -> ktrim build for kvm-q35 and kvm-microvm: config, one
# real kernel build per target (the kernel's own make, ccache), initramfs,
# certify under QEMU TCG, with the analysis boot (boot-profile.yaml, the
# waterfall). Asserts, per target: every certificate check
# passed, the in-guest smoke test (from the overlay) and the host smoke test
# (through the forwarded port, virtio-net on PCI and on MMIO) ran in the
# trimmed guest, the power button stopped it, the certificate hashes the
# overlay apart from the shipped initramfs, which carries no smoke test.
# Then the shipped q35 image alone (no overlay) serves the host three times,
# 10 s apart, and system_powerdown powers it off within the grace period.
# SHA256SUMS verifies, a second build skips the kernel and gives the same
# certificate apart from measured times.
set -euo pipefail
. "$(dirname "$0")/initramfs-lib.bash"
. "$(dirname "$0")/certify-lib.bash"
: "${KTRIM:?}" "${KTRIM_TOP:?}" "${KTRIM_WORK:?}" "${KSRC:?}" "${KIMAGE:?}" "${KMODDIR:?}"
export KSRC KIMAGE KMODDIR
export KTRIM_ACCEL=${KTRIM_ACCEL:-tcg}

w=$KTRIM_WORK/70-build-certify
fail() { echo "FAIL: $*"; exit 1; }
. "$(dirname "$0")/busybox-build-lib.bash"
busybox_project "$w"
grep -q 'family: AF_INET, type: SOCK_STREAM' "$prof" || fail "profile lacks AF_INET stream sockets"

out=$w/out
# Each target's kernel is built once; microvm skips the memory bisection
# (q35 covers it) to keep the test's time down. microvm takes its address
# by DHCP (ktrim.yaml network:), which the kernel's autoconfiguration does:
# the trim adds IP_PNP_DHCP with its reason, certify boots with ip=dhcp.
"$KTRIM" build -f "$w/ktrim.yaml" --profile "$prof" --target kvm-q35 -o "$out" 2>&1 | tee "$w/build1.log"
{ cat "$w/ktrim.yaml"; printf 'network: {dhcp: true}\n'; } >"$w/ktrim-dhcp.yaml"
"$KTRIM" build -f "$w/ktrim-dhcp.yaml" --profile "$prof" --target kvm-microvm --no-bisect -o "$out" \
	2>&1 | tee "$w/build-microvm.log"
d=$out/kvm-microvm
grep -qx 'CONFIG_IP_PNP_DHCP=y' "$d/.config" || fail "network: dhcp did not bring CONFIG_IP_PNP_DHCP"
grep -q 'network: dhcp' "$d/trim-report.yaml" || fail "the trim report gives no reason for IP_PNP_DHCP"
grep -Eq '^cmdline: .* ip=dhcp' "$d/certificate.yaml" || fail "certify did not boot with ip=dhcp"
grep -Eq '^ktrim-timeline: net-up [0-9]+ dev=eth0 addr=10\.0\.2\.15 source=autoconf' \
	"$d/console.log" || fail "eth0 was not configured by the kernel's DHCP client"
echo "ok: microvm took 10.0.2.15 by the kernel's DHCP client (IP_PNP_DHCP, ip=dhcp)"


for target in kvm-q35 kvm-microvm; do
	d=$out/$target
	kernel=$d/$("$KTRIM" target-info "$target" --field kernel-name)
	for f in "$kernel" "$d/initramfs.cpio.zst" "$d/.config" "$d/trim-report.yaml" \
		"$d/certificate.yaml" "$d/SHA256SUMS" "$d/certify-overlay.cpio"; do
		[ -s "$f" ] || fail "missing $f"
	done
	cert=$d/certificate.yaml
	cat "$cert"
	grep -q '^  failed: 0$' "$cert" || fail "$target: certificate has failed checks"
	grep -q '^verdict: certified$' "$cert" || fail "$target: verdict is not certified"
	boot_checks_pass tcg
	check "kernel format" pass static
	check "config binding" pass static
	check "option CONFIG_VIRTIO_NET" pass static
	check "option CONFIG_ACPI_BUTTON" pass static
	grep -q 'HTTP replied: HTTP/1\.[01] 200' "$cert" || fail "$target: the host smoke test got no HTTP 200"
	# Three separate hashes: what ships, and what certification added.
	[ "$(cert_sha initramfs)" = "$(sha256sum "$d/initramfs.cpio.zst" | cut -d' ' -f1)" ] ||
		fail "$target: initramfs hash is not the shipped file's"
	[ "$(cert_sha overlay)" = "$(sha256sum "$d/certify-overlay.cpio" | cut -d' ' -f1)" ] ||
		fail "$target: overlay hash missing or wrong"
	[ "$(cert_sha kernel)" = "$(sha256sum "$kernel" | cut -d' ' -f1)" ] ||
		fail "$target: kernel hash is not the shipped kernel's"
	# The shipped image carries no test: not in its listing, not in its spec.
	"$KTRIM" initramfs --list "$d/initramfs.cpio.zst" >"$w/$target.list"
	! grep -q 'spec\.d' "$w/$target.list" || fail "$target: the shipped image has an overlay file"
	zstd -dc "$d/initramfs.cpio.zst" | (cd "$w" && cpio -i --quiet --to-stdout etc/ktrim/spec) \
		>"$w/$target.spec"
	grep -q '^arg ' "$w/$target.spec" || fail "$target: no spec read back from the shipped image"
	! grep -q '^smoke' "$w/$target.spec" || fail "$target: the shipped spec has a smoke test"
	cpio -it --quiet <"$d/certify-overlay.cpio" | grep -x 'etc/ktrim/spec.d/certify' >/dev/null ||
		fail "$target: the overlay lacks etc/ktrim/spec.d/certify"
	echo "ok: $target certified; overlay hashed apart; the shipped image has no smoke test"
	(cd "$d" && sha256sum -c SHA256SUMS) || fail "$target: SHA256SUMS does not verify"
	awk '/^  power-on-to-ready-ms:/ { print "'"$target"' power-on-to-ready-ms", $2 }' "$cert"
done

d=$out/kvm-q35
cert=$d/certificate.yaml
check "smallest passing memory" pass tcg
grep -q '^accelerator: tcg$' "$cert" || fail "accelerator not recorded as tcg"
grep -q '^  boot-to-ready-ms: ' "$cert" || fail "no boot-to-ready time"
# From vCPU reset the TSC also counts SeaBIOS and decompression, so the
# power-on figure must exceed the kernel's own clock, but not absurdly.
awk '/^  boot-to-init-ms:/ { k = $2 } /^  power-on-to-init-ms:/ { p = $2 }
	END { exit !(k > 0 && p > k && p < k + 5000) }' "$cert" ||
	fail "power-on-to-init-ms missing or not above boot-to-init-ms"

# Where the boot's time goes (certify --analyze, which build runs): the
# analysis boot's initcalls, at least 90% of them mapped to their source
# file and most to the option that builds it; the slowest one named with
# its option, its source, and why the trim kept that option.
bp=$d/boot-profile.yaml
[ -s "$bp" ] && [ -s "$d/boot-waterfall.svg" ] || fail "no boot-profile.yaml or boot-waterfall.svg"
n=$(awk '$1 == "count:" { print $2; exit }' "$bp")
m=$(awk '$1 == "resolved:" { print $2; exit }' "$bp")
[ "${n:-0}" -ge 100 ] && [ $(( m * 100 )) -ge $(( n * 90 )) ] ||
	fail "boot-profile.yaml: only ${m:-0} of ${n:-0} initcalls mapped to their source"
grep -Eq '^  slowest-initcall: "?[A-Za-z_0-9.]+ [0-9.]+ ms CONFIG_[A-Z0-9_]+"?$' "$cert" ||
	fail "the certificate names no option behind the slowest initcall"
slow=$(awk '$1 == "slowest:" { print $2; exit }' "$bp")
grep -A9 -x "    - fn: $slow" "$bp" >"$w/slowest.txt" || fail "no entry for the slowest initcall $slow"
grep -Eq '^      source: "?[a-z0-9_/.-]+\.c:[0-9]+"?$' "$w/slowest.txt" &&
	grep -q '^      why: ' "$w/slowest.txt" || fail "the slowest initcall $slow has no source or reason"
grep -q '<svg' "$d/boot-waterfall.svg" && grep -qF "$slow" "$d/boot-waterfall.svg" ||
	fail "the waterfall does not label $slow"
echo "ok: boot profile: $m of $n initcalls mapped; slowest: $(sed -n 's/^  slowest-initcall: //p' "$cert")"

# The shipped image alone, as production runs it: the service keeps
# answering through the port forward (real time, no -icount), and the power
# button powers it off within the grace period (the init's default, 10 s).
port=$(free_port)
BG_KERNEL=$d/bzImage boot_bg "$d/initramfs.cpio.zst" "$w/shipped.log" \
	-machine q35 \
	-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:80" -device virtio-net-pci,netdev=n0
wait_line "$w/shipped.log" '^ktrim-timeline: workload-ready ' || fail "the shipped image never got ready"
for i in 1 2 3; do
	timeout 10 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "GET / HTTP/1.0\r\n\r\n" >&3 &&
		cat <&3' _ "$port" | grep 'ktrim busybox httpd works' >/dev/null ||
		fail "request $i through 127.0.0.1:$port got no page"
	echo "ok: request $i answered"
	[ "$i" -eq 3 ] || sleep 10
done
t0=$(date +%s)
monitor system_powerdown
boot_wait
dt=$(( $(date +%s) - t0 ))
[ "$qemu_rc" -eq 0 ] || fail "QEMU exit status $qemu_rc after system_powerdown"
[ "$dt" -le 10 ] || fail "power-off took ${dt}s after the button (grace 10 s)"
grep -Eq '^ktrim-timeline: stop-request [0-9]+ source=power-button ' "$w/shipped.log.txt" ||
	fail "no stop-request source=power-button"
grep -Eq '^ktrim-timeline: workload-exit [0-9]+ status=[0-9]+ ' "$w/shipped.log.txt" ||
	fail "no workload-exit status on the timeline"
grep -Eq '^ktrim-timeline: poweroff ' "$w/shipped.log.txt" || fail "no poweroff record"
! grep -q 'smoke' "$w/shipped.log.txt" || fail "the shipped image ran a smoke test"
echo "ok: the shipped image served 3 requests over 20 s, powered off ${dt}s after the button"

# The trimmed config is what the kernel's own olddefconfig keeps.
y=$(grep -c '=y$' "$d/.config")
echo "options =y: $y (localmodconfig here: 1626)"
[ "$y" -lt 1000 ] || fail "trimmed config has $y =y options"

# The certificate is bound to this kernel: the kernel's banner names its
# .config; any other .config is refused before anything boots.
id=cfg-$(sha256sum "$d/.config" | cut -c1-16)
# Not grep -q: strings killed by SIGPIPE fails the pipeline (pipefail).
strings "$d/bzImage" | grep -F "(ktrim@$id)" >/dev/null || fail "the bzImage's banner does not name $id"
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
"$KTRIM" build -f "$w/ktrim.yaml" --profile "$prof" --target kvm-q35 --no-analyze -o "$out" \
	2>&1 | tee "$w/build2.log"
grep -q 'build skipped' "$w/build2.log" || fail "second build rebuilt the kernel"
checks_only() { sed '/^measurements:/,$d' "$1"; }
diff <(checks_only "$w/cert1.yaml") <(checks_only "$cert") || fail "certificate checks differ between runs"
echo "ok: second build skipped the kernel, same certificate checks"
echo "PASS"
