#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Parity of `ktrim olddefconfig` with the kernel's own `make olddefconfig` on
# Debian's linux-source-6.1 (x86): Debian's config, tinyconfig, allnoconfig,
# x86_64_defconfig, allmodconfig, Firecracker's 6.1 config and 20
# randconfigs, plus Debian's config with every third line dropped. For each input the set of CONFIG_ lines (assignments and
# "is not set") must be equal, and the files must be byte-identical.
set -euo pipefail

: "${KSRC:?}" "${KCONFIG:?}" "${KTRIM:?}" "${KTRIM_TOP:?}" "${KTRIM_WORK:?}"
NRAND=${KTRIM_PARITY_RANDCONFIGS:-20}
work=$KTRIM_WORK/kconfig-parity
obj=$work/obj
rm -rf "$work"
mkdir -p "$obj" "$work/in"

kmake() { nice -n 10 make -s -C "$KSRC" O="$obj" "$@" >"$work/make.log" 2>&1 ||
	{ echo "FAIL: make $*"; tail -20 "$work/make.log"; exit 1; }; }

config_lines() { grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set$)' "$1" | LC_ALL=C sort; }

echo "checking: ktrim olddefconfig == make olddefconfig (CONFIG_ line sets and bytes)"

# Inputs made by the kernel's own make.
cp "$KCONFIG" "$work/in/debian"
fc=$KTRIM_TOP/../shared/anchors/firecracker-microvm-kernel-ci-x86_64-6.1.config
[ -f "$fc" ] || fc=/work/shared/anchors/firecracker-microvm-kernel-ci-x86_64-6.1.config
if [ -f "$fc" ]; then
	cp "$fc" "$work/in/firecracker"
else
	echo "FAIL: Firecracker anchor config not found"
	exit 1
fi
# Every third line dropped: many symbols become new and take defaults.
awk 'NR % 3' "$KCONFIG" >"$work/in/debian-sparse"
for t in tinyconfig allnoconfig x86_64_defconfig allmodconfig; do
	kmake "$t"
	cp "$obj/.config" "$work/in/$t"
done
for seed in $(seq 1 "$NRAND"); do
	KCONFIG_SEED=$seed kmake randconfig
	cp "$obj/.config" "$work/in/randconfig-$seed"
done

fail=0 same=0 total=0
for in in "$work"/in/*; do
	name=$(basename "$in")
	total=$((total + 1))
	cp "$in" "$obj/.config"
	kmake olddefconfig
	cp "$obj/.config" "$work/$name.make"
	if ! "$KTRIM" -q olddefconfig --ksrc "$KSRC" -o "$work/$name.ktrim" "$in" \
		2>"$work/$name.ktrim.log"; then
		echo "FAIL $name: ktrim olddefconfig failed"
		tail -5 "$work/$name.ktrim.log"
		fail=1
		continue
	fi
	n=$(config_lines "$work/$name.make" | wc -l)
	if ! diff <(config_lines "$work/$name.make") <(config_lines "$work/$name.ktrim") \
		>"$work/$name.diff"; then
		echo "FAIL $name: CONFIG_ lines differ ($(grep -c '^[<>]' "$work/$name.diff") lines; see $work/$name.diff)"
		head -10 "$work/$name.diff"
		fail=1
	elif cmp -s "$work/$name.make" "$work/$name.ktrim"; then
		echo "ok   $name: $n CONFIG_ lines equal, byte-identical"
		same=$((same + 1))
	else
		echo "FAIL $name: $n CONFIG_ lines equal, but files differ in comments/layout"
		diff "$work/$name.make" "$work/$name.ktrim" | head -10
		fail=1
	fi
done
echo "parity: $same/$total inputs byte-identical"
exit $fail
