#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Kernel compiles handed to distcc: a distccd on 127.0.0.1, CC="distcc gcc",
# and kernel objects built through the kernel stage of `ktrim build`
# (`ktrim kernel`, the same pipeline_kernel_build). Passes only when
# distccd's own log says it compiled them: nothing is taken from ktrim's
# output or make's.
set -euo pipefail
: "${KTRIM:?}" "${KTRIM_WORK:?}" "${KSRC:?}"
fail() { echo "FAIL: $*"; exit 1; }
command -v distccd >/dev/null || fail "no distccd (ci/deps.sh installs distcc)"

w=$KTRIM_WORK/65-distcc
rm -rf "$w"
mkdir -p "$w/daemon" "$w/distcc"
# distccd drops root for its own user, which must be able to write its log.
chmod 1777 "$w/daemon"
port=$((36000 + $$ % 1000))
distccd --daemon --allow 127.0.0.1 --listen 127.0.0.1 --port "$port" --jobs 2 \
	--log-file "$w/daemon/distccd.log" --log-level info --pid-file "$w/daemon/distccd.pid"
trap 'kill "$(cat "$w/daemon/distccd.pid" 2>/dev/null)" 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$w/daemon/distccd.pid" ] && break; sleep 0.1; done
[ -s "$w/daemon/distccd.pid" ] || fail "distccd did not start"

"$KTRIM" -q config --ksrc "$KSRC" --recipe kvm-q35 -o "$w/config"
# No fallback: a job distcc cannot hand over fails instead of compiling here.
objs=(init/main.o kernel/panic.o lib/string.o)
DISTCC_HOSTS="127.0.0.1:$port/2" DISTCC_FALLBACK=0 DISTCC_DIR=$w/distcc CC="distcc gcc" \
	"$KTRIM" kernel --ksrc "$KSRC" --config "$w/config" -O "$w/obj" -j2 "${objs[@]}" ||
	{ tail -n 30 "$w/obj/kernel-build.log"; fail "ktrim kernel failed"; }

grep -qx 'CC distcc gcc' "$w/obj/.ktrim-stamp" || fail "the build did not record CC=distcc gcc"
for o in "${objs[@]}"; do
	[ -s "$w/obj/$o" ] || fail "no $o"
	src=${o%.o}.c
	grep -q "COMPILE_OK .* $KSRC/$src\$" "$w/daemon/distccd.log" ||
		{ tail -n 20 "$w/daemon/distccd.log"; fail "distccd did not compile $src"; }
	echo "ok: distccd compiled $src"
done
n=$(grep -c 'COMPILE_OK' "$w/daemon/distccd.log")
echo "ok: distccd on 127.0.0.1:$port ran $n compile jobs for ktrim's kernel stage"
echo PASS
