#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# ktrim profile on Debian's generic kernel under QEMU TCG, busybox httpd:
#  1. the profile holds AF_INET stream sockets, the filesystems the runtime
#     mounted (the shipped init's: proc, sysfs, cgroup2, mqueue; no overlay),
#     a module the smoke test makes the kernel request (minix, by asking
#     mount(2) for that type), and the syscalls busybox httpd really makes
#     (accept + sendfile: what strace shows for this busybox build);
#  2. a failing smoke test makes ktrim profile exit 1 and show its output.
set -euo pipefail
: "${KTRIM:?}" "${KTRIM_TOP:?}" "${KTRIM_WORK:?}" "${KIMAGE:?}" "${KMODDIR:?}"
export KIMAGE KMODDIR KSRC
for t in qemu-system-x86_64 busybox; do
	command -v "$t" >/dev/null || { echo "no $t on this machine"; exit 77; }
done
[ -r "$KIMAGE" ] && [ -d "$KMODDIR" ] || { echo "no profiling kernel in the cache"; exit 77; }
export KTRIM_ACCEL=${KTRIM_ACCEL:-tcg}

w=$KTRIM_WORK/40-profile-busybox
rm -rf "$w"
mkdir -p "$w"
# The smoke test also asks for a filesystem type Debian builds as a module:
# the kernel's request_module("fs-minix") goes through the agent's helper.
# mount(2) checks CAP_SYS_ADMIN before it looks the type up, and Docker's
# default set lacks it: the project adds that one capability (not
# privileged: that would also change /dev, /sys and the masks, so the
# profile, and needs nothing else; "none" is no device, so no devices:).
sed 's|command: "wget|command: "busybox mount -t minix none /tmp 2>/dev/null; wget|
	s|^  cwd: /$|  cwd: /\n  cap-add: [SYS_ADMIN]|' \
	"$KTRIM_TOP/recipes/workloads/busybox-httpd/ktrim.yaml" >"$w/ktrim.yaml"
grep -q 'mount -t minix' "$w/ktrim.yaml" || { echo "FAIL: could not add the mount"; exit 1; }
grep -q 'cap-add: \[SYS_ADMIN\]' "$w/ktrim.yaml" || { echo "FAIL: could not add SYS_ADMIN"; exit 1; }
"$KTRIM_TOP/recipes/workloads/busybox-httpd/make-rootfs.sh" "$w/rootfs"

fail() { echo "FAIL: $*"; exit 1; }
has() { # kind regex
	awk -v k="  $1:" '$0 == k || index($0, k) == 1 { on = 1; next } /^  [a-z]/ { on = 0 } on' \
		"$w/profile.yaml" | grep -Eq "$2" || fail "profile has no $1 matching '$2'"
	echo "ok: $1 ~ $2"
}

echo "== case 1: busybox httpd profile =="
t0=$(date +%s.%N)
"$KTRIM" profile -f "$w/ktrim.yaml" -o "$w/profile.yaml"
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "full profile run: %.1f s (target < 90 s under TCG)\n", b - a }'
head -3 "$w/profile.yaml" | grep -q '^ktrim-profile: 1$' || fail "no version line"
grep -q "^kernel-release: \"\?$(basename "$KMODDIR")\"\?$" "$w/profile.yaml" || fail "kernel release"
has sockets 'family: AF_INET, type: SOCK_STREAM'
has filesystems 'name: proc, count: [0-9]+, first: ktrim-agent'
has filesystems 'name: sysfs'
has filesystems 'name: cgroup2'
has filesystems 'name: mqueue'
! grep -q 'name: overlay' "$w/profile.yaml" || fail "the profiling runtime used overlay"
echo "ok: no overlay (the shipped runtime has none)"
has modules 'name: minix, count: [0-9]+, first: [a-z]+'
has syscalls 'name: accept[4]?,'
has syscalls 'name: sendfile,'
has syscalls 'name: listen,'
has namespaces 'name: pid,'
# The container shares the VM's network namespace (ktrim.yaml's default).
! awk '/^  namespaces:/ { on = 1; next } /^  [a-z]/ { on = 0 } on' "$w/profile.yaml" |
	grep -q 'name: net,' || fail "the workload got its own net namespace"
echo "ok: no net namespace (the workload shares the VM's)"
has cgroups 'name: memory,'
# the profile is valid input for the loader the trimmer uses, and merging
# it with itself doubles counts
"$KTRIM" profile --merge "$w/profile.yaml" "$w/profile.yaml" -o "$w/merged.yaml"
a=$(grep -E 'name: sendfile,' "$w/profile.yaml" | sed 's/.*count: \([0-9]*\).*/\1/')
b=$(grep -E 'name: sendfile,' "$w/merged.yaml" | sed 's/.*count: \([0-9]*\).*/\1/')
[ "$b" -eq $((2 * a)) ] || fail "merge: sendfile count $a -> $b"
echo "ok: merge adds counts ($a -> $b)"

echo "== case 2: a failing smoke test =="
sed 's|command: "wget.*|command: "wget -q -O - http://127.0.0.1/missing.html"|' \
	"$KTRIM_TOP/recipes/workloads/busybox-httpd/ktrim.yaml" > "$w/failing.yaml"
grep -q missing.html "$w/failing.yaml" || fail "could not make the failing project"
set +e
"$KTRIM" profile -f "$w/failing.yaml" -o "$w/failing.profile.yaml" > "$w/failing.out" 2>&1
rc=$?
set -e
cat "$w/failing.out"
[ "$rc" -eq 1 ] || fail "ktrim profile exited $rc for a failing smoke test"
grep -q '404' "$w/failing.out" || fail "the smoke test's output (404) is not shown"
grep -q 'smoke test failed with status' "$w/failing.out" || fail "no failure reason"
[ ! -e "$w/failing.profile.yaml" ] || fail "a profile was written for a failed run"
echo "ok: failing smoke test -> exit 1 with its output"
