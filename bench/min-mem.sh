#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Smallest guest memory (-m, MB) with which a kernel + initrd + disk still
# reaches workload-ready and passes the smoke test, by bisection between LO and
# HI (default 16 and 512) to 1 MB. Each probe is one bench/boot.sh run.
#
# Usage: bench/min-mem.sh [--lo MB] [--hi MB] [--machine M] [--timeout SEC]
#                         KERNEL INITRD [DISK] [CMDLINE]
# Prints `min_mem_mb=N` (or `min_mem_mb=>HI` when HI itself fails, or
# `min_mem_mb=<=LO` when LO already passes) and one progress line per probe.
set -euo pipefail
BENCH_NAME=min-mem
. "$(dirname "$0")/lib.sh"

lo=16 hi=512 machine=q35 timeout=180
while [ $# -gt 0 ]; do
	case $1 in
	--lo) lo=$2; shift 2 ;;
	--hi) hi=$2; shift 2 ;;
	--machine) machine=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	-*) echo "min-mem.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] && [ $# -le 4 ] || { sed -n '/^# Usage:/,/^# Prints/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
kernel=$1 initrd=$2 disk=${3:--} cmdline=${4:-}

# A probe passes when the guest reached workload-ready and the smoke test passed.
probe() {
	local row ready smoke
	row=$("$bench_dir/boot.sh" --machine "$machine" --timeout "$timeout" \
		--label "m$1" "$kernel" "$initrd" "$disk" "${cmdline:-console=ttyS0 root=/dev/vda rw quiet panic=-1}" "$1" || true)
	ready=$(echo "$row" | cut -d, -f11)
	smoke=$(echo "$row" | cut -d, -f6)
	if [ -n "$ready" ] && [ "$smoke" = pass ]; then
		progress "-m $1: pass (ready at ${ready} us)"
		return 0
	fi
	progress "-m $1: fail ($(echo "$row" | cut -d, -f5), smoke $smoke)"
	return 1
}

probe "$hi" || { echo "min_mem_mb=>$hi"; exit 1; }
if probe "$lo"; then echo "min_mem_mb=<=$lo"; exit 0; fi
# Invariant: lo fails, hi passes.
while [ $((hi - lo)) -gt 1 ]; do
	mid=$(((lo + hi) / 2))
	if probe "$mid"; then hi=$mid; else lo=$mid; fi
done
echo "min_mem_mb=$hi"
