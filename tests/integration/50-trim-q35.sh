#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# ktrim config on Debian's linux-source-6.1 for a busybox httpd profile with
# the kvm-q35 recipe (which includes the container and hardening bases):
#   1. from allnoconfig: the kernel's own `make olddefconfig` leaves the
#      config unchanged, every required symbol is on, and it has far fewer
#      =y options than localmodconfig (1626 here), at most 600; the report's
#      attack surface against Debian's config;
#   2. with --base Debian's config: built-ins are trimmed too, same checks;
#   3. the trimmed kernel builds (out of tree, ccache, nice, -j2) and boots
#      under QEMU TCG on q35 into a busybox init that mounts /proc, prints a
#      marker and powers off.
set -euo pipefail

: "${KSRC:?}" "${KCONFIG:?}" "${KTRIM:?}" "${KTRIM_TOP:?}" "${KTRIM_WORK:?}"
work=$KTRIM_WORK/50-trim-q35
mkdir -p "$work"
profile=$KTRIM_TOP/tests/fixtures/trim/httpd.profile.yaml
export KTRIM_DATADIR=$KTRIM_TOP

say() { printf '== %s\n' "$*"; }
die() { printf 'FAIL: %s\n' "$*"; exit 1; }

count_y() { grep -c '=y$' "$1"; }

# (a): the kernel's olddefconfig is a no-op on the file.
check_olddefconfig() { # config
	local cfg=$1 o=$work/olddef
	rm -rf "$o" && mkdir -p "$o"
	cp "$cfg" "$o/.config"
	make -s -C "$KSRC" O="$o" olddefconfig >"$work/olddef.log" 2>&1 ||
		die "make olddefconfig failed: $(tail -n 5 "$work/olddef.log")"
	cmp -s "$cfg" "$o/.config" || {
		diff "$cfg" "$o/.config" | head -n 20
		die "make olddefconfig changed $cfg"
	}
	say "make olddefconfig leaves $(basename "$cfg") unchanged"
}

# (b): every symbol a requirement mapped to, and every required symbol, is on.
check_required() { # config report
	local cfg=$1 rep=$2 n=0 sym
	sed -n '/^requirements:/,/^forbidden:/p' "$rep" >"$work/req.yaml"
	for sym in $( { grep -o 'symbols: \[[^]]*\]' "$work/req.yaml" | grep -o 'CONFIG_[A-Z0-9_]*'
			grep -o 'what: "CONFIG_[A-Z0-9_]*"' "$work/req.yaml" | grep -o 'CONFIG_[A-Z0-9_]*'
		      } | sort -u); do
		grep -qx "$sym=y" "$cfg" || die "$sym is required but not =y in $cfg"
		n=$((n + 1))
	done
	for sym in $(sed -n '/^forbidden:/,/^warnings:/p' "$rep" | grep -o 'CONFIG_[A-Z0-9_]*' | sort -u); do
		if grep -q "^$sym=[ym]" "$cfg"; then die "$sym is forbidden but on"; fi
	done
	[ "$n" -gt 50 ] || die "only $n required symbols found in $rep"
	# profile facts really reached the config
	for sym in CONFIG_IPV6 CONFIG_VIRTIO_NET CONFIG_NET_FAILOVER CONFIG_OVERLAY_FS \
		   CONFIG_MEMCG CONFIG_CGROUP_PIDS CONFIG_NET_NS CONFIG_PID_NS CONFIG_UNIX \
		   CONFIG_STACKPROTECTOR_STRONG CONFIG_SECCOMP_FILTER; do
		grep -qx "$sym=y" "$cfg" || die "$sym missing from $cfg"
	done
	grep -qx '# CONFIG_MODULES is not set' "$cfg" || die "modules: builtin, but MODULES is on"
	say "all $n required symbols are =y"
}

say "case 1: allnoconfig base"
t0=$(date +%s.%N)
"$KTRIM" config --ksrc "$KSRC" --profile "$profile" --recipe kvm-q35 --compare "$KCONFIG" \
	-o "$work/q35.config" --report "$work/q35.report.yaml"
t1=$(date +%s.%N)
say "ktrim config took $(echo "$t1 - $t0" | bc) s"
check_olddefconfig "$work/q35.config"
check_required "$work/q35.config" "$work/q35.report.yaml"
y=$(count_y "$work/q35.config")
say "=y options: $y (localmodconfig: 1626, target <= 600)"
[ "$y" -le 600 ] || die "$y =y options, more than 600"
grep -q 'CONFIG_IPV6: {value: y, reason: "required by profile busybox-httpd (socket family AF_INET6)"}' \
	"$work/q35.report.yaml" || die "report lacks the reason of CONFIG_IPV6"

say "attack surface against Debian's config: options, drivers, filesystems, syscalls, hardening"
rep=$work/q35.report.yaml
sf() { sed -n "s/^  $1: \([0-9]*\).*/\1/p" "$rep"; }
list() { sed -n "s/^  $1: \[\(.*\)\]$/\1/p" "$rep" | tr -d '" ' | tr ',' '\n'; }
removed=$(sf options-removed) drivers=$(sf drivers-removed) provided=$(sf syscalls-provided)
deb_on=$(grep -Ec '=(y|m)$' "$KCONFIG")
[ "${removed:-0}" -ge $(( deb_on - 600 )) ] || die "options-removed $removed of Debian's $deb_on"
[ "${drivers:-0}" -ge 1000 ] && [ "$drivers" -lt "$removed" ] || die "drivers-removed $drivers"
list filesystems-removed >"$work/fs-removed"
grep -qx btrfs "$work/fs-removed" || die "btrfs is not among the filesystems removed"
! grep -qx proc "$work/fs-removed" || die "proc, which the profile mounts, was reported removed"
list syscalls-unused >"$work/sys-unused"
unused=$(wc -l <"$work/sys-unused")
[ "$unused" -gt 0 ] && [ "$unused" -lt "${provided:-0}" ] || die "syscalls-unused $unused of $provided"
for sc in $(sed -n '/^  syscalls:/,/^  [a-z]/ s/^    - {name: \([a-z0-9_]*\),.*/\1/p' "$profile"); do
	! grep -qx "$sc" "$work/sys-unused" || die "the profile's syscall $sc is listed as unused"
done
list hardening-kept | grep -qx CONFIG_STACKPROTECTOR_STRONG || die "hardening-kept lacks STACKPROTECTOR_STRONG"
say "removed $removed options ($drivers drivers), $(wc -l <"$work/fs-removed") filesystems; $unused of $provided syscalls unused"

say "explain: a chain back to a requirement, and what keeps a symbol off"
"$KTRIM" explain --ksrc "$KSRC" --config "$work/q35.config" --report "$work/q35.report.yaml" \
	CONFIG_CRC32 CONFIG_E1000 | tee "$work/explain.txt"
grep -q 'CONFIG_CRC32=y: selected by CONFIG_' "$work/explain.txt" || die "explain CRC32"
grep -q 'required by recipe' "$work/explain.txt" || die "explain did not reach a requirement"
grep -q 'CONFIG_E1000=n' "$work/explain.txt" || die "explain E1000"
grep -q 'what keeps it off' "$work/explain.txt" || die "explain off"

say "case 2: Debian's config as the base"
"$KTRIM" config --ksrc "$KSRC" --profile "$profile" --recipe kvm-q35 --base "$KCONFIG" \
	-o "$work/q35-deb.config" --report "$work/q35-deb.report.yaml"
check_olddefconfig "$work/q35-deb.config"
check_required "$work/q35-deb.config" "$work/q35-deb.report.yaml"
ydeb=$(count_y "$KCONFIG")
y2=$(count_y "$work/q35-deb.config")
say "=y options: Debian $ydeb -> $y2"
[ "$y2" -le 600 ] || die "$y2 =y options from Debian's base, more than 600"
[ "$(grep -c '=m$' "$work/q35-deb.config" || true)" -eq 0 ] || die "modules left over"
# built-ins Debian has and the workload does not need are gone
for sym in CONFIG_AUDIT CONFIG_KEXEC CONFIG_MD CONFIG_FB CONFIG_USB_SUPPORT \
	   CONFIG_INPUT_KEYBOARD CONFIG_BPF_SYSCALL CONFIG_WIRELESS; do
	grep -qx "$sym=y" "$KCONFIG" || die "expected $sym=y in Debian's config"
	if grep -qx "$sym=y" "$work/q35-deb.config"; then die "$sym was not trimmed"; fi
done
before=$(sed -n 's/^  before: {y: \([0-9]*\),.*/\1/p' "$work/q35-deb.report.yaml")
# the report counts Debian's config as the engine resolves it on this tree
[ "$before" -ge $((ydeb - 5)) ] && [ "$before" -le $((ydeb + 5)) ] ||
	die "report before-count $before, Debian has $ydeb"
say "built-ins trimmed (AUDIT, KEXEC, MD, FB, USB_SUPPORT, INPUT_KEYBOARD, BPF_SYSCALL, WIRELESS gone)"

say "every shipped target solves, is an olddefconfig fixpoint, and has its boot checks =y"
for t in kvm-q35 kvm-microvm hyperv-gen1 hyperv-gen2 lcow; do
	"$KTRIM" -q config --ksrc "$KSRC" --profile "$profile" --recipe "$t" -o "$work/$t.config"
	check_olddefconfig "$work/$t.config"
	for c in $(sed -n '/check:/,/]/p' "$KTRIM_TOP/recipes/targets/$t.yaml" | grep -o 'CONFIG_[A-Z0-9_]*'); do
		grep -qx "$c=y" "$work/$t.config" || die "$t: boot check $c is not =y"
	done
	say "$t: $(count_y "$work/$t.config") =y, boot checks =y"
done

say "case 3: build the trimmed kernel and boot it under TCG"
for tool in qemu-system-x86_64 gcc make bc cpio; do
	command -v "$tool" >/dev/null || { echo "no $tool"; exit 77; }
done
busybox=$(command -v busybox || true)
if [ -z "$busybox" ] || ! file -L "$busybox" | grep -q 'statically linked'; then
	echo "no static busybox (apt-get install busybox-static)"; exit 77
fi
build=$work/build
mkdir -p "$build"
# Only a changed config triggers make's reconfiguration; ccache does the rest.
cmp -s "$work/q35.config" "$build/.config" || cp "$work/q35.config" "$build/.config"
cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
say "building in $build (log $work/build.log)"
if ! nice -n 10 make -C "$KSRC" O="$build" CC="$cc" HOSTCC=gcc -j2 bzImage \
	>"$work/build.log" 2>&1; then
	tail -n 30 "$work/build.log"
	die "kernel build failed"
fi
cmp -s "$work/q35.config" "$build/.config" || die "the kernel build changed the config"
say "bzImage: $(stat -c %s "$build/arch/x86/boot/bzImage") bytes"

root=$work/initramfs
rm -rf "$root" && mkdir -p "$root"
cat >"$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
echo "ktrim-trim-test: init ran on $(/bin/busybox uname -r), $(/bin/busybox grep -c . /proc/filesystems) filesystems"
/bin/busybox poweroff -f
EOF
cat >"$work/initramfs.list" <<EOF
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /bin 0755 0 0
file /bin/busybox $busybox 0755 0 0
file /init $root/init 0755 0 0
EOF
"$build/usr/gen_init_cpio" "$work/initramfs.list" >"$work/initramfs.cpio"
# RD_ZSTD is in the recipe: boot a zstd-compressed image as ktrim does
if command -v zstd >/dev/null; then
	zstd -q -f -19 --check "$work/initramfs.cpio" -o "$work/initramfs.img"
else
	cp "$work/initramfs.cpio" "$work/initramfs.img"
fi

say "booting under QEMU TCG (q35)"
set +e
timeout 300 qemu-system-x86_64 -M q35 -accel tcg -cpu max -m 256 -smp 1 \
	-nographic -no-reboot -kernel "$build/arch/x86/boot/bzImage" \
	-initrd "$work/initramfs.img" -append "console=ttyS0 panic=-1" \
	>"$work/console.log" 2>&1
rc=$?
set -e
tail -n 15 "$work/console.log"
[ "$rc" -ne 124 ] || die "QEMU timed out (no power-off)"
grep -q 'ktrim-trim-test: init ran on 6.1' "$work/console.log" || die "the init did not run"
grep -q 'reboot: Power down' "$work/console.log" || die "no clean power-off"
say "the trimmed kernel booted to init and powered off"
