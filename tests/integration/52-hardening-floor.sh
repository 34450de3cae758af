#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The hardening floor on both kernels: `ktrim config --strict` for the
# busybox httpd profile with the kvm-q35 recipe, on Debian's 6.1 and 6.12
# trees. Every requirement of recipes/bases/hardening.yaml and its x86 part
# (hardening-x86.yaml) is =y under the
# name the tree defines (the first of its alternatives the tree's Kconfig
# files define: CONFIG_RETPOLINE on 6.1, CONFIG_MITIGATION_RETPOLINE on
# 6.12, ...), each forbidden one is off, and the named mitigations are
# there by name. Every shipped target trims 6.12 with --strict to a fixpoint
# of its make olddefconfig. A recipe requiring a symbol the tree lacks fails
# the trim with the recipe's file:line.
set -euo pipefail

: "${KSRC:?}" "${KSRC_6_12:?}" "${KTRIM:?}" "${KTRIM_TOP:?}" "${KTRIM_WORK:?}"
work=$KTRIM_WORK/52-hardening-floor
rm -rf "$work" && mkdir -p "$work"
profile=$KTRIM_TOP/tests/fixtures/trim/httpd.profile.yaml
floors=("$KTRIM_TOP/recipes/bases/hardening.yaml" "$KTRIM_TOP/recipes/bases/hardening-x86.yaml")
export KTRIM_DATADIR=$KTRIM_TOP

die() { printf 'FAIL: %s\n' "$*"; exit 1; }

# NAME TREE: the floor holds on TREE
check_tree() {
	local name=$1 tree=$2 cfg=$work/$1.config defined=$work/$1.defined line alts sym n=0
	"$KTRIM" -q config --strict --ksrc "$tree" --profile "$profile" --recipe kvm-q35 \
		-o "$cfg" 2>"$work/$name.log" || { cat "$work/$name.log"; die "$name: ktrim config --strict failed"; }
	# every symbol the tree's Kconfig files define
	(cd "$tree" && find . -name 'Kconfig*' -type f -print0 | xargs -0 \
		sed -n 's/^[[:space:]]*\(menu\)\{0,1\}config[[:space:]]\{1,\}\([A-Za-z0-9_]*\).*/CONFIG_\2/p') |
		sort -u >"$defined"
	for floor in "${floors[@]}"; do
		sed -n '/^require:/,/^forbid:/p' "$floor" | sed -n 's/^ *- *\(CONFIG_[^#]*\).*/\1/p'
	done >"$work/require.txt"
	while read -r line; do
		alts=${line//|/ }
		sym=
		for a in $alts; do
			grep -qx "$a" "$defined" && { sym=$a; break; }
		done
		[ -n "$sym" ] || die "$name: the tree defines none of $line (the trim should have failed)"
		grep -qx "$sym=y" "$cfg" || die "$name: $sym (from \"$line\") is not =y"
		[ "$sym" = "${alts%% *}" ] || echo "$name: $sym stands for \"$line\""
		n=$((n + 1))
	done <"$work/require.txt"
	for sym in $(sed -s -n '/^forbid:/,$p' "${floors[@]}" | grep -o 'CONFIG_[A-Z0-9_]*'); do
		if grep -q "^$sym=[ym]" "$cfg"; then die "$name: $sym is forbidden but on"; fi
	done
	# the ones the issue names, under either name
	for want in "CONFIG_MITIGATION_RETPOLINE CONFIG_RETPOLINE" \
		    "CONFIG_MITIGATION_PAGE_TABLE_ISOLATION CONFIG_PAGE_TABLE_ISOLATION" \
		    CONFIG_STACKPROTECTOR_STRONG CONFIG_STRICT_KERNEL_RWX CONFIG_SECCOMP_FILTER; do
		local ok=
		for a in $want; do grep -qx "$a=y" "$cfg" && ok=$a; done
		[ -n "$ok" ] || die "$name: none of $want is =y"
	done
	echo "ok   $name: all $n requirements of the hardening floor =y, forbidden ones off ($(grep -c '=y$' "$cfg") =y in all)"
}

check_tree 6.1 "$KSRC"
check_tree 6.12 "$KSRC_6_12"
# the names moved between the two trees, and each config has its tree's
grep -qx CONFIG_RETPOLINE=y "$work/6.1.config" || die "6.1: CONFIG_RETPOLINE"
grep -qx CONFIG_MITIGATION_RETPOLINE=y "$work/6.12.config" || die "6.12: CONFIG_MITIGATION_RETPOLINE"
grep -qx CONFIG_PAGE_TABLE_ISOLATION=y "$work/6.1.config" || die "6.1: CONFIG_PAGE_TABLE_ISOLATION"
grep -qx CONFIG_MITIGATION_PAGE_TABLE_ISOLATION=y "$work/6.12.config" ||
	die "6.12: CONFIG_MITIGATION_PAGE_TABLE_ISOLATION"

# Every shipped target on 6.12: --strict (no fact or symbol of the recipes
# missing from the tree), a fixpoint of the kernel's own make olddefconfig,
# its boot checks =y.
o=$work/olddef
mkdir -p "$o"
for t in kvm-q35 kvm-microvm hyperv-gen1 hyperv-gen2 lcow; do
	cfg=$work/6.12-$t.config
	"$KTRIM" -q config --strict --ksrc "$KSRC_6_12" --profile "$profile" --recipe "$t" -o "$cfg" ||
		die "6.12 $t: ktrim config --strict failed"
	cp "$cfg" "$o/.config"
	nice -n 10 make -s -C "$KSRC_6_12" O="$o" olddefconfig >"$work/olddef.log" 2>&1 ||
		die "make olddefconfig failed: $(tail -n 5 "$work/olddef.log")"
	cmp -s "$cfg" "$o/.config" || { diff "$cfg" "$o/.config" | head; die "6.12 $t: make olddefconfig changed it"; }
	for c in $(sed -n '/check:/,/]/p' "$KTRIM_TOP/recipes/targets/$t.yaml" | grep -o 'CONFIG_[A-Z0-9_]*'); do
		grep -qx "$c=y" "$cfg" || die "6.12 $t: boot check $c is not =y"
	done
	echo "ok   6.12 $t: --strict, $(grep -c '=y$' "$cfg") =y, make olddefconfig leaves it, boot checks =y"
done

# A recipe that requires what the tree lacks, under every name: the trim
# fails and names the recipe's line.
mkdir -p "$work/recipes/targets"
cat >"$work/recipes/targets/absent.yaml" <<'YAML'
name: absent
description: requires a symbol no kernel has
include: [targets/kvm-q35.yaml]
require:
  - CONFIG_VIRTIO_NET
  - CONFIG_MITIGATION_NO_SUCH_THING | CONFIG_NO_SUCH_THING
YAML
cp -R "$KTRIM_TOP/recipes/targets/kvm-q35.yaml" "$work/recipes/targets/"
cp -R "$KTRIM_TOP/recipes/bases" "$work/recipes/"
for tree in "$KSRC" "$KSRC_6_12"; do
	if "$KTRIM" -q config --ksrc "$tree" --recipes-dir "$work/recipes" --recipe absent \
		-o "$work/absent.config" 2>"$work/absent.log"; then
		die "a recipe requiring an absent symbol did not fail on $tree"
	fi
	grep -q 'targets/absent.yaml:6:5: CONFIG_MITIGATION_NO_SUCH_THING | CONFIG_NO_SUCH_THING' "$work/absent.log" ||
		{ cat "$work/absent.log"; die "the failure does not name absent.yaml:6:5"; }
	[ ! -e "$work/absent.config" ] || die "a failed trim wrote its output"
done
echo "ok   a recipe requiring an absent symbol fails with its file:line on both trees"
