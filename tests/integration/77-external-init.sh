#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A project's own init (init: {external: DIR}), as LCOW's hcsshim init and
# GCS would come: the busybox HTTP example with an init tree of Debian's
# static busybox and an /init script that mounts proc, prints a marker and
# powers off. `ktrim profile` still profiles the workload in ktrim's own
# runtime. `ktrim build` for kvm-q35 (test 70's profile and config, so the
# kernel comes from ccache) ships the user's tree, the module closure and
# nothing of ktrim-init (no ktrim-init, spec, /rootfs); the certificate is
# partial: the static checks pass, boot to init passes from the kernel's
# own lines, the checks that read ktrim-init's timeline are not-run naming
# the external init. The shipped kernel + initramfs boot under QEMU TCG
# (q35, -nodefaults, serial) to the marker of the user's init, which
# powers off. An init that exits fails boot to init (the kernel panics).
# `ktrim initramfs` packs a real closure from Debian's module tree with its
# load order, reproducibly, and refuses ktrim spec options.
set -euo pipefail
: "${KTRIM:?}" "${KTRIM_TOP:?}" "${KTRIM_WORK:?}" "${KSRC:?}" "${KIMAGE:?}" "${KMODDIR:?}"
export KSRC KIMAGE KMODDIR
export KTRIM_ACCEL=${KTRIM_ACCEL:-tcg}

w=$KTRIM_WORK/77-external-init
fail() { echo "FAIL: $*"; exit 1; }
. "$(dirname "$0")/busybox-build-lib.bash"
. "$(dirname "$0")/certify-lib.bash"
busybox_project "$w"

# The user's init tree: a static busybox, /init a script. A setuid file of
# a non-root owner loses the bit (the packer's rule for every tree).
tree=$w/init-tree
rm -rf "$tree"
mkdir -p "$tree/bin"
cp /bin/busybox "$tree/bin/busybox"
marker='ktrim-77: the external init ran as pid'
cat >"$tree/init" <<EOF
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
echo "$marker \$\$ on \$(/bin/busybox cat /proc/sys/kernel/ostype)"
/bin/busybox poweroff -f
EOF
chmod 755 "$tree/init"
if [ "$(id -u)" -eq 0 ]; then
	cp /bin/busybox "$tree/bin/user-suid"
	chown 1000:1000 "$tree/bin/user-suid"
	chmod 4755 "$tree/bin/user-suid"
fi
{ cat "$w/ktrim.yaml"; echo 'init: {external: init-tree}'; } >"$w/ktrim-ext.yaml"
line=$(grep -n '^init:' "$w/ktrim-ext.yaml" | cut -d: -f1)

# Profiling is ktrim's runtime whatever the shipped init: it runs the
# workload to ready and its smoke test.
"$KTRIM" profile -f "$w/ktrim-ext.yaml" -o "$w/ext-profile.yaml" 2>&1 | tee "$w/profile.log"
grep -q 'family: AF_INET, type: SOCK_STREAM' "$w/ext-profile.yaml" ||
	fail "the profile with an external init saw no AF_INET stream socket"
echo "ok: ktrim profile ran the workload in ktrim's runtime"

out=$w/out
d=$out/kvm-q35
t0=$(date +%s)
"$KTRIM" build -f "$w/ktrim-ext.yaml" --profile "$prof" --target kvm-q35 --allow-partial \
	-o "$out" 2>&1 | tee "$w/build.log"
echo "build + certify: $(( $(date +%s) - t0 )) s"
echo "initramfs bytes: $(stat -c %s "$d/initramfs.cpio.zst")"

# What ships: the user's tree, the closure, nothing of ktrim-init's.
"$KTRIM" initramfs --list "$d/initramfs.cpio.zst" >"$w/list"
cat "$w/list"
grep -Eq '^-rwxr-xr-x +1 root +root +[0-9]+ .* init$' "$w/list" || fail "no executable /init"
grep -Eq ' bin/busybox$' "$w/list" || fail "the tree's bin/busybox is missing"
grep -Eq '^crw------- .* dev/console$' "$w/list" || fail "no dev/console for the init's stdio"
! grep -Eq ' (etc/ktrim|rootfs|mnt)(/|$)' "$w/list" || fail "ktrim-init's spec, rootfs or /mnt shipped"
zstd -dc "$d/initramfs.cpio.zst" | (cd "$w" && cpio -i --quiet --to-stdout init) >"$w/shipped-init"
cmp "$w/shipped-init" "$tree/init" || fail "/init is not the user's (ktrim-init shipped?)"
if [ "$(id -u)" -eq 0 ]; then
	grep -Eq '^-rwxr-xr-x +1 root +root .* bin/user-suid$' "$w/list" ||
		fail "a setuid file of uid 1000 kept its bit"
	grep -q 'bin/user-suid: setuid bit cleared' "$w/build.log" || fail "the cleared bit was not said"
fi
# The closure: what the build said it loads, each .ko, and their order.
n=$(sed -n 's/.*modules: \([0-9]*\) to load.*/\1/p' "$w/build.log" | tail -1)
k=$(grep -c '\.ko$' "$w/list" || true)
[ "${n:-0}" -eq "$k" ] || fail "the build said ${n:-0} modules, the image holds $k"
if [ "$k" -gt 0 ]; then
	grep -q 'modules.load-order$' "$w/list" || fail "modules without modules.load-order"
fi
echo "ok: the shipped image is the user's tree and the module closure ($k modules: kvm-q35 builds them in)"

# The certificate: static checks run, boot to init from the kernel's lines,
# ktrim-init's checks not-run naming the external init, verdict partial.
cert=$d/certificate.yaml
cat "$cert"
grep -q '^verdict: partial$' "$cert" || fail "verdict is not partial"
grep -q '^init: external$' "$cert" || fail "the certificate does not say the init is external"
! grep -q '^overlay:' "$cert" || fail "an overlay was booted with an external init"
check "kernel format" pass static
check "config binding" pass static
check "initramfs" pass static
check "option CONFIG_VIRTIO_NET" pass static
check "boot to init" pass tcg
grep -q "the kernel ran /init ('Run /init as init process')" "$cert" ||
	fail "boot to init does not say what the kernel printed"
for c in "workload ready" "smoke test" "host smoke test" "power-button stop" "clean power-off" \
	"smallest passing memory"; do
	check "$c" not-run not-run
	grep -q "^  - \"\{0,1\}$c\"\{0,1\}$" "$cert" || fail "'$c' is not in the not-run list"
done
n=$(grep -c "the init is external (.*/ktrim-ext.yaml:$line: init: {external:})" "$cert" || true)
[ "$n" -ge 6 ] || fail "the not-run checks do not name ktrim-ext.yaml:$line ($n do)"
grep -q '^  failed: 0$' "$cert" || fail "a check failed"
echo "ok: partial: static checks and the kernel's boot to init pass, ktrim-init's checks not-run"

# The shipped kernel and initramfs alone: the user's init prints its marker.
qemu_rc=0
timeout 300 qemu-system-x86_64 -accel tcg -machine q35 -nodefaults -m 256 -display none \
	-serial stdio -no-reboot -kernel "$d/bzImage" -initrd "$d/initramfs.cpio.zst" \
	-append 'console=ttyS0 panic=-1' </dev/null >"$w/shipped.log" 2>&1 || qemu_rc=$?
tr -d '\r' <"$w/shipped.log" >"$w/shipped.txt"
grep -q "^$marker 1 on Linux$" "$w/shipped.txt" || { tail -20 "$w/shipped.txt"; fail "no marker"; }
[ "$qemu_rc" -eq 0 ] || fail "QEMU exit status $qemu_rc: the user's init did not power off"
! grep -q 'Kernel panic' "$w/shipped.txt" || fail "the kernel panicked"
echo "ok: the shipped image ran the user's init as pid 1 (/proc mounted), which powered off"

# The check can fail: an init that exits panics the kernel ("Attempted to
# kill init"), and certify says so from the kernel's lines.
mkdir -p "$w/exit-tree"
printf '#!/bin/busybox sh\nexit 3\n' >"$w/exit-tree/init"
chmod 755 "$w/exit-tree/init"
mkdir -p "$w/exit-tree/bin" && cp /bin/busybox "$w/exit-tree/bin/busybox"
{ cat "$w/ktrim.yaml"; echo 'init: {external: exit-tree}'; } >"$w/ktrim-exit.yaml"
"$KTRIM" initramfs --project "$w/ktrim-exit.yaml" -o "$w/exit.cpio.zst"
if "$KTRIM" certify --kernel "$d/bzImage" --initramfs "$w/exit.cpio.zst" --config "$d/.config" 	--target kvm-q35 --project "$w/ktrim-exit.yaml" --timeout 120 -o "$w/exit-cert.yaml" 	>"$w/exit-certify.log" 2>&1; then
	fail "an init that exits was certified"
fi
cert=$w/exit-cert.yaml
grep -q '^verdict: failed$' "$cert" || fail "an init that exits: verdict is not failed"
check "boot to init" fail tcg
grep -q 'the kernel ran /init, then panicked' "$cert" || fail "the failure does not say the kernel panicked"
echo "ok: an init that exits fails boot to init (the kernel panicked)"

# ktrim initramfs: a real closure (Debian's tree) with its load order, the
# same bytes twice; ktrim-init's spec options refused.
for i in 1 2; do
	SOURCE_DATE_EPOCH=1700000000 "$KTRIM" initramfs --project "$w/ktrim-ext.yaml" \
		--modules-dir "$KMODDIR" --module virtio_net -o "$w/mods$i.cpio.zst"
done
cmp "$w/mods1.cpio.zst" "$w/mods2.cpio.zst" || fail "two packs differ"
"$KTRIM" initramfs --list "$w/mods1.cpio.zst" >"$w/mods.list"
grep -Eq ' lib/modules/[^/]+/kernel/drivers/net/virtio_net\.ko$' "$w/mods.list" ||
	fail "virtio_net.ko not packed"
zstd -dc "$w/mods1.cpio.zst" | (cd "$w" && cpio -i --quiet --to-stdout '*/modules.load-order') \
	>"$w/load-order"
[ "$(tail -1 "$w/load-order")" = "/lib/modules/$(basename "$KMODDIR")/kernel/drivers/net/virtio_net.ko" ] ||
	fail "virtio_net.ko is not last in the load order"
[ "$(wc -l <"$w/load-order")" -eq "$(grep -c '\.ko$' "$w/mods.list")" ] ||
	fail "the load order does not list every module"
! grep -Eq ' (etc/ktrim|rootfs)(/|$)' "$w/mods.list" || fail "ktrim-init's files packed"
if "$KTRIM" initramfs --project "$w/ktrim-ext.yaml" --cmd /bin/sh -o "$w/x.cpio.zst" \
	2>"$w/refused.log"; then
	fail "--cmd accepted with an external init"
fi
grep -q -- "--cmd: .*ktrim-ext.yaml:$line names an external init" "$w/refused.log" ||
	fail "no clear error for --cmd"
echo "ok: ktrim initramfs packs the closure with its load order, reproducibly; --cmd refused"
echo "PASS"
