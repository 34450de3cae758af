#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Option counts of ktrim's trimmed configs against the peers, on Debian's
# linux-source-6.1, and the speed of `ktrim config` against
# `make localmodconfig`, all in one run. Prints a markdown section on stdout
# (progress on stderr); `make bench` includes it.
#
#   ktrim kvm-q35 / kvm-microvm   busybox httpd profile + target recipe (which
#                                 includes the container and hardening bases)
#   ktrim kvm-q35, Debian base    the same with --base Debian's config
#   Debian                        the generic config
#   localmodconfig                Debian's config + `make localmodconfig`,
#                                 LSMOD = the profile's modules
#   Firecracker 6.1               shared/anchors, as shipped and after olddefconfig
#   tinyconfig, allnoconfig       the kernel's own minimal configs
#
# Usage: bench/trim-counts.sh [PROFILE]  (default: tests/fixtures/trim/httpd.profile.yaml)
# Environment: REPS (timing repetitions, default 5), KTRIM (binary),
# TRIM_LSMOD (an lsmod listing for localmodconfig instead of the profile's
# module facts, e.g. bench/localmodconfig.lsmod from a generic boot).
set -euo pipefail
BENCH_NAME=trim-counts
. "$(dirname "$0")/lib.sh"
kernel_cache
profile=${1:-$KTRIM_TOP/tests/fixtures/trim/httpd.profile.yaml}
KTRIM=${KTRIM:-$KTRIM_TOP/ktrim}
export KTRIM_DATADIR=$KTRIM_TOP
reps=${REPS:-5}
w=$BENCH_WORK/trim-counts
mkdir -p "$w"
anchor=$(ls "$KTRIM_TOP"/../shared/anchors/firecracker-*6.1*.config 2>/dev/null | head -n 1 || true)
[ -n "$anchor" ] || anchor=$(ls /work/shared/anchors/firecracker-*6.1*.config 2>/dev/null | head -n 1 || true)

ny() { grep -c '=y$' "$1" || true; }
nm() { grep -c '=m$' "$1" || true; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# The profile's module facts in lsmod's format, for LSMOD=.
lsmod=${TRIM_LSMOD:-$w/profile.lsmod}
[ -n "${TRIM_LSMOD:-}" ] || {
	printf 'Module                  Size  Used by\n'
	sed -n '/^  modules:/,/^  [a-z]*:/p' "$profile" | grep -o 'name: [A-Za-z0-9_-]*' |
		awk '{ printf "%-24s %5d  0\n", $2, 16384 }'
} >"$lsmod"
progress "LSMOD: $(($(wc -l <"$lsmod") - 1)) modules ($lsmod)"

run_ktrim() { # name out extra-args...
	local out=$1
	shift
	"$KTRIM" -q config --ksrc "$KSRC" --profile "$profile" "$@" -o "$out"
}

progress "ktrim config (cold scan is paid once per tree; this run may be warm)"
run_ktrim "$w/ktrim-q35.config" --recipe kvm-q35 --report "$w/ktrim-q35.report.yaml"
run_ktrim "$w/ktrim-microvm.config" --recipe kvm-microvm
run_ktrim "$w/ktrim-q35-deb.config" --recipe kvm-q35 --base "$KCONFIG"

progress "ktrim config warm timing, $reps runs"
: >"$w/ktrim.times"
for _ in $(seq "$reps"); do
	/usr/bin/time -f '%e %U %S' -a -o "$w/ktrim.times" \
		"$KTRIM" -q config --ksrc "$KSRC" --profile "$profile" --recipe kvm-q35 \
		-o "$w/ktrim-q35.timing.config"
done
kt_wall=$(awk '{ print $1 }' "$w/ktrim.times" | median)
kt_cpu=$(awk '{ print $2 + $3 }' "$w/ktrim.times" | median)

progress "make localmodconfig, $reps runs"
lmc=$w/lmc
mkdir -p "$lmc"
: >"$w/lmc.times"
for i in $(seq "$reps"); do
	cp "$KCONFIG" "$lmc/.config"
	/usr/bin/time -f '%e %U %S' -a -o "$w/lmc.times" \
		make -s -C "$KSRC" O="$lmc" LSMOD="$lsmod" localmodconfig \
		>"$w/lmc.log" 2>&1 </dev/null || die "localmodconfig failed: $w/lmc.log"
	# the first run also builds scripts/kconfig; time the warm ones
	[ "$i" -eq 1 ] && : >"$w/lmc.times"
done
[ -s "$w/lmc.times" ] || { cp "$KCONFIG" "$lmc/.config"; /usr/bin/time -f '%e %U %S' -o "$w/lmc.times" \
	make -s -C "$KSRC" O="$lmc" LSMOD="$lsmod" localmodconfig >"$w/lmc.log" 2>&1 </dev/null; }
lmc_wall=$(awk '{ print $1 }' "$w/lmc.times" | median)
lmc_cpu=$(awk '{ print $2 + $3 }' "$w/lmc.times" | median)

progress "tinyconfig, allnoconfig, Firecracker through olddefconfig"
for t in tinyconfig allnoconfig; do
	mkdir -p "$w/$t"
	make -s -C "$KSRC" O="$w/$t" "$t" >"$w/$t.log" 2>&1 || die "make $t failed"
done
if [ -n "$anchor" ]; then
	mkdir -p "$w/fc"
	cp "$anchor" "$w/fc/.config"
	make -s -C "$KSRC" O="$w/fc" olddefconfig >"$w/fc.log" 2>&1 || die "olddefconfig on $anchor failed"
fi

ly=$(ny "$lmc/.config")
row() { printf '| %s | %s | %s | %s |\n' "$1" "$(ny "$2")" "$(nm "$2")" "$3"; }
echo "## Trimming: option counts (Debian linux-source-6.1, x86_64)"
echo
echo "Profile: \`$(basename "$profile")\` ($(grep -c 'first:' "$profile") facts)."
echo
echo "| config | =y | =m | what |"
echo "|---|---|---|---|"
row "ktrim kvm-q35" "$w/ktrim-q35.config" "profile + kvm-q35 + container + hardening, from allnoconfig"
row "ktrim kvm-microvm" "$w/ktrim-microvm.config" "profile + kvm-microvm + container + hardening"
row "ktrim kvm-q35, Debian base" "$w/ktrim-q35-deb.config" "the same, --base Debian's config (built-ins trimmed)"
row "Debian generic" "$KCONFIG" "$(basename "$KCONFIG")"
row "localmodconfig" "$lmc/.config" "Debian's config, \`make localmodconfig\`, LSMOD: $(($(wc -l <"$lsmod") - 1)) modules ($(basename "$lsmod"))"
if [ -n "$anchor" ]; then
	row "Firecracker 6.1 (as shipped)" "$anchor" "$(basename "$anchor")"
	row "Firecracker 6.1 (olddefconfig)" "$w/fc/.config" "the same resolved on this tree"
fi
row "tinyconfig" "$w/tinyconfig/.config" "\`make tinyconfig\`"
row "allnoconfig" "$w/allnoconfig/.config" "\`make allnoconfig\`"
echo
ky=$(ny "$w/ktrim-q35.config")
echo "- ktrim kvm-q35 has $ky =y: target <= 600 **$([ "$ky" -le 600 ] && echo met || echo 'not met')**;" \
	"$(echo "scale=1; $ly / $ky" | bc)x fewer than localmodconfig ($ly =y, $(nm "$lmc/.config") =m)."
echo
echo "| tool | median wall (s) | median user+sys (s) | runs |"
echo "|---|---|---|---|"
echo "| \`ktrim config\` (warm: feature-map and probe caches) | $kt_wall | $kt_cpu | $reps |"
echo "| \`make localmodconfig\` (warm: scripts/kconfig built) | $lmc_wall | $lmc_cpu | $(wc -l <"$w/lmc.times") |"
echo
echo "- \`ktrim config\` warm: target < 0.5 s **$(echo "$kt_wall < 0.5" | bc | sed 's/1/met/;s/0/not met/')**" \
	"(wall; $(echo "scale=1; $lmc_wall / $kt_wall" | bc)x faster than localmodconfig)." \
	"Wall times on a 2-CPU host shared with other work; user+sys is the CPU the tool itself used."
