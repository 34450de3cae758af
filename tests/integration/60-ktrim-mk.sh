#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# ci/ktrim.mk as a kernel CI uses it: a throwaway Makefile made from the
# README's worked example (only the paths replaced), run with nothing of
# ktrim's in the environment (KSRC is a plain make variable there), through
# every goal: ktrim-config, ktrim-initramfs, ktrim-kernel (the kernel's own
# make) and ktrim-certify (a QEMU boot). Then `ktrim target-info` and
# `ktrim build --plan` must agree on every shipped target, and bad input to
# the include is refused clearly.
set -euo pipefail
: "${KTRIM:?}" "${KTRIM_TOP:?}" "${KTRIM_WORK:?}" "${KSRC:?}"
fail() { echo "FAIL: $*"; exit 1; }

w=$KTRIM_WORK/60-ktrim-mk
rm -rf "$w/app" "$w/Makefile" "$w/plan"
mkdir -p "$w/app"
cp "$KTRIM_TOP/recipes/workloads/busybox-httpd/ktrim.yaml" "$w/app/"
"$KTRIM_TOP/recipes/workloads/busybox-httpd/make-rootfs.sh" "$w/app/rootfs" >/dev/null
# The profile test 50 trims and builds from: its kernel objects are in ccache.
cp "$KTRIM_TOP/tests/fixtures/trim/httpd.profile.yaml" "$w/app/ktrim.profile.yaml"

# The README's example, word for word but for where the tree and ktrim are.
sed -n '/^```make$/,/^```$/p' "$KTRIM_TOP/README.md" | sed '1d;$d' |
	sed -e "s|/src/linux|$KSRC|" -e "s|/opt/ktrim|$KTRIM_TOP|" > "$w/Makefile"
grep -q '^include .*ci/ktrim.mk$' "$w/Makefile" || fail "README has no ci/ktrim.mk example"
grep -q '^KSRC *:= ' "$w/Makefile" || fail "README's example does not set KSRC"
out=$w/$(sed -n 's/^O *:= *//p' "$w/Makefile")
rm -rf "$out"
cat "$w/Makefile"

# A kernel CI's environment: none of the variables the project file names.
ci_make() { env -u KSRC -u KIMAGE -u KMODDIR -u KREL -u KCONFIG make -C "$w" "$@"; }

ci_make ktrim-config
[ -s "$out/.config" ] || fail "no .config"
[ -s "$out/ktrim-report.yaml" ] || fail "no ktrim-report.yaml"
grep -qx 'CONFIG_VIRTIO_PCI=y' "$out/.config" || fail "kvm-q35 recipe not applied"
grep -qx 'CONFIG_INET=y' "$out/.config" || fail "profile's AF_INET not applied"
echo "ok: ktrim-config wrote $(grep -c '=y$' "$out/.config") options =y"

# Packing needs no profiling kernel: KIMAGE and KMODDIR are unset here.
ci_make ktrim-initramfs
"$KTRIM" initramfs --list "$out/ktrim-initramfs.cpio.zst" > "$w/list"
grep -q ' init$' "$w/list" || fail "no /init in the image"
grep -q ' rootfs/bin/busybox$' "$w/list" || fail "no workload in the image"
echo "ok: ktrim-initramfs packed the workload without the profiling kernel's variables"

cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
KTRIM_ACCEL=tcg ci_make -j2 ktrim-certify CC="$cc" KTRIM_CERTIFY_FLAGS=--no-bisect \
	> "$w/certify.log" 2>&1 || { tail -n 30 "$w/certify.log"; fail "make ktrim-certify failed"; }
built=$("$KTRIM" target-info kvm-q35 --field built-path)
[ -s "$out/$built" ] || fail "ktrim-kernel left no $built"
grep -q 'Kernel: arch/x86/boot/bzImage is ready' "$out/kernel-build.log" ||
	fail "ktrim-kernel did not run the kernel's make for bzImage"
grep -q '^verdict: certified$' "$out/ktrim-certificate.yaml" || fail "the verdict is not certified"
grep -q '    result: pass' <(awk '/name: "config binding"/ { on = 1 } on' "$out/ktrim-certificate.yaml") ||
	fail "the kernel is not bound to its .config"
cert=$out/ktrim-certificate.yaml
[ -s "$cert" ] || fail "no certificate"
grep -q '^  failed: 0$' "$cert" || { cat "$cert"; fail "certificate has failed checks"; }
for c in "boot to init" "workload ready" "smoke test" "clean power-off"; do
	awk -v c="$c" '$0 == "  - name: " c || $0 == "  - name: \"" c "\"" { on = 1; next }
		on { print; if (/where:/) exit }' "$cert" |
		grep -q 'where: tcg' || fail "check '$c' did not run on tcg"
done
# YAML quotes a hash that could read as a number (digits, an e, digits).
grep -Eq "^  sha256: \"?$(sha256sum "$out/$built" | cut -d' ' -f1)\"?$" "$cert" ||
	fail "the certificate is not about the kernel ktrim-kernel built"
echo "ok: ktrim-kernel built $built, ktrim-certify booted it: $(grep -c '    result: pass' "$cert") checks pass"

# target-info and build agree on every shipped target (and a union).
mkdir -p "$w/plan"
# The arm64 targets plan for the same workload as an arm64 one.
{ grep -v '^arch:' "$w/app/ktrim.yaml"; echo "arch: arm64"; } >"$w/app/ktrim-arm64.yaml"
for f in "$KTRIM_TOP"/recipes/targets/*.yaml; do
	t=$(basename "$f" .yaml)
	"$KTRIM" target-info "$t" > "$w/plan/$t.info"
	field() { sed -n "s/^$1: //p" "$w/plan/$t.info"; }
	proj=ktrim.yaml
	[ "$(field arch)" = arm64 ] && proj=ktrim-arm64.yaml
	(cd "$w/app" && KSRC=$KSRC KIMAGE=unused KMODDIR=unused \
		"$KTRIM" build -f "$proj" --plan --target "$t" -o "$w/plan/out") > "$w/plan/$t.plan"
	plan() { sed -n "s/^  $1: //p" "$w/plan/$t.plan"; }
	[ "$(plan make-goal)" = "$(field make-goal)" ] || fail "$t: make goal differs"
	[ "$(plan kernel-format)" = "$(field kernel-format)" ] || fail "$t: format differs"
	[ "$(plan built)" = "$w/plan/out/.build/$t/$(field built-path)" ] || fail "$t: built path differs"
	[ "$(plan kernel)" = "$w/plan/out/$t/$(field kernel-name)" ] || fail "$t: kernel name differs"
	[ "$(plan initramfs)" = "$w/plan/out/$t/$(field initramfs-name)" ] ||
		fail "$t: initramfs name differs"
	grep -q "^      machine: $(field machine)$" "$w/plan/$t.plan" || fail "$t: machine differs"
	echo "ok: $t: target-info and build --plan agree ($(field make-goal) -> $(field kernel-name))"
done
[ ! -e "$w/plan/out" ] || fail "build --plan wrote $w/plan/out"
# A target of another architecture than the workload's is refused, naming both.
if (cd "$w/app" && KSRC=$KSRC KIMAGE=unused KMODDIR=unused \
	"$KTRIM" build --plan --target kvm-virt-arm64 -o "$w/plan/out") > "$w/plan/cross.log" 2>&1; then
	fail "an x86_64 workload planned for kvm-virt-arm64"
fi
grep -q 'the workload is x86_64 (arch:) but target kvm-virt-arm64 is for arm64' "$w/plan/cross.log" ||
	fail "no clear message for an arm64 target of an x86_64 workload: $(cat "$w/plan/cross.log")"
echo "ok: an x86_64 workload's build for an arm64 target is refused"

if ci_make ktrim-config KSRC= > "$w/nokrsc.log" 2>&1; then
	fail "ktrim-config without KSRC succeeded"
fi
grep -q 'set KSRC' "$w/nokrsc.log" || fail "no clear message without KSRC"
if ci_make ktrim-config KTRIM_TARGETS=no-such-target > "$w/badtarget.log" 2>&1; then
	fail "an unknown target was accepted"
fi
grep -q "no recipe 'no-such-target'" "$w/badtarget.log" || fail "no clear message for a bad target"
echo "ok: missing KSRC and unknown targets are refused"
echo PASS
