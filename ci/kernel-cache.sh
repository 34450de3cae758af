#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Fetch Debian's linux-source-6.1 and the current generic 6.1 kernel image with
# `apt-get download`, unpack them (dpkg -x, never installed) into the cache and
# print where they are as shell assignments:
#   KSRC=...      the unpacked source tree
#   KIMAGE=...    the generic bzImage (vmlinuz)
#   KMODDIR=...   its /lib/modules/<release> tree
#   KREL=...      its kernel release
#   KCONFIG=...   Debian's config for it
# Idempotent: a second run only prints. Usage: ci/kernel-cache.sh [CACHE_DIR]
set -euo pipefail

cache=${1:-${KTRIM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ktrim}}
mkdir -p "$cache"
cd "$cache"

log() { printf '[kernel-cache] %s\n' "$*" >&2; }

apt_ready() {
	# apt-cache knows nothing until the lists exist.
	if ! apt-cache show linux-source-6.1 >/dev/null 2>&1; then
		log "apt-get update"
		apt-get update -q >&2
	fi
}

image_pkg() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -n 1
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
	fetch_unpack linux-source-6.1 pkg-linux-source
	tarball=$(ls pkg-linux-source/usr/src/linux-source-6.1*.tar.xz | head -n 1)
	rm -rf src.partial && mkdir -p src.partial
	log "untar $(basename "$tarball")"
	tar -C src.partial -xf "$tarball"
	touch src.partial/.complete
	rm -rf src && mv src.partial src
	rm -rf pkg-linux-source
fi
ksrc=$(ls -d "$cache"/src/linux-source-6.1* | head -n 1)

if [ ! -e image.current ]; then
	apt_ready
	pkg=$(image_pkg)
	[ -n "$pkg" ] || { log "cannot find linux-image-6.1.0-*-amd64 in apt-cache"; exit 1; }
	fetch_unpack "$pkg" "$pkg"
	echo "$pkg" > image.current.tmp && mv image.current.tmp image.current
fi
imgdir=$cache/$(cat image.current)
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
