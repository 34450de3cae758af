#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Hostile input refused cleanly, before anything runs (no boot, no kernel
# build; a few seconds):
#   - a kernel tree path with ';', an output directory with $(shell ...), a
#     target name '../x': refused with a message, exit 1, nothing executed
#     or written outside the output;
#   - a device (/dev/zero) given where a file belongs, or sourced by a
#     Kconfig file: refused before reading, never read until memory ends;
#   - a spec larger than the guest runtime takes (args, env, bytes): refused
#     by `ktrim initramfs` naming the limit, not at boot; the same limits for
#     the profiling run's spec (`ktrim profile`: one spec, one runtime);
#   - `ktrim initramfs --list` of every test archive (the fuzz seeds, an
#     image ktrim packs, damaged ones) is clean under valgrind (skipped only
#     without valgrind; ci/deps.sh installs it).
set -euo pipefail
: "${KTRIM:?}" "${KTRIM_TOP:?}" "${KTRIM_WORK:?}"
fail() { echo "FAIL: $*"; exit 1; }

w=$KTRIM_WORK/15-hostile-input
rm -rf "$w"
mkdir -p "$w"
tree=$KTRIM_TOP/tests/fixtures/trim/tree
pwned=$w/pwned

# refused CMD...: exit status 1, the message matches $want, no side effect
want=
refused() {
	local out=$w/out.txt rc=0
	"$@" >"$out" 2>&1 || rc=$?
	cat "$out"
	[ "$rc" -eq 1 ] || fail "exit $rc, not 1: ${*:1:4}"
	grep -Eq -- "$want" "$out" || fail "no '$want' in the message of: ${*:1:4}"
	[ ! -e "$pwned" ] || fail "a command ran: ${*:1:4}"
}

echo "checking: a kernel tree path holding ';'"
bad_tree="$w/tree;touch $pwned"
mkdir -p "$bad_tree"
cp -r "$tree/." "$bad_tree/"
printf 'CONFIG_NET=y\n' >"$w/in.config"
want="kernel tree '.*' holds ';'"
refused "$KTRIM" olddefconfig --ksrc "$bad_tree" -o "$w/out.config" "$w/in.config"
refused "$KTRIM" config --ksrc "$bad_tree" -o "$w/out.config"
refused "$KTRIM" explain --ksrc "$bad_tree" --config "$w/in.config" NET
[ ! -e "$w/out.config" ] || fail "a .config was written"

mkdir -p "$w/app/rootfs/bin"
cat >"$w/app/ktrim.yaml" <<'YAML'
name: app
workload:
  rootfs: rootfs
  command: [/bin/sh]
targets: [kvm-q35]
YAML
refused "$KTRIM" build -f "$w/app/ktrim.yaml" --ksrc "$bad_tree" -o "$w/o" --plan

echo "checking: an output directory holding \$(shell ...)"
want="output directory '.*' holds '\\$'"
refused "$KTRIM" build -f "$w/app/ktrim.yaml" --ksrc "$tree" \
	-o "$w/o\$(shell touch $pwned)" --plan
refused "$KTRIM" build -f "$w/app/ktrim.yaml" --ksrc "$tree" \
	-o "$w/o\$(shell touch $pwned)" --no-certify

echo "checking: a target name '../x'"
want="bad target name '\\.\\./x'"
refused "$KTRIM" build -f "$w/app/ktrim.yaml" --ksrc "$tree" -o "$w/o" --target ../x --plan
refused "$KTRIM" build -f "$w/app/ktrim.yaml" --ksrc "$tree" -o "$w/o" --target ../x --no-certify
[ ! -e "$w/x" ] || fail "something was written outside the output"
"$KTRIM" build -f "$w/app/ktrim.yaml" --ksrc "$tree" -o "$w/o" --plan >/dev/null ||
	fail "a plain build plan fails"

echo "checking: a spec larger than the guest init takes"
init=$KTRIM_TOP/build/guest/ktrim-init
want="the container spec has 200 arguments; the guest init takes at most 128"
refused "$KTRIM" initramfs --init "$init" --cmd "$(seq -s ' ' 1 200)" -o "$w/big.img"
envs=()
for i in $(seq 1 129); do envs+=(--env "V$i=1"); done
want="the container spec has 129 environment entries; the guest init takes at most 128"
refused "$KTRIM" initramfs --init "$init" --cmd /bin/sh "${envs[@]}" -o "$w/big.img"
# 100 entries of 3000 bytes: within the count, past the bytes
long=$(head -c 3000 /dev/zero | tr '\0' x)
envs=()
for i in $(seq 1 100); do envs+=(--env "V$i=$long"); done
want="the container spec takes [0-9]+ bytes or more; the guest init reads less than 262144"
refused "$KTRIM" initramfs --init "$init" --cmd /bin/sh "${envs[@]}" -o "$w/big.img"
[ ! -e "$w/big.img" ] || fail "an image was written"

echo "checking: a profiling spec larger than the runtime takes"
args=$(for i in $(seq 1 130); do printf 'a%d, ' "$i"; done)
cat >"$w/app/big.yaml" <<YAML
name: app
workload:
  rootfs: rootfs
  command: [/bin/sh, ${args%, }]
targets: [kvm-q35]
profiling:
  kernel: ${KIMAGE:?}
  modules: ${KMODDIR:?}
YAML
want="the container spec has 131 arguments; the guest init takes at most 128"
refused "$KTRIM" profile -f "$w/app/big.yaml" -o "$w/app/p.yaml"

echo "checking: a device where an input file belongs"
want="/dev/zero: not a regular file"
refused timeout 60 "$KTRIM" initramfs --init "$init" --file-list /dev/zero -o "$w/zero.img"
refused timeout 60 "$KTRIM" profile -f /dev/zero -o "$w/zero.yaml"
refused timeout 60 "$KTRIM" olddefconfig --ksrc "$tree" -o "$w/out.config" /dev/zero
refused timeout 60 "$KTRIM" initramfs --list /dev/zero
mkdir -p "$w/ztree"
printf 'source "/dev/zero"\n' >"$w/ztree/Kconfig"
want="Kconfig:1: can't open file \"/dev/zero\": not a regular file"
refused timeout 60 "$KTRIM" olddefconfig --ksrc "$w/ztree" -o "$w/out.config" "$w/in.config"

# a FIFO in a kernel tree blocked the feature scan for ever
cp -r "$tree" "$w/ftree"
mkfifo "$w/ftree/fs/fifo.c"
want="ftree/fs/fifo.c: not a regular file"
KTRIM_CACHE=$w/cache refused timeout 60 "$KTRIM" config --ksrc "$w/ftree" --rescan -o "$w/out.config"

echo "checking: a setuid file of uid 1000 in --rootfs"
mkdir -p "$w/suid/bin"
cp "$(type -P true)" "$w/suid/bin/t"
# chown clears the bit: owner first
if chown 1000:1000 "$w/suid/bin/t" 2>/dev/null && chmod 4755 "$w/suid/bin/t"; then
	"$KTRIM" initramfs --init "$init" --rootfs "$w/suid" --cmd /bin/t -o "$w/suid.img" \
		2>"$w/suid.txt"
	grep -q 'rootfs/bin/t: setuid bit cleared: owned by uid 1000' "$w/suid.txt" ||
		fail "clearing the setuid bit is not said"
	"$KTRIM" initramfs --list "$w/suid.img" | grep -Eq '^-rwxr-xr-x .* rootfs/bin/t$' ||
		fail "setuid root in the image"
	"$KTRIM" initramfs --keep-setuid --init "$init" --rootfs "$w/suid" --cmd /bin/t \
		-o "$w/suid.img" 2>"$w/suid.txt"
	grep -q 'rootfs/bin/t: setuid bit kept as asked' "$w/suid.txt" ||
		fail "keeping the setuid bit is not said"
	"$KTRIM" initramfs --list "$w/suid.img" | grep -Eq '^-rwsr-xr-x .* rootfs/bin/t$' ||
		fail "--keep-setuid did not keep it"
	# The same asked for by the project (workload: keep-setuid: true).
	printf 'name: suid\nworkload:\n  rootfs: suid\n  command: [/bin/t]\n  keep-setuid: true\n' \
		>"$w/suid.yaml"
	"$KTRIM" initramfs --project "$w/suid.yaml" --init "$init" -o "$w/suid.img" 2>"$w/suid.txt"
	grep -q 'rootfs/bin/t: setuid bit kept as asked' "$w/suid.txt" ||
		fail "keep-setuid in the project: keeping is not said"
	"$KTRIM" initramfs --list "$w/suid.img" >"$w/suid.list"
	grep -Eq '^-rwsr-xr-x .* rootfs/bin/t$' "$w/suid.list" || fail "keep-setuid: true did not keep it"
	echo "ok: cleared and said; kept and said with --keep-setuid and keep-setuid: true"
else
	echo "(not root: no file of uid 1000 to pack; setuid check skipped)"
fi
rm -f "$w/suid.img"

if ! command -v valgrind >/dev/null; then
	echo "SKIP: valgrind is not installed (ci/deps.sh installs it)"
	exit 77
fi
echo "checking: ktrim initramfs --list under valgrind"
# an image as ktrim packs it, then the same with a certification overlay
mkdir -p "$w/rootfs/bin" "$w/rootfs/etc"
echo box >"$w/rootfs/etc/hostname"
ln -s hostname "$w/rootfs/etc/link"
"$KTRIM" -q initramfs --init "$init" --rootfs "$w/rootfs" --cmd /bin/sh -o "$w/packed.img"
cat "$w/packed.img" "$w/packed.img" >"$w/two-images.img"
# damaged: cut in a header, cut in the data, no trailer, garbage
head -c 100 "$w/packed.img" >"$w/cut-header.img"
head -c 2000 "$KTRIM_TOP/tests/fuzz/cpio/plain.cpio" >"$w/cut-data.img"
head -c 200 "$KTRIM_TOP/tests/fuzz/cpio/plain.cpio" >"$w/cut-early.img"
head -c 4096 /dev/urandom >"$w/garbage.img"
n=0
for a in "$KTRIM_TOP"/tests/fuzz/cpio/* "$w"/*.img; do
	rc=0
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		"$KTRIM" initramfs --list "$a" >"$w/list.txt" 2>"$w/valgrind.txt" || rc=$?
	[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || { cat "$w/valgrind.txt"; fail "valgrind: exit $rc on $a"; }
	if grep -q '^==[0-9]*==' "$w/valgrind.txt"; then
		cat "$w/valgrind.txt"
		fail "valgrind reports on $a"
	fi
	echo "ok: $(basename "$a"): exit $rc, $(wc -l <"$w/list.txt") entries, valgrind clean"
	n=$((n + 1))
done
echo "ok: $n archives listed under valgrind"
