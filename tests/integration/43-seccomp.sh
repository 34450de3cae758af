#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Seccomp in certify boots: Debian's generic 6.1 kernel under QEMU TCG
# boots `ktrim initramfs --project` with a certification overlay appended,
# as `ktrim certify` does. A static probe (built here) makes add_key(2),
# keyctl(2) and personality(ADDR_NO_RANDOMIZE), which root in the
# container may make without a filter (Docker's 14 capabilities suffice),
# and prints Seccomp and NoNewPrivs from /proc/self/status:
#   - unconfined (the control): each call goes through, Seccomp 0;
#   - seccomp: default (Docker's default profile, numbered by $KSRC's
#     syscall table): each gets EPERM, Seccomp 2, NoNewPrivs 1, in the
#     workload and in the smoke test, which still passes;
#   - seccomp: from-profile: `ktrim profile` records the workload (the
#     agent loads the arch check alone, no profile exists yet: Seccomp 2
#     there too); the image allows the profile's syscalls only. Its
#     overlay's smoke test runs the probe with "extra": setpriority(2),
#     which the profiled run never made, gets EPERM, the probe's other
#     calls (in the profile) go through, and the smoke test still passes.
#     (The smoke test must stay the profiled one otherwise: even a shell's
#     `$(...)` makes pipe2, which a run without one never showed.)
#   - no seccomp: key: Docker's default (the default case's filter) when
#     kernel.source is known; without a tree a warning and no filter.
set -euo pipefail
. "$(dirname "$0")/initramfs-lib.bash"
export KIMAGE KMODDIR KSRC
export KTRIM_ACCEL=${KTRIM_ACCEL:-tcg}

work=$KTRIM_WORK/43-seccomp
rm -rf "$work"
mkdir -p "$work"
need_busybox
make_rootfs "$work/rootfs"
cat >"$work/scprobe.c" <<'EOF'
/*
 * scprobe TAG [extra]: one "TAG call result" line per call, then the
 * status fields; "extra" adds setpriority, a call the profiled run never made.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static void report(const char *tag, const char *what, long r)
{
	printf("%s %s %s\n", tag, what, r < 0 ? strerror(errno) : "ok");
}

int main(int argc, char **argv)
{
	const char *tag = argc > 1 ? argv[1] : "SC";
	char line[256];
	FILE *f;

	/* a key in the process keyring, then the keyring's id */
	report(tag, "add_key", syscall(SYS_add_key, "user", "ktrim", "x", 1, -2));
	report(tag, "keyctl", syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -2, 1));
	report(tag, "personality", syscall(SYS_personality, 0x0040000));
	if (argc > 2 && !strcmp(argv[2], "extra"))
		report(tag, "setpriority", syscall(SYS_setpriority, PRIO_PROCESS, 0, 5));
	f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Seccomp:", 8) || !strncmp(line, "NoNewPrivs:", 11)) {
			line[strcspn(line, "\n")] = '\0';
			line[strcspn(line, "\t")] = ' ';
			printf("%s status %s\n", tag, line);
		}
	return 0;
}
EOF
cc_static=$(command -v musl-gcc || echo cc)
"$cc_static" -static -O2 -o "$work/rootfs/scprobe" "$work/scprobe.c"

# project NAME SECCOMP [SMOKE-PROBE-ARG]: a busybox httpd behind the probe
project() {
	cat >"$work/$1.yaml" <<EOF
name: $1
workload:
  rootfs: rootfs
  command: [/bin/sh, -c, "/scprobe WL; /bin/busybox mkdir -p /tmp/www; echo sc-served >/tmp/www/index.html; exec /bin/busybox httpd -f -p 8080 -h /tmp/www"]
  env: {PATH: /bin}
  namespaces: [mnt, uts, ipc, pid, net]
  seccomp: $2
  ready: {tcp-port: 8080, timeout: 60}
  smoke-test:
    command: "/scprobe SMOKE ${3:-}; /bin/busybox wget -q -O - http://127.0.0.1:8080/"
    timeout: 60
kernel:
  source: \${KSRC}
profiling:
  kernel: \${KIMAGE}
  modules: \${KMODDIR}
  memory: 256
  timeout: 240
EOF
}

# image + zero padding to 4 bytes + an overlay: what certify boots
certify_image() { # project, image, overlay project, ktrim initramfs options...
	local pr=$1 img=$2 ov=$3
	shift 3
	"$KTRIM" -q initramfs --project "$pr" --modules-dir "$KMODDIR" --kernel-release "$KREL" \
		--module virtio_pci --stop-grace 1 "$@" -o "$img.base"
	"$KTRIM" -q initramfs --project "$ov" --overlay -o "$img.overlay"
	cp "$img.base" "$img"
	truncate -s %4 "$img"
	cat "$img.overlay" >>"$img"
}

expect() { # TAG what regex
	expect_line "$log" "^$1 $2 $3\$" "$name: $1: $2 $3"
}

for name in unconfined default; do
	echo "checking: seccomp: $name"
	project "$name" "$name" extra
	certify_image "$work/$name.yaml" "$work/$name.img" "$work/$name.yaml"
	log=$work/$name.log
	boot "$work/$name.img" "$log"
	expect_poweroff "$log"
	expect_line "$log" '^sc-served$' "$name: the smoke test fetched the page"
	expect_line "$log" '^ktrim-timeline: smoke-done [0-9]+ status=0 ' "$name: the smoke test passed"
	expect SMOKE setpriority ok
	for t in WL SMOKE; do
		expect $t "status NoNewPrivs:" 1
		if [ "$name" = unconfined ]; then
			expect $t "status Seccomp:" 0
			for c in add_key keyctl personality; do expect $t $c ok; done
		else
			expect $t "status Seccomp:" 2
			for c in add_key keyctl personality; do expect $t $c 'Operation not permitted'; done
		fi
	done
done

echo "checking: no seccomp: key"
# Docker's default when the kernel tree is known: the same filter as
# seccomp: default (its boot above); with no tree, a warning and none.
spec_of() { zstd -dc "$1" | (cd "$work" && cpio -i --quiet --to-stdout etc/ktrim/spec); }
sed '/^  seccomp:/d' "$work/default.yaml" >"$work/implicit.yaml"
sed '/^kernel:/,/^  source:/d' "$work/implicit.yaml" >"$work/no-tree.yaml"
"$KTRIM" -q initramfs --project "$work/default.yaml" -o "$work/default.spec.img"
"$KTRIM" -q initramfs --project "$work/implicit.yaml" -o "$work/implicit.img"
"$KTRIM" -q initramfs --project "$work/no-tree.yaml" -o "$work/no-tree.img" 2>"$work/no-tree.err"
if [ "$(spec_of "$work/implicit.img" | grep '^seccomp ')" = \
     "$(spec_of "$work/default.spec.img" | grep '^seccomp ')" ] &&
   spec_of "$work/implicit.img" | grep -q '^seccomp '; then
	pass "no seccomp: with kernel.source: Docker's default filter, as seccomp: default"
else
	fail "no seccomp: did not ship seccomp: default's filter"
fi
if ! spec_of "$work/no-tree.img" | grep -q '^seccomp ' &&
   grep -q 'no-tree.yaml: no seccomp: and no kernel tree .* runs unconfined' "$work/no-tree.err"; then
	pass "no seccomp: and no kernel tree: $(cat "$work/no-tree.err")"
else
	fail "no seccomp: and no kernel tree: no warning, or a filter: $(cat "$work/no-tree.err")"
fi

echo "checking: seccomp: from-profile"
name=from-profile
project "$name" from-profile
# the same workload; its overlay's smoke test also runs what the profile never saw
project "$name-extra" from-profile extra
t0=$(date +%s.%N)
if "$KTRIM" profile -f "$work/$name.yaml" -o "$work/profile.yaml" \
	--workdir "$work/profile.work" >"$work/profile.out" 2>&1; then
	pass "ktrim profile ran ($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'))"
else
	fail "ktrim profile failed: $(tail -5 "$work/profile.out")"
fi
log=$work/profile.work/console
tr -d '\r' <"$work/profile.work/console.log" >"$log.txt"
expect_line "$log" '^workload: WL status Seccomp: 2$' "profiling: the agent loaded a filter (the arch check)"
expect_line "$log" '^smoke-test: SMOKE status Seccomp: 2$' "profiling: the smoke test too"
expect_line "$log" '^workload: WL add_key ok$' "profiling: every call allowed"
if grep -q '{name: setpriority,' "$work/profile.yaml" ||
   ! grep -q '{name: add_key,' "$work/profile.yaml"; then
	fail "the profile should list add_key and not setpriority ($work/profile.yaml)"
else
	pass "the profile lists add_key, not setpriority"
fi
# no profile, no allowlist: refused, naming the line
if "$KTRIM" -q initramfs --project "$work/$name.yaml" -o "$work/none.img" 2>"$work/none.err"; then
	fail "from-profile without --profile packed an image"
elif grep -q "$name.yaml:7: seccomp: from-profile needs the profile" "$work/none.err"; then
	pass "from-profile without a profile: $(cat "$work/none.err")"
else
	fail "from-profile without a profile: unexpected message: $(cat "$work/none.err")"
fi
certify_image "$work/$name.yaml" "$work/$name.img" "$work/$name-extra.yaml" \
	--profile "$work/profile.yaml"
log=$work/$name.log
boot "$work/$name.img" "$log"
expect_poweroff "$log"
expect SMOKE setpriority 'Operation not permitted'
expect_line "$log" '^sc-served$' "from-profile: the smoke test fetched the page"
expect_line "$log" '^ktrim-timeline: smoke-done [0-9]+ status=0 ' "from-profile: the smoke test passed"
for t in WL SMOKE; do
	expect $t "status Seccomp:" 2
	expect $t "status NoNewPrivs:" 1
	# in the profile: allowed
	expect $t add_key ok
done
finish
