#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The redis example on arm64, end to end on this x86_64 host:
#  1. make-rootfs.sh with KTRIM_ARCH=arm64: Debian's arm64 redis-tools and
#     its libraries, unpacked (never installed) and closed over DT_NEEDED and
#     PT_INTERP with readelf; every ELF file in the rootfs is AArch64 and
#     every soname a binary needs is there; a busybox of another arch is
#     refused;
#  2. ktrim profile on Debian's arm64 generic kernel (TCG virt): arch arm64,
#     the generic table's names, the TCP socket redis listens on;
#  3. ktrim build --target kvm-virt-arm64 --no-bisect: verdict certified,
#     the in-guest smoke test (redis-cli set/get in the guest) and the host
#     smoke test (the host's redis-cli PING through the forwarded port).
# The kernel's build folder is kept between runs (ktrim build skips the
# make when neither the config nor the source changed); a first run builds
# it with ccache, warm from test 78 (the two trims differ by a few options).
set -euo pipefail
. "$(dirname "$0")/certify-lib.bash"
. "$(dirname "$0")/arm64-lib.bash"
: "${KTRIM:?}" "${KTRIM_TOP:?}" "${KTRIM_WORK:?}"
fail() { echo "FAIL: $*"; exit 1; }
for t in readelf file redis-cli; do
	command -v "$t" >/dev/null || fail "no $t (ci/deps.sh installs it)"
done
arm64_setup

w=$KTRIM_WORK/79-redis-arm64
mkdir -p "$w"
find "$w" -mindepth 1 -maxdepth 1 ! -name out -exec rm -rf {} +
rm -rf "$w/out/kvm-virt-arm64"

echo "== case 1: the arm64 rootfs =="
mk=$KTRIM_TOP/recipes/workloads/redis/make-rootfs.sh
KTRIM_ARCH=arm64 KTRIM_BUSYBOX=$KBUSYBOX "$mk" "$w/rootfs"
r=$w/rootfs
for f in usr/bin/redis-server usr/bin/redis-cli bin/busybox lib/ld-linux-aarch64.so.1; do
	[ -f "$r/$f" ] && [ ! -L "$r/$f" ] || fail "no file $f in the rootfs"
done
# Every ELF file is arm64, and every soname a file needs is in the rootfs
# where the arm64 ld.so looks: the closure is whole.
n=0
while IFS= read -r f; do
	readelf -h "$f" >/dev/null 2>&1 || continue
	readelf -hW "$f" >"$w/elf.h"
	grep -q 'Machine: *AArch64' "$w/elf.h" || fail "$f is not AArch64: $(grep Machine "$w/elf.h")"
	readelf -dW "$f" >"$w/elf.d" 2>/dev/null || true
	for so in $(sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' "$w/elf.d"); do
		[ -e "$r/lib/aarch64-linux-gnu/$so" ] || [ -e "$r/usr/lib/aarch64-linux-gnu/$so" ] ||
			fail "${f#"$r"} needs $so, absent from the rootfs"
	done
	n=$((n + 1))
done < <(find "$r" -type f)
[ "$n" -ge 15 ] || fail "only $n ELF files in the rootfs"
readelf -lW "$r/usr/bin/redis-server" >"$w/elf.l"
grep -q 'program interpreter: /lib/ld-linux-aarch64.so.1' "$w/elf.l" || fail "redis-server's interpreter"
echo "ok: $n AArch64 ELF files, every DT_NEEDED soname present, the interpreter in place"
# A busybox of the host's arch is refused by name, before anything is written.
if KTRIM_ARCH=arm64 KTRIM_BUSYBOX=/bin/busybox "$mk" "$w/bad-rootfs" >"$w/bad.out" 2>&1; then
	fail "took the host's busybox for arm64"
fi
grep -q '/bin/busybox is not a static arm64 busybox' "$w/bad.out" || fail "no reason: $(cat "$w/bad.out")"
[ ! -e "$w/bad-rootfs" ] || fail "wrote a rootfs anyway"
echo "ok: an x86_64 busybox refused"

echo "== case 2: the redis profile on arm64 =="
arm64_project redis "$w/ktrim.yaml"
prof=$w/profile.yaml
t0=$(date +%s.%N)
"$KTRIM" profile -f "$w/ktrim.yaml" -o "$prof"
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "arm64 redis profile (TCG virt): %.1f s wall\n", b - a }'
grep -qx 'arch: arm64' "$prof" || fail "no arch: arm64"
grep -q 'name: openat,' "$prof" && ! grep -Eq 'name: (open|stat|poll|epoll_wait),' "$prof" ||
	fail "not the arm64 generic table's names"
grep -q 'name: epoll_pwait,' "$prof" || fail "redis's event loop (epoll_pwait) is not in the profile"
grep -q 'family: AF_INET, type: SOCK_STREAM' "$prof" || fail "no TCP socket"
echo "ok: arch arm64, openat and epoll_pwait, AF_INET stream"

echo "== case 3: build and certify for kvm-virt-arm64 =="
out=$w/out
t0=$(date +%s)
"$KTRIM" build -f "$w/ktrim.yaml" --profile "$prof" --target kvm-virt-arm64 --no-bisect -o "$out" \
	2>&1 | tee "$w/build.log"
echo "build and certify: $(($(date +%s) - t0)) s wall"
d=$out/kvm-virt-arm64
cert=$d/certificate.yaml
for f in "$d/Image" "$d/initramfs.cpio.zst" "$d/.config" "$cert"; do
	[ -s "$f" ] || fail "missing $f"
done
cat "$cert"
file "$d/Image" | grep -q 'Linux kernel ARM64 boot executable Image' ||
	fail "the shipped Image is not an arm64 boot image: $(file "$d/Image")"
zstd -dc "$d/initramfs.cpio.zst" | cpio -t --quiet >"$w/initramfs.list"
grep -qx 'usr/bin/redis-server' "$w/initramfs.list" || grep -q '/usr/bin/redis-server$' "$w/initramfs.list" ||
	fail "no redis-server in the initramfs"
grep -q '^verdict: certified$' "$cert" || fail "verdict is not certified"
grep -q '^  failed: 0$' "$cert" || fail "the certificate has failed checks"
boot_checks_pass tcg
check "kernel format" pass static
grep -q 'exit status 0' "$cert" || fail "no in-guest smoke exit status 0"
[ "$(cert_sha kernel)" = "$(sha256sum "$d/Image" | cut -d' ' -f1)" ] || fail "kernel hash is not the Image's"
echo "ok: redis on kvm-virt-arm64 certified: $(grep -c '=y$' "$d/.config") =y," \
	"Image $(stat -c %s "$d/Image") bytes, boot-to-ready $(cert_field boot-to-ready-ms) ms," \
	"power-on-to-ready $(cert_field power-on-to-ready-ms) ms (TCG virt, icount)"
echo "PASS"
