#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Integration tests: every tests/integration/*.sh, in name order, with the
# kernel cache (ci/kernel-cache.sh) exported as KSRC, KIMAGE, KMODDIR, KREL,
# KCONFIG, plus KTRIM (the binary) and KTRIM_TOP. A test exits 0 to pass, 77
# when the machine cannot run it (it must print why), anything else fails.
# Select with TESTS='glob'.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export KTRIM_TOP=$top KTRIM=$top/ktrim
eval "$(ci/kernel-cache.sh)" || { echo "kernel cache failed"; exit 1; }
export KSRC KIMAGE KMODDIR KREL KCONFIG
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
