#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Run each libFuzzer harness given for SECONDS, one after the other.
#   tests/fuzz/run.sh SECONDS build/fuzz/bin/NAME...
# Seeds come from tests/fuzz/NAME/ (read only); what a run finds grows
# in $KTRIM_FUZZ_CORPUS/NAME (default: ktrim's cache dir, fuzz/NAME), so
# the corpus keeps growing from run to run. A crash or sanitizer report
# leaves its input in build/fuzz/crashes/ and the log in build/fuzz/logs/,
# and fails the run. Each summary line gives the executions and CPU time.
set -u
secs=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${KTRIM_FUZZ_CORPUS:-${KTRIM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ktrim}/fuzz}
crashes=$top/build/fuzz/crashes
logs=$top/build/fuzz/logs
mkdir -p "$crashes" "$logs" "$top/build/fuzz/tmp"
failed=0
for bin in "$@"; do
	name=$(basename "$bin")
	mkdir -p "$cache/$name"
	log=$logs/$name.log
	start=$(date +%s)
	# The harnesses write their scratch files under TMPDIR.
	TMPDIR=$top/build/fuzz/tmp \
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	/usr/bin/time -f '%U %S' -o "$log.time" \
		"$bin" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$crashes/$name-" \
		"$cache/$name" "$here/$name" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cpu=$(awk '{ printf "%.0f", $1 + $2 }' "$log.time" 2>/dev/null)
	if [ "$rc" -ne 0 ]; then
		echo "FUZZ FAILED: $name (exit $rc after $(( $(date +%s) - start )) s; log $log)"
		grep -m5 -E 'ERROR|runtime error|==[0-9]+==|Test unit written' "$log" | sed 's/^/  /'
		failed=$((failed + 1))
	else
		echo "fuzz: $name: ${runs:-0} runs, ${cpu:-?} s CPU, corpus $(ls "$cache/$name" | wc -l) files"
	fi
done
echo "fuzz: $(( $# - failed )) passed, $failed failed"
[ "$failed" -eq 0 ]
