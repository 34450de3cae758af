# SPDX-License-Identifier: GPL-2.0-only
# Shared by tests/integration/30-initramfs-*.sh (sourced; not a test itself).
# Boots under QEMU TCG with the flags every initramfs test uses and checks
# console output.

: "${KIMAGE:?}" "${KMODDIR:?}" "${KREL:?}" "${KTRIM:?}" "${KTRIM_TOP:?}" "${KTRIM_WORK:?}"

BUSYBOX=${BUSYBOX:-/bin/busybox}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-240}
# The guest's machine: x86 by default; arm64's tests set qemu-system-aarch64,
# "-M virt -cpu cortex-a57" and ttyAMA0.
GUEST_QEMU=${GUEST_QEMU:-qemu-system-x86_64}
read -r -a GUEST_MACHINE <<<"${GUEST_MACHINE_ARGS:-}"
GUEST_CONSOLE=${GUEST_CONSOLE:-ttyS0}
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok:   $*"; }

# Static means no program interpreter (readelf: binutils, part of the build).
is_static() { readelf -lW "$1" 2>/dev/null | grep -q 'LOAD' && ! readelf -lW "$1" | grep -q INTERP; }

need_busybox() {
	if [ ! -x "$BUSYBOX" ] || ! is_static "$(readlink -f "$BUSYBOX")"; then
		echo "FAIL: $BUSYBOX is not a static busybox (install busybox-static)"
		exit 1
	fi
}

# A workload root: static busybox and an sh link.
make_rootfs() {
	local dir=$1
	rm -rf "$dir"
	mkdir -p "$dir/bin" "$dir/tmp"
	cp "$BUSYBOX" "$dir/bin/busybox"
	ln -s busybox "$dir/bin/sh"
}

# boot IMAGE LOG [extra QEMU args...]; sets $qemu_rc. $APPEND_EXTRA is added
# to the kernel command line. Power-off must make
# QEMU exit by itself: rc 124 means the timeout had to stop it.
boot() {
	local img=$1 log=$2
	shift 2
	qemu_rc=0
	timeout "$BOOT_TIMEOUT" "$GUEST_QEMU" "${GUEST_MACHINE[@]}" -accel tcg -m 256 -nographic \
		-no-reboot -kernel "$KIMAGE" -initrd "$img" \
		-append "console=$GUEST_CONSOLE panic=-1 quiet${APPEND_EXTRA:+ $APPEND_EXTRA}" "$@" \
		</dev/null >"$log" 2>&1 || qemu_rc=$?
	tr -d '\r' <"$log" >"$log.txt"
}

expect_line() { # log regex description
	if grep -Eaq -- "$2" "$1.txt"; then
		pass "$3"
	else
		fail "$3 (no line matching /$2/ in $1.txt)"
	fi
}

refute_line() { # log regex description
	if grep -Eaq -- "$2" "$1.txt"; then
		fail "$3 (found /$2/ in $1.txt)"
	else
		pass "$3"
	fi
}

# A clean power-off: QEMU exited 0 on its own, the kernel never panicked,
# the init said poweroff last.
expect_poweroff() {
	local log=$1
	if [ "$qemu_rc" -eq 0 ]; then
		pass "QEMU exited by itself after power-off"
	else
		fail "QEMU exit status $qemu_rc (124 = still running at timeout)"
	fi
	refute_line "$log" 'Kernel panic|Attempted to kill init' "no kernel panic"
	expect_line "$log" '^ktrim-timeline: poweroff [0-9]+ tsc=[0-9]+( hz=[0-9]+)?( nonce=[0-9a-f]+)?$' \
		"timeline: poweroff"
}

# Timeline events appear in this order with growing timestamps.
expect_timeline_order() {
	local log=$1
	shift
	local got
	got=$(grep -ao 'ktrim-timeline: [a-z-]* [0-9]*' "$log.txt" |
		awk 'BEGIN{prev=0; ok=1} {if ($3+0 < prev) ok=0; prev=$3+0; printf "%s ", $2} END{if (!ok) printf "NON-MONOTONIC"}')
	if [ "$got" = "$* " ]; then
		pass "timeline order: $*"
	else
		fail "timeline order: expected '$* ', got '$got'"
	fi
}

finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures check(s) failed"
		exit 1
	fi
	echo "all checks passed"
}

# boot_bg IMAGE LOG [extra QEMU args...]: like boot, in the background, with
# an HMP monitor on the fifos $LOG.mon.in/.out (QEMU's -monitor pipe:); real
# time, no -icount; $BG_KERNEL replaces $KIMAGE. Then `monitor CMD`,
# `wait_line LOG REGEX`, `boot_wait`.
boot_bg() {
	local img=$1 log=$2
	shift 2
	bg_log=$log
	rm -f "$log.mon.in" "$log.mon.out"
	mkfifo "$log.mon.in" "$log.mon.out"
	timeout "$BOOT_TIMEOUT" "$GUEST_QEMU" "${GUEST_MACHINE[@]}" -accel tcg -m 256 -nographic \
		-no-reboot -kernel "${BG_KERNEL:-$KIMAGE}" -initrd "$img" -monitor "pipe:$log.mon" \
		-append "console=$GUEST_CONSOLE panic=-1 quiet${APPEND_EXTRA:+ $APPEND_EXTRA}" "$@" \
		</dev/null >"$log" 2>&1 &
	bg_pid=$!
	# Both ends of the fifos stay open for QEMU's whole life.
	cat "$log.mon.out" >"$log.mon.log" &
	exec 8>"$log.mon.in"
}

monitor() { printf '%s\n' "$1" >&8; }

# wait_line LOG REGEX [SECONDS]: 0 once the console shows a matching line.
wait_line() {
	local log=$1 re=$2 n=${3:-$BOOT_TIMEOUT}
	for _ in $(seq 1 "$n"); do
		tr -d '\r' <"$log" | grep -Eaq -- "$re" && return 0
		kill -0 "$bg_pid" 2>/dev/null || break
		sleep 1
	done
	tr -d '\r' <"$log" | grep -Eaq -- "$re"
}

# Wait for the background QEMU; sets $qemu_rc like boot.
boot_wait() {
	qemu_rc=0
	wait "$bg_pid" || qemu_rc=$?
	exec 8>&-
	tr -d '\r' <"$bg_log" >"$bg_log.txt"
}

# A free TCP port on the host: one nothing listens on (ss from iproute2).
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 30000))
		ss -Hltn "sport = :$p" | grep -q . || { echo "$p"; return 0; }
	done
	return 1
}
