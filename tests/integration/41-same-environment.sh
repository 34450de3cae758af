#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# One guest runtime: the same workload sees the same container in a
# profiling run (`ktrim profile`, the agent as PID 1) and in a boot of the
# shipped init (`ktrim initramfs --project`), both on Debian's generic 6.1
# kernel under QEMU TCG. The workload prints its /proc/self/mountinfo
# (mount IDs, parent IDs, device numbers and peer-group numbers stripped,
# and tmpfs sizes, which follow the VM's usable memory), its capability
# sets, NoNewPrivs and Seccomp, and its network devices (its own net
# namespace: lo only, up); the two lists must be equal, and both the
# security defaults (Docker's 14 capabilities, NoNewPrivs, /sys read-only,
# the minimal /dev, masked paths) with `seccomp: default`: Seccomp 2 (a
# filter) in both, the same Docker filter, which the agent's tracer sees
# through (ptrace's syscall stop comes before seccomp's verdict). It is ready when its port accepts inside
# that namespace, and the smoke test reaches it.
set -euo pipefail
. "$(dirname "$0")/initramfs-lib.bash"
export KIMAGE KMODDIR KSRC
export KTRIM_ACCEL=${KTRIM_ACCEL:-tcg}

work=$KTRIM_WORK/41-same-environment
rm -rf "$work"
mkdir -p "$work"
need_busybox
make_rootfs "$work/rootfs"
cat >"$work/rootfs/probe.sh" <<'EOF'
#!/bin/sh
/bin/busybox sed 's/^/ENV mountinfo /' /proc/self/mountinfo
/bin/busybox grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' \
	/proc/self/status | /bin/busybox sed 's/^/ENV status /'
echo ENV uid $(/bin/busybox id -u) gid $(/bin/busybox id -g) host $(/bin/busybox hostname)
echo ENV lo $(/bin/busybox cat /sys/class/net/lo/flags) \
	$(/bin/busybox ls /sys/class/net | /bin/busybox tr '\n' ' ')
/bin/busybox mkdir -p /tmp/www && echo probe-served >/tmp/www/index.html
exec /bin/busybox httpd -f -p 8080 -h /tmp/www
EOF
chmod 755 "$work/rootfs/probe.sh"
# Both VMs get the same memory: tmpfs and devtmpfs sizes follow it.
cat >"$work/ktrim.yaml" <<EOF
name: same-environment
workload:
  rootfs: rootfs
  command: [/bin/sh, /probe.sh]
  env: {PATH: /bin}
  namespaces: [mnt, uts, ipc, pid, net]
  seccomp: default
  ready: {tcp-port: 8080, timeout: 60}
  smoke-test: {command: [/bin/busybox, wget, -q, -O, -, "http://127.0.0.1:8080/"]}
kernel:
  source: \${KSRC}
profiling:
  kernel: \${KIMAGE}
  modules: \${KMODDIR}
  memory: 256
  timeout: 240
EOF

# mountinfo: "ID PARENT MAJ:MIN ROOT POINT OPTS [shared:N ...] - TYPE SRC SUPER"
normalise() { # console log -> sorted environment lines
	tr -d '\r' <"$1" | sed -n 's/^\(workload: \)\{0,1\}ENV /ENV /p' |
		awk '$2 == "mountinfo" { $3 = $4 = $5 = "" } { print }' |
		sed -E 's/(shared|master|propagate_from):[0-9]+/\1/g; s/  +/ /g
			s/(size|nr_inodes)=[0-9]+k?/\1=N/g' | sort
}

echo "checking: the environment in a profiling run"
t0=$(date +%s.%N)
if "$KTRIM" profile -f "$work/ktrim.yaml" -o "$work/profile.yaml" \
	--workdir "$work/profile.work" >"$work/profile.out" 2>&1; then
	pass "ktrim profile ran the probe ($(awk -v a="$t0" -v b="$(date +%s.%N)" \
		'BEGIN { printf "%.1f s", b - a }'))"
else
	fail "ktrim profile failed: $(tail -5 "$work/profile.out")"
fi
normalise "$work/profile.work/console.log" >"$work/profile.env"
if grep -q '^smoke-test: probe-served' "$work/profile.work/console.log"; then
	pass "profiling: ready on the port in the workload's net namespace, smoke test served"
else
	fail "profiling: no smoke-test output"
fi

echo "checking: the environment in a boot of the shipped init"
"$KTRIM" -q initramfs --project "$work/ktrim.yaml" --timeout 15 --stop-grace 1 \
	-o "$work/ship.img"
nonce=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
APPEND_EXTRA="ktrim_nonce=$nonce" boot "$work/ship.img" "$work/ship.log"
expect_poweroff "$work/ship.log"
expect_line "$work/ship.log" '^ktrim-timeline: workload-ready [0-9]+ via=tcp' \
	"shipped: ready on the port in the workload's net namespace"
normalise "$work/ship.log" >"$work/ship.env"

echo "checking: the two are equal"
for f in profile ship; do
	if grep -q '^ENV mountinfo .* / .* - rootfs ' "$work/$f.env" &&
	   grep -q '^ENV mountinfo .* /proc .* - proc ' "$work/$f.env" &&
	   grep -q '^ENV mountinfo .* /sys/fs/cgroup .* - cgroup2 ' "$work/$f.env" &&
	   grep -q '^ENV status CapEff:' "$work/$f.env" &&
	   grep -q '^ENV status Seccomp:' "$work/$f.env"; then
		pass "$f: $(grep -c mountinfo "$work/$f.env") mounts, capabilities, seccomp read"
	else
		fail "$f: the probe's output is incomplete ($work/$f.env)"
	fi
done
# ... and both are the security defaults, not merely equal (initramfs/README.md)
for f in profile ship; do
	if grep -q '^ENV status CapBnd:	00000000a80425fb$' "$work/$f.env" &&
	   grep -q '^ENV status CapEff:	00000000a80425fb$' "$work/$f.env" &&
	   grep -q '^ENV status NoNewPrivs:	1$' "$work/$f.env" &&
	   grep -q '^ENV status Seccomp:	2$' "$work/$f.env" &&
	   grep -q '^ENV mountinfo .* /sys ro,.* - sysfs ' "$work/$f.env" &&
	   grep -q '^ENV mountinfo .* /dev .* - tmpfs ' "$work/$f.env" &&
	   grep -q '^ENV mountinfo /null /proc/kcore ' "$work/$f.env"; then
		pass "$f: Docker's 14 capabilities, NoNewPrivs 1, Seccomp 2, /sys read-only, a tmpfs /dev, /proc/kcore masked"
	else
		fail "$f: not the security defaults ($work/$f.env)"
	fi
done
if diff -u "$work/profile.env" "$work/ship.env" >"$work/env.diff"; then
	pass "profiling and shipped environments are equal"
	sed 's/^/    /' "$work/ship.env"
else
	fail "the environments differ (- profiling, + shipped):"
	sed 's/^/    /' "$work/env.diff"
fi
finish
