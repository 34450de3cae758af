#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `ktrim olddefconfig` against `make olddefconfig` on Debian's config, both
# warm (conf already built; ktrim's shell-probe cache filled), in one run.
# Prints each median wall time of N runs, the ratio and ktrim's peak RSS.
# Usage: bench/kconfig-speed.sh [RUNS]   (KSRC, KCONFIG from ci/kernel-cache.sh)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
if [ -z "${KSRC:-}" ] || [ -z "${KCONFIG:-}" ]; then
	eval "$("$top/ci/kernel-cache.sh")"
fi
ktrim=${KTRIM:-$top/ktrim}
work=$(mktemp -d /tmp/ktrim-kconfig-speed.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/obj"

tv() { # output-file command... ; prints "wall_s rss_kb cpu_s"
	local f=$1
	shift
	/usr/bin/time -v -o "$f" "$@" >/dev/null 2>&1
	awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
			for (i = 1; i <= n; i++) s = s * 60 + t[i]; sec = s }
		/Maximum resident/ { rss = $2 }
		/User time|System time/ { cpu += $2 }
		END { printf "%.3f %d %.3f\n", sec, rss, cpu }' "$f"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# warm-up: builds conf, fills the probe cache
cp "$KCONFIG" "$work/obj/.config"
make -s -C "$KSRC" O="$work/obj" olddefconfig >/dev/null
"$ktrim" -q olddefconfig --ksrc "$KSRC" -o "$work/ktrim.config" "$KCONFIG"

: >"$work/make.t"
: >"$work/ktrim.t"
for _ in $(seq 1 "$runs"); do
	cp "$KCONFIG" "$work/obj/.config"
	tv "$work/tv" make -s -C "$KSRC" O="$work/obj" olddefconfig >>"$work/make.t"
	tv "$work/tv" "$ktrim" -q olddefconfig --ksrc "$KSRC" -o "$work/ktrim.config" \
		"$KCONFIG" >>"$work/ktrim.t"
done
m=$(cut -d' ' -f1 "$work/make.t" | median)
k=$(cut -d' ' -f1 "$work/ktrim.t" | median)
rss=$(cut -d' ' -f2 "$work/ktrim.t" | sort -n | tail -1)
mc=$(cut -d' ' -f3 "$work/make.t" | median)
kc=$(cut -d' ' -f3 "$work/ktrim.t" | median)
same=no
cmp -s "$work/obj/.config" "$work/ktrim.config" && same=yes
printf 'make olddefconfig (warm):  %s s wall, %s s CPU (median of %d)\n' "$m" "$mc" "$runs"
printf 'ktrim olddefconfig (warm): %s s wall, %s s CPU (median of %d), peak RSS %d MB\n' \
	"$k" "$kc" "$runs" $((rss / 1024))
awk -v m="$m" -v k="$k" -v mc="$mc" -v kc="$kc" \
	'BEGIN { printf "ratio: %.1fx faster (wall), %.1fx less CPU\n", m / k, mc / kc }'
echo "outputs byte-identical: $same"
