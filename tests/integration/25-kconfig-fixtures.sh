#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The kernel's own Kconfig fixtures (scripts/kconfig/tests of the 6.1 and
# the 6.12 tree, each a directory with a Kconfig) as a differential suite:
# the tree's own
# `conf --olddefconfig` and `ktrim olddefconfig` run on the same Kconfig
# and the same input (the fixture's `config`, else an empty one; extra
# inputs a fixture ships for other modes, `oldask1_config` and `defconfig`,
# are run too), and must agree on the exit status and, where both succeed,
# on the .config bytes. Where both fail on a dependency loop, conf's
# diagnostic lines must be ours. The fixtures' expected_* files are for
# conf's other modes (oldaskconfig, allyesconfig ...) and are not used:
# conf itself is the reference.
set -euo pipefail

: "${KSRC:?}" "${KSRC_6_12:?}" "${KTRIM:?}" "${KTRIM_WORK:?}"
work=$KTRIM_WORK/kconfig-fixtures
rm -rf "$work"
mkdir -p "$work"

# conf of TREE, built in O=$work/NAME (any *config target builds it)
build_conf() { # NAME TREE
	nice -n 10 make -s -C "$2" O="$work/$1-obj" allnoconfig >"$work/make.log" 2>&1 ||
		{ echo "FAIL: building $1's conf"; tail -20 "$work/make.log"; exit 1; }
	conf=$work/$1-obj/scripts/kconfig/conf
}

# conf's diagnostics and ours, without ktrim's prefix and the blank lines
# between conf's blocks
diag_lines() { sed -e 's/^ktrim: error: //' -e '/^$/d' "$1"; }

fail=0 ran=0 same=0 bothfail=0
# run NAME DIR INPUT: one differential case
run() {
	local name=$1 dir=$2 input=$3 d=$work/$1 crc=0 krc=0
	mkdir -p "$d/conf"
	cp "$input" "$d/input"
	cp "$input" "$d/conf/.config"
	ran=$((ran + 1))
	# as the fixtures' own runner calls it: srctree is the fixture, cwd a
	# scratch dir holding .config
	(cd "$d/conf" && env -u ARCH -u SRCARCH srctree="$dir" KCONFIG_DEFCONFIG_LIST= \
		KCONFIG_CONFIG=.config "$conf" --olddefconfig Kconfig) \
		>"$d/conf.out" 2>"$d/conf.err" || crc=$?
	# a fixture ships no scripts/kconfig: the rules are its tree's
	"$KTRIM" -q olddefconfig --rules "$rules" --ksrc "$dir" -o "$d/ktrim.config" "$d/input" \
		>"$d/ktrim.out" 2>"$d/ktrim.err" || krc=$?
	if [ "$crc" -ne 0 ] || [ "$krc" -ne 0 ]; then
		if [ "$crc" -ne 0 ] && [ "$krc" -ne 0 ]; then
			# conf exits 1 on parse errors and loops; ktrim's failures are 1 too
			if [ "$crc" -ne "$krc" ]; then
				echo "FAIL $name: conf exit $crc, ktrim exit $krc"
				fail=1
				return
			fi
			if grep -q 'recursive dependency detected' "$d/conf.err"; then
				if ! diff <(diag_lines "$d/conf.err") <(diag_lines "$d/ktrim.err") \
					>"$d/diag.diff"; then
					echo "FAIL $name: both exit $crc, the loop diagnostics differ"
					head -20 "$d/diag.diff"
					fail=1
					return
				fi
				echo "ok   $name: both exit $crc, $(diag_lines "$d/conf.err" | wc -l) lines of diagnostics identical"
			else
				echo "ok   $name: both exit $crc"
			fi
			bothfail=$((bothfail + 1))
			return
		fi
		echo "FAIL $name: conf exit $crc, ktrim exit $krc"
		sed 's/^/    conf: /' "$d/conf.err" | head -10
		sed 's/^/    ktrim: /' "$d/ktrim.err" | head -10
		fail=1
		return
	fi
	if cmp -s "$d/conf/.config" "$d/ktrim.config"; then
		echo "ok   $name: both exit 0, .config byte-identical"
		same=$((same + 1))
	else
		echo "FAIL $name: both exit 0, the .config files differ"
		diff "$d/conf/.config" "$d/ktrim.config" | head -10
		fail=1
	fi
}

: >"$work/empty"
# TREE NAME RULES: every fixture of TREE against TREE's conf
run_tree() {
	local tree=$1 tname=$2 kc dir rel name extra nfix=0
	local fixtures=$tree/scripts/kconfig/tests
	rules=$3
	[ -d "$fixtures" ] || { echo "FAIL: no $fixtures in this tree"; exit 1; }
	build_conf "$tname" "$tree"
	while IFS= read -r kc; do
		dir=$(dirname "$kc")
		rel=${dir#"$fixtures"/}
		name=$tname-${rel//\//-}
		nfix=$((nfix + 1))
		if [ -f "$dir/config" ]; then
			run "$name" "$dir" "$dir/config"
		else
			run "$name" "$dir" "$work/empty"
		fi
		for extra in oldask1_config defconfig; do
			if [ -f "$dir/$extra" ]; then
				run "$name+$extra" "$dir" "$dir/$extra"
			fi
		done
	done < <(find "$fixtures" -name Kconfig -type f | LC_ALL=C sort)
	[ "$nfix" -gt 0 ] || { echo "FAIL: no fixture with a Kconfig under $fixtures"; exit 1; }
	echo "$tname: $nfix fixture dirs"
}

run_tree "$KSRC" 6.1 6.1
run_tree "$KSRC_6_12" 6.12 6.11
echo "fixtures: $ran cases: $same byte-identical, $bothfail failing in both"
exit $fail
