# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# For the tests that `ktrim build` the busybox HTTP example (70, 75): its
# project and rootfs in a work folder, its profile, and reading checks
# back from a certificate. Needs fail() from the sourcing test.

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

# check NAME RESULT WHERE: the check NAME of $cert has that result and place.
check() {
	awk -v n="  - name: $1" -v r="    result: $2" -v w="    where: $3" '
		$0 == n || $0 == "  - name: \"" substr(n, 11) "\"" { on = 1; next }
		on && /^  - name:/ { on = 0 }
		on && $0 == r { rr = 1 } on && $0 == w { ww = 1 }
		END { exit !(rr && ww) }' "$cert" || fail "${cert##*/}: check '$1' is not $2 on $3"
	echo "ok: ${cert##*/}: $1 $2 on $3"
}
