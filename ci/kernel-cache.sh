#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Fetch one of Debian's kernel series (KTRIM_KERNEL: 6.1, the default, or 6.12)
# with `apt-get download`: linux-source-<series> and the current generic amd64
# image of that series. Unpack them (dpkg -x, never installed) into the cache
# and print where they are as shell assignments:
#   KSRC=...      the unpacked source tree
#   KIMAGE=...    the generic bzImage (vmlinuz)
#   KMODDIR=...   its /lib/modules/<release> tree
#   KREL=...      its kernel release
#   KCONFIG=...   Debian's config for it
# 6.1 lives at the top of the cache, as it always has; any other series in a
# subdirectory named after it, so fetching 6.12 leaves 6.1's users alone.
#
# KTRIM_ARCH=arm64 (default x86_64) fetches Debian's generic arm64 image
# instead (linux-image-<series ABI>-arm64, a gzip'd Image that QEMU's aarch64
# -kernel unpacks) and busybox-static:arm64, unpacked under <cache>/arm64 so
# the amd64 ones stay; KSRC is the same source tree. It also prints
#   KBUSYBOX=...  the static arm64 busybox (make-rootfs.sh's KTRIM_BUSYBOX)
# Idempotent: a second run only prints. Usage: ci/kernel-cache.sh [CACHE_DIR]
set -euo pipefail

series=${KTRIM_KERNEL:-6.1}
arch=${KTRIM_ARCH:-x86_64}
case $arch in
x86_64 | x86 | amd64) deb_arch=amd64 ;;
arm64 | aarch64) deb_arch=arm64 ;;
*) echo "[kernel-cache] KTRIM_ARCH=$arch: known arches are x86_64 and arm64" >&2; exit 2 ;;
esac
case $series in
# The meta-package whose Depends names the current image of the series.
6.1) meta=linux-image-$deb_arch ;;
6.12) meta=linux-image-6.12-$deb_arch ;;
*) echo "[kernel-cache] KTRIM_KERNEL=$series: known series are 6.1 and 6.12" >&2; exit 2 ;;
esac

cache=${1:-${KTRIM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ktrim}}
[ "$series" = 6.1 ] || cache=$cache/$series
mkdir -p "$cache"
cd "$cache"
# The image of another arch lives in its own directory; the source is shared.
imgcache=$cache
[ "$deb_arch" = amd64 ] || imgcache=$cache/$deb_arch

log() { printf '[kernel-cache] %s\n' "$*" >&2; }

apt_ready() {
	# apt-cache knows nothing until the lists exist.
	if ! apt-cache show "linux-source-$series" >/dev/null 2>&1; then
		log "apt-get update"
		apt-get update -q >&2
	fi
}

image_pkg() {
	# 6.1's images are linux-image-6.1.0-N-amd64, 6.12's linux-image-6.12.N+deb12-amd64.
	local re="linux-image-${series//./\\.}[.0-9]*[-+][0-9a-z]*-$deb_arch"
	# Another arch's kernel is the same build as the cached amd64 one when
	# Debian still has it (same ABI, same source), else the meta's current.
	if [ "$deb_arch" != amd64 ] && [ -e "$cache/image.current" ]; then
		local same
		same=$(sed "s/-amd64\$/-$deb_arch/" "$cache/image.current")
		if apt-cache show "$same:$deb_arch" >/dev/null 2>&1; then
			echo "$same:$deb_arch"
			return
		fi
	fi
	apt-cache depends "$meta:$deb_arch" 2>/dev/null |
		sed -n "s/^ *Depends: \\($re\\)\\(:$deb_arch\\)\\{0,1\\}\$/\\1:$deb_arch/p" | head -n 1
}

fetch_unpack() { # package destdir
	local pkg=$1 dest=$2 tmp
	[ -e "$dest/.complete" ] && return 0
	tmp=$(mktemp -d "$cache/.dl.XXXXXX")
	log "apt-get download $pkg"
	(cd "$tmp" && apt-get download -q "$pkg" >&2)
	rm -rf "$dest.partial"
	mkdir -p "$dest.partial"
	log "dpkg -x $pkg"
	dpkg -x "$tmp"/*.deb "$dest.partial"
	rm -rf "$tmp"
	touch "$dest.partial/.complete"
	rm -rf "$dest"
	mv "$dest.partial" "$dest"
}

# The source package holds a tarball; the tree is what we need.
if [ ! -e src/.complete ]; then
	apt_ready
	fetch_unpack "linux-source-$series" pkg-linux-source
	tarball=$(ls pkg-linux-source/usr/src/linux-source-"$series"*.tar.xz | head -n 1)
	rm -rf src.partial && mkdir -p src.partial
	log "untar $(basename "$tarball")"
	tar -C src.partial -xf "$tarball"
	touch src.partial/.complete
	rm -rf src && mv src.partial src
	rm -rf pkg-linux-source
fi
ksrc=$(ls -d "$cache/src/linux-source-$series" | head -n 1)

mkdir -p "$imgcache"
if [ ! -e "$imgcache/image.current" ]; then
	apt_ready
	pkg=$(image_pkg)
	[ -n "$pkg" ] || { log "cannot find the image $meta depends on in apt-cache"; exit 1; }
	fetch_unpack "$pkg" "$imgcache/${pkg%:*}"
	echo "${pkg%:*}" > "$imgcache/image.current.tmp"
	mv "$imgcache/image.current.tmp" "$imgcache/image.current"
fi
imgdir=$imgcache/$(cat "$imgcache/image.current")
krel=$(ls "$imgdir/lib/modules" | head -n 1)

# modules.dep and friends are made by depmod at install time; the .deb lacks them.
if [ ! -e "$imgdir/lib/modules/$krel/modules.dep.bin" ]; then
	log "depmod $krel"
	depmod -b "$imgdir" "$krel"
fi

echo "KSRC=$ksrc"
echo "KIMAGE=$imgdir/boot/vmlinuz-$krel"
echo "KMODDIR=$imgdir/lib/modules/$krel"
echo "KREL=$krel"
echo "KCONFIG=$imgdir/boot/config-$krel"

# Guests of another arch need its busybox; installing it would replace the
# host's, so it is only unpacked.
if [ "$deb_arch" != amd64 ]; then
	if [ ! -e "$imgcache/busybox/.complete" ]; then
		apt_ready
		fetch_unpack "busybox-static:$deb_arch" "$imgcache/busybox"
	fi
	echo "KBUSYBOX=$imgcache/busybox/bin/busybox"
fi
