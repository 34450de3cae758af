#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A device fact alone brings its driver. A busybox httpd container that
# first makes a TAP interface with tunctl (open /dev/net/tun, TUNSETIFF,
# TUNSETPERSIST): `devices: [/dev/net/tun]` and cap-add NET_ADMIN, as
# Docker's `--device /dev/net/tun --cap-add NET_ADMIN`. Nothing else in
# the container or the recipes needs TUN.
#   - profile on Debian's generic 6.1 (TUN a module there): the profile has
#     the device /dev/net/tun, its ioctls (TUNSETIFF 0x400454ca) and the
#     module tun (the open's request_module);
#   - the module fact is taken out of the profile, so only the device
#     fact (and the ioctls on it) can bring the driver: `ktrim build` has
#     CONFIG_TUN=y with the reason "device /dev/net/tun", builds, and
#     certifies under QEMU TCG; the smoke test opens the device again
#     (a second TAP) and finds the workload's tap0.
set -euo pipefail
. "$(dirname "$0")/certify-lib.bash"
: "${KTRIM:?}" "${KTRIM_TOP:?}" "${KTRIM_WORK:?}" "${KSRC:?}" "${KIMAGE:?}" "${KMODDIR:?}"
export KSRC KIMAGE KMODDIR
export KTRIM_ACCEL=${KTRIM_ACCEL:-tcg}

w=$KTRIM_WORK/47-device-fact
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$w"
"$KTRIM_TOP/recipes/workloads/busybox-httpd/make-rootfs.sh" "$w/rootfs" >/dev/null
for applet in tunctl ip; do ln -sf busybox "$w/rootfs/bin/$applet"; done
cat >"$w/ktrim.yaml" <<'EOF'
name: tun-httpd
workload:
  rootfs: rootfs
  command: [/bin/sh, -c, "tunctl -t tap0 && exec /bin/busybox httpd -f -p 80 -h /www"]
  env: {PATH: /bin}
  devices: [/dev/net/tun]
  cap-add: [NET_ADMIN]
  ready: {tcp-port: 80, timeout: 60}
  smoke-test:
    command: "tunctl -t tap1 && ip link show tap0 && wget -q -O - http://127.0.0.1/ | grep 'ktrim busybox httpd works'"
    timeout: 30
targets: [kvm-q35]
kernel:
  source: ${KSRC}
profiling:
  kernel: ${KIMAGE}
  modules: ${KMODDIR}
  memory: 512
  timeout: 240
EOF

profile_workload "$w"
prof=$w/profile.yaml
grep -q '{name: /dev/net/tun, ' "$prof" || fail "the profile has no device fact /dev/net/tun"
grep -q '{name: "\{0,1\}/dev/net/tun 0x400454ca"\{0,1\}, ' "$prof" ||
	fail "the profile has no ioctl fact TUNSETIFF on /dev/net/tun"
grep -q '^    - {name: tun, ' "$prof" || fail "the open did not record the module tun"
echo "ok: profile: device /dev/net/tun, ioctl TUNSETIFF on it, module tun"

# Only the device fact may bring TUN: drop the module.
grep -v '^    - {name: tun, ' "$prof" >"$w/device-only.yaml"
prof=$w/device-only.yaml
build_certified "$w" "$prof"
grep -qx 'CONFIG_TUN=y' "$d/.config" || fail "CONFIG_TUN is not =y"
grep -q '^  CONFIG_TUN: {value: y, reason: "required by profile tun-httpd (device /dev/net/tun)"}' \
	"$d/trim-report.yaml" || fail "CONFIG_TUN's reason does not name the device fact"
"$KTRIM" explain --ksrc "$KSRC" --config "$d/.config" --report "$d/trim-report.yaml" CONFIG_TUN \
	>"$w/explain.txt"
grep -q 'CONFIG_TUN=y: required by profile tun-httpd (device /dev/net/tun)' "$w/explain.txt" ||
	{ cat "$w/explain.txt"; fail "ktrim explain does not name the device fact"; }
echo "ok: $(grep 'CONFIG_TUN=y:' "$w/explain.txt")"

grep -Eq '[0-9]+: tap0: <' "$d/console.log" || fail "the smoke test did not show tap0"
echo "ok: certified; the smoke test opened /dev/net/tun and found tap0"
echo "PASS"
