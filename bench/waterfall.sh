#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The boot waterfall of a ktrim build's target, for bench/results and the
# README: `ktrim certify --analyze` on what `ktrim build` made (its System.map
# from the build folder, its trim report), the SVG rendered to PNG.
#
# Usage: bench/waterfall.sh OUTDIR TARGET PROJECT RESULT.png
#   OUTDIR   a `ktrim build -o` folder (OUTDIR/TARGET, OUTDIR/.build/TARGET)
#   PROJECT  its ktrim.yaml (the smoke tests), KSRC its kernel tree
# Writes RESULT.png, RESULT.svg and RESULT.yaml (the boot profile).
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 OUTDIR TARGET PROJECT RESULT.png" >&2; exit 2; }
out=$1 target=$2 project=$3 png=$4
top=$(cd "$(dirname "$0")/.." && pwd)
ktrim=${KTRIM:-$top/ktrim}
: "${KSRC:?KSRC: the kernel tree the target was built from}"
d=$out/$target
command -v rsvg-convert >/dev/null || { echo "$0: needs rsvg-convert (librsvg2-bin)" >&2; exit 1; }
kernel=$d/$("$ktrim" target-info "$target" --field kernel-name)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
KTRIM_ACCEL=${KTRIM_ACCEL:-tcg} "$ktrim" certify --kernel "$kernel" --initramfs "$d/initramfs.cpio.zst" \
	--config "$d/.config" --target "$target" --project "$project" --no-bisect --analyze \
	--system-map "$out/.build/$target/System.map" --ksrc "$KSRC" --report "$d/trim-report.yaml" \
	-o "$work/certificate.yaml" >&2
base=${png%.png}
rsvg-convert -o "$base.png.tmp" "$work/boot-waterfall.svg" && mv "$base.png.tmp" "$base.png"
cp "$work/boot-waterfall.svg" "$base.svg"
cp "$work/boot-profile.yaml" "$base.yaml"
sed -n '/^analysis:/,$p' "$work/certificate.yaml"
