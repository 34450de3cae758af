# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# For the tests that build and certify an example for kvm-virt-arm64 on this
# x86_64 host (78, 79). Needs fail() from the sourcing test.

# arm64_setup: the cross compiler, qemu-system-aarch64 and the arm64 guest
# programs, then Debian's arm64 kernel cache exported (KSRC KIMAGE KMODDIR
# KBUSYBOX) and TCG as the accelerator.
arm64_setup() {
	local t
	for t in qemu-system-aarch64 aarch64-linux-gnu-gcc; do
		command -v "$t" >/dev/null || fail "no $t (ci/deps.sh installs it)"
	done
	[ -x "$KTRIM_TOP/build/guest/arm64/ktrim-init" ] ||
		fail "no arm64 ktrim-init (make builds it with aarch64-linux-gnu-gcc)"
	eval "$(KTRIM_ARCH=arm64 "$KTRIM_TOP/ci/kernel-cache.sh")"
	export KSRC KIMAGE KMODDIR KBUSYBOX KREL
	export KTRIM_ACCEL=${KTRIM_ACCEL:-tcg} KTRIM_DATADIR=$KTRIM_TOP
}

# arm64_project EXAMPLE FILE: recipes/workloads/EXAMPLE/ktrim.yaml made an
# arm64 project in FILE: arch: arm64, the arm64 busybox as the module
# helper's modprobe (profiling.modprobe), kvm-virt-arm64 as its target.
arm64_project() {
	# shellcheck disable=SC2016 # ${KBUSYBOX} is for ktrim to expand
	awk '{ print } $0 == "profiling:" { print "  modprobe: ${KBUSYBOX}" }' \
		"$KTRIM_TOP/recipes/workloads/$1/ktrim.yaml" |
		sed 's|^targets: .*|targets: [kvm-virt-arm64]|' >"$2"
	echo "arch: arm64" >>"$2"
	grep -qx '  modprobe: ${KBUSYBOX}' "$2" && grep -qx 'targets: \[kvm-virt-arm64\]' "$2" ||
		fail "could not make $1's project an arm64 one"
}
