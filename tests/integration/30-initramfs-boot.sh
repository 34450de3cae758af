#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Debian's generic 6.1 kernel boots a ktrim initramfs under QEMU TCG: the init
# loads virtio_pci + virtio_blk + virtio_net and their dependencies from
# Debian's module tree (in the packed order), sets eth0's address from
# ktrim.ip=, and runs a busybox workload in its own mount/pid/uts namespaces
# that reads a marker from the virtio disk (passed into its minimal /dev
# with --device), with no module helper (/proc/sys/kernel/modprobe empty). A
# second boot serves HTTP in a
# net namespace: ready when the port accepts, then a smoke test. Also:
# the static init is under 100 KB, images are reproducible, and the listing
# matches GNU cpio.
set -euo pipefail
. "$(dirname "$0")/initramfs-lib.bash"

work=$KTRIM_WORK/initramfs-boot
rm -rf "$work"
mkdir -p "$work"
need_busybox
init=$KTRIM_TOP/build/guest/ktrim-init

echo "checking: static init size"
size=$(stat -c %s "$init")
if is_static "$init" && [ "$size" -lt 102400 ]; then
	pass "ktrim-init is static, $size bytes (< 100 KB)"
else
	fail "ktrim-init: $size bytes, $(is_static "$init" && echo static || echo dynamic)"
fi

echo "checking: pack with the virtio_blk closure and a busybox workload"
make_rootfs "$work/rootfs"
marker="KTRIM-DISK-MARKER-$$"
truncate -s 1M "$work/disk.img"
printf '%s' "$marker" | dd of="$work/disk.img" conv=notrunc status=none
cmd="/bin/busybox sh -c 'echo workload-started pid=\$\$ host=\$(hostname); \
cat /proc/modules | cut -d\" \" -f1 | sed s/^/loaded:/; \
head -c ${#marker} /dev/vda; echo; ip -4 addr show eth0 | grep inet; \
ip route | grep default; echo modprobe=[\$(cat /proc/sys/kernel/modprobe)]; echo workload-done'"
pack() {
	"$KTRIM" initramfs --modules-dir "$KMODDIR" --kernel-release "$KREL" \
		--module virtio_pci --module virtio_blk --module virtio_net \
		--rootfs "$work/rootfs" \
		--namespaces mnt,pid,uts --hostname ktrim-test --device /dev/vda \
		--ready-stdout 'workload-started*' --cmd "$cmd" --level 9 -o "$1"
}
SOURCE_DATE_EPOCH=1700000000 pack "$work/a.img" 2>"$work/pack.log"
SOURCE_DATE_EPOCH=1700000000 pack "$work/b.img" 2>>"$work/pack.log"
if cmp -s "$work/a.img" "$work/b.img"; then
	pass "two packs give identical bytes ($(stat -c %s "$work/a.img") bytes)"
else
	fail "two packs differ"
fi
"$KTRIM" initramfs --list "$work/a.img" >"$work/list"
zstd -dcq "$work/a.img" >"$work/a.cpio"
if TZ=UTC cpio -tv --quiet -F "$work/a.cpio" | diff - "$work/list" >/dev/null; then
	pass "ktrim initramfs --list equals TZ=UTC cpio -tv"
else
	fail "--list differs from cpio -tv"
fi
grep -q ' init$' "$work/list" && pass "/init present" || fail "/init missing"
# The closure is whatever modules.dep says; the spec lists it in load order.
cpio -i --quiet --to-stdout etc/ktrim/spec <"$work/a.cpio" >"$work/spec"
mapfile -t mods < <(sed -n 's|^module .*/\([^/]*\)\.ko$|\1|p' "$work/spec")
want=$(for m in virtio_blk virtio_pci virtio_net; do
	sed -n "s|^\(kernel/.*/$m.ko\):|\1|p" "$KMODDIR/modules.dep" | tr ' ' '\n'
done | sed -n 's|.*/\([^/]*\)\.ko$|\1|p' | sort -u | tr '\n' ' ')
got=$(printf '%s\n' "${mods[@]}" | sort | tr '\n' ' ')
if [ "$got" = "$want" ]; then
	pass "spec lists the closure from modules.dep: ${mods[*]}"
else
	fail "spec modules '$got', modules.dep closure '$want'"
fi
echo "checking: boot under QEMU TCG"
APPEND_EXTRA=ktrim.ip=10.0.2.15/24,10.0.2.2 boot "$work/a.img" "$work/console.log" \
	-drive "file=$work/disk.img,if=virtio,format=raw" \
	-netdev user,id=n0 -device virtio-net-pci,netdev=n0
log=$work/console.log
expect_poweroff "$log"
expect_timeline_order "$log" init-start modules-loaded net-up workload-exec \
	workload-ready workload-exit poweroff
expect_line "$log" "^ktrim-timeline: modules-loaded [0-9]+ n=${#mods[@]} tsc=[0-9]+$" \
	"all ${#mods[@]} modules loaded"
for m in "${mods[@]}"; do
	expect_line "$log" "^loaded:${m//-/_}$" "module $m live in /proc/modules"
done
expect_line "$log" '^workload-started pid=1 host=ktrim-test$' \
	"workload is pid 1 of its pid namespace, with its own hostname"
expect_line "$log" "^$marker$" "workload read the marker from /dev/vda"
expect_line "$log" 'inet 10\.0\.2\.15/24 .*eth0' "eth0 has the ktrim.ip address"
expect_line "$log" '^default via 10\.0\.2\.2 dev eth0' "default route from ktrim.ip"
# No module helper in a shipped image: the kernel and the container get none.
expect_line "$log" '^modprobe=\[\]$' "/proc/sys/kernel/modprobe is empty (the init gives no helper)"
expect_line "$log" '^ktrim-timeline: workload-ready [0-9]+ via=stdout tsc=[0-9]+$' \
	"ready from the stdout pattern"
expect_line "$log" '^ktrim-timeline: workload-exit [0-9]+ status=0 tsc=[0-9]+$' \
	"exit status 0 reported"
grep -a 'ktrim-timeline' "$log.txt" | sed 's/^/    /'

echo "checking: TCP readiness and a smoke test in the workload's namespaces"
mkdir -p "$work/rootfs/www"
echo "served-by-ktrim-$$" >"$work/rootfs/www/index.html"
"$KTRIM" -q initramfs --rootfs "$work/rootfs" --namespaces mnt,pid,net,ipc \
	--cgroup memory.max=64M --cgroup pids.max=64 --readonly \
	--cmd '/bin/busybox httpd -f -p 8080 -h /www' --ready-tcp 8080 \
	--smoke '/bin/busybox wget -q -O - http://127.0.0.1:8080/' \
	--stop-grace 1 -o "$work/httpd.img"
boot "$work/httpd.img" "$work/httpd.log"
log=$work/httpd.log
expect_poweroff "$log"
expect_timeline_order "$log" init-start modules-loaded workload-exec \
	workload-ready smoke-done stop-request workload-exit poweroff
expect_line "$log" '^ktrim-timeline: workload-ready [0-9]+ via=tcp tsc=[0-9]+$' \
	"ready when 127.0.0.1:8080 accepted (inside the workload's net ns)"
expect_line "$log" "^served-by-ktrim-$$\$" "smoke test fetched the page"
expect_line "$log" '^ktrim-timeline: smoke-done [0-9]+ status=0 tsc=[0-9]+$' \
	"smoke test passed"
grep -a 'ktrim-timeline' "$log.txt" | sed 's/^/    /'
finish
