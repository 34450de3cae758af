#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make demo: the main job end to end, on whatever this checkout implements.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '[demo %5ss] %s\n' "$SECONDS" "$*"; }

step "kernel cache (Debian linux-source-6.1 + generic 6.1 image)"
eval "$(ci/kernel-cache.sh)"
step "source: $KSRC"
step "generic kernel: $KIMAGE ($KREL)"
step "ktrim commands available:"
./ktrim --help | sed -n '/^Commands:/,/^$/p'
