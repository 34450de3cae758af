#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the bench workload rootfs (WORKLOAD=busybox-httpd, the default, or
# WORKLOAD=redis; names below get "-redis" for the latter), as
#   $BENCH_WORK/rootfs/          the tree
#   $BENCH_WORK/rootfs.ext4      ext4 image (mke2fs -d) for root=/dev/vda
#   $BENCH_WORK/rootfs.cpio.zst  the same tree as an initramfs (/init)
# redis: the tree of recipes/workloads/redis/make-rootfs.sh (Debian's redis
# with its libraries); the init starts redis-server, waits for 6379 and sets
# and gets a key with redis-cli as smoke test, as the example's own spec does.
# Its /sbin/init (also /init) is a shell script that prints the timeline
# contract lines through ktrim-stamp (bench/guest/ktrim-stamp.c, static musl),
# serves /www with `busybox httpd`, waits for port 80, fetches the page with
# `busybox wget` as smoke test, prints `smoke-done status=S` (0 = the page came
# back intact, as ktrim's init reports its smoke test) and powers off.
# With `ktrim.bench=lsmod` on the kernel command line it also prints
# /proc/modules between `ktrim-lsmod: begin` and `ktrim-lsmod: end`.
# Prints ROOTFS_DIR, ROOTFS_EXT4 and ROOTFS_CPIO as shell assignments.
set -euo pipefail
BENCH_NAME=rootfs
. "$(dirname "$0")/lib.sh"

busybox=${BUSYBOX:-/bin/busybox}
file "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	die "$busybox is not a static busybox (apt-get install busybox-static)"
command -v musl-gcc >/dev/null || die "musl-gcc missing (apt-get install musl-tools)"

workload=${WORKLOAD:-busybox-httpd}
case $workload in
busybox-httpd) sfx= port=80 ;;
redis) sfx=-redis port=6379 ;;
*) die "unknown WORKLOAD $workload (busybox-httpd, redis)" ;;
esac
out=$BENCH_WORK
root=$out/rootfs$sfx
stamp=$out/ktrim-stamp
src=$bench_dir/guest/ktrim-stamp.c
cycles=$KTRIM_TOP/initramfs/init/cycles.h
if [ ! -x "$stamp" ] || [ "$src" -nt "$stamp" ] || [ "$cycles" -nt "$stamp" ]; then
	progress "musl-gcc -static ktrim-stamp"
	musl-gcc -static -Os -Wall -Wextra -Werror -I"$KTRIM_TOP" -o "$stamp.tmp" "$src"
	strip "$stamp.tmp" && mv "$stamp.tmp" "$stamp"
fi

rm -rf "$root.tmp"
if [ "$workload" = redis ]; then
	progress "redis tree (recipes/workloads/redis/make-rootfs.sh)"
	"$KTRIM_TOP/recipes/workloads/redis/make-rootfs.sh" "$root.tmp" >&2
	rm -f "$root.tmp"/bin/{sh,grep,cat}
fi
mkdir -p "$root.tmp"/{bin,sbin,proc,sys,dev,tmp,run,www,etc,root}
cp "$busybox" "$root.tmp/bin/busybox"
cp "$stamp" "$root.tmp/bin/ktrim-stamp"
for a in sh mount umount mkdir cat cmp grep sleep kill sync dmesg ip httpd wget poweroff; do
	ln -s busybox "$root.tmp/bin/$a"
done
printf '<html><body>ktrim bench: busybox httpd</body></html>\n' > "$root.tmp/www/index.html"
echo 'root:x:0:0:root:/root:/bin/sh' > "$root.tmp/etc/passwd"
echo 'root:x:0:' > "$root.tmp/etc/group"
cat > "$root.tmp/sbin/init" <<'INIT'
#!/bin/sh
# ktrim bench workload init: timeline, the workload, smoke test, power-off.
export PATH=/usr/bin:/bin:/sbin
/bin/ktrim-stamp init-start
@WORKLOAD_FUNCTIONS@
# An initramfs may already have moved /proc, /sys and /dev onto the root.
[ -e /proc/mounts ] || mount -t proc proc /proc
grep -q ' /sys ' /proc/mounts || mount -t sysfs sysfs /sys
grep -q ' /dev ' /proc/mounts || mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
ip link set lo up
# The kernel's "Run ... as init process" lines carry its printk timestamp even
# when the console is quiet.
dmesg | grep -E 'Run .* as init process'
n=$(grep -c . /proc/modules 2>/dev/null || echo 0)
ktrim-stamp modules-loaded n="$n"
start_workload
pid=$!
ktrim-stamp workload-exec pid=$pid
if ktrim-stamp -w @PORT@ workload-ready; then
	if smoke_test; then
		ktrim-stamp smoke-done status=0
	else
		ktrim-stamp smoke-done status=1
	fi
else
	echo "bench init: port @PORT@ never accepted"
	ktrim-stamp smoke-done status=255
fi
# After the smoke test, so modules the workload made the kernel load count too.
case " $(cat /proc/cmdline) " in
*" ktrim.bench=lsmod "*)
	echo "ktrim-lsmod: begin"; cat /proc/modules; echo "ktrim-lsmod: end" ;;
esac
kill $pid
wait $pid
ktrim-stamp workload-exit status=$?
ktrim-stamp poweroff
sync
poweroff -f
INIT
if [ "$workload" = redis ]; then
	funcs='start_workload() {
	cd /data && HOME=/data redis-server --port 6379 --bind 127.0.0.1 --save "" \\
		--appendonly no --daemonize no --dir /data >/tmp/redis.log 2>&1 &
}
smoke_test() {
	redis-cli set ktrim works >/dev/null && [ "$(redis-cli get ktrim)" = works ]
}'
else
	funcs='start_workload() { httpd -f -p 127.0.0.1:80 -h /www & }
smoke_test() {
	wget -q -O /tmp/page http://127.0.0.1/index.html && cmp -s /tmp/page /www/index.html
}'
fi
awk -v f="$funcs" -v p="$port" '$0 == "@WORKLOAD_FUNCTIONS@" { print f; next } { gsub(/@PORT@/, p); print }' \
	"$root.tmp/sbin/init" > "$root.tmp/sbin/init.new"
mv "$root.tmp/sbin/init.new" "$root.tmp/sbin/init"
chmod 755 "$root.tmp/sbin/init"
ln -s sbin/init "$root.tmp/init"
rm -rf "$root" && mv "$root.tmp" "$root"

# Fixed UUID, hash seed and timestamps keep the image the same across runs.
export E2FSPROGS_FAKE_TIME=${SOURCE_DATE_EPOCH:-1700000000}
find "$root" -exec touch -h -d "@$E2FSPROGS_FAKE_TIME" {} +
# Twice the tree, at least the 16 MB the busybox image has always had.
size=$(( ($(du -sm "$root" | cut -f1) + 1) * 2 ))
[ "$size" -ge 16 ] || size=16
size=${size}M
progress "mke2fs -d rootfs$sfx.ext4 ($size)"
rm -f "$out/rootfs.ext4.tmp"
mke2fs -q -t ext4 -L benchroot -U 6b74726d-6265-6e63-6800-000000000001 \
	-E root_owner=0:0,hash_seed=6b74726d-6265-6e63-6800-000000000002 \
	-d "$root" "$out/rootfs$sfx.ext4.tmp" "$size" >&2
mv "$out/rootfs$sfx.ext4.tmp" "$out/rootfs$sfx.ext4"
progress "cpio | zstd rootfs$sfx.cpio.zst"
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible) | zstd -q -19 -T1 > "$out/rootfs$sfx.cpio.zst.tmp"
mv "$out/rootfs$sfx.cpio.zst.tmp" "$out/rootfs$sfx.cpio.zst"
echo "ROOTFS_DIR=$root"
echo "ROOTFS_EXT4=$out/rootfs$sfx.ext4"
echo "ROOTFS_CPIO=$out/rootfs$sfx.cpio.zst"
