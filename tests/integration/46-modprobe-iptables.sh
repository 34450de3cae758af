#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Module loads that user space starts. A busybox httpd container that
# programs its firewall with iptables-legacy before it serves (Debian's
# xtables-legacy-multi, its extensions and their shared libraries, copied
# into the rootfs): a filter rule and a nat REDIRECT. iptables-legacy asks
# for ip_tables by running the program named in /proc/sys/kernel/modprobe
# itself, from the container.
#   - profile on Debian's generic 6.1: the agent serves that request as it
#     serves the kernel's (the same helper, the same facts), so the rules
#     go in, the workload gets ready, and the profile lists ip_tables (first
#     by the iptables process, not the kernel), iptable_filter, iptable_nat;
#   - `ktrim build` for kvm-q35 trims (builtin: CONFIG_IP_NF_IPTABLES,
#     _FILTER, _NAT =y, reasons naming the facts), builds and certifies
#     under QEMU TCG, where the shipped init gives no module helper at all
#     (/proc/sys/kernel/modprobe empty or absent) and none is needed; the
#     smoke test finds both rules in place (iptables-legacy -S).
set -euo pipefail
. "$(dirname "$0")/certify-lib.bash"
: "${KTRIM:?}" "${KTRIM_TOP:?}" "${KTRIM_WORK:?}" "${KSRC:?}" "${KIMAGE:?}" "${KMODDIR:?}"
export KSRC KIMAGE KMODDIR
export KTRIM_ACCEL=${KTRIM_ACCEL:-tcg}

w=$KTRIM_WORK/46-modprobe-iptables
fail() { echo "FAIL: $*"; exit 1; }
xt=/usr/sbin/xtables-legacy-multi
xtdir=/usr/lib/x86_64-linux-gnu/xtables
if [ ! -x "$xt" ] || [ ! -d "$xtdir" ]; then
	echo "no $xt or $xtdir (Debian's iptables: ci/deps.sh)"
	exit 77
fi
mkdir -p "$w"
r=$w/rootfs
"$KTRIM_TOP/recipes/workloads/busybox-httpd/make-rootfs.sh" "$r" >/dev/null
mkdir -p "$r/sbin" "$r/run" "$r$xtdir"
cp "$xt" "$r/sbin/"
ln -s xtables-legacy-multi "$r/sbin/iptables-legacy"
# The extensions the rules use; then everything they and iptables load.
for e in standard tcp udp REDIRECT; do cp "$xtdir/libxt_$e.so" "$r$xtdir/"; done
cp "$xtdir/libipt_icmp.so" "$r$xtdir/"
ldd "$xt" "$r$xtdir"/*.so | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/lib/ { print $1 }' |
	sort -u >"$w/libs.txt"
while read -r lib; do
	mkdir -p "$r$(dirname "$lib")"
	cp -L "$lib" "$r$lib"
done <"$w/libs.txt"
echo "ok: rootfs: iptables-legacy and $(wc -l <"$w/libs.txt") shared libraries"

rules="iptables-legacy -A INPUT -p tcp --dport 80 -j ACCEPT &&
 iptables-legacy -t nat -A PREROUTING -p tcp --dport 8080 -j REDIRECT --to-ports 80"
cat >"$w/ktrim.yaml" <<EOF
name: iptables-httpd
workload:
  rootfs: rootfs
  command: [/bin/sh, -c, "$(echo $rules) && exec /bin/busybox httpd -f -p 80 -h /www"]
  env: {PATH: "/sbin:/bin"}
  cap-add: [NET_ADMIN]
  ready: {tcp-port: 80, timeout: 60}
  smoke-test:
    command: "iptables-legacy -S INPUT | grep -x -- '-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT' && iptables-legacy -t nat -S PREROUTING | grep -x -- '-A PREROUTING -p tcp -m tcp --dport 8080 -j REDIRECT --to-ports 80' && wget -q -O - http://127.0.0.1/ | grep 'ktrim busybox httpd works'"
    timeout: 30
targets: [kvm-q35]
kernel:
  source: \${KSRC}
profiling:
  kernel: \${KIMAGE}
  modules: \${KMODDIR}
  memory: 512
  timeout: 240
EOF

profile_workload "$w"
prof=$w/profile.yaml
sed -n '/^  modules:/,/^  [a-z]*:$/p' "$prof" >"$w/modules.txt"
for m in ip_tables iptable_filter iptable_nat; do
	grep -q "^    - {name: $m, " "$w/modules.txt" || fail "the profile lacks the module $m"
done
# ip_tables came from user space: its first process is iptables, not the kernel
grep -q '^    - {name: ip_tables, count: [0-9]*, first: iptables-legacy' "$w/modules.txt" ||
	{ cat "$w/modules.txt"; fail "ip_tables is not attributed to iptables"; }
grep -q 'request_module(ip_tables) by iptables-legacy' "$w/profile.work/console.log" ||
	fail "the agent did not log the user-space request"
echo "ok: profile: $(grep -c '^    - ' "$w/modules.txt") modules, ip_tables requested by iptables itself"

build_certified "$w" "$prof"
for o in IP_NF_IPTABLES IP_NF_FILTER IP_NF_NAT; do
	grep -qx "CONFIG_$o=y" "$d/.config" || fail "CONFIG_$o is not =y"
done
grep -q '^  CONFIG_IP_NF_IPTABLES: {value: y, reason: "required by profile iptables-httpd' \
	"$d/trim-report.yaml" || fail "CONFIG_IP_NF_IPTABLES has no reason from the profile"
grep -q -- '-A PREROUTING -p tcp -m tcp --dport 8080 -j REDIRECT --to-ports 80' "$d/console.log" ||
	fail "the smoke test did not show the nat rule"
echo "ok: certified; the smoke test found the filter and nat rules"
echo "PASS"
