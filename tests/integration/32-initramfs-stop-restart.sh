#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The init's production paths on Debian's generic kernel under QEMU TCG (real
# time), each ending in a clean power-off with the workload's status on the
# timeline:
#   - restart: on-failure:2 and a workload that exits 1 -> three runs, backing
#     off 100 then 200 ms, power-off
#   - restart: always, busybox httpd reached from the host through a port
#     forward to the default address (10.0.2.15, no ip= given) three times,
#     10 s apart; then the ACPI power button (system_powerdown) stops it with
#     SIGTERM and nothing restarts
#   - static addresses from the spec (ktrim.yaml network:, here --ipv4/--ipv6)
#     on a subnet of their own: the host reaches the service at that IPv4
#     address, eth0 carries the IPv6 one; ip= on the command line still wins
#   - the certification overlay (a second cpio segment) adds a smoke test and
#     certify-hold: the test runs, the workload keeps running until
#     Ctrl-Alt-Del (sendkey) asks it to stop
#   - an overlay that tries to change the workload is refused
set -euo pipefail
. "$(dirname "$0")/initramfs-lib.bash"

work=$KTRIM_WORK/initramfs-stop-restart
rm -rf "$work"
mkdir -p "$work"
need_busybox
make_rootfs "$work/rootfs"
mkdir -p "$work/rootfs/www"
echo "ktrim production image" >"$work/rootfs/www/index.html"
pack() { # image, then ktrim initramfs options
	local img=$1
	shift
	"$KTRIM" -q initramfs --rootfs "$work/rootfs" --level 3 -o "$img" "$@"
}
# GET / through bash's /dev/tcp, 10 s at most: no HTTP client needed.
http_get() {
	timeout 10 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" &&
		printf "GET / HTTP/1.0\r\n\r\n" >&3 && cat <&3' _ "$1" || true
}
count() { grep -Eac -- "$2" "$1.txt" || true; }

echo "checking: restart on-failure:2"
# In its own pid namespace: each run gets a fresh one (the last died with it).
pack "$work/fail.img" --restart on-failure:2 --namespaces mnt,pid \
	--cmd "/bin/sh -c 'echo run-once pid=\$\$; exit 1'"
boot "$work/fail.img" "$work/fail.log"
expect_poweroff "$work/fail.log"
n=$(count "$work/fail.log" '^ktrim-timeline: workload-exit [0-9]+ status=1 ')
[ "$n" -eq 3 ] && pass "three runs, each status=1" || fail "$n workload-exit status=1 records, want 3"
n=$(count "$work/fail.log" '^ktrim-timeline: workload-restart [0-9]+ n=[12] ')
[ "$n" -eq 2 ] && pass "two restarts" || fail "$n workload-restart records, want 2"
expect_line "$work/fail.log" '^ktrim-timeline: workload-restart [0-9]+ n=1 delay-ms=100 ' \
	"the first restart backs off 100 ms"
expect_line "$work/fail.log" '^ktrim-timeline: workload-restart [0-9]+ n=2 delay-ms=200 ' \
	"the second 200 ms (Docker's doubling back-off)"
n=$(count "$work/fail.log" '^run-once pid=1$')
[ "$n" -eq 3 ] && pass "each run is pid 1 of a new pid namespace" || fail "$n runs as pid 1, want 3"

echo "checking: a service reached from the host, stopped by the power button"
port=$(free_port)
pack "$work/svc.img" --modules-dir "$KMODDIR" --kernel-release "$KREL" \
	--module virtio_pci --module virtio_net --module button \
	--restart always --stop-grace 5 --ready-tcp 80 --namespaces mnt,pid,uts,ipc \
	--cmd '/bin/busybox httpd -f -p 80 -h /www'
boot_bg "$work/svc.img" "$work/svc.log" \
	-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:80" -device virtio-net-pci,netdev=n0
if wait_line "$work/svc.log" '^ktrim-timeline: workload-ready '; then
	for i in 1 2 3; do
		if http_get "$port" | grep 'ktrim production image' >/dev/null; then
			pass "host request $i answered"
		else
			fail "host request $i: no answer through 127.0.0.1:$port"
		fi
		[ "$i" -eq 3 ] || sleep 10
	done
else
	fail "the service never became ready"
fi
t0=$(date +%s)
monitor system_powerdown
boot_wait
dt=$(( $(date +%s) - t0 ))
expect_poweroff "$work/svc.log"
[ "$dt" -le 5 ] && pass "powered off ${dt}s after the button (grace 5s)" ||
	fail "power-off took ${dt}s after the button (grace 5s)"
expect_line "$work/svc.log" 'eth0: 10\.0\.2\.15/24 via 10\.0\.2\.2$' "default address on eth0"
expect_line "$work/svc.log" '^ktrim-timeline: stop-request [0-9]+ source=power-button ' \
	"timeline: stop-request source=power-button"
expect_line "$work/svc.log" '^ktrim-timeline: workload-exit [0-9]+ status=[0-9]+ ' \
	"timeline: the workload's exit status"
refute_line "$work/svc.log" 'workload-restart' "no restart after a stop request"

echo "checking: addresses from the spec, on their own subnet"
port=$(free_port)
pack "$work/net.img" --modules-dir "$KMODDIR" --kernel-release "$KREL" \
	--module virtio_pci --module virtio_net --module button \
	--ipv4 192.168.7.9/24,192.168.7.1 --ipv6 fd00::7/64,fd00::1 \
	--ready-tcp 80 --namespaces mnt,pid,uts,ipc \
	--cmd "/bin/sh -c 'cat /proc/net/if_inet6; exec /bin/busybox httpd -f -p 80 -h /www'"
boot_bg "$work/net.img" "$work/net.log" \
	-netdev "user,id=n0,net=192.168.7.0/24,host=192.168.7.1,hostfwd=tcp:127.0.0.1:$port-192.168.7.9:80" \
	-device virtio-net-pci,netdev=n0
if wait_line "$work/net.log" '^ktrim-timeline: workload-ready '; then
	http_get "$port" | grep 'ktrim production image' >/dev/null &&
		pass "the host reached 192.168.7.9:80" || fail "no answer from 192.168.7.9:80"
else
	fail "the service never became ready"
fi
monitor system_powerdown
boot_wait
expect_poweroff "$work/net.log"
expect_line "$work/net.log" '^ktrim-timeline: net-up [0-9]+ dev=eth0 addr=192\.168\.7\.9/24 ' \
	"timeline: net-up 192.168.7.9/24"
expect_line "$work/net.log" 'eth0: 192\.168\.7\.9/24 via 192\.168\.7\.1$' "IPv4 gateway from the spec"
expect_line "$work/net.log" '^ktrim-timeline: net-up [0-9]+ dev=eth0 addr=fd00::7/64 ' \
	"timeline: net-up fd00::7/64"
expect_line "$work/net.log" '^fd000000000000000000000000000007 [0-9a-f]+ 40 .* eth0$' \
	"the workload sees fd00::7/64 on eth0"
# The command line wins over the spec: a VMM decides the address.
pack "$work/net-once.img" --modules-dir "$KMODDIR" --kernel-release "$KREL" \
	--module virtio_pci --module virtio_net --ipv4 192.168.7.9/24 --cmd /bin/true
# With a nonce, as certify boots, /proc/cmdline is hidden from the workload:
# the init must have read the command line before.
APPEND_EXTRA="ktrim.ip=10.0.2.30/24 ktrim_nonce=0123456789abcdef" boot "$work/net-once.img" "$work/net-cmdline.log" \
	-netdev user,id=n0 -device virtio-net-pci,netdev=n0
expect_poweroff "$work/net-cmdline.log"
expect_line "$work/net-cmdline.log" '^ktrim-timeline: net-up [0-9]+ dev=eth0 addr=10\.0\.2\.30/24 ' \
	"ktrim.ip= on the command line wins over the spec"
refute_line "$work/net-cmdline.log" '192\.168\.7\.9' "the spec's address unused"

# An overlay segment as ktrim certify appends it: only the addition file.
overlay() { # image, spec text
	local tree=$work/ovl
	rm -rf "$tree"
	mkdir -p "$tree/etc/ktrim/spec.d"
	printf '%s' "$2" >"$tree/etc/ktrim/spec.d/certify"
	(cd "$tree" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$1"
}

echo "checking: the overlay's smoke test, then Ctrl-Alt-Del"
pack "$work/base.img" --ready-stdout 'serving' \
	--cmd "/bin/sh -c 'trap \"echo got-sigterm; exit 0\" TERM; echo serving; while :; do sleep 1; done'"
overlay "$work/ovl.cpio" $'ktrim-spec 1\nsmoke-arg /bin/sh\nsmoke-arg -c\nsmoke-arg echo smoke-ran\ncertify-hold\n'
# The kernel finds a cpio magic only at a 4-byte offset: pad with zeros.
cp "$work/base.img" "$work/certify.img"
truncate -s %4 "$work/certify.img"
cat "$work/ovl.cpio" >>"$work/certify.img"
boot_bg "$work/certify.img" "$work/certify.log"
wait_line "$work/certify.log" '^ktrim-timeline: smoke-done ' || fail "no smoke-done"
sleep 2
monitor 'sendkey ctrl-alt-delete'
boot_wait
expect_poweroff "$work/certify.log"
expect_line "$work/certify.log" 'certification overlay /etc/ktrim/spec.d/certify present' "overlay read"
expect_line "$work/certify.log" '^smoke-ran$' "the overlay's smoke test ran"
expect_line "$work/certify.log" '^ktrim-timeline: smoke-done [0-9]+ status=0 ' "smoke-done status=0"
expect_line "$work/certify.log" '^ktrim-timeline: stop-request [0-9]+ source=sigint ' \
	"held until Ctrl-Alt-Del (stop-request source=sigint)"
expect_line "$work/certify.log" '^got-sigterm$' "the workload got SIGTERM"
expect_timeline_order "$work/certify.log" init-start modules-loaded workload-exec \
	workload-ready smoke-done stop-request workload-exit poweroff

echo "checking: an overlay cannot change the workload"
overlay "$work/bad-ovl.cpio" $'ktrim-spec 1\narg /bin/evil\n'
cp "$work/base.img" "$work/bad.img"
truncate -s %4 "$work/bad.img"
cat "$work/bad-ovl.cpio" >>"$work/bad.img"
boot "$work/bad.img" "$work/bad.log"
expect_poweroff "$work/bad.log"
expect_line "$work/bad.log" "bad overlay /etc/ktrim/spec.d/certify: line 2: 'arg' cannot be added by an overlay" \
	"a workload directive in the overlay is refused"
refute_line "$work/bad.log" 'workload-exec' "nothing started"
finish
