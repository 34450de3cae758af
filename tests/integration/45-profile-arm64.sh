#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# ktrim profile on arm64: the busybox httpd example (arm64 busybox-static)
# on Debian's arm64 generic kernel (KTRIM_ARCH=arm64 ci/kernel-cache.sh)
# under qemu-system-aarch64 -M virt, TCG, with the cross-built arm64 agent:
#  1. the profile records arch: arm64 and the arm64 kernel release, the
#     arm64 syscall names (openat, newfstatat; none of x86's legacy open,
#     stat; no number the agent's table lacks), the sockets, and a module
#     the kernel requested through the module helper (minix, resolved by
#     busybox's modprobe: profiling.modprobe); the timeline carries the
#     architected counter and its rate (tsc= hz=);
#  2. an arm64 project without profiling.modprobe is refused before a boot;
#  3. an x86_64 profile of the same workload (test 40's, or taken here) and
#     the arm64 one merge: arch x86_64+arm64, both ABIs' names; the merged
#     profile trims for kvm-q35 on x86 without warnings, and for
#     kvm-virt-arm64 with only the x86-only arch_prctl named as absent and
#     the target's boot checks =y.
set -euo pipefail
: "${KTRIM:?}" "${KTRIM_TOP:?}" "${KTRIM_WORK:?}" "${KSRC:?}"
x86_image=${KIMAGE:-} x86_moddir=${KMODDIR:-}
for t in qemu-system-aarch64 qemu-system-x86_64 file; do
	command -v "$t" >/dev/null || { echo "no $t on this machine (ci/deps.sh installs it)"; exit 77; }
done
agent=$KTRIM_TOP/build/guest/arm64/ktrim-agent
[ -x "$agent" ] ||
	{ echo "no arm64 guest programs (make needs aarch64-linux-gnu-gcc)"; exit 77; }
eval "$(KTRIM_ARCH=arm64 "$KTRIM_TOP/ci/kernel-cache.sh")"
export KIMAGE KMODDIR KSRC KBUSYBOX
export KTRIM_DATADIR=$KTRIM_TOP

w=$KTRIM_WORK/45-profile-arm64
rm -rf "$w"
mkdir -p "$w"
fail() { echo "FAIL: $*"; exit 1; }
has() { # file kind regex
	awk -v k="  $2:" '$0 == k || index($0, k) == 1 { on = 1; next } /^  [a-z]/ { on = 0 } on' \
		"$1" | grep -Eq "$3" || fail "$1: no $2 matching '$3'"
	echo "ok: $2 ~ $3"
}
hasnt() { # file kind regex
	if awk -v k="  $2:" '$0 == k || index($0, k) == 1 { on = 1; next } /^  [a-z]/ { on = 0 } on' \
		"$1" | grep -Eq "$3"; then fail "$1: $2 matching '$3'"; fi
	echo "ok: no $2 ~ $3"
}

# The example for arm64: its busybox, arch:, the modprobe the helper runs;
# the smoke test also asks for a filesystem Debian builds as a module (as
# test 40 does), so the kernel's request_module goes through the helper.
sed 's|command: "wget|command: "busybox mount -t minix none /tmp 2>/dev/null; wget|
	s|^  cwd: /$|  cwd: /\n  cap-add: [SYS_ADMIN]|
	s|^  timeout: 240$|  timeout: 240\n  modprobe: ${KBUSYBOX}|' \
	"$KTRIM_TOP/recipes/workloads/busybox-httpd/ktrim.yaml" >"$w/ktrim.yaml"
echo "arch: arm64" >>"$w/ktrim.yaml"
for want in 'mount -t minix' 'cap-add: \[SYS_ADMIN\]' 'modprobe: \${KBUSYBOX}'; do
	grep -q "$want" "$w/ktrim.yaml" || fail "could not edit the project ($want)"
done
KTRIM_BUSYBOX=$KBUSYBOX "$KTRIM_TOP/recipes/workloads/busybox-httpd/make-rootfs.sh" "$w/rootfs"
file -L "$w/rootfs/bin/busybox" >"$w/busybox.file"
grep -q 'ARM aarch64' "$w/busybox.file" || fail "the rootfs busybox is not arm64: $(cat "$w/busybox.file")"

echo "== case 1: the busybox httpd profile on arm64 =="
t0=$(date +%s.%N)
"$KTRIM" profile -f "$w/ktrim.yaml" -o "$w/profile.yaml"
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "arm64 profile run (TCG virt): %.1f s wall\n", b - a }'
p=$w/profile.yaml
grep -qx 'arch: arm64' "$p" || fail "no arch: arm64"
grep -q "^kernel-release: \"\?$KREL\"\?$" "$p" || fail "kernel release is not $KREL"
echo "ok: arch arm64, kernel $KREL"
has "$p" syscalls 'name: openat,'
has "$p" syscalls 'name: newfstatat,'
has "$p" syscalls 'name: accept[4]?,'
has "$p" syscalls 'name: sendfile,'
hasnt "$p" syscalls 'name: (open|stat|lstat|poll|access|pipe|dup2|fork),'
# a number the agent's table does not name would show as "arm64:NR"
hasnt "$p" syscalls 'name: "?(arm64|arm|x86_64|i386):'
has "$p" sockets 'family: AF_INET, type: SOCK_STREAM'
has "$p" filesystems 'name: proc,'
has "$p" modules 'name: minix, count: [0-9]+, first: [a-z]+'
console=$w/profile.yaml.work/console.log
grep -Eq '^ktrim-timeline: init-start [0-9]+ tsc=[0-9]+ hz=[1-9][0-9]* ' "$console" ||
	fail "no counter and rate in the timeline: $(grep -m1 ktrim-timeline "$console")"
# boot to ready in guest time: the architected counter from reset, at its rate
ready=$(grep -m1 '^ktrim-timeline: workload-ready' "$console")
awk -v r="$ready" 'BEGIN {
	n = split(r, f, " "); for (i = 1; i <= n; i++) { split(f[i], kv, "="); v[kv[1]] = kv[2] }
	if (!v["hz"]) exit 1
	printf "arm64 power-on to workload-ready (guest counter): %.2f s at %d Hz\n", v["tsc"] / v["hz"], v["hz"] }' ||
	fail "workload-ready has no counter rate"

echo "== case 2: arm64 without profiling.modprobe =="
sed '/modprobe:/d' "$w/ktrim.yaml" >"$w/nomodprobe.yaml"
if "$KTRIM" profile -f "$w/nomodprobe.yaml" -o "$w/nomodprobe.profile.yaml" >"$w/nomodprobe.out" 2>&1; then
	fail "profiled arm64 without a modprobe"
fi
grep -q 'profiling.modprobe must name a static arm64' "$w/nomodprobe.out" ||
	fail "no reason: $(cat "$w/nomodprobe.out")"
[ ! -e "$w/nomodprobe.profile.yaml.work/console.log" ] || fail "it booted anyway"
echo "ok: refused before booting: $(grep -o 'arch arm64.*' "$w/nomodprobe.out" | head -n 1)"

echo "== case 3: merged with the x86_64 profile =="
x86=$KTRIM_WORK/40-profile-busybox/profile.yaml
if [ ! -s "$x86" ]; then
	[ -r "$x86_image" ] || { echo "no x86 profiling kernel in the cache"; exit 77; }
	mkdir -p "$w/x86"
	cp "$KTRIM_TOP/recipes/workloads/busybox-httpd/ktrim.yaml" "$w/x86/"
	"$KTRIM_TOP/recipes/workloads/busybox-httpd/make-rootfs.sh" "$w/x86/rootfs" >/dev/null
	x86=$w/x86/profile.yaml
	KIMAGE=$x86_image KMODDIR=$x86_moddir KTRIM_ACCEL=${KTRIM_ACCEL:-tcg} \
		"$KTRIM" profile -f "$w/x86/ktrim.yaml" -o "$x86"
fi
has "$x86" syscalls 'name: (open|stat|poll|access|arch_prctl),'
"$KTRIM" profile --merge "$x86" "$p" -o "$w/merged.yaml"
m=$w/merged.yaml
grep -qx 'arch: x86_64+arm64' "$m" || fail "merged arch: $(grep '^arch' "$m")"
# merging again adds no arch twice
"$KTRIM" profile --merge "$m" "$p" -o "$w/merged2.yaml"
grep -qx 'arch: x86_64+arm64' "$w/merged2.yaml" || fail "re-merged arch: $(grep '^arch' "$w/merged2.yaml")"
has "$m" syscalls 'name: openat,'
has "$m" syscalls 'name: newfstatat,'
echo "ok: merged arch x86_64+arm64, both ABIs' names"
"$KTRIM" config --ksrc "$KSRC" --profile "$m" --recipe kvm-q35 -o "$w/x86.config" \
	--report "$w/x86.report.yaml" 2>"$w/x86.err"
grep -qx 'CONFIG_X86_64=y' "$w/x86.config" || fail "x86 config is not x86_64"
grep -qx 'CONFIG_NET=y' "$w/x86.config" || fail "x86 config lacks NET"
sed -n '/^warnings:/,/^symbols:/p' "$w/x86.report.yaml" >"$w/x86.warnings"
grep -q '^  \[\]' "$w/x86.warnings" || fail "x86 trim warned: $(cat "$w/x86.warnings")"
echo "ok: the merged profile trims for kvm-q35 (x86_64), no warnings"
"$KTRIM" config --ksrc "$KSRC" --arch arm64 --profile "$m" --recipe kvm-virt-arm64 \
	-o "$w/arm64.config" --report "$w/arm64.report.yaml" 2>"$w/arm64.err"
grep -qx 'CONFIG_ARM64=y' "$w/arm64.config" || fail "arm64 config is not ARM64"
grep -qx 'CONFIG_NET=y' "$w/arm64.config" || fail "arm64 config lacks NET"
sed -n '/^warnings:/,/^symbols:/p' "$w/arm64.report.yaml" >"$w/arm64.warnings"
grep -q 'nothing to enable for: syscall arch_prctl ' "$w/arm64.warnings" ||
	fail "arm64 trim: no word of x86's arch_prctl: $(cat "$w/arm64.warnings")"
[ "$(grep -c '^  - ' "$w/arm64.warnings")" -eq 1 ] || fail "arm64 trim warned more: $(cat "$w/arm64.warnings")"
for c in $(sed -n '/check:/,/]/p' "$KTRIM_TOP/recipes/targets/kvm-virt-arm64.yaml" | grep -o 'CONFIG_[A-Z0-9_]*'); do
	grep -qx "$c=y" "$w/arm64.config" || fail "arm64 trim: boot check $c is not =y"
done
echo "ok: the merged profile trims for kvm-virt-arm64 (only x86's arch_prctl is absent there)"
echo "PASS"
