#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `ktrim initramfs` against mkinitramfs and dracut on the same kernel (Debian's
# generic 6.1 from ci/kernel-cache.sh), in one run, interleaved. Prints a
# markdown section (bench/run.sh appends it to its report) and writes
# $BENCH_WORK/initramfs-speed.csv.
#
# Rows:
#   ktrim, no modules           init + spec: the image of a kernel with
#                               everything built in
#   ktrim, virtio set           + virtio_pci, virtio_blk and their closure
#   ktrim, virtio set + busybox + a busybox rootfs (the bench workload)
#   mkinitramfs, virtio set     MODULES=list with the same two modules
#   dracut, virtio set          --drivers with the same two modules
#   mkinitramfs, default        MODULES=most, the distro's own image
#   dracut, default             --no-hostonly, the distro's own image
#
# Usage: bench/initramfs-speed.sh [REPS]   (default 5; peers: PEER_REPS,
# default 3, or 1 with QUICK=1). Needs root for the mkinitramfs rows:
# mkinitramfs hard-codes /lib/modules/KREL and /boot/config-KREL, so they are
# symlinked to the cache for its runs and removed afterwards; a real file at
# either path is never touched (those rows are then skipped, and say so).
set -euo pipefail
BENCH_NAME=initramfs-speed
. "$(dirname "$0")/lib.sh"

reps=${1:-5}
peer_reps=${PEER_REPS:-$([ "${QUICK:-0}" = 1 ] && echo 1 || echo 3)}
kernel_cache
ktrim=${KTRIM:-$KTRIM_TOP/ktrim}
busybox=${BUSYBOX:-/bin/busybox}
work=$BENCH_WORK/initramfs-speed
csv=$BENCH_WORK/initramfs-speed.csv
rm -rf "$work"
mkdir -p "$work/rootfs/bin" "$work/conf-list" "$work/conf-most"
cp "$busybox" "$work/rootfs/bin/busybox"
ln -s busybox "$work/rootfs/bin/sh"
mods=(virtio_pci virtio_blk)

# initramfs-tools configurations: the host's defaults, and MODULES=list.
cp -r /etc/initramfs-tools/. "$work/conf-most/"
cp -r /etc/initramfs-tools/. "$work/conf-list/"
sed -i 's/^MODULES=.*/MODULES=list/' "$work/conf-list/initramfs.conf"
printf '%s\n' "${mods[@]}" >"$work/conf-list/modules"

links_ok=0
link=/lib/modules/$KREL clink=/boot/config-$KREL made_parent=0
cleanup() {
	[ -L "$link" ] && rm -f "$link"
	[ -L "$clink" ] && rm -f "$clink"
	[ $made_parent = 1 ] && rmdir /lib/modules 2>/dev/null
	return 0
}
if [ "$(id -u)" -eq 0 ] && command -v mkinitramfs >/dev/null &&
	{ [ ! -e "$link" ] || [ -L "$link" ]; } &&
	{ [ ! -e "$clink" ] || [ -L "$clink" ]; }; then
	trap cleanup EXIT
	[ -d /lib/modules ] || { mkdir /lib/modules; made_parent=1; }
	mkdir -p /boot
	links_ok=1
fi
# Made again before each run: another bench script's cleanup may have run.
relink() { ln -sfn "$KMODDIR" "$link" && ln -sfn "$KCONFIG" "$clink"; }

modargs=()
for m in "${mods[@]}"; do modargs+=(--module "$m"); done
# name|command (run with `eval`); the output file is $out
contenders=(
	"ktrim, no modules|\"\$ktrim\" -q initramfs -o \"\$out\""
	"ktrim, virtio set|\"\$ktrim\" -q initramfs --modules-dir \"\$KMODDIR\" ${modargs[*]} -o \"\$out\""
	"ktrim, virtio set + busybox|\"\$ktrim\" -q initramfs --modules-dir \"\$KMODDIR\" ${modargs[*]} --rootfs \"\$work/rootfs\" -o \"\$out\""
)
peers=()
if [ $links_ok = 1 ]; then
	peers+=("mkinitramfs, virtio set|relink && mkinitramfs -d \"\$work/conf-list\" -o \"\$out\" \"\$KREL\"")
	peers+=("mkinitramfs, default|relink && mkinitramfs -d \"\$work/conf-most\" -o \"\$out\" \"\$KREL\"")
fi
if command -v dracut >/dev/null; then
	peers+=("dracut, virtio set|dracut -q --force --no-hostonly --kver \"\$KREL\" --kmoddir \"\$KMODDIR\" --drivers \"${mods[*]}\" \"\$out\"")
	peers+=("dracut, default|dracut -q --force --no-hostonly --kver \"\$KREL\" --kmoddir \"\$KMODDIR\" \"\$out\"")
fi

: >"$work/times"
run_one() { # index name command
	local i=$1 name=$2 cmd=$3 s t out=$work/img.$1
	rm -f "$out"
	s=$(now)
	if ! eval "$cmd" >"$work/log.$i" 2>&1; then
		progress "$name failed: $(tail -n 3 "$work/log.$i" | tr '\n' ' ')"
		return 0
	fi
	t=$(since "$s")
	echo "$i,$t,$(stat -c %s "$out")" >>"$work/times"
	progress "$name: ${t}s, $(stat -c %s "$out") bytes"
}
all=("${contenders[@]}" "${peers[@]}")
# Interleaved: every contender once per round, the slow peers in fewer rounds.
for r in $(seq 1 "$reps"); do
	for i in "${!all[@]}"; do
		[ "$i" -ge "${#contenders[@]}" ] && [ "$r" -gt "$peer_reps" ] && continue
		run_one "$i" "${all[$i]%%|*}" "${all[$i]#*|}"
	done
done

stats() { # index -> "median min max bytes runs"
	awk -F, -v i="$1" '$1 == i { print $2, $3 }' "$work/times" | sort -n |
		awk '{ t[++n] = $1; b = $2 }
		END { if (!n) { print "- - - - 0"; exit }
			printf "%.3f %.3f %.3f %d %d\n", t[int((n + 1) / 2)], t[1], t[n], b, n }'
}
read -r kmed _ _ _ _ < <(stats 1)
echo "tool,median_s,min_s,max_s,bytes,runs" >"$csv.tmp"
echo "## Initramfs generation (bench/initramfs-speed.sh)"
echo
echo "Kernel $KREL (Debian generic), module tree from the kernel cache. Wall seconds, median (min–max)"
echo "of the runs shown, interleaved; the host is shared, so ratios in the same run matter more than"
echo "absolute times. \"virtio set\": virtio_pci + virtio_blk and whatever each tool adds for them."
echo
echo "| tool | seconds | runs | image bytes | time vs ktrim (virtio set) |"
echo "|---|---|---|---|---|"
for i in "${!all[@]}"; do
	read -r med lo hi bytes n < <(stats "$i")
	name=${all[$i]%%|*}
	ratio=-
	[ "$med" != - ] && ratio=$(awk -v a="$med" -v b="$kmed" 'BEGIN { printf "%.1fx", a / b }')
	echo "| $name | $med ($lo–$hi) | $n | $bytes | $ratio |"
	echo "$name,$med,$lo,$hi,$bytes,$n" >>"$csv.tmp"
done
mv "$csv.tmp" "$csv"
[ $links_ok = 1 ] || echo "
mkinitramfs rows skipped: needs root and no real file at $link or $clink."
read -r mmed _ < <(stats 3)
echo
if [ "$kmed" != - ] && [ "${mmed:-}" != - ] && [ -n "${mmed:-}" ]; then
	awk -v k="$kmed" -v m="$mmed" 'BEGIN {
		fast = (k < 0.2) ? "met" : "not met"; ratio = m / k
		fold = (ratio >= 50) ? "met" : "not met"
		printf("Targets: ktrim under 0.2 s: %s (%.3f s); at least 50x faster than mkinitramfs on the same module set: %s (%.0fx).\n", fast, k, fold, ratio) }'
fi
