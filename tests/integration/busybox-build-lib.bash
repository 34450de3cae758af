# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# For the tests that `ktrim build` the busybox HTTP example (70, 75): its
# project and rootfs in a work folder, its profile; certify-lib.bash reads
# the certificates. Needs fail() from the sourcing test.

# busybox_project DIR: ktrim.yaml and rootfs in DIR; sets $prof. The profile
# test (40) already profiled this workload; profile only when run alone.
busybox_project() {
	local dir=$1
	mkdir -p "$dir"
	cp "$KTRIM_TOP/recipes/workloads/busybox-httpd/ktrim.yaml" "$dir/"
	"$KTRIM_TOP/recipes/workloads/busybox-httpd/make-rootfs.sh" "$dir/rootfs" >/dev/null
	prof=$KTRIM_WORK/40-profile-busybox/profile.yaml
	if [ ! -s "$prof" ]; then
		prof=$dir/profile.yaml
		"$KTRIM" profile -f "$dir/ktrim.yaml" -o "$prof"
	fi
}
