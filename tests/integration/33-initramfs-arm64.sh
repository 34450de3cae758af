#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The arm64 ktrim-init on Debian's arm64 generic kernel (KTRIM_ARCH=arm64
# ci/kernel-cache.sh) under qemu-system-aarch64 -M virt, TCG:
#   - it is static aarch64, within its own size budget;
#   - with -icount (deterministic guest time) it loads virtio_pci and
#     virtio_net from the arm64 module tree, sets eth0 from ktrim.ip=, runs
#     an arm64 busybox workload in its namespaces, and powers off through
#     PSCI (QEMU exits by itself); every record carries the architected
#     counter and its rate (tsc= hz=), from which power-on to ready is taken;
#   - the stop request of virt (system_powerdown: gpio-keys' KEY_POWER, no
#     ACPI with a device tree) stops the workload with SIGTERM, and the
#     init powers off.
set -euo pipefail
: "${KTRIM_TOP:?}"
for t in qemu-system-aarch64 readelf; do
	command -v "$t" >/dev/null || { echo "no $t on this machine (ci/deps.sh installs it)"; exit 77; }
done
init=$KTRIM_TOP/build/guest/arm64/ktrim-init
[ -x "$init" ] || { echo "no arm64 ktrim-init (make needs aarch64-linux-gnu-gcc)"; exit 77; }
eval "$(KTRIM_ARCH=arm64 "$KTRIM_TOP/ci/kernel-cache.sh")"
export KIMAGE KMODDIR KREL
BUSYBOX=$KBUSYBOX GUEST_QEMU=qemu-system-aarch64 GUEST_CONSOLE=ttyAMA0
GUEST_MACHINE_ARGS="-M virt -cpu cortex-a57"
. "$(dirname "$0")/initramfs-lib.bash"

work=$KTRIM_WORK/initramfs-arm64
rm -rf "$work"
mkdir -p "$work"
need_busybox
make_rootfs "$work/rootfs"

echo "checking: static arm64 init size"
size=$(stat -c %s "$init")
# measured 107,704 bytes (x86-64: 99,520): the same code in fixed 4-byte
# aarch64 instructions is larger, so arm64 has a budget of its own
if is_static "$init" && readelf -h "$init" | grep -q 'AArch64' && [ "$size" -lt 112640 ]; then
	pass "arm64 ktrim-init is static AArch64, $size bytes (< 110 KB)"
else
	fail "arm64 ktrim-init: $size bytes, $(readelf -h "$init" | grep Machine)"
fi

pack() { # image, then ktrim initramfs options
	local img=$1
	shift
	"$KTRIM" -q initramfs --init "$init" --modules-dir "$KMODDIR" --kernel-release "$KREL" \
		--rootfs "$work/rootfs" -o "$img" "$@"
}

echo "checking: boot, network, workload, PSCI power-off (icount)"
pack "$work/a.img" --module virtio_pci --module virtio_net \
	--namespaces mnt,pid,uts --hostname ktrim-arm64 --ready-stdout 'workload-started*' \
	--cmd "/bin/busybox sh -c 'echo workload-started pid=\$\$ host=\$(hostname) \
machine=\$(uname -m); ip -4 addr show eth0 | grep inet; echo workload-done'"
APPEND_EXTRA=ktrim.ip=10.0.2.15/24,10.0.2.2 boot "$work/a.img" "$work/a.log" \
	-icount shift=0,sleep=off -netdev user,id=n0 -device virtio-net-pci,netdev=n0
log=$work/a.log
expect_poweroff "$log"
expect_line "$log" 'reboot: Power down' "the kernel powered down (PSCI SYSTEM_OFF)"
expect_timeline_order "$log" init-start modules-loaded net-up workload-exec \
	workload-ready workload-exit poweroff
expect_line "$log" '^workload-started pid=1 host=ktrim-arm64 machine=aarch64$' \
	"the arm64 busybox ran as pid 1 of its namespace"
expect_line "$log" 'inet 10\.0\.2\.15/24' "eth0 has the address from ktrim.ip="
expect_line "$log" '^ktrim-timeline: workload-exit [0-9]+ status=0 ' "the workload exited 0"
n=$(grep -c '^ktrim-timeline: ' "$log.txt")
m=$(grep -Ec '^ktrim-timeline: .* tsc=[1-9][0-9]* hz=[1-9][0-9]*$' "$log.txt")
[ "$n" -eq "$m" ] && [ "$n" -ge 7 ] && pass "all $n records carry CNTVCT_EL0 and CNTFRQ_EL0" ||
	fail "$m of $n records carry tsc= hz="
if awk '/^ktrim-timeline: (init-start|workload-ready) / {
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		t[$2] = v["tsc"] / v["hz"]; up[$2] = $3 / 1e6 }
	END {
		if (!t["init-start"] || !t["workload-ready"]) exit 1
		# the counter runs from reset: ahead of the kernel clock, never behind
		if (t["init-start"] < up["init-start"]) exit 1
		printf "power-on to init %.3f s, to ready %.3f s (guest counter); uptime at ready %.3f s\n",
			t["init-start"], t["workload-ready"], up["workload-ready"] }' "$log.txt" >"$work/times"; then
	pass "$(cat "$work/times")"
else
	fail "no power-on times from the counter"
fi

echo "checking: system_powerdown stops the workload (gpio-keys KEY_POWER)"
pack "$work/stop.img" --module gpio_keys --module evdev --stop-grace 5 \
	--ready-stdout 'workload-started*' \
	--cmd "/bin/busybox sh -c 'echo workload-started; exec /bin/busybox sleep 1000'"
boot_bg "$work/stop.img" "$work/stop.log"
if wait_line "$work/stop.log" '^ktrim-timeline: workload-ready '; then
	monitor system_powerdown
else
	fail "the workload never became ready"
fi
boot_wait
log=$work/stop.log
expect_poweroff "$log"
expect_line "$log" '^ktrim-init: listening for KEY_POWER on /dev/input/event[0-9]+$' \
	"the init found the power key (no ACPI on virt)"
expect_line "$log" '^ktrim-timeline: stop-request [0-9]+ source=power-button ' \
	"the power button was the stop request"
expect_line "$log" '^ktrim-timeline: workload-exit [0-9]+ status=143 ' \
	"the workload got SIGTERM (status 143)"
finish
