# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Shared by the bench scripts (sourced, not run): paths, progress lines, the
# kernel cache. Every script sets BENCH_NAME before sourcing.
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KTRIM_TOP=${KTRIM_TOP:-$(cd "$bench_dir/.." && pwd)}
BENCH_CACHE=${BENCH_CACHE:-${KTRIM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ktrim}/bench}
BENCH_WORK=${BENCH_WORK:-$BENCH_CACHE/work}
export KTRIM_TOP BENCH_CACHE BENCH_WORK
mkdir -p "$BENCH_WORK"

bench_t0=${bench_t0:-$(date +%s.%N)}
progress() {
	printf '[%s] %6.1fs %s\n' "${BENCH_NAME:-bench}" \
		"$(echo "$(date +%s.%N) - $bench_t0" | bc)" "$*" >&2
}
die() { printf '%s: %s\n' "${BENCH_NAME:-bench}" "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { printf '%.3f' "$(echo "$(date +%s.%N) - $1" | bc)"; }

kernel_cache() {
	[ -n "${KSRC:-}" ] && [ -n "${KIMAGE:-}" ] && return 0
	eval "$(cd "$KTRIM_TOP" && ci/kernel-cache.sh)"
	export KSRC KIMAGE KMODDIR KREL KCONFIG
}
