# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Container images of the busybox HTTP example, made here with tar,
# gzip, zstd and sha256sum (no registry, no network): its rootfs
# (recipes/workloads/busybox-httpd/make-rootfs.sh) in three layers (gzip,
# zstd, plain; the last one a whiteout), and a config that carries what
# the example's ktrim.yaml says: Entrypoint, Env, WorkingDir and
# ExposedPorts 80/tcp.
#   busybox_oci_layout DIR      an OCI image layout, its manifest tagged "latest"
#   busybox_docker_save FILE    the same image as `docker save` writes it (legacy
#                               form: HEX.json config, ID/layer.tar layers)

# bb_tar DIR OUT: a reproducible tar of DIR's contents.
bb_tar() {
	tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
		-C "$1" -cf "$2" .
}

bb_sha() { sha256sum "$1" | cut -d' ' -f1; }

# bb_layers WORK: WORK/layer{1,2,3}.tar (uncompressed) from the example's rootfs.
bb_layers() {
	local work=$1 root=$1/rootfs
	rm -rf "$work" && mkdir -p "$work/l1" "$work/l2" "$work/l3"
	"$KTRIM_TOP/recipes/workloads/busybox-httpd/make-rootfs.sh" "$root" >/dev/null
	# layer 1: everything but the page, and a file a later layer deletes
	cp -a "$root/." "$work/l1/"
	rm -rf "$work/l1/www"
	echo 'left by a build step' >"$work/l1/tmp/build-junk"
	# layer 2: the page
	mkdir "$work/l2/www"
	cp -a "$root/www/." "$work/l2/www/"
	# layer 3: the whiteout of layer 1's junk
	mkdir -m 0755 "$work/l3/tmp"
	chmod --reference="$root/tmp" "$work/l3/tmp"
	: >"$work/l3/tmp/.wh.build-junk"
	for i in 1 2 3; do bb_tar "$work/l$i" "$work/layer$i.tar"; done
}

# bb_config OUT DIFF_ID...: the image config.
bb_config() {
	local out=$1 ids="" d
	shift
	for d in "$@"; do ids="$ids${ids:+,}\"sha256:$d\""; done
	printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/bin/busybox","httpd","-f","-p","80","-h","/www"],"Env":["PATH=/bin"],"WorkingDir":"/","ExposedPorts":{"80/tcp":{}}},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
		"$ids" >"$out"
}

# bb_blob LAYOUT FILE: FILE moved into LAYOUT's blobs; prints its hex digest.
bb_blob() {
	local hex
	hex=$(bb_sha "$2")
	mv "$2" "$1/blobs/sha256/$hex"
	echo "$hex"
}

busybox_oci_layout() {
	local dir=$1 work=$1.work d1 d2 d3 l1 l2 l3 cfg man
	bb_layers "$work"
	rm -rf "$dir" && mkdir -p "$dir/blobs/sha256"
	d1=$(bb_sha "$work/layer1.tar"); d2=$(bb_sha "$work/layer2.tar"); d3=$(bb_sha "$work/layer3.tar")
	gzip -n -c "$work/layer1.tar" >"$work/layer1.tar.gz"
	zstd -q -c "$work/layer2.tar" >"$work/layer2.tar.zst"
	l1=$(bb_blob "$dir" "$work/layer1.tar.gz")
	l2=$(bb_blob "$dir" "$work/layer2.tar.zst")
	l3=$(bb_blob "$dir" "$work/layer3.tar")
	bb_config "$work/config.json" "$d1" "$d2" "$d3"
	local cs; cs=$(stat -c %s "$work/config.json")
	cfg=$(bb_blob "$dir" "$work/config.json")
	local mt=application/vnd.oci.image.layer.v1.tar
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"%s+gzip","digest":"sha256:%s","size":%s},{"mediaType":"%s+zstd","digest":"sha256:%s","size":%s},{"mediaType":"%s","digest":"sha256:%s","size":%s}]}' \
		"$cfg" "$cs" \
		"$mt" "$l1" "$(stat -c %s "$dir/blobs/sha256/$l1")" \
		"$mt" "$l2" "$(stat -c %s "$dir/blobs/sha256/$l2")" \
		"$mt" "$l3" "$(stat -c %s "$dir/blobs/sha256/$l3")" >"$work/manifest.json"
	local ms; ms=$(stat -c %s "$work/manifest.json")
	man=$(bb_blob "$dir" "$work/manifest.json")
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}' \
		"$man" "$ms" >"$dir/index.json"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
	rm -rf "$work"
}

busybox_docker_save() {
	local out=$1 work=$1.work d1 d2 d3 cfg
	bb_layers "$work"
	d1=$(bb_sha "$work/layer1.tar"); d2=$(bb_sha "$work/layer2.tar"); d3=$(bb_sha "$work/layer3.tar")
	mkdir -p "$work/save/$d1" "$work/save/$d2" "$work/save/$d3"
	mv "$work/layer1.tar" "$work/save/$d1/layer.tar"
	mv "$work/layer2.tar" "$work/save/$d2/layer.tar"
	mv "$work/layer3.tar" "$work/save/$d3/layer.tar"
	bb_config "$work/config.json" "$d1" "$d2" "$d3"
	cfg=$(bb_sha "$work/config.json")
	mv "$work/config.json" "$work/save/$cfg.json"
	printf '[{"Config":"%s.json","RepoTags":["ktrim/busybox-httpd:test"],"Layers":["%s/layer.tar","%s/layer.tar","%s/layer.tar"]}]' \
		"$cfg" "$d1" "$d2" "$d3" >"$work/save/manifest.json"
	(cd "$work/save" && tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
		-cf "$out" manifest.json "$cfg.json" "$d1" "$d2" "$d3")
	rm -rf "$work"
}
