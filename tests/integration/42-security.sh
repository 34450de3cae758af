#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The OCI runtime's security defaults in a certify boot: Debian's generic
# 6.1 kernel under QEMU TCG boots `ktrim initramfs --project` with the
# project's certification overlay appended, as `ktrim certify` does. The
# workload and its smoke test (the launcher's other entry) each run the
# same probes as root; with the defaults:
#   - mount(2), reboot(2) (busybox `reboot -f`; the VM keeps running) and
#     opening /dev/mem (absent; a node made with mknod, which Docker's set
#     allows, still needs CAP_SYS_RAWIO) fail with EPERM or ENOENT;
#   - /sys and /proc/sys are read-only, /proc/kcore and /proc/keys read
#     empty, /sys/firmware is an empty directory;
#   - CapBnd = CapPrm = CapEff = Docker's 14 (0x00000000a80425fb), CapInh and
#     CapAmb 0, NoNewPrivs 1; /dev is the minimal one, plus /dev/vda from
#     `devices:`, which the workload reads a marker from;
#   - the smoke test reaches the service and passes.
# With `privileged: true` the same probes show every capability (CapBnd
# 000001ffffffffff on 6.1), NoNewPrivs 0, a working mount, a read-write
# /sys, /proc/kcore readable and the VM's whole devtmpfs. A third project
# runs as `user: web` (a name of the rootfs's /etc/passwd, its groups from
# /etc/group, its HOME) with cap-add NET_ADMIN, cap-drop MKNOD and rlimits;
# a fourth, rooted at the image's own / (no --rootfs), gets the same view.
set -euo pipefail
. "$(dirname "$0")/initramfs-lib.bash"

work=$KTRIM_WORK/42-security
rm -rf "$work"
mkdir -p "$work"
need_busybox
make_rootfs "$work/rootfs"
mkdir -p "$work/rootfs/mnt"
marker="KTRIM-SEC-MARKER-$$"
truncate -s 1M "$work/disk.img"
printf '%s' "$marker" | dd of="$work/disk.img" conv=notrunc status=none
# probe.sh TAG [priv]: one "TAG what result" line per probe (stderr folded
# in). Not reboot(2) when privileged: with CAP_SYS_BOOT in a pid namespace it
# kills the namespace's init, the workload.
cat >"$work/rootfs/probe.sh" <<'EOF'
#!/bin/sh
t=$1
bb=/bin/busybox
say() { echo "$t $*"; }
try() { # what command...: "what ok" or "what failed: <error>"
	w=$1
	shift
	if out=$("$@" 2>&1); then say "$w ok"; else say "$w failed: $(echo $out | $bb tr -s ' ')"; fi
}
# awk's own sets: a child of this shell, root, so the same as the shell's
$bb awk -v t="$t" '/^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):/ { print t, "status", $1, $2 }' \
	/proc/self/status
try mount $bb mount -t tmpfs none /mnt
if [ "$2" != priv ]; then
	try reboot $bb reboot -f
	say after-reboot still running
fi
try dev-mem $bb head -c 1 /dev/mem
try mknod-mem $bb sh -c "$bb rm -f /tmp/mem$t; $bb mknod /tmp/mem$t c 1 1 && $bb head -c 1 /tmp/mem$t >/dev/null"
try sys-write $bb sh -c 'echo 9000 >/sys/class/net/lo/mtu'
try proc-sys-write $bb sh -c 'echo ktrim >/proc/sys/kernel/domainname'
say kcore $($bb head -c 4 /proc/kcore | $bb wc -c)
say keys $($bb wc -c </proc/keys)
say mounts " $($bb awk '$5 ~ /^\/(proc|sys)\// { print $5 }' /proc/self/mountinfo | $bb sort | $bb tr '\n' ' ')"
say firmware $($bb ls /sys/firmware | $bb wc -l)
say sys-mount $($bb awk '$5 == "/sys" { print $6 }' /proc/self/mountinfo | $bb cut -d, -f1)
say dev $($bb ls /dev | $bb tr '\n' ' ')
EOF
chmod 755 "$work/rootfs/probe.sh"
cat >"$work/ktrim.yaml" <<EOF
name: security
workload:
  rootfs: rootfs
  command: [/bin/sh, -c, "/probe.sh WL; /bin/busybox head -c ${#marker} /dev/vda; echo; /bin/busybox mkdir -p /tmp/www; echo sec-served >/tmp/www/index.html; exec /bin/busybox httpd -f -p 8080 -h /tmp/www"]
  env: {PATH: /bin}
  devices: [/dev/vda]
  ready: {tcp-port: 8080, timeout: 60}
  smoke-test:
    command: "/probe.sh SMOKE; /bin/busybox wget -q -O - http://127.0.0.1:8080/"
    timeout: 60
EOF
sed 's/^  devices: .*/  privileged: true/; s|/probe.sh WL|/probe.sh WL priv|; s|/probe.sh SMOKE|/probe.sh SMOKE priv|' \
	"$work/ktrim.yaml" >"$work/privileged.yaml"

# image + zero padding to 4 bytes + the project's overlay: what certify boots
certify_image() { # project, image
	"$KTRIM" -q initramfs --project "$1" --modules-dir "$KMODDIR" --kernel-release "$KREL" \
		--module virtio_pci --module virtio_blk --stop-grace 1 -o "$2.base"
	"$KTRIM" -q initramfs --project "$1" --overlay -o "$2.overlay"
	cp "$2.base" "$2"
	truncate -s %4 "$2"
	cat "$2.overlay" >>"$2"
}

# expect TAG what regex: the probe's line matches
expect() {
	expect_line "$log" "^$1 $2 $3\$" "$1: $2 $3"
}

echo "checking: the defaults (workload and smoke test as root)"
certify_image "$work/ktrim.yaml" "$work/sec.img"
log=$work/sec.log
boot "$work/sec.img" "$log" -drive "file=$work/disk.img,if=virtio,format=raw"
expect_poweroff "$log"
expect_timeline_order "$log" init-start modules-loaded workload-exec workload-ready \
	smoke-done stop-request workload-exit poweroff
for t in WL SMOKE; do
	expect $t "status CapBnd:" 00000000a80425fb
	expect $t "status CapPrm:" 00000000a80425fb
	expect $t "status CapEff:" 00000000a80425fb
	expect $t "status CapInh:" 0000000000000000
	expect $t "status CapAmb:" 0000000000000000
	expect $t "status NoNewPrivs:" 1
	# busybox's words for EPERM from mount(2)
	expect $t mount 'failed: mount: permission denied \(are you root\?\)'
	expect $t reboot 'failed: .*Operation not permitted'
	expect $t after-reboot 'still running'
	expect $t dev-mem "failed: .*No such file or directory"
	expect $t mknod-mem 'failed: .*Operation not permitted'
	expect $t sys-write 'failed: .*Read-only file system'
	expect $t proc-sys-write 'failed: .*Read-only file system'
	expect $t kcore 0
	expect $t keys 0
	expect $t firmware 0
	for m in /proc/kcore /proc/keys /proc/timer_list /proc/bus /proc/fs /proc/irq /proc/sys \
		/proc/sysrq-trigger /sys/firmware; do
		expect $t mounts ".* $m .*"
	done
	expect $t sys-mount 'ro'
	expect $t dev 'console fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom vda zero'
done
expect_line "$log" "^$marker\$" "the workload read the marker from /dev/vda (devices:)"
expect_line "$log" '^sec-served$' "the smoke test fetched the page"
expect_line "$log" '^ktrim-timeline: smoke-done [0-9]+ status=0 ' "the smoke test passed"
refute_line "$log" 'reboot: Restarting system|Kernel panic' "no reboot, no panic"

echo "checking: user by name, cap-add/cap-drop, rlimits"
mkdir -p "$work/rootfs/etc"
printf 'root:x:0:0:root:/:/bin/sh\nweb:x:1000:1000:web:/home/web:/bin/sh\n' >"$work/rootfs/etc/passwd"
printf 'root:x:0:\nweb:x:1000:\nextra:x:2000:root,web\n' >"$work/rootfs/etc/group"
# "$$" is ktrim.yaml's literal "$"
cat >"$work/user.yaml" <<'EOF'
name: security-user
workload:
  rootfs: rootfs
  command: [/bin/sh, -c, "echo USER $$(/bin/busybox id -u) $$(/bin/busybox id -g) $$(/bin/busybox id -G) $$HOME $$(ulimit -n) $$(ulimit -Hn); /bin/busybox awk '/^Cap(Bnd|Eff)|^NoNewPrivs/ { print \"USER\", $$1, $$2 }' /proc/self/status"]
  env: {PATH: /bin}
  user: web
  cap-add: [NET_ADMIN]
  cap-drop: [cap_mknod]
  rlimits: {nofile: "512:1024"}
EOF
"$KTRIM" -q initramfs --project "$work/user.yaml" --stop-grace 1 -o "$work/user.img"
log=$work/user.log
boot "$work/user.img" "$log"
expect_poweroff "$log"
expect_line "$log" '^USER 1000 1000 1000 2000 /home/web 512 1024$' \
	"uid, gid, groups and HOME from the rootfs's /etc/passwd and /etc/group; nofile 512:1024"
expect_line "$log" '^USER CapBnd: 00000000a00435fb$' "bounding set: Docker's 14 - MKNOD + NET_ADMIN"
expect_line "$log" '^USER CapEff: 0000000000000000$' "a non-root user keeps no capability"
expect_line "$log" '^USER NoNewPrivs: 1$' "NoNewPrivs 1 for the user"
expect_line "$log" '^ktrim-timeline: workload-exit [0-9]+ status=0 ' "the workload ran to its end"

# a name the rootfs lacks fails the start, saying which
"$KTRIM" -q initramfs --rootfs "$work/rootfs" --user nosuch:web --cmd /bin/true -o "$work/nouser.img"
log=$work/nouser.log
boot "$work/nouser.img" "$log"
expect_poweroff "$log"
expect_line "$log" "container setup failed: no user 'nosuch' in the container's /etc/passwd" \
	"an unknown user name fails the start, named"
refute_line "$log" '^ktrim-timeline: workload-exit [0-9]+ status=0 ' "nothing ran as another user"

echo "checking: a container rooted at the image's / (its own mount namespace)"
printf 'dir /bin 0755 0 0\nfile /bin/busybox %s 0755 0 0\n' "$(readlink -f "$BUSYBOX")" >"$work/root.list"
"$KTRIM" -q initramfs --file-list "$work/root.list" --namespaces mnt,pid --stop-grace 1 \
	--cmd "/bin/busybox sh -c '/bin/busybox echo ROOT dev \$(/bin/busybox ls /dev); /bin/busybox awk \"/^CapBnd|^NoNewPrivs/ { print \\\"ROOT\\\", \\\$1, \\\$2 } \\\$5 == \\\"/sys\\\" || \\\$5 == \\\"/proc/kcore\\\" { print \\\"ROOT mount\\\", \\\$5, \\\$6 }\" /proc/self/status /proc/self/mountinfo'" \
	-o "$work/root.img"
log=$work/root.log
boot "$work/root.img" "$log"
expect_poweroff "$log"
expect_line "$log" '^ROOT dev console fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero$' \
	"/: the minimal /dev over the init's devtmpfs"
expect_line "$log" '^ROOT CapBnd: 00000000a80425fb$' "/: Docker's 14"
expect_line "$log" '^ROOT NoNewPrivs: 1$' "/: NoNewPrivs 1"
expect_line "$log" '^ROOT mount /sys ro,' "/: a fresh /sys, read-only"
expect_line "$log" '^ROOT mount /proc/kcore ' "/: /proc/kcore masked"

echo "checking: privileged: true"
certify_image "$work/privileged.yaml" "$work/priv.img"
log=$work/priv.log
boot "$work/priv.img" "$log" -drive "file=$work/disk.img,if=virtio,format=raw"
expect_poweroff "$log"
expect_line "$log" '^ktrim-timeline: smoke-done [0-9]+ status=0 ' "privileged: the smoke test passed"
for t in WL SMOKE; do
	expect $t "status CapBnd:" 000001ffffffffff
	expect $t "status CapEff:" 000001ffffffffff
	expect $t "status NoNewPrivs:" 0
	expect $t mounts ' /sys/fs/cgroup '	# no masked or read-only paths
	expect $t mount ok
	expect $t sys-mount 'rw'
	expect $t kcore 4
	expect $t dev '.* mem .*'
done
expect_line "$log" "^$marker\$" "privileged: the VM's /dev/vda is there"
finish
