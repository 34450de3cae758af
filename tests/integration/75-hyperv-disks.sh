#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Hyper-V disks, booted on QEMU's nearest machines: the busybox HTTP example
# built for the union kvm-q35+hyperv-gen2+hyperv-gen1 (one kernel that
# boots on KVM's q35 and both Hyper-V generations; gen2's options are
# gen1's plus the EFI stub). Its kvm-q35 certificate is `certified` (host
# smoke test included); it ships disk-hyperv-gen2.vhdx (GPT, EFI System
# partition, EFI/BOOT/BOOTX64.EFI a UKI on systemd's stub) and
# disk-hyperv-gen1.vhdx (MBR, SYSLINUX). Asserts, per disk: qemu-img calls
# it vhdx, the partition table and the boot files are there, the
# certificate read the kernel out of the disk (config binding), its twin
# booted under OVMF (q35) or SeaBIOS (pc) on TCG to ready with the smoke
# test passing, the VMBus devices are named host-only and the verdict is
# partial. Then the shipped disk itself (no overlay) boots to ready under
# its firmware and powers off on the power button; a second build gives
# the same disk bytes; --sign gives an image sbverify accepts.
set -euo pipefail
: "${KTRIM:?}" "${KTRIM_TOP:?}" "${KTRIM_WORK:?}" "${KSRC:?}" "${KIMAGE:?}" "${KMODDIR:?}"
export KSRC KIMAGE KMODDIR
export KTRIM_ACCEL=${KTRIM_ACCEL:-tcg}

w=$KTRIM_WORK/75-hyperv-disks
fail() { echo "FAIL: $*"; exit 1; }
. "$(dirname "$0")/busybox-build-lib.bash"
. "$(dirname "$0")/certify-lib.bash"
busybox_project "$w"

out=$w/out
target=kvm-q35+hyperv-gen2+hyperv-gen1
d=$out/$target
t0=$(date +%s)
"$KTRIM" build -f "$w/ktrim.yaml" --profile "$prof" --target "$target" --no-bisect \
	--allow-partial -o "$out" 2>&1 | tee "$w/build1.log"
echo "build + certify: $(( $(date +%s) - t0 )) s"

# The first partition's FAT of a VHDX, as mtools' image@@offset.
fat_of() { # vhdx raw
	qemu-img convert -O raw "$1" "$2"
	local start
	start=$(sfdisk --dump "$2" | sed -n 's/.* start= *\([0-9]*\),.*/\1/p' | head -1)
	echo "$2@@$((start * 512))"
}

# The KVM member of the union: the same kernel, fully certified on q35.
cert=$d/certificate-kvm-q35.yaml
[ -s "$cert" ] || fail "missing $cert"
cat "$cert"
grep -q '^verdict: certified$' "$cert" || fail "kvm-q35: verdict is not certified"
grep -q '^  failed: 0$' "$cert" || fail "kvm-q35: certificate has failed checks"
boot_checks_pass tcg
[ ! -e "$d/disk-kvm-q35.vhdx" ] || fail "kvm-q35 got a disk"
echo "ok: kvm-q35: the union's kernel certified on q35"

for member in hyperv-gen2 hyperv-gen1; do
	disk=$d/disk-$member.vhdx
	cert=$d/certificate-$member.yaml
	[ -s "$disk" ] || fail "missing $disk"
	[ -s "$cert" ] || fail "missing $cert"
	qemu-img info "$disk" >"$w/$member.info"
	grep -q '^file format: vhdx$' "$w/$member.info" || fail "$member: qemu-img does not call it vhdx"
	qemu-img check "$disk" >/dev/null || fail "$member: qemu-img check found errors"
	fat=$(fat_of "$disk" "$w/$member.raw")
	sfdisk --dump "$w/$member.raw" >"$w/$member.table"
	mdir -a -i "$fat" -/ :: >"$w/$member.files"
	cat "$w/$member.table" "$w/$member.files"
	if [ "$member" = hyperv-gen2 ]; then
		grep -q '^label: gpt$' "$w/$member.table" || fail "gen2: not a GPT disk"
		grep -qi 'type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B' "$w/$member.table" ||
			fail "gen2: the partition is no EFI System partition"
		mcopy -n -i "$fat" ::EFI/BOOT/BOOTX64.EFI "$w/BOOTX64.EFI" ||
			fail "gen2: the ESP holds no EFI/BOOT/BOOTX64.EFI"
		objdump -h "$w/BOOTX64.EFI" >"$w/uki.sections"
		for s in .osrel .cmdline .linux .initrd; do
			grep -q " $s " "$w/uki.sections" || fail "gen2: the UKI has no $s section"
		done
		echo "ok: gen2: GPT, ESP with EFI/BOOT/BOOTX64.EFI, a UKI with .linux and .initrd"
	else
		grep -q '^label: dos$' "$w/$member.table" || fail "gen1: not an MBR disk"
		grep -q 'bootable' "$w/$member.table" || fail "gen1: no active partition"
		for f in ldlinux.sys ldlinux.c32 syslinux.cfg bzImage initrd.img; do
			mdir -a -i "$fat" "::$f" >/dev/null 2>&1 || fail "gen1: no $f on the boot partition"
		done
		cmp -s <(mtype -i "$fat" ::initrd.img) "$d/initramfs.cpio.zst" ||
			fail "gen1: initrd.img is not the shipped initramfs"
		echo "ok: gen1: MBR, active FAT partition with SYSLINUX, bzImage and initrd.img"
	fi
	cat "$cert"
	grep -q '^verdict: partial$' "$cert" || fail "$member: verdict is not partial"
	grep -q '^  failed: 0$' "$cert" || fail "$member: certificate has failed checks"
	check "disk image" pass static
	check "config binding" pass static
	check "kernel format" pass static
	check "option CONFIG_HYPERV" pass static
	check "option CONFIG_HYPERV_VSOCKETS" pass static
	check "host-only devices" not-run not-run
	grep -q 'storvsc, netvsc, hv_sock, hv_utils, Hyper-V clocksource: only a' "$cert" ||
		fail "$member: the host-only check does not name the VMBus devices"
	# kvm-q35's recipe brings virtio-net into the union's kernel, so the
	# twin boot on QEMU has a NIC and the host-side smoke test runs too.
	boot_checks_pass tcg
	awk '/^  power-on-to-ready-ms:/ { print "'"$member"' power-on-to-ready-ms", $2 }
		/^  boot-to-ready-ms:/ { print "'"$member"' boot-to-ready-ms", $2 }' "$cert"
	echo "$member disk bytes: $(stat -c %s "$disk") (allocated $(du -k "$disk" | cut -f1) KiB)"
	rm -f "$w/$member.raw"
done
(cd "$d" && sha256sum -c SHA256SUMS) || fail "SHA256SUMS does not verify"
# The import commands the build printed name the disks it wrote.
for gen in 1 2; do
	line=$(grep -a "New-VM -Name hyperv-gen$gen -Generation $gen " "$w/build1.log" || true)
	[ -n "$line" ] || fail "no New-VM command printed for gen$gen"
	vhd=$(printf '%s\n' "$line" | sed -n "s/.*-VHDPath '\([^']*\)'.*/\1/p")
	[ "$vhd" = "$d/disk-hyperv-gen$gen.vhdx" ] && [ -s "$vhd" ] ||
		fail "gen$gen: New-VM names '$vhd', not the shipped disk"
done
grep -aq "Set-VMFirmware -VMName hyperv-gen2 -EnableSecureBoot Off" "$w/build1.log" ||
	fail "no Secure Boot command printed for gen2"
echo "ok: the printed New-VM commands name the shipped disks"
echo "options =y: $(grep -c '=y$' "$d/.config")"

# The shipped disks themselves, no overlay: ready, then the power button.
boot_disk() { # member machine log [-bios FILE]
	local member=$1 machine=$2 log=$3
	shift 3
	rm -f "$log.mon.in" "$log.mon.out"
	mkfifo "$log.mon.in" "$log.mon.out"
	timeout 600 qemu-system-x86_64 -machine "$machine" -accel tcg -m 256 -nodefaults \
		-display none -no-reboot -serial stdio "$@" -monitor "pipe:$log.mon" \
		-drive "file=$d/disk-$member.vhdx,format=vhdx,if=ide,index=0,media=disk,snapshot=on" \
		</dev/null >"$log" 2>&1 &
	qpid=$!
	cat "$log.mon.out" >/dev/null &
	exec 8>"$log.mon.in"
	for _ in $(seq 1 600); do
		grep -aq '^ktrim-timeline: workload-ready ' "$log" && break
		kill -0 "$qpid" 2>/dev/null || break
		sleep 1
	done
	grep -aq '^ktrim-timeline: workload-ready ' "$log" || { tail -20 "$log"; fail "$member: the shipped disk never got ready"; }
	printf 'system_powerdown\n' >&8
	rc=0
	wait "$qpid" || rc=$?
	exec 8>&-
	[ "$rc" -eq 0 ] || fail "$member: QEMU exit status $rc after system_powerdown"
	grep -aq '^ktrim-timeline: poweroff ' "$log" || fail "$member: no poweroff record"
	! grep -aq 'smoke' "$log" || fail "$member: the shipped disk ran a smoke test"
	echo "ok: $member: the shipped disk.vhdx booted to ready and powered off on the button"
}
boot_disk hyperv-gen2 q35 "$w/shipped-gen2.log" -bios "${KTRIM_OVMF:-/usr/share/ovmf/OVMF.fd}"
grep -aq 'EFI stub: Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID' "$w/shipped-gen2.log" ||
	fail "gen2: the kernel's EFI stub did not get the UKI's initrd"
boot_disk hyperv-gen1 pc "$w/shipped-gen1.log"
grep -aq '^SYSLINUX ' "$w/shipped-gen1.log" || fail "gen1: SYSLINUX did not start"

# Reproducible: the second build skips the kernel and writes the same disks.
sha256sum "$d"/disk-*.vhdx >"$w/disks1.sum"
"$KTRIM" build -f "$w/ktrim.yaml" --profile "$prof" --target "$target" --no-certify \
	-o "$out" 2>&1 | tee "$w/build2.log"
grep -q 'build skipped' "$w/build2.log" || fail "second build rebuilt the kernel"
sha256sum -c "$w/disks1.sum" || fail "a second build wrote different disk bytes"
echo "ok: the same kernel and initramfs give the same disk.vhdx bytes"

# --sign KEY,CERT: the UKI on the ESP is signed with the user's key.
openssl req -new -x509 -newkey rsa:2048 -nodes -subj /CN=ktrim-test/ -days 1 \
	-keyout "$w/db.key" -out "$w/db.crt" 2>/dev/null
# Same target and folder: the kernel is not built again, the disks are.
"$KTRIM" build -f "$w/ktrim.yaml" --profile "$prof" --target "$target" --no-certify \
	--sign "$w/db.key,$w/db.crt" -o "$out" 2>&1 | tail -3
fat=$(fat_of "$d/disk-hyperv-gen2.vhdx" "$w/signed.raw")
mcopy -n -i "$fat" ::EFI/BOOT/BOOTX64.EFI "$w/signed.efi"
sbverify --cert "$w/db.crt" "$w/signed.efi" || fail "--sign: sbverify rejects the UKI"
! sbverify --cert "$w/db.crt" "$w/BOOTX64.EFI" 2>/dev/null || fail "the unsigned UKI verifies"
rm -f "$w/signed.raw"
echo "ok: --sign: the ESP's UKI verifies against the user's certificate"
echo "PASS"
