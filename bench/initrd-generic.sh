#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Make a distro initramfs for a kernel that is NOT installed on this host, and
# time it: the generic contender's initrd and the tool-speed rows of the bench.
#
# Usage: bench/initrd-generic.sh mkinitramfs|dracut KREL MODDIR CONFIG OUT
#   MODDIR  the kernel's module tree (.../lib/modules/KREL, depmod'ed)
#   CONFIG  the kernel's .config (mkinitramfs checks its RD_* compressors)
# Prints `tool,krel,seconds,bytes` on stdout.
#
# mkinitramfs hard-codes MODULESDIR=/lib/modules/KREL and so do its hooks'
# modprobe calls, and it reads /boot/config-KREL; so for its run
# /lib/modules/KREL and /boot/config-KREL are symlinks to MODDIR and CONFIG,
# removed afterwards (with /lib/modules itself when we created it). A host that
# already has a real file at either path is refused rather than touched.
# dracut takes the module tree with --kmoddir and needs no symlink; it runs
# with --no-hostonly, the mode of a distro image that must boot any machine
# (hostonly would look at this host's devices, not the guest's).
# Both use the host's default configuration (/etc/initramfs-tools: MODULES=most,
# COMPRESS=zstd; dracut's defaults).
set -euo pipefail
BENCH_NAME=initrd
. "$(dirname "$0")/lib.sh"

[ $# -eq 5 ] || { sed -n '/^# Usage:/,/^# Prints/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
tool=$1 krel=$2 moddir=$(cd "$3" && pwd) config=$(realpath "$4") out=$5
[ -e "$moddir/modules.dep" ] || die "$moddir has no modules.dep (run depmod)"
rm -f "$out"

case $tool in
mkinitramfs)
	command -v mkinitramfs >/dev/null || die "mkinitramfs missing (apt-get install initramfs-tools-core)"
	link=/lib/modules/$krel
	clink=/boot/config-$krel
	made_parent=0
	for l in "$link" "$clink"; do
		if [ -e "$l" ] && [ ! -L "$l" ]; then
			die "$l exists and is not ours; refusing to touch it"
		fi
	done
	[ -d /lib/modules ] || { mkdir /lib/modules; made_parent=1; }
	mkdir -p /boot
	cleanup() {
		[ -L "$link" ] && rm -f "$link"
		[ -L "$clink" ] && rm -f "$clink"
		[ $made_parent = 1 ] && rmdir /lib/modules 2>/dev/null
		return 0
	}
	trap cleanup EXIT
	ln -sfn "$moddir" "$link"
	ln -sfn "$config" "$clink"
	progress "mkinitramfs -o $out $krel (MODULESDIR via $link -> $moddir)"
	s=$(now)
	mkinitramfs -o "$out" "$krel" >"$out.log" 2>&1 || { cat "$out.log" >&2; die "mkinitramfs failed"; }
	t=$(since "$s")
	;;
dracut)
	command -v dracut >/dev/null || die "dracut missing (apt-get install dracut-core)"
	progress "dracut --no-hostonly --kmoddir $moddir $out $krel"
	s=$(now)
	dracut -q --force --no-hostonly --kver "$krel" --kmoddir "$moddir" "$out" >"$out.log" 2>&1 ||
		{ cat "$out.log" >&2; die "dracut failed"; }
	t=$(since "$s")
	;;
*) die "unknown tool '$tool' (mkinitramfs, dracut)" ;;
esac
size=$(stat -c %s "$out")
progress "$tool: ${t}s, $size bytes"
echo "$tool,$krel,$t,$size"
