#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The init under failure, each boot on Debian's generic kernel under QEMU TCG
# and each required to end in a clean power-off (QEMU exits by itself, no
# panic) with the status reported:
#   - a workload that crashes (SIGSEGV)                 -> status=139
#   - a workload that ignores SIGTERM past its timeout  -> SIGKILL, status=137
#   - a workload never ready by its ready-timeout       -> stop request, status
#   - SIGINT from Ctrl-Alt-Del: a stop request, SIGTERM to the workload -> its own status
#   - an image without a spec, and one with a bad spec  -> message, power-off
#   - a workload printing records of the init's: it cannot learn the nonce
#     that ends the init's records (the host takes no record without it)
set -euo pipefail
. "$(dirname "$0")/initramfs-lib.bash"

work=$KTRIM_WORK/initramfs-failures
rm -rf "$work"
mkdir -p "$work"
need_busybox
make_rootfs "$work/rootfs"
pack() { # image, then ktrim initramfs options
	local img=$1
	shift
	"$KTRIM" -q initramfs --rootfs "$work/rootfs" --level 3 -o "$img" "$@"
}

echo "checking: a crashing workload"
pack "$work/crash.img" --cmd "/bin/sh -c 'echo about-to-crash; kill -SEGV \$\$'"
boot "$work/crash.img" "$work/crash.log"
expect_poweroff "$work/crash.log"
expect_line "$work/crash.log" '^about-to-crash$' "workload ran"
expect_line "$work/crash.log" 'workload killed by signal 11' "crash explained"
expect_line "$work/crash.log" '^ktrim-timeline: workload-exit [0-9]+ status=139 tsc=[0-9]+$' \
	"status 139 (128+SIGSEGV) in the timeline"

echo "checking: a workload never ready"
pack "$work/unready.img" --ready-stdout 'listening*' --ready-timeout 3 --stop-grace 1 \
	--cmd "/bin/sh -c 'echo starting; exec /bin/busybox sleep 100'"
boot "$work/unready.img" "$work/unready.log"
expect_poweroff "$work/unready.log"
expect_line "$work/unready.log" 'workload not ready after 3s: stopping it' "explained"
expect_timeline_order "$work/unready.log" init-start modules-loaded workload-exec \
	stop-request workload-exit poweroff
expect_line "$work/unready.log" '^ktrim-timeline: stop-request [0-9]+ source=ready-timeout tsc=[0-9]+$' \
	"timeline: stop-request source=ready-timeout"

echo "checking: a workload that ignores SIGTERM"
pack "$work/term.img" --timeout 3 --stop-grace 2 \
	--cmd "/bin/sh -c 'trap \"\" TERM; echo ignoring-term; while :; do sleep 1; done'"
boot "$work/term.img" "$work/term.log"
expect_poweroff "$work/term.log"
expect_line "$work/term.log" '^ignoring-term$' "workload ran"
expect_line "$work/term.log" 'timeout \(3s\): sending SIGTERM' "SIGTERM at the timeout"
expect_line "$work/term.log" 'still running 2s after SIGTERM: sending SIGKILL' \
	"SIGKILL after the grace period"
expect_line "$work/term.log" '^ktrim-timeline: workload-exit [0-9]+ status=137 tsc=[0-9]+$' \
	"status 137 (128+SIGKILL)"

echo "checking: SIGINT (Ctrl-Alt-Del) stops the workload with SIGTERM"
pack "$work/int.img" --ready-stdout 'waiting-for-int' \
	--cmd "/bin/sh -c 'trap \"echo got-sigterm; exit 7\" TERM; echo waiting-for-int; while :; do sleep 1; done'"
fifo=$work/qemu.in
rm -f "$fifo"
mkfifo "$fifo"
qemu_rc=0
timeout "$BOOT_TIMEOUT" qemu-system-x86_64 -accel tcg -m 256 -nographic \
	-no-reboot -kernel "$KIMAGE" -initrd "$work/int.img" \
	-append 'console=ttyS0 panic=-1 quiet' <"$fifo" >"$work/int.log" 2>&1 &
qpid=$!
exec 9>"$fifo"
for _ in $(seq 1 "$BOOT_TIMEOUT"); do
	grep -aq 'workload-ready' "$work/int.log" && break
	kill -0 "$qpid" 2>/dev/null || break
	sleep 1
done
# QEMU's stdio multiplexer: Ctrl-A c opens the monitor.
printf '\001c' >&9
sleep 1
printf 'sendkey ctrl-alt-delete\n' >&9
wait "$qpid" || qemu_rc=$?
exec 9>&-
tr -d '\r' <"$work/int.log" >"$work/int.log.txt"
expect_poweroff "$work/int.log"
expect_line "$work/int.log" 'got signal 2: stopping the workload' \
	"init got SIGINT as a stop request"
expect_line "$work/int.log" '^ktrim-timeline: stop-request [0-9]+ source=sigint tsc=[0-9]+$' \
	"timeline: stop-request source=sigint"
expect_line "$work/int.log" '^got-sigterm$' "workload's SIGTERM handler ran"
expect_line "$work/int.log" '^ktrim-timeline: workload-exit [0-9]+ status=7 tsc=[0-9]+$' \
	"workload's own status 7 reported"

# The host's per-boot nonce (ktrim_nonce=, as kprof_vm passes it): the
# init ends its records with it, the workload forging a record cannot
# learn it from /proc/cmdline, its environment or the init's.
echo "checking: a workload forging timeline records"
nonce=0123456789abcdef0123456789abcdef
pack "$work/forge.img" --namespaces mnt,pid --user 1000:1000 \
	--cmd "/bin/sh -c 'echo ktrim-timeline: workload-ready 1 via=exec; echo cmdline=[\$(/bin/busybox cat /proc/cmdline)]; echo env=[\$ktrim_nonce]; echo dmesg=[\$(/bin/busybox dmesg 2>&1 | /bin/busybox grep -c ktrim_nonce)]'"
APPEND_EXTRA="ktrim_nonce=$nonce" boot "$work/forge.img" "$work/forge.log"
expect_poweroff "$work/forge.log"
expect_line "$work/forge.log" "^ktrim-timeline: init-start [0-9]+ tsc=[0-9]+ nonce=$nonce\$" \
	"the init's records end in the nonce"
expect_line "$work/forge.log" "^ktrim-timeline: workload-exit [0-9]+ status=0 tsc=[0-9]+ nonce=$nonce\$" \
	"workload-exit with the nonce"
expect_line "$work/forge.log" '^ktrim-timeline: workload-ready 1 via=exec$' "the forged line is there"
expect_line "$work/forge.log" '^cmdline=\[\]$' "the workload's /proc/cmdline is empty"
expect_line "$work/forge.log" '^env=\[\]$' "the nonce is not in the workload's environment"
refute_line "$work/forge.log" "^dmesg=\[[1-9]" "the workload cannot read the command line in dmesg"
refute_line "$work/forge.log" "(cmdline|env)=.*$nonce" "the nonce never reaches the workload"

# Images the packer would never make, built with GNU cpio around our init.
raw_image() { # image [spec text]
	local img=$1 tree=$work/raw
	rm -rf "$tree"
	mkdir -p "$tree/dev" "$tree/etc/ktrim"
	cp "$KTRIM_TOP/build/guest/ktrim-init" "$tree/init"
	[ $# -lt 2 ] || printf '%s' "$2" >"$tree/etc/ktrim/spec"
	(cd "$tree" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$img"
}

echo "checking: a missing spec"
raw_image "$work/nospec.img"
boot "$work/nospec.img" "$work/nospec.log"
expect_poweroff "$work/nospec.log"
expect_line "$work/nospec.log" 'FATAL: cannot open the container spec /etc/ktrim/spec: No such file' \
	"missing spec explained"
refute_line "$work/nospec.log" 'workload-exec' "nothing started"

echo "checking: a malformed spec"
raw_image "$work/badspec.img" $'ktrim-spec 1\narg /bin/sh\nfrobnicate now\n'
boot "$work/badspec.img" "$work/badspec.log"
expect_poweroff "$work/badspec.log"
expect_line "$work/badspec.log" "bad container spec /etc/ktrim/spec: line 3: unknown directive 'frobnicate'" \
	"bad spec explained with its line"
finish
