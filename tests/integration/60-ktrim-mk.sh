#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# ci/ktrim.mk from a kernel CI's point of view: a throwaway Makefile
# includes it, `make ktrim-config` writes the trimmed .config and report
# into $(O), `make ktrim-initramfs` packs the project's workload, and a
# missing KSRC is a clear usage error.
set -euo pipefail
: "${KTRIM_TOP:?}" "${KTRIM_WORK:?}" "${KSRC:?}"
export KSRC
fail() { echo "FAIL: $*"; exit 1; }

w=$KTRIM_WORK/60-ktrim-mk
rm -rf "$w"
mkdir -p "$w/app"
cp "$KTRIM_TOP/recipes/workloads/busybox-httpd/ktrim.yaml" "$w/app/"
"$KTRIM_TOP/recipes/workloads/busybox-httpd/make-rootfs.sh" "$w/app/rootfs" >/dev/null
cp "$KTRIM_TOP/tests/fixtures/trim/httpd.profile.yaml" "$w/app/ktrim.profile.yaml"
# As in a kernel CI: KSRC is a make variable of the job's Makefile, not in
# the environment, and the profiling kernel the project names through
# ${KIMAGE} and ${KMODDIR} is not there (no step here profiles).
ci_make() { env -u KSRC -u KIMAGE -u KMODDIR make -C "$w" "$@"; }

cat > "$w/Makefile" <<MK
KSRC          := $KSRC
O             := out
KTRIM_PROJECT := app/ktrim.yaml
KTRIM_PROFILE := app/ktrim.profile.yaml
KTRIM_TARGETS := kvm-q35
include $KTRIM_TOP/ci/ktrim.mk
show-ksrc:
	@echo "ksrc=\$\$KSRC"
MK

ci_make ktrim-config
[ -s "$w/out/.config" ] || fail "no out/.config"
[ -s "$w/out/ktrim-report.yaml" ] || fail "no out/ktrim-report.yaml"
grep -qx 'CONFIG_VIRTIO_PCI=y' "$w/out/.config" || fail "kvm-q35 recipe not applied"
grep -qx 'CONFIG_INET=y' "$w/out/.config" || fail "profile's AF_INET not applied"
echo "ok: ktrim-config wrote $(grep -c '=y$' "$w/out/.config") options =y"

ci_make ktrim-initramfs
"$KTRIM_TOP/ktrim" initramfs --list "$w/out/ktrim-initramfs.cpio.zst" > "$w/list"
grep -q ' init$' "$w/list" || fail "no /init in the image"
grep -q ' rootfs/bin/busybox$' "$w/list" || fail "no workload in the image"
echo "ok: ktrim-initramfs packed the workload without KIMAGE and KMODDIR"

[ "$(ci_make -s show-ksrc)" = "ksrc=$KSRC" ] || fail "ktrim.mk does not export KSRC"
echo "ok: the commands ktrim.mk runs see its KSRC"

if ci_make ktrim-config KSRC= > "$w/nokrsc.log" 2>&1; then
	fail "ktrim-config without KSRC succeeded"
fi
grep -q 'set KSRC' "$w/nokrsc.log" || fail "no clear message without KSRC"
echo "ok: missing KSRC is refused"
echo PASS
