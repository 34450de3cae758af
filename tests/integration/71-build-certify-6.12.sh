#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The whole pipeline on Debian's 6.12: the busybox HTTP example profiled on
# Debian's generic 6.12 kernel, then `ktrim build` for kvm-q35 from
# linux-source-6.12 (the kernel's own make, ccache) and certified under
# QEMU TCG: every check passed, the trimmed kernel says 6.12, the hardening
# floor is there under 6.12's names. The same project profiled on 6.1
# gives the same trimmed 6.12 config: facts name no symbols. kvm-microvm on
# 6.12 is certified by hand (README, "Any kernel a distro ships"); one
# target keeps make check's time down (about 7 min here with ccache warm).
set -euo pipefail
. "$(dirname "$0")/certify-lib.bash"
: "${KTRIM:?}" "${KTRIM_TOP:?}" "${KTRIM_WORK:?}"
: "${KSRC_6_12:?}" "${KIMAGE_6_12:?}" "${KMODDIR_6_12:?}" "${KREL_6_12:?}"
export KSRC=$KSRC_6_12 KIMAGE=$KIMAGE_6_12 KMODDIR=$KMODDIR_6_12
export KTRIM_ACCEL=${KTRIM_ACCEL:-tcg}

w=$KTRIM_WORK/71-build-certify-6.12
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$w"
cp "$KTRIM_TOP/recipes/workloads/busybox-httpd/ktrim.yaml" "$w/"
"$KTRIM_TOP/recipes/workloads/busybox-httpd/make-rootfs.sh" "$w/rootfs" >/dev/null

prof=$w/profile-6.12.yaml
"$KTRIM" profile -f "$w/ktrim.yaml" -o "$prof"
grep -qx "kernel-release: \"$KREL_6_12\"" "$prof" || fail "the profile was not taken on $KREL_6_12"
grep -q 'family: AF_INET, type: SOCK_STREAM' "$prof" || fail "profile lacks AF_INET stream sockets"

out=$w/out
"$KTRIM" build -f "$w/ktrim.yaml" --profile "$prof" --target kvm-q35 --no-bisect -o "$out" \
	2>&1 | tee "$w/build.log"
d=$out/kvm-q35
cert=$d/certificate.yaml
cat "$cert"
grep -q '^  failed: 0$' "$cert" || fail "certificate has failed checks"
grep -q '^verdict: certified$' "$cert" || fail "verdict is not certified"
boot_checks_pass tcg
check "config binding" pass static
# Not grep -q: strings killed by SIGPIPE fails the pipeline (pipefail).
strings "$d/bzImage" | grep -E '^6\.12\.[0-9]+ \(ktrim@cfg-' >/dev/null || fail "the kernel is not a 6.12 ktrim build"
for sym in CONFIG_MITIGATION_RETPOLINE CONFIG_MITIGATION_PAGE_TABLE_ISOLATION \
	   CONFIG_STACKPROTECTOR_STRONG CONFIG_STRICT_KERNEL_RWX CONFIG_SECCOMP_FILTER; do
	grep -qx "$sym=y" "$d/.config" || fail "$sym is not =y in the 6.12 kernel"
done
echo "6.12 kvm-q35: $(grep -c '=y$' "$d/.config") =y, bzImage $(stat -c %s "$d/bzImage") bytes," \
	"power-on-to-ready $(cert_field power-on-to-ready-ms) ms"

# Facts are version-agnostic: the same project profiled on 6.1 trims 6.12
# to the same config. (Not test 40's profile: its smoke test adds a mount.)
prof61=$w/profile-6.1.yaml
KIMAGE=$KIMAGE_6_1 KMODDIR=$KMODDIR_6_1 "$KTRIM" profile -f "$w/ktrim.yaml" -o "$prof61"
grep -q '^kernel-release: "6\.1\.' "$prof61" || fail "$prof61 is not a 6.1 profile"
"$KTRIM" -q config --strict --ksrc "$KSRC_6_12" --profile "$prof61" --recipe kvm-q35 \
	-o "$w/from-6.1.config"
cmp "$w/from-6.1.config" "$d/.config" ||
	fail "the 6.1 profile trims 6.12 differently from the 6.12 profile"
echo "ok: the profile taken on 6.1 gives the same 6.12 kernel (certified above)"
echo "PASS"
