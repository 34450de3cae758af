#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Integration tests: every tests/integration/*.sh, in name order, with the
# kernel cache (ci/kernel-cache.sh) exported as KSRC, KIMAGE, KMODDIR, KREL,
# KCONFIG (Debian's 6.1) and KSRC_6_12 ... KCONFIG_6_12 (Debian's 6.12),
# plus KTRIM (the binary) and KTRIM_TOP. A test exits 0 to pass, 77
# when the machine cannot run it (it must print why), anything else fails.
# Select with TESTS='glob'.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export KTRIM_TOP=$top KTRIM=$top/ktrim
eval "$(ci/kernel-cache.sh)" || { echo "kernel cache failed"; exit 1; }
export KSRC KIMAGE KMODDIR KREL KCONFIG
# The second kernel, Debian's 6.12, as KSRC_6_12, KIMAGE_6_12, ... for the
# tests that run on both trees.
k612=$(KTRIM_KERNEL=6.12 ci/kernel-cache.sh) || { echo "kernel cache (6.12) failed"; exit 1; }
eval "$(printf '%s\n' "$k612" | sed 's/=/_6_12=/')"
export KSRC_6_12 KIMAGE_6_12 KMODDIR_6_12 KREL_6_12 KCONFIG_6_12
# 6.1's under their own names too, for tests that set KSRC to 6.12's
export KIMAGE_6_1=$KIMAGE KMODDIR_6_1=$KMODDIR
export KTRIM_WORK=${KTRIM_WORK:-$top/build/itest}
mkdir -p "$KTRIM_WORK"

pass=0 fail=0 skip=0
start=$(date +%s)
for t in tests/integration/${TESTS:-*}.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	log=$KTRIM_WORK/$name.log
	t0=$(date +%s)
	printf '[%5ss] %-40s ' "$((t0 - start))" "$name"
	bash "$t" >"$log" 2>&1
	rc=$?
	dt=$(( $(date +%s) - t0 ))
	case $rc in
	0) pass=$((pass + 1)); echo "PASS (${dt}s)" ;;
	77) skip=$((skip + 1)); echo "SKIP (${dt}s): $(tail -n 1 "$log")" ;;
	*) fail=$((fail + 1)); echo "FAIL (${dt}s), log $log"; tail -n 30 "$log" | sed 's/^/    /' ;;
	esac
done
echo "integration: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
