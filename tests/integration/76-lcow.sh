#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# LCOW boot files for hcsshim: the busybox HTTP example built for lcow ships
# `kernel` (bzImage with the EFI stub), `vmlinux` (PVH note) and
# `initrd.img`. Certification boots kernel + initrd.img on q35 under TCG with
# hcsshim's command line and an NVDIMM holding an ext4 root image, which
# ktrim's init (standing in for the GCS) mounts from /dev/pmem0 read-only
# with "noload" (the GCS adds "dax", which QEMU's raw NFIT namespace cannot
# give): ready, smoke
# test, VPMem root pass; the hv_sock/9p/VMBus parts are host-only, the
# verdict partial. Then vmlinux boots through QEMU's direct PVH entry to
# ready, and the hcsshim line the build printed names the real folder.
set -euo pipefail
: "${KTRIM:?}" "${KTRIM_TOP:?}" "${KTRIM_WORK:?}" "${KSRC:?}" "${KIMAGE:?}" "${KMODDIR:?}"
export KSRC KIMAGE KMODDIR
export KTRIM_ACCEL=${KTRIM_ACCEL:-tcg}

w=$KTRIM_WORK/76-lcow
fail() { echo "FAIL: $*"; exit 1; }
. "$(dirname "$0")/busybox-build-lib.bash"
. "$(dirname "$0")/certify-lib.bash"
busybox_project "$w"

out=$w/out
d=$out/lcow
t0=$(date +%s)
"$KTRIM" build -f "$w/ktrim.yaml" --profile "$prof" --target lcow --no-bisect --allow-partial \
	-o "$out" 2>&1 | tee "$w/build.log"
echo "build + certify: $(( $(date +%s) - t0 )) s"
for f in kernel vmlinux initrd.img .config certificate.yaml SHA256SUMS; do
	[ -s "$d/$f" ] || fail "missing $d/$f"
done
cert=$d/certificate.yaml
cat "$cert"
grep -q '^verdict: partial$' "$cert" || fail "verdict is not partial"
grep -q '^  failed: 0$' "$cert" || fail "certificate has failed checks"
check "kernel format" pass static
check "vmlinux format" pass static
check "config binding" pass static
for o in NET_9P_FD HYPERV_VSOCKETS BLK_DEV_PMEM ACPI_NFIT DAX FS_DAX NVDIMM_PFN DM_VERITY CGROUP_BPF EFI_STUB PVH; do
	check "option CONFIG_$o" pass static
done
check "host-only devices" not-run not-run
check "boot to init" pass tcg
check "workload ready" pass tcg
check "smoke test" pass tcg
check "VPMem root" pass tcg
check "clean power-off" pass tcg
grep -q 'the init mounted it: dev=/dev/pmem0 dir=/run/vpmem0 type=ext4 options=noload"$' "$cert" ||
	fail "the init's mount of /dev/pmem0 (read-only, noload) is not in the certificate"
"$KTRIM" target-info lcow --field cmdline >"$w/cmdline"
grep -q 'initcall_blacklist=virtio_vsock_init pci=off nr_cpus=1 brd.rd_nr=0 pmtmr=0' "$w/cmdline" ||
	fail "lcow's command line is not hcsshim's"
(cd "$d" && sha256sum -c SHA256SUMS) || fail "SHA256SUMS does not verify"

# The printed hcsshim setting names the folder that holds the three files.
dir=$(sed -n "s/.*bootfilesrootpath (or runhcs option boot_files_root_path) = '\\([^']*\\)'.*/\\1/p" \
	"$w/build.log" | head -1)
[ "$dir" = "$d" ] || fail "hcsshim is pointed at '$dir', not $d"
for f in kernel vmlinux initrd.img; do [ -s "$dir/$f" ] || fail "$dir has no $f"; done
echo "ok: the printed hcsshim boot files path holds kernel, vmlinux, initrd.img"

# vmlinux through QEMU's direct PVH boot (hcsshim's KernelDirect counterpart).
timeout 300 qemu-system-x86_64 -machine q35 -accel tcg -m 256 -nodefaults -display none \
	-no-reboot -serial stdio -kernel "$d/vmlinux" -initrd "$d/initrd.img" \
	-append "$("$KTRIM" target-info lcow --field cmdline)" </dev/null >"$w/pvh.log" 2>&1 &
qpid=$!
for _ in $(seq 1 300); do
	grep -aq '^ktrim-timeline: workload-ready ' "$w/pvh.log" && break
	kill -0 "$qpid" 2>/dev/null || break
	sleep 1
done
kill "$qpid" 2>/dev/null || true
wait "$qpid" 2>/dev/null || true
grep -aq '^ktrim-timeline: workload-ready ' "$w/pvh.log" || { tail -20 "$w/pvh.log"; fail "vmlinux (PVH) never got ready"; }
echo "ok: vmlinux booted through the PVH entry to ready"
echo "options =y: $(grep -c '=y$' "$d/.config")"
echo "PASS"
