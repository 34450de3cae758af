#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Container images in (workload: {image: PATH[:TAG]}): the busybox HTTP
# example made into an OCI image layout and a `docker save` archive by
# busybox-image-lib.bash (three layers: gzip, zstd, plain with a whiteout;
# Entrypoint, Env, WorkingDir and ExposedPorts in the config), and a
# ktrim.yaml with image: and no command:, env:, cwd: or ready:.
#  1. `ktrim initramfs` packs the same bytes from the layout, from the
#     archive and from the example's own rootfs directory and ktrim.yaml:
#     same tree (whiteout applied), same command, env, cwd and ready port;
#  2. bad images are refused with the file and the key: rootfs: given a
#     layout or a docker save archive, a layer that is not what its digest
#     says, a tag the layout lacks;
#  3. ktrim profile -> ktrim build --target kvm-q35 -> certified, smoke test
#     and host smoke test (on the image's exposed port) passed, under
#     Docker's default seccomp filter (no seccomp: key), which the
#     certificate names (instructions, syscalls, action, sha256). The project
#     adds what 40's profile adds (a minix mount in the smoke test, with
#     SYS_ADMIN), so the trimmed .config is 70's and ccache has its objects.
set -euo pipefail
: "${KTRIM:?}" "${KTRIM_TOP:?}" "${KTRIM_WORK:?}" "${KSRC:?}" "${KIMAGE:?}" "${KMODDIR:?}"
export KSRC KIMAGE KMODDIR
export KTRIM_ACCEL=${KTRIM_ACCEL:-tcg}
for t in qemu-system-x86_64 busybox zstd gzip; do
	command -v "$t" >/dev/null || { echo "no $t on this machine"; exit 77; }
done
. "$(dirname "$0")/certify-lib.bash"
. "$(dirname "$0")/busybox-image-lib.bash"

w=$KTRIM_WORK/44-oci-image
rm -rf "$w"
mkdir -p "$w"
fail() { echo "FAIL: $*"; exit 1; }

busybox_oci_layout "$w/oci"
busybox_docker_save "$w/busybox.tar"
# The example's project with its image instead of its rootfs, command, env,
# cwd and ready condition; 40's smoke-test mount and capability (see above).
sed 's|^  rootfs: rootfs$|  image: oci:latest|
	/^  command:/d; /^  env:/d; /^  cwd:/d; /^  ready:/d
	s|command: "wget|command: "busybox mount -t minix none /tmp 2>/dev/null; wget|
	s|^  image: oci:latest$|&\n  cap-add: [SYS_ADMIN]|
	s|^targets: .*|targets: [kvm-q35]|' \
	"$KTRIM_TOP/recipes/workloads/busybox-httpd/ktrim.yaml" >"$w/ktrim.yaml"
cat "$w/ktrim.yaml"
grep -q '^  image: oci:latest$' "$w/ktrim.yaml" && ! grep -Eq '^  (command|ready|env|cwd):' "$w/ktrim.yaml" ||
	fail "could not make the image project"
sed 's|^  image: oci:latest$|  image: busybox.tar:test|' "$w/ktrim.yaml" >"$w/docker.yaml"

echo "== 1: the same initramfs from the layout, the archive and the example's rootfs =="
mkdir -p "$w/example"
cp "$KTRIM_TOP/recipes/workloads/busybox-httpd/ktrim.yaml" "$w/example/"
sed -i 's|^  cwd: /$|  cwd: /\n  cap-add: [SYS_ADMIN]|' "$w/example/ktrim.yaml"
"$KTRIM_TOP/recipes/workloads/busybox-httpd/make-rootfs.sh" "$w/example/rootfs" >/dev/null
"$KTRIM" initramfs --project "$w/ktrim.yaml" -o "$w/oci.cpio.zst"
"$KTRIM" initramfs --project "$w/docker.yaml" -o "$w/docker.cpio.zst"
"$KTRIM" initramfs --project "$w/example/ktrim.yaml" -o "$w/example.cpio.zst"
sha256sum "$w"/*.cpio.zst
cmp "$w/oci.cpio.zst" "$w/docker.cpio.zst" || fail "the layout and the archive pack differently"
cmp "$w/oci.cpio.zst" "$w/example.cpio.zst" || fail "the image packs differently from the example"
zstd -dc "$w/oci.cpio.zst" | (cd "$w" && cpio -i --quiet --to-stdout etc/ktrim/spec) >"$w/oci.spec"
cat "$w/oci.spec"
grep -q '^arg /bin/busybox$' "$w/oci.spec" && grep -q '^arg /www$' "$w/oci.spec" ||
	fail "the spec lacks the image's Entrypoint"
"$KTRIM" initramfs --list "$w/oci.cpio.zst" >"$w/oci.list"
! grep -q 'build-junk' "$w/oci.list" || fail "the whiteout did not remove tmp/build-junk"
echo "ok: layout, archive and rootfs directory give the same bytes (Entrypoint, Env, WorkingDir, port 80, whiteout)"

echo "== 2: bad images are refused with the file and the key =="
refused() { # NAME PROJECT PATTERN [CMD...]: ktrim initramfs fails naming PATTERN
	local name=$1 proj=$2 pat=$3
	if "$KTRIM" initramfs --project "$proj" -o "$w/$name.cpio.zst" >"$w/$name.log" 2>&1; then
		fail "$name: accepted"
	fi
	cat "$w/$name.log"
	grep -Eq "$pat" "$w/$name.log" || fail "$name: no clear error (want /$pat/)"
	[ ! -e "$w/$name.cpio.zst" ] || fail "$name: an initramfs was written"
	echo "ok: $name refused"
}
sed 's|^  image: oci:latest$|  rootfs: oci|' "$w/ktrim.yaml" >"$w/as-rootfs.yaml"
refused as-rootfs "$w/as-rootfs.yaml" 'as-rootfs.yaml:[0-9]+:[0-9]+: rootfs .*/oci is an OCI image layout: write image: oci\[:TAG\]'
sed 's|^  image: oci:latest$|  rootfs: busybox.tar\n  command: [/bin/sh]|' "$w/ktrim.yaml" >"$w/archive-as-rootfs.yaml"
refused archive-as-rootfs "$w/archive-as-rootfs.yaml" 'rootfs .*/busybox.tar is a `docker save` archive .*: write image: '
sed 's|^  image: oci:latest$|  image: oci:nope|' "$w/ktrim.yaml" >"$w/no-tag.yaml"
refused no-tag "$w/no-tag.yaml" "no-tag.yaml:[0-9]+:[0-9]+: image .*/oci/index.json: manifests: no manifest is named 'nope'"
cp -a "$w/oci" "$w/bad"
layer=$(ls -S "$w/bad/blobs/sha256" | head -n 1)   # the biggest blob: layer 1
printf 'X' | dd of="$w/bad/blobs/sha256/$layer" bs=1 seek=100 conv=notrunc status=none
sed 's|^  image: oci:latest$|  image: bad|' "$w/ktrim.yaml" >"$w/bad.yaml"
refused bad-layer "$w/bad.yaml" "bad/blobs/sha256/$layer: sha256 is [0-9a-f]{64}, not the $layer its digest says"

echo "== 3: profile -> build -> certify with no command: in ktrim.yaml =="
t0=$(date +%s)
"$KTRIM" profile -f "$w/ktrim.yaml" -o "$w/profile.yaml"
grep -Eq '^  command: \[/bin/busybox, httpd, "?-f"?, "?-p"?, "80", "?-h"?, /www\]$' "$w/profile.yaml" ||
	fail "the profile does not record the image's Entrypoint as its command"
t1=$(date +%s)
out=$w/out
"$KTRIM" build -f "$w/ktrim.yaml" --profile "$w/profile.yaml" --target kvm-q35 --no-bisect \
	--no-analyze -o "$out" 2>&1 | tee "$w/build.log"
t2=$(date +%s)
cert=$out/kvm-q35/certificate.yaml
cat "$cert"
grep -q '^verdict: certified$' "$cert" || fail "verdict is not certified"
grep -q '^  failed: 0$' "$cert" || fail "the certificate has failed checks"
boot_checks_pass tcg
grep -q 'HTTP replied: HTTP/1\.[01] 200' "$cert" || fail "the host smoke test got no HTTP 200 on the image's port"
echo "ok: certified from the image (profile $((t1 - t0)) s, build + certify $((t2 - t1)) s)"
# No seccomp: in ktrim.yaml: Docker's default shipped (kernel.source is
# set), and the certificate names it as read from the shipped spec.
hex=$(zstd -dc "$out/kvm-q35/initramfs.cpio.zst" | (cd "$w" && cpio -i --quiet --to-stdout etc/ktrim/spec) |
	sed -n 's/^seccomp //p')
[ -n "$hex" ] || fail "the shipped spec has no seccomp filter"
sc() { awk -v k="  $1:" '/^seccomp:$/ { on = 1; next } /^[a-z]/ { on = 0 }
	on && index($0, k) == 1 { sub(/^ *[a-z0-9-]+: /, ""); gsub(/"/, ""); print }' "$cert"; }
[ "$(sc filter)" = ktrim ] && [ "$(sc where)" = static ] &&
	[ "$(sc project-mode)" = "default (no seccomp: given)" ] && [ "$(sc action)" = "errno 1" ] &&
	[ "$(sc instructions)" -eq $(( ${#hex} / 16 )) ] && [ "$(sc syscalls-allowed)" -gt 250 ] &&
	[ "$(sc syscalls-by-argument)" -ge 2 ] ||
	fail "the certificate does not name the shipped filter"
# the sha256 of the struct sock_filter[] the init hands seccomp(2), from the spec's text
bpf_sha=$(perl -e 'my $h = shift; for (my $i = 0; $i < length $h; $i += 16) {
	print pack("vCCV", map { hex substr($h, $i + $_->[0], $_->[1]) } [0, 4], [4, 2], [6, 2], [8, 8]) }' \
	"$hex" | sha256sum | cut -d' ' -f1)
[ "$(sc sha256)" = "$bpf_sha" ] || fail "the certificate's filter sha256 is not the shipped program's ($bpf_sha)"
echo "ok: the certificate names the filter: $(( ${#hex} / 16 )) instructions, $(sc syscalls-allowed) syscalls allowed, $(sc syscalls-by-argument) by argument, action $(sc action), sha256 $bpf_sha"
echo "PASS"
